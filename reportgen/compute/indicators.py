"""Indicator values per year: raw ones as reported, derived ones from the pack's formulas.

Formulas are Jinja expressions compiled in the sandbox (no eval, no parser of our own). They see
every indicator by name (`毕业去向落实人数 / 毕业生人数 * 100`), names that are not identifiers
through `ind["1+X证书获证人数"]`, table aggregates (count/total/rows), convert(x, "万元", "元")
and min/max/abs/round/len.

"-" (not reported) and absent inputs propagate: a derived value with a missing input is "-",
never 0 and never an error. Every value keeps its sources (the raw cells it was computed from)
so checks can say where a number came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateError

from ..errors import (
    FormulaError,
    Location,
    Problems,
    ReportgenError,
    SandboxLimit,
    UnitError,
    did_you_mean,
)
from ..pack import Formula, IndicatorDef
from ..value_kinds import NOT_REPORTED, is_number, round_half_up, unreasonable
from .units import units

TABLE_FUNCTIONS = ("count", "total", "rows")
FORMULA_FUNCTIONS = TABLE_FUNCTIONS + ("convert", "len", "min", "max", "abs", "round", "ind")


@dataclass(frozen=True)
class Source:
    """One input of a value: a raw indicator cell or a detail table."""
    name: str                       # indicator name, or 明细表“id”
    year: int | None
    value: object
    loc: Location | None            # None: not filled in anywhere

    def where(self) -> str:
        return str(self.loc) if self.loc is not None else "未填写"


def compile_formula(env, text: str, defs: dict[str, IndicatorDef]) -> Formula:
    """Compile one expression over indicators in the sandbox `env`; FormulaError names what is wrong, in
    Chinese. Called when a pack loads (packs/), never per build: the stages use the pack's compiled forms."""
    try:
        ast = env.parse("{{ " + text + " }}")     # first: the sandbox's parse bounds nesting, compile_expression's not
        fn = env.compile_expression(text, undefined_to_none=False)
    except TemplateError as e:
        raise FormulaError(f"公式“{text}”有语法错误：{e.message}") from None
    except SandboxLimit as e:
        raise FormulaError(f"公式“{text}”：{e.message}") from None
    names = meta.find_undeclared_variables(ast)
    refs, unknown = [], []
    for node in ast.find_all((nodes.Name, nodes.Getitem, nodes.Getattr)):     # in the order they are written
        if isinstance(node, nodes.Name):
            if node.name in names and node.name not in FORMULA_FUNCTIONS:
                (refs if node.name in defs else unknown).append(node.name)
        elif is_ind_reference(node):
            key = ind_key(node)
            if key is None:
                raise FormulaError(f"公式“{text}”中 ind[…] 的方括号里应直接写指标名称（加引号）")
            (refs if key in defs else unknown).append(key)
    if unknown:
        named = "、".join(n + did_you_mean(n, defs, template="（是否应为“{}”）", cutoff=0.5) for n in dict.fromkeys(unknown))
        raise FormulaError(f"公式“{text}”引用了未定义的指标：{named}")
    tables = []
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in TABLE_FUNCTIONS and call.args \
                and isinstance(call.args[0], nodes.Const):
            tables.append(str(call.args[0].value))
    return Formula(text, fn, tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(tables)), ast)


def compile_indicators(env, defs: dict[str, IndicatorDef], names, problems: Problems) -> dict[str, Formula]:
    """The formulas of the derived indicators among `names`, each compiled once; a formula that does not
    compile is reported at its indicator and left out (its value would be "-")."""
    out = {}
    for name in names:
        d = defs[name]
        if d.kind == "derived" and d.formula:
            try:
                out[name] = compile_formula(env, d.formula, defs)
            except FormulaError as e:
                problems.error(f"指标“{d.name}”：{e.message}", d.loc)
    return out


def is_ind_reference(node) -> bool:
    """`ind.名称` or `ind["名称"]` in a parsed formula or template."""
    return isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Name) \
        and node.node.name == "ind"


def ind_key(node) -> str | None:
    """The indicator such a reference names; None when the brackets hold something other than a quoted name."""
    key = node.attr if isinstance(node, nodes.Getattr) else \
        (node.arg.value if isinstance(node.arg, nodes.Const) else None)
    return key if isinstance(key, str) else None


def evaluate(formula: Formula, values: dict[str, object], aggregates):
    """The formula's value for the given inputs ("-" when one is missing). Raises what the formula raises."""
    if any(not is_number(values.get(r)) for r in formula.refs):
        return NOT_REPORTED
    ctx = {r: values[r] for r in formula.refs if r.isidentifier()}
    ctx.update(ind={r: values[r] for r in formula.refs}, convert=_convert, len=len, min=min, max=max, abs=abs,
               round=round)
    if aggregates is not None:
        ctx.update(count=aggregates.count, total=lambda *a, **k: _reported(aggregates.total(*a, **k)),
                   rows=aggregates.rows)
    try:
        result = formula.fn(**ctx)
    except _Unreported:
        return NOT_REPORTED                     # a total of an empty table: the formula's value is "-" too
    return _num(result) if is_number(result) else NOT_REPORTED


class _Unreported(Exception):
    pass


def _reported(value):
    if not is_number(value):
        raise _Unreported
    return _num(value)


def _convert(value, from_unit, to_unit):
    return _num(units().convert(value, str(from_unit), str(to_unit)))


class ChangeKind(str, Enum):
    """What a year-over-year change is measured in."""
    POINTS = "points"           # percentage points, for rates
    PERCENT = "percent"         # percent of last year's value, for counts
    AMOUNT = "amount"           # the plain difference (last year was 0)
    SAME = "same"
    MISSING = "missing"         # a year not reported


@dataclass(frozen=True)
class Change:
    """Year-over-year change: points for rates, percent for counts (render/display.py words it)."""
    name: str
    year: int
    base: int
    kind: ChangeKind
    amount: Decimal | None      # signed: points, percent or the plain difference
    unit: str = ""



@dataclass
class IndicatorTable:
    """Computed values: name -> year -> int | float | NOT_REPORTED; their sources; the definitions."""
    definitions: dict[str, IndicatorDef]
    years: list[int]
    values: dict[str, dict[int, object]] = field(default_factory=dict)
    sources: dict[tuple[str, int], tuple[Source, ...]] = field(default_factory=dict)
    formulas: dict[str, Formula] = field(default_factory=dict)
    typed: set[tuple[str, int]] = field(default_factory=set)   # computed indicators kept as typed (no raw data)

    def get(self, name: str, year: int):
        return self.values.get(name, {}).get(year, NOT_REPORTED)

    def sources_of(self, name: str, year: int) -> tuple[Source, ...]:
        return self.sources.get((name, year), ())

    def definition(self, name: str) -> IndicatorDef:
        d = self.definitions.get(name)
        if d is None:
            hint = did_you_mean(name, self.definitions)
            raise FormulaError(f"没有名为“{name}”的指标{hint}")
        return d

    def year_of(self, name: str, year) -> int:
        """A year as narrative writes it (2023, "2023", "2023年") checked against the computed years."""
        text = str(year).strip().removesuffix("年")
        if not text.isdigit() or int(text) not in self.years:
            have = "、".join(str(y) for y in self.years)
            raise FormulaError(f"指标“{name}”没有 {year} 年的数据（可用年度：{have}）")
        return int(text)

    def change(self, name: str, year: int, base: int | None = None) -> Change:
        d = self.definition(name)
        base = year - 1 if base is None else self.year_of(name, base)
        cur, prev = self.get(name, year), self.get(name, base)
        if not (is_number(cur) and is_number(prev)):
            return Change(name, year, base, ChangeKind.MISSING, None)
        if is_rate(d):
            places = d.places
            diff = round_half_up(cur, places) - round_half_up(prev, places)
            return Change(name, year, base, ChangeKind.POINTS, round_half_up(diff, 2))
        if prev == 0:
            diff = Decimal(str(cur))
            return Change(name, year, base, ChangeKind.SAME if diff == 0 else ChangeKind.AMOUNT, diff, d.unit)
        pct = (Decimal(str(cur)) - Decimal(str(prev))) / abs(Decimal(str(prev))) * 100
        return Change(name, year, base, ChangeKind.PERCENT, round_half_up(pct, 2))


def is_rate(d: IndicatorDef) -> bool:
    return d.rate or d.unit == "%"


def compute_indicators(dataset, aggregates, problems: Problems, years: list[int] | None = None) -> IndicatorTable:
    """Every indicator for the report year, the years before it and any year the data gives, by the
    formulas the pack was compiled with when it loaded (`Pack.formulas`)."""
    defs = dataset.pack.indicators
    if years is None:
        seen = {y for v in dataset.indicators.values() for y in v}
        window = max([a.years for a in dataset.pack.appendix] + [3])
        years = sorted(seen | {dataset.year - k for k in range(window)})
    table = IndicatorTable(defs, years, formulas=dataset.pack.formulas)
    for year in years:
        for name in defs:
            _value(name, year, dataset, table, aggregates, problems)
    return table


def drop_cycles(formulas: dict[str, Formula], defs, problems, start=None) -> None:
    """A formula that (indirectly) uses itself is reported once and dropped: its value is "-".
    `start`: the formulas to follow (default all), e.g. only those a project adds to a pack already checked."""
    bad, done, reported = set(), set(), set()

    def visit(name, stack):
        if name in stack:
            cycle = stack[stack.index(name):] + [name]
            if frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                problems.error(f"指标公式循环引用：{' → '.join(cycle)}", defs[name].loc)
            bad.update(cycle)
            return
        if name in done:
            return
        f = formulas.get(name)
        for r in f.refs if f else ():
            visit(r, stack + [name])
        done.add(name)

    for name in list(formulas if start is None else start):
        visit(name, [])
    for name in bad:
        formulas.pop(name, None)


def _value(name, year, dataset, table: IndicatorTable, aggregates, problems):
    done = table.values.setdefault(name, {})
    if year in done:
        return done[year]
    d = table.definitions[name]
    if d.kind == "raw":
        v = dataset.indicators.get(name, {}).get(year)
        loc = dataset.indicator_locs.get(name, {}).get(year)
        done[year] = _num(v) if is_number(v) else NOT_REPORTED
        table.sources[(name, year)] = (Source(name, year, done[year], loc),)
        return done[year]
    formula = table.formulas.get(name)
    if formula is None:
        done[year] = NOT_REPORTED
        return NOT_REPORTED
    inputs, sources = {}, []
    for ref in formula.refs:
        inputs[ref] = _value(ref, year, dataset, table, aggregates, problems)
        sources.extend(table.sources_of(ref, year))
    for tid in formula.tables:
        data = dataset.tables.get(tid)
        sources.append(Source(f"明细表“{tid}”", dataset.year, None, data.loc if data is not None else None))
    table.sources[(name, year)] = tuple(dict.fromkeys(sources))
    if formula.tables and year != dataset.year:
        # detail tables describe the report year only: an earlier year is the value the school typed, if any
        result, table.sources[(name, year)] = _typed_earlier(d, year, dataset)
    else:
        result = _evaluate(d, formula, inputs, aggregates, year, problems)
        if not is_number(result) and any(not is_number(inputs[r]) for r in formula.refs):
            # the school has only the figure (e.g. from the data platform), not the raw counts: use it;
            # check/rules.py lists it as a typed value with its place
            typed, typed_sources = _typed_earlier(d, year, dataset)
            if is_number(typed):
                result, table.sources[(name, year)] = typed, typed_sources
                table.typed.add((name, year))
    done[year] = result
    return result


def _typed_earlier(d, year, dataset):
    cell = dataset.typed_derived.get(d.name, {}).get(year)
    typed = dataset.typed_numbers.get(d.name, {}).get(year)      # typed by the check stage
    value = _num(typed[0]) if typed is not None else NOT_REPORTED
    return value, (Source(d.name, year, value, cell.loc if cell is not None else None),)


def _evaluate(d, formula, inputs, aggregates, year, problems):
    try:
        value = evaluate(formula, inputs, aggregates)
        problem = unreasonable(value)
        if problem is None:
            return value
        problems.error(f"指标“{d.name}”{year} 年的公式算出的结果无法使用：{problem.split('，')[0]}（请检查公式）", d.loc)
    except ZeroDivisionError:
        problems.warning(f"指标“{d.name}”{year} 年的公式除数为 0，显示为“-”", d.loc)
    except UnitError as e:
        problems.error(f"指标“{d.name}”的公式：{e.message}", d.loc)
    except ReportgenError as e:
        problems.error(f"指标“{d.name}”{year} 年计算出错：{e.message}", d.loc)
    except Exception as e:  # noqa: BLE001 - a formula is pack data: its failure is the pack's problem
        problems.error(f"指标“{d.name}”{year} 年计算出错：{getattr(e, 'message', None) or e}", d.loc)
    return NOT_REPORTED


def _num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v
