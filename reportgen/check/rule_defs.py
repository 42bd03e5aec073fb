"""Definitions of cross-checks and threshold standards, as a pack declares them (checks.yaml,
thresholds.yaml). Parsing only: running them is check/rules.py. Imports nothing from pack.py,
so the pack loader can use it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormulaError, Location, Problems
from ..load.yaml_source import YNode

KIND_NAMES = {"parts": "其中项与上级指标", "compare": "指标之间的关系", "table_total": "明细表合计与指标",
              "range": "取值范围"}
OPS = {"=": "等于", "==": "等于", "<=": "不超过", "<": "小于", ">=": "不少于", ">": "大于"}


@dataclass(frozen=True)
class CheckDef:
    kind: str                    # parts | compare | table_total | range
    loc: Location
    name: str = ""               # what is checked, in the words of the pack; generated when empty
    severity: str = "error"      # a failed check is an error unless the pack says warning
    years: str = "all"           # all: every year with data; report: the report year only
    parent: str | None = None    # parts
    rule: str = "each"           # parts: sum (sub-rows add up to the parent) | each (none exceeds it)
    parts: tuple[str, ...] = ()  # parts: which sub-rows (default: every indicator whose parent it is)
    left: str | None = None      # compare: expressions over indicators
    op: str = "="
    right: str | None = None
    tolerance: float = 0.0
    table: str | None = None     # table_total
    column: str | None = None
    indicator: str | None = None
    indicators: tuple[str, ...] = ()   # range
    rates: bool = False                # range: every indicator with rate: true
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Limit:
    indicator: str
    loc: Location
    min: float | None = None
    max: float | None = None
    note: str = ""


@dataclass(frozen=True)
class StandardDef:
    """One published standard (e.g. 教发〔2004〕2号) with the limits it sets for one school level."""
    id: str
    level: str
    title: str
    source: str
    limits: tuple[Limit, ...]
    loc: Location
    grade: str = ""              # 合格 …: what meeting the limit means
    note: str = ""

    @property
    def citation(self) -> str:
        return f"《{self.title}》（{self.source}）"


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


def check_definitions(tables, inds, checks, standards, levels, problems: Problems) -> None:
    """Names used by checks and standards must exist in the pack (a typo would silently check nothing)."""
    from ..compute.indicators import compile_formula  # here: compute imports pack, pack imports us
    from ..render.env import make_env
    env = make_env({})
    for c in checks:
        for expr in (c.left, c.right) if c.kind == "compare" else ():
            try:
                compile_formula(env, expr, inds)
            except FormulaError as e:
                problems.error(e.message, c.loc)
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


def level_key(levels: dict[str, tuple[str, ...]], level: str | None) -> str | None:
    """The pack's level key (高职, 中职) for report.yaml's `level` text (高等职业, 中等职业 …)."""
    if not level:
        return None
    text = str(level).strip()
    for key, aliases in levels.items():
        if text == key or text in aliases:
            return key
    return None if levels else text
