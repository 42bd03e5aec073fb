"""Tables as raw WordprocessingML, built row by row in one pass.

python-docx's `Table.cell(r, c)` re-walks every `w:tc` on each call, so filling a table
through it is quadratic; a 2000-row appendix table would take minutes. Here each row is
appended once and merges are written as `w:vMerge` / `w:gridSpan` directly.
"""
from __future__ import annotations

import math

from docx.oxml.ns import qn

from reportgen.doc.model import Cell, Column, Table, Typography
from reportgen.write.colwidths import allot, measure, text_em
from reportgen.write.oxml import el, pt_to_twips, sub, text_run
from reportgen.write.styles import HEADER_SHADING, TABLE_TEXT

SERIAL_HEADER = "序号"
TOTAL_LABEL = "合计"
CELL_MARGIN_TWIPS = 108            # Word's default left/right cell margin
CELL_SLACK_EM = 0.5                # room for glyphs a little wider than their nominal em
TABLE_LINE = 1.45                  # a line of table text, in font sizes (single spacing of the CJK faces)
ROW_PAD_PT = 3.0                   # a row's rules and padding
KEEP_ROWS = 8                      # a table (or merged category) of up to this many rows is never split
FIRST_ROWS = 2                     # a long table starts a page's foot with at least this many rows + 1
_BORDER = {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": "auto"}   # sz in 1/8 pt: 0.5 pt
_NO_BORDER = {"w:val": "nil"}
_EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")


# ---------------------------------------------------------------- shells
def table_shell(widths: list[int], bordered: bool = True, margins: dict[str, int] | None = None):
    """An empty `w:tbl`: full width, fixed layout, grid columns of `widths` twips."""
    tbl = el("w:tbl")
    tblpr = sub(tbl, "w:tblPr")
    sub(tblpr, "w:tblW", {"w:w": "5000", "w:type": "pct"})
    sub(tblpr, "w:jc", {"w:val": "center"})
    borders = sub(tblpr, "w:tblBorders")
    for edge in _EDGES:
        sub(borders, f"w:{edge}", _BORDER if bordered else _NO_BORDER)
    sub(tblpr, "w:tblLayout", {"w:type": "fixed"})
    if margins:
        mar = sub(tblpr, "w:tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            sub(mar, f"w:{side}", {"w:w": margins[side], "w:type": "dxa"})
    grid = sub(tbl, "w:tblGrid")
    for w in widths:
        sub(grid, "w:gridCol", {"w:w": w})
    return tbl


def add_row(tbl, header: bool = False, cant_split: bool = True):
    tr = sub(tbl, "w:tr")
    if cant_split or header:
        trpr = sub(tr, "w:trPr")
        if cant_split:
            sub(trpr, "w:cantSplit")
        if header:
            sub(trpr, "w:tblHeader")      # repeat on every page
    return tr


def add_cell(tr, width: int, span: int = 1, vmerge: str | None = None,
             shading: str | None = None, valign: str = "center"):
    """Append a `w:tc` with its tcPr (children in schema order) and no paragraph yet."""
    tc = sub(tr, "w:tc")
    tcpr = sub(tc, "w:tcPr")
    sub(tcpr, "w:tcW", {"w:w": width, "w:type": "dxa"})
    if span > 1:
        sub(tcpr, "w:gridSpan", {"w:val": span})
    if vmerge == "restart":
        sub(tcpr, "w:vMerge", {"w:val": "restart"})
    elif vmerge == "continue":
        sub(tcpr, "w:vMerge")
    if shading:
        sub(tcpr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": shading})
    sub(tcpr, "w:vAlign", {"w:val": valign})
    return tc


def cell_width(tc) -> int:
    return int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w")))


def ensure_ends_with_paragraph(tc) -> None:
    """A cell must end with a `w:p`; Word calls the file corrupt otherwise."""
    if len(tc) == 0 or tc[-1].tag != qn("w:p"):
        sub(tc, "w:p")


def box_table(width: int, margins: dict[str, int]):
    """A bordered table without inner rules (the case box); rows come from `box_row`."""
    tbl = table_shell([width], bordered=True, margins=margins)
    tbl.find(qn("w:tblPr")).find(qn("w:tblBorders")).find(qn("w:insideH")).attrib.update(
        {qn(k): v for k, v in _NO_BORDER.items()})
    return tbl


def box_row(tbl, width: int, shading: str, pad: dict[str, int], cant_split: bool):
    """One row of a case box: its own top and bottom padding, so the rows read as one box."""
    tr = add_row(tbl, cant_split=cant_split)
    tc = add_cell(tr, width, shading=shading, valign="top")
    mar = el("w:tcMar")
    for side in ("top", "bottom"):
        sub(mar, f"w:{side}", {"w:w": pad[side], "w:type": "dxa"})
    tc.find(qn("w:tcPr")).find(qn("w:vAlign")).addprevious(mar)
    return tc


def keep_row_with_next(tr) -> None:
    """keepNext on every paragraph of a row: Word and LibreOffice then keep it with the next row."""
    for p in tr.iter(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = el("w:pPr")
            p.insert(0, ppr)
        if ppr.find(qn("w:keepNext")) is None:
            style = ppr.find(qn("w:pStyle"))
            (style.addnext if style is not None else lambda x: ppr.insert(0, x))(el("w:keepNext"))


def grid_table(n: int, width: int, caption: bool = False):
    """A borderless table of `n` equal cells (photos side by side), and a row under them for the
    figure caption when `caption`; returns (tbl, [tc], caption tc or None)."""
    widths = [width // n] * n
    widths[-1] += width - sum(widths)
    tbl = table_shell(widths, bordered=False)
    tr = add_row(tbl)
    cells = [add_cell(tr, w, valign="bottom") for w in widths]
    under = add_cell(add_row(tbl), width, span=n) if caption else None
    return tbl, cells, under


# ---------------------------------------------------------------- data tables
def data_table(table: Table, t: Typography, width: int, whole_pt: float | None = None):
    """The `w:tbl` for a model Table, with a generated 序号 column in front.

    `whole_pt`: a short table is kept whole on one page only up to this printed height (None: always),
    so moving it to the next page never leaves more than that empty."""
    if not table.serial_column:
        return _plain_table(table, t, width)
    serials = table.serials or [str(n) for n in range(1, len(table.rows) + 1)]
    widths = column_widths(table, serials, t, width)
    tbl = table_shell(widths)
    _header_row(tbl, table.columns, widths)
    if not table.rows:
        tr = add_row(tbl)
        _text_cell(tr, width, table.empty_text, "center", span=len(widths))
        return tbl
    aligns = [c.align for c in table.columns]
    short = whole_pt is None or _height_pt(table, serials, widths, t) <= whole_pt
    keeps = _keep_with_next(table, short)
    for n, row in enumerate(table.rows, 1):
        _check_row(table, row, n)
        _body_row(tbl, serials[n - 1], row, aligns, widths, keeps[n - 1])
    if table.total_row is not None:
        _check_row(table, table.total_row, "合计")
        _total_row(tbl, table.total_row, aligns, widths)
    return tbl


def _plain_table(table: Table, t: Typography, width: int):
    """A table as a person typed it (a Word section): its own header row, cells merged across rows
    and columns, no 序号."""
    widths = column_widths(table, None, t, width)
    tbl = table_shell(widths)
    tr = add_row(tbl, header=True)
    for c, w in zip(table.columns, widths):
        _text_cell(tr, w, c.name, "center", bold=True, shading=HEADER_SHADING, keep_next=True)
    for n, (row, keep) in enumerate(zip(table.rows, _keep_with_next(table)), 1):
        _check_row(table, row, n)
        tr = add_row(tbl)
        for j, cell in enumerate(row):
            if cell.colspan == 0:
                continue
            span = max(cell.colspan, 1)
            vmerge = "restart" if cell.rowspan > 1 else "continue" if cell.rowspan == 0 else None
            text = "" if cell.rowspan == 0 else cell.text
            _text_cell(tr, sum(widths[j:j + span]), text, _align(cell, table.columns[j].align),
                       span=span, vmerge=vmerge, keep_next=keep)
    return tbl


def _keep_with_next(table: Table, short: bool = True) -> list[bool]:
    """Which body rows stay on the page of the row after them (keepNext in every cell).

    A short table (few rows, not tall) stays whole on one page; a merged category of up to KEEP_ROWS rows is never
    cut, so its label is always beside its rows; the last row (or the 合计 row) never stands
    alone on a page, nor do the caption, the header and the first rows at the foot of one. LibreOffice and Word both keep rows together through keepNext.
    """
    n = len(table.rows)
    rows = n + (table.total_row is not None)
    if rows <= KEEP_ROWS and short:
        return [True] * (n - 1) + [table.total_row is not None]
    keeps = [False] * n
    for i, row in enumerate(table.rows):
        span = max((c.rowspan for c in row), default=1)
        if 1 < span <= KEEP_ROWS:
            for k in range(i, min(i + span - 1, n)):
                keeps[k] = True
    if table.total_row is not None:
        keeps[n - 1] = True
    elif n >= 2:
        keeps[n - 2] = True
    for k in range(min(FIRST_ROWS, n - 1)):
        keeps[k] = True            # the title, the header and a lone first row never end a page
    return keeps


def _height_pt(table: Table, serials: list[str], widths: list[int], t: Typography) -> float:
    """A close estimate of the table's printed height: each row as tall as its cell of most lines."""
    rows = [[SERIAL_HEADER] + [c.name for c in table.columns]]
    rows += [[serial] + [c.text for c in row] for serial, row in zip(serials, table.rows)]
    if table.total_row is not None:
        rows.append([""] + [c.text for c in table.total_row])
    per_line = [max(w - 2 * CELL_MARGIN_TWIPS, 1) / pt_to_twips(t.table_size) for w in widths]
    lines = sum(max((math.ceil(text_em(text) / per) or 1 for text, per in zip(row, per_line)), default=1)
                for row in rows)
    return lines * t.table_size * TABLE_LINE + len(rows) * ROW_PAD_PT


def column_widths(table: Table, serials: list[str] | None, t: Typography, width: int) -> list[int]:
    """Twips per column (序号 first unless `serials` is None, as in a typed table), measured from the
    header and cell texts (see colwidths.py)."""
    rows = table.rows + ([table.total_row] if table.total_row is not None else [])
    headers = [c.name for c in table.columns]
    # a cell spanning several columns says nothing about the width of the one it starts in
    texts = [[row[i].text if row[i].colspan == 1 else "" for row in rows if i < len(row)]
             for i in range(len(headers))]
    weights = [c.width if c.width > 0 else 1.0 for c in table.columns]
    if serials is not None:
        headers = [SERIAL_HEADER] + headers
        texts = [serials + ([TOTAL_LABEL] if table.total_row is not None else [])] + texts
        weights = [1.0] + weights
    needs = [tuple(x + CELL_SLACK_EM for x in need) for need in measure(headers, texts)]
    pad = 2 * CELL_MARGIN_TWIPS
    em = pt_to_twips(t.table_size)
    usable = (width - pad * len(headers)) / em
    cells = [[text_em(x) + CELL_SLACK_EM for x in column] for column in texts]
    ems = allot(usable, needs, weights, cells)
    widths = [round(e * em) + pad for e in ems]
    widths[-1] += width - sum(widths)
    return widths


def _check_row(table: Table, row: list[Cell], n) -> None:
    if len(row) != len(table.columns):
        name = f"{table.label} {table.title}".strip()
        raise ValueError(f"table '{name}': row {n} has {len(row)} cells, expected {len(table.columns)}")


def _header_row(tbl, columns: list[Column], widths: list[int]) -> None:
    tr = add_row(tbl, header=True)
    names = [SERIAL_HEADER] + [c.name for c in columns]
    for name, w in zip(names, widths):
        # keepNext: never leave the header alone at the foot of a page
        _text_cell(tr, w, name, "center", bold=True, shading=HEADER_SHADING, keep_next=True)


def _body_row(tbl, serial: str, row: list[Cell], aligns: list[str], widths: list[int], keep: bool) -> None:
    tr = add_row(tbl)
    _text_cell(tr, widths[0], serial, "center", keep_next=keep)
    for cell, align, w in zip(row, aligns, widths[1:]):
        vmerge = "restart" if cell.rowspan > 1 else "continue" if cell.rowspan == 0 else None
        text = "" if cell.rowspan == 0 else cell.text
        _text_cell(tr, w, text, _align(cell, align), vmerge=vmerge, keep_next=keep)


def _total_row(tbl, row: list[Cell], aligns: list[str], widths: list[int]) -> None:
    # Leading cells that are blank (or repeat 合计) fold into the 合计 cell instead of
    # printing "合计 | 合计 | 1234".
    absorbed = 0
    while absorbed < len(row) - 1 and row[absorbed].text.strip() in ("", TOTAL_LABEL):
        absorbed += 1
    tr = add_row(tbl)
    _text_cell(tr, sum(widths[:absorbed + 1]), TOTAL_LABEL, "center", bold=True, span=absorbed + 1)
    for cell, align, w in zip(row[absorbed:], aligns[absorbed:], widths[absorbed + 1:]):
        _text_cell(tr, w, cell.text, _align(cell, align), bold=True)


def _align(cell: Cell, column_align: str) -> str:
    # Cell.align defaults to "left", so only a non-default value overrides the column
    return cell.align if cell.align != "left" else column_align


def _text_cell(tr, width: int, text: str, align: str, bold: bool = False, span: int = 1,
               vmerge: str | None = None, shading: str | None = None, keep_next: bool = False) -> None:
    tc = add_cell(tr, width, span=span, vmerge=vmerge, shading=shading)
    p = sub(tc, "w:p")
    ppr = sub(p, "w:pPr")
    sub(ppr, "w:pStyle", {"w:val": TABLE_TEXT})
    if keep_next:
        sub(ppr, "w:keepNext")
    if align != "left":
        sub(ppr, "w:jc", {"w:val": align})
    if text:
        text_run(p, text, bold)
