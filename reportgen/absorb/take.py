"""`reportgen absorb`: the review edits of a built draft taken back into the project's sources.

Each change between the draft as built (regen/trace.py) and as edited (compare.py) goes where its text
came from: a narrative Markdown file (markdown.py), or a department's Word section (word.py). What cannot
be written is listed: a number printed from the data (a conflict, with the data's place), text a pack
template made ("在模板包中修改"), a paragraph that cannot be placed with confidence. 批注 are listed as
to-dos, 修订 as accepted. Files are changed only after their previous version is kept under
`returns/<时间>/修改前/`; the same edited file absorbed twice changes nothing the second time.
"""
from __future__ import annotations

import hashlib
import json
import re
from difflib import SequenceMatcher
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import ReportgenError
from ..fileio import exclusive, write_bytes_atomic
from ..load.word.package import open_docx
from ..load.word.review import Unit, read_review, read_units
from ..regen.trace import ABSORB_RECORD as RECORD, ABSORBED_DIR as BEFORE_DIR, load_traces, trace_folder
from ..workbook.returns import RETURNS_DIR
from . import markdown as md
from .word import WordSource
from .compare import SAME_DRAFT, Change, best_trace, changes

_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]\s*"
                        r"|案例\s*\d+[：:]\s*|[图表]\s*[\d\-]+\s*)")
LISTING = "收回清单.txt"
_CAPTION = re.compile(r"^(表\s*[\d\-]+|附表\s*\d+|数据表\s*\d+)")
_HEADING_STYLE = re.compile(r"heading\s*(\d)|标题\s*(\d)", re.I)


@dataclass
class Item:
    place: str                   # where in the draft: 章节 › 第 N 段
    text: str                    # what
    where: str = ""              # the source written, the data's place, the template


@dataclass
class Result:
    draft: str                   # the draft's name when it was built
    built: str                   # when
    latest: bool                 # from the newest build of the project
    taken: list[Item] = field(default_factory=list)
    conflicts: list[Item] = field(default_factory=list)
    template: list[Item] = field(default_factory=list)
    unplaced: list[Item] = field(default_factory=list)
    comments: list[Item] = field(default_factory=list)
    revisions: list[Item] = field(default_factory=list)
    formatting: int = 0
    written: list[str] = field(default_factory=list)     # project-relative paths
    kept: str = ""                                       # returns/<时间>/修改前
    already: bool = False                                # this very file was absorbed before
    listing: str = ""                                    # returns/<时间>/收回清单.txt: this list, kept


class _Source:
    """One narrative file: its lines, blocks, and the edits planned on them (applied bottom-up)."""

    def __init__(self, root: Path, rel: str):
        self.rel, self.path = rel, root / rel
        data = self.path.read_bytes()
        # a file saved on Windows keeps its BOM and CRLF line ends when written back
        self.bom = data.startswith(b"\xef\xbb\xbf")
        self.text = data.decode("utf-8-sig")
        self.crlf = "\r\n" in self.text
        self.lines = self.text.replace("\r\n", "\n").split("\n")
        self.chunks = md.chunks(self.lines)
        self.edits: list[tuple[int, int, list[str]]] = []
        self.deleted: set[int] = set()         # first lines of the blocks this absorb deletes

    def find(self, kind: str, line: int | None, printed: str):
        """The block of `kind` nearest `line` that prints `printed`, with its tokens placed, and the prefix
        of `printed` the source does not write (a lead's number the pack adds: "2. "), if any."""
        near = sorted((c for c in self.chunks if c.kind == kind), key=lambda c: abs(c.start + 1 - (line or 0)))
        stripped = _core(printed, "", True) if kind == "para" else printed
        for text in dict.fromkeys((printed, stripped)):
            for c in near:
                toks = md.tokens(c.text)
                if toks is not None and md.place(toks, text):
                    return c, toks, printed[:len(printed) - len(text)]
        return None, None, ""

    def case_around(self, chunk: md.Chunk) -> md.Chunk | None:
        """The case (`::: 案例` … `:::`) holding `chunk` (or being it)."""
        return next((c for c in self.chunks if c.kind == "case" and c.close is not None
                     and c.start <= chunk.start and chunk.end <= c.close), None)

    def result(self) -> str:
        lines = list(self.lines)
        removed: list[tuple[int, int]] = []
        # bottom-up; additions at one place in reverse, so they end up in the order they were made
        for _, (start, end, new) in sorted(enumerate(self.edits), key=lambda x: (x[1][0], x[0]), reverse=True):
            if any(a <= start and end <= b and (a, b) != (start, end) for a, b in removed):
                continue                   # inside a case removed whole
            lines[start:end] = new
            if not new:
                removed.append((start, end))
        return "\n".join(lines)

    def data(self) -> bytes:
        text = self.result()
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ("\ufeff" if self.bom else "").encode("utf-8") + text.encode("utf-8")


def absorb(root: Path, edited: Path, write: bool = True, name: str | None = None) -> Result:
    """`name`: how the user calls the file (the web page keeps an upload under another name)."""
    root = root.resolve()
    name = name or edited.name
    if not (root / "report.yaml").is_file():
        raise ReportgenError(f"{root} 不是报告项目文件夹（其中没有 report.yaml）")
    doc = open_docx(edited, name)
    units, review = read_units(doc), read_review(doc)
    traces = load_traces(root)
    if not traces:
        raise ReportgenError("这个项目还没有构建记录，无法对照：请先运行 reportgen build 生成初稿，再收回修改")
    trace, score = best_trace(traces, units)
    if trace is None or score < SAME_DRAFT:
        raise ReportgenError(f"{name} 不是本项目生成的初稿（与本项目任何一次构建的初稿都对不上），"
                             f"无法收回修改；请确认选对了文件和项目")
    newest = max(t.get("built", "") for t in traces)
    result = Result(trace.get("draft", ""), trace.get("built", ""), trace.get("built", "") == newest)
    digest = hashlib.sha256(edited.read_bytes()).hexdigest()
    with exclusive(root, waiting="同一项目的另一个操作正在写入，等待其完成……"):
        taking = _Taking(root, trace, units, result)
        taking.run()
        _review_items(review, units, result)
        result.formatting += review.format_changes       # tracked formatting changes (修订 of format only)
        # (the plan was made on the current files, so a second absorb of the same file plans nothing new)
        changed = {rel: data for rel, data in taking.planned().items() if data != (root / rel).read_bytes()}
        record = _read_record(trace_folder(root) / RECORD)
        result.already = not changed and any(e.get("sha256") == digest for e in record)
        if write and changed:
            _write(root, result, digest, name, changed, record)
    return result


class _Taking:
    def __init__(self, root: Path, trace: dict, units: list[Unit], result: Result):
        self.root, self.trace, self.units, self.r = root, trace, units, result
        self.sources: dict[str, _Source] = {}
        self.words: dict[str, WordSource | None] = {}
        self.places = _places(units)
        self.built_places = _places(trace["units"])

    def source(self, rel: str) -> _Source | None:
        if rel not in self.sources:
            path = self.root / rel
            self.sources[rel] = _Source(self.root, rel) if self.writable(path, ".md") else None
        return self.sources[rel]

    def writable(self, path: Path, suffix: str) -> bool:
        """Only the project's own narrative files are ever written (never a path outside narrative/)."""
        return path.suffix.lower() == suffix and path.is_file() and not path.is_symlink() \
            and path.resolve().is_relative_to((self.root / "narrative").resolve())

    def planned(self) -> dict[str, bytes]:
        """Each source file as it will be: narrative Markdown, Word sections."""
        out = {rel: s.data() for rel, s in self.sources.items() if s is not None and s.edits}
        out.update({rel: w.data() for rel, w in self.words.items() if w is not None and w.changed})
        return out

    def word(self, rel: str) -> WordSource | None:
        if rel not in self.words:
            try:
                self.words[rel] = WordSource(self.root, rel) if self.writable(self.root / rel, ".docx") else None
            except ReportgenError:
                self.words[rel] = None
        return self.words[rel]

    def run(self) -> None:
        found, self.r.formatting = changes(self.trace["units"], self.units)
        # additions last: a paragraph moved is deleted at its old place before it is added at the new one
        for c in sorted(found, key=lambda c: c.kind == "insert"):
            {"modify": self.modify, "delete": self.delete, "insert": self.insert}[c.kind](c)

    def place_of(self, c: Change) -> str:
        if c.edited is not None:
            return self.places[id(c.edited)]
        return self.built_places[id(c.built)] + "（已删去）"

    # ---------------------------------------------------------------- by kind of change
    def routed(self, c: Change) -> bool:
        """Table rows, Word sections and pack text have ways of their own: True when `c` took one of them."""
        src = c.built["source"]
        if c.built["kind"] == "row":
            self.row(c)
        elif src["kind"] == "word":
            self.word_change(c)
        elif src["kind"] != "narrative":
            self.elsewhere(c)
        else:
            return False
        return True

    def modify(self, c: Change) -> None:
        if self.routed(c):
            return
        src = c.built["source"]
        s = self.source(src["file"])
        label = src.get("label", "")
        printed, edited = _core(c.built["text"], label), _core(c.edited.text, label, src.get("block") != "para")
        kind = _CHUNK_KIND.get(src.get("block"), "para")
        chunk, toks, added = s.find(kind, src.get("line"), printed) if s else (None, None, "")
        if chunk is None:
            return self.not_found(c, s, kind, edited)
        if added:                            # the pack's lead number: not in the source, not the editor's
            printed = printed[len(added):]
            edited = edited[len(added):] if edited.startswith(added) else _core(edited, "", True)
        e = md.edit(toks, printed, edited)
        where = f"{src['file']}:{chunk.start + 1}"
        for k in e.conflicts:
            self.r.conflicts.append(Item(self.place_of(c), f"数字“{k.printed}”改成了“{k.edited}”",
                                         f"数据：{self.data_place(k.ref)}；原文：{where}（{k.ref.strip('{} ')}）"))
        if e.source == chunk.text:
            return
        new = (chunk.prefix + e.source + chunk.suffix).split("\n")
        s.edits.append((chunk.start, chunk.end, new))
        self.r.taken.append(Item(self.place_of(c), f"改为：{_delta(c.built['text'], c.edited.text)}", where))

    def delete(self, c: Change) -> None:
        if self.routed(c):
            return
        src = c.built["source"]
        s = self.source(src["file"])
        kind = _CHUNK_KIND.get(src.get("block"), "para")
        chunk, *_ = s.find(kind, src.get("line"), _core(c.built["text"], src.get("label", ""))) if s else (None,)
        if chunk is None:
            return self.not_found(c, s, kind, None)
        end = chunk.close + 1 if chunk.kind == "case" and chunk.close is not None else chunk.end
        if end < len(s.lines) and not s.lines[end].strip():
            end += 1                         # and the blank line after it
        s.edits.append((chunk.start, end, []))
        s.deleted.add(chunk.start)
        self.r.taken.append(Item(self.place_of(c), f"删去：{_short(c.built['text'])}", f"{src['file']}:{chunk.start + 1}"))

    def insert(self, c: Change) -> None:
        e = c.edited
        if e.kind == "row":
            anchor = c.before or c.after
            if anchor and anchor.get("source", {}).get("kind") == "data":
                self.r.conflicts.append(Item(self.place_of(c), f"明细表中新增了一行：{_short(e.text)}",
                                             f"数据：{self.table_file(anchor)}（表格由数据生成，请在数据中增加这一行）"))
            else:
                self.r.unplaced.append(Item(self.place_of(c), f"新增的表格行无法写回：{_short(e.text)}"))
            return
        text = md.new_paragraph(_core(e.text, "", _is_heading(e)))
        level = _heading_level(e.style)
        if level:
            text = "#" * level + " " + text
        for anchor, after in ((c.before, True), (c.after, False)):
            src = (anchor or {}).get("source", {})
            if src.get("kind") == "word" and self.word_insert(c, anchor, after):
                return
            if src.get("kind") != "narrative":
                continue
            s = self.source(src["file"])
            kind = _CHUNK_KIND.get(src.get("block"), "para")
            chunk, *_ = s.find(kind, src.get("line"), _core(anchor["text"], src.get("label", ""))) if s else (None,)
            if chunk is None:
                continue
            # typed after a case's box (or before it) in the draft: after (before) the case in the source
            case = None if e.box else s.case_around(chunk)
            if after:
                pos = case.close + 1 if case else chunk.end
                new = ["", text] + ([""] if pos < len(s.lines) and s.lines[pos].strip()
                                   and not s.lines[pos].startswith(":::") else [])
            else:
                pos, new = case.start if case else chunk.start, [text, ""]
            if any(self._prints(s, x, e.text) for x in s.chunks if abs(x.start - pos) <= 3):
                return                       # absorbed before: the paragraph is there already
            s.edits.append((pos, pos, new))
            self.r.taken.append(Item(self.place_of(c), f"新增：{_short(e.text)}", f"{src['file']}:{pos + 1}"))
            return
        self.r.unplaced.append(Item(self.place_of(c), f"新增段落的位置不在可写回的正文中，未写入：{_short(e.text)}"))

    # ---------------------------------------------------------------- a department's Word section
    def word_find(self, src: dict, printed: str):
        """The paragraph of the Word section nearest its 第 N 段 that printed `printed`: (p, prefix, tokens)."""
        ws = self.word(src["file"])
        if ws is None:
            return None, None
        no = src.get("para", 0)
        for k in sorted(range(1, len(ws.paras) + 1), key=lambda k: abs(k - no))[:40]:
            p = ws.paragraph(k)
            if p is None:
                continue
            typed = ws.text(p)
            prefix = ""
            m = _NUMBERING.match(typed) if src.get("block") != "para" else None
            if m:
                prefix, typed = typed[:m.end()], typed[m.end():]
            toks = md.tokens(typed, markdown=False)
            for text in dict.fromkeys((printed, _unlisted(printed))):   # "1. " typed, or Word's list number
                if toks is not None and md.place(toks, text):
                    return ws, (p, prefix, toks, printed[:len(printed) - len(text)])
        return ws, None

    def word_change(self, c: Change) -> None:
        src = c.built["source"]
        label = src.get("label", "")
        numbered = src.get("block") != "para"
        printed = _core(c.built["text"], label, numbered)
        edited = _core(c.edited.text, label, numbered) if c.edited else None
        ws, hit = self.word_find(src, printed)
        where = src.get("place", src["file"])
        if hit is None:
            if ws is not None and (edited is None or self.word_find(src, edited)[1] is not None):
                return                        # the section already says what the draft says now
            self.r.unplaced.append(Item(self.place_of(c), f"找不到这段文字在 {where} 中的位置（该段含图片、域或修订，"
                                        f"或文件在构建后被改过），未写入：{_short(edited or printed)}"))
            return
        p, prefix, toks, listed = hit
        if edited is None:
            ws.delete(p)
            ws.changed = True
            self.r.taken.append(Item(self.place_of(c), f"删去：{_short(c.built['text'])}", where))
            return
        if listed:                           # the number of Word's own list: not typed, not the editor's
            printed = printed[len(listed):]
            edited = edited[len(listed):] if edited.startswith(listed) else _unlisted(edited)
        e = md.edit(toks, printed, edited, markdown=False)
        for k in e.conflicts:
            self.r.conflicts.append(Item(self.place_of(c), f"数字“{k.printed}”改成了“{k.edited}”",
                                         f"数据：{self.data_place(k.ref)}；原文：{where}（{k.ref.strip('{} ')}）"))
        if e.source == "".join(t.src for t in toks):
            return
        ws.rewrite(p, prefix + e.source)
        ws.changed = True
        self.r.taken.append(Item(self.place_of(c), f"改为：{_delta(c.built['text'], c.edited.text)}", where))

    def word_insert(self, c: Change, anchor: dict, after: bool) -> bool:
        src = anchor["source"]
        ws, hit = self.word_find(src, _core(anchor["text"], src.get("label", ""), src.get("block") != "para"))
        if hit is None:
            return False
        text = _core(c.edited.text, "", _is_heading(c.edited))
        if any(ws.text(x).strip() == text for x in ws.paras if x.getparent() is not None):
            return True                       # absorbed before
        ws.insert(hit[0], text, after)
        ws.changed = True
        self.r.taken.append(Item(self.place_of(c), f"新增：{_short(c.edited.text)}", src.get("place", src["file"])))
        return True

    @staticmethod
    def _prints(s: _Source, chunk, text: str) -> bool:
        toks = md.tokens(chunk.text)
        return toks is not None and chunk.kind in ("para", "heading") and chunk.start not in s.deleted \
            and md.place(toks, _core(text, "", True))

    def not_found(self, c: Change, s: _Source | None, kind: str, edited: str | None) -> None:
        src = c.built["source"]
        if s is not None and edited is not None and s.find(kind, src.get("line"), edited)[0] is not None:
            return                            # the source already says what the draft says now
        if s is not None and edited is None:
            return                            # deleted: the source no longer has it
        self.r.unplaced.append(Item(self.place_of(c), f"找不到这段文字在 {src['file']} 中的位置（源文件在构建后"
                                    f"被改过或含模板逻辑），未写入：{_short((c.edited or Unit('p', '', 0)).text or c.built['text'])}"))

    def elsewhere(self, c: Change) -> None:
        src = c.built["source"]
        place = self.place_of(c)
        old, new = c.built["text"], c.edited.text if c.edited else ""
        if new and _digits_only(old, new):
            self.r.conflicts.append(Item(place, f"“{_short(old)}”改成了“{_short(new)}”",
                                         f"数据：由模板包 {src['file']} 按数据生成"))
        else:
            self.r.template.append(Item(place, f"{'改为' if new else '删去'}：{_short(new or old)}",
                                        f"{src['file']}（在模板包中修改）"))

    def row(self, c: Change) -> None:
        src = c.built["source"]
        if src.get("block") == "header" or src["kind"] == "template":
            return self.elsewhere(c)
        place = self.place_of(c)
        if src["kind"] == "narrative-table":
            return self.grid_row(c)
        if src["kind"] != "data":
            self.r.unplaced.append(Item(place, f"正文中表格的修改暂不能自动写回，请在 {src['file']} 中修改："
                                               f"{_short(c.edited.text if c.edited else c.built['text'])}"))
            return
        if c.edited is None:
            self.r.conflicts.append(Item(place, f"删去了明细表的一行：{_short(c.built['text'])}",
                                         f"数据：{self.table_file(c.built)}（表格由数据生成，请在数据中删去这一行）"))
            return
        old, new = c.built["cells"], c.edited.cells
        for col, (a, b) in enumerate(zip(old, new)):
            if a != b:
                self.r.conflicts.append(Item(f"{place} 第 {c.built['row']} 行“{self.column(c.built, col)}”",
                                             f"“{a}”改成了“{b}”", f"数据：{self.cell_place(c.built, col)}"))
        if len(old) != len(new):
            self.r.unplaced.append(Item(place, f"表格的列数变了，未写入：{_short(c.edited.text)}"))

    def grid_row(self, c: Change) -> None:
        """A row of a table typed in the narrative (`::: 表格`): each cell changed is written into its place
        in the row's line; what cannot be (a merged cell, template logic, a row added or removed) is listed
        with the cell's place, 表 N 第 r 行 第 c 列."""
        src, place = c.built["source"], self.place_of(c)
        row_no = c.built["row"]
        row = "表头" if row_no == 0 else f"第 {row_no} 行"
        s = self.source(src["file"])
        rows = md.grid_rows(s.lines, (src.get("line") or 0) - 1) if s else None
        line = rows[src.get("index", -1) + 1] if rows and src.get("index", -1) + 1 < len(rows) else None
        if c.edited is None or line is None:
            what = f"删去了表格的一行：{_short(c.built['text'])}" if c.edited is None else \
                f"表格中的修改：{_short(c.edited.text)}"
            self.r.unplaced.append(Item(f"{place} {row}", f"{what}（无法写回，请在 {src['file']} 中修改）"))
            return
        spans = [sp for sp in md.grid_cells(s.lines[line]) if s.lines[line][sp[0]:sp[1]] != "<"]  # < : merged left
        old, new = c.built["cells"], c.edited.cells
        where = f"{src['file']}:{line + 1}"
        if len(spans) != len(old) or len(old) != len(new):
            self.r.unplaced.append(Item(f"{place} {row}", f"表格的列数变了，未写入：{_short(c.edited.text)}"
                                                                  f"（请在 {where} 中修改）"))
            return
        text = s.lines[line]
        for col in reversed(range(len(old))):           # right to left: the spans before stay valid
            if old[col] != new[col]:
                text = self.grid_cell(text, spans[col], old[col], new[col], f"{place} {row} 第 {col + 1} 列", where)
        if text != s.lines[line]:
            s.edits.append((line, line + 1, [text]))

    def grid_cell(self, line: str, span: tuple[int, int], old: str, new: str, place: str, where: str) -> str:
        """The row's line with one cell's text changed from `old` to `new` as printed (references kept)."""
        typed = line[span[0]:span[1]]
        toks = md.tokens(typed, markdown=False) if "\\" not in typed else None
        if toks is None or typed == "^" or not md.place(toks, old):
            if toks is None or not md.place(toks, new):      # (unless the source says it already)
                self.r.unplaced.append(Item(place, f"“{_short(old, 30)}”改成了“{_short(new, 30)}”，无法写回"
                                                   f"（合并的单元格或含模板逻辑），请在 {where} 中修改"))
            return line
        e = md.edit(toks, old, new, markdown=False)
        for k in e.conflicts:
            self.r.conflicts.append(Item(place, f"数字“{k.printed}”改成了“{k.edited}”",
                                         f"数据：{self.data_place(k.ref)}；原文：{where}（{k.ref.strip('{} ')}）"))
        if e.source == typed:
            return line
        self.r.taken.append(Item(place, f"改为：{_delta(old, new)}", where))
        return line[:span[0]] + md.grid_cell(e.source) + line[span[1]:]

    # ---------------------------------------------------------------- data places
    def data_place(self, ref: str) -> str:
        places = self.trace.get("places", {})
        m = re.search(r"ind\.([^\s|\[\]}.]+)|ind\[['\"]([^'\"]+)", ref)
        if m:
            name = m.group(1) or m.group(2)
            return f"指标“{name}”：{places.get('indicators', {}).get(name, '指标数据')}"
        m = re.search(r"(?:count|total|rows)\(\s*['\"]([^'\"]+)", ref)
        if m:
            t = places.get("tables", {}).get(m.group(1), {})
            return f"明细表 {t.get('file', m.group(1))}（按其中的行计算）"
        return "由数据计算（见 " + ref.strip("{} ") + "）"

    def column(self, unit: dict, col: int) -> str:
        src = unit["source"]
        kind, _, tid = src.get("data", "").partition(":")
        names = self.trace.get("places", {}).get("tables", {}).get(tid, {}).get("columns", []) if kind == "table" else []
        j = col - src.get("offset", 0)
        return names[j] if 0 <= j < len(names) else f"第 {col + 1} 列"

    def table_file(self, unit: dict) -> str:
        data = unit.get("source", {}).get("data", "")
        kind, _, tid = data.partition(":")
        if kind == "table":
            return self.trace.get("places", {}).get("tables", {}).get(tid, {}).get("file", tid)
        return "指标数据（附表由指标计算）"

    def cell_place(self, unit: dict, col: int) -> str:
        src, places = unit["source"], self.trace.get("places", {})
        kind, _, tid = src.get("data", "").partition(":")
        index, j = src.get("index", -1), col - src.get("offset", 0)
        if kind == "table":
            t = places.get("tables", {}).get(tid, {})
            if index < 0:
                return f"合计由 {t.get('file', tid)} 的各行计算"
            cells = t.get("cells", [])
            if 0 <= index < len(cells) and 0 <= j < len(cells[index]):
                return cells[index][j]
            return t.get("file", tid)
        if kind == "appendix":
            rows = places.get("appendix", {}).get(tid, [])
            if 0 <= index < len(rows):
                name = rows[index]
                return f"指标“{name}”：{places.get('indicators', {}).get(name, '指标数据')}"
        return "数据"


_CHUNK_KIND = {"heading": "heading", "case": "case", "figure": "figure", "para": "para"}


def _core(text: str, label: str, numbered: bool = False) -> str:
    """The text without its automatic label (（一）, 案例 3：, 图 5)."""
    text = text.strip()
    if label and text.startswith(label):
        return text[len(label):].strip()
    if numbered:
        return _NUMBERING.sub("", text, count=1).strip()
    return text


def _unlisted(text: str) -> str:
    """A list item as printed ("1. 建设…") without the number Word's list gives it."""
    return re.sub(r"^(\d+\. |· )", "", text)


def _is_heading(u: Unit) -> bool:
    return _heading_level(u.style) > 0


def _heading_level(style: str) -> int:
    m = _HEADING_STYLE.search(style or "")
    return int(m.group(1) or m.group(2)) if m else 0


def _digits_only(a: str, b: str) -> bool:
    strip = lambda s: re.sub(r"[\d.,，%]+", "#", s)       # noqa: E731
    return a != b and strip(a) == strip(b)


def _delta(old: str, new: str, context: int = 10) -> str:
    """Where a paragraph changed, with a little of the text around it: …文字【旧 → 新】文字…"""
    ops = [op for op in SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return _short(new)
    first = ops[0]
    near = [first] + [op for op in ops[1:] if op[1] - first[2] <= 12]     # changes close together read as one
    i1, j1, i2, j2 = first[1], first[3], near[-1][2], near[-1][4]
    head = ("…" if i1 > context else "") + old[max(0, i1 - context):i1]
    tail = old[i2:i2 + context] + ("…" if i2 + context < len(old) else "")
    was, now = _short(old[i1:i2], 30), _short(new[j1:j2], 30)
    change = f"【{was} → {now}】" if was and now else f"【加：{now}】" if now else f"【删：{was}】"
    more = f"（等 {len(ops) - len(near) + 1} 处）" if len(ops) > len(near) else ""
    return head + change + tail + more


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _places(units) -> dict[int, str]:
    """Each unit's place in its draft: 章 › 节，第 N 段 (or 表 N 第 r 行)."""
    out, chapter, section, caption = {}, "", "", ""
    for u in units:
        style, text, kind, no = (u.get("style", ""), u["text"], u["kind"], u["no"]) if isinstance(u, dict) \
            else (u.style, u.text, u.kind, u.no)
        level = _heading_level(style)
        if level == 1:
            chapter, section = text, ""
        elif level == 2:
            section = text
        where = " › ".join(x for x in (chapter, section) if x)
        m = _CAPTION.match(text) if kind == "p" else None
        if m:
            caption = m.group(1)
        if kind == "row":
            table = caption or f"第 {u['table'] if isinstance(u, dict) else u.table} 个表格"
            out[id(u)] = f"{where}，{table}" if where else table
        else:
            out[id(u)] = f"{where}，第 {no} 段" if where else f"第 {no} 段"
    return out


# ---------------------------------------------------------------- 批注 and 修订
def _review_items(review, units: list[Unit], result: Result) -> None:
    places = _places(units)
    by_text = {}
    for u in units:
        by_text.setdefault(u.text.strip(), places[id(u)])
    for c in review.comments:
        place = by_text.get(c.anchor, "") or next((p for t, p in by_text.items() if c.anchor and c.anchor in t), "")
        result.comments.append(Item(place or "（位置未知）", c.text, f"{c.author or '（未署名）'}批注；所在文字："
                                                                  f"{_short(c.anchor, 40)}"))
    for r in review.revisions:
        place = by_text.get(r.anchor, "") or next((p for t, p in by_text.items() if r.anchor and r.anchor in t), "")
        result.revisions.append(Item(place or "（位置未知）", f"{r.kind}“{_short(r.text, 40)}”（已按接受处理）",
                                     r.author or "（未署名）"))


# ---------------------------------------------------------------- writing
def _write(root: Path, result: Result, digest: str, name: str, changed: dict[str, bytes], record: list[dict]) -> None:
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    kept = root / RETURNS_DIR / stamp / BEFORE_DIR
    for rel in changed:
        write_bytes_atomic(kept / rel, (root / rel).read_bytes())
    for rel, data in changed.items():
        write_bytes_atomic(root / rel, data)
    result.written = sorted(changed)
    result.kept = (Path(RETURNS_DIR) / stamp / BEFORE_DIR).as_posix()
    result.listing = (Path(RETURNS_DIR) / stamp / LISTING).as_posix()
    # the to-do list (conflicts, 批注) outlives the screen it was shown on
    write_bytes_atomic(root / result.listing, "\n".join(report_lines(result, listing=False)).encode("utf-8") + b"\n")
    record.append({"file": name, "sha256": digest, "at": stamp, "draft": result.draft, "built": result.built,
                   "written": result.written, "taken": [f"{i.place}：{i.text}" for i in result.taken],
                   "conflicts": len(result.conflicts), "reported": False})
    write_bytes_atomic(trace_folder(root) / RECORD, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))


def _read_record(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


# ---------------------------------------------------------------- what the user reads
def report_lines(r: Result, listing: bool = True, planned: bool = False) -> list[str]:
    """What absorb did (`planned`: would do) as lines for the terminal and 收回清单.txt."""
    out = [f"初稿出自 {r.built} 的构建（{r.draft}）" + ("。" if r.latest else
           "；此后项目又构建过，数据若已更改，重新构建时以新数据为准。")]
    if r.already:
        out.append("这份文件已经收回过，源文件中已是其中的修改，没有再写入。")
    sections = [("将写回源文件" if planned else "已写回源文件", r.taken), ("冲突：数字由数据生成，未写入（改数据，还是改回文字？）", r.conflicts),
                ("模板生成的文字，未写入（在模板包中修改）", r.template), ("无法确定位置，未写入", r.unplaced),
                ("批注（待办）", r.comments), ("修订（已按接受处理）", r.revisions)]
    for title, items in sections:
        if items:
            out.append(f"{title}：{len(items)} 处")
            out += [f"  · {i.place}：{i.text}" + (f"\n      {i.where}" if i.where else "") for i in items]
    if r.formatting:
        out.append(f"只改了格式（加粗、倾斜、字号、颜色等）的 {r.formatting} 处已忽略。")
    if r.written:
        out.append(f"已修改 {len(r.written)} 个文件：" + "、".join(r.written))
        out.append(f"修改前的文件保存在：{r.kept}/")
        if listing and r.listing:
            out.append(f"以上清单（冲突、批注等待办）保存在：{r.listing}")
        out.append("下一步：运行 reportgen build 重新生成初稿。")
    elif not r.already and not (r.conflicts or r.template or r.unplaced):
        out.append("没有需要收回的文字修改。")
    return out
