"""The report as a PDF whose 目录 shows real page numbers, and the .docx with the same 目录.

LibreOffice lays out the .docx but (like WPS) shows a TOC field's cached entries as they are.
Driven through UNO (export/uno_office.py), LibreOffice updates the 目录 itself before it exports:
one layout, and its 目录 numbers go into the document model's TocEntry.page, so the .docx written
afterwards carries the same numbers. Without UNO we lay out twice: convert, read where each 目录
heading landed (the number printed in its page's footer), write those numbers into the model,
write the .docx again and convert again. Body numbering restarts after the 目录, so the numbers
cannot move the body; a final check confirms they did not (up to MAX_PASSES layouts).

Both ways also split a data table where a page breaks it, each continued part under a "续表N" line
(write/continued.py), and lay out again until the breaks hold (up to MAX_SPLITS more layouts).
"""
from __future__ import annotations

import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Callable

from lxml import etree

from ..doc.model import Document, Toc, TocEntry, Typography
from ..errors import Problems
from ..write.continued import page_breaks, previous_splits, split_tables, text_row_pages
from .fonts import fonts_for
from .office import find_soffice, pdf_page_count, pdf_pages_text
from .pages import locate_headings, printed_numbers, squash
from .uno_office import open_office

MAX_PASSES = 3
MAX_SPLITS = 3                   # layouts spent at most on making the 续表 splits hold
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class PdfResult:
    docx: bytes                     # the .docx whose cached 目录 matches the PDF
    pdf: bytes
    pages: int
    toc_entries: list[TocEntry]
    fonts: list[tuple[str, str]] = field(default_factory=list)   # (official font, installed face it printed in)
    texts: list[str] | None = None  # each page's text as laid out, when it was read (the two-pass way)
    splits: dict[int, list[int]] = field(default_factory=dict)   # where tables were split into 续表 (continued.py)


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


def check_tools() -> None:
    """Fail early, before any work, when LibreOffice is missing."""
    find_soffice()


@contextmanager
def started_office(typography: Typography | None = None, timeout: float | None = None):
    """A LibreOffice for one build, started now so that its start-up overlaps with the build's own work.

    Without the project's typography yet, it gets the replacement table of the default (GB/T 9704)
    fonts; make_pdf starts another if the project's pack names other fonts."""
    with tempfile.TemporaryDirectory(prefix="reportgen-office-") as tmp:
        office = open_office(Path(tmp), fonts_for(typography or Typography()),
                             **({"timeout": timeout} if timeout else {}))
        try:
            yield office
        finally:
            office.close()


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
             timeout: float | None = None, guess: dict[str, int] | None = None, office=None,
             for_screen: bool = False, splits: dict[int, list[int]] | None = None) -> PdfResult:
    """Lay `doc` out with LibreOffice so that its 目录 page numbers are the printed ones.

    `render()` writes the current `doc` as .docx bytes; it is called again after the 目录
    entries (`TocEntry.page`) of `doc` have been filled in. `guess` (from previous_toc_pages)
    fills the entries before the first layout. `office` (e.g. the web page's warm LibreOffice)
    replaces one started for this call. `for_screen`: a PDF only drawn as page previews (lighter pictures).
    `splits` (from continued.previous_splits) are the first guess of where tables break into 续表.
    """
    entries = [e for b in doc.blocks if isinstance(b, Toc) for e in b.entries if e.level <= b.levels]
    for entry in entries:
        if entry.page is None and guess:
            entry.page = guess.get(entry.text)
    fonts = fonts_for(doc.typography)
    if office is not None and not set(fonts) <= set(getattr(office, "fonts", fonts)):
        office = None                # started before the pack was known, without this pack's fonts
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        work = Path(tmp)
        own = office is None
        if own:                      # starts LibreOffice now, so its start-up overlaps with render()
            office = open_office(work, fonts, **({"timeout": timeout} if timeout else {}))
        try:
            src = work / "report.docx"
            plain = render()
            src.write_bytes(for_libreoffice(split_tables(plain, splits or {})[0]))
            number_format = doc.typography.page_number_format
            if hasattr(office, "lay_out"):     # LibreOffice driven through UNO: one layout
                data, pdf, texts = _one_pass(office, src, plain, entries, render, fonts, number_format, problems,
                                             for_screen, splits or {})
            else:
                data, pdf, texts = _passes(office, src, plain, entries, render, number_format, problems,
                                           breaks=splits)
            splits = previous_splits(BytesIO(data))
        finally:
            if own:
                office.close()
        missing = [e.text for e in entries if e.page is None]
        if missing:
            problems.warning("以下目录条目未能在 PDF 中找到，页码留空：" + "、".join(missing))
        return PdfResult(data, pdf, len(texts) if texts is not None else pdf_page_count(pdf), entries, fonts, texts,
                         splits)


def _one_pass(office, src: Path, plain: bytes, entries: list[TocEntry], render, fonts, number_format: str,
              problems: Problems, for_screen: bool, breaks: dict[int, list[int]]) -> tuple[bytes, bytes, list[str] | None]:
    """LibreOffice updates the 目录 and exports; the .docx is written again, while it exports, if its numbers changed.

    A data table that runs over a page is split where the page breaks it, under a "续表N" line
    (write/continued.py), and laid out again until the breaks hold (the lines can move a break);
    a layout without such a table, or where the guessed `breaks` (split in `src`) hold, is exported at once."""
    ours = [squash(e.text) for e in entries]
    written: list[bytes] = []
    data, parts = split_tables(plain, breaks)     # `plain` as rendered; `src` holds `data`

    def on_toc(toc: list[tuple[str, str]]) -> None:
        found = [int(page) if page.isdigit() else None for _, page in toc]
        if [squash(text) for text, _ in toc] == ours and [e.page for e in entries] != found:
            for entry, page in zip(entries, found):
                entry.page = page
            written.append(split_tables(render(), breaks)[0])

    for n in range(MAX_SPLITS + 1):
        found: dict[int, list[int]] = {}

        def on_rows(rows: list[list[int]], last: bool = n == MAX_SPLITS) -> bool:
            found.update(page_breaks(parts, rows))
            return found == breaks or last     # after MAX_SPLITS the breaks are taken as they are

        layout = office.lay_out(src, fonts=fonts, on_toc=on_toc, on_rows=on_rows,
                                row_tables=[i for i, p in enumerate(parts) if p.label],
                                **({"for_screen": True} if for_screen else {}))
        if layout.pdf is not None:
            break
        breaks = found
        data, parts = split_tables(plain, breaks)
        src.write_bytes(for_libreoffice(data))
    if layout.toc is None or [squash(text) for text, _ in layout.toc] != ours:
        # not updated (a cold fallback), or LibreOffice's 目录 lists other headings than ours (it reads
        # outline levels its own way): this layout's body gives the pages, ours are printed the two-pass way
        return _passes(office, src, plain, entries, render, number_format, problems, first=layout.pdf, breaks=breaks)
    return (written[-1] if written else data), layout.pdf.read_bytes(), None


def _passes(office, src: Path, plain: bytes, entries: list[TocEntry], render, number_format: str,
            problems: Problems, first: Path | None = None,
            breaks: dict[int, list[int]] | None = None) -> tuple[bytes, bytes, list[str]]:
    """Convert, read each 目录 heading's printed page, write them in and convert again until they hold.

    `plain` is the .docx as rendered; `src` holds it split at `breaks` (write/continued.py), and
    `first` is a PDF of `src` already laid out. Where a data table runs over a page, read from
    each page's text, it is split there as in the one-layout way (at most MAX_SPLITS times)."""
    breaks = dict(breaks or {})
    data, parts = split_tables(plain, breaks)
    splits = 0
    for n in range(MAX_PASSES + MAX_SPLITS):
        if n:
            data, parts = split_tables(render(), breaks)
            src.write_bytes(for_libreoffice(data))
        pdf = first if n == 0 and first is not None else office.to_pdf(src)
        texts = pdf_pages_text(pdf)
        found = locate_headings([e.text for e in entries], texts, printed_numbers(texts, number_format))
        moved = page_breaks(parts, text_row_pages(parts, texts))
        split_again = moved != breaks and splits < MAX_SPLITS
        if [e.page for e in entries] == found and not split_again:
            break
        if split_again:
            breaks, splits = moved, splits + 1
        for entry, page in zip(entries, found):
            entry.page = page
    else:
        problems.warning(f"目录页码经 {MAX_PASSES + MAX_SPLITS} 次排版仍有变化，请在 Word/WPS 中更新目录后核对")
    return data, pdf.read_bytes(), texts
