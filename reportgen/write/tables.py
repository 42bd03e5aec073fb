"""Tables as raw WordprocessingML, built row by row in one pass.

python-docx's `Table.cell(r, c)` re-walks every `w:tc` on each call, so filling a table
through it is quadratic; a 2000-row appendix table would take minutes. Here each row is
appended once and merges are written as `w:vMerge` / `w:gridSpan` directly.
"""
from __future__ import annotations

from docx.oxml.ns import qn

from reportgen.doc.model import Cell, Column, Table, Typography
from reportgen.write.oxml import el, pt_to_twips, sub, text_run
from reportgen.write.styles import HEADER_SHADING, TABLE_TEXT

SERIAL_HEADER = "序号"
TOTAL_LABEL = "合计"
CELL_MARGIN_TWIPS = 108            # Word's default left/right cell margin
SERIAL_CHARS = 3                   # "序号", "合计" and 4-digit numbers fit in 3 characters
MIN_CHARS = 2                      # no column narrower than a two-character header
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


def box_table(width: int, shading: str, margins: dict[str, int]):
    """A bordered, shaded 1-cell table (the case box); returns (tbl, tc)."""
    tbl = table_shell([width], bordered=True, margins=margins)
    tr = add_row(tbl, cant_split=False)   # a long case must be able to run over a page
    return tbl, add_cell(tr, width, shading=shading, valign="top")


def grid_table(n: int, width: int):
    """A borderless 1-row table of `n` equal cells (photos side by side); returns (tbl, [tc])."""
    widths = _split(width, [1.0] * n)
    tbl = table_shell(widths, bordered=False)
    tr = add_row(tbl)
    return tbl, [add_cell(tr, w, valign="bottom") for w in widths]


# ---------------------------------------------------------------- data tables
def data_table(table: Table, t: Typography, width: int):
    """The `w:tbl` for a model Table, with a generated 序号 column in front."""
    if not table.serial_column:
        return _plain_table(table, t, width)
    widths = column_widths(table.columns, t, width)
    tbl = table_shell(widths)
    _header_row(tbl, table.columns, widths)
    if not table.rows:
        tr = add_row(tbl)
        _text_cell(tr, width, table.empty_text, "center", span=len(widths))
        return tbl
    aligns = [c.align for c in table.columns]
    for n, row in enumerate(table.rows, 1):
        _check_row(table, row, n)
        _body_row(tbl, table.serials[n - 1] if table.serials else str(n), row, aligns, widths)
    if table.total_row is not None:
        _check_row(table, table.total_row, "合计")
        _total_row(tbl, table.total_row, aligns, widths)
    return tbl


def _plain_table(table: Table, t: Typography, width: int):
    """A table as a person typed it (a Word section): its own header row, cells merged across rows
    and columns, no 序号."""
    widths = _split(width, [c.width for c in table.columns], _chars_width(MIN_CHARS, t))
    tbl = table_shell(widths)
    tr = add_row(tbl, header=True)
    for c, w in zip(table.columns, widths):
        _text_cell(tr, w, c.name, "center", bold=True, shading=HEADER_SHADING, keep_next=True)
    for n, row in enumerate(table.rows, 1):
        _check_row(table, row, n)
        tr = add_row(tbl)
        for j, cell in enumerate(row):
            if cell.colspan == 0:
                continue
            span = max(cell.colspan, 1)
            vmerge = "restart" if cell.rowspan > 1 else "continue" if cell.rowspan == 0 else None
            text = "" if cell.rowspan == 0 else cell.text
            _text_cell(tr, sum(widths[j:j + span]), text, _align(cell, table.columns[j].align),
                       span=span, vmerge=vmerge)
    return tbl


def column_widths(columns: list[Column], t: Typography, width: int) -> list[int]:
    serial = _chars_width(SERIAL_CHARS, t)
    return [serial] + _split(width - serial, [c.width for c in columns], _chars_width(MIN_CHARS, t))


def _chars_width(chars: int, t: Typography) -> int:
    return pt_to_twips(chars * t.table_size) + 2 * CELL_MARGIN_TWIPS


def _split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Integer widths proportional to `weights`, each ≥ `minimum` when possible, summing to `total`.

    The floor keeps a narrow weight (版次 1.2 beside 教材名称 4) from wrapping a two-character
    header one character per line; the width it takes comes from the other columns.
    """
    if not weights:
        return []
    weights = [w if w > 0 else 1.0 for w in weights]
    fixed: set[int] = set()
    if minimum * len(weights) > total:
        minimum = 0
    while True:
        free = total - minimum * len(fixed)
        scale = free / sum(w for i, w in enumerate(weights) if i not in fixed)
        widths = [minimum if i in fixed else round(w * scale) for i, w in enumerate(weights)]
        narrow = {i for i, w in enumerate(widths) if w < minimum and i not in fixed}
        if not narrow:
            break
        fixed |= narrow
    widths[-1] += total - sum(widths)
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


def _body_row(tbl, serial: str, row: list[Cell], aligns: list[str], widths: list[int]) -> None:
    tr = add_row(tbl)
    _text_cell(tr, widths[0], serial, "center")
    for cell, align, w in zip(row, aligns, widths[1:]):
        vmerge = "restart" if cell.rowspan > 1 else "continue" if cell.rowspan == 0 else None
        text = "" if cell.rowspan == 0 else cell.text
        _text_cell(tr, w, text, _align(cell, align), vmerge=vmerge)


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
