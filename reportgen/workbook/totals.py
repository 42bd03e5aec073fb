"""A typed 合计 row in a workbook: the tool computes totals itself, but a wrong typed one is worth reporting.

Seed 001's 表7-1 printed 合计 18291 while its rows sum to 20175; this is the check that catches it. Pure.
"""
from __future__ import annotations

from decimal import Decimal

from ..check.coerce import coerce, is_blank
from ..dataset import RawCell, RawRow
from ..errors import Problems
from ..pack import TableDef
from ..value_kinds import is_number


def check_total_row(tdef: TableDef, total: RawRow, above: list[RawRow], problems: Problems) -> None:
    for col in tdef.columns:
        if not col.numeric:
            continue
        typed_cell = total.cells.get(col.name)
        if typed_cell is None or is_blank(typed_cell.raw):
            continue
        typed = coerce(col, typed_cell.raw, typed_cell.text)
        if typed.error or not is_number(typed.value):
            problems.warning(f"合计行的“{col.name}”无法识别（{typed.error or typed_cell.raw}），已忽略；"
                             "合计由工具自动计算", typed_cell.loc)
            continue
        expected = _sum(col, [r.cells.get(col.name) for r in above])
        if expected is None:
            continue       # a row's value is itself wrong: that error is reported at its cell
        got = Decimal(str(typed.value))
        if got != expected:
            problems.error(f"“{col.name}”合计应为 {_fmt(expected)}，表中填写 {_fmt(got)}（相差 {_fmt(abs(expected - got))}）",
                           typed_cell.loc)


def _sum(col, cells: list[RawCell | None]) -> Decimal | None:
    total = Decimal(0)
    for cell in cells:
        if cell is None or is_blank(cell.raw):
            continue
        result = coerce(col, cell.raw, cell.text)
        if result.error:
            return None
        if is_number(result.value):
            total += Decimal(str(result.value))
    return total


def _fmt(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return "0" if text == "-0" else text
