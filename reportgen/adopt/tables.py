"""A table of last year's report as rows of a pack table, when its header row names that table's columns.

The 序号 column is generated, so it is dropped; a merged category cell gives its value to every row it
covers; numbers are parsed ("1,234", "12.5万元" in a 万元 column); a typed 合计 row is checked against
the sum of the rows, not copied (the tool computes it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..errors import Location, Problems
from ..load.project import TOTAL_WORDS
from ..load.word import WTable, word_location
from ..pack import TableDef
from .match import normalize, similarity

SERIAL = {"序号", "编号", "序"}
_NUMBER = re.compile(r"^[+-]?\d[\d,，]*(?:\.\d+)?$")


@dataclass
class TableRows:
    table: TableDef
    rows: list[dict] = field(default_factory=list)
    source: Location | None = None
    caption: str = ""          # as last year's report titled it


YEAR_COLUMN = re.compile(r"^(19|20)\d\d年?度?$")


def is_indicator_table(t: WTable) -> bool:
    """指标 | 单位 | 2023年 | 2024年: a table the pack computes from indicators (附表, 质量数据表), not data to import."""
    if not t.table.rows:
        return False
    head = ["".join(c.text.split()) for c in t.table.rows[0]]
    return "指标" in "".join(head) and any(YEAR_COLUMN.match(h) for h in head)


def header_columns(t: WTable, tdef: TableDef) -> list[str | None] | None:
    """The pack column of each cell of the header row (None for 序号), or None when they don't match."""
    if not t.table.rows:
        return None
    names = {normalize(c.name): c.name for c in tdef.columns} | {normalize(c.heading): c.name for c in tdef.columns}
    out, seen = [], set()
    for cell in t.table.rows[0]:
        key = normalize(cell.text)
        if key in SERIAL:
            out.append(None)
            continue
        name = names.get(key)
        if name is None or name in seen:
            return None
        seen.add(name)
        out.append(name)
    required = {c.name for c in tdef.columns if c.required}
    return out if required <= seen and seen else None


def match_table(t: WTable, tables: dict[str, TableDef], taken: set[str]) -> tuple[TableDef, list] | None:
    """The pack table this one holds: same columns; the caption decides between tables with equal columns."""
    found = []
    for tid, tdef in tables.items():
        if tid in taken:
            continue
        cols = header_columns(t, tdef)
        if cols is not None:
            found.append((similarity(t.caption, tdef.title), len(tdef.columns), tid, cols))
    if not found:
        return None
    found.sort(reverse=True)
    _, _, tid, cols = found[0]
    return tables[tid], cols


def table_rows(t: WTable, tdef: TableDef, columns: list, label: str, problems: Problems) -> TableRows:
    out = TableRows(tdef, source=word_location(label, table=t.table.no), caption=t.caption)
    above: dict[int, str] = {}
    total = None
    for r, row in enumerate(t.table.rows[1:], start=2):
        texts = []
        for j, cell in enumerate(row):
            text = above.get(j, "") if cell.rowspan == 0 else cell.text
            if cell.colspan == 0 and j > 0:
                text = ""
            above[j] = text
            texts.append(text)
        if any("".join(x.split()) in TOTAL_WORDS for x in texts):
            total = (r, texts)
            continue
        values = {}
        for name, text in zip(columns, texts):
            if name is None or not text.strip():
                continue
            values[name] = _value(tdef.column(name), text, word_location(label, table=t.table.no, row=r), problems)
        if values:
            out.rows.append(values)
    if total is not None:
        _check_total(tdef, columns, out.rows, total, label, t.table.no, problems)
    return out


def _value(col, text: str, loc: Location, problems: Problems):
    text = " ".join(text.split())
    if col is None or not col.numeric:
        return text
    bare = text.removesuffix(col.unit).strip() if col.unit else text
    if bare in ("-", "—", "/"):
        return "-"
    if not _NUMBER.match(bare):
        problems.warning(f"“{col.name}”应为数字，这里是“{text}”，已按原文保留，请核对", loc)
        return text
    number = Decimal(bare.replace(",", "").replace("，", ""))
    return int(number) if col.type == "integer" and number == number.to_integral_value() else float(number)


def _check_total(tdef, columns, rows, total, label, table_no, problems) -> None:
    r, texts = total
    loc = word_location(label, table=table_no, row=r)
    for name, text in zip(columns, texts):
        col = tdef.column(name) if name else None
        if col is None or not col.total or not text.strip():
            continue
        try:
            typed = Decimal(text.replace(",", "").replace("，", "").removesuffix(col.unit).strip())
        except InvalidOperation:
            continue
        summed = sum((Decimal(str(x[name])) for x in rows if isinstance(x.get(name), (int, float))), Decimal(0))
        if typed != summed:
            problems.warning(f"表中“合计”行的“{name}”为 {text}，而各行之和为 {summed}；合计由工具重新计算，"
                             "请核对各行数据", loc)
