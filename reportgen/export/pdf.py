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

from ..doc.model import Document, Toc, TocEntry
from ..errors import ExportError, Problems
from .fonts import installed_families, official_fonts, substitutions
from .office import Office, find_poppler, find_soffice, pdf_pages_text
from .pages import locate_headings, printed_numbers

MAX_PASSES = 3


@dataclass
class PdfResult:
    docx: bytes                     # the .docx whose cached 目录 matches the PDF
    pdf: bytes
    pages: int | None               # None when poppler is missing and pages could not be read
    toc_entries: list[TocEntry]
    fonts: list[tuple[str, str]] = field(default_factory=list)   # (official font, installed face it printed in)


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


def make_pdf(doc: Document, render: Callable[[], bytes], problems: Problems,
             timeout: float | None = None) -> PdfResult:
    """Lay `doc` out with LibreOffice until its 目录 page numbers are the printed ones.

    `render()` writes the current `doc` as .docx bytes; it is called again after the 目录
    entries (`TocEntry.page`) of `doc` have been filled in.
    """
    entries = [e for b in doc.blocks if isinstance(b, Toc) for e in b.entries if e.level <= b.levels]
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        work = Path(tmp)
        fonts = substitutions(official_fonts(doc.typography), installed_families())
        office = Office(work, timeout, fonts) if timeout else Office(work, font_pairs=fonts)
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
        return PdfResult(data, pdf.read_bytes(), len(pages), entries, fonts)
