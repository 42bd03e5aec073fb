"""`reportgen fix-numbers`: replace typed numbers that agree with the data by the references that print them.

Only numbers that match the data are replaced (a differing one needs a person's decision); the
list is shown first and nothing is written without confirmation. Each narrative file is written
atomically, so an interrupted run leaves it as it was.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .narrative import read_narrative
from .numbers import MATCH, Mention


def replaceable(mentions: list[Mention]) -> list[Mention]:
    """Matched numbers in Markdown files (a Word section is the school's document: it is only listed)."""
    return [m for m in mentions if m.status == MATCH and m.target is not None and m.loc.file.endswith(".md")]


def describe(m: Mention) -> str:
    return f"{m.loc}：“{m.phrase} {m.typed}” → {m.reference}"


def apply(root: Path, mentions: list[Mention], write_atomic) -> list[Path]:
    """Rewrite each file with its matched numbers replaced; returns the files written."""
    by_file: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_file[m.loc.file].append(m)
    written = []
    for rel, items in by_file.items():
        path = root / rel
        text = read_narrative(path)
        if text is None:
            continue
        lines = text.split("\n")
        for m in sorted(items, key=lambda m: (m.line, m.start), reverse=True):   # right to left: spans stay valid
            line = lines[m.line - 1]
            lines[m.line - 1] = line[:m.start] + m.reference + line[m.end:]
        data = "\n".join(lines).encode("utf-8")
        write_atomic(path, lambda f, data=data: f.write(data))
        written.append(path)
    return written
