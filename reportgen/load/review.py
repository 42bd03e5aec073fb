"""Last year's numbers still waiting in the narrative (`去年的数字.md`, written by `init --from`).

A number listed there counts as 待补充 while its text is still in the narrative file it went to, unless
the line carries the reviewed mark `{# 已核对 #}` — a Jinja comment, so the draft never prints it.
A number replaced by a data reference (`fix-numbers`, or by hand) or rewritten is gone from the
file and no longer counts. Pure reading; nothing is written.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location

REVIEW_FILE = "去年的数字.md"            # init --from (adopt/) writes it; read here
REVIEWED_MARK = "{# 已核对 #}"            # what a person types at the end of a line; adopt/ tells them so
REVIEWED = re.compile(r"\{#-?\s*已核对\s*-?#\}")
HOW_TO_REVIEW = f"核对无误、保留原数字的，在正文该行末尾加 {REVIEWED_MARK}（不会印出）"
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class WaitingNumber:
    text: str                  # the number as typed last year, with its unit
    loc: Location              # narrative file:line where it still is


def waiting_numbers(root: Path) -> list[WaitingNumber]:
    """Every listed number still in its narrative file on a line not marked reviewed, in file order."""
    listed = _listed(root / REVIEW_FILE)
    out: list[WaitingNumber] = []
    for rel, numbers in listed.items():
        path = root / rel
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue               # a file moved or removed: its numbers went with it
        out += _in_file(rel, lines, numbers)
    return out


def _in_file(rel: str, lines: list[str], numbers: Counter) -> list[WaitingNumber]:
    found: list[WaitingNumber] = []
    for text, wanted in numbers.items():
        pattern = re.compile(r"(?<![\d.])" + re.escape(text) + (r"(?![\d.])" if text[-1].isdigit() else ""))
        hits = [n for n, line in enumerate(lines, start=1) if not REVIEWED.search(line)
                for _ in pattern.finditer(_as_typed(line))]
        found += [WaitingNumber(text, Location(rel, n)) for n in hits[:wanted]]
    return sorted(found, key=lambda w: w.loc.line or 0)


def _as_typed(line: str) -> str:
    """The line as the reader sees it: `{{ ind.X[2023] }}` holds digits that are not typed numbers, and a
    Markdown escape is not typed ("2023\\.05" at a line's start, which would otherwise open a list)."""
    return _unescape(re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", line))


def _listed(path: Path) -> dict[str, Counter]:
    """file → how many times each number text is listed for it (the table's 数字 and 现在所在文件 columns)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, Counter] = {}
    columns: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            columns = None if not line.strip() else columns
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line.strip().strip("|"))]
        if columns is None:
            columns = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(columns, cells))
        number, file = _unescape(row.get("数字", "")), row.get("现在所在文件", "")
        if number and file and not file.startswith(("/", "..")) and ".." not in Path(file).parts:
            out.setdefault(file, Counter())[number] += 1
    return out


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()
