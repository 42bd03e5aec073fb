"""Canonical values and fingerprints: what "the same data" means across YAML and a workbook.

YAML gives 96.50 as text, a workbook gives the float 96.5; both are the decimal 96.5. Values are
compared after coerce() (the same typing the check stage does), so only real changes count.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from ..check.coerce import coerce, is_blank
from ..check.quantities import INDICATOR_COLUMN
from ..dataset import RawCell, RawRow, RawTable
from ..pack import ColumnDef, TableDef
from ..value_kinds import NotReported


def canon(col: ColumnDef, cell: RawCell | None) -> str:
    """One cell as a comparable string: "" blank, "-" not reported, numbers normalised, else the typed text."""
    if cell is None or is_blank(cell.raw):
        return ""
    result = coerce(col, cell.raw, cell.text)
    value = result.value
    if result.error or value is None:
        return "?" + (cell.text if cell.text is not None else str(cell.raw)).strip()
    if isinstance(value, NotReported):
        return "-"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return _number(Decimal(value))
    return str(value)


def shown(cell: RawCell | None, col: ColumnDef) -> str:
    """A cell's value as the user typed it, for messages."""
    text = canon(col, cell)
    return text[1:] if text.startswith("?") else (text or "空白")


def _number(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def data_rows(table: RawTable | None, tdef: TableDef) -> list[RawRow]:
    """The rows the check stage will keep: blank ones are dropped on both sides."""
    if table is None:
        return []
    return [r for r in table.rows if not all(is_blank(c.raw) for c in r.cells.values())]


def table_canon(table: RawTable | None, tdef: TableDef) -> list[list[str]]:
    return [[canon(c, row.cells.get(c.name)) for c in tdef.columns] for row in data_rows(table, tdef)]


def table_print(table: RawTable | None, tdef: TableDef) -> str:
    return digest(table_canon(table, tdef))


def indicator_canon(cell: RawCell | None) -> str:
    return canon(INDICATOR_COLUMN, cell)


def indicator_print(cell: RawCell | None) -> str:
    return digest(indicator_canon(cell))


def digest(obj) -> str:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:20]
