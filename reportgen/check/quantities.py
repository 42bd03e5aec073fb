"""Type one raw indicator value, in the indicator's unit.

A number typed with a unit ("709.5亩", "17.87万m²", "3.5万元") is converted to the indicator's unit
through the reference table data/units.yaml, so "3.5万元" for an indicator in 元 is 35000, never 3.5.
A bare number is in the indicator's reporting unit: its `convert: {from: 亩}` when the pack
declares one (then converted to `unit`, which is what formulas see), else `unit`. Pure.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..compute.units import split_quantity, units
from ..pack import ColumnDef, IndicatorDef
from ..value_kinds import NOT_REPORTED, ColumnType, is_number
from .coerce import DASHES, Coerced, coerce

INDICATOR_COLUMN = ColumnDef(name="指标值", type=ColumnType.DECIMAL)


def coerce_indicator(d: IndicatorDef, raw, text: str | None = None) -> Coerced:
    table = units()
    src = str(d.convert.get("from") or d.unit)
    typed = text if text is not None else (raw if isinstance(raw, str) else None)
    if isinstance(typed, str) and typed.strip() not in DASHES:
        q = split_quantity(typed)
        if q is not None and table.knows(q[1]) and table.knows(d.unit):
            number, unit = q
            if not table.convertible(unit, d.unit):
                return Coerced(error=f"单位“{unit}”与指标的单位“{d.unit}”不符")
            return Coerced(_tidy(table.convert(Decimal(number), unit, d.unit)))
    result = coerce(INDICATOR_COLUMN, raw, text)
    if result.error or result.value is NOT_REPORTED or not is_number(result.value) or src == d.unit:
        return result
    return Coerced(_tidy(table.convert(Decimal(str(result.value)), src, d.unit)), result.warning)


def _tidy(v: Decimal):
    v = v.normalize()
    return int(v) if v == v.to_integral_value() else v


_TYPED = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(%|[:：]\s*(\d+(?:\.\d+)?))?$")


def typed_number(d: IndicatorDef, raw, text: str | None = None) -> tuple[Decimal, int] | None:
    """A computed value as someone typed it: '21.56' / '21.56%' → (21.56, 2); '16:1' → (16, 0);
    '180.2万元' in the indicator's unit. The second item is the number of decimals typed.
    None when it is not a number."""
    typed = text if text is not None else str(raw)
    s = unicodedata.normalize("NFKC", typed).strip().replace(",", "")
    m = _TYPED.match(s)
    if m:
        try:
            value = Decimal(m.group(1)) / (Decimal(m.group(3)) if m.group(3) else 1)
        except (InvalidOperation, ZeroDivisionError):
            return None
        return value, len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
    result = coerce_indicator(d, raw, text)
    if result.error or not is_number(result.value):
        return None
    value = Decimal(str(result.value))
    return value, max(0, -value.as_tuple().exponent)
