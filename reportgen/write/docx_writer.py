"""Write a `reportgen.doc.model.Document` as a .docx file.

The only module in reportgen that imports python-docx. Everything visual comes from
`doc.typography`; the model arrives fully numbered, so this module only lays it out.

Sections: [cover] [everything up to and including the 目录] [body]. Only the body
section has a footer; its page numbers restart at 1, so the 目录's page numbers are
the ones printed on the pages.
"""
from __future__ import annotations

import gc
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import docx
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reportgen.doc import model as m
from reportgen.write import styles as st
from reportgen.write.blocks import Sink, arrange, render_block
from reportgen.write.fields import enable_update_fields, page_field
from reportgen.write.images import prepared_ahead
from reportgen.write.oxml import el, insert_in_order, mm_to_twips, sub, text_run
from reportgen.write.quotes import full_width_quotes
from reportgen.write.package import drop_template_leftovers, reproducible_zip, set_core_properties

__all__ = ["write_docx"]

PT_PER_MM = 72 / 25.4
# sectPr children that must follow w:pgNumType (ECMA-376 CT_SectPr order)
_AFTER_PGNUMTYPE = tuple(qn(t) for t in (
    "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings"))


def write_docx(doc: m.Document, out: str | Path | BinaryIO) -> None:
    """Write `doc` to `out` (a path or a binary file-like object).

    The same Document always gives the same bytes. Raises ValueError when an image
    cannot be read or the model is inconsistent (e.g. a table row of the wrong width).
    """
    data = render_docx(doc)
    if hasattr(out, "write"):
        out.write(data)
    else:
        Path(out).write_bytes(data)


def render_docx(doc: m.Document) -> bytes:
    t = doc.typography
    document = docx.Document()
    _page_setup(document.sections[0], t)
    width = text_width_twips(t)
    st.apply_styles(document, t, width)
    body = Sink(document.element.body, document.part, width)
    if doc.cover:
        _cover(body, doc.cover, t)
        _section_break(document, body)
    photos = (i.path for b in m.iter_blocks(doc.blocks) if isinstance(b, m.Figure) for i in b.images)
    with prepared_ahead(photos, t.image_max_px):      # photos are decoded and shrunk on worker threads
        for block in arrange(doc.blocks):     # portrait pairs side by side, no caption repeating a heading
            if isinstance(block, m.PageBreak):
                body.break_page()
                continue
            render_block(body, block, t)
            if isinstance(block, m.Toc):
                _section_break(document, body)
    full_width_quotes(document.element.body, {s.style_id: s.font for s in st.style_specs(t, width)}, t.body_font)
    _page_numbers(document.sections[-1], t)
    if doc.header:
        _running_header(document.sections[-1], doc.header, t)
    set_core_properties(document.core_properties, doc.properties)
    drop_template_leftovers(document)
    enable_update_fields(document.settings.element)
    st.set_theme_font_lang(document.settings.element)
    buf = BytesIO()
    document.save(buf)
    # the XML tree and image parts are no longer needed: free them (python-docx's parts refer to
    # each other, so only the cycle collector can) before the package is copied once more
    del document, body
    gc.collect()
    buf.seek(0)
    return reproducible_zip(buf)


def text_width_twips(t: m.Typography) -> int:
    return mm_to_twips(t.page_width_mm - t.margin_left_mm - t.margin_right_mm)


def _page_setup(section, t: m.Typography) -> None:
    section.page_width, section.page_height = Mm(t.page_width_mm), Mm(t.page_height_mm)
    section.top_margin, section.bottom_margin = Mm(t.margin_top_mm), Mm(t.margin_bottom_mm)
    section.left_margin, section.right_margin = Mm(t.margin_left_mm), Mm(t.margin_right_mm)


def _section_break(document, body: Sink) -> None:
    # add_section clones the current last sectPr (page size, margins) into a paragraph
    # at the end of the body: everything written so far becomes its own section
    document.add_section(WD_SECTION.NEW_PAGE)
    body.at_page_start, body.pending_break = True, False


def _cover(body: Sink, cover: m.Cover, t: m.Typography) -> None:
    text_height_pt = (t.page_height_mm - t.margin_top_mm - t.margin_bottom_mm) * PT_PER_MM
    # title in the upper third, then subtitle and school; date and extra lines in the lower part
    title = body.paragraph(st.TITLE)
    title.paragraph_format.space_before = Pt(text_height_pt * 0.2)
    title.add_run(cover.title)
    if cover.subtitle:
        body.paragraph(st.COVER_SUBTITLE).add_run(cover.subtitle)
    school = body.paragraph(st.COVER_SCHOOL)
    school.paragraph_format.space_before = Pt(text_height_pt * 0.12)
    school.add_run(cover.school)
    for i, line in enumerate(x for x in [cover.date, *cover.lines] if x):
        para = body.paragraph(st.COVER_LINE)
        if i == 0:
            para.paragraph_format.space_before = Pt(text_height_pt * 0.3)
        para.add_run(line)


def _page_numbers(section, t: m.Typography) -> None:
    """Footer "— N —" on the last section, numbering restarted at 1."""
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    p = para._p
    p.style = st.FOOTER
    prefix, _, suffix = t.page_number_format.partition("{n}")
    if prefix:
        text_run(p, prefix)
    page_field(p)
    if suffix:
        text_run(p, suffix)
    _restart_numbering(section._sectPr)


def _running_header(section, text: str, t: m.Typography) -> None:
    """The pack's running header (school and report name) over every body page, ruled below as in print;
    the cover and the 目录, sections of their own, have none."""
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    p = para._p
    p.style = st.HEADER
    ppr = p.get_or_add_pPr()
    border = sub(ppr, "w:pBdr")
    sub(border, "w:bottom", {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "auto"})
    text_run(p, text)


def _restart_numbering(sect_pr) -> None:
    insert_in_order(sect_pr, el("w:pgNumType", {"w:start": "1"}), _AFTER_PGNUMTYPE)
