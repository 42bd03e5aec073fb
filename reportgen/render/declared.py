"""What a project declares about its tables in report.yaml (render prints accordingly, check --final lists it):

    none_this_year: [innovation_awards]     # 本年度确实没有：表印“本年度无”，正文的 count() 为 0
    leave_out: [student_feedback, 附表 id]   # 没有数据、不印的明细表或附表

An entry names a table by its id or by its title as printed (the year left out is fine).
"""
from __future__ import annotations

import re

NONE_THIS_YEAR, LEAVE_OUT = "none_this_year", "leave_out"
NONE_TEXT = "本年度无"
_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_YEARS = re.compile(r"(?:19|20)\d\d\s*年度?|\s")


def declared(config: dict, key: str, pack) -> dict[str, str]:
    """id → the entry that named it, for tables and appendix tables."""
    names = {t.id: t.title for t in pack.tables.values()} | {a.id: a.title for a in pack.appendix}
    by_title = {_plain(title): tid for tid, title in names.items()}
    out = {}
    for entry in config.get(key) or []:
        entry = str(entry).strip()
        tid = entry if entry in names else by_title.get(_plain(entry))
        if tid is not None:
            out[tid] = entry
    return out


def unknown(config: dict, key: str, pack) -> list[str]:
    found = set(declared(config, key, pack).values())
    return [str(e) for e in config.get(key) or [] if str(e).strip() not in found]


def unknown_message(key: str, name: str) -> str:
    return f"{key} 中的“{name}”不是模板包中的明细表或附表（应为表的 id 或表题），该项没有作用"


def _plain(title: str) -> str:
    return _YEARS.sub("", _EXPR.sub("", title))
