"""Turn one typed cell (from YAML or a workbook) into a value of its column's type.

Shared by the YAML and workbook paths so both accept and reject the same things. Returns the
value plus a warning (normalised, e.g. "1,234" → 1234) or an error message; pure.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..value_kinds import NOT_REPORTED, ColumnType, Unreadable, unreasonable

DASHES = {"-", "－", "—", "–", "/"}
_UNIT_SUFFIX = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(人次|人日|人|个|项|门|部|册|元|万元|次|课时|学时|本|件|家|所|名|位|%|％)$")
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:月)?(?:\s*[.\-/]?\s*\d{1,2}\s*日?)?$"),
]
_YEAR_ONLY = re.compile(r"^(\d{4})\s*年?$")


class Coerced:
    __slots__ = ("value", "warning", "error", "unlisted")

    def __init__(self, value=None, warning: str | None = None, error: str | None = None, unlisted: bool = False):
        self.value, self.warning, self.error = value, warning, error
        self.unlisted = unlisted      # kept although not among the column's usual values: one warning per value


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def coerce(column, raw, raw_text: str | None = None) -> Coerced:
    """`raw` is what the reader produced (YAML scalar or cell value); `raw_text` the text as typed."""
    text = raw_text if raw_text is not None else (raw if isinstance(raw, str) else None)
    if isinstance(raw, Unreadable):
        return Coerced(error=raw.reason)
    if isinstance(raw, str) and raw.strip() in DASHES:
        return Coerced(NOT_REPORTED)
    kind = column.type
    if kind is ColumnType.INTEGER:
        return _number(column, raw, text, integer=True)
    if kind is ColumnType.DECIMAL:
        return _number(column, raw, text, integer=False)
    if kind is ColumnType.DATE:
        return _date(raw, text)
    value = (text if text is not None else _plain_text(raw)).strip()
    if kind is ColumnType.ENUM and value not in column.choices:
        return _enum_error(column, value)
    if column.pattern and not re.match(column.pattern, value):
        return Coerced(value, error=f"“{value}”格式不正确" + (f"（{column.help}）" if column.help else ""))
    return Coerced(value)


def _plain_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.strftime("%Y.%m.%d")
    return str(raw)


def _enum_error(column, value: str) -> Coerced:
    normal = unicodedata.normalize("NFKC", value).replace(" ", "")
    for choice in column.choices:
        if unicodedata.normalize("NFKC", choice) == normal:
            return Coerced(choice, warning=f"“{value}”已按“{choice}”处理")
    # a hint only where the pack says what a value usually means: similar words are often different
    # things (优胜杯 is not 优胜奖)
    meant = dict(column.value_aliases).get(value) or dict(column.value_aliases).get(normal)
    hint = f"，是否应为“{meant}”？" if meant else ""
    listed = "、".join(column.choices)
    if column.strict:     # a count, chart or check groups by this column: an unknown value would be lost
        return Coerced(value, error=f"“{value}”不是可选值（可选：{listed}）{hint}")
    return Coerced(value, warning=f"“{value}”不在常用值中（常用值：{listed}）{hint or '，已按填写的内容使用'}",
                   unlisted=True)


def _number(column, raw, text, integer: bool) -> Coerced:
    what = "整数" if integer else "数字"
    warning = None
    if isinstance(raw, bool):
        return Coerced(error=f"应为{what}，实际为“{raw}”")
    if isinstance(raw, (int, float, Decimal)):
        value = Decimal(text.strip()) if text and _is_plain_number(text) else Decimal(str(raw))
    elif isinstance(raw, str):
        value, warning = _parse_number_text(raw)
        if value is None:
            return Coerced(error=f"应为{what}，实际为“{_clip(raw.strip())}”")
    else:
        return Coerced(error=f"应为{what}，实际为“{raw}”")
    problem = unreasonable(value)
    if problem:
        return Coerced(error=problem)
    if integer:
        if value != value.to_integral_value():
            return Coerced(error=f"应为整数，实际为“{_fmt(value)}”")
        value = int(value)
    problem = _range(column, value)
    if problem:
        return Coerced(value, error=problem)
    return Coerced(value, warning=warning)


def _is_plain_number(text: str) -> bool:
    return re.fullmatch(r"\s*[+-]?\d+(\.\d+)?\s*", text) is not None


def _parse_number_text(raw: str):
    """Accept the unambiguous ways people type numbers; say what was normalised."""
    s = raw.strip()
    notes = []
    nfkc = unicodedata.normalize("NFKC", s)
    if nfkc != s:
        notes.append("全角字符已转为半角")
        s = nfkc
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
        notes.append("已去掉千分位逗号")
    m = _UNIT_SUFFIX.match(s)
    if m:
        s = m.group(1)
        notes.append("已去掉单位")
    if not _is_plain_number(s):
        return None, None
    if len(s) > 100:
        return None, None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None, None
    return value, (f"“{raw.strip()}”已按 {s} 处理（{'，'.join(notes)}）" if notes else None)


def _range(column, value) -> str | None:
    if column.min is not None and value < Decimal(str(column.min)):
        return f"数值 {_fmt(value)} 小于允许的最小值 {_fmt(column.min)}"
    if column.max is not None and value > Decimal(str(column.max)):
        return f"数值 {_fmt(value)} 大于允许的最大值 {_fmt(column.max)}"
    return None


def _date(raw, text) -> Coerced:
    if isinstance(raw, (dt.datetime, dt.date)):
        return Coerced(f"{raw.year}.{raw.month:02d}")
    if isinstance(raw, float) and text is None and re.fullmatch(r"\d{4}\.1", repr(raw)):
        # a workbook number: Excel stores a typed 2023.10 as 2023.1, so the month is lost
        return Coerced(error=f"“{raw!r}”无法确定是 1 月还是 10 月（Excel 把 2023.10 存成了数字 2023.1），"
                             "请改填为“2023年10月”这样的文字")
    s = unicodedata.normalize("NFKC", (text if text is not None else str(raw)).strip())
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m and 1 <= int(m.group(2)) <= 12:
            return Coerced(f"{m.group(1)}.{int(m.group(2)):02d}")
    m = _YEAR_ONLY.match(s)
    if m:
        return Coerced(m.group(1))
    return Coerced(error=f"应为年月（如 2024.05 或 2024年5月），实际为“{s}”")


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _fmt(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)
