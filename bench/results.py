"""What the bench scripts share: a timed reportgen command, and BENCHMARKS.md, where each rewrites only its own block."""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TITLE = "# 性能测试结果"


def write_section(path: Path, start: str, end: str, heading: str, text: str) -> None:
    """Replace the block between `start` and `end` (added under `heading` the first time); atomic."""
    block = f"{start}\n{text}{end}"
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if start in current and end in current:
            before, rest = current.split(start, 1)
            new = before + block + rest.split(end, 1)[1]
        elif heading in current:
            new = current.replace(heading, f"{heading}\n\n{block}", 1)
        else:
            new = current.rstrip() + f"\n\n{heading}\n\n{block}\n"
    else:
        new = f"{TITLE}\n\n{heading}\n\n{block}\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)


def timed(*args: str, accept: tuple[int, ...] = (0,)) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run one reportgen command in a child process: (wall seconds, CPU seconds, the finished process).
    An exit code outside `accept`, or a traceback, ends the benchmark with what the command said."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in accept or "Traceback" in proc.stderr:
        sys.exit(f"reportgen {' '.join(args)} 失败（退出码 {proc.returncode}）：\n{proc.stderr[-3000:]}{proc.stdout[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def load_now() -> float:
    """The machine's load when a benchmark starts: said beside its figures (2 shared cores)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def environment(load: float) -> str:
    return (f"环境：Python {platform.python_version()}，{platform.system()} {platform.machine()}，"
            f"{os.cpu_count()} 核，开始时负载 {load:.1f}。")


def median_times(times: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall, CPU) medians of a case's runs."""
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def command_line(description: str, runs: int) -> argparse.Namespace:
    """The options every timing script takes: --runs (each case's runs, the median counts), --no-write."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--runs", type=int, default=runs, help="每种情形的次数（取中位数）")
    ap.add_argument("--no-write", action="store_true", help="只打印，不写入 BENCHMARKS.md")
    return ap.parse_args()


def report(text: str, args: argparse.Namespace, path: Path, start: str, end: str, heading: str) -> None:
    """Print the figures and, unless --no-write, put them in the script's own block of BENCHMARKS.md."""
    print(text)
    if not args.no_write:
        write_section(path, start, end, heading, text)
        print(f"已写入 {path}", file=sys.stderr)
