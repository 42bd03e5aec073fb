"""Benchmark: how long `reportgen absorb` takes on the demo's draft with a reviewer's edits.

    python bench/absorb.py                  # 5 runs of each case, writes the figures into BENCHMARKS.md
    python bench/absorb.py --runs 9 --no-write

The demo (a private copy) is built once; its draft gets the edits of the test suite's reviewer
(tests/absorbutil.py: a paragraph reworded, a sentence deleted, a paragraph added, a heading renamed, a
case's title and text, a number printed from data, a detail-table cell, a 批注, a tracked insertion and
deletion). Each command runs as `python -m reportgen …` in its own process, the way a user runs it:

- 列出修改（--dry-run）: compare and list, nothing written;
- 收回并写入: the edits written into the narrative (the narrative is put back before each run).

Target: ≤ 2 s on this 2-core machine. Reported: median wall and CPU time (user + sys of the child).
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
START = "<!-- bench/absorb.py: start -->"
END = "<!-- bench/absorb.py: end -->"
HEADING = "## 收回修改耗时（bench/absorb.py）"
TARGET_S = 2.0


def reportgen(*args: str) -> tuple[float, float, str]:
    """Run one reportgen command in a child process: (wall seconds, CPU seconds, stdout)."""
    wall, cpu, proc = results.timed(*args)
    return wall, cpu, proc.stdout


def measure(runs: int) -> dict[str, list[tuple[float, float]]]:
    sys.path.insert(0, str(REPO / "tests"))
    from absorbutil import edit_like_a_reviewer
    out: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="reportgen-absorb-") as tmp:
        project = Path(tmp) / "demo"
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("build"))
        reportgen("build", str(project))
        draft = next(p for p in (project / "build").glob("*.docx") if "." not in p.stem)
        edited = Path(tmp) / "审阅稿.docx"
        edit_like_a_reviewer(draft, edited)
        narrative = Path(tmp) / "narrative"
        shutil.copytree(project / "narrative", narrative)
        for i in range(runs):
            print(f"第 {i + 1}/{runs} 轮", file=sys.stderr)
            shutil.rmtree(project / "narrative")          # as before the last run's absorb
            shutil.copytree(narrative, project / "narrative")
            shutil.rmtree(project / "returns", ignore_errors=True)
            (project / "build" / ".absorb" / "absorbed.json").unlink(missing_ok=True)
            wall, cpu, text = reportgen("absorb", str(project), str(edited), "--dry-run")
            assert "将写回源文件：8 处" in text and "冲突" in text, text
            out.setdefault("列出修改（--dry-run）", []).append((wall, cpu))
            wall, cpu, text = reportgen("absorb", str(project), str(edited))
            assert "已修改 2 个文件" in text, text
            out.setdefault("收回并写入", []).append((wall, cpu))
    return out


def table(found: dict[str, list[tuple[float, float]]], runs: int, load: float) -> str:
    lines = [
        f"演示项目的初稿加上测试中审阅者的 11 处修改（tests/absorbutil.py），每种情形 {runs} 次取中位数；"
        f"每次为独立进程（含 Python 启动与导入）。目标 ≤ {TARGET_S:.0f} s。",
        results.environment(load),
        "",
        "| 情形 | 墙钟时间（中位数） | CPU 时间（中位数） | 次数 | 是否达到 ≤ 2 s |",
        "|---|---|---|---|---|",
    ]
    for name, xs in found.items():
        wall, cpu = results.median_times(xs)
        lines.append(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {len(xs)} | {'✅' if wall <= TARGET_S else '❌'} |")
    cpu = max(statistics.median(x[1] for x in xs) for xs in found.values())
    lines += ["", f"CPU 时间最多 {cpu:.2f} s：墙钟时间超出的部分是等待 CPU（开始时负载 {load:.1f}，2 核）；"
                  f"机器空闲时墙钟时间接近 CPU 时间。"]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = results.command_line("测量收回修改（reportgen absorb）的耗时", runs=5)
    load = results.load_now()
    results.report(table(measure(args.runs), args.runs, load), args, RESULTS, START, END, HEADING)


if __name__ == "__main__":
    main()
