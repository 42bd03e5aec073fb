"""A detail table's sheet → RawTable: header row found by the pack's column names, rows sorted into data,
a typed 合计 (checked), and what is skipped with a warning."""
from __future__ import annotations

import re
import unicodedata

from openpyxl.utils import get_column_letter

from ..check.coerce import is_blank
from ..dataset import RawCell, RawRow, RawTable
from ..errors import Location, Problems, did_you_mean
from ..pack import TableDef
from . import layout
from .sheet import HEADER_SEARCH_ROWS, Sheet
from .totals import check_total_row

NOTE_PREFIXES = ("注：", "注:", "注 ", "说明：", "说明:", "备注：", "备注:", "填表说明", "数据来源")


def read_table(sheet: Sheet, tdef: TableDef, p: Problems) -> RawTable | None:
    """A detail table's sheet: its header found by name, then its rows (blank, 序号-only, notes,
    小计 skipped with a warning; a typed 合计 row checked against the rows)."""
    header_row, mapping = find_header(sheet, tdef)
    if header_row is None:
        names = "、".join(c.name for c in tdef.columns)
        p.error(f"找不到表头：第一行应为列名（{names}），此工作表的数据未使用", sheet.sheet_loc())
        return None
    by_name = _columns(sheet, tdef, header_row, mapping, p)
    if by_name is None:
        return None
    rows, used_extra = _rows(sheet, tdef, header_row, mapping, by_name, p)
    extra = _extra_columns(tdef, mapping, used_extra, p)
    return RawTable(tdef.id, rows, sheet.sheet_loc(), extra)


def _columns(sheet: Sheet, tdef: TableDef, header_row: int, mapping: dict, p: Problems) -> dict[str, int] | None:
    """Each of the table's columns → its sheet column; None when a required one is missing or doubled."""
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
    return None if broken else by_name


def _rows(sheet: Sheet, tdef: TableDef, header_row: int, mapping: dict, by_name: dict[str, int], p: Problems
          ) -> tuple[list[RawRow], dict[int, Location]]:
    """The data rows, and the unnamed or unknown columns that hold data in them."""
    rows, kinds = [], []
    for r in range(header_row + 1, sheet.max_row + 1):
        kinds.append((r, _row_kind(sheet, r, mapping)))
    last = max((i for i, (_, k) in enumerate(kinds) if k in ("data", "total")), default=-1)
    above: list[RawRow] = []
    used_extra: dict[int, Location] = {}
    serial_col = next((c for c, (k, _) in mapping.items() if k == "serial"), None)
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
            row = RawRow({name: sheet.cell(r, c) for name, c in by_name.items()}, sheet.row_loc(r),
                         _typed_serial(sheet, r, serial_col))
            if kind == "total":
                check_total_row(tdef, row, above, p)
                continue
            above.append(row)
            rows.append(row)
            for c, (k, _) in mapping.items():
                if k in ("extra", "blank") and sheet.get(r, c) is not None:
                    used_extra.setdefault(c, sheet.loc(header_row, c))
    return rows, used_extra


def _typed_serial(sheet: Sheet, r: int, c: int | None) -> RawCell | None:
    """The row's own 序号 cell (not the lower part of a 序号 merged over several rows)."""
    if c is None or sheet.origin.get((r, c), (r, c)) != (r, c):
        return None
    return sheet.cell(r, c)


def _extra_columns(tdef: TableDef, mapping: dict, used_extra: dict[int, Location], p: Problems) -> dict[str, Location]:
    extra: dict[str, Location] = {}
    for c, loc in sorted(used_extra.items()):
        kind, name = mapping[c]
        if kind == "blank":
            p.warning(f"第 {get_column_letter(c)} 列没有列名，其中的数据未使用", loc)
            continue
        hint = did_you_mean(name, [col.name for col in tdef.columns], cutoff=0.4)
        p.warning(f"“{name}”不是这张表的列，该列数据未使用{hint}", loc)
        extra[name] = loc
    return extra


def find_header(sheet: Sheet, tdef: TableDef) -> tuple[int | None, dict[int, tuple[str, str]]]:
    """The row (among the first few) naming most of the table's columns, and what each column is."""
    keys: dict[str, str] = {}
    for col in tdef.columns:
        for text in (col.name, col.heading, *col.aliases):
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


def _row_kind(sheet: Sheet, r: int, mapping: dict[int, tuple[str, str]]) -> str:
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


def _first_text(sheet: Sheet, r: int) -> str:
    return next((sheet.text(r, c) for c in range(1, sheet.max_col + 1) if sheet.get(r, c) is not None), "")
