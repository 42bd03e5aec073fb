"""Rows that identify things: a book number whose check digit is wrong, a row typed twice.

An ISBN column is one named ISBN or 书号 (or with such an alias); ISBN-10 and ISBN-13 check digits
are computed as ISO 2108 defines them. A row repeats another when every descriptive (non-number)
column holds the same text — the same platform, award or book listed twice.
"""
from __future__ import annotations

import re

from ..errors import Location, Problems

_SEPARATORS = re.compile(r"[-\s‐－]")
ISBN_WORD, REPEAT_WORD = "书号“", "是否重复填写"        # how check --final recognises these warnings


def is_identity_warning(message: str) -> bool:
    return message.startswith(ISBN_WORD) or REPEAT_WORD in message


def is_isbn_column(col) -> bool:
    return any("ISBN" in n.upper() or "书号" in n for n in (col.name, *col.aliases))


def isbn_problem(text: str) -> str | None:
    """Why `text` is not a valid ISBN (check digit), or None."""
    digits = _SEPARATORS.sub("", str(text)).upper()
    if re.fullmatch(r"\d{12}[\dX]", digits) and digits.endswith("X"):
        return f"书号“{text}”不是有效的 ISBN-13（末位不能是 X）"
    if re.fullmatch(r"\d{13}", digits):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        check = (10 - total % 10) % 10
        return None if int(digits[12]) == check else \
            f"书号“{text}”的校验位不对（按前 12 位应为 {check}），请核对是否抄错"
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
        check = (11 - total % 11) % 11
        want = "X" if check == 10 else str(check)
        return None if digits[9] == want else \
            f"书号“{text}”的校验位不对（按前 9 位应为 {want}），请核对是否抄错"
    return f"书号“{text}”不是 10 位或 13 位的 ISBN"


def check_isbns(tdef, rows: list[dict], locs: list[dict], problems: Problems) -> None:
    for col in tdef.columns:
        if not is_isbn_column(col) or col.numeric:
            continue
        for row, where in zip(rows, locs):
            value = row.get(col.name)
            if isinstance(value, str) and value.strip():
                why = isbn_problem(value.strip())
                if why:
                    problems.warning(why, where.get(col.name))


def check_duplicates(tdef, rows: list[dict], row_locs: list[Location], problems: Problems) -> None:
    keys = [c.name for c in tdef.columns if not c.numeric]
    if not keys:
        return
    first: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        key = tuple(str(row.get(k) or "").strip() for k in keys)
        if not any(key):
            continue
        if key in first:
            j = first[key]
            shown = "、".join(v for v in key if v)[:60]
            problems.warning(f"表 {tdef.id} 第 {i + 1} 行与第 {j + 1} 行（{row_locs[j]}）相同（{shown}），"
                             f"{REPEAT_WORD}？若确是两项，请在某一列写出区别", row_locs[i])
        else:
            first[key] = i
