"""Which part of a report a block is, beyond the body of its sections: the 目录, the sign-off at the end, a
closing case written as a chapter, a table of indicators by year. Shared by `init --from` (adopt/), which
keeps such parts aside, and `pack new --outline` (packs/new.py), which leaves them out of a pack's chapters.
"""
from __future__ import annotations

import re

from .blocks import WCase, WHeading, WTable, WText, compact

ORG = r"(?:学院|学校|大学|中专|技校|集团|公司)"          # how an organisation's name ends
SCHOOL = re.compile(rf"^\S{{2,30}}{ORG}$")
DATE_LINE = re.compile(r"^[（(]?\s*(20\d\d)\s*年\s*(\d{1,2})\s*月(?:\s*\d{1,2}\s*日)?[^，。]{0,12}[）)]?$")
YEAR_COLUMN = re.compile(r"^(19|20)\d\d年?度?$")


def is_contents(heading: WHeading) -> bool:
    """A typed 目录 heading (its lines the reader has already set aside): the tool makes its own."""
    return re.sub(r"[\W_]+", "", heading.text) == "目录"


def sign_off(blocks: list) -> tuple[list, list]:
    """The body, and the sign-off at its end (the organisation's name, the date: the tool prints its own)."""
    end = len(blocks)
    while end > 0 and len(blocks) - end < 3:
        b = blocks[end - 1]
        text = compact(b.text) if isinstance(b, WText) else ""
        if not text or len(text) > 30 or not (DATE_LINE.match(text) or SCHOOL.match(text)):
            break
        end -= 1
    return blocks[:end], blocks[end:]


def case_chapters(blocks: list):
    """A "案例：标题" paragraph followed by chapter-level headings (一、背景) is a chapter of its own, the way
    a report closes with its case; typed without a heading style it was read as a case box."""
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(b, WCase) and not b.table and not b.blocks and isinstance(nxt, WHeading) and nxt.level <= 1:
            yield WHeading(1, f"案例：{b.title}", b.para)
        else:
            yield b


def is_indicator_table(t: WTable) -> bool:
    """指标 | 单位 | 2023年 | 2024年: a table the pack computes from indicators (附表, 质量数据表), not data to import."""
    return indicator_layout(t) is not None


def indicator_layout(t: WTable) -> tuple[int, int | None, dict[int, int]] | None:
    """An indicator table's 指标 column, its 单位 column (None without one) and its year of each year column."""
    if not t.table.rows:
        return None
    head = ["".join(c.text.split()) for c in t.table.rows[0]]
    years = {j: int(h[:4]) for j, h in enumerate(head) if YEAR_COLUMN.match(h)}
    name_col = next((j for j, h in enumerate(head) if "指标" in h), None)
    unit_col = next((j for j, h in enumerate(head) if h == "单位"), None)
    return (name_col, unit_col, years) if name_col is not None and years else None
