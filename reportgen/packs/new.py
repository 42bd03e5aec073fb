"""`reportgen pack new`: start a pack from another (`--from`) or from a frame document (`--outline`).

A frame is the Word outline a province or a notice sends each year: chapters and sections as headings,
guidance under them, and the tables to fill in (a caption and a header row). Read through the same Word
reader as a project's sections (`load.word.read_blocks`): the top heading level found is a chapter, the
next a section, the text under a heading its writing hint, each table a detail table whose columns are
its header cells. What is not a chapter is told apart as `init --from` does (`load.word.parts`): the cover
and title lines before the first chapter, a typed 目录, the sign-off; a table of indicators by year
(指标 | 单位 | 2021年 …) belongs to the pack's indicators and appendix, not to its detail tables. A
document with rows under its headers (last year's report, a frame with an example row) says each
column's kind the way the build reads cells (`check.coerce`). With `--extends`, chapters, sections and
tables matching the base pack's keep their ids and definitions (the new pack overrides only what differs).
What the document cannot say — a column's kind without data, which column tells the rows apart, a
chapter's id — is listed for the pack's author.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from ..check.coerce import DASHES, coerce
from ..errors import Location, Problems, UsageError
from ..fileio import write_bytes_atomic
from ..load.project import TOTAL_WORDS
from ..load.word import WHeading, WTable, WText, read_blocks
from ..load.word.blocks import compact
from ..load.word.parts import case_chapters, indicator_layout, is_contents, sign_off
from ..pack import ColumnDef, Pack, TableDef
from ..value_kinds import ColumnType
from .find import builtin_names, find_pack, uses_narrative
from .load import load_pack

NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+(?:\.\d+)*\s*[、.．\s])\s*")
CAPTION_NUMBER = re.compile(r"^\s*(?:附?表\s*[\d一二三四五六七八九十]+(?:[-－—]\d+)?)\s*[　\s:：.]*")
UNIT = re.compile(r"^(.*?)[（(]([^（）()]{1,6})[）)]$")
CASE_TITLE = re.compile(r"^\s*案例\s*[：:]")
ROW_NUMBER_HEADERS = {"序号", "编号", "序"}
# chapters a report does not number (the Word reader drops a typed "一、" from a heading's text)
UNNUMBERED = ("前言", "序言", "引言", "结语", "结束语", "附表", "附件", "附录")
PACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TIME_WORDS = ("时间", "日期", "年月", "年份")
KIND_WORDS = {"date": "年月", "integer": "整数", "decimal": "数字"}
HINT_CHARS = 200        # guidance is a few lines; more is a report's own text, kept as the hint's opening only
LISTED = 8              # names listed in a note before "等 N 个"
WARNINGS_SHOWN = 3      # warnings of one kind said in full before the rest are counted
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
    indicator_tables: list[WTable] = field(default_factory=list)

    @property
    def generated(self) -> bool:
        """Only tables of indicators by year (a 质量数据表, 附表): the pack computes it, nobody writes it."""
        return bool(self.indicator_tables) and not self.sections and not self.guidance


@dataclass
class Frame:
    chapters: list[Chapter] = field(default_factory=list)
    tables: list[tuple[WTable, Section]] = field(default_factory=list)
    indicator_tables: list[tuple[WTable, Chapter]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def new_from_outline(name: str, frame_path: Path, folder: Path, base_name: str | None = None) -> NewPack:
    problems = Problems()
    blocks = read_blocks(frame_path, problems, frame_path.name)
    base = load_pack(find_pack(base_name)) if base_name else None
    frame = _read_frame(blocks)
    if not [c for c in frame.chapters if not c.generated]:
        raise UsageError("框架文档中没有找到标题（章、节应使用 Word 的标题样式或“一、”“（一）”编号）",
                         Location(frame_path.name))
    table_defs, table_ids, undecided_tables = _tables(frame.tables, base)
    undecided = list(frame.notes)
    spec = _spec(name, frame.chapters, table_ids, base, undecided)
    files = {"pack.yaml": _header(name, frame_path, base) + _dump(spec)}
    if table_defs:
        files["tables.yaml"] = "# 明细表：由框架文档中各表的表题和表头生成；有数据行的列按数据推断类型，其余请逐一确认（见 pack new 的提示）。\n" \
                               + _dump(table_defs)
    if base is None:
        files["chapters/chapter.md.j2"] = CHAPTER_TEMPLATE
    undecided += undecided_tables + _indicator_notes(frame.indicator_tables, base) + _warnings(problems)
    return _write(folder, files, undecided)


# ---------------------------------------------------------------- reading the frame
def _read_frame(blocks: list) -> Frame:
    body, closing = sign_off(list(case_chapters(blocks)))
    headings = [b for b in body if isinstance(b, WHeading) and not is_contents(b)]
    levels = sorted({b.level for b in headings})
    top = [b for b in headings if b.level == levels[0]] if levels else []
    if len(levels) > 2 and len(top) == 1 and top[0] is headings[0]:
        levels = levels[1:]         # one heading above all the others: the document's title, not a chapter
    chapter_level, section_level = (levels + [None, None])[:2]
    frame = Frame()
    chapters = frame.chapters
    front: list[str] = []
    contents = in_case = False            # in a 目录 (its lines left out); in a closing case (its 一、 are sections)
    for b in body:
        if isinstance(b, WHeading) and b.level == chapter_level:
            if in_case and b.typed == 1:
                chapters[-1].sections.append(Section(_title(b.text)))
                continue
            contents = is_contents(b)
            in_case = bool(CASE_TITLE.match(b.text))
            if contents:
                frame.notes.append("“目录”不作为章：目录由工具按各章标题生成")
                continue
            title = b.text.strip() if in_case else _title(b.text)
            chapters.append(Chapter(title, not title.startswith(UNNUMBERED) and not in_case))
        elif contents:
            continue
        elif not chapters:
            if isinstance(b, (WHeading, WText)) and b.text.strip():
                front.append(b.text.strip())    # a cover, a title, a notice's preamble, a 称呼
        elif isinstance(b, WHeading) and b.level == section_level and not in_case:
            chapters[-1].sections.append(Section(_title(b.text)))
        elif isinstance(b, WText) and b.text.strip():
            where = chapters[-1].sections[-1].hint if chapters[-1].sections else chapters[-1].guidance
            where.append(b.text.strip())
        elif isinstance(b, WTable) and indicator_layout(b) is not None:
            chapters[-1].indicator_tables.append(b)
            frame.indicator_tables.append((b, chapters[-1]))
        elif isinstance(b, WTable):
            if not chapters[-1].sections:       # a table right under a chapter: its untitled first section
                chapters[-1].sections.append(Section("", list(chapters[-1].guidance)))
                chapters[-1].guidance.clear()
            frame.tables.append((b, chapters[-1].sections[-1]))
    _left_out(frame.notes, front, [b.text.strip() for b in closing if isinstance(b, WText)])
    for ch in chapters:
        if ch.guidance and not ch.sections:     # a chapter with guidance only: one untitled section writes it
            ch.sections.append(Section("", ch.guidance))
        elif ch.guidance:
            frame.notes.append(f"章“{ch.title}”标题下、第一节之前的说明未放入任何小节的提示：{_short(' '.join(ch.guidance))}")
    long = [s for ch in chapters for s in ch.sections if len("".join(s.hint)) > HINT_CHARS]
    for s in long:
        s.hint = [_short("".join(s.hint), HINT_CHARS)]
    if long:
        frame.notes.append(f"{len(long)} 个小节标题下是正文而不是写作说明（如“{long[0].title or '（无标题）'}”），"
                           f"提示只取了开头 {HINT_CHARS} 字：请改写为撰写要求")
    return frame


def _left_out(notes: list[str], front: list[str], closing: list[str]) -> None:
    if front:
        notes.append(f"第一章之前的 {len(front)} 段（封面、标题、称呼等，由工具按 report.yaml 生成）不作为章：" +
                     "、".join(f"“{_short(t, 20)}”" for t in front[:3]) + ("……" if len(front) > 3 else ""))
    if closing:
        notes.append("文末的落款不作为章的内容（由工具生成）：" + "、".join(f"“{t}”" for t in closing))


def _title(text: str) -> str:
    return NUMBER.sub("", text.strip(), count=1).strip()


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "……"


def _listed(names: list[str]) -> str:
    return "、".join(names[:LISTED]) + (f" 等 {len(names)} 个" if len(names) > LISTED else "")


def _warnings(problems: Problems) -> list[str]:
    """The reader's warnings, one line per kind when a kind repeats (a frame made from text has a caption
    line with no picture above it in every chapter)."""
    kinds: dict[str, list] = {}
    for w in problems.warnings:
        kinds.setdefault(re.sub(r"“.*”", "", w.message), []).append(w)     # the quoted text aside
    out = []
    for kind, found in kinds.items():
        out += [str(w) for w in found[:WARNINGS_SHOWN]]
        if len(found) > WARNINGS_SHOWN:
            out.append(f"[警告] 另有 {len(found) - WARNINGS_SHOWN} 处同样的情况（{kind.strip('：:，, ')}），"
                       f"共 {len(found)} 处")
    return out


# ---------------------------------------------------------------- tables
def _tables(found: list[tuple[WTable, Section]], base: Pack | None) -> tuple[dict, dict[int, str], list[str]]:
    defs, ids, undecided = {}, {}, []
    for n, (t, section) in enumerate(found, start=1):
        title = CAPTION_NUMBER.sub("", t.caption or "").strip()
        columns, places = _columns(t)
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
        rows = _data_rows(t)
        open_kinds, odd = [], []
        for c, j in zip(columns, places):
            misfits = _infer(c, [(n, cells[j]) for n, cells in rows])
            if misfits is None:
                open_kinds.append(c["name"])
            odd += [f"第 {n} 行“{_short(v, 12)}”不是{KIND_WORDS[c['type']]}（列“{c['name']}”）" for n, v in misfits or ()]
        keyed = _mark_key(columns, places, [cells for _, cells in rows])
        defs[tid] = {"title": title or tid, "columns": columns}
        undecided += _table_notes(title or tid, tid, columns, open_kinds, keyed)
        if odd:
            undecided.append(f"表“{title or tid}”（{tid}）：按其余各行定了列的类型，但" + "；".join(odd) +
                             "：请核对文档中的这一格")
    return defs, ids, undecided


def _table_notes(title: str, tid: str, columns: list[dict], open_kinds: list[str], keyed: bool) -> list[str]:
    key = "" if keyed else "；哪一列能区分各行（表的关键列，在 tables.yaml 中写 required: true）也请确认"
    if open_kinds and len(open_kinds) == len(columns):
        return [f"表“{title}”（{tid}）：各列的类型暂定为文本（text），请确认哪些是整数、小数、日期或"
                f"可选值：{'、'.join(open_kinds)}{key}"]
    if open_kinds:
        return [f"表“{title}”（{tid}）：已按表中数据确定其余列的类型；这几列没有数据，类型暂定为文本（text），请确认："
                f"{'、'.join(open_kinds)}{key}"]
    enums = [c["name"] for c in columns if c["type"] == ColumnType.ENUM.value]
    out = [f"表“{title}”（{tid}）：各列的类型已按表中数据确定{key}"] if key else []
    if enums:
        out.append(f"表“{title}”（{tid}）：{'、'.join(f'列“{e}”' for e in enums)}的可选值取自表中出现的取值，请补全")
    return out


def _columns(t: WTable) -> tuple[list[dict], list[int]]:
    """The columns its header row names, and each one's place in the row (序号 left out: the tool numbers rows)."""
    if not t.table.rows:
        return [], []
    out, places = [], []
    for j, cell in enumerate(t.table.rows[0]):
        if cell.colspan == 0:
            continue
        text = re.sub(r"\s+", "", cell.text)
        if not text or text in ROW_NUMBER_HEADERS:
            continue
        m = UNIT.match(text)
        out.append({"name": m.group(1), "type": "text", "unit": m.group(2)} if m else {"name": text, "type": "text"})
        places.append(j)
    return out, places


def _data_rows(t: WTable) -> list[tuple[int, list[str]]]:
    """Each row under the header (its number in the table, the header being 1) as its cells' text ("" where
    covered by a merged cell), without empty rows (a frame's rows to fill in) and without a typed 合计 row
    (the tool adds its own)."""
    out = []
    for n, row in enumerate(t.table.rows[1:], start=2):
        cells = [" ".join(c.text.split()) if c.colspan and c.rowspan else "" for c in row]
        if not any(cells) or any(compact(c) in TOTAL_WORDS for c in cells[:3]):
            continue
        out.append((n, cells + [""] * (len(t.table.rows[0]) - len(cells))))
    return out


def _infer(column: dict, cells: list[tuple[int, str]]) -> list[tuple[int, str]] | None:
    """Sets the column's type from its cells as the build reads them (check.coerce): a date where the cells
    are year-months and the header or the cells say time, an integer or a decimal where they read as one, a
    choice among a few values repeated down the column, else text. A kind fits when every cell reads as it,
    or all but one in ten of five or more (a cell typed in the wrong column): those are returned to be
    checked. None: no data to tell."""
    values = [(n, v) for n, v in cells if v and v not in DASHES]
    if not values:
        return None
    name, unit = column["name"], column.get("unit", "")

    def fits(kind: ColumnType) -> tuple[list, list] | None:
        read = [(n, v, coerce(ColumnDef(name, kind, unit=unit), v)) for n, v in values]
        misfits = [(n, v) for n, v, r in read if r.error]
        if len(misfits) > (max(1, len(values) // 10) if len(values) >= 5 else 0) or len(misfits) == len(values):
            return None
        return [r.value for _, _, r in read if not r.error], misfits

    texts = [v for _, v in values]
    distinct = list(dict.fromkeys(texts))
    timely = any(w in name for w in TIME_WORDS) or any("年" in v or "月" in v for v in texts)
    if timely and (found := fits(ColumnType.DATE)):
        column["type"] = ColumnType.DATE.value
    elif found := fits(ColumnType.INTEGER):
        column["type"] = ColumnType.INTEGER.value
    elif found := fits(ColumnType.DECIMAL):
        column["type"] = ColumnType.DECIMAL.value
        column["decimals"] = max(-Decimal(v).as_tuple().exponent for v in found[0])
    elif len(texts) >= 4 and len(distinct) <= min(6, len(texts) // 2) and all(len(v) <= 8 for v in distinct):
        column["type"] = ColumnType.ENUM.value
        column["choices"] = distinct
    return found[1] if found else []


def _mark_key(columns: list[dict], places: list[int], rows: list[list[str]]) -> bool:
    """The first text column filled in on every row, no two rows alike, is the table's key (required); a text
    column left blank below a filled cell is a category merged down (merge)."""
    keyed = False
    for c, j in zip(columns, places):
        cells = [r[j] for r in rows]
        if c["type"] != ColumnType.TEXT.value or not any(cells):
            continue
        if not keyed and len(rows) >= 2 and all(cells) and len(set(cells)) == len(cells):
            c["required"] = keyed = True
        elif cells[0] and cells.count("") * 3 >= len(cells):
            c["merge"] = True
    return keyed


def _matching(base: Pack, title: str, names: list[str]) -> TableDef | None:
    for t in base.tables.values():
        pattern = "^" + re.sub(r"\\\{\\\{.*?\\\}\\\}", ".*?", re.escape(re.sub(r"\s+", "", t.title))) + "$"
        if title and re.match(pattern, re.sub(r"\s+", "", title)):
            return t
        if names and names == [c.name for c in t.columns]:
            return t
    return None


# ---------------------------------------------------------------- indicator tables
def _indicator_key(name: str) -> str:
    return re.sub(r"[（(][^（）()]*[）)]|^其中[：:]?|[\s：:]", "", name)


def _indicator_notes(found: list[tuple[WTable, Chapter]], base: Pack | None) -> list[str]:
    """Tables of indicators by year are the pack's indicators and appendix: their rows matched to the base
    pack's indicators (by name, a bracketed qualifier aside), the rest listed for indicators.yaml."""
    known = {}
    if base:
        known = {_indicator_key(n): n for n in base.indicators} | \
            {_indicator_key(d.label): n for n, d in base.indicators.items() if d.label}
    out = []
    for t, chapter in found:
        name_col, _, years = indicator_layout(t)
        names = [" ".join(r[name_col].text.split()) for r in t.table.rows[1:] if name_col < len(r)]
        names = [n for n in dict.fromkeys(names) if n]
        title = CAPTION_NUMBER.sub("", t.caption or "").strip() or f"{chapter.title}（无表题）"
        matched = [known[_indicator_key(n)] for n in names if _indicator_key(n) in known]
        missing = [n for n in names if _indicator_key(n) not in known]
        what = f"表“{title}”（{len(names)} 个指标，{'、'.join(f'{y}年' for y in years.values())}）"
        if not matched:
            out.append(f"按年份列出的指标表，应在 indicators.yaml/appendix.yaml 中定义：{what}：{_listed(missing)}")
            continue
        appendix = max(base.appendix, key=lambda a: len(set(a.rows) & set(matched)), default=None)
        where = f"，多数在附表“{appendix.title}”中" if appendix and set(appendix.rows) & set(matched) else ""
        rest = f"；其余 {len(missing)} 个应在 indicators.yaml/appendix.yaml 中定义：{_listed(missing)}" if missing else ""
        out.append(f"{what}是按年份列出的指标表，不作为明细表：{len(matched)} 个是基础模板包的指标{where}{rest}")
    return out


# ---------------------------------------------------------------- the pack declaration
def _spec(name: str, chapters: list[Chapter], table_ids: dict, base: Pack | None, undecided: list[str]) -> dict:
    known = {_chapter_key(ch.title): ch for ch in base.chapters} if base else {}
    known_ids = {ch.id for ch in base.chapters} if base else set()
    generated = [c for c in base.chapters if not uses_narrative(base, c)] if base else []
    spec: dict = {"name": name, "version": "0.1.0",
                  "description": f"由框架文档生成：{'、'.join(c.title for c in chapters if not c.generated)}",
                  "requires": ">=0.1"}
    if base:
        spec["extends"] = base.name
    out, used = [], set()
    for n, ch in enumerate(chapters, start=1):
        match = known.get(_chapter_key(ch.title))
        if ch.generated and match is None:
            match = next((c for c in generated if c.id not in used), None)
            if match is None:
                undecided.append(f"章“{ch.title}”只有按年份列出的指标表，未作为撰写的章：附表在 appendix.yaml 中定义，"
                                 "由模板中的 appendix_tables() 生成")
                continue
        cid = match.id if match else _chapter_id(ch.title, used | set(known_ids), n)
        if cid.startswith("chapter"):
            undecided.append(f"章“{ch.title}”的 id 暂定为 {cid}（项目 narrative/ 下的文件夹名），可改为有意义的英文")
        used.add(cid)
        # a base title that is a template ("集团{{ year }}年度工作回顾与总结") stays one
        entry = {"id": cid, "title": match.title if ch.generated or (match and "{" in match.title) else ch.title}
        if not ch.numbered and (match is None or match.numbered):
            entry["numbered"] = False
        entry["sections"] = _sections(ch, match, set(base.tables) if base else set())
        if match is not None and not ch.sections and not match.sections:
            entry.pop("sections")
        out.append(entry)
    if base:
        _in_frame_order(out, [c.id for c in base.chapters])
        out[:0] = [{"id": c.id, "remove": True} for c in base.chapters if c.id not in used]
    spec["chapters"] = out
    if any(table_ids.values()) and (base is None or any(not base.tables.get(t) for t in table_ids.values())):
        spec["tables"] = "tables.yaml"
    return spec


def _chapter_key(title: str) -> str:
    """A chapter's title for matching: a template's fields and a year are the same chapter in another year."""
    return compact(re.sub(r"\{\{.*?\}\}|\{%.*?%\}|(?:19|20)\d\d", "", title))


def _in_frame_order(entries: list[dict], base_ids: list[str]) -> None:
    """Where merging by id would put the chapters in another order than the frame's (a known chapter stays at
    its place in the base pack, a new one goes last), each is placed after the one before it (`after:`)."""
    ids = [e["id"] for e in entries]
    merged = [i for i in base_ids if i in ids] + [i for i in ids if i not in base_ids]
    if merged != ids:
        for before, entry in zip(entries, entries[1:]):
            entry["after"] = before["id"]


def _chapter_id(title: str, taken: set[str], n: int) -> str:
    """The id the built-in packs give a chapter of this title (学生发展 → students), else chapterN."""
    cid = _builtin_chapter_ids().get(compact(title))
    return cid if cid and cid not in taken else f"chapter{n}"


_CHAPTER_IDS: dict[str, str] = {}


def _builtin_chapter_ids() -> dict[str, str]:
    if not _CHAPTER_IDS:
        for name in sorted(builtin_names()):
            for ch in load_pack(find_pack(name)).chapters:
                _CHAPTER_IDS.setdefault(compact(ch.title), ch.id)
    return _CHAPTER_IDS


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
