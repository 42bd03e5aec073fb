"""Value kinds shared by every stage: "-" (not reported) is a value of its own, never 0; rounding as people do it."""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum


class ValueFormat(str, Enum):
    """How an indicator's value reads (indicators.yaml `format:`); compared as members, never as strings."""
    INTEGER = "integer"
    DECIMAL1 = "decimal1"
    DECIMAL2 = "decimal2"
    PERCENT = "percent"          # stored as a fraction, shown ×100 with "%"
    RATIO = "ratio"              # 19:1
    TEXT = "text"

    @property
    def decimals(self) -> int:
        return {ValueFormat.INTEGER: 0, ValueFormat.DECIMAL1: 1, ValueFormat.RATIO: 1}.get(self, 2)

    def __str__(self) -> str:
        return self.value


class ColumnType(str, Enum):
    """What a detail-table column holds (tables.yaml `type:`); compared as members, never as strings."""
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"          # with `decimals:` places
    DATE = "date"                # 2024.05, 2024年5月 …
    ENUM = "enum"                # one of `choices:`

    @property
    def numeric(self) -> bool:
        return self in (ColumnType.INTEGER, ColumnType.DECIMAL)

    def __str__(self) -> str:
        return self.value


class NotReported:
    """The school wrote "-": not reported / not applicable. Distinct from 0 and from blank."""
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return "-"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return False


NOT_REPORTED = NotReported()


class Unreadable:
    """A source value that is not data: a formula never calculated, an Excel error value like #DIV/0!.

    Readers keep it in place of the value so the check stage reports it once, at its cell.
    """
    __slots__ = ("reason", "shown")

    def __init__(self, reason: str, shown: str):
        self.reason, self.shown = reason, shown

    def __str__(self) -> str:
        return self.shown


def is_number(v) -> bool:
    return isinstance(v, (int, Decimal, float)) and not isinstance(v, bool)


def round_half_up(value, places: int) -> Decimal:
    """Rounding as people do it (0.5 up), not banker's rounding."""
    q = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP)


def truncate(value, places: int) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(q, rounding=ROUND_DOWN)


MAX_MAGNITUDE = Decimal(10) ** 15        # more than any count or amount of money a school reports
MAX_DIGITS = 30


def unreasonable(value) -> str | None:
    """Why a number typed or computed cannot be a report's number: infinity, NaN, or hundreds of digits
    (typing or export accidents, or a formula gone wrong). Checked where numbers enter (check/coerce.py)
    and where formulas produce them (compute/indicators.py), so rounding and formatting never meet them."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    except (ValueError, ArithmeticError):
        return "数值位数过多，请检查是否多输入了数字"
    if not d.is_finite():
        return "不是有效的数字（无穷大或“非数”），请填写实际数值"
    if abs(d) >= MAX_MAGNITUDE or len(d.as_tuple().digits) > MAX_DIGITS:
        return "数值位数过多（超过 15 位整数或 30 位有效数字），请检查是否多输入了数字"
    return None
