"""What the bench scripts share: a timed reportgen command, and BENCHMARKS.md, where each rewrites only its own block."""
from __future__ import annotations

import os
import resource
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
