"""Read a fill-in workbook into RawTables and RawIndicators, every value located as file › sheet › cell.

Like the YAML reader this applies no business rules: values stay as the cells hold them and the check
stage types them with the same coerce(). What is specific to spreadsheets is handled here: header rows
found by name, merged cells (the value applies to the whole range), formulas (the cached value; a
formula never calculated is named as such), blank rows, rows holding only a 序号, typed 合计 rows,
renamed sheets (followed through the hidden sheet, or a suggestion of the closest expected one).
This module decides which sheet is which; sheet.py reads a sheet's cells, read_tables.py a detail
table's sheet and read_indicators.py the 指标 sheet.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import RawIndicators, RawTable
from ..errors import Location, Problems, WorkbookError
from ..pack import Pack
from ..render.env import render_title
from . import layout
from .read_indicators import read_indicators
from .read_tables import find_header, read_table
from .safety import open_workbook
from .sheet import Sheet

_SHEET_REF = re.compile(r"^=\s*(?:'((?:[^']|'')+)'|([^!'\s]+))!")


@dataclass
class Meta:
    """What the export recorded in the hidden sheet."""
    pack: str | None = None
    year: int | None = None
    table_prints: dict[str, str] = field(default_factory=dict)
    indicator_prints: dict[tuple[str, int], str] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)     # table id -> sheet title (following renames)
    info: dict[str, str] = field(default_factory=dict)      # every ("info", key, value) row, e.g. a kit's marker


CLEANED_SHOWN = 5          # cells named one by one in the warning about removed control characters


@dataclass
class WorkbookData:
    display: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    indicators: RawIndicators | None = None
    meta: Meta | None = None


def read_workbook(path: Path, pack: Pack, problems: Problems, context: dict, display: str | None = None
                  ) -> WorkbookData | None:
    """None when the file cannot be read at all (the reason is in `problems`)."""
    display = display or path.name
    try:
        values, formulas = open_workbook(path, display)
    except WorkbookError as e:
        problems.error(e.message, e.location)
        return None
    return _Reader(values, formulas, pack, problems, context, display).read()


class _Reader:
    def __init__(self, values, formulas, pack: Pack, problems: Problems, context: dict, display: str):
        self.wbv, self.wbf = values, formulas
        self.pack, self.problems, self.display = pack, problems, display
        self.expected = layout.table_sheet_names(pack, context)
        self.context = context

    def read(self) -> WorkbookData:
        data = WorkbookData(self.display)
        names = [ws.title for ws in self.wbv.worksheets]
        data.meta = self._meta() if layout.META_SHEET in names else None
        assigned, indicator_sheet = self._assign(names, data.meta)
        for title, tid in assigned.items():
            table = read_table(self._sheet(title), self.pack.tables[tid], self.problems)
            if table is not None:
                data.tables[tid] = table
        if indicator_sheet is not None:
            data.indicators = read_indicators(self._sheet(indicator_sheet), self.pack.indicators, self.problems)
        return data

    def _sheet(self, title: str) -> Sheet:
        fws = self.wbf[title] if title in self.wbf.sheetnames else None
        sheet = Sheet(self.wbv[title], fws, self.display)
        for (r, c), cleaned in sheet.cleaned[:CLEANED_SHOWN]:     # nothing disappears unannounced
            self.problems.warning(cleaned.warning("空格"), sheet.loc(r, c))
        if len(sheet.cleaned) > CLEANED_SHOWN:
            self.problems.warning(f"另有 {len(sheet.cleaned) - CLEANED_SHOWN} 个单元格含有不可见的控制字符，已同样删除",
                                  sheet.sheet_loc())
        return sheet

    # ---- which sheet is which table --------------------------------------------------------------

    def _assign(self, names: list[str], meta: Meta | None) -> tuple[dict[str, str], str | None]:
        tables = self.pack.tables
        assigned: dict[str, str] = {}           # sheet title -> table id
        taken: dict[str, str] = {}              # table id -> sheet title

        def take(title: str, tid: str) -> None:
            if tid in taken:
                self.problems.error(f"工作表“{title}”和“{taken[tid]}”都对应“{self._label(tid)}”，请删去或合并其中一个",
                                    Location(self.display, sheet=title))
                return
            assigned[title], taken[tid] = tid, title

        if meta is not None:
            for tid, title in meta.sheets.items():
                if tid in tables and title in names:
                    take(title, tid)
        aliases: dict[str, str] = {}
        for tid, tdef in tables.items():
            for alias in (self.expected[tid], layout.short_title(tdef, self.context),
                          render_title(tdef.title, self.context), tid):
                aliases.setdefault(layout.sheet_key(alias), tid)
        indicator_sheet = None
        for title in names:
            key = layout.sheet_key(title)
            if title in assigned or title == layout.META_SHEET:
                continue
            if key == layout.sheet_key(layout.INDICATOR_SHEET) or key in {"原始指标", "指标数据"}:
                indicator_sheet = indicator_sheet or title
            elif key in aliases:
                take(title, aliases[key])
        for title in names:
            if title in assigned or title in (layout.META_SHEET, layout.README_SHEET, indicator_sheet):
                continue
            self._unknown_sheet(title, [t for t in tables if t not in taken], indicator_sheet is None)
        return assigned, indicator_sheet

    def _unknown_sheet(self, title: str, missing: list[str], indicators_missing: bool) -> None:
        candidates = {self.expected[tid]: tid for tid in missing}
        if indicators_missing:
            candidates[layout.INDICATOR_SHEET] = None
        close = difflib.get_close_matches(title, list(candidates), n=1, cutoff=0.4)
        suggestion = close[0] if close else self._by_header(title, missing)
        where = Location(self.display, sheet=title)
        if suggestion:
            self.problems.error(f"无法识别工作表“{title}”，是否应为“{suggestion}”？请把工作表名改回“{suggestion}”，"
                                "否则其中的数据不会使用", where)
        elif any(True for _ in self._sheet(title).values):
            self.problems.warning(f"工作表“{title}”不是填报表格，其中的内容未使用（可填报的工作表见“说明”）", where)

    def _by_header(self, title: str, missing: list[str]) -> str | None:
        """A renamed sheet whose header row still names a table's columns."""
        sheet = self._sheet(title)
        best, best_score = None, 0
        for tid in missing:
            tdef = self.pack.tables[tid]
            row, mapping = find_header(sheet, tdef)
            score = sum(1 for kind, _ in mapping.values() if kind == "column") if row else 0
            if score * 2 >= len(tdef.columns) and score > best_score:
                best, best_score = self.expected[tid], score
        return best

    def _label(self, tid: str) -> str:
        return self.expected.get(tid, tid)

    # ---- the hidden sheet -----------------------------------------------------------------------------

    def _meta(self) -> Meta | None:
        ws = self.wbf[layout.META_SHEET]
        meta = Meta()
        for row in ws.iter_rows(min_row=2, max_col=5, values_only=True):
            kind, key, third, ref, fp = (list(row) + [None] * 5)[:5]
            try:
                if kind == "info" and key:
                    meta.info[str(key)] = str(third)
                if kind == "info" and key == "pack":
                    meta.pack = str(third)
                elif kind == "info" and key == "year":
                    meta.year = int(third)
                elif kind == "table" and key and fp:
                    meta.table_prints[str(key)] = str(fp)
                    m = _SHEET_REF.match(str(ref or ""))
                    title = (m.group(1).replace("''", "'") if m.group(1) else m.group(2)) if m else None
                    meta.sheets[str(key)] = title or str(third)
                elif kind == "indicator" and key and fp:
                    meta.indicator_prints[(str(key), int(third))] = str(fp)
            except (TypeError, ValueError):
                continue     # a damaged bookkeeping row only weakens the merge to "any difference is a conflict"
        return meta
