"""Rows that identify things: a book number whose check digit is wrong, a row typed twice, a 序号 skipped.

An ISBN column is one named ISBN or 书号 (or with such an alias); ISBN-10 and ISBN-13 check digits
are computed as ISO 2108 defines them. A row repeats another when every descriptive (non-number)
column holds the same text — the same platform, award or book listed twice.

The tool numbers a table's rows itself, so a typed 序号 is never printed; but a person who typed 1, 2, 4
may have lost row 3, and 1, 2, 2 may be a row pasted twice: both are said, at the 序号 cell.
"""
from __future__ import annotations

import re

from ..errors import Location, Problems

_SEPARATORS = re.compile(r"[-\s‐－]")
ISBN_WORD, REPEAT_WORD, SERIAL_WORD = "书号“", "是否重复填写", "填写的序号"   # how check --final recognises these
_WHOLE_NUMBER = re.compile(r"\d{1,5}(?:\.0+)?")
_SERIAL_NOTE = "（初稿中的序号由工具按行重新编排，这里只提醒核对行数）"


def is_identity_warning(message: str) -> bool:
    return message.startswith((ISBN_WORD, SERIAL_WORD)) or REPEAT_WORD in message


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


def check_duplicates(tdef, name: str, rows: list[dict], row_locs: list[Location], problems: Problems) -> None:
    """Two rows alike in every text column: said once per repeat, the table named as printed (`name`)."""
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
            problems.warning(f"{name}第 {i + 1} 行与第 {j + 1} 行（{row_locs[j]}）相同（{shown}），"
                             f"{REPEAT_WORD}？若确是两项，请在某一列写出区别", row_locs[i])
        else:
            first[key] = i


def check_serials(rows: list, problems: Problems) -> None:
    """A typed 序号 column (RawRow.serial) with a number skipped or repeated. Rows with no 序号, or one that is
    not a whole number ("一", "1-1"), are left alone: the column is only a hint of how many rows there were."""
    typed = [(int(float(m.group(0))), row.serial) for row in rows if row.serial is not None
             for m in [_WHOLE_NUMBER.fullmatch(str(row.serial.raw).strip())] if m]
    if len(typed) < 2:
        return
    seen: dict[int, object] = {}
    for n, cell in typed:
        if n in seen:
            problems.warning(f"{SERIAL_WORD} {n} 重复（{seen[n].loc} 也是 {n}）：是否同一行填了两次？"
                             + _SERIAL_NOTE, cell.loc)
        seen.setdefault(n, cell)
    for first, last in _runs(sorted(set(range(1, max(seen) + 1)) - set(seen))):
        missing = str(first) if first == last else f"{first}–{last}"
        where = f"从 {first - 1} 跳到了 {last + 1}" if first > 1 else f"从 {last + 1} 开始"
        problems.warning(f"{SERIAL_WORD}{where}（缺少 {missing}）：是否漏了一行？" + _SERIAL_NOTE, seen[last + 1].loc)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 7] → [(3, 4), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
