"""The report as a PDF whose 目录 shows real page numbers, and the .docx with the same 目录.

LibreOffice lays out the .docx but (like WPS) shows a TOC field's cached entries as they are.
So we lay out twice: convert, read where each 目录 heading landed (the number printed in its
page's footer), write those numbers into the document model's TocEntry.page, write the .docx
again and convert again. Body numbering restarts after the 目录, so the numbers cannot move
the body; a final check confirms they did not (up to MAX_PASSES layouts).
"""
from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Callable

from lxml import etree

from ..doc.model import Document, Toc, TocEntry
from ..errors import ExportError, Problems
from .fonts import installed_families, official_fonts, substitutions
from .office import Office, find_poppler, find_soffice, pdf_pages_text
from .pages import locate_headings, printed_numbers

MAX_PASSES = 3
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class PdfResult:
    docx: bytes                     # the .docx whose cached 目录 matches the PDF
    pdf: bytes
    pages: int | None               # None when poppler is missing and pages could not be read
    toc_entries: list[TocEntry]
    fonts: list[tuple[str, str]] = field(default_factory=list)   # (official font, installed face it printed in)
    texts: list[str] | None = None  # each page's text as laid out (pdftotext -layout), when poppler is present


def for_libreoffice(docx: bytes) -> bytes:
    """The .docx as LibreOffice must see it to lay it out the way Word does.

    LibreOffice's DOCX import reads w:overflowPunct inverted (ParaIsHangingPunctuation =
    val == 0), so the writer's "no CJK punctuation past the margin" (val 0, as Word reads
    it) would make LibreOffice hang every line-final "，" into the right margin.
    """
    src = zipfile.ZipFile(BytesIO(docx))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/styles.xml":
                data = data.replace(b'<w:overflowPunct w:val="0"/>', b'<w:overflowPunct w:val="1"/>')
            dst.writestr(info, data)
    return out.getvalue()


def check_tools(need_pages: bool = False) -> None:
    """Fail early, before any work, when LibreOffice (or poppler's pdftoppm for previews) is missing."""
    find_soffice()
    if need_pages:
        find_poppler("pdftoppm", "无法生成页面预览图")


def previous_toc_pages(draft: Path) -> dict[str, int]:
    """The 目录 page numbers cached in an earlier draft (entry text → page), {} when there is none.

    They are the first guess for this build's 目录: when the layout did not move, the first
    LibreOffice pass confirms them and one pass is enough.
    """
    try:
        with zipfile.ZipFile(draft) as z:
            root = etree.fromstring(z.read("word/document.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return {}
    pages = {}
    for p in root.iter(_W + "p"):
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is None or not style.get(_W + "val", "").startswith("TOC") or style.get(_W + "val") == "TOCHeading":
            continue
        text = "".join(t.text or "" if t.tag == _W + "t" else "\t" for t in p.iter(_W + "t", _W + "tab"))
        entry, _, page = text.rpartition("\t")
        if entry and page.isdigit():
            pages[entry] = int(page)
    return pages


def make_pdf(doc: Document, render: Callable[[], bytes], problems: Problems,
             timeout: float | None = None, guess: dict[str, int] | None = None, office=None) -> PdfResult:
    """Lay `doc` out with LibreOffice until its 目录 page numbers are the printed ones.

    `render()` writes the current `doc` as .docx bytes; it is called again after the 目录
    entries (`TocEntry.page`) of `doc` have been filled in. `guess` (from previous_toc_pages)
    fills the entries before the first pass. `office` (anything with to_pdf(docx) → pdf, e.g. the web
    page's warm LibreOffice for previews) replaces a fresh soffice per call.
    """
    entries = [e for b in doc.blocks if isinstance(b, Toc) for e in b.entries if e.level <= b.levels]
    for entry in entries:
        if entry.page is None and guess:
            entry.page = guess.get(entry.text)
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        work = Path(tmp)
        fonts = substitutions(official_fonts(doc.typography), installed_families())
        office = office or (Office(work, timeout, fonts) if timeout else Office(work, font_pairs=fonts))
        src = work / "report.docx"
        for n in range(MAX_PASSES):
            data = render()
            src.write_bytes(for_libreoffice(data))
            pdf = office.to_pdf(src)
            try:
                pages = pdf_pages_text(pdf)
            except ExportError as e:            # no poppler: a PDF without 目录 page numbers beats none
                problems.warning(f"{e.message}；PDF 的目录中暂无页码")
                return PdfResult(data, pdf.read_bytes(), None, entries, fonts)
            found = locate_headings([e.text for e in entries], pages,
                                    printed_numbers(pages, doc.typography.page_number_format))
            if [e.page for e in entries] == found:
                break
            for entry, page in zip(entries, found):
                entry.page = page
        else:
            problems.warning(f"目录页码经 {MAX_PASSES} 次排版仍有变化，请在 Word/WPS 中更新目录后核对")
        missing = [e.text for e in entries if e.page is None]
        if missing:
            problems.warning("以下目录条目未能在 PDF 中找到，页码留空：" + "、".join(missing))
        return PdfResult(data, pdf.read_bytes(), len(pages), entries, fonts, pages)
