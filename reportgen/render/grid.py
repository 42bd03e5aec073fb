"""Tables typed in the narrative (a Word section's tables): `::: 表格 标题` with one `| a | b |` line a row.

Markdown pipe tables cannot merge cells, so the dialect adds two marks: a cell holding only `^` is
covered by the cell above it, one holding only `<` by the cell to its left (`\\^`, `\\<` and `\\|`
stand for the characters themselves). The first row is the header. With a title the table is
numbered 表 N with the rest of the report; without one it is not.
"""
from __future__ import annotations

import re

from ..doc.model import Cell, Column, Table
from ..errors import Location, Problems

_SPLIT = re.compile(r"(?<!\\)\|")
SHORT_CELL = 10            # columns whose cells are all this short are centred


def grid_table(title: str, source: str, loc: Location, problems: Problems) -> Table | None:
    rows = [_cells(line) for line in source.splitlines() if line.strip()]
    rows = [r for r in rows if r is not None]
    if not rows:
        problems.error("表格没有内容：每行写作“| 单元格 | 单元格 |”", loc)
        return None
    n = max(len(r) for r in rows)
    rows = [r + [""] * (n - len(r)) for r in rows]
    header, body = rows[0], rows[1:]
    grid = [[Cell(text) for text in r] for r in body]
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if cell.text == "^" and i > 0:
                cell.text, cell.rowspan = "", 0
                _owner_above(grid, i, j).rowspan += 1
            elif cell.text == "<" and j > 0:
                cell.text, cell.colspan = "", 0
                _owner_left(row, j).colspan += 1
            else:
                cell.text = _unescape(cell.text)
    for row in grid:                  # a covered cell under a wide cell spans as wide
        for j, cell in enumerate(row):
            if cell.rowspan == 0 and cell.colspan == 1:
                k = j + 1
                while k < len(row) and row[k].colspan == 0:
                    k += 1
                cell.colspan = k - j
    columns = []
    for j, name in enumerate(header):
        texts = [name] + [r[j].text for r in grid]
        longest = max(len(t) for t in texts)
        align = "center" if longest <= SHORT_CELL else "left"
        columns.append(Column("" if name in ("<", "^") else _unescape(name), max(2.0, min(longest, 14)), align))
    return Table(label="", title=title, columns=columns, rows=grid, numbered=bool(title), serial_column=False)


def _cells(line: str) -> list[str] | None:
    line = line.strip()
    if not line.startswith("|"):
        return None
    parts = _SPLIT.split(line[1:-1] if line.endswith("|") and not line.endswith("\\|") else line[1:])
    return [p.strip() for p in parts]


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\|^<])", r"\1", text)


def _owner_above(grid, i, j) -> Cell:
    k = i - 1
    while k > 0 and grid[k][j].rowspan == 0:
        k -= 1
    return grid[k][j]


def _owner_left(row, j) -> Cell:
    k = j - 1
    while k > 0 and row[k].colspan == 0:
        k -= 1
    return row[k]
