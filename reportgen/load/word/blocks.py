"""Paragraphs and tables of a .docx → the report's structure: headings, text, lists, tables with their
captions, figures with their captions, cases.

People type what reportgen generates: heading numbers (一、 （一） 1. （1）), "表 N …" above a table,
"图 N …" under a picture, "案例 N：标题" before a case. Those are recognised and the typed numbers
removed — reportgen numbers everything again with the rest of the report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import Location, Problems
from .reader import Para, Run, TableItem

CN_NUM = "一二三四五六七八九十百零〇"
_DIGITS = "0-9０-９"
HEADING_PATTERNS = [
    (1, re.compile(rf"^第[{CN_NUM}]+[章部分篇]\s*[、：:．.]?\s*(.+)$")),
    (1, re.compile(rf"^[{CN_NUM}]+\s*[、．.]\s*(.+)$")),
    (2, re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[）)]\s*[、．.]?\s*(.+)$")),
    (3, re.compile(rf"^[{_DIGITS}]{{1,2}}\s*[.．、](?![{_DIGITS}])\s*(.+)$")),
    (4, re.compile(rf"^[（(]\s*[{_DIGITS}]{{1,2}}\s*[）)]\s*(.+)$")),
]
UNNUMBERED_CHAPTERS = {"前言", "序言", "引言", "结语", "附表", "附件", "附录", "目录"}
TABLE_CAPTION = re.compile(rf"^\s*(?:续)?表\s*[{_DIGITS}]+(?:\s*[-－—.．]\s*[{_DIGITS}]+)?\s*[：:、.．]?\s*(.*)$")
FIGURE_CAPTION = re.compile(rf"^\s*图\s*[{_DIGITS}]+(?:\s*[-－—.．]\s*[{_DIGITS}]+)?\s*[：:、.．]?\s*(.*)$")
CASE_START = re.compile(rf"^\s*案例\s*(?:[{_DIGITS}]+|[{CN_NUM}]+)\s*(?:[-－—.．]\s*[{_DIGITS}]+)?\s*[：:、.．]?\s*(.+)$"
                        r"|^\s*案例\s*[：:]\s*(.+)$")
MAX_HEADING_CHARS = 40
TOC_LINE = re.compile(r"(?:[.…·．_-]{3,}|\t)\s*[0-9０-９]+\s*$")     # "一、人才培养……5": a typed 目录 line
SPACES = re.compile(r"[\s\u3000]+")


@dataclass
class WHeading:
    level: int
    text: str
    para: int
    typed: int = 0               # the rank its typed number gives (一、 1, （一） 2, 1. 3, （1） 4; 0: none)


@dataclass
class WText:
    runs: list[Run]
    para: int
    list_kind: str | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class WImage:
    src: str                     # path relative to the project root, "" when it could not be kept
    caption: str = ""            # sub-caption
    problem: str = ""            # why it was not kept (a 【待补充】 takes its place)


@dataclass
class WFigure:
    images: list[WImage]
    caption: str
    para: int


@dataclass
class WTable:
    caption: str
    table: TableItem
    para: int
    caption_para: int = 0
    label: str = ""              # the caption's typed number, "表7-1": how last year's report named it


@dataclass
class WCase:
    title: str
    blocks: list = field(default_factory=list)
    para: int = 0
    table: int = 0               # 表 N of the box it was drawn in (0: opened by a "案例 N：" paragraph)


def compact(text: str) -> str:
    return SPACES.sub("", text)


def heading_of(p: Para) -> tuple[int, str, int] | None:
    """(level, title without its typed number, the typed number's rank or 0) when the paragraph is a heading."""
    text = p.text.strip().strip("\u3000").strip()
    if not text or p.pictures or TOC_LINE.search(text):
        return None
    if compact(text) in UNNUMBERED_CHAPTERS:
        return 1, compact(text), 1
    typed = None
    for level, rx in HEADING_PATTERNS:
        m = rx.match(text)
        if m:
            typed = level, m.group(1).strip(), level
            break
    if p.outline is not None:
        return (p.outline, typed[1], typed[2]) if typed else (p.outline, text, 0)
    if typed and _short_title(typed[1]) and p.list_kind is None:
        return typed
    return None


def document_levels(blocks: list) -> list:
    """Heading levels read relative to the document, as people write it: chapters at level 1 whatever style
    they have (Heading 1, 2 or 3, or only bold with a typed 一、), a title above the chapters at level 0, and
    where styles and typed numbers disagree (a "（二）" styled like the chapters) the typed number decides.
    The chapters' style level is the one most of the typed 一、 headings have; without any, a single heading
    that opens the document above all others is its title."""
    headings = [b for b in blocks if isinstance(b, WHeading)]
    if not headings:
        return blocks
    chapter_styles = [h.level for h in headings if h.typed == 1]
    if chapter_styles:
        chapter = max(set(chapter_styles), key=lambda lv: (chapter_styles.count(lv), -lv))
    else:
        top = min(h.level for h in headings)
        tops = [h for h in headings if h.level == top]
        below = [h.level for h in headings if h.level > top]
        chapter = min(below) if len(tops) == 1 and tops[0] is headings[0] and below else top
    out = []
    for b in blocks:
        if isinstance(b, WHeading):
            level = b.typed if b.typed else max(0, b.level - chapter + 1)
            b = WHeading(level, b.text, b.para, b.typed)
        out.append(b)
    return out


def _short_title(text: str) -> bool:
    body = text.rstrip("。.；;")
    return 0 < len(compact(text)) <= MAX_HEADING_CHARS and "。" not in body and "；" not in body


class Structurer:
    """Walks the reader's items; `media(picture) -> WImage` keeps pictures."""

    def __init__(self, label: str, problems: Problems, media):
        self.label, self.problems, self.media = label, problems, media

    def loc(self, para: int, table: int = 0, row: int = 0) -> Location:
        return word_location(self.label, para, table, row)

    def blocks(self, items: list) -> list:
        items = _unbox(items)
        out: list = []
        pending_caption: tuple[str, int] | None = None
        i = 0
        while i < len(items):
            it = items[i]
            nxt = items[i + 1] if i + 1 < len(items) else None
            if isinstance(it, TableItem):
                block = self.table(it, pending_caption)
                pending_caption = None
                if isinstance(block, WFigure) and isinstance(nxt, Para) and FIGURE_CAPTION.match(nxt.text):
                    block.caption = FIGURE_CAPTION.match(nxt.text).group(1).strip()
                    i += 1
                out.extend(block if isinstance(block, list) else [block])
                i += 1
                continue
            if isinstance(it, _TextBox):
                out.extend(self.text_box(it))
                i += 1
                continue
            p = it
            text = p.text.strip()
            if p.boxed and text and not heading_of(p):          # shaded or bordered paragraphs: a case
                j = i
                while j < len(items) and isinstance(items[j], Para) and items[j].boxed:
                    j += 1
                out.append(self.case_box(items[i:j], p.no, 0))
                i = j
                continue
            if pending_caption and not isinstance(it, TableItem):
                out.append(WText([Run(pending_caption[0])], pending_caption[1]))   # "表 N" with no table after it
                pending_caption = None
            if p.style.lower().startswith("toc") or (not text and not p.pictures):
                i += 1
                continue
            m = TABLE_CAPTION.match(text)
            if m and isinstance(nxt, TableItem) and not p.pictures:
                pending_caption = (m.group(1).strip(), p.no, compact(text[:m.start(1)]).rstrip("：:、.．"))
                i += 1
                continue
            if p.pictures:
                fig, used = self.figure(p, nxt)
                if text and not (m := FIGURE_CAPTION.match(text)):
                    out.append(WText(_strip_indent(p.runs), p.no))
                elif text:
                    fig.caption = fig.caption or m.group(1).strip()
                out.append(fig)
                i += 1 + used
                continue
            h = heading_of(p)
            if h:
                out.append(WHeading(h[0], h[1], p.no, h[2]))
                i += 1
                continue
            cm = CASE_START.match(text)
            if cm and _short_title(cm.group(1) or cm.group(2)):
                out.append(WCase((cm.group(1) or cm.group(2)).strip(), [], p.no))
                i += 1
                continue
            if FIGURE_CAPTION.match(text) and len(text) <= 60:
                self.problems.warning(f"“{text[:20]}”像是图注，但上方没有图片，按正文处理", self.loc(p.no))
            out.append(WText(_strip_indent(p.runs), p.no, p.list_kind))
            i += 1
        return _close_cases(out)

    def figure(self, p: Para, nxt) -> tuple[WFigure, int]:
        images = [self.media(pic, p.no) for pic in p.pictures]
        caption, used = "", 0
        if isinstance(nxt, Para) and not nxt.pictures:
            m = FIGURE_CAPTION.match(nxt.text.strip())
            if m:
                caption, used = m.group(1).strip(), 1
        if len(images) > 1:
            for img, pic in zip(images, p.pictures):
                img.caption = img.caption or pic.alt
        return WFigure(images, caption, p.no), used

    def table(self, t: TableItem, caption: tuple[str, int] | None):
        cells = [c for row in t.rows for c in row if c.colspan != 0 and c.rowspan != 0]
        filled = [c for c in cells if c.text or c.pictures]
        if len(filled) > 1 and all(c.pictures and FIGURE_CAPTION.match(c.text or "") for c in filled):
            # photos side by side, each with its own "图 N" caption: separate figures printed in a row
            return [self.figure_of_cell(c, FIGURE_CAPTION.match(c.text).group(1).strip(), t.after_para)
                    for c in filled]
        under = filled[-1] if len(filled) > 1 and not filled[-1].pictures else None
        if under is not None and FIGURE_CAPTION.match(under.text) and all(c.pictures for c in filled[:-1]):
            caption, filled = (FIGURE_CAPTION.match(under.text).group(1).strip(), 0), filled[:-1]
        if filled and all(c.pictures and _short_title(c.text or "图") for c in filled):
            # photos side by side, sub-captions under them (a case box with a photo has long text)
            images = []
            for c in filled:
                for pic in c.pictures:
                    img = self.media(pic, t.after_para)
                    img.caption = c.text or pic.alt
                    images.append(img)
            return WFigure(images, caption[0] if caption else "", t.after_para)
        if t.shape[1] == 1 and not caption and (t.shape[0] == 1 or _opens_case(t.rows[0][0])):
            # a bordered box is a case; a box drawn as one column of rows (title and first paragraph
            # kept together in the first row, as reportgen writes it) is one too when it opens with 案例 N
            return self.case_box([item for row in t.rows for item in row[0].items], t.after_para, t.no)
        return WTable(caption[0] if caption else "", t, t.after_para, caption[1] if caption else 0,
                      caption[2] if caption and len(caption) > 2 else "")

    def figure_of_cell(self, cell, caption: str, para: int) -> WFigure:
        images = [self.media(pic, para) for pic in cell.pictures]
        return WFigure(images, caption, para)

    def text_box(self, box: "_TextBox") -> list:
        """A text box with a body of text is a case; a label in a diagram is not imported (said so)."""
        paras = [p for p in box.items if isinstance(p, Para) and p.text.strip()]
        text = " ".join(p.text.strip() for p in paras)
        if len(paras) >= 2 or len(text) > 40 or any(isinstance(p, TableItem) for p in box.items):
            return [self.case_box(box.items, box.para, 0)]
        if text:
            self.problems.warning(f"文本框中的文字“{text[:20]}”未导入（短小的文本框多为图中的标注）",
                                  self.loc(box.para))
        return []

    def case_box(self, items: list, para: int, table_no: int) -> WCase:
        inner = Structurer(self.label, self.problems, self.media).blocks(
            [Para(p.no, p.runs, p.pictures, p.style, p.outline, p.list_kind) if isinstance(p, Para) else p
             for p in items])                                  # the same paragraphs, no longer boxed
        title = ""
        if inner and isinstance(inner[0], WCase):              # "案例 N：标题" opens the box
            title, inner = inner[0].title, inner[0].blocks + inner[1:]
        elif inner and isinstance(inner[0], (WText, WHeading)) and _short_title(_text(inner[0])):
            title, inner = _text(inner[0]).strip(), inner[1:]
        body = []
        for b in inner:
            if isinstance(b, WCase):
                body.extend(b.blocks)
            elif isinstance(b, WHeading):
                body.append(WText([Run(b.text, bold=True)], b.para))
            elif isinstance(b, WTable):
                body.extend(WText([Run(" ".join(c.text for c in row if c.text))], 0) for row in b.table.rows)
            else:
                body.append(b)
        return WCase(title, body, para, table_no)


def _opens_case(cell) -> bool:
    first = next((p for p in cell.items if isinstance(p, Para) and p.text.strip()), None)
    return first is not None and CASE_START.match(first.text.strip()) is not None


@dataclass
class _TextBox:
    items: list
    para: int


def _unbox(items: list) -> list:
    """Text boxes anchored in a paragraph follow it."""
    out = []
    for it in items:
        out.append(it)
        if isinstance(it, Para):
            out.extend(_TextBox(box, it.no) for box in it.boxes)
    return out


def _text(b) -> str:
    return b.text if isinstance(b, (WText, WHeading)) else ""


def _strip_indent(runs: list[Run]) -> list[Run]:
    """Spaces typed to indent the first line (Word users press space or 全角空格) are layout, not text."""
    runs = list(runs)
    while runs and not runs[0].text.strip(" \t\u3000\xa0"):
        runs.pop(0)
    if runs:
        runs[0] = Run(runs[0].text.lstrip(" \t\u3000\xa0"), runs[0].bold, runs[0].italic)
    return runs


def _close_cases(blocks: list) -> list:
    """A "案例 N：标题" paragraph takes the text and figures after it, up to the next heading, case or table."""
    out: list = []
    open_case: WCase | None = None
    for b in blocks:
        if isinstance(b, WCase) and not b.blocks:
            open_case = b
            out.append(b)
        elif isinstance(b, (WHeading, WTable, WCase)):
            open_case = None
            out.append(b)
        elif open_case is not None:
            open_case.blocks.append(b)
        else:
            out.append(b)
    return out


def word_location(label: str, para: int = 0, table: int = 0, row: int = 0) -> Location:
    """`file.docx › 第 N 段`, or `file.docx › 表 N › 第 r 行` (shown like a workbook's sheet › cell)."""
    if table:
        return Location(label, sheet=f"表 {table}", cell=f"第 {row} 行" if row else None)
    return Location(label, sheet=f"第 {para} 段") if para else Location(label)
