"""One worksheet as a grid of values: cached formula results, merged ranges filled, every cell located."""
from __future__ import annotations

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from ..dataset import RawCell
from ..errors import Location
from ..load.text import Cleaned, clean_text
from ..value_kinds import Unreadable

HEADER_SEARCH_ROWS = 10           # a header row is looked for among the first rows (a title may come first)
MAX_CELL_CHARS = 32_767           # Excel's own limit: a longer cell was written by a program or a paste gone wrong


class Sheet:
    """One sheet as a grid of values: cached formula results, merged ranges filled, origins kept."""

    def __init__(self, ws_values, ws_formulas, display: str):
        self.title = ws_values.title
        self.display = display
        self.max_row, self.max_col = ws_values.max_row, ws_values.max_column
        formulas = {}
        if ws_formulas is not None:
            for row in ws_formulas.iter_rows(min_row=1, max_row=self.max_row, max_col=self.max_col):
                for cell in row:
                    if cell.data_type == "f":
                        formulas[(cell.row, cell.column)] = str(getattr(cell.value, "text", None) or cell.value)
        self.values: dict[tuple[int, int], object] = {}
        self.cleaned: list[tuple[tuple[int, int], Cleaned]] = []    # cells whose invisible characters were removed
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        for row in ws_values.iter_rows(min_row=1, max_row=self.max_row, max_col=self.max_col):
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                key = (cell.row, cell.column)
                value = cell.value
                if cell.data_type == "e" and isinstance(value, str):
                    value = Unreadable(f"的公式计算结果是错误值 {value}，请检查公式或改填数值", value)
                elif value is None and key in formulas:
                    f = formulas[key]
                    value = Unreadable(f"是公式“{f}”，但文件中没有保存计算结果（文件可能由程序生成、从未在 Excel 或 WPS 中"
                                       "打开保存）：请用 Excel 或 WPS 打开并保存后再试，或直接填写数值", f)
                elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    value = Unreadable(f"中的文字过长（{len(value):,} 个字符，超过 Excel 单元格的上限 {MAX_CELL_CHARS:,} "
                                       "个字符），可能是粘贴时出错：请检查这个单元格", value[:20] + "…")
                elif isinstance(value, str):
                    # Excel stores a character XML cannot hold as _xHHHH_ (a pasted Shift+Enter is _x000B_);
                    # openpyxl leaves that as it is. Then the control characters go (load/text.py), with a warning
                    cleaned = clean_text(unescape(value), " ")
                    if cleaned.chars:
                        self.cleaned.append((key, cleaned))
                    value = cleaned.text
                    if not value.strip():
                        value = None
                if value is not None:
                    self.values[key] = value
        for rng in ws_values.merged_cells.ranges:
            top = (rng.min_row, rng.min_col)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != top:
                        self.origin[(r, c)] = top
                        if top in self.values:
                            self.values[(r, c)] = self.values[top]

    def get(self, r: int, c: int):
        return self.values.get((r, c))

    def loc(self, r: int, c: int) -> Location:
        r0, c0 = self.origin.get((r, c), (r, c))
        return Location(self.display, sheet=self.title, cell=f"{get_column_letter(c0)}{r0}")

    def row_loc(self, r: int) -> Location:
        return Location(self.display, sheet=self.title, cell=f"第 {r} 行")

    def sheet_loc(self) -> Location:
        return Location(self.display, sheet=self.title)

    def cell(self, r: int, c: int) -> RawCell:
        return RawCell(self.get(r, c), self.loc(r, c))

    def text(self, r: int, c: int) -> str:
        v = self.get(r, c)
        return "" if v is None else str(v).strip()
