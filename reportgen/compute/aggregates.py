"""Counts, sums and rows of detail tables: what narrative and formulas cite instead of retyping."""
from __future__ import annotations

from decimal import Decimal

from ..dataset import TableData
from ..errors import DataRefError, did_you_mean
from ..value_kinds import NOT_REPORTED, ColumnType, is_number


class Aggregates:
    def __init__(self, tables: dict[str, TableData]):
        self.tables = tables

    def table(self, tid: str) -> TableData:
        if tid not in self.tables:
            hint = did_you_mean(tid, self.tables, f"（可用：{'、'.join(self.tables)}）")
            raise DataRefError(f"没有 id 为“{tid}”的明细表{hint}")
        return self.tables[tid]

    def _column(self, t: TableData, name: str):
        col = t.definition.column(name)
        if col is None:
            names = [c.name for c in t.definition.columns]
            hint = did_you_mean(name, names, f"（可用：{'、'.join(names)}）")
            raise DataRefError(f"明细表“{t.definition.id}”没有“{name}”这一列{hint}")
        return col

    def count(self, tid: str, **where) -> int:
        t = self.table(tid)
        for name in where:
            self._column(t, name)
        return sum(1 for r in t.rows if all(str(r.get(k)) == str(v) for k, v in where.items()))

    def total(self, tid: str, column: str, **where):
        t = self.table(tid)
        col = self._column(t, column)
        if not col.summable:
            what = "是年份列" if col.numeric else "不是数字列"
            raise DataRefError(f"明细表“{tid}”的“{column}”{what}，不能求和")
        rows = [r for r in t.rows if all(str(r.get(k)) == str(v) for k, v in where.items())]
        values = [r[column] for r in rows if is_number(r.get(column))]
        if not values and (not t.rows or rows):
            # an empty table, or rows whose amounts are all "-": not reported (prints "-"), never a made-up 0;
            # rows that exist but none of this kind: a true 0
            return NOT_REPORTED
        return _as_column(col, sum(values, Decimal(0)))

    def rows(self, tid: str) -> list[dict]:
        return [dict(r) for r in self.table(tid).rows]


def column_total(t: TableData, name: str):
    """The 合计 of one column, as the table's total row prints it."""
    values = [v for v in t.column_values(name) if is_number(v)]
    return _as_column(t.definition.column(name), sum(values, Decimal(0)))


def _as_column(col, total: Decimal):
    """A sum printed like the column's cells: 181.50 where the column has 2 decimals."""
    if col is not None and col.type is ColumnType.INTEGER:
        return int(total)
    if col is not None and col.decimals is not None:
        return total.quantize(Decimal(1).scaleb(-col.decimals))
    return total
