"""The school's own indicators, declared in report.yaml: figures the pack does not know (中外合作办学在校生,
国际岗位职业标准数 …) become indicators like the pack's — `{{ ind.X }}` in the prose, typed numbers checked
against them, optionally an extra appendix table:

    indicators:
      中外合作办学在校生: {unit: 人, values: {2023: 98, 2024: 111}}
      中外合作办学在校生占比: {unit: "%", format: percent, formula: 中外合作办学在校生 / 全日制在校生数}
    indicators_table: 学校特色指标          # optional: the title of an appendix table listing them

A value given in data/indicators.yaml (or the workbook) for the same name and year wins. Their formulas
are compiled once as they join the pack, as the pack's own were when it loaded (packs/load.py).
"""
from __future__ import annotations

from dataclasses import replace

from ..compute.indicators import compile_indicators, drop_cycles
from ..dataset import RawCell, RawProject
from ..errors import Location, Problems
from ..load.yaml_source import YNode
from ..pack import AppendixTableDef, IndicatorDef, Pack
from ..render.env import make_env
from ..value_kinds import ValueFormat

APPENDIX_ID = "school_indicators"


def with_project_indicators(pack: Pack, config_node: YNode, problems: Problems) -> Pack:
    node = config_node.get("indicators")
    if node is None or node.kind != "map":
        return pack
    indicators = dict(pack.indicators)
    for name, spec_node in node.value.items():
        loc = Location("report.yaml", spec_node.loc.line, path=f"indicators › {name}")
        if name in pack.indicators:
            problems.error(f"模板包中已有指标“{name}”，请把数值填在 data/indicators.yaml 中，不必在 report.yaml 中声明",
                           loc)
            continue
        spec = spec_node.plain() or {}
        formula = spec.get("formula")
        kind = spec.get("kind") or ("derived" if formula else "raw")
        if kind == "derived" and not formula:
            problems.error(f"指标“{name}”是计算指标（kind: derived），须写出 formula", loc)
            continue
        values = spec.get("values") or {}
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in values.values())
        fmt = ValueFormat(spec.get("format") or ("integer" if kind == "raw" and whole else "decimal2"))
        indicators[name] = IndicatorDef(name=name, kind=kind, loc=loc, unit=str(spec.get("unit") or ""),
                                        formula=formula if kind == "derived" else None, format=fmt,
                                        rate=fmt is ValueFormat.PERCENT, mentions=tuple(spec.get("mentions") or ()))
    own = [n for n in indicators if n not in pack.indicators]       # in report.yaml's order
    formulas = {**pack.formulas, **compile_indicators(make_env({}), indicators, own, problems)}
    drop_cycles(formulas, indicators, problems, start=own)     # the pack's own were checked when it loaded
    pack = replace(pack, indicators=indicators, formulas=formulas)
    title = config_node.get("indicators_table")
    if title is not None and own:
        table = AppendixTableDef(id=APPENDIX_ID, title=str(title.plain()), label="", rows=tuple(own),
                                 loc=Location("report.yaml", title.loc.line, path="indicators_table"))
        pack = replace(pack, appendix=[*pack.appendix, table])
    return pack


def with_project_values(raw: RawProject, config_node: YNode) -> RawProject:
    """report.yaml's `values:` as indicator cells, where the data files give none for that year."""
    node = config_node.get("indicators")
    if node is None or node.kind != "map":
        return raw
    cells = {name: dict(years) for name, years in raw.indicators.cells.items()}
    for name, spec_node in node.value.items():
        d = raw.pack.indicators.get(name)
        values = spec_node.get("values") if spec_node.kind == "map" else None
        if d is None or d.loc.file != "report.yaml" or values is None or values.kind != "map":
            continue
        for year, cell in values.value.items():
            try:
                y = int(year)
            except (TypeError, ValueError):
                continue
            cells.setdefault(name, {}).setdefault(
                y, RawCell(cell.plain(), Location("report.yaml", cell.loc.line, path=f"indicators › {name} › {y}"),
                           cell.raw))
    return replace(raw, indicators=replace(raw.indicators, cells=cells))
