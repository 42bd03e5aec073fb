"""Detail and appendix tables as document-model Tables: formatted cells, merged categories, 合计."""
from __future__ import annotations

from decimal import Decimal

from ..compute.aggregates import column_total
from ..compute.indicators import IndicatorTable
from ..dataset import TableData
from ..doc.model import Cell, Column, Table
from ..pack import AppendixTableDef, ColumnDef
from ..value_kinds import ColumnType, NotReported
from .display import format_value

INCOMPLETE_TOTAL = "【待补充】"          # counted by render/todo.py


def cell_text(col: ColumnDef, value) -> str:
    if value is None:
        return ""
    if isinstance(value, NotReported):
        return "-"
    if col.type is ColumnType.DECIMAL and isinstance(value, (Decimal, int, float)):
        if col.decimals is not None:
            return f"{Decimal(str(value)):.{col.decimals}f}"
        return _decimal_text(Decimal(str(value)))
    return str(value)


def _decimal_text(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


def detail_table(data: TableData, title: str) -> Table:
    cols = data.definition.columns
    align = lambda c: "right" if c.numeric and not c.plain else ("center" if c.type in (ColumnType.ENUM, ColumnType.DATE) or c.plain else "left")  # noqa: E731
    columns = [Column(c.heading, c.width, align(c)) for c in cols]
    rows = [[Cell(cell_text(c, r.get(c.name)), align=align(c)) for c in cols] for r in data.rows]
    for j, c in enumerate(cols):
        if c.merge:
            _merge_runs(rows, j)
    total_row = None
    if rows and any(c.total for c in cols):
        total_row = [Cell(_total_text(data, c) if c.total else "", align=align(c)) for c in cols]
    return Table(label="", title=title, columns=columns, rows=rows, total_row=total_row,
                 empty_text=data.definition.empty_text)


def _total_text(data: TableData, col: ColumnDef) -> str:
    """A 合计 over rows that have no number ("-", or blank where the column is required) is never printed as
    complete: 【待补充】."""
    if any(isinstance(v, NotReported) or (v is None and col.required) for v in data.column_values(col.name)):
        return INCOMPLETE_TOTAL
    return cell_text(col, column_total(data, col.name))


def _merge_runs(rows: list[list[Cell]], j: int) -> None:
    """Adjacent equal values of a category column become one merged cell."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][j].text != rows[start][j].text:
            if i - start > 1:
                rows[start][j].rowspan = i - start
                for k in range(start + 1, i):
                    rows[k][j].rowspan = 0
            start = i
    for r in rows:
        if r[j].rowspan != 1:
            r[j].align = "center"


def appendix_table(adef: AppendixTableDef, indicators: IndicatorTable, years: list[int], label: str,
                   checks=None) -> Table:
    """Indicator rows with the years side by side. A 其中 row right under its parent reads "其中：…";
    a value below its standard gets "▲" and the table a note naming the standard (check/rules.py)."""
    defs = indicators.definitions
    columns = [Column("指标", 5.5), Column("单位", 1.4, "center")] + [Column(f"{y}年", 1.8, "right") for y in years]
    rows, open_parent, first = [], None, True
    for name in adef.rows:
        d = defs[name]
        if d.parent and d.parent == open_parent:
            shown, first = (f"其中：{d.shown}" if first else f"\u3000\u3000\u3000{d.shown}"), False
        else:
            shown, open_parent, first = (d.name if d.parent else d.shown), name, True
        rows.append([Cell(shown), Cell(d.unit, align="center")] +
                    [Cell(format_value(d, indicators.get(name, y), with_unit=False) +
                          (checks.mark(name, y) if checks else ""), align="right") for y in years])
    notes = checks.notes_for(adef.rows, years, defs) if checks else []
    serials = _serials(rows) if adef.serial else None
    return Table(label=label, title=adef.title, columns=columns, rows=rows, total_row=None, notes=notes,
                 serials=serials)


def _serials(rows: list[list[Cell]]) -> list[str]:
    """序号 for indicator rows only: 其中 rows (indented under their parent) get none, as printed 质量数据表 do."""
    n, out = 0, []
    for row in rows:
        sub = row[0].text.startswith(("其中", "\u3000"))
        n += not sub
        out.append("" if sub else str(n))
    return out
