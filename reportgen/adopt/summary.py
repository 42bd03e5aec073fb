"""What `init --from` did, as lines for the terminal: a table by chapter, the tables turned into data,
and the first of the numbers to review (all of them are in 去年的数字.md)."""
from __future__ import annotations

import unicodedata
from dataclasses import replace

from ..scaffold import plain_title
from ..load.review import HOW_TO_REVIEW, REVIEW_FILE
from . import REMAINDER_FILE, AdoptResult

SHOWN_NUMBERS = 20


def summary_lines(r: AdoptResult) -> list[str]:
    head = ["章节", "对应去年的标题", "小节(匹配/新增)", "表→数据", "表留在正文", "图", "案例", "待核数字"]
    rows = []
    for c in r.chapters:
        if "{" in c.title:                  # a templated title ({{ school.name }}质量数据表): as this year prints it
            c = replace(c, title=plain_title(c.title, r.year + 1 if r.year else None, r.school))
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
        lines.append(f"指标表 {generated} 张由 data/indicators.yaml 重新计算：其中 {r.indicator_values} 个原始指标的"
                     f"数值已按年度填入 data/indicators.yaml，表格原文保存在 {REMAINDER_FILE}")
    if r.fallback:
        lines.append(f"去年报告中没有一章的标题与模板包的章对上：全部正文按标题分节放入“{r.fallback}”，"
                     "请把各节移到合适的章（narrative/ 下的文件夹）")
    if r.chars_in:
        lost = r.chars_in - r.chars_kept
        lines.append(f"文字：读入 {r.chars_in} 字，项目中保留 {r.chars_kept} 字（{r.chars_kept / r.chars_in:.1%}）"
                     + (f"；有 {lost} 字未能保留，请对照去年的报告核对" if lost > r.chars_in // 100 else ""))
    if r.edition or r.year:
        read = (f"去年的报告没有封面，按正文中提到最多的年份推断为 {r.edition or '?'} 年度、数据为 {r.year or '?'} 年"
                if r.year_from_body else f"去年的报告为 {r.edition or '?'} 年度（封面），数据为 {r.year or '?'} 年")
        lines.append(f"年度：{read}；新项目设为 {r.edition + 1 if r.edition else '?'} 年度、"
                     f"数据 {r.year + 1 if r.year else '?'} 年（report.yaml 的 edition 与 year，请核对）")
    if r.unplaced:
        lines.append(f"封面、目录与落款等由工具生成，原文保存在 {REMAINDER_FILE}：" + "、".join(r.unplaced[:8])
                     + (f" 等 {len(r.unplaced)} 行" if len(r.unplaced) > 8 else ""))
    if r.tables:
        lines.append("")
        lines.append("转为数据的表：")
        for t in r.tables:
            lines.append(f"  data/tables/{t.table.id}.yaml  {len(t.rows)} 行  （{t.source}：{t.caption or t.table.id}）")
    if r.mappings:
        lines.append("表头与模板包不同、已按对应关系转为数据的表（对应关系写入 report.yaml 的 tables:，请核对）：")
        lines.extend(f"  {m}" for m in r.mappings)
    if r.kept_tables:
        lines.append("")
        lines.append("留在正文中的表：")
        lines.extend(f"  {k}" for k in r.kept_tables)
    if r.numbers:
        lines.append("")
        lines.append(f"去年的数字：正文中有 {len(r.numbers)} 处数字是去年的，计入待补充，须改为数据引用或更新；"
                     f"{HOW_TO_REVIEW}（完整清单见 {REVIEW_FILE}）：")
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
