"""What the draft still waits for (待补充), each with its place: counted by `build`, the web page and
`check --final` alike, so "待补充 0" means the draft holds none of these.

- 【待补充：…】 marks (unreported values, unwritten sections, `todo()`);
- fill-in placeholders a new project starts with (【学校全称】 on the cover …);
- cells of printed tables with no data ("-"), and a 合计 over such rows (printed 【待补充】);
- numbers from last year's report still in the narrative, not replaced and not marked reviewed
  (load/review.py, `{# 已核对 #}`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..doc.model import Case, Document, Heading, KeyValue, Paragraph, Placeholder, Table, Text
from ..load.review import waiting_numbers
from .tables import INCOMPLETE_TOTAL

# 【学校全称】, 【填写日期】, 【请填写…】: a fill-in left as the template had it (never 【待补充…】, counted apart)
FILL_IN = re.compile(r"【(?!待补充)[^】\n]{0,20}(?:全称|名称|简称|填写|日期|姓名|XX|××)[^】\n]{0,10}】|【请[^】\n]{1,30}】")
NOT_REPORTED_TEXT = "-"                  # how a table prints a cell with no data (render/tables.py)
SEP = " › "

MARK, FILL, CELL, LAST_YEAR = "待补充标记", "未替换的占位文字", "表格中没有数据", "未核对的去年数字"


@dataclass(frozen=True)
class Todo:
    kind: str          # MARK | FILL | CELL | LAST_YEAR
    place: str         # 章 › 节, 表 3 › 行 › 列, or file:line
    text: str


def todo_items(doc: Document, root: Path | None) -> list[Todo]:
    items = list(_in_document(doc))
    if root is not None:
        items += [Todo(LAST_YEAR, str(w.loc), w.text) for w in waiting_numbers(root)]
    return items


def _in_document(doc: Document):
    if doc.cover is not None:
        c = doc.cover
        for line in (c.school, c.title, c.subtitle, c.date, *c.lines):
            for m in FILL_IN.finditer(line or ""):
                yield Todo(FILL, "封面", m.group(0))
    place = ["（正文开头）"]
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level <= 2:
            place = place[:b.level - 1] if b.level > 1 else []
            place.append(b.label + b.text)
        yield from _in_block(b, SEP.join(place))


def _in_block(b, where: str):
    if isinstance(b, Paragraph):
        for i in b.inlines:
            if isinstance(i, Placeholder):
                yield Todo(MARK, where, i.text)
            elif isinstance(i, Text):
                yield from (Todo(FILL, where, m.group(0)) for m in FILL_IN.finditer(i.text))
    elif isinstance(b, Heading):
        yield from (Todo(FILL, where, m.group(0)) for m in FILL_IN.finditer(b.text))
    elif isinstance(b, KeyValue):
        for key, value in b.items:
            yield from (Todo(FILL, f"{where}{SEP}{key}", m.group(0)) for m in FILL_IN.finditer(value))
    elif isinstance(b, Table):
        yield from _in_table(b, where)
    elif isinstance(b, Case):
        for inner in b.blocks:
            yield from _in_block(inner, f"{where}{SEP}{b.label}{b.title}")


def _in_table(t: Table, where: str):
    name = f"{t.label} {t.title}".strip() or where
    heads = [c.name for c in t.columns]
    for row in t.rows:
        first = next((c.text.strip("\u3000").removeprefix("其中：") for c in row
                      if c.text and c.rowspan != 0 and c.text != NOT_REPORTED_TEXT), "")
        for head, cell in zip(heads, row):
            if cell.text.rstrip("▲") == NOT_REPORTED_TEXT:
                yield Todo(CELL, f"{name}{SEP}{first}{SEP}{head}", "印“-”")
    for head, cell in zip(heads, t.total_row or []):
        if cell.text == INCOMPLETE_TOTAL:
            yield Todo(CELL, f"{name}{SEP}合计{SEP}{head}", "合计不完整（有的行没有填报），印【待补充】")

