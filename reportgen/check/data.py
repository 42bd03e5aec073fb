"""Type every raw record against the pack's definitions and collect every problem. Pure."""
from __future__ import annotations

from ..dataset import Dataset, RawProject, RawTable, TableData
from ..errors import Problems, did_you_mean
from .coerce import coerce, is_blank
from .quantities import coerce_indicator, typed_number


def check_project(raw: RawProject, problems: Problems) -> Dataset:
    tables = {tid: _table(raw.tables[tid], tdef, problems) if tid in raw.tables else TableData(tdef, [], [], [])
              for tid, tdef in raw.pack.tables.items()}
    values, locs, typed_derived = _indicators(raw, problems)
    typed_numbers = {name: {y: typed_number(raw.pack.indicators[name], c.raw, c.text) for y, c in years.items()}
                     for name, years in typed_derived.items()}
    return Dataset(root=raw.root, config=raw.config, pack=raw.pack, year=raw.config["year"], tables=tables,
                   indicators=values, indicator_locs=locs, narrative=raw.narrative, typed_derived=typed_derived,
                   typed_numbers=typed_numbers,
                   word_sections=raw.word_sections)


def _table(rt: RawTable, tdef, problems: Problems) -> TableData:
    data = TableData(tdef, [], [], [], rt.loc)
    for n, row in enumerate(rt.rows, start=1):
        if all(is_blank(c.raw) for c in row.cells.values()):
            problems.warning(f"表 {tdef.id} 第 {n} 行是空行，已跳过", row.loc)
            continue
        values, locs = {}, {}
        for col in tdef.columns:
            cell = row.cells.get(col.name)
            if cell is None or is_blank(cell.raw):
                if col.required:
                    problems.error(f"缺少必填列“{col.name}”", cell.loc if cell else row.loc)
                values[col.name] = None
                continue
            result = coerce(col, cell.raw, cell.text)
            locs[col.name] = cell.loc
            if result.error:
                problems.error(f"“{col.name}”{result.error}", cell.loc)
            elif result.warning:
                problems.warning(f"“{col.name}”{result.warning}", cell.loc)
            values[col.name] = result.value
        data.rows.append(values)
        data.locs.append(locs)
        data.row_locs.append(row.loc)
    if rt.total_row is not None:
        _typed_total(rt.total_row, tdef, data, problems)
    return data


def _typed_total(row, tdef, data: TableData, problems: Problems) -> None:
    """Keep the numbers of a typed 合计 row; check/rules.py compares them with the rows' sum."""
    for col in tdef.columns:
        cell = row.cells.get(col.name)
        if not col.numeric or cell is None or is_blank(cell.raw):
            continue
        result = coerce(col, cell.raw, cell.text)
        if result.error:
            problems.error(f"合计行“{col.name}”{result.error}", cell.loc)
            continue
        data.typed_total[col.name] = result.value
        data.typed_total_locs[col.name] = cell.loc


def _indicators(raw: RawProject, problems: Problems):
    defs = raw.pack.indicators
    values, locs, typed_derived = {}, {}, {}
    for name, years in raw.indicators.cells.items():
        loc = raw.indicators.name_locs.get(name)
        d = defs.get(name)
        if d is None:
            hint = did_you_mean(name, defs, cutoff=0.5)
            problems.warning(f"模板包中没有名为“{name}”的指标，该数据未使用{hint}", loc)
            continue
        if d.kind == "derived":
            # not used: the tool computes it; check/rules.py compares what was typed with the computed value
            typed_derived[name] = {y: c for y, c in years.items() if not is_blank(c.raw)}
            continue
        for year, cell in years.items():
            if is_blank(cell.raw):
                continue
            result = coerce_indicator(d, cell.raw, cell.text)
            if result.error:
                problems.error(f"指标“{name}”{year} 年：{result.error}", cell.loc)
                continue
            if result.warning:
                problems.warning(f"指标“{name}”{year} 年：{result.warning}", cell.loc)
            values.setdefault(name, {})[year] = result.value
            locs.setdefault(name, {})[year] = cell.loc
    return values, locs, typed_derived
