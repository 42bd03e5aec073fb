"""`reportgen pack new`: start a pack from another (`--from`) or from a frame document (`--outline`).

A frame is the Word outline a province or a notice sends each year: chapters and sections as headings,
guidance under them, and the tables to fill in (a caption and a header row). Read through the same Word
reader as a project's sections (`load.word.read_blocks`): the top heading level found is a chapter, the
next a section, the text under a heading its writing hint, each table a detail table whose columns are
its header cells. With `--extends`, chapters, sections and tables matching the base pack's keep their ids
and definitions (the new pack overrides only what differs). What the document cannot say — a new
column's kind, which column tells the rows apart, a chapter's id — is listed for the pack's author.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Location, Problems, UsageError
from ..fileio import write_bytes_atomic
from ..load.word import WHeading, WTable, WText, read_blocks
from ..pack import Pack, TableDef
from .find import find_pack
from .load import load_pack

NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+(?:\.\d+)*\s*[、.．\s])\s*")
CAPTION_NUMBER = re.compile(r"^\s*(?:附?表\s*[\d一二三四五六七八九十]+(?:[-－—]\d+)?)\s*[　\s:：.]*")
UNIT = re.compile(r"^(.*?)[（(]([^（）()]{1,6})[）)]$")
ROW_NUMBER_HEADERS = {"序号", "编号", "序"}
# chapters a report does not number (the Word reader drops a typed "一、" from a heading's text)
UNNUMBERED = ("前言", "序言", "引言", "结语", "结束语", "附表", "附件", "附录")
PACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHAPTER_TEMPLATE = """{# 通用章节模板：章标题 + 在 narrative/<章节 id>/ 下撰写的各小节。 #}
# {{ chapter.title }}

{{ narrative(chapter.id) }}
"""


@dataclass
class Section:
    title: str
    hint: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


@dataclass
class Chapter:
    title: str
    numbered: bool
    guidance: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class NewPack:
    folder: Path
    files: dict[str, str]
    undecided: list[str]


def new_from(name: str, base: str, folder: Path) -> NewPack:
    """A pack that extends `base` and changes nothing yet: the place to write what differs."""
    parent = load_pack(find_pack(base))
    text = (f"# 模板包 {name}：以 {parent.name} 为基础，只写与它不同的部分（章节按 id 合并，表和指标按名称替换）。\n"
            f"# 可覆盖的设置与写法见 docs/packs.md；reportgen pack show {folder} 显示生效的结构及每一项的来源。\n"
            + _dump({"name": name, "version": "0.1.0", "description": f"以 {parent.name} 为基础：{parent.description}",
                     "requires": ">=0.1", "extends": parent.name}))
    return _write(folder, {"pack.yaml": text}, [])


def new_from_outline(name: str, frame: Path, folder: Path, base_name: str | None = None) -> NewPack:
    problems = Problems()
    blocks = read_blocks(frame, problems, frame.name)
    base = load_pack(find_pack(base_name)) if base_name else None
    chapters, tables, undecided = _read_frame(blocks, frame.name)
    if not chapters:
        raise UsageError("框架文档中没有找到标题（章、节应使用 Word 的标题样式或“一、”“（一）”编号）",
                         Location(frame.name))
    table_defs, table_ids, undecided_tables = _tables(tables, base)
    spec = _spec(name, chapters, table_ids, base, undecided)
    files = {"pack.yaml": _header(name, frame, base) + _dump(spec)}
    if table_defs:
        files["tables.yaml"] = "# 明细表：由框架文档中各表的表题和表头生成；列的类型请逐一确认（见 pack new 的提示）。\n" \
                               + _dump(table_defs)
    if base is None:
        files["chapters/chapter.md.j2"] = CHAPTER_TEMPLATE
    undecided += undecided_tables + [str(w) for w in problems.warnings]
    return _write(folder, files, undecided)


# ---------------------------------------------------------------- reading the frame
def _read_frame(blocks: list, label: str) -> tuple[list[Chapter], list[tuple[WTable, Section]], list[str]]:
    levels = sorted({b.level for b in blocks if isinstance(b, WHeading)})
    chapter_level, section_level = (levels + [None, None])[:2]
    chapters: list[Chapter] = []
    tables: list[tuple[WTable, Section]] = []
    undecided: list[str] = []
    for b in blocks:
        if isinstance(b, WHeading) and b.level == chapter_level:
            title = _title(b.text)
            chapters.append(Chapter(title, not title.startswith(UNNUMBERED)))
        elif isinstance(b, WHeading) and b.level == section_level and chapters:
            chapters[-1].sections.append(Section(_title(b.text)))
        elif not chapters:
            continue                        # a cover, a notice's preamble: before the first chapter
        elif isinstance(b, WText) and b.text.strip():
            where = chapters[-1].sections[-1].hint if chapters[-1].sections else chapters[-1].guidance
            where.append(b.text.strip())
        elif isinstance(b, WTable):
            if not chapters[-1].sections:       # a table right under a chapter: its untitled first section
                chapters[-1].sections.append(Section("", list(chapters[-1].guidance)))
                chapters[-1].guidance.clear()
            tables.append((b, chapters[-1].sections[-1]))
    for ch in chapters:
        if ch.guidance and not ch.sections:     # a chapter with guidance only: one untitled section writes it
            ch.sections.append(Section("", ch.guidance))
        elif ch.guidance:
            undecided.append(f"章“{ch.title}”标题下、第一节之前的说明未放入任何小节的提示：{_short(' '.join(ch.guidance))}")
    return chapters, tables, undecided


def _title(text: str) -> str:
    return NUMBER.sub("", text.strip(), count=1).strip()


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "……"


# ---------------------------------------------------------------- tables
def _tables(found: list[tuple[WTable, Section]], base: Pack | None) -> tuple[dict, dict[int, str], list[str]]:
    defs, ids, undecided = {}, {}, []
    for n, (t, section) in enumerate(found, start=1):
        title = CAPTION_NUMBER.sub("", t.caption or "").strip()
        columns = _columns(t)
        kept = _matching(base, title, [c["name"] for c in columns]) if base else None
        tid = kept.id if kept else f"table_{n}"
        ids[id(t)] = tid
        section.tables.append(tid)
        if kept:
            continue
        if not title:
            undecided.append(f"第 {n} 张表（{tid}）没有表题：请在 tables.yaml 中写 title")
        if not columns:
            undecided.append(f"表“{title or tid}”没有表头行：请在 tables.yaml 中写出各列")
        defs[tid] = {"title": title or tid, "columns": columns}
        names = "、".join(c["name"] for c in columns)
        undecided.append(f"表“{title or tid}”（{tid}）：各列的类型暂定为文本（text），请确认哪些是整数、小数、日期或"
                         f"可选值：{names}；哪一列能区分各行（表的关键列）也请确认")
    return defs, ids, undecided


def _columns(t: WTable) -> list[dict]:
    if not t.table.rows:
        return []
    out = []
    for cell in t.table.rows[0]:
        if cell.colspan == 0:
            continue
        text = re.sub(r"\s+", "", cell.text)
        if not text or text in ROW_NUMBER_HEADERS:
            continue                      # the tool numbers the rows itself
        m = UNIT.match(text)
        column = {"name": m.group(1), "type": "text", "unit": m.group(2)} if m else {"name": text, "type": "text"}
        out.append(column)
    return out


def _matching(base: Pack, title: str, names: list[str]) -> TableDef | None:
    for t in base.tables.values():
        pattern = "^" + re.sub(r"\\\{\\\{.*?\\\}\\\}", ".*?", re.escape(re.sub(r"\s+", "", t.title))) + "$"
        if title and re.match(pattern, re.sub(r"\s+", "", title)):
            return t
        if names and names == [c.name for c in t.columns]:
            return t
    return None


# ---------------------------------------------------------------- the pack declaration
def _spec(name: str, chapters: list[Chapter], table_ids: dict, base: Pack | None, undecided: list[str]) -> dict:
    known = {ch.title: ch for ch in base.chapters} if base else {}
    spec: dict = {"name": name, "version": "0.1.0", "description": f"由框架文档生成：{'、'.join(c.title for c in chapters)}",
                  "requires": ">=0.1"}
    if base:
        spec["extends"] = base.name
    out, used = [], set()
    for n, ch in enumerate(chapters, start=1):
        match = known.get(ch.title)
        cid = match.id if match else f"chapter{n}"
        if not match:
            undecided.append(f"章“{ch.title}”的 id 暂定为 {cid}（项目 narrative/ 下的文件夹名），可改为有意义的英文")
        used.add(cid)
        entry = {"id": cid, "title": ch.title}
        if not ch.numbered and (match is None or match.numbered):
            entry["numbered"] = False
        entry["sections"] = _sections(ch, match, set(base.tables) if base else set())
        if match is not None and not ch.sections and not match.sections:
            entry.pop("sections")
        out.append(entry)
    if base:
        order = [c.id for c in base.chapters if c.id in used]
        if order != [e["id"] for e in out if e["id"] in order]:
            undecided.append("框架中章的顺序与基础模板包不同：已知的章按基础模板包的顺序排列，请用 before:/after: 调整")
        out += [{"id": c.id, "remove": True} for c in base.chapters if c.id not in used]
    spec["chapters"] = out
    if any(table_ids.values()) and (base is None or any(not base.tables.get(t) for t in table_ids.values())):
        spec["tables"] = "tables.yaml"
    return spec


def _sections(ch: Chapter, match, base_tables: set[str]) -> list[dict]:
    known = {s.title: s for s in match.sections} if match else {}
    out, used = [], set()
    for n, s in enumerate(ch.sections, start=1):
        old = known.get(s.title)
        sid = old.id if old else f"s{n}"
        if sid in used:
            sid = f"s{n}"
        used.add(sid)
        hint = "；".join(s.hint)
        new_tables = [t for t in s.tables if t not in base_tables or not old]
        if new_tables:          # where the frame put a table: the author's cue to insert it there
            hint += ("（" if hint else "") + "可插入表 " + "、".join(new_tables) + ("）" if hint else "")
        entry = {"id": sid, "title": s.title}
        if hint and (old is None or hint != old.hint):
            entry["hint"] = hint
        out.append(entry)
    if match:
        out += [{"id": s.id, "remove": True} for s in match.sections if s.id not in used]
    return out


def _header(name: str, frame: Path, base: Pack | None) -> str:
    via = f"，以 {base.name} 为基础（与它相同的章节和表沿用其定义）" if base else ""
    return (f"# 模板包 {name}：由框架文档 {frame.name} 生成{via}。\n"
            "# 章、节来自文档的标题，节的提示（hint）来自标题下的说明文字；明细表来自表题和表头。\n")


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _write(folder: Path, files: dict[str, str], undecided: list[str]) -> NewPack:
    if folder.exists():
        raise UsageError(f"文件夹已存在，不会覆盖：{folder}（请换一个模板包名称或用 -o 指定新文件夹）")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, text.encode("utf-8"))
    return NewPack(folder, files, undecided)


def check_name(name: str) -> None:
    if not PACK_NAME.match(name):
        raise UsageError(f"模板包名称“{name}”只能由英文字母、数字和 . _ - 组成，且以字母或数字开头")
