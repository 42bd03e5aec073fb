"""Template packs: chapter templates, table and indicator definitions, typography — all data.

A pack is a folder with pack.yaml. Built-in packs live in the top-level templates/ folder;
a project may also name a pack folder by relative path.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from .check.rule_defs import CheckDef, StandardDef, check_definitions, parse_checks, parse_thresholds
from .doc.model import Typography
from .errors import Location, PackError, Problems
from .load.yaml_source import YNode

BUILTIN_PACKS = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    unit: str = ""
    total: bool = False
    merge: bool = False
    width: float = 1.0
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    pattern: str | None = None
    plain: bool = False          # integers shown without thousands separators (years)
    help: str = ""

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "decimal")

    @property
    def heading(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class TableDef:
    id: str
    title: str
    columns: tuple[ColumnDef, ...]
    loc: Location
    serial: bool = True
    empty_text: str = "（无）"

    def column(self, name: str) -> ColumnDef | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class IndicatorDef:
    name: str
    kind: str
    loc: Location
    unit: str = ""
    formula: str | None = None
    format: str = "decimal2"
    rate: bool = False
    parent: str | None = None
    help: str = ""
    convert: dict = field(default_factory=dict)   # {from: 亩}: reported in that unit, converted to `unit`
    label: str = ""                               # shown in appendix tables instead of the name (其中 rows)
    decimals: int | None = None                   # overrides the format's number of decimals

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class AppendixTableDef:
    id: str
    title: str
    label: str
    rows: tuple[str, ...]
    loc: Location
    levels: tuple[str, ...] = ()
    numbered: bool | None = None   # None: labelled 附表 N (or `label`); True: 表 N / 表 2-1 with the text's tables; False: no label
    serial: bool = False           # a 序号 column; 其中 rows get none
    years: int = 3               # year columns: the report year and the years before it


@dataclass(frozen=True)
class ChartDef:
    """A chart narrative can insert with chart("id"): indicators over the years, or a table by a column."""
    id: str
    title: str
    kind: str                              # bar | line
    loc: Location
    indicators: tuple[str, ...] = ()       # series: one per indicator, over the last `years` years
    years: int = 3
    table: str | None = None               # breakdown: rows of `table` grouped by column `by`
    by: str | None = None
    value: str | None = None               # numeric column summed per group; None counts rows
    ylabel: str = ""


@dataclass(frozen=True)
class SectionDef:
    id: str
    title: str
    hint: str = ""


@dataclass(frozen=True)
class ChapterDef:
    id: str
    title: str
    template: str
    numbered: bool = True
    sections: tuple[SectionDef, ...] = ()
    page_break: bool = True
    toc_levels: int | None = None      # heading levels of this chapter listed in the 目录 (None: as the document)
    lead_numbers: bool = False         # number bold lead sentences 1. 2. … under each section (职教集团 reports)


@dataclass
class Pack:
    name: str
    version: str
    root: Path
    description: str
    cover: dict[str, str]
    numbering: str
    chapters: list[ChapterDef]
    tables: dict[str, TableDef]
    indicators: dict[str, IndicatorDef]
    appendix: list[AppendixTableDef]
    typography: Typography
    charts: dict[str, ChartDef] = field(default_factory=dict)
    checks: list[CheckDef] = field(default_factory=list)          # checks.yaml
    standards: list[StandardDef] = field(default_factory=list)    # thresholds.yaml
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)   # 高职 -> (高等职业, …)

    layers: list = field(default_factory=list)   # packs/inherit.py Layer: project pack/, this pack, its parents
    toc: bool = True                             # a 目录 after the cover
    school_fields: dict[str, str] = field(default_factory=dict)   # report.yaml school keys the pack uses → help
    wording: dict[str, dict[str, str]] = field(default_factory=dict)   # level key → words templates use

    @property
    def search_path(self) -> list[Path]:
        """Folders that serve this pack's files, nearest first."""
        return [layer.root for layer in self.layers] or [self.root]

    def template_path(self, name: str) -> Path:
        for root in self.search_path:
            if (root / name).is_file():
                return root / name
        return self.root / name

    def file_label(self, name: str) -> str:
        """How messages name a pack file: the folder of the layer that serves it, then the path."""
        root = next((r for r in self.search_path if (r / name).is_file()), self.root)
        return f"{root.name}/{name}"


def find_pack(name: str, project_dir: Path | None = None) -> Path:
    """Resolve a pack name: a folder relative to the project, else an installed (user) pack, else a built-in one."""
    from .packs.store import user_pack_dir     # the search order is documented in packs/store.py
    candidates = []
    if project_dir is not None:
        candidates.append(project_dir / name)
    if name and "/" not in name and "\\" not in name and not name.startswith("."):
        candidates.append(user_pack_dir() / name)
    candidates.append(BUILTIN_PACKS / name)
    for c in candidates:
        if (c / "pack.yaml").is_file():
            return c.resolve()
    known = "、".join(sorted(p.name for p in BUILTIN_PACKS.iterdir() if (p / "pack.yaml").is_file()))
    users = user_pack_dir()
    installed = "、".join(sorted(p.name for p in users.iterdir() if (p / "pack.yaml").is_file())) if users.is_dir() else ""
    raise PackError(f"找不到模板包“{name}”（内置模板包：{known}" + (f"；已安装：{installed}" if installed else "") +
                    "；查看全部：reportgen pack list）")


def load_pack(root: Path, overlay: Path | None = None) -> Pack:
    """Load and check every file of a pack; all problems of the pack are raised together.

    A pack may extend another, and a project may lay its own pack/ folder over it (`overlay`):
    packs/inherit.py reads every layer, checks each on its own and merges them (order documented there).
    """
    from .packs.inherit import find_file, merged_node, pack_options, read_layers
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
    typography = _typography(node.get("typography"), display("pack.yaml"), problems)
    _cross_check(tables, indicators, appendix, problems)
    _check_charts(charts, tables, indicators, problems)
    checks = _load_part(root, spec.get("checks"), "checks", display, problems, parse_checks) or []
    standards = _load_part(root, spec.get("thresholds"), "thresholds", display, problems, parse_thresholds) or []
    levels = {k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in spec.get("levels", {}).items()}
    check_definitions(tables, indicators, checks, standards, levels, problems)
    problems.raise_if_errors()
    return Pack(**pack_options(spec, layers), name=spec["name"], version=spec["version"], root=root,
                description=spec.get("description", ""),
                cover=spec.get("cover", {}), numbering=spec.get("numbering", "global"), chapters=chapters,
                tables=tables, indicators=indicators, appendix=appendix, typography=typography, charts=charts,
                checks=checks, standards=standards, levels=levels)


def _chapter(c: dict, default_template: str) -> ChapterDef:
    return ChapterDef(id=c["id"], title=c["title"], template=c.get("template", default_template),
                      numbered=c.get("numbered", True), page_break=c.get("page_break", True),
                      toc_levels=c.get("toc_levels"), lead_numbers=c.get("lead_numbers", False),
                      sections=tuple(SectionDef(s["id"], s["title"], s.get("hint", "")) for s in c.get("sections", [])))


def _load_part(root, rel, schema_name, display, problems, build):
    if not rel:
        return None
    from .packs.inherit import part_node
    node = part_node(root, rel, schema_name, problems)   # from every layer that has this part, each checked, merged
    if node is None:
        return None
    return build(node, display(rel), problems)


def _tables(node: YNode, file: str, problems: Problems) -> dict[str, TableDef]:
    out = {}
    for tid, tnode in node.value.items():
        t = tnode.plain()
        cols = []
        for cnode, c in zip(tnode.get("columns").value, t["columns"]):
            col = ColumnDef(name=c["name"], type=c.get("type", "enum" if "choices" in c else "text"),
                            choices=tuple(c.get("choices", ())), required=c.get("required", False),
                            unit=c.get("unit", ""), total=c.get("total", False), merge=c.get("merge", False),
                            width=c.get("width", 1.0), min=c.get("min"), max=c.get("max"),
                            decimals=c.get("decimals"), pattern=c.get("pattern"), plain=c.get("plain", False),
                            help=c.get("help", ""))
            if col.type == "enum" and not col.choices:
                problems.error(f"枚举列“{col.name}”缺少 choices 可选值", Location(file, cnode.loc.line))
            if col.total and not col.numeric:
                problems.error(f"列“{col.name}”不是数字列，不能求合计", Location(file, cnode.loc.line))
            cols.append(col)
        _check_unique([c.name for c in cols], tnode.get("columns"), file, f"表 {tid} 的列名", problems)
        out[tid] = TableDef(id=tid, title=t["title"], columns=tuple(cols), loc=tnode.loc,
                            serial=t.get("serial", True), empty_text=t.get("empty_text", "（无）"))
    return out


def _indicators(node: YNode, file: str, problems: Problems) -> dict[str, IndicatorDef]:
    out = {}
    for name, inode in node.value.items():
        d = inode.plain()
        if d["kind"] == "derived" and not d.get("formula"):
            problems.error(f"计算指标“{name}”缺少 formula 公式", inode.loc)
        out[name] = IndicatorDef(name=name, kind=d["kind"], loc=inode.loc, unit=d.get("unit", ""),
                                 formula=d.get("formula"), format=d.get("format", "decimal2"),
                                 rate=d.get("rate", False), parent=d.get("parent"), help=d.get("help", ""),
                                 convert=d.get("convert", {}), label=d.get("label", ""), decimals=d.get("decimals"))
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
    from .compute.units import units
    src = d.convert.get("from")
    if src is not None and not units().convertible(str(src), d.unit):
        problems.error(f"指标“{d.name}”的 convert: 填报单位“{src}”不能换算为指标单位“{d.unit}”"
                       "（见单位换算表 data/units.yaml）", d.loc)


def _typography(node: YNode | None, file: str, problems: Problems) -> Typography:
    if node is None:
        return Typography()
    known = {f.name: f for f in fields(Typography)}
    values = {}
    for key, vnode in node.value.items():
        if key not in known:
            problems.error(f"无法识别的排版设置“{key}”", Location(file, vnode.loc.line, path=f"typography › {key}"))
            continue
        value = vnode.plain()
        default = getattr(Typography(), key)
        if isinstance(default, tuple):
            value = tuple(value) if isinstance(value, list) else None
        ok = value is not None and (isinstance(value, type(default)) or
                                    (isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool)))
        if not ok:
            problems.error(f"排版设置“{key}”的取值“{vnode.plain()}”类型不对", Location(file, vnode.loc.line))
            continue
        values[key] = float(value) if isinstance(default, float) else value
    return Typography(**values)


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
