"""Rendering model blocks into a `Sink`: the document body or the inside of a case box."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
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
from reportgen.write.tables import (CELL_MARGIN_TWIPS, box_table, cell_width, data_table,
                                    ensure_ends_with_paragraph, grid_table)

CAPTION_SEP = "\u3000"          # ideographic space between "表 3" and its title
CASE_SEP = "："
EMU_PER_TWIP = 635
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
        last = self._last_block()
        # Word fuses two adjacent tables into one; a page break needs a paragraph to live in
        if self.pending_break or (last is not None and last.tag == qn("w:tbl")):
            self.paragraph(st.NORMAL).paragraph_format.line_spacing = Pt(1)
        self.append(tbl)

    def break_page(self) -> None:
        if not self.at_page_start:
            self.pending_break = True

    def _last_block(self):
        for child in reversed(self.element):
            if child.tag in (qn("w:p"), qn("w:tbl")):
                return child
        return None


# ---------------------------------------------------------------- dispatch
def render_blocks(sink: Sink, blocks: list[m.Block], t: m.Typography) -> None:
    for block in blocks:
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
    sink.table(data_table(tb, t, sink.width))
    for note in tb.notes:
        add_text(sink.paragraph(st.NOTE), note)


# ---------------------------------------------------------------- figures
def figure(sink: Sink, fig: m.Figure, t: m.Typography) -> None:
    if len(fig.images) == 1:
        _picture(sink.paragraph(st.FIGURE), fig.images[0], t, sink.width)
    elif fig.images:
        _image_grid(sink, fig.images, t)
    text = caption_text(fig.label, fig.caption)
    if text:
        add_text(sink.paragraph(st.CAPTION), text)


def _image_grid(sink: Sink, images: list[m.Image], t: m.Typography) -> None:
    tbl, cells = grid_table(len(images), sink.width)
    sink.table(tbl)
    for image, tc in zip(images, cells):
        cell = Sink(tc, sink.part, cell_width(tc) - 2 * CELL_MARGIN_TWIPS, sink.in_case)
        _picture(cell.paragraph(st.FIGURE), image, t, cell.width)
        if image.caption:
            sub_cap = cell.paragraph(st.SUBCAPTION)
            sub_cap.paragraph_format.keep_with_next = True   # with the figure caption under the table
            add_text(sub_cap, image.caption)


def _picture(para: DocxParagraph, image: m.Image, t: m.Typography, avail_twips: int) -> None:
    prepared = prepare_image(image.path, t.image_max_px)
    # a square box: landscape photos get the full width, portrait ones don't fill the page
    box = min(round(t.image_max_width_mm * EMU_PER_MM), avail_twips * EMU_PER_TWIP)
    w, h = fit_box(prepared.width_px, prepared.height_px, box, box)
    media = _media(para.part)
    rId, filename = media.add(para.part, prepared.data)
    inline = CT_Inline.new_pic_inline(media.shape_id(), rId, filename, Emu(w), Emu(h))
    para.add_run()._r.add_drawing(inline)
    # Word always writes these; without them LibreOffice pads the picture ~3 mm each
    # side, so a full-width picture is pushed off centre
    for side in ("distT", "distB", "distL", "distR"):
        inline.set(side, "0")


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
    pad_v, pad_h = pt_to_twips(t.case_size / 2), pt_to_twips(t.case_size)
    margins = {"top": pad_v, "bottom": pad_v, "left": pad_h, "right": pad_h}
    tbl, tc = box_table(sink.width, t.case_shading, margins)
    sink.table(tbl)
    inner = Sink(tc, sink.part, sink.width - 2 * pad_h, in_case=True)
    title = caption_text(c.label, c.title, CASE_SEP)
    if title:
        add_text(inner.paragraph(st.CASE_TITLE), title)
    render_blocks(inner, c.blocks, t)
    ensure_ends_with_paragraph(tc)
    gap = sink.paragraph(st.NORMAL)      # breathing room under the box
    gap.paragraph_format.line_spacing = Pt(t.line_spacing_pt / 2)


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
    m.Case: case, m.KeyValue: key_value, m.Toc: toc,
}
