"""What `reportgen init` writes differently for packs beyond the 2024 frame.

report.yaml gets the school fields the pack declares (`school_fields`, e.g. 性质 / 举办者 / 办学地点
for the 中职 学校基本情况一览表, 会议地点 for a 职教集团 report), each with its help as a comment;
its `level` line names the pack's first level (or its wording's level_name) and disappears for
packs that have no levels at all.
"""
from __future__ import annotations

import re


def adapt_report(text: str, pack) -> str:
    fields = getattr(pack, "school_fields", {}) or {}
    if fields:
        lines = "".join(f"  {key}: 【{_short(help_)}】".ljust(30) + f"# {help_}\n" for key, help_ in fields.items())
        text = re.sub(r"(?m)^(  name: .*\n)", lambda m: m.group(1) + lines, text, count=1)
    level = _default_level(pack)
    if level is None:
        text = re.sub(r"(?m)^level: .*\n", "", text, count=1)
    else:
        text = re.sub(r"(?m)^level: \S+", f"level: {level}", text, count=1)
    return text


def _default_level(pack) -> str | None:
    levels = getattr(pack, "levels", {}) or {}
    if levels:
        key, aliases = next(iter(levels.items()))
        return aliases[0] if aliases else key
    wording = getattr(pack, "wording", {}) or {}
    name = (wording.get("*") or {}).get("level_name")
    return name or None


def _short(help_: str) -> str:
    return re.split(r"[，,（(]", help_, maxsplit=1)[0]
