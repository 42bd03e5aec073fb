"""Value kinds shared by every stage: "-" (not reported) is a value of its own, never 0; rounding as people do it."""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


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
