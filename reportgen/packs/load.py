"""Reading a pack: every file of it and of the packs it extends, checked, merged and turned into the
pack model (reportgen/pack.py). The pipeline's first stage: load pack → load project → check → …

Inheritance (which layer wins) is packs/inherit.py; where a pack name is found, packs/find.py.
Formulas in indicators and checks are compiled here once (`Pack.formulas`, `CheckDef.compiled`), so a
pack with a broken formula is refused before any project data is read, and no stage compiles them again.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..compute.indicators import compile_formula, compile_indicators, drop_cycles
from ..compute.units import units
from ..errors import FormulaError, Location, PackError, Problems, ReportgenError
from ..load.yaml_source import YNode
from ..value_kinds import ColumnType, ValueFormat
from ..pack import (
    AppendixTableDef,
    ChapterDef,
    ChartDef,
    CheckDef,
    ColumnDef,
    Formula,
    IndicatorDef,
    Limit,
    Pack,
    SectionDef,
    StandardDef,
    TableDef,
)
from ..render.env import make_env
from .find import find_pack
from .inherit import (
    OVERLAY_DIR,
    find_file,
    merged_node,
    pack_options,
    part_node,
    read_layers,
)
from .typography import read_typography


def load_project_pack(root: Path, config: dict, problems: Problems) -> Pack:
    """The pack a project's report.yaml names; its problems join the project's (all raised together)."""
    try:
        return project_pack(root, config, problems)    # `pack:`, or `extends:` with the project's pack/ folder
    except ReportgenError as e:
        problems.extend(e.problems())
        problems.raise_if_errors()
        raise


def project_pack(project: Path, config: dict, problems: Problems):
    """The pack of a project: `pack: NAME`, or `extends: NAME` with the project's pack/ folder on top."""
    name, base = config.get("pack"), config.get("extends")
    where = Location("report.yaml")
    if name and base:
        raise PackError("report.yaml 中 pack 与 extends 只能写一个：pack 直接使用模板包；extends 以模板包为基础，"
                        "再用项目 pack/ 文件夹中的文件覆盖", where)
    if not name and not base:
        raise PackError("report.yaml 缺少 pack（使用的模板包名称），或 extends（以某模板包为基础并用项目 pack/ 文件夹覆盖）",
                        where)
    overlay = project / OVERLAY_DIR
    if base:
        return load_pack(find_pack(base, project), overlay=overlay, warnings=problems)
    root = find_pack(name, project)
    if overlay.is_dir() and root != overlay.resolve() and any(overlay.iterdir()):
        problems.warning(f"项目中有 {OVERLAY_DIR}/ 文件夹，但 report.yaml 写的是 pack:，其中的覆盖不会生效；"
                         f"如需覆盖，请改为 extends: {name}", where)
    return load_pack(root, warnings=problems)


def load_pack(root: Path, overlay: Path | None = None, warnings: Problems | None = None) -> Pack:
    """Load and check every file of a pack; all problems of the pack are raised together.

    A pack may extend another, and a project may lay its own pack/ folder over it (`overlay`):
    packs/inherit.py reads every layer, checks each on its own and merges them (order documented there).
    The pack's warnings (an old way of writing a setting …) are added to `warnings` when given.
    """
    problems = Problems()
    layers = read_layers(root, overlay, problems)          # nearest first
    problems.raise_if_errors()
    root = layers[0].root
    display = lambda p: f"{root.name}/{p}"  # noqa: E731 - short label for messages
    node = merged_node(layers, problems)
    problems.raise_if_errors()
    spec = node.plain()
    default_template = spec.get("default_template", "chapters/chapter.md.j2")
    chapters = [_chapter(c, default_template) for c in spec["chapters"]]
    _check_unique([c.id for c in chapters], node.get("chapters"), display("pack.yaml"), "章节 id", problems)
    for ch, cnode in zip(chapters, node.get("chapters").value):
        if find_file(layers, ch.template) is None:
            problems.error(f"章节“{ch.title}”的模板文件 {ch.template} 不存在", cnode.loc)

    tables = _load_part(root, spec.get("tables"), "tables", display, problems, _tables) or {}
    indicators = _load_part(root, spec.get("indicators"), "indicators", display, problems, _indicators) or {}
    appendix = _load_part(root, spec.get("appendix"), "appendix", display, problems, _appendix) or []
    charts = _load_part(root, spec.get("charts"), "charts", display, problems, _charts) or {}
    typography = read_typography(layers, problems)
    _cross_check(tables, indicators, appendix, problems)
    _check_charts(charts, tables, indicators, problems)
    checks = _load_part(root, spec.get("checks"), "checks", display, problems, parse_checks) or []
    standards = _load_part(root, spec.get("thresholds"), "thresholds", display, problems, parse_thresholds) or []
    levels = {k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in spec.get("levels", {}).items()}
    check_definitions(tables, indicators, checks, standards, levels, problems)
    formulas, checks = compiled_formulas(indicators, checks, problems)
    problems.raise_if_errors()
    if warnings is not None:
        warnings.items.extend(problems.warnings)
    return Pack(**pack_options(spec, layers), name=spec["name"], version=spec["version"], root=root,
                description=spec.get("description", ""),
                cover=spec.get("cover", {}), numbering=spec.get("numbering", "global"), chapters=chapters,
                tables=tables, indicators=indicators, appendix=appendix, typography=typography, charts=charts,
                checks=checks, standards=standards, levels=levels, formulas=formulas)


def _chapter(c: dict, default_template: str) -> ChapterDef:
    return ChapterDef(id=c["id"], title=c["title"], template=c.get("template", default_template),
                      numbered=c.get("numbered", True), page_break=c.get("page_break", True),
                      toc_levels=c.get("toc_levels"), lead_numbers=c.get("lead_numbers", False),
                      sections=tuple(SectionDef(s["id"], s["title"], s.get("hint", "")) for s in c.get("sections", [])))


def _load_part(root, rel, schema_name, display, problems, build):
    if not rel:
        return None
    node = part_node(root, rel, schema_name, problems)   # from every layer that has this part, each checked, merged
    if node is None:
        return None
    return build(node, display(rel), problems)


def column_def(c: dict) -> ColumnDef:
    """One column as tables.yaml (or report.yaml's `tables: … add:`) declares it."""
    return ColumnDef(name=c["name"], type=ColumnType(c.get("type", "enum" if "choices" in c else "text")),
                     choices=tuple(c.get("choices", ())), required=c.get("required", False),
                     unit=c.get("unit", ""), total=c.get("total", False), merge=c.get("merge", False),
                     width=c.get("width", 1.0), min=c.get("min"), max=c.get("max"),
                     decimals=c.get("decimals"), pattern=c.get("pattern"), plain=c.get("plain", False),
                     help=c.get("help", ""), strict=c.get("strict", False), aliases=tuple(c.get("aliases", ())),
                     value_aliases=tuple((str(k), str(v)) for k, v in c.get("value_aliases", {}).items()),
                     mentions=tuple(c.get("mentions", ())),
                     derive=(c["derive"]["from"], tuple((str(k), str(v)) for k, v in c["derive"]["patterns"].items()))
                     if c.get("derive") else None)


def _tables(node: YNode, file: str, problems: Problems) -> dict[str, TableDef]:
    out = {}
    for tid, tnode in node.value.items():
        t = tnode.plain()
        cols = []
        for cnode, c in zip(tnode.get("columns").value, t["columns"]):
            col = column_def(c)
            if col.type is ColumnType.ENUM and not col.choices:
                problems.error(f"枚举列“{col.name}”缺少 choices 可选值", Location(file, cnode.loc.line))
            for typed, meant in col.value_aliases:
                if col.choices and meant not in col.choices:
                    problems.error(f"列“{col.name}”的 value_aliases 中“{typed}”对应的“{meant}”不是可选值",
                                   Location(file, cnode.loc.line))
            if col.derive:
                import re
                if col.derive[0] not in [x["name"] for x in t["columns"]]:
                    problems.error(f"列“{col.name}”的 derive.from“{col.derive[0]}”不是本表的列", Location(file, cnode.loc.line))
                for rx, _ in col.derive[1]:
                    try:
                        re.compile(rx)
                    except re.error as e:
                        problems.error(f"列“{col.name}”的 derive 中“{rx}”不是有效的正则表达式（{e}）",
                                       Location(file, cnode.loc.line))
            if col.total and not col.numeric:
                problems.error(f"列“{col.name}”不是数字列，不能求合计", Location(file, cnode.loc.line))
            cols.append(col)
        _check_unique([c.name for c in cols], tnode.get("columns"), file, f"表 {tid} 的列名", problems)
        groups = tuple((column, str(value), tuple(phrases)) for column, by_value in t.get("groups", {}).items()
                       for value, phrases in by_value.items())
        for column, value, _ in groups:
            col = next((c for c in cols if c.name == column), None)
            if col is None:
                problems.error(f"表 {tid} 的 groups 中的列“{column}”不存在", Location(file, tnode.loc.line))
            elif col.choices and value not in col.choices:
                problems.error(f"表 {tid} 的 groups 中“{column}”的取值“{value}”不是可选值", Location(file, tnode.loc.line))
        out[tid] = TableDef(id=tid, title=t["title"], columns=tuple(cols), loc=tnode.loc,
                            serial=t.get("serial", True), empty_text=t.get("empty_text", "（无）"),
                            mentions=tuple(t.get("mentions", ())), groups=groups)
    return out


def _indicators(node: YNode, file: str, problems: Problems) -> dict[str, IndicatorDef]:
    out = {}
    for name, inode in node.value.items():
        d = inode.plain()
        if d["kind"] == "derived" and not d.get("formula"):
            problems.error(f"计算指标“{name}”缺少 formula 公式", inode.loc)
        out[name] = IndicatorDef(name=name, kind=d["kind"], loc=inode.loc, unit=d.get("unit", ""),
                                 formula=d.get("formula"), format=ValueFormat(d.get("format", "decimal2")),
                                 rate=d.get("rate", False), parent=d.get("parent"), help=d.get("help", ""),
                                 convert=d.get("convert", {}), label=d.get("label", ""), decimals=d.get("decimals"),
                                 mentions=tuple(d.get("mentions", ())))
        _check_convert(out[name], problems)
    return out


def _appendix(node: YNode, file: str, problems: Problems) -> list[AppendixTableDef]:
    return [AppendixTableDef(id=a["id"], title=a["title"], label=a.get("label", ""), rows=tuple(a["rows"]),
                             numbered=a.get("numbered"), serial=a.get("serial", False),
                             loc=anode.loc, levels=tuple(a.get("levels", ())), years=a.get("years", 3))
            for anode, a in zip(node.value, node.plain())]


def _charts(node: YNode, file: str, problems: Problems) -> dict[str, ChartDef]:
    out = {}
    for cnode, c in zip(node.value, node.plain()):
        loc = Location(file, cnode.loc.line)
        if c["id"] in out:
            problems.error(f"图表 id“{c['id']}”重复", loc)
        out[c["id"]] = ChartDef(id=c["id"], title=c["title"], kind=c["kind"], loc=loc,
                                indicators=tuple(c.get("indicators", ())), years=c.get("years", 3),
                                table=c.get("table"), by=c.get("by"), value=c.get("value"), ylabel=c.get("ylabel", ""))
    return out


def _check_charts(charts, tables, indicators, problems: Problems) -> None:
    for c in charts.values():
        if bool(c.indicators) == bool(c.table):
            problems.error(f"图表“{c.id}”应给出 indicators（指标的逐年变化）或 table 与 by（明细表按列分组），二者选一", c.loc)
            continue
        for name in c.indicators:
            if name not in indicators:
                problems.error(f"图表“{c.id}”引用了未定义的指标“{name}”", c.loc)
        if not c.table:
            continue
        tdef = tables.get(c.table)
        if tdef is None:
            problems.error(f"图表“{c.id}”引用了未定义的明细表“{c.table}”", c.loc)
            continue
        if not c.by or tdef.column(c.by) is None:
            problems.error(f"图表“{c.id}”：明细表“{c.table}”中没有分组列“{c.by or ''}”（by）", c.loc)
        if c.value is not None:
            col = tdef.column(c.value)
            if col is None or not col.numeric:
                problems.error(f"图表“{c.id}”：明细表“{c.table}”中没有数字列“{c.value}”（value）", c.loc)


def _check_convert(d: IndicatorDef, problems: Problems) -> None:
    src = d.convert.get("from")
    if src is not None and not units().convertible(str(src), d.unit):
        problems.error(f"指标“{d.name}”的 convert: 填报单位“{src}”不能换算为指标单位“{d.unit}”"
                       "（见单位换算表 data/units.yaml）", d.loc)


def _cross_check(tables, indicators, appendix, problems: Problems) -> None:
    for a in appendix:
        for row in a.rows:
            if row not in indicators:
                problems.error(f"附表“{a.title}”引用了未定义的指标“{row}”", a.loc)
    for ind in indicators.values():
        if ind.parent and ind.parent not in indicators:
            problems.error(f"指标“{ind.name}”的上级指标“{ind.parent}”未定义", ind.loc)


def _check_unique(values, node, file, what, problems):
    seen = set()
    for v, n in zip(values, node.value if node else []):
        if v in seen:
            problems.error(f"{what}“{v}”重复", Location(file, n.loc.line))
        seen.add(v)


# ---------------------------------------------------------------- checks.yaml, thresholds.yaml
def parse_checks(node: YNode, file: str, problems: Problems) -> list[CheckDef]:
    out = []
    for cnode in node.value:
        c = cnode.plain()
        loc = Location(file, cnode.loc.line)
        if c["kind"] == "range" and not c.get("indicators") and not c.get("rates"):
            problems.error("取值范围检查需要 indicators（指标列表）或 rates: true（所有比率类指标）", loc)
            continue
        if c["kind"] == "range" and c.get("min") is None and c.get("max") is None:
            problems.error("取值范围检查需要 min 或 max", loc)
            continue
        out.append(CheckDef(kind=c["kind"], loc=loc, name=c.get("name", ""), severity=c.get("severity", "error"),
                            years=c.get("years", "all"), parent=c.get("parent"), rule=c.get("rule", "each"),
                            parts=tuple(c.get("parts", ())),
                            left=_text(c.get("left")), op=c.get("op", "="), right=_text(c.get("right")),
                            tolerance=float(c.get("tolerance", 0)), table=c.get("table"), column=c.get("column"),
                            indicator=c.get("indicator"), indicators=tuple(c.get("indicators", ())),
                            rates=c.get("rates", False), min=c.get("min"), max=c.get("max")))
    return out


def _text(v):
    return None if v is None else str(v)


def parse_thresholds(node: YNode, file: str, problems: Problems) -> list[StandardDef]:
    out = []
    for snode in node.value:
        s = snode.plain()
        limits = []
        for name, lnode in snode.get("limits").value.items():
            lim = lnode.plain()
            if lim.get("min") is None and lim.get("max") is None:
                problems.error(f"标准“{s['id']}”对“{name}”的要求缺少 min 或 max", Location(file, lnode.loc.line))
                continue
            limits.append(Limit(name, Location(file, lnode.loc.line), lim.get("min"), lim.get("max"),
                                lim.get("note", "")))
        out.append(StandardDef(id=s["id"], level=s["level"], title=s["title"], source=s["source"],
                               limits=tuple(limits), loc=Location(file, snode.loc.line), grade=s.get("grade", ""),
                               note=s.get("note", "")))
    return out


def compiled_formulas(inds: dict[str, IndicatorDef], checks: list[CheckDef],
                      problems: Problems) -> tuple[dict[str, Formula], list[CheckDef]]:
    """Every indicator formula and both sides of every `compare` check, compiled once in the sandbox (formulas
    see no files: no template roots); one that does not compile, or a cycle of formulas, is reported at its line."""
    env = make_env({})
    formulas = compile_indicators(env, inds, inds, problems)
    drop_cycles(formulas, inds, problems)
    return formulas, [_compiled_check(env, c, inds, problems) if c.kind == "compare" else c for c in checks]


def _compiled_check(env, c: CheckDef, inds, problems: Problems) -> CheckDef:
    sides = []
    for expr in (c.left, c.right):
        try:
            sides.append(compile_formula(env, expr, inds))
        except FormulaError as e:
            problems.error(e.message, c.loc)
    return replace(c, compiled=tuple(sides)) if len(sides) == 2 else c


def check_definitions(tables, inds, checks, standards, levels, problems: Problems) -> None:
    """Names used by checks and standards must exist in the pack (a typo would silently check nothing)."""
    for c in checks:
        names = [n for n in (c.parent, c.indicator) if n] + list(c.indicators) + list(c.parts)
        for n in names:
            if n not in inds:
                problems.error(f"检查引用了未定义的指标“{n}”", c.loc)
        for n in c.parts:
            if n in inds and inds[n].parent != c.parent:
                problems.error(f"“{n}”不是“{c.parent}”的其中项（它的 parent 应为“{c.parent}”）", c.loc)
        if c.kind == "parts" and c.parent in inds and not any(d.parent == c.parent for d in inds.values()):
            problems.error(f"指标“{c.parent}”没有其中项（没有指标的 parent 是它）", c.loc)
        if c.kind == "table_total":
            t = tables.get(c.table)
            if t is None:
                problems.error(f"检查引用了未定义的明细表“{c.table}”", c.loc)
            elif t.column(c.column) is None or not t.column(c.column).numeric:
                problems.error(f"明细表“{c.table}”没有数字列“{c.column}”", c.loc)
    seen = set()
    for s in standards:
        if s.id in seen:
            problems.error(f"标准 id“{s.id}”重复", s.loc)
        seen.add(s.id)
        if levels and s.level not in levels:
            problems.error(f"标准“{s.id}”的办学层次“{s.level}”不在 pack.yaml 的 levels 中"
                           f"（可用：{'、'.join(levels)}）", s.loc)
        for lim in s.limits:
            if lim.indicator not in inds:
                problems.error(f"标准“{s.id}”引用了未定义的指标“{lim.indicator}”", lim.loc)
