"""What `init --from` did, as lines for the terminal: a table by chapter, the tables turned into data,
and the first of the numbers to review (all of them are in 去年的数字.md)."""
from __future__ import annotations

import unicodedata
from dataclasses import replace

from . import REVIEW_FILE, AdoptResult

SHOWN_NUMBERS = 20


def summary_lines(r: AdoptResult) -> list[str]:
    head = ["章节", "对应去年的标题", "小节(匹配/新增)", "表→数据", "表留在正文", "图", "案例", "待核数字"]
    rows = []
    for c in r.chapters:
        if "{" in c.title:                  # a templated title ({{ school.name }}质量数据表): as last year printed it
            c = replace(c, title=c.matched_from or c.title)
        if c.skipped:
            rows.append([c.title, c.matched_from, "由数据生成，未导入", "", "", "", "", ""])
        elif not c.matched_from:
            rows.append([c.title, "（未找到）", "-", "", "", "", "", ""])
        else:
            rows.append([c.title, c.matched_from, f"{c.sections_matched}/{c.sections_kept}", str(c.tables),
                         str(c.narrative_tables), str(c.figures), str(c.cases), str(c.numbers)])
    total = lambda attr: str(sum(getattr(c, attr) for c in r.chapters))   # noqa: E731
    rows.append(["合计", "", "", total("tables"), total("narrative_tables"), total("figures"), total("cases"),
                 str(len(r.numbers))])
    lines = _grid([head] + rows)
    generated = sum(c.generated_tables for c in r.chapters)
    if generated:
        lines.append(f"由指标生成的数据表 {generated} 张未导入（构建时由 data/indicators.yaml 重新计算）")
    if r.unplaced:
        lines.append("未导入（封面、目录等）：" + "、".join(r.unplaced))
    if r.tables:
        lines.append("")
        lines.append("转为数据的表：")
        for t in r.tables:
            lines.append(f"  data/tables/{t.table.id}.yaml  {len(t.rows)} 行  （{t.source}：{t.caption or t.table.id}）")
    if r.numbers:
        lines.append("")
        lines.append(f"去年的数字：正文中有 {len(r.numbers)} 处数字是去年的，须改为数据引用或更新"
                     f"（完整清单见 {REVIEW_FILE}）：")
        for n in r.numbers[:SHOWN_NUMBERS]:
            lines.append(f"  {n.location}：{n.text}  …{n.context}…")
        if len(r.numbers) > SHOWN_NUMBERS:
            lines.append(f"  ……另有 {len(r.numbers) - SHOWN_NUMBERS} 处")
    return lines


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[j]) for r in rows) for j in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r, widths)).rstrip() for r in rows]
