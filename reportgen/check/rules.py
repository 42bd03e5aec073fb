"""Cross-checks over computed values: what the pack declares (checks.yaml), what is always checked
(typed 合计 rows, computed values typed by hand, 其中 rows), and the threshold standards of the
school's level (thresholds.yaml). Pure: results only, no printing and no I/O.

Every result names the values involved and where each came from (file:line, or sheet › cell for
a workbook), so a failure can be found and fixed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..compute.aggregates import column_total
from ..compute.indicators import IndicatorTable, Source, evaluate
from ..errors import Location, Problems
from ..pack import CheckDef, Limit, StandardDef, level_key
from ..render.display import display_number, format_value
from ..value_kinds import ValueFormat, is_number, round_half_up, truncate

STATUS_TEXT = {"pass": "通过", "fail": "未通过", "warn": "警告", "skip": "跳过"}
PROSE_GROUP = "正文中填写的数字"         # results of prose/narrative.py
GROUPS = ["其中项与上级指标", "指标之间的关系", "明细表合计与指标", "明细表填写的合计", "填写的计算值", "取值范围",
          "办学条件标准", PROSE_GROUP]
MARK = "▲"
KIND_NAMES = {"parts": "其中项与上级指标", "compare": "指标之间的关系", "table_total": "明细表合计与指标",
              "range": "取值范围"}
OPS = {"=": "等于", "==": "等于", "<=": "不超过", "<": "小于", ">=": "不少于", ">": "大于"}
RELATIVE_SLACK = Decimal("0.001")     # typed computed values: rounding of inputs (e.g. 万元 to 2 places)


@dataclass(frozen=True)
class Involved:
    """One value a check looked at, with where it came from.

    A raw value, a typed 合计 or a table's sum has one place; a derived value has its formula and
    the raw inputs it was computed from, each (label, text, place)."""
    label: str
    text: str
    loc: Location | None = None
    formula: str | None = None
    inputs: tuple[tuple[str, str, Location | None], ...] = ()

    @property
    def where(self) -> list[Location]:
        if self.formula is None:
            return [self.loc] if self.loc is not None else []
        return [loc for _, _, loc in self.inputs if loc is not None]


@dataclass
class CheckResult:
    group: str
    title: str
    status: str                       # pass | fail | warn | skip
    values: list[Involved] = field(default_factory=list)
    detail: str = ""
    severity: str = "error"           # what a failure is: error, or warning (thresholds)

    @property
    def location(self) -> Location | None:
        for v in self.values:
            if v.where:
                return v.where[0]
        return None

    def message(self) -> str:
        """One line for validate/build: what failed, the values, and every place they come from."""
        parts = []
        for v in self.values:
            places = "、".join(dict.fromkeys(str(w) for w in v.where)) or "未填写"
            parts.append(f"{v.label} = {v.text}（{places}）")
        head = f"检查未通过：{self.title}。" if self.status == "fail" else f"{self.title}："
        return f"{head}{self.detail}" + (f"。涉及：{'；'.join(parts)}" if parts else "")


@dataclass
class CheckReport:
    results: list[CheckResult] = field(default_factory=list)
    school: str = ""
    year: int | None = None
    pack: str = ""
    level: str | None = None
    standards: list[StandardDef] = field(default_factory=list)
    marks: dict[tuple[str, int], list[tuple[StandardDef, Limit]]] = field(default_factory=dict)
    prose: object = None          # prose/narrative.ProseReport: the typed numbers behind the PROSE_GROUP results

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    def add_to(self, problems: Problems) -> None:
        """Failures become errors (or warnings where the check says so), threshold breaches warnings."""
        for r in self.results:
            if r.status == "fail" and r.severity == "error":
                problems.error(r.message(), r.location)
            elif r.status in ("fail", "warn"):
                problems.warning(r.message(), r.location)

    # ------------------------------------------------------------ appendix marks
    def mark(self, name: str, year: int) -> str:
        return MARK if (name, year) in self.marks else ""

    def notes_for(self, rows: tuple[str, ...], years: list[int], defs) -> list[str]:
        """Footnotes of an appendix table: one per standard breached by a value the table shows."""
        found: dict[str, tuple[StandardDef, list[Limit]]] = {}
        for name in rows:
            for y in years:
                for std, lim in self.marks.get((name, y), ()):
                    entry = found.setdefault(std.id, (std, []))
                    if lim not in entry[1]:
                        entry[1].append(lim)
        notes = []
        for std, limits in found.values():
            reqs = "，".join(limit_text(lim, defs[lim.indicator]) for lim in limits)
            grade = f"{std.grade}标准" if std.grade else "标准"
            notes.append(f"注：{MARK} 表示未达到{std.citation}规定的{grade}（{reqs}）。")
        return notes

    # ------------------------------------------------------------ text for `reportgen check`
    def lines(self) -> list[str]:
        stds = "、".join(s.citation for s in self.standards) or "无"
        out = [f"{self.school} {self.year} 年度数据检查（模板包 {self.pack}；办学层次：{self.level or '未设置'}；"
               f"适用标准：{stds}）", ""]
        for group in GROUPS:
            results = [r for r in self.results if r.group == group]
            if not results:
                continue
            out.append(f"【{group}】")
            for r in results:
                out.append(f"  [{STATUS_TEXT[r.status]}] {r.title}" + (f"：{r.detail}" if r.detail else ""))
                for v in r.values:
                    out.extend(_value_lines(v))
            out.append("")
        checks = [r.status for r in self.results if r.group != PROSE_GROUP]
        out.append(f"共 {len(checks)} 项检查：通过 {checks.count('pass')} 项，未通过 {checks.count('fail')} 项，"
                   f"警告 {checks.count('warn')} 项，跳过 {checks.count('skip')} 项。")
        prose = [r.status for r in self.results if r.group == PROSE_GROUP]
        out.append(f"正文中与数据相关的填写数字 {len(prose)} 个：与数据一致 {prose.count('pass')} 个，"
                   f"不一致 {prose.count('warn')} 个，无法对应到数据 {prose.count('skip')} 个。")
        return out


def _value_lines(v: Involved) -> list[str]:
    if v.formula is None:
        return [f"      {v.label} = {v.text}    ← {v.loc if v.loc is not None else '未填写'}"]
    lines = [f"      {v.label} = {v.text}    ← 计算：{v.formula}"]
    for label, text, loc in v.inputs:
        lines.append(f"          {label}{' = ' + text if text else ''}    ← {loc if loc is not None else '未填写'}")
    return lines


def limit_text(lim: Limit, d) -> str:
    if lim.max is not None and lim.min is not None:
        return f"{d.name}在 {_limit(d, lim.min)}～{_limit(d, lim.max)} 之间"
    if lim.max is not None:
        return f"{d.name}不高于 {_limit(d, lim.max)}"
    return f"{d.name}不低于 {_limit(d, lim.min)}"


def _limit(d, value) -> str:
    """A limit as the standard writes it: 18:1, 15%, 80 册, 4000 元."""
    if d.format == ValueFormat.RATIO:
        return f"{_plain(value)}:1"
    return f"{_plain(value)}{d.unit if d.unit == '%' else ' ' + d.unit if d.unit else ''}"


def _show(d, value) -> str:
    """A value with its unit as people write it: 836 人, 19.4:1, 96.35%, 11201 元."""
    text = format_value(d, value)
    if text == "-" or d.format in (ValueFormat.RATIO, ValueFormat.PERCENT) or d.unit in ("", "%"):
        return text
    return f"{text} {d.unit}"


# ================================================================ running the checks
def run_checks(dataset, ind: IndicatorTable) -> CheckReport:
    """Every check of the pack (its expressions compiled when the pack loaded) and those always run."""
    pack = dataset.pack
    level = dataset.config.get("level")
    report = CheckReport(school=dataset.school.get("name", ""), year=dataset.year, pack=pack.name, level=level)
    runner = _Runner(dataset, ind, report)
    for c in pack.checks:
        getattr(runner, c.kind)(c)
    for parent, rest in _unchecked_parts(pack).items():     # every 其中 row is checked, at least "≤ parent"
        runner.parts(CheckDef(kind="parts", loc=pack.indicators[parent].loc, parent=parent, rule="each", parts=rest))
    runner.typed_totals()
    runner.typed_derived()
    runner.thresholds(level_key(pack.levels, level))
    return report


def _unchecked_parts(pack) -> dict[str, tuple[str, ...]]:
    covered = set()
    for c in pack.checks:
        if c.kind == "parts":
            covered.update(c.parts or [d.name for d in pack.indicators.values() if d.parent == c.parent])
    out: dict[str, list[str]] = {}
    for d in pack.indicators.values():
        if d.parent in pack.indicators and d.name not in covered:
            out.setdefault(d.parent, []).append(d.name)
    return {k: tuple(v) for k, v in out.items()}


class _Runner:
    def __init__(self, ds, ind: IndicatorTable, report: CheckReport):
        self.ds, self.ind, self.report = ds, ind, report
        self.defs = ind.definitions
        self.all_years = [y for y in ind.years if y <= ds.year]

    def add(self, group, title, status, values, detail="", severity="error"):
        self.report.results.append(CheckResult(group, title, status, values, detail, severity))

    def years(self, c: CheckDef) -> list[int]:
        return [self.ds.year] if c.years == "report" else self.all_years

    def involved(self, name: str, year: int) -> Involved:
        d = self.defs[name]
        text = _show(d, self.ind.get(name, year))
        sources = self.ind.sources_of(name, year)
        if d.kind == "raw":
            return Involved(f"{name} {year} 年", text, sources[0].loc if sources else None)
        formula = self.ind.formulas.get(name)
        return Involved(f"{name} {year} 年", text, formula=formula.text if formula else d.formula or "",
                        inputs=tuple(self.source_view(s) for s in sources))

    def source_view(self, s: Source) -> tuple[str, str, Location | None]:
        d = self.defs.get(s.name)
        if d is None:                     # a detail table read by count/total
            return s.name, "", s.loc
        return f"{s.name} {s.year} 年", _show(d, s.value), s.loc

    # ------------------------------------------------------------ 其中 rows
    def parts(self, c: CheckDef) -> None:
        children = list(c.parts) or [d.name for d in self.defs.values() if d.parent == c.parent]
        group = KIND_NAMES["parts"]
        which = "（" + "、".join(self.defs[n].shown for n in c.parts) + "）" if c.parts else ""
        if c.rule == "sum":
            title = c.name or f"“{c.parent}”的其中项{which}之和等于上级指标"
        else:
            title = c.name or f"“{c.parent}”的其中项{which}均不超过上级指标"
        for y in self.years(c):
            pv = self.ind.get(c.parent, y)
            cvs = [self.ind.get(n, y) for n in children]
            if not any(is_number(v) for v in cvs):
                continue            # no sub-row reported: nothing to check
            values = [self.involved(c.parent, y)] + [self.involved(n, y) for n in children]
            t = f"{title}（{y} 年）"
            if not is_number(pv):
                self.add(group, t, "skip", values, f"“{c.parent}”未填报，无法核对其中项")
                continue
            if c.rule == "sum":
                if not all(is_number(v) for v in cvs):
                    self.add(group, t, "skip", values, "有其中项未填报，无法核对合计")
                    continue
                total = sum(Decimal(str(v)) for v in cvs)
                if abs(total - Decimal(str(pv))) <= Decimal(str(c.tolerance)):
                    self.add(group, t, "pass", values)
                else:
                    terms = " + ".join(f"{self.defs[n].shown} {_plain(v)}" for n, v in zip(children, cvs))
                    self.add(group, t, "fail", values, f"其中项之和 {terms} = {_plain(total)}，"
                             f"不等于“{c.parent}”的 {_plain(pv)}", c.severity)
            else:
                over = [(n, v) for n, v in zip(children, cvs) if is_number(v) and v > pv + c.tolerance]
                if over:
                    names = "、".join(f"“{n}”{_plain(v)}" for n, v in over)
                    self.add(group, t, "fail", values, f"其中项 {names} 超过了“{c.parent}”的 {_plain(pv)}", c.severity)
                else:
                    self.add(group, t, "pass", values)

    # ------------------------------------------------------------ expressions
    def compare(self, c: CheckDef) -> None:
        group = KIND_NAMES["compare"]
        title = c.name or f"{c.left} {OPS[c.op]} {c.right}"
        left, right = c.compiled          # a pack whose check does not compile is refused when it loads
        refs = list(dict.fromkeys(left.refs + right.refs))
        for y in self.years(c):
            inputs = {r: self.ind.get(r, y) for r in refs}
            if not any(is_number(v) for v in inputs.values()):
                continue
            values = [self.involved(r, y) for r in refs]
            t = f"{title}（{y} 年）"
            if not all(is_number(v) for v in inputs.values()):
                self.add(group, t, "skip", values, "有数值未填报，无法核对")
                continue
            try:
                lv, rv = evaluate(left, inputs, None), evaluate(right, inputs, None)
            except Exception as e:  # noqa: BLE001 - a check is pack data; its failure is reported, not raised
                self.add(group, t, "fail", values, f"无法计算：{getattr(e, 'message', None) or e}")
                continue
            if _holds(lv, c.op, rv, c.tolerance):
                self.add(group, t, "pass", values)
            else:
                self.add(group, t, "fail", values,
                         f"{c.left} = {_plain(lv)}，{c.right} = {_plain(rv)}，不满足“{OPS[c.op]}”", c.severity)

    def range(self, c: CheckDef) -> None:
        group = KIND_NAMES["range"]
        names = list(c.indicators) or [d.name for d in self.defs.values() if d.rate]
        bounds = f"{_plain(c.min) if c.min is not None else ''}～{_plain(c.max) if c.max is not None else ''}"
        for name in names:
            d = self.defs[name]
            years = [y for y in self.years(c) if is_number(self.ind.get(name, y))]
            if not years:
                continue
            values = [self.involved(name, y) for y in years]
            bad = [y for y in years if not _within(self.ind.get(name, y), c.min, c.max)]
            title = f"“{name}”在 {bounds}{d.unit if d.unit == '%' else ' ' + d.unit if d.unit else ''} 之间"
            if bad:
                shown = "、".join(f"{y} 年为 {_show(d, self.ind.get(name, y))}" for y in bad)
                self.add(group, title, "fail", values, f"{shown}，超出 {bounds}", c.severity)
            else:
                self.add(group, title, "pass", values)

    # ------------------------------------------------------------ tables
    def table_total(self, c: CheckDef) -> None:
        group = KIND_NAMES["table_total"]
        t = self.ds.tables.get(c.table)
        d = self.defs[c.indicator]
        op = c.op
        title = c.name or f"明细表“{c.table}”的“{c.column}”合计{OPS[op]}“{c.indicator}”"
        y = self.ds.year
        iv = self.ind.get(c.indicator, y)
        if t is None or not t.rows:
            self.add(group, title, "skip", [self.involved(c.indicator, y)], f"明细表“{c.table}”没有数据")
            return
        total = column_total(t, c.column)
        values = [self.table_sum(c.table, c.column, total), self.involved(c.indicator, y)]
        if not is_number(iv):
            self.add(group, title, "skip", values, f"“{c.indicator}”{y} 年未填报")
        elif _holds(total, op, iv, c.tolerance):
            self.add(group, title, "pass", values)
        else:
            self.add(group, title, "fail", values, f"明细表合计 {_plain(total)} 与“{c.indicator}”{_show(d, iv)}"
                     f"不符（相差 {_plain(abs(Decimal(str(total)) - Decimal(str(iv))))}）", c.severity)

    def table_sum(self, tid: str, column: str, total) -> Involved:
        """The rows' sum and which rows it is over: rows with no number in the column are not counted."""
        t = self.ds.tables[tid]
        lines = [loc.line for loc in t.row_locs if loc is not None and loc.line is not None]
        span = f"第 {min(lines)}–{max(lines)} 行，" if lines else ""
        loc = t.loc or Location(f"data/tables/{tid}.yaml")
        counted = sum(is_number(v) for v in t.column_values(column))
        blank = len(t.rows) - counted
        rows = f"{span}共 {counted} 行" + (f"，另有 {blank} 行未填报、未计入" if blank else "")
        where = Location(loc.file, loc.line, loc.sheet, loc.cell, rows if loc.sheet is None else None)
        label = f"明细表“{tid}”各行“{column}”之和" + (f"（{blank} 行未填报、未计入）" if blank and loc.sheet else "")
        return Involved(label, _plain(total), where)

    def typed_totals(self) -> None:
        group = "明细表填写的合计"
        for tid, t in self.ds.tables.items():
            for col, typed in t.typed_total.items():
                if not is_number(typed):
                    continue
                total = column_total(t, col)
                title = f"明细表“{tid}”填写的合计“{col}”等于各行之和"
                values = [Involved(f"填写的合计“{col}”", _plain(typed), t.typed_total_locs[col]),
                          self.table_sum(tid, col, total)]
                diff = Decimal(str(total)) - Decimal(str(typed))
                if diff == 0:
                    self.add(group, title, "pass", values)
                    continue
                detail = f"填写的合计为 {_plain(typed)}，各行之和为 {_plain(total)}（相差 {_plain(abs(diff))}）"
                culprit = self.row_equal_to(t, col, abs(diff)) if diff > 0 else None
                if culprit:
                    detail += f"，差额恰好等于{culprit}的数值，合计可能漏算了这一行"
                self.add(group, title, "fail", values, detail + "；报告中的合计行按各行之和生成")

    def row_equal_to(self, t, col: str, amount: Decimal) -> str | None:
        for i, row in enumerate(t.rows):
            v = row.get(col)
            if is_number(v) and Decimal(str(v)) == amount:
                label = next((str(row[c.name]) for c in t.definition.columns
                              if not c.numeric and row.get(c.name)), "")
                where = t.locs[i].get(col) or t.row_locs[i]
                return f"第 {i + 1} 行{f'“{label}”' if label else ''}（{where}）"
        return None

    # ------------------------------------------------------------ computed values typed by hand
    def typed_derived(self) -> None:
        """A computed indicator the school typed anyway is compared with the computed value. For earlier
        years of an indicator computed from a detail table (tables hold the report year only) the typed
        value is the data itself: it only has to be a number."""
        group = "填写的计算值"
        for name, years in self.ds.typed_derived.items():
            d = self.defs[name]
            formula = self.ind.formulas.get(name)
            for y, cell in sorted(years.items()):
                text = (cell.text if cell.text is not None else str(cell.raw)).strip()
                typed = self.ds.typed_numbers[name][y]
                values = [Involved(f"填写的“{name}” {y} 年", text, cell.loc)]
                as_data = formula is not None and bool(formula.tables) and y != self.ds.year
                if typed is None and text in ("-", "－", "—"):
                    continue
                if (name, y) in self.ind.typed:
                    self.add(group, f"“{name}”{y} 年使用填写的值", "pass", values,
                             "计算所需的原始数据未填报，报告使用填写的值")
                    continue
                if as_data:
                    if typed is None:
                        self.add(group, f"“{name}”{y} 年的填写值", "fail", values,
                                 f"无法识别“{text}”（应为数字，单位 {d.unit}）")
                    continue
                title = f"填写的“{name}”与按原始数据计算的值一致（{y} 年）"
                computed = self.ind.get(name, y)
                if y in self.ind.years:
                    values.append(self.involved(name, y))
                if typed is None:
                    self.add(group, title, "fail", values, f"无法识别填写的值“{text}”")
                elif not is_number(computed):
                    self.add(group, title, "warn", values, "计算所需的原始数据未填报，附表和正文中将显示“-”；"
                             "请填写原始数据（计算值由工具计算，填写的值不会使用）", "warning")
                elif _agrees(typed, d, computed):
                    self.add(group, title, "pass", values)
                else:
                    self.add(group, title, "fail", values, f"填写的 {text} 与计算值 {_show(d, computed)} 不一致；"
                             "请核对原始数据（报告使用计算值，填写的值不会使用）")

    # ------------------------------------------------------------ standards
    def thresholds(self, key: str | None) -> None:
        group = "办学条件标准"
        pack = self.ds.pack
        if not pack.standards:
            return
        if key is None:
            what = f"办学层次“{self.report.level}”" if self.report.level else "report.yaml 未设置 level（办学层次）"
            levels = "、".join(a for v in pack.levels.values() for a in v) or "、".join({s.level for s in pack.standards})
            self.add(group, "办学条件标准", "skip", [], f"{what}，没有适用的标准（可用：{levels}）")
            return
        stds = [s for s in pack.standards if s.level == key]
        self.report.standards = stds
        for std in stds:
            for lim in std.limits:
                d = self.defs[lim.indicator]
                title = f"{limit_text(lim, d)}（{std.citation}）"
                years = [y for y in self.all_years if is_number(self.ind.get(lim.indicator, y))]
                if not years:
                    self.add(group, title, "skip", [self.involved(lim.indicator, self.ds.year)], "未填报", "warning")
                    continue
                values = [self.involved(lim.indicator, y) for y in years]
                bad = [y for y in years if not _within(display_number(d, self.ind.get(lim.indicator, y)), lim.min, lim.max)]
                for y in bad:
                    self.report.marks.setdefault((lim.indicator, y), []).append((std, lim))
                if bad:
                    shown = "、".join(f"{y} 年为 {_show(d, self.ind.get(lim.indicator, y))}" for y in bad)
                    note = f"（{lim.note}）" if lim.note else ""
                    shown_in = [a.title for a in pack.appendix
                                if lim.indicator in a.rows and (not a.levels or key in a.levels)]
                    where = f"；{'、'.join(shown_in)}中以“{MARK}”标出" if shown_in else ""
                    self.add(group, title, "warn", values, f"{shown}，未达到标准{note}{where}", "warning")
                else:
                    self.add(group, title, "pass", values)


# ---------------------------------------------------------------- helpers
def _holds(a, op: str, b, tolerance: float = 0.0) -> bool:
    a, b, tol = Decimal(str(a)), Decimal(str(b)), Decimal(str(tolerance))
    if op in ("=", "=="):
        return abs(a - b) <= tol
    return {"<=": a <= b + tol, "<": a < b + tol, ">=": a >= b - tol, ">": a > b - tol}[op]


def _within(v, lo, hi) -> bool:
    v = Decimal(str(v))
    return (lo is None or v >= Decimal(str(lo))) and (hi is None or v <= Decimal(str(hi)))


def _plain(v) -> str:
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return str(int(d))
    return format(round_half_up(d, 4).normalize(), "f")


def _agrees(typed: tuple[Decimal, int], d, computed) -> bool:
    """A typed value agrees when it is the computed one rounded or truncated to the typed places,
    or within the rounding of the inputs (0.1%)."""
    value, places = typed
    c = Decimal(str(computed)) * (100 if d.format == ValueFormat.PERCENT else 1)
    if value in (round_half_up(c, places), truncate(c, places)):
        return True
    return abs(value - c) <= abs(c) * RELATIVE_SLACK
