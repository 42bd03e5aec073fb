"""BENCHMARKS.md is shared by several bench scripts: each rewrites only its own marked block."""
from __future__ import annotations

import os
from pathlib import Path

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
