"""Type every raw record against the pack's definitions and collect every problem. Pure."""
from __future__ import annotations

from ..dataset import Dataset, RawProject, RawTable, TableData
from ..errors import Problems, did_you_mean
from ..render.env import render_title
from ..value_kinds import NOT_REPORTED
from .coerce import coerce, is_blank
from .identity import check_duplicates, check_isbns, check_serials
from .quantities import coerce_indicator, typed_number


def check_project(raw: RawProject, problems: Problems) -> Dataset:
    context = {"year": raw.config["year"], "school": raw.config.get("school", {})}
    tables = {tid: _table(raw.tables[tid], tdef, _named(tdef, context), problems) if tid in raw.tables
              else TableData(tdef, [], [], []) for tid, tdef in raw.pack.tables.items()}
    values, locs, typed_derived = _indicators(raw, problems)
    typed_numbers = {name: {y: typed_number(raw.pack.indicators[name], c.raw, c.text) for y, c in years.items()}
                     for name, years in typed_derived.items()}
    _warn_empty_year(raw, values, problems)
    _warn_unfilled_settings(raw, problems)
    return Dataset(root=raw.root, config=raw.config, pack=raw.pack, year=raw.config["year"], tables=tables,
                   indicators=values, indicator_locs=locs, narrative=raw.narrative, typed_derived=typed_derived,
                   typed_numbers=typed_numbers,
                   word_sections=raw.word_sections)


def _warn_unfilled_settings(raw: RawProject, problems: Problems) -> None:
    """A report.yaml setting still holding init's 【…】 prompt prints it on the cover, in the header and
    in the draft's file name (【学校全称】质量年度报告2024.docx)."""
    import re
    school = raw.config.get("school") if isinstance(raw.config.get("school"), dict) else {}
    settings = {f"school › {k}": v for k, v in school.items()} | {"output": raw.config.get("output")}
    for key, value in settings.items():
        if isinstance(value, str) and re.search(r"【[^】]*】", value):
            what = "初稿的文件名、封面和页眉" if key in ("school › name", "output") else "报告中用到它的地方"
            problems.warning(f"report.yaml 的 {key} 还是“{value}”，没有填写：{what}会印出这几个字，请改为实际内容",
                             raw.config_loc)


def _warn_empty_year(raw: RawProject, values: dict, problems: Problems) -> None:
    """One warning when the report year has almost no data: usually `year` set a year ahead of the data."""
    year = raw.config["year"]
    filled = [years for years in values.values() if years]
    missing = sum(year not in years for years in filled)
    if len(filled) < 4 or missing * 2 <= len(filled):
        return
    counts: dict[int, int] = {}
    for years in filled:
        for y in years:
            counts[y] = counts.get(y, 0) + 1
    best = max(counts, key=lambda y: (counts[y], y))
    problems.warning(f"报告年度 {year} 年的指标大多没有数值（已填报的 {len(filled)} 项指标中 {missing} 项没有 {year} 年的值，"
                     f"正文引用处将显示【待补充】）；数据最多的是 {best} 年，report.yaml 中的 year 是否应为 {best}？",
                     raw.config_loc)


def _named(tdef, context: dict) -> str:
    """How a message names a table: by the title the draft prints, as the office knows it (not its id)."""
    return f"明细表“{render_title(tdef.title, context)}”"


def _table(rt: RawTable, tdef, name: str, problems: Problems) -> TableData:
    data = TableData(tdef, [], [], [], rt.loc)
    absent = _absent_columns(rt, tdef, name, problems)
    unlisted: dict[tuple[str, str], list] = {}       # (column, value) -> its cells: one warning per value
    for n, row in enumerate(rt.rows, start=1):
        if all(is_blank(c.raw) for c in row.cells.values()):
            problems.warning(f"{name}第 {n} 行是空行，已跳过", row.loc)
            continue
        values, locs = {}, {}
        for col in tdef.columns:
            cell = row.cells.get(col.name)
            if cell is None or is_blank(cell.raw):
                if col.required and col.name not in absent:
                    problems.error(f"缺少必填列“{col.name}”", cell.loc if cell else row.loc)
                values[col.name] = None
                continue
            result = coerce(col, cell.raw, cell.text)
            locs[col.name] = cell.loc
            if result.value is NOT_REPORTED and col.numeric and col.required:
                problems.warning(f"必填的数字列“{col.name}”填的是“{str(cell.text or cell.raw).strip()}”（未填报）："
                                 "表中印“-”，合计印【待补充】，计入待补充；请填写数字", cell.loc)
            if result.error:
                problems.error(f"“{col.name}”{result.error}", cell.loc)
            elif result.unlisted:
                unlisted.setdefault((col.name, result.warning), []).append(cell.loc)
            elif result.warning:
                problems.warning(f"“{col.name}”{result.warning}", cell.loc)
            values[col.name] = result.value
        data.rows.append(values)
        data.locs.append(locs)
        data.row_locs.append(row.loc)
    check_isbns(tdef, data.rows, data.locs, problems)
    check_duplicates(tdef, name, data.rows, data.row_locs, problems)
    check_serials(rt.rows, problems)
    for (column, warning), locs in unlisted.items():
        more = "、".join(str(loc.line) if loc.line else (loc.cell or "") for loc in locs[1:])
        rows = "" if len(locs) == 1 else f"（共 {len(locs)} 处，另见" + (f"第 {more} 行）" if locs[0].line else f" {more}）")
        problems.warning(f"“{column}”{warning}{rows}", locs[0])
    if rt.total_row is not None:
        _typed_total(rt.total_row, tdef, data, problems)
    return data


def _absent_columns(rt: RawTable, tdef, name: str, problems: Problems) -> set[str]:
    """Required columns no row has: one error per table (a renamed header), not one per row.
    The likely renamed header comes first; other unknown headers are one warning each."""
    present = {name for row in rt.rows for name in row.cells}
    absent = [c for c in tdef.columns if c.required and c.name not in present] if rt.rows else []
    unused = dict(rt.extra_columns)
    for col in absent:
        header = did_you_mean(col.name, unused, template="{}", cutoff=0.3)
        if header:
            loc = unused.pop(header)
            problems.error(f"表头“{header}”是否应为“{col.name}”？{name}的必填列“{col.name}”在全部 "
                           f"{len(rt.rows)} 行中都没有（若本校表头就叫“{header}”，可在 report.yaml 的 tables 中为该列加别名）", loc)
        else:
            problems.error(f"{name}的必填列“{col.name}”在全部 {len(rt.rows)} 行中都没有", rt.loc)
    for key, loc in unused.items():
        problems.warning(f"{name}没有“{key}”这一列，该列数据未使用", loc)
    return {c.name for c in absent}


def _typed_total(row, tdef, data: TableData, problems: Problems) -> None:
    """Keep the numbers of a typed 合计 row; check/rules.py compares them with the rows' sum."""
    for col in tdef.columns:
        cell = row.cells.get(col.name)
        if not col.summable or cell is None or is_blank(cell.raw):
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
