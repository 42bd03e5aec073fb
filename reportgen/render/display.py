"""How numbers read in the report: an indicator value by its format, a year-over-year change in words.

Rendering owns the wording; compute gives the numbers (compute/indicators.py), and the rounding rule
(half up, as people round) is shared from reportgen/value_kinds.py so checks compare what is shown.
"""
from __future__ import annotations

from decimal import Decimal

from ..compute.indicators import Change, ChangeKind
from ..pack import IndicatorDef
from ..value_kinds import ValueFormat, is_number, round_half_up


def format_value(d: IndicatorDef, value, with_unit: bool = True) -> str:
    """Display text of one value by the indicator's format; '-' for not reported.

    integer 1234 · decimal1/decimal2 12.5/12.50 · percent (a fraction) 96.14% · ratio 19:1 or 17.1:1 ·
    `decimals` overrides the places. A value in "%" gets the sign when `with_unit`.
    """
    if not is_number(value):
        return "-"
    places = d.places
    if d.format == ValueFormat.RATIO:
        r = round_half_up(value, places)
        return f"{plain_number(r)}:1"
    if d.format == ValueFormat.PERCENT:
        return f"{round_half_up(Decimal(str(value)) * 100, places):.{places}f}%"
    if d.format == ValueFormat.TEXT:
        text = str(value)
    else:
        text = f"{round_half_up(value, places):.{places}f}"
    if with_unit and d.unit == "%":
        text += "%"
    return text


def display_number(d: IndicatorDef, value) -> Decimal | None:
    """The value as its table cell shows it (rounded to the format's places); None for "-"."""
    if not is_number(value):
        return None
    if d.format == ValueFormat.PERCENT:
        return round_half_up(Decimal(str(value)) * 100, d.places)
    return round_half_up(value, d.places)


def change_text(c: Change) -> str:
    """`{{ change("毕业生人数") }}`: 增长 4.78% · 提高 0.35 个百分点 · 增加 2 项 · 持平 · 【待补充：…】."""
    if c.kind is ChangeKind.MISSING:
        return f"【待补充：“{c.name}”{c.base} 年或 {c.year} 年未填报，无法计算变化】"
    if c.kind is ChangeKind.SAME or c.amount == 0:
        return "持平"
    size = abs(c.amount)
    if c.kind is ChangeKind.POINTS:
        return f"{'提高' if c.amount > 0 else '降低'} {size:.2f} 个百分点"
    if c.kind is ChangeKind.PERCENT:
        return f"{'增长' if c.amount > 0 else '下降'} {size:.2f}%"
    return f"{'增加' if c.amount > 0 else '减少'} {plain_number(size)}{' ' + c.unit if c.unit else ''}"


def plain_number(d: Decimal) -> str:
    """12.50 → 12.5, 19.0 → 19: no trailing zeros, no exponent."""
    d = Decimal(d)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")
