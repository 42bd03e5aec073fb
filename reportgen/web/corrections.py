"""Small corrections without Excel: the report year's raw indicators, as the draft prints them, edited where they live.

The form reads the project as a build does (data file, then report.yaml's `workbook:`, then the workbooks
departments returned), so each value shown is the one the draft uses, with where it comes from. A value is
saved where it comes from, so the next build never meets two sources that disagree:
- from data/indicators.yaml (or nowhere yet): ruamel.yaml's round trip keeps the file as people wrote it
  (comments, flow-style rows, order, quoting); only the values that changed are rewritten;
- from a workbook: that workbook is never written over; a corrected copy is kept beside it under returns/
  and takes its place (report.yaml's `workbook:`, or a new entry of the department's returns in the record).
Typed numbers go through the project's number reader (check/quantities.py), as a workbook cell does.
The next build's change report lists them, like any edit.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..check.coerce import DASHES, coerce
from ..check.quantities import INDICATOR_COLUMN, coerce_indicator
from ..errors import Location, Problems, ReportgenError
from ..load.project import INDICATOR_FILE
from ..value_kinds import NOT_REPORTED as NOT_REPORTED_VALUE

NOT_REPORTED = "-"
FORM = "指标修改表"
DATA_FILE = INDICATOR_FILE.as_posix()


@dataclass
class Row:
    name: str
    unit: str
    value: str              # as its source writes it (97.30 stays 97.30)
    source: str             # where the draft takes it from, in words


@dataclass
class Edit:
    name: str
    old: object
    new: object
    source: str = ""


def current_values(root: Path, year: int) -> dict[str, str]:
    """Each raw indicator's value of `year` as the draft prints it (a department's page shows the same)."""
    return {r.name: r.value for r in rows(root, year)}


def rows(root: Path, year: int) -> list[Row]:
    """Each raw indicator of the pack with the value of `year` the build reads, and its source."""
    raw, pack = _merged(root)
    out = []
    for d in pack.indicators.values():
        if d.kind != "raw":
            continue
        cell = raw.indicators.cells.get(d.name, {}).get(year) if raw is not None else None
        value = "" if cell is None else _as_written(cell)
        out.append(Row(d.name, d.unit, value, describe(cell.loc) if cell is not None else "（尚未填写）"))
    return out


def describe(loc: Location) -> str:
    """工作簿 › 工作表 › 单元格, or the data file and line, as the office reads it."""
    if loc.sheet is not None:
        return f"工作簿 {loc}"
    return f"数据文件 {loc.file}" + (f" 第 {loc.line} 行" if loc.line else "")


def _merged(root: Path):
    from ..pipeline import load_raw, with_workbooks
    from ..load.yaml_source import load_yaml
    if (root / INDICATOR_FILE).is_file():
        load_yaml(root / INDICATOR_FILE, DATA_FILE)   # a broken or hostile data file: its file:line, at once
    problems = Problems()
    raw = load_raw(root, problems)
    merged = with_workbooks(raw, problems)
    return merged, raw.pack


def _as_written(cell) -> str:
    value = cell.raw
    if value is None:
        return ""
    if cell.loc.sheet is None and isinstance(cell.text, str):
        return cell.text.strip()                  # the data file as typed: 97.30 stays 97.30
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_typed(text: str, d, problems: Problems):
    """What the office typed, through the number reader a workbook cell goes through: the value to write
    (int, Decimal, or "-"), None when empty or wrong (then `problems` says why, located in the form)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t == "":
        return None
    if t in DASHES:
        return NOT_REPORTED
    result = coerce_indicator(d, t, t)
    if result.error:
        shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "…"
        problems.error(f"“{shown}”不是数字或无法保存：{result.error}（填数字；未填报的年度填 -）",
                       Location(FORM, path=d.name))
        return None
    plain = coerce(INDICATOR_COLUMN, t, t)
    if plain.error or plain.value is NOT_REPORTED_VALUE:
        return t                                  # "3.5万元": kept as typed, read the same way at build
    value = plain.value
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() and "." not in t \
        else value


def save(root: Path, year: int, typed: dict[str, str]) -> tuple[list[Edit], Problems]:
    """Write the typed values of `year` that differ from what the build reads; nothing when one is wrong."""
    raw, pack = _merged(root)
    problems = Problems()
    changes: list[tuple[str, object, object, Location | None]] = []
    for d in pack.indicators.values():
        if d.kind != "raw" or d.name not in typed:
            continue
        new = read_typed(typed[d.name], d, problems)
        cell = raw.indicators.cells.get(d.name, {}).get(year)
        if new is None or (cell is not None and _same(cell, new, d)):
            continue
        changes.append((d.name, _as_written(cell) if cell is not None else None, new,
                        cell.loc if cell is not None else None))
    if problems.errors or not changes:
        return [], problems
    by_source: dict[str, list] = {}
    for name, old, new, loc in changes:
        key = loc.file if loc is not None and loc.sheet is not None else DATA_FILE
        by_source.setdefault(key, []).append((name, old, new, loc))
    edits = []
    for source, items in by_source.items():
        if source == DATA_FILE:
            _save_data_file(root, year, items)
            edits += [Edit(n, o, str(v), f"数据文件 {DATA_FILE}") for n, o, v, _ in items]
        else:
            kept = _save_workbook_copy(root, source, items, raw.config)
            edits += [Edit(n, o, str(v), f"工作簿 {kept}（更正后的副本，原文件 {source} 保留）")
                      for n, o, v, _ in items]
    return edits, problems


def _same(cell, new, d) -> bool:
    before = coerce_indicator(d, cell.raw, cell.text if isinstance(cell.text, str) else None)
    after = coerce_indicator(d, new if isinstance(new, str) else str(new), str(new))
    return before.error is None and before.value == after.value


def _yaml_value(value):
    """A number for the YAML file: an int, a float when it keeps every digit typed, else the digits as text
    (the data file's reader takes "12345678901234.56" as the number it is)."""
    if isinstance(value, Decimal):
        f = float(value)
        return f if Decimal(repr(f)) == value else str(value)
    return value


def _save_data_file(root: Path, year: int, items) -> None:
    from ruamel.yaml.comments import CommentedMap
    from .yamledit import load_round_trip, save_round_trip
    path = root / INDICATOR_FILE
    if path.is_file():
        yaml, data = load_round_trip(path, DATA_FILE)
    else:
        from ruamel.yaml import YAML
        yaml, data = YAML(), None
    if data is None:
        data = CommentedMap()
    for name, _old, new, _loc in items:
        row = data.get(name)
        if not isinstance(row, dict):
            row = CommentedMap()
            row.fa.set_flow_style()
            data[name] = row
        row[year] = _yaml_value(new)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_round_trip(path, yaml, data)


def _save_workbook_copy(root: Path, source: str, items, config) -> str:
    """A copy of workbook `source` with the cells changed, under returns/, put in its place; its name."""
    import openpyxl

    from ..fileio import write_atomic
    from ..workbook.returns import RETURNS_DIR
    original = root / source
    try:
        wb = openpyxl.load_workbook(original)
    except Exception as e:                  # openpyxl raises many kinds for a file changed meanwhile
        raise ReportgenError(f"无法打开工作簿 {source}，没有保存（{type(e).__name__}）") from None
    for _name, _old, new, loc in items:
        ws = wb[loc.sheet]
        ws[loc.cell] = NOT_REPORTED if new == NOT_REPORTED else (
            float(new) if isinstance(new, Decimal) else new)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = root / RETURNS_DIR
    stem = Path(source).stem.split("-更正")[0]
    target = folder / f"{stem}-更正{stamp}.xlsx"
    n = 2
    while target.exists():
        target, n = folder / f"{stem}-更正{stamp}-{n}.xlsx", n + 1
    write_atomic(target, wb.save)
    relative = target.relative_to(root).as_posix()
    _put_in_place(root, source, relative, config)
    return relative


def _put_in_place(root: Path, source: str, corrected: str, config) -> None:
    """The corrected copy replaces `source` wherever the build finds it."""
    from ..regen.manifest import sha256_file
    from ..workbook.returns import Entry, read_record, write_record
    if str(config.get("workbook") or "") == source:
        from .intake import set_workbook
        set_workbook(root, corrected)
        return
    record = read_record(root)
    mine = [e for e in record.entries if e.kind == "workbook" and e.file == source]
    if not mine:
        raise ReportgenError(f"找不到工作簿 {source} 在项目中的位置，没有保存")
    e = mine[-1]
    record.entries.append(Entry(e.department, "workbook", corrected, Path(corrected).name,
                                sha256_file(root / corrected), dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                                e.kit, tables=list(e.tables), indicators=list(e.indicators)))
    write_record(root, record)
