"""Read a fill-in workbook into RawTables and RawIndicators, every value located as file › sheet › cell.

Like the YAML reader this applies no business rules: values stay as the cells hold them and the check
stage types them with the same coerce(). What is specific to spreadsheets is handled here: header rows
found by name, merged cells (the value applies to the whole range), formulas (the cached value; a
formula never calculated is named as such), blank rows, rows holding only a 序号, typed 合计 rows,
renamed sheets (followed through the hidden sheet, or a suggestion of the closest expected one).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from ..check.coerce import is_blank
from ..dataset import RawCell, RawIndicators, RawRow, RawTable
from ..errors import Location, Problems, WorkbookError, did_you_mean
from ..pack import Pack, TableDef
from ..value_kinds import Unreadable
from . import layout
from .safety import open_workbook
from .totals import check_total_row

HEADER_SEARCH_ROWS = 10
NOTE_PREFIXES = ("注：", "注:", "注 ", "说明：", "说明:", "备注：", "备注:", "填表说明", "数据来源")
_SHEET_REF = re.compile(r"^=\s*(?:'((?:[^']|'')+)'|([^!'\s]+))!")
_YEAR_HEADER = re.compile(r"^(\d{4})(?:年度?)?$")


@dataclass
class Meta:
    """What the export recorded in the hidden sheet."""
    pack: str | None = None
    year: int | None = None
    table_prints: dict[str, str] = field(default_factory=dict)
    indicator_prints: dict[tuple[str, int], str] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)     # table id -> sheet title (following renames)


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


class _Sheet:
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
                elif isinstance(value, str) and not value.strip():
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
            table = self._table(self._sheet(title), self.pack.tables[tid])
            if table is not None:
                data.tables[tid] = table
        if indicator_sheet is not None:
            data.indicators = self._indicators(self._sheet(indicator_sheet))
        return data

    def _sheet(self, title: str) -> _Sheet:
        fws = self.wbf[title] if title in self.wbf.sheetnames else None
        return _Sheet(self.wbv[title], fws, self.display)

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
                          layout.render_title(tdef.title, self.context), tid):
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
            row, mapping = _find_header(sheet, tdef)
            score = sum(1 for kind, _ in mapping.values() if kind == "column") if row else 0
            if score * 2 >= len(tdef.columns) and score > best_score:
                best, best_score = self.expected[tid], score
        return best

    def _label(self, tid: str) -> str:
        return self.expected.get(tid, tid)

    # ---- detail tables ----------------------------------------------------------------------------

    def _table(self, sheet: _Sheet, tdef: TableDef) -> RawTable | None:
        p = self.problems
        header_row, mapping = _find_header(sheet, tdef)
        if header_row is None:
            names = "、".join(c.name for c in tdef.columns)
            p.error(f"找不到表头：第一行应为列名（{names}），此工作表的数据未使用", sheet.sheet_loc())
            return None
        by_name: dict[str, int] = {}
        broken = False
        for c, (kind, name) in mapping.items():
            if kind == "column":
                if name in by_name:
                    p.error(f"表头中“{name}”出现了两次（{get_column_letter(by_name[name])}{header_row} 和 "
                            f"{get_column_letter(c)}{header_row}）", sheet.loc(header_row, c))
                    broken = True
                by_name.setdefault(name, c)
        unknown_headers = [name for kind, name in mapping.values() if kind == "extra"]
        for col in tdef.columns:
            if col.name in by_name:
                continue
            hint = did_you_mean(col.name, unknown_headers, cutoff=0.4, template="，是否被改成了“{}”？")
            if col.required:
                p.error(f"缺少必填列“{col.name}”（表头中没有这一列{hint}），此工作表的数据未使用", sheet.row_loc(header_row))
                broken = True
            else:
                p.warning(f"缺少“{col.name}”列{hint}，这一列按空白处理", sheet.row_loc(header_row))
        if broken:
            return None

        rows, kinds = [], []
        for r in range(header_row + 1, sheet.max_row + 1):
            kinds.append((r, _row_kind(sheet, r, mapping)))
        last = max((i for i, (_, k) in enumerate(kinds) if k in ("data", "total")), default=-1)
        above: list[RawRow] = []
        used_extra: dict[int, Location] = {}
        for i, (r, kind) in enumerate(kinds):
            if kind in ("blank", "serial") and i > last:
                continue
            if kind == "blank":
                p.warning("空行，已跳过", sheet.row_loc(r))
            elif kind == "serial":
                p.warning("这一行只有序号、没有数据，已跳过", sheet.row_loc(r))
            elif kind == "note":
                p.warning(f"“{_first_text(sheet, r)[:20]}”看起来是表格的备注，已跳过", sheet.row_loc(r))
            elif kind == "subtotal":
                p.warning("小计行已跳过（报告中的合计由工具计算）", sheet.row_loc(r))
            else:
                row = RawRow({name: sheet.cell(r, c) for name, c in by_name.items()}, sheet.row_loc(r))
                if kind == "total":
                    check_total_row(tdef, row, above, p)
                    continue
                above.append(row)
                rows.append(row)
                for c, (k, _) in mapping.items():
                    if k in ("extra", "blank") and sheet.get(r, c) is not None:
                        used_extra.setdefault(c, sheet.loc(header_row, c))
        extra: dict[str, Location] = {}
        for c, loc in sorted(used_extra.items()):
            kind, name = mapping[c]
            if kind == "blank":
                p.warning(f"第 {get_column_letter(c)} 列没有列名，其中的数据未使用", loc)
                continue
            hint = did_you_mean(name, [col.name for col in tdef.columns], cutoff=0.4)
            p.warning(f"“{name}”不是这张表的列，该列数据未使用{hint}", loc)
            extra[name] = loc
        return RawTable(tdef.id, rows, sheet.sheet_loc(), extra)

    # ---- indicators ----------------------------------------------------------------------------------

    def _indicators(self, sheet: _Sheet) -> RawIndicators | None:
        p = self.problems
        header_row, name_col, unit_col, years = None, None, None, {}
        for r in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
            heads = {c: layout.header_key(sheet.get(r, c)) for c in range(1, sheet.max_col + 1)}
            names = [c for c, h in heads.items() if h in layout.INDICATOR_NAME_HEADERS]
            if names:
                header_row, name_col = r, names[0]
                break
        if header_row is None:
            p.error("找不到表头：应有“指标”列和年度列（如 2024），此工作表的数据未使用", sheet.sheet_loc())
            return None
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
        if not years:
            p.error("表头中没有年度列（如 2022、2023、2024），此工作表的数据未使用", sheet.row_loc(header_row))
            return None
        out = RawIndicators()
        seen: dict[str, int] = {}
        defs = self.pack.indicators
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
                unit = sheet.text(r, unit_col)
                want = layout.fill_unit(defs[name])
                if unit and unicodedata.normalize("NFKC", unit) != unicodedata.normalize("NFKC", want):
                    p.error(f"指标“{name}”的单位填写为“{unit}”，应为“{want or '（无单位）'}”：请按“{want or '无单位'}”"
                            "填写数值，并把单位改回", sheet.loc(r, unit_col))
            out.name_locs[name] = sheet.loc(r, name_col)
            out.cells[name] = {year: sheet.cell(r, c) for c, year in years.items()}
        return out

    # ---- the hidden sheet -----------------------------------------------------------------------------

    def _meta(self) -> Meta | None:
        ws = self.wbf[layout.META_SHEET]
        meta = Meta()
        for row in ws.iter_rows(min_row=2, max_col=5, values_only=True):
            kind, key, third, ref, fp = (list(row) + [None] * 5)[:5]
            try:
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


def _find_header(sheet: _Sheet, tdef: TableDef) -> tuple[int | None, dict[int, tuple[str, str]]]:
    """The row (among the first few) naming most of the table's columns, and what each column is."""
    keys: dict[str, str] = {}
    for col in tdef.columns:
        for text in (col.name, col.heading):
            keys.setdefault(layout.header_key(text), col.name)
            keys.setdefault(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold(), col.name)
    serials = {layout.header_key(s) for s in layout.SERIAL_HEADERS}
    best_row, best_map, best_score = None, {}, 0
    for r in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        mapping: dict[int, tuple[str, str]] = {}
        for c in range(1, sheet.max_col + 1):
            raw = sheet.get(r, c)
            full = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw))).casefold() if raw is not None else ""
            key = layout.header_key(raw)
            if not key:
                mapping[c] = ("blank", "")
            elif full in keys or key in keys:
                mapping[c] = ("column", keys.get(full) or keys[key])
            elif key in serials:
                mapping[c] = ("serial", "")
            else:
                mapping[c] = ("extra", str(raw).strip())
        score = len({name for kind, name in mapping.values() if kind == "column"})
        if score > best_score:
            best_row, best_map, best_score = r, mapping, score
    return best_row, best_map


def _row_kind(sheet: _Sheet, r: int, mapping: dict[int, tuple[str, str]]) -> str:
    filled = [(c, sheet.get(r, c)) for c in range(1, sheet.max_col + 1) if not is_blank(sheet.get(r, c))]
    if not filled:
        return "blank"
    firsts = {re.sub(r"[\s:：]", "", unicodedata.normalize("NFKC", str(v))) for _, v in filled[:2]}
    if firsts & layout.TOTAL_WORDS:
        return "total"
    if firsts & layout.SUBTOTAL_WORDS:
        return "subtotal"
    if all(mapping.get(c, ("extra", ""))[0] == "serial" for c, _ in filled):
        return "serial"
    if len(filled) == 1 and isinstance(filled[0][1], str) and filled[0][1].strip().startswith(NOTE_PREFIXES):
        return "note"
    return "data"


def _first_text(sheet: _Sheet, r: int) -> str:
    return next((sheet.text(r, c) for c in range(1, sheet.max_col + 1) if sheet.get(r, c) is not None), "")
