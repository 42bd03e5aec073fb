"""A table of last year's report as rows of a pack table, when its header row names that table's columns.

The 序号 column is generated, so it is dropped; a merged category cell gives its value to every row it
covers, and so does one left blank below its first row in a `merge: true` column (pandoc, hand-made tables); numbers are parsed ("1,234", "12.5万元" in a 万元 column); a typed 合计 row is checked against
the sum of the rows, not copied (the tool computes it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..check.coerce import coerce
from ..errors import Location, Problems
from ..load.project import TOTAL_WORDS
from ..load.word import WTable
from ..load.word.parts import indicator_layout
from ..pack import TableDef
from ..value_kinds import ColumnType
from .match import normalize, similarity

SERIAL = {"序号", "编号", "序"}
_NUMBER = re.compile(r"^[+-]?\d[\d,，]*(?:\.\d+)?$")


@dataclass
class TableRows:
    table: TableDef
    rows: list[dict] = field(default_factory=list)
    source: Location | None = None
    caption: str = ""          # as last year's report titled it
    set_aside: list = field(default_factory=list)   # (row number, values, why): kept as comments in the file


def header_columns(t: WTable, tdef: TableDef) -> list[str | None] | None:
    """The pack column of each cell of the header row (None for 序号), or None when they don't match."""
    if not t.table.rows:
        return None
    names = {normalize(c.name): c.name for c in tdef.columns} | {normalize(c.heading): c.name for c in tdef.columns} \
        | {normalize(a): c.name for c in tdef.columns for a in c.aliases}
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
    out = TableRows(tdef, source=Location(label, sheet=t_label(t)), caption=t.caption)
    above: dict[int, str] = {}
    merged = {j for j, name in enumerate(columns) if name and tdef.column(name) and tdef.column(name).merge}
    total = None
    for r, row in enumerate(t.table.rows[1:], start=2):
        texts = []
        for j, cell in enumerate(row):
            text = above.get(j, "") if cell.rowspan == 0 else cell.text
            if cell.colspan == 0 and j > 0:
                text = ""
            if j in merged and not text.strip() and any(c.text.strip() for c in row):
                text = above.get(j, "")      # a merged category cell left blank below its first row
            above[j] = text
            texts.append(text)
        if any("".join(x.split()) in TOTAL_WORDS for x in texts):
            total = (r, texts)
            continue
        values = {}
        for name, text in zip(columns, texts):
            if name is None or not text.strip():
                continue
            values[name] = _value(tdef.column(name), text, Location(label, sheet=t_label(t), cell=f"第 {r} 行"), problems)
        if not values:
            continue
        for col in tdef.columns:
            if col.derive and col.name not in columns and col.derive[0] in values:
                found = derived(col, str(values[col.derive[0]]))
                if found:
                    values[col.name] = found
        why = _unusable(tdef, values)
        if why:
            # a row whose cells slid sideways (a PDF's table, a merged cell typed over): kept, not as data
            out.set_aside.append((r, values, why))
            problems.warning(f"这一行{why}，未转为数据，已作为注释保留在 data/tables/{tdef.id}.yaml 中，请核对后补全",
                             Location(label, sheet=t_label(t), cell=f"第 {r} 行"))
        else:
            out.rows.append(values)
    if total is not None:
        _check_total(tdef, columns, out.rows, total, Location(label, sheet=t_label(t), cell=f"第 {total[0]} 行"),
                     problems)
    return out


def derived(col, text: str) -> str:
    """The value the pack's `derive:` reads from another column's text ("" when no pattern is found)."""
    for rx, value in col.derive[1]:
        m = re.search(rx, text)
        if m:
            return m.expand(value)
    return ""


def _unusable(tdef: TableDef, values: dict) -> str:
    """Why a row cannot be data as it is ("" when it can): a required column empty, a number that is not one."""
    missing = [c.name for c in tdef.columns if c.required and c.name not in values]
    if missing:
        read = [m for m in missing if tdef.column(m).derive]
        return f"缺少“{'、'.join(missing)}”" + (f"（从“{tdef.column(read[0]).derive[0]}”中读不出）" if read else "")
    for c in tdef.columns:
        if c.name not in values:
            continue
        typed = coerce(c, values[c.name], str(values[c.name]))     # as the build will read it
        if typed.error:
            return f"“{c.name}”{typed.error}"
        if c.type is ColumnType.DATE:
            values[c.name] = typed.value     # "2020年9月28日" is the month 2020.09
    return ""


def _value(col, text: str, loc: Location, problems: Problems):
    text = " ".join(text.split())
    if col is None or not col.numeric:
        return text
    bare = text.removesuffix(col.unit).strip() if col.unit else text
    if bare in ("-", "—", "/"):
        return "-"
    if not _NUMBER.match(bare):
            return text
    number = Decimal(bare.replace(",", "").replace("，", ""))
    return int(number) if col.type is ColumnType.INTEGER and number == number.to_integral_value() else float(number)


def _check_total(tdef, columns, rows, total, loc: Location, problems) -> None:
    r, texts = total
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


ALIAS_MIN = 0.6


@dataclass
class Proposal:
    """How a table that matched no pack table as it is could: the pack table most like it, the mapping that
    would take it (a renamed header as an alias, a column of the school's own added), or why it cannot."""
    table: TableDef
    columns: list[str | None]                      # the pack column of each header cell (None: 序号)
    aliases: dict[str, str] = field(default_factory=dict)    # pack column -> the school's header
    add: list[str] = field(default_factory=list)   # the school's columns the pack has not
    missing: list[str] = field(default_factory=list)        # required pack columns the table lacks

    def mapping_yaml(self) -> str:
        parts = []
        if self.aliases:
            parts.append("aliases: {" + ", ".join(f"{k}: [{v}]" for k, v in self.aliases.items()) + "}")
        if self.add:
            parts.append("add: [" + ", ".join(f"{{name: {a}, type: text}}" for a in self.add) + "]")
        return f"{self.table.id}: {{{', '.join(parts)}}}"


def propose(t: WTable, tables: dict[str, TableDef], taken: set[str]) -> Proposal | None:
    """The pack table a table's header is most like (at least two columns in common, or a caption alike and
    one column), with the mapping that would make it data."""
    if not t.table.rows:
        return None
    heads = [" ".join(c.text.split()) for c in t.table.rows[0]]
    best_found, best_score = None, 0.0
    for tid, tdef in tables.items():
        if tid in taken:
            continue
        names = {normalize(c.name): c.name for c in tdef.columns} | {normalize(c.heading): c.name for c in tdef.columns} \
            | {normalize(a): c.name for c in tdef.columns for a in c.aliases}
        columns, aliases, add, direct = [], {}, [], 0
        for head in heads:
            key = normalize(head)
            if key in SERIAL:
                columns.append(None)
                continue
            name = names.get(key)
            if name is None:
                scored = sorted(((similarity(head, c.name), c.name) for c in tdef.columns
                                 if c.name not in columns and c.name not in aliases), reverse=True)
                if scored and scored[0][0] >= ALIAS_MIN:
                    name = scored[0][1]
                    aliases[name] = head
            if name is None or name in columns:
                add.append(head)
                columns.append(head)
                continue
            direct += name not in aliases
            columns.append(name)
        mapped = sum(1 for c in columns if c and tdef.column(c))
        score = mapped + similarity(t.caption, tdef.title)
        if (direct >= 2 or direct >= 1 and similarity(t.caption, tdef.title) >= 0.6) and score > best_score:
            missing = [c.name for c in tdef.columns if c.required and c.name not in columns
                       and not (c.derive and c.derive[0] in columns)]
            best_found, best_score = Proposal(tdef, columns, aliases, add, missing), score
    return best_found


@dataclass
class IndicatorValue:
    name: str                  # the pack's raw indicator
    year: int
    value: int | float
    source: Location
    typed: str                 # the row's indicator name as last year's report printed it


INDICATOR_MIN = 0.85


def indicator_values(t: WTable, indicators: dict, label: str) -> list[IndicatorValue]:
    """The values of an indicator table (指标 | 单位 | 2021年 …) for the pack's raw indicators it names, each under
    the year of its column; derived indicators (rates, 生均) are computed, not imported."""
    rows = t.table.rows
    layout = indicator_layout(t)
    if layout is None:
        return []
    name_col, unit_col, years = layout
    raw = {name: name for name, d in indicators.items() if d.kind == "raw"}
    out = []
    for r, row in enumerate(rows[1:], start=2):
        if name_col >= len(row):
            continue
        typed = " ".join(row[name_col].text.split())
        name = best_indicator(typed, raw)
        if name is None:
            continue
        unit = row[unit_col].text.strip() if unit_col is not None and unit_col < len(row) else ""
        if unit and indicators[name].unit and unit not in ("/", "-") and \
                normalize(unit) != normalize(indicators[name].unit):
            continue                   # 万元 against 元: not the same quantity as typed
        for j, year in years.items():
            text = row[j].text.replace(",", "").replace("，", "").strip() if j < len(row) else ""
            if not _NUMBER.match(text):
                continue
            number = Decimal(text)
            value = int(number) if number == number.to_integral_value() and "." not in text else float(number)
            where = Location(label, sheet=t_label(t), cell=f"第 {r} 行")
            out.append(IndicatorValue(name, year, value, where, typed))
    return out


def best_indicator(typed: str, names: dict[str, str]) -> str | None:
    """The raw indicator a row names: the same words, or one with a qualifier in brackets ("（含技工）")."""
    bare = re.sub(r"[（(][^（）()]*[）)]", "", typed)
    scored = sorted(((max(similarity(typed, n), similarity(bare, n)), n) for n in names), reverse=True)
    if not scored or scored[0][0] < INDICATOR_MIN:
        return None
    if normalize(bare) != normalize(scored[0][1]) and normalize(typed) != normalize(scored[0][1]) \
            and scored[0][0] < 0.95:
        return None
    return scored[0][1]


def t_label(t: WTable) -> str:
    """How the table is named in messages: its caption's typed number ("表1-1"), else its place in the file."""
    return t.label or f"表 {t.table.no}"
