"""Blocks and template functions for frames other than the 2024 annual report.

- `keyvalue([...], title)` → a `::: keyvalue 标题` container → a KeyValue block (学校基本情况一览表);
- `::: salutation` / `::: signature` / `::: centered` / `::: note` / `::: title` / `::: subtitle`
  containers give their paragraphs that paragraph style (a 职教集团 work report's title lines when it
  has no cover, its 称呼 and 落款);
- `count_by(table, column)` counts rows per value of a column (成员单位 by 类型), in the order of
  the column's choices;
- chapter options: `lead_numbers` numbers bold lead sentences 1. 2. … under each heading,
  `toc_levels` limits which of a chapter's headings the 目录 lists.
"""
from __future__ import annotations

import re

from ..doc.model import Block, Heading, KeyValue, Paragraph, Placeholder, Text
from ..errors import Location, Problems
from ..pack import level_key

STYLE_CONTAINERS = ("salutation", "signature", "centered", "note", "title", "subtitle")
CONTAINERS = ("keyvalue",) + STYLE_CONTAINERS
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|{}])")
_NUMBERED_LEAD = re.compile(r"^\s*\d+\s*[.．、]")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def keyvalue(items, title: str = "") -> str:
    """Markup for a key–value block; an empty value becomes a 【待补充】 mark."""
    pairs = items.items() if isinstance(items, dict) else items
    lines = []
    for pair in pairs:
        key, value = pair
        text = str(value).strip() if value not in (None, "") else f"【待补充：{key}】"
        lines.append(f"{_md(key)}：{_md(text)}")
    return f"\n\n::: keyvalue {title}\n" + "\n\n".join(lines) + "\n:::\n\n"


def container_blocks(kind: str, arg: str, inner: list[Block], loc: Location, problems: Problems) -> list[Block]:
    """Blocks for one of this module's containers (markdown.py hands them over)."""
    if kind == "keyvalue":
        items = []
        for b in inner:
            if not isinstance(b, Paragraph):
                continue
            text = "".join(x.text for x in b.inlines)
            key, sep, value = text.partition("：")
            if not sep:
                key, sep, value = text.partition(":")
            if not sep:
                problems.error(f"键值块中的“{text[:20]}”应写作“项目：内容”", loc)
                continue
            items.append((key.strip(), value.strip()))
        out: list[Block] = [Paragraph([Text(arg, bold=True)], style="centered")] if arg else []
        return out + [KeyValue(items)]
    for b in inner:
        if isinstance(b, Paragraph):
            b.style = kind
    return inner


def count_by(aggregates, tid: str, column: str) -> list[tuple[str, int]]:
    """(value, number of rows) for every value of `column`: the column's choices first, in order."""
    t = aggregates.table(tid)
    aggregates.count(tid, **{column: ""})          # checks that the column exists, with suggestions
    col = t.definition.column(column)
    counts: dict[str, int] = {str(c): 0 for c in (col.choices if col is not None else ())}
    for r in t.rows:
        v = r.get(column)
        if v is not None and str(v) != "":
            counts[str(v)] = counts.get(str(v), 0) + 1
    return list(counts.items())


def number_leads(blocks: list[Block]) -> None:
    """'**集团运行机制持续完善。**…' → '**1. 集团运行机制持续完善。**…', restarting under every heading."""
    n = 0
    for b in blocks:
        if isinstance(b, Heading):
            n = 0
        elif isinstance(b, Paragraph) and b.style == "body" and b.inlines and isinstance(b.inlines[0], Text) \
                and b.inlines[0].bold and not isinstance(b.inlines[0], Placeholder):
            first = b.inlines[0]
            if _NUMBERED_LEAD.match(first.text):
                continue
            n += 1
            b.inlines[0] = Text(f"{n}. {first.text.lstrip()}", True, first.italic)


def limit_toc(blocks: list[Block], levels: int | None) -> None:
    if levels is None:
        return
    for b in blocks:
        if isinstance(b, Heading) and b.level > levels:
            b.in_toc = False


def extra_context(ds, aggregates, problems: Problems) -> dict:
    """Template names added for packs beyond the 2024 frame; the level picks appendix tables and wording.

    `level` in report.yaml is free text (高等职业, 中职 …); the pack's `levels` map names it a key
    (高职, 中职), `wording.<key>` gives words templates use ({{ level_name }}, {{ wording.… }}), and an
    appendix table with `levels: [中职]` is listed by appendix_tables() for that level only."""
    pack, cfg = ds.pack, ds.config
    levels = getattr(pack, "levels", {}) or {}
    key = level_key(levels, cfg.get("level"))
    if cfg.get("level") and levels and key is None:
        problems.warning(f"办学层次“{cfg['level']}”不在模板包 {pack.name} 的 levels 中（可用："
                         f"{'、'.join(a for k, v in levels.items() for a in (k, *v))}），附表按全部层次列出",
                         Location("report.yaml"))
    wording = {**pack.wording.get("*", {}), **pack.wording.get(key or "", {})}
    return {
        "keyvalue": keyvalue,
        "count_by": lambda tid, column: count_by(aggregates, tid, column),
        "title": cfg.get("title", ""),
        "level_key": key or "",
        "level_name": wording.get("level_name") or cfg.get("level", ""),
        "wording": wording,
        "appendix_tables": lambda: [a.id for a in pack.appendix if not key or not a.levels or key in a.levels],
    }
