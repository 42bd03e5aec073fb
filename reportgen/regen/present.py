"""Changes as people read them: console lines, or the change log as a document model (.docx, or Markdown
through write/markdown.py)."""
from __future__ import annotations

import difflib

from ..doc.model import Cell, Column, Document, Heading, Paragraph, Table, Text
from .changes import Changes

NO_BASELINE = "没有上次构建的记录，无法比较（这是首次构建；此后每次构建都会列出与上次相比的变化）。"
NOTHING = "与上次构建相比没有变化。"


def edits(before: list[str], after: list[str], context: int = 12) -> list[str]:
    """One changed passage as short fragments: "…在校生【16238 → 16500】人。…"; whole lines when rewritten."""
    if len(before) == len(after):
        pairs = list(zip(before, after))
        if all(difflib.SequenceMatcher(None, o, n, autojunk=False).ratio() >= 0.5 for o, n in pairs):
            return [f for o, n in pairs for f in _fragments(o, n, context)]
    return [f"原：{x}" for x in before] + [f"改为：{x}" for x in after]


def _fragments(old: str, new: str, context: int) -> list[str]:
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    groups: list[list[int]] = []           # [i1, i2, j1, j2]: nearby edits read as one
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if groups and i1 - groups[-1][1] <= 3:
            groups[-1][1], groups[-1][3] = i2, j2
        else:
            groups.append([i1, i2, j1, j2])
    out = []
    for i1, i2, j1, j2 in groups:
        # whole numbers, not digits: 16【3 → 4】00 reads as 【16300 → 16400】
        while i1 > 0 and j1 > 0 and _in_number(old[i1 - 1]) and old[i1 - 1] == new[j1 - 1]:
            i1, j1 = i1 - 1, j1 - 1
        while i2 < len(old) and j2 < len(new) and _in_number(old[i2]) and old[i2] == new[j2]:
            i2, j2 = i2 + 1, j2 + 1
        text = ("…" if i1 > context else "") + old[max(0, i1 - context):i1]
        text += f"【{old[i1:i2] or '（无）'} → {new[j1:j2] or '（删去）'}】"
        text += old[i2:i2 + context] + ("…" if i2 + context < len(old) else "")
        out.append(text)
    return out


def _in_number(ch: str) -> bool:
    return ch.isdigit() or ch in ".:%,"


def _limit(items: list[str], n: int) -> list[str]:
    return items if len(items) <= n else items[:n] + [f"……等共 {len(items)} 项"]


BROWSER_PART = "网页上的修改（部门链接）"


def console_lines(ch: Changes, max_items: int = 8) -> list[str]:
    """The change summary printed after a build or by `reportgen diff`."""
    out = absorbed_lines(ch)
    if not ch.baseline:
        return out + [NO_BASELINE]
    if ch.empty:
        return [NOTHING]
    out.append("与上次构建相比：")
    if ch.departments:
        out.append("  交回材料的部门：" + "、".join(ch.departments))
    if ch.browser:
        out.append(f"  {BROWSER_PART}：{len(ch.browser)} 行（详见修改说明）")
    if ch.tool:
        out.append(f"  reportgen：{ch.tool}")
    for label, files in (("修改的文件", ch.inputs_modified), ("新增的文件", ch.inputs_added),
                         ("删除的文件", ch.inputs_removed)):
        if files:
            out.append(f"  {label}：" + "、".join(_limit(files, max_items)))
    if not ch.content_changed:
        out.append("  报告内容没有变化。" if ch.inputs_changed else "  报告内容没有变化（程序更新不影响正文与数据）。")
        return out
    if ch.raw:
        out.append("  指标：")
        out += [_indicator_line(c) for c in ch.raw]
    if ch.derived:
        out.append("  随之变化的计算指标：")
        out += [_indicator_line(c) for c in ch.derived]
    if ch.tables:
        out.append("  明细表：")
        for t in ch.tables:
            out.append(f"    {t.title}（{t.id}）：" + "；".join(_table_facts(t)))
            out += [f"      新增：{r}" for r in _limit(t.added, 3)]
            out += [f"      删除：{r}" for r in _limit(t.removed, 3)]
            out += [f"      修改：{r}" for r in _limit(t.changed, 3)]
    if ch.sections_changed:
        out.append(f"  正文有变化的小节（{len(ch.sections_changed)} 个）：")
        for s in ch.sections_changed:
            found = [f for before, after in s.hunks for f in edits(before, after)]
            first = _md(found[0]) if found else ""
            first = first if len(first) <= 60 else first[:59] + "…"
            more = f"（等 {len(found)} 处）" if len(found) > 1 else ""
            out.append(f"    {s.title}" + (f"：{first}{more}" if first else ""))
    if ch.sections_added:
        out.append("  新增的小节：" + "、".join(ch.sections_added))
    if ch.sections_removed:
        out.append("  删除的小节：" + "、".join(ch.sections_removed))
    if ch.placeholders_filled:
        out.append(f"  已填补的待补充（{len(ch.placeholders_filled)} 处）：")
        out += [f"    {s}：{t}" for s, t in ch.placeholders_filled]
    if ch.placeholders_added:
        out.append(f"  新出现的待补充（{len(ch.placeholders_added)} 处）：")
        out += [f"    {s}：{t}" for s, t in ch.placeholders_added]
    return out


def absorbed_lines(ch: Changes) -> list[str]:
    """What `reportgen absorb` wrote into the sources since the last build (the review's edits)."""
    out = []
    for a in ch.absorbed:
        out.append(f"收回的修改（reportgen absorb，{a.at} 收回 {a.file}，写入 {'、'.join(a.written)}）：")
        out += [f"  · {line}" for line in a.taken]
        if a.conflicts:
            out.append(f"  另有 {a.conflicts} 处数字冲突未写入（见当时 absorb 的列表）")
    return out


def _indicator_line(c) -> str:
    return f"    {c.name}（{c.year}年）：{c.old} → {c.new}" + (f"（{c.note}）" if c.note else "")


def _table_facts(t) -> list[str]:
    facts = [f"{t.old_count} 行 → {t.new_count} 行" if t.old_count != t.new_count else f"{t.new_count} 行"]
    for label, rows in (("新增", t.added), ("删除", t.removed), ("修改", t.changed)):
        if rows:
            facts.append(f"{label} {len(rows)} 行")
    facts += [f"合计 {c} {o} → {n}" for c, o, n in t.totals]
    return facts


# ---------------------------------------------------------------- the change log (--changes FILE)
def _md(text: str) -> str:
    return text.replace("\t", " ｜ ")


def changes_document(ch: Changes, title: str, meta: list[tuple[str, str]], typography=None) -> Document:
    blocks: list = [Heading(1, "", title, in_toc=False)]
    blocks += [Paragraph([Text(f"{k}：", bold=True), Text(v)]) for k, v in meta]
    n_tables = 0
    browser = [(BROWSER_PART, [("list", ch.browser)])] if ch.browser else []
    for heading, body in list(_parts(ch)) + browser:
        blocks.append(Heading(2, "", heading, in_toc=False))
        for kind, content in body:
            if kind == "p":
                blocks.append(Paragraph([Text(_md(content))]))
            elif kind == "h":
                blocks.append(Heading(3, "", content, in_toc=False))
            elif kind == "list":
                blocks += [Paragraph([Text(_md(x))]) for x in content]
            elif kind == "table":
                header, rows = content
                n_tables += 1
                blocks.append(Table(label=f"表 {n_tables}", title=heading,
                                    columns=[Column(h, 3 if i == 0 else 2) for i, h in enumerate(header)],
                                    rows=[[Cell(_md(c)) for c in r] for r in rows]))
    doc = Document(cover=None, blocks=blocks, properties={"title": title, "subject": "修改说明"})
    if typography is not None:
        doc.typography = typography
    return doc


def _parts(ch: Changes) -> list[tuple[str, list]]:
    """The change log's parts: (heading, [(kind, content)]), made into blocks by changes_document."""
    parts = [_absorbed_part(ch)] if ch.absorbed else []
    if not ch.baseline:
        return parts + [("说明", [("p", NO_BASELINE)])]
    if ch.empty:
        return [("说明", [("p", NOTHING)])]
    if ch.departments:
        parts.append(("交回材料的部门", [("p", "以下部门交回的材料带来了本次的变化：" + "、".join(ch.departments))]))
    if ch.inputs_changed or ch.tool:
        body = []
        for label, files in (("修改", ch.inputs_modified), ("新增", ch.inputs_added), ("删除", ch.inputs_removed)):
            body += [f"{label}：{f}" for f in files]
        if ch.tool:
            body.append(f"reportgen：{ch.tool}")
        parts.append(("数据与正文文件", [("list", body)]))
    if not ch.content_changed:
        parts.append(("说明", [("p", "报告内容没有变化。")]))
        return parts
    if ch.indicators:
        rows = [[c.name, f"{c.year}年", c.old, c.new + (f"（{c.note}）" if c.note else ""),
                 "计算指标" if c.derived else "原始数据"] for c in ch.indicators]
        parts.append(("指标", [("p", "原始数据的改动及由此变化的计算指标（生师比、比例、生均值等）："),
                               ("table", (["指标", "年度", "上次", "本次", "类别"], rows))]))
    if ch.tables:
        body = []
        for t in ch.tables:
            body.append(("h", f"{t.title}（{t.id}）"))
            facts = [f"行数：{t.old_count} → {t.new_count}" if t.old_count != t.new_count else f"行数：{t.new_count}"]
            facts += [f"合计 {c}：{o} → {n}" for c, o, n in t.totals]
            facts += [f"新增：{r}" for r in t.added] + [f"删除：{r}" for r in t.removed]
            facts += [f"修改：{r}" for r in t.changed]
            body.append(("list", facts))
        parts.append(("明细表", body))
    if ch.sections_changed or ch.sections_added or ch.sections_removed:
        body = []
        if ch.sections_added:
            body.append(("list", [f"新增小节：{s}" for s in ch.sections_added]))
        if ch.sections_removed:
            body.append(("list", [f"删除小节：{s}" for s in ch.sections_removed]))
        for s in ch.sections_changed:
            body.append(("h", s.title))
            items = []
            for before, after in s.hunks:
                items += edits(before, after)
            body.append(("list", items))
        parts.append(("正文", body))
    if ch.placeholders_filled or ch.placeholders_added:
        body = []
        if ch.placeholders_filled:
            body.append(("list", [f"已填补（{s}）：{t}" for s, t in ch.placeholders_filled]))
        if ch.placeholders_added:
            body.append(("list", [f"新出现（{s}）：{t}" for s, t in ch.placeholders_added]))
        parts.append(("待补充", body))
    return parts


def _absorbed_part(ch: Changes) -> tuple[str, list]:
    body: list = [("p", "以下修改是审阅者在 Word/WPS 中改过的初稿经 reportgen absorb 写回源文件的：")]
    for a in ch.absorbed:
        body.append(("h", f"{a.at} 收回 {a.file}"))
        items = [f"写入：{'、'.join(a.written)}"] + a.taken
        if a.conflicts:
            items.append(f"另有 {a.conflicts} 处数字冲突未写入（见当时 absorb 的列表，returns/{a.at}/收回清单.txt）")
        body.append(("list", items))
    return "收回的审阅修改", body


# ---------------------------------------------------------------- build and diff messages
def draft_line(result) -> str:
    if result is None:
        return ""
    if result.written:
        return f"已生成：{result.path}"
    return f"初稿已是最新，未改写：{result.path}"


def rebuild_lines(result) -> list[str]:
    """After the build summary: a protected draft, then what changed since the last build."""
    out = list(result.notes)
    if result.protected:
        out.append(f"注意：{result.protected}")
        if result.written:
            out.append(f"  新初稿另存为：{result.path}")
        else:
            out.append(f"  新初稿与此前另存的 {result.path.name} 相同，未再另存。")
        project = result.target.parent.parent if result.target.parent.name == "build" else "项目文件夹"
        out.append("  要把其中的修改收回项目（文字写回正文源文件，数字改动列为冲突），可运行："
                   f"reportgen absorb \"{project}\" \"{result.target}\"")
        out.append("  如确认不需要保留原文件中的修改，可加 --force 覆盖。")
    return out + console_lines(result.changes)


def diff_lines(result) -> list[str]:
    out = console_lines(result.changes)
    if result.status == "edited":
        out.append(f"注意：{result.target.name} 在上次构建之后被修改过（可能已在 Word/WPS 中编辑）；"
                   f"下次构建会把新初稿另存在旁边，不会覆盖它（加 --force 则覆盖）。")
    elif result.status == "unknown":
        out.append(f"注意：{result.target.name} 已存在，但没有上次构建的记录；下次构建会把新初稿另存在旁边。")
    return out
