"""Merge a workbook into the project's YAML data: a three-way merge against what was exported.

The usual flow is export → departments edit the workbook → build with it. The export records a
fingerprint of each table and each indicator value as the YAML held it; reading back, for each
table (and each indicator per year):
  YAML unchanged since export  → the workbook's version wins;
  workbook unchanged           → the YAML wins;
  both changed and different   → a conflict naming the YAML file:line and the workbook sheet › cell.
A hand-made workbook (no hidden sheet) has no fingerprints: any difference is a conflict. A value given
in one source only is simply taken. Reading never writes to the project.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..check.quantities import INDICATOR_COLUMN
from ..dataset import RawCell, RawIndicators, RawProject, RawTable
from ..errors import Location, Problems, UsageError
from ..pack import TableDef
from .fingerprint import data_rows, digest, indicator_canon, shown, table_canon

BOTH_CHANGED = "导出工作簿之后，数据文件和工作簿中都改动过，无法自动判断以哪一处为准：请核对后只保留一处的改动，使两处一致"
NOT_EXPORTED = "工作簿中的这项数据不是导出时就有的，无法判断以哪一处为准：请核对后使两处一致，或删去其中一处的数据"
NO_FINGERPRINT = "这个工作簿不是由 reportgen workbook 导出的，无法判断以哪一处为准：请核对后使两处一致，或删去其中一处的数据"


def workbook_context(config: dict) -> dict:
    return {"year": config.get("year"), "school": config.get("school", {})}


def resolve_workbook(raw: RawProject, path: Path | None, problems: Problems,
                     display: str | None = None) -> tuple[Path, str] | None:
    """The workbook to read: the one given on the command line, else report.yaml's `workbook:`."""
    if path is not None:
        if not os.path.lexists(path):
            raise UsageError(f"找不到工作簿文件：{path}")      # a pipe or a folder is told so when it is opened
        return path, display or path.name
    name = raw.config.get("workbook")
    if not name:
        return None
    path = raw.root / name
    if not path.is_file():
        problems.error(f"report.yaml 中 workbook 指定的工作簿“{name}”不存在（路径相对于项目文件夹）", raw.config_loc)
        return None
    return path, str(name)


def apply_workbook(raw: RawProject, path: Path | None, problems: Problems, display: str | None = None) -> RawProject:
    """The project with the workbook merged in; `raw` itself is left as it was. `display` names it in messages."""
    found = resolve_workbook(raw, path, problems, display)
    if found is None:
        return raw
    from .importer import (
        read_workbook,  # openpyxl is loaded only when there is a workbook
    )
    wb = read_workbook(found[0], raw.pack, problems, workbook_context(raw.config), found[1])
    if wb is None:
        return raw
    meta = wb.meta
    tables = dict(raw.tables)
    for tid, wtable in wb.tables.items():
        fp = meta.table_prints.get(tid) if meta else None
        tables[tid] = _merge_table(raw.pack.tables[tid], raw.tables.get(tid), wtable, fp, _reason(fp, meta), problems)
    indicators = raw.indicators
    if wb.indicators is not None:
        indicators = _merge_indicators(raw.indicators, wb.indicators, meta, problems)
    return dataclasses.replace(raw, tables=tables, indicators=indicators)


def _reason(fp: str | None, meta) -> str:
    return BOTH_CHANGED if fp else NOT_EXPORTED if meta is not None else NO_FINGERPRINT


def _merge_table(tdef: TableDef, y: RawTable | None, w: RawTable, fp: str | None, reason: str,
                 problems: Problems) -> RawTable:
    cy, cw = table_canon(y, tdef), table_canon(w, tdef)
    side = _three_way(cy, cw, fp)
    if side == "same":
        return y if y is not None else w
    if side == "workbook":
        return w
    if side == "conflict":
        _table_conflict(tdef, y, w, cy, cw, reason, problems)
    return y


def _three_way(cy, cw, fp: str | None) -> str:
    """Which side wins: the one that changed since export ("workbook"/"yaml"), or "same"/"conflict".

    fp is the fingerprint of the YAML value when the workbook was exported; a hand-made workbook
    has none, and then only a value missing on one side is not a conflict.
    """
    if cy == cw:
        return "same"
    if fp is not None:
        if digest(cy) == fp:
            return "workbook"
        if digest(cw) == fp:
            return "yaml"
    elif not cy:
        return "workbook"
    elif not cw:
        return "yaml"
    return "conflict"


def _table_conflict(tdef, y, w, cy, cw, reason: str, problems: Problems) -> None:
    ry, rw = data_rows(y, tdef), data_rows(w, tdef)
    for i in range(max(len(cy), len(cw))):
        if i >= len(cy):
            problems.error(f"工作簿比 {y.loc} 多出这一行（数据文件 {len(cy)} 行，工作簿 {len(cw)} 行）：{reason}", rw[i].loc)
            return
        if i >= len(cw):
            problems.error(f"工作簿中少了 {ry[i].loc} 这一行（数据文件 {len(cy)} 行，工作簿 {len(cw)} 行）：{reason}", w.loc)
            return
        for j, col in enumerate(tdef.columns):
            if cy[i][j] != cw[i][j]:
                yc, wc = ry[i].cells.get(col.name), rw[i].cells.get(col.name)
                yloc = yc.loc if yc is not None else ry[i].loc
                wloc = wc.loc if wc is not None else rw[i].loc
                problems.error(f"“{col.name}”为“{shown(wc, col)}”，而 {yloc} 中为“{shown(yc, col)}”：{reason}", wloc)
                return


def _merge_indicators(yi: RawIndicators, wi: RawIndicators, meta, problems: Problems) -> RawIndicators:
    out = RawIndicators({n: dict(ys) for n, ys in yi.cells.items()}, dict(yi.name_locs))
    for name, years in wi.cells.items():
        out.name_locs.setdefault(name, wi.name_locs[name])
        for year, wcell in years.items():
            ycell = yi.cells.get(name, {}).get(year)
            fp = meta.indicator_prints.get((name, year)) if meta is not None else None
            chosen = _merge_value(ycell, wcell, fp, name, year, _reason(fp, meta), problems)
            if chosen is not None:
                out.cells.setdefault(name, {})[year] = chosen
    return out


def _merge_value(y: RawCell | None, w: RawCell, fp: str | None, name: str, year: int, reason: str,
                 problems: Problems) -> RawCell | None:
    cy, cw = indicator_canon(y), indicator_canon(w)
    side = _three_way(cy, cw, fp)
    if side == "same":
        return y if y is not None else (w if cw else None)
    if side != "conflict":
        return w if side == "workbook" else y
    yloc: Location = y.loc
    problems.error(f"指标“{name}”{year} 年为“{shown(w, INDICATOR_COLUMN)}”，而 {yloc} 中为"
                   f"“{shown(y, INDICATOR_COLUMN)}”：{reason}", w.loc)
    return y
