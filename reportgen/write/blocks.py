"""Rendering model blocks into a `Sink`: the document body or the inside of a case box."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from weakref import WeakKeyDictionary

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Emu, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from reportgen.doc import model as m
from reportgen.write import styles as st
from reportgen.write.fields import field_begin, field_end, toc_instruction
from reportgen.write.images import fit_box, prepare_image
from reportgen.write.oxml import EMU_PER_MM, el, pt_to_twips, sub, text_run
from reportgen.write.colwidths import text_em
from reportgen.write.images import is_portrait
from reportgen.write.tables import (CELL_MARGIN_TWIPS, box_row, box_table, cell_width, data_table,
                                    ensure_ends_with_paragraph, grid_table, keep_row_with_next)

CAPTION_SEP = "\u3000"          # ideographic space between "表 3" and its title
CASE_SEP = "："
EMU_PER_TWIP = 635
PT_PER_MM = 72 / 25.4
FIGURE_SHARE = 0.38             # a picture and its caption take at most this share of the text height
# A run of case text up to this share of the text height is never split. A run that does not fit is moved
# whole, leaving up to this share plus the box's padding (about 3%) empty: measured on the demo, 0.40 left a
# page 42% empty, 0.37 keeps within the 40% the print rules allow (a case of ~9 lines of 楷体 with its title).
KEEP_SHARE = 0.37
TOC_EMPTY_HINT = "（打开文档后更新域以生成目录）"

_PARAGRAPH_STYLES = {
    "body": st.NORMAL, "note": st.NOTE, "signature": st.SIGNATURE,
    "salutation": st.SALUTATION, "centered": st.CENTERED,
    "title": st.TITLE, "subtitle": st.COVER_SUBTITLE,      # a work report's own title lines (no cover page)
}


@dataclass
class Sink:
    """Where blocks go, and how wide it is there (twips)."""
    element: object           # w:body or w:tc
    part: object              # the DocumentPart: python-docx proxies find images and ids through it
    width: int
    in_case: bool = False
    at_page_start: bool = True
    pending_break: bool = False

    def append(self, child):
        last = self.element[-1] if len(self.element) else None
        if last is not None and last.tag == qn("w:sectPr"):   # the body's final sectPr stays last
            last.addprevious(child)
        else:
            self.element.append(child)
        self.at_page_start = False
        return child

    def paragraph(self, style_id: str) -> DocxParagraph:
        p = el("w:p")
        sub(sub(p, "w:pPr"), "w:pStyle", {"w:val": style_id})
        self.append(p)
        para = DocxParagraph(p, self.part)
        if self.pending_break:
            # pageBreakBefore rather than a <w:br type=page/> paragraph, which would leave
            # an empty line at the top of the next page
            para.paragraph_format.page_break_before = True
            self.pending_break = False
        return para

    def table(self, tbl) -> None:
        last = self.last_block()
        # Word fuses two adjacent tables into one; a page break needs a paragraph to live in
        if self.pending_break or (last is not None and last.tag == qn("w:tbl")):
            self.paragraph(st.NORMAL).paragraph_format.line_spacing = Pt(1)
        self.append(tbl)

    def break_page(self) -> None:
        if not self.at_page_start:
            self.pending_break = True

    def last_block(self):
        for child in reversed(self.element):
            if child.tag in (qn("w:p"), qn("w:tbl")):
                return child
        return None


# ---------------------------------------------------------------- dispatch
def render_blocks(sink: Sink, blocks: list[m.Block], t: m.Typography) -> None:
    for block in arrange(blocks):
        render_block(sink, block, t)


def render_block(sink: Sink, block: m.Block, t: m.Typography) -> None:
    renderer = _RENDERERS.get(type(block))
    if renderer is None:
        raise ValueError(f"cannot write a {type(block).__name__} block here")
    renderer(sink, block, t)


def heading(sink: Sink, h: m.Heading, t: m.Typography) -> None:
    level = min(max(h.level, 1), st.HEADING_LEVELS)
    para = sink.paragraph(st.heading_id(level, h.in_toc))
    add_text(para, h.label + h.text)
    if level == 1 and not h.label:      # 前言, 附表 …
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = 0


def paragraph(sink: Sink, p: m.Paragraph, t: m.Typography) -> None:
    style = _PARAGRAPH_STYLES.get(p.style)
    if style is None:
        raise ValueError(f"unknown paragraph style {p.style!r}; expected one of {sorted(_PARAGRAPH_STYLES)}")
    if sink.in_case and style == st.NORMAL:
        style = st.CASE_TEXT
    add_inlines(sink.paragraph(style), p.inlines)


def add_inlines(para: DocxParagraph, inlines: list[m.Inline]) -> None:
    for inline in inlines:
        run = add_text(para, inline.text)
        if isinstance(inline, m.Placeholder):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            if inline.bold:
                run.bold = True
            if inline.italic:
                run.italic = True


def add_text(para: DocxParagraph, text: str) -> Run:
    """`para.add_run(text)` without python-docx's cost: its text setter compiles an XPath to clear
    the run and appends character by character (a third of the writing time of a long report).
    Same XML: tabs become w:tab, line breaks w:br."""
    run = para.add_run()
    r = run._r
    for i, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if i:
            sub(r, "w:br")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                sub(r, "w:tab")
            if chunk:
                t = sub(r, "w:t")
                t.text = chunk
                if chunk[0].isspace() or chunk[-1].isspace():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def key_value(sink: Sink, kv: m.KeyValue, t: m.Typography) -> None:
    for label, value in kv.items:
        para = sink.paragraph(st.KEY_VALUE)
        sep = "" if label.endswith(("：", ":")) else "："
        add_text(para, label + sep).bold = True
        add_text(para, value)


def caption_text(label: str, title: str, sep: str = CAPTION_SEP) -> str:
    return sep.join(part for part in (label.strip(), title.strip()) if part)


def table(sink: Sink, tb: m.Table, t: m.Typography) -> None:
    text = caption_text(tb.label, tb.title)
    if text:
        cap = sink.paragraph(st.CAPTION)
        cap.paragraph_format.keep_with_next = True
        add_text(cap, text)
    sink.table(data_table(tb, t, sink.width, whole_pt=keep_height_pt(t)))
    for note in tb.notes:
        add_text(sink.paragraph(st.NOTE), note)


# ---------------------------------------------------------------- figures
def figure(sink: Sink, fig: m.Figure, t: m.Typography) -> None:
    text = caption_text(fig.label, fig.caption)
    if len(fig.images) == 1:
        _picture(sink.paragraph(st.FIGURE), fig.images[0], t, sink.width)
        if text:
            add_text(sink.paragraph(st.CAPTION), text)
    elif fig.images:
        _image_grid(sink, fig.images, t, text)


def _image_grid(sink: Sink, images: list[m.Image], t: m.Typography, caption: str) -> None:
    # the figure caption sits in a row of the same table: a paragraph after a table is not
    # reliably kept with it, a row is (keepNext on the row above)
    tbl, cells, under = grid_table(len(images), sink.width, caption=bool(caption))
    sink.table(tbl)
    for image, tc in zip(images, cells):
        cell = Sink(tc, sink.part, cell_width(tc) - 2 * CELL_MARGIN_TWIPS, sink.in_case)
        _picture(cell.paragraph(st.FIGURE), image, t, cell.width)
        if image.caption:
            add_text(cell.paragraph(st.SUBCAPTION), image.caption)
    if under is not None:
        add_text(Sink(under, sink.part, sink.width).paragraph(st.CAPTION), caption)
        keep_row_with_next(cells[0].getparent())


@dataclass
class PortraitPair:
    """Two figures in a row, each one portrait photo: printed side by side, each with its caption."""
    figures: tuple[m.Figure, m.Figure]


def arrange(blocks: list[m.Block]) -> list:
    """`blocks` as printed: each two adjacent single-portrait figures joined into a PortraitPair,
    and no caption on a table right under a heading that already names it (附件：成员单位名单)."""
    out: list = []
    for block in blocks:
        prev = out[-1] if out else None
        if _lone_portrait(block) and isinstance(prev, m.Figure) and _lone_portrait(prev):
            out[-1] = PortraitPair((prev, block))
        elif isinstance(block, m.Table) and isinstance(prev, m.Heading) and block.title \
                and (prev.label + prev.text).endswith(block.title):
            out.append(replace(block, label="", title=""))
        else:
            out.append(block)
    return out


def _lone_portrait(block) -> bool:
    return isinstance(block, m.Figure) and len(block.images) == 1 and is_portrait(block.images[0].path)


def portrait_pair(sink: Sink, pair: PortraitPair, t: m.Typography) -> None:
    tbl, cells, _ = grid_table(2, sink.width)
    sink.table(tbl)
    for fig, tc in zip(pair.figures, cells):
        cell = Sink(tc, sink.part, cell_width(tc) - 2 * CELL_MARGIN_TWIPS, sink.in_case)
        _picture(cell.paragraph(st.FIGURE), fig.images[0], t, cell.width)
        text = caption_text(fig.label, fig.caption)
        if text:
            add_text(cell.paragraph(st.CAPTION), text)


def _picture(para: DocxParagraph, image: m.Image, t: m.Typography, avail_twips: int) -> None:
    prepared = prepare_image(image.path, t.image_max_px)
    box_w = min(round(t.image_max_width_mm * EMU_PER_MM), avail_twips * EMU_PER_TWIP)
    box_h = round(picture_max_height_mm(t) * EMU_PER_MM)
    w, h = fit_box(prepared.width_px, prepared.height_px, box_w, box_h)
    media = _media(para.part)
    rId, filename = media.add(para.part, prepared.data)
    inline = CT_Inline.new_pic_inline(media.shape_id(), rId, filename, Emu(w), Emu(h))
    para.add_run()._r.add_drawing(inline)
    # Word always writes these; without them LibreOffice pads the picture ~3 mm each
    # side, so a full-width picture is pushed off centre
    for side in ("distT", "distB", "distL", "distR"):
        inline.set(side, "0")


def text_height_mm(t: m.Typography) -> float:
    return t.page_height_mm - t.margin_top_mm - t.margin_bottom_mm


def picture_max_height_mm(t: m.Typography) -> float:
    """A picture with its caption takes at most FIGURE_SHARE of the text height: so a portrait photo
    never fills the page, and a figure pushed to the next page never leaves more than that empty."""
    caption_pt = t.body_size / 2 + t.caption_size * 2.5      # the Figure style's space above, the caption line
    return text_height_mm(t) * FIGURE_SHARE - caption_pt / PT_PER_MM


@dataclass
class _Media:
    """The pictures of one document part. python-docx's `run.add_picture` rescans the whole
    document for a free shape id and re-hashes every stored image on each picture (quadratic in
    the number of photos); here the ids are counted and each image is hashed once. Identical
    images are still stored once, as python-docx does. (No reference to the part here: it is the
    key of the weak dictionary that holds this.)"""
    next_id: int
    next_number: int
    used_numbers: set[int]
    by_sha1: dict[str, tuple[str, str]] = field(default_factory=dict)    # sha1 -> (rId, filename)

    def shape_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, part, data: bytes) -> tuple[str, str]:
        key = hashlib.sha1(data).hexdigest()
        if key not in self.by_sha1:
            image = DocxImage.from_blob(data)
            while self.next_number in self.used_numbers:
                self.next_number += 1
            self.used_numbers.add(self.next_number)
            image_part = ImagePart.from_image(image, PackURI(f"/word/media/image{self.next_number}.{image.ext}"))
            part.package.image_parts.append(image_part)     # python-docx's own lookups see it
            self.by_sha1[key] = (part.relate_to(image_part, RT.IMAGE), image.filename)
        return self.by_sha1[key]


_MEDIA: WeakKeyDictionary = WeakKeyDictionary()


def _media(part) -> _Media:
    media = _MEDIA.get(part)
    if media is None:
        used = {p.partname.idx for p in part.package.image_parts}
        media = _MEDIA[part] = _Media(part.next_id, 1, used)
    return media


# ---------------------------------------------------------------- cases
def case(sink: Sink, c: m.Case, t: m.Typography) -> None:
    """A shaded box: one table row per run of paragraphs that is kept on one page.

    The title and the first paragraph share the first row, so a title never ends a page. A
    case up to about KEEP_SHARE of the text height is one row and stays whole on one page;
    a longer one breaks only between its rows, so moving a row never leaves more than that
    share of a page empty.
    """
    pad_v, pad_h = pt_to_twips(t.case_size / 2), pt_to_twips(t.case_size)
    last = sink.last_block()
    if last is not None and last.tag == qn("w:tbl"):
        gap = sink.paragraph(st.NORMAL)      # a table right above: keep the box off its bottom rule
        gap.paragraph_format.line_spacing = Pt(t.line_spacing_pt / 2)
    tbl = box_table(sink.width, {"top": pad_v, "bottom": pad_v, "left": pad_h, "right": pad_h})
    sink.table(tbl)
    inner_width = sink.width - 2 * pad_h
    title = caption_text(c.label, c.title, CASE_SEP)
    chunks = case_rows(c.blocks, t, inner_width, title)
    for i, (blocks, height) in enumerate(chunks):
        pad = {"top": pad_v if i == 0 else 0, "bottom": pad_v if i == len(chunks) - 1 else 0}
        # a row holding a photo and the paragraph before it moves whole when it fits on a page
        photo = any(isinstance(b, (m.Figure, PortraitPair)) for b in blocks)
        whole = height <= keep_height_pt(t) or (photo and height <= text_height_mm(t) * PT_PER_MM * 0.9)
        tc = box_row(tbl, sink.width, t.case_shading, pad, cant_split=whole)
        inner = Sink(tc, sink.part, inner_width, in_case=True)
        if i == 0 and title:
            add_text(inner.paragraph(st.CASE_TITLE), title)
        render_blocks(inner, blocks, t)
        ensure_ends_with_paragraph(tc)
    gap = sink.paragraph(st.NORMAL)      # breathing room under the box
    gap.paragraph_format.line_spacing = Pt(t.line_spacing_pt / 2)


def keep_height_pt(t: m.Typography) -> float:
    return text_height_mm(t) * PT_PER_MM * KEEP_SHARE


def case_rows(blocks: list[m.Block], t: m.Typography, width_twips: int, title: str) -> list[tuple[list, float]]:
    """The case's blocks cut into rows of at most keep_height_pt (a block taller than that alone)."""
    limit = keep_height_pt(t)
    rows: list[tuple[list, float]] = []
    current: list = []
    height = _lines(title, t.case_size, width_twips) * t.case_line_spacing_pt if title else 0.0
    for block in arrange(blocks):
        h = estimate_pt(block, t, width_twips)
        photo = isinstance(block, (m.Figure, PortraitPair))
        if current and height + h > limit and not (photo and len(current) == 1):
            carried = []
            if photo:
                # a photo never opens a page on its own: the paragraph before it goes along
                carried = [current.pop()]
                height -= estimate_pt(carried[0], t, width_twips)
            rows.append((current, height))
            current, height = carried, sum(estimate_pt(b, t, width_twips) for b in carried)
        current.append(block)
        height += h
    rows.append((current, height))
    return rows


def estimate_pt(block, t: m.Typography, width_twips: int) -> float:
    """A generous estimate of a block's printed height inside a case box."""
    if isinstance(block, m.Paragraph):
        return _lines("".join(i.text for i in block.inlines), t.case_size, width_twips) * t.case_line_spacing_pt
    if isinstance(block, (m.Figure, PortraitPair)):
        return text_height_mm(t) * PT_PER_MM * FIGURE_SHARE
    if isinstance(block, m.Table):
        return (len(block.rows) + 2) * t.table_size * 2.6
    if isinstance(block, m.KeyValue):
        return len(block.items) * 2 * t.case_line_spacing_pt
    return t.case_line_spacing_pt


def _lines(text: str, size_pt: float, width_twips: int) -> int:
    per_line = width_twips / pt_to_twips(size_pt)
    return max(1, math.ceil((text_em(text) + 2) / per_line))


# ---------------------------------------------------------------- table of contents
def toc(sink: Sink, toc_block: m.Toc, t: m.Typography) -> None:
    if sink.in_case:
        raise ValueError("a table of contents cannot appear inside a case")
    add_text(sink.paragraph(st.TOC_HEADING), toc_block.title)
    entries = [e for e in toc_block.entries if e.level <= toc_block.levels]
    instruction = toc_instruction(toc_block.levels)
    if not entries:
        p = sink.paragraph(st.toc_id(1))._p
        field_begin(p, instruction)
        text_run(p, TOC_EMPTY_HINT)
        field_end(p)
        return
    for i, entry in enumerate(entries):
        p = sink.paragraph(st.toc_id(min(max(entry.level, 1), st.HEADING_LEVELS)))._p
        if i == 0:
            field_begin(p, instruction)
        text_run(p, entry.text)
        if entry.page is not None:
            sub(sub(p, "w:r"), "w:tab")
            text_run(p, str(entry.page))
        if i == len(entries) - 1:
            field_end(p)


_RENDERERS = {
    m.Heading: heading, m.Paragraph: paragraph, m.Table: table, m.Figure: figure,
    m.Case: case, m.KeyValue: key_value, m.Toc: toc, PortraitPair: portrait_pair,
}
