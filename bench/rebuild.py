"""Benchmark: how long `reportgen build` takes to regenerate the demo after the first build.

    python bench/rebuild.py                  # 5 runs of each case, writes the figures into BENCHMARKS.md
    python bench/rebuild.py --runs 9 --no-write

Each build runs as `python -m reportgen …` in its own process, the way a user runs it, on a
private copy of examples/annual-2024-demo that was built once before timing. Cases:

- 未改动重新构建: `reportgen build` with nothing changed (the manifest shows the draft is current,
  so the .docx is not rendered again; output "与上次构建相比没有变化").
- 改正一个数后重新构建: 全日制在校生数 2024 alternates between two values before each build, so
  every run renders and writes a new draft and reports the indicators that moved.
- 强制重新构建: `reportgen build --force` with nothing changed: renders everything again.
- reportgen diff: the change report alone, nothing rendered or written.

Reported: median wall time and median CPU time (user + sys of the child) per case; CPU time is
the steadier figure on a busy machine. The load average at the start is printed alongside.
"""
from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
START = "<!-- bench/rebuild.py: start -->"
END = "<!-- bench/rebuild.py: end -->"
HEADING = "## 重新构建耗时（bench/rebuild.py）"
COUNT = re.compile(r"(全日制在校生数: \{[^}]*2024: )(\d+)")


def reportgen(*args: str) -> tuple[float, float, str]:
    """Run one reportgen command in a child process: (wall seconds, CPU seconds, stdout)."""
    wall, cpu, proc = results.timed(*args)
    return wall, cpu, proc.stdout


def toggle_count(project: Path, run: int) -> None:
    f = project / "data" / "indicators.yaml"
    text = f.read_text(encoding="utf-8")
    new, n = COUNT.subn(lambda m: m.group(1) + str(16238 + (run % 2) * 100 + 1), text)
    if n != 1:
        sys.exit("演示项目的 data/indicators.yaml 中找不到“全日制在校生数 … 2024”")
    f.write_text(new, encoding="utf-8")


def measure(runs: int) -> dict[str, list[tuple[float, float]]]:
    found: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="reportgen-rebuild-") as tmp:
        project = Path(tmp) / "demo"
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("build"))
        p = str(project)
        wall, cpu, _ = reportgen("build", p)
        found["首次构建"] = [(wall, cpu)]
        for i in range(runs):
            print(f"第 {i + 1}/{runs} 轮", file=sys.stderr)
            wall, cpu, out = reportgen("build", p)
            assert "没有变化" in out, out
            found.setdefault("未改动重新构建", []).append((wall, cpu))
            toggle_count(project, i)
            found.setdefault("reportgen diff（改正后，未构建）", []).append(reportgen("diff", p)[:2])
            wall, cpu, out = reportgen("build", p)
            assert "全日制在校生数" in out and "生师比" in out, out
            found.setdefault("改正一个数后重新构建", []).append((wall, cpu))
            wall, cpu, out = reportgen("build", p, "--force")
            found.setdefault("强制重新构建（--force，未改动）", []).append((wall, cpu))
    return found


def table(found: dict[str, list[tuple[float, float]]], runs: int, load: float) -> str:
    lines = [
        f"演示项目（examples/annual-2024-demo，17 幅照片/图表），每种情形 {runs} 次取中位数；"
        f"每次构建为独立进程（含 Python 启动与导入）。",
        results.environment(load),
        "",
        "| 情形 | 墙钟时间（中位数） | CPU 时间（中位数） | 次数 |",
        "|---|---|---|---|",
    ]
    for name, xs in found.items():
        wall, cpu = results.median_times(xs)
        lines.append(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {len(xs)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = results.command_line("测量演示项目重新构建的耗时", runs=5)
    load = results.load_now()
    results.report(table(measure(args.runs), args.runs, load), args, RESULTS, START, END, HEADING)


if __name__ == "__main__":
    main()
