"""续表: a data table that a page breaks is split there, each continued part under a "续表N" line.

Word has no text that shows only on a continued page, so the split is made where a layout broke
the table (export/pdf.py: LibreOffice lays the .docx out and reports the page each row starts on).
Each part after the first becomes a table of its own, under a "续表N" line (style TableContinued,
kept with the table) and a copy of the header rows; a category merged down across the break is
printed again at the top of the new part. load/word/reader.py joins the parts back into one table,
so absorb and the Word section reader see the table as it was written.

Pure functions over the .docx bytes; no layout here.
"""
from __future__ import annotations

import copy
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from reportgen.write.styles import CAPTION, TABLE_CONTINUED

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCUMENT = "word/document.xml"
CONTINUED = "续"
_CAPTION_SEP = "\u3000"         # write/blocks.py joins a table's label and title with it
_WS = re.compile(r"\s+")


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


@dataclass
class Part:
    """One body-level table of a (split) .docx: which written table it belongs to, which of its rows it holds."""
    table: int                   # the written table's index among the body's tables before any split
    rows: list[int | None]       # each row's index in the written table; None for a repeated header row
    label: str = ""              # "表 1": the table may be split (a captioned table with a header row)
    header: int = 0              # its header rows
    texts: list[str] = field(default_factory=list)   # each row's text without white space (as a PDF's text shows it)


def body_tables(body) -> list:
    """The body-level tables in document order (also inside body-level content controls)."""
    out = []
    for child in body:
        if child.tag == _w("tbl"):
            out.append(child)
        elif child.tag in (_w("sdt"), _w("sdtContent"), _w("customXml")):
            out.extend(body_tables(child))
    return out


def split_tables(docx: bytes, breaks: dict[int, list[int]]) -> tuple[bytes, list[Part]]:
    """The .docx with table i split before each row in breaks[i], and the parts it then has.

    Only a captioned table with a header row is split, never before its first body row."""
    src = zipfile.ZipFile(BytesIO(docx))
    root = etree.fromstring(src.read(_DOCUMENT))
    parts: list[Part] = []
    for index, tbl in enumerate(body_tables(root.find(_w("body")))):
        rows = tbl.findall(_w("tr"))
        label, header = _label(tbl), _header_rows(rows)
        texts = [_squashed(tr) for tr in rows]
        if not (label and header):
            parts.append(Part(index, list(range(len(rows))), texts=texts))
            continue
        cuts = sorted({b for b in breaks.get(index, ()) if header < b < len(rows)})
        bounds = [0, *cuts, len(rows)]
        parts.append(Part(index, list(range(bounds[1])), label, header, texts[:bounds[1]]))
        anchor = tbl
        for start, end in zip(bounds[1:], bounds[2:]):
            _drop_keep_next(rows[start - 1])
            part = _continued_table(tbl, rows, header, start, end)
            line = _continued_line(CONTINUED + label)
            anchor.addnext(line)
            line.addnext(part)
            anchor = part
            parts.append(Part(index, [None] * header + list(range(start, end)), label, header,
                              texts[:header] + texts[start:end]))
    if not any(breaks.values()):
        return docx, parts
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _DOCUMENT:
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue(), parts


def previous_splits(draft) -> dict[int, list[int]]:
    """Where an earlier draft (a path or file) split its tables, as split_tables takes it; {} when there is none.

    The first guess for this build: when the layout did not move, the first layout confirms it."""
    try:
        with zipfile.ZipFile(draft) as z:
            body = etree.fromstring(z.read(_DOCUMENT)).find(_w("body"))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return {}
    out: dict[int, list[int]] = {}
    index, rows = -1, 0
    for tbl in body_tables(body) if body is not None else []:
        trs = tbl.findall(_w("tr"))
        line = tbl.getprevious()
        if index >= 0 and line is not None and _styled(line, TABLE_CONTINUED) \
                and line.getprevious() is not None and line.getprevious().tag == _w("tbl"):
            out.setdefault(index, []).append(rows)
            rows += len(trs) - _header_rows(trs)
        else:
            index, rows = index + 1, len(trs)
    return out


def page_breaks(parts: list[Part], pages: list[list[int]]) -> dict[int, list[int]]:
    """Where a new page starts inside each splittable written table: {table: [row, …]}.

    `pages` is the page each row of each body-level table starts on, as laid out (0: unknown; a table
    that may not be split may have none).
    A row breaks when it starts on a later page than the row before it, counted over the written
    table's rows (a part that now starts on the page the part before it ends on breaks nowhere).
    {} when the layout's tables are not these parts (then nothing is split)."""
    if len(pages) != len(parts) or any(p.label and len(p.rows) != len(pg) for p, pg in zip(parts, pages)):
        return {}
    placed: dict[int, list[tuple[int, int]]] = {}
    header: dict[int, int] = {}
    for part, row_pages in zip(parts, pages):
        if not part.label:
            continue
        header[part.table] = part.header
        placed.setdefault(part.table, []).extend(
            (row, page) for row, page in zip(part.rows, row_pages) if row is not None and page)
    out = {}
    for table, rows in placed.items():
        rows.sort()
        cuts = [row for (_, before), (row, page) in zip(rows, rows[1:]) if page > before and row > header[table]]
        if cuts:
            out[table] = cuts
    return out


def text_row_pages(parts: list[Part], pages: list[str]) -> list[list[int]]:
    """The page (1-based) each row of each part starts on, found in the PDF's text of each page (0: not found).

    For a layout that cannot be asked (soffice --convert-to): LibreOffice writes a table cell by
    cell, so without white space a row's text is one run of a page's text. Rows are searched in
    document order, each from where the one before it was found; a repeated header row, and a table
    that may not be split, are not searched ([] for the latter)."""
    text = [_WS.sub("", page) for page in pages]
    page, pos = 0, 0
    out = []
    for part in parts:
        found = []
        for row, row_text in zip(part.rows, part.texts) if part.label else ():
            at = -1
            if row is not None and row_text:
                p, start = page, pos
                while p < len(text) and (at := text[p].find(row_text, start)) < 0:
                    p, start = p + 1, 0
            if at < 0:
                found.append(0)
                continue
            page, pos = p, at + len(row_text)
            found.append(page + 1)
        out.append(found)
    return out


# ---------------------------------------------------------------- the parts
def _squashed(tr) -> str:
    return _WS.sub("", "".join(t.text or "" for t in tr.iter(_w("t"))))


def _label(tbl) -> str:
    """The label ("表 1") of the caption right above the table, "" when it has none."""
    caption = tbl.getprevious()
    if caption is None or caption.tag != _w("p"):
        return ""
    if not _styled(caption, CAPTION):
        return ""
    text = "".join(t.text or "" for t in caption.iter(_w("t")))
    label = text.split(_CAPTION_SEP)[0].strip()
    return label if re.match(r"^(数据)?表\s*\S", label) else ""


def _styled(p, style_id: str) -> bool:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return style is not None and style.get(_w("val")) == style_id


def _header_rows(rows) -> int:
    n = 0
    for tr in rows:
        if tr.find(f"{_w('trPr')}/{_w('tblHeader')}") is None:
            break
        n += 1
    return n


def _continued_table(tbl, rows, header: int, start: int, end: int):
    """A table with `tbl`'s properties and grid, a copy of its header rows and rows[start:end] (moved)."""
    part = etree.Element(tbl.tag, nsmap=tbl.nsmap)
    for child in tbl:
        if child.tag != _w("tr"):
            part.append(copy.deepcopy(child))
    for tr in rows[:header]:
        part.append(copy.deepcopy(tr))
    for tr in rows[start:end]:
        part.append(tr)
    _restart_merges(rows, start)
    return part


def _continued_line(text: str):
    p = etree.Element(_w("p"))
    ppr = etree.SubElement(p, _w("pPr"))
    etree.SubElement(ppr, _w("pStyle")).set(_w("val"), TABLE_CONTINUED)
    etree.SubElement(ppr, _w("keepNext"))
    etree.SubElement(etree.SubElement(p, _w("r")), _w("t")).text = text
    return p


def _drop_keep_next(tr) -> None:
    """The last row before a break is no longer kept with the next one: that is now the 续表 line."""
    for keep in tr.findall(f".//{_w('pPr')}/{_w('keepNext')}"):
        keep.getparent().remove(keep)


def _restart_merges(rows, start: int) -> None:
    """A cell merged down across the break starts again in rows[start], with the merged cell's text."""
    for col, tc in grid_cells(rows[start]):
        merge = tc.find(f"{_w('tcPr')}/{_w('vMerge')}")
        if merge is None or merge.get(_w("val")) == "restart":
            continue
        top = next((cell for r in reversed(rows[:start]) for c, cell in grid_cells(r)
                    if c == col and _restarts(cell)), None)
        merge.set(_w("val"), "restart")
        if top is not None:
            for old in tc.findall(_w("p")):
                tc.remove(old)
            tc.extend(copy.deepcopy(p) for p in top.findall(_w("p")))


def _restarts(tc) -> bool:
    merge = tc.find(f"{_w('tcPr')}/{_w('vMerge')}")
    return merge is not None and merge.get(_w("val")) == "restart"


def grid_cells(tr):
    """(grid column, w:tc) of a row's cells."""
    col = 0
    for tc in tr.findall(_w("tc")):
        yield col, tc
        span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
        col += int(span.get(_w("val"))) if span is not None else 1
