"""The 指标 sheet → RawIndicators: a name column (其中 rows keep their name), an optional unit column checked
against the pack, one column per year."""
from __future__ import annotations

import re
import unicodedata

from ..dataset import RawIndicators
from ..errors import Problems
from ..pack import IndicatorDef
from . import layout
from .sheet import HEADER_SEARCH_ROWS, Sheet

_YEAR_HEADER = re.compile(r"^(\d{4})(?:年度?)?$")


def read_indicators(sheet: Sheet, defs: dict[str, IndicatorDef], p: Problems) -> RawIndicators | None:
    """The 指标 sheet: a name column, an optional unit column, one column per year."""
    header_row, name_col = _name_header(sheet)
    if header_row is None:
        p.error("找不到表头：应有“指标”列和年度列（如 2024），此工作表的数据未使用", sheet.sheet_loc())
        return None
    unit_col, years = _unit_and_years(sheet, header_row, name_col, p)
    if not years:
        p.error("表头中没有年度列（如 2022、2023、2024），此工作表的数据未使用", sheet.row_loc(header_row))
        return None
    out = RawIndicators()
    seen: dict[str, int] = {}
    for r in range(header_row + 1, sheet.max_row + 1):
        name = re.sub(r"^其中[:：]\s*", "", sheet.text(r, name_col)) if sheet.get(r, name_col) is not None else ""
        if not name:
            if any(sheet.get(r, c) is not None for c in years):
                p.error("这一行有数值但没有指标名称", sheet.row_loc(r))
            continue
        if name in seen:
            p.error(f"指标“{name}”重复（第 {seen[name]} 行已有），请只保留一行", sheet.loc(r, name_col))
            continue
        seen[name] = r
        if unit_col is not None and name in defs:
            _check_unit(sheet, r, unit_col, name, defs[name], p)
        out.name_locs[name] = sheet.loc(r, name_col)
        out.cells[name] = {year: sheet.cell(r, c) for c, year in years.items()}
    return out


def _name_header(sheet: Sheet) -> tuple[int | None, int | None]:
    """The header row and the name column: the first row (of the first few) with an 指标 heading."""
    for r in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        heads = {c: layout.header_key(sheet.get(r, c)) for c in range(1, sheet.max_col + 1)}
        names = [c for c, h in heads.items() if h in layout.INDICATOR_NAME_HEADERS]
        if names:
            return r, names[0]
    return None, None


def _unit_and_years(sheet: Sheet, header_row: int, name_col: int, p: Problems) -> tuple[int | None, dict[int, int]]:
    """The unit column, if any, and each year column's year."""
    unit_col, years = None, {}
    for c in range(1, sheet.max_col + 1):
        if c == name_col:
            continue
        raw = sheet.get(header_row, c)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        head = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "") if raw is not None else ""
        m = _YEAR_HEADER.match(head)
        if head in layout.UNIT_HEADERS:
            unit_col = c
        elif m and 1990 <= int(m.group(1)) <= 2100:
            year = int(m.group(1))
            if year in years.values():
                p.error(f"年度 {year} 的列出现了两次", sheet.loc(header_row, c))
                continue
            years[c] = year
        elif head and any(sheet.get(r, c) is not None for r in range(header_row + 1, sheet.max_row + 1)):
            p.warning(f"“{head}”不是年度列（应为四位年份，如 2024），该列数据未使用", sheet.loc(header_row, c))
    return unit_col, years


def _check_unit(sheet: Sheet, r: int, unit_col: int, name: str, d: IndicatorDef, p: Problems) -> None:
    """A unit the school changed would make every number of the row mean something else."""
    unit = sheet.text(r, unit_col)
    want = layout.fill_unit(d)
    if unit and unicodedata.normalize("NFKC", unit) != unicodedata.normalize("NFKC", want):
        p.error(f"指标“{name}”的单位填写为“{unit}”，应为“{want or '（无单位）'}”：请按“{want or '无单位'}”"
                "填写数值，并把单位改回", sheet.loc(r, unit_col))
