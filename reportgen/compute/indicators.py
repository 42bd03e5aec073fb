"""Indicator values per year: raw ones as reported, derived ones from the pack's formulas.

Formulas are Jinja expressions compiled in the sandbox (no eval, no parser of our own).
"-" (not reported) and absent inputs propagate: a derived value with a missing input is "-".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jinja2 import meta
from jinja2.exceptions import TemplateError

from ..errors import Problems
from ..pack import IndicatorDef
from ..values import NOT_REPORTED, is_number

FORMULA_FUNCTIONS = ("count", "total", "rows", "len", "min", "max", "abs", "round")


@dataclass
class IndicatorTable:
    """Computed values: name -> year -> float | int | NOT_REPORTED; plus the definitions."""
    definitions: dict[str, IndicatorDef]
    years: list[int]
    values: dict[str, dict[int, object]] = field(default_factory=dict)

    def get(self, name: str, year: int):
        return self.values.get(name, {}).get(year, NOT_REPORTED)


class _Missing(Exception):
    pass


def compute_indicators(dataset, env, aggregates, problems: Problems, years: list[int] | None = None) -> IndicatorTable:
    defs = dataset.pack.indicators
    if years is None:
        seen = {y for v in dataset.indicators.values() for y in v}
        years = sorted(seen | {dataset.year - 2, dataset.year - 1, dataset.year})
    table = IndicatorTable(defs, years)
    formulas = _compile(defs, env, problems)
    for year in years:
        done: dict[str, object] = {}
        for name in defs:
            _value(name, year, dataset, defs, formulas, aggregates, done, [], problems)
        for name, v in done.items():
            table.values.setdefault(name, {})[year] = v
    return table


def _compile(defs, env, problems):
    """name -> (callable, referenced indicator names, uses table functions)."""
    out = {}
    for d in defs.values():
        if d.kind != "derived" or not d.formula:
            continue
        try:
            fn = env.compile_expression(d.formula, undefined_to_none=False)
            names = meta.find_undeclared_variables(env.parse("{{ " + d.formula + " }}"))
        except TemplateError as e:
            problems.error(f"指标“{d.name}”的公式有语法错误：{e.message}", d.loc)
            continue
        unknown = sorted(n for n in names if n not in defs and n not in FORMULA_FUNCTIONS)
        if unknown:
            problems.error(f"指标“{d.name}”的公式引用了未定义的指标：{'、'.join(unknown)}", d.loc)
            continue
        refs = [n for n in names if n in defs]
        out[d.name] = (fn, refs, any(n in ("count", "total", "rows") for n in names))
    return out


def _value(name, year, dataset, defs, formulas, aggregates, done, stack, problems):
    if name in done:
        return done[name]
    d = defs[name]
    if d.kind == "raw":
        v = dataset.indicators.get(name, {}).get(year)
        done[name] = _num(v) if is_number(v) else NOT_REPORTED
        return done[name]
    if name in stack:
        problems.error(f"指标公式循环引用：{' → '.join(stack + [name])}", d.loc)
        done[name] = NOT_REPORTED
        return NOT_REPORTED
    if name not in formulas:
        done[name] = NOT_REPORTED
        return NOT_REPORTED
    fn, refs, uses_tables = formulas[name]
    if uses_tables and year != dataset.year:
        done[name] = NOT_REPORTED    # detail tables describe the report year only
        return NOT_REPORTED
    ctx = {}
    for ref in refs:
        v = _value(ref, year, dataset, defs, formulas, aggregates, done, stack + [name], problems)
        if v is NOT_REPORTED:
            done[name] = NOT_REPORTED
            return NOT_REPORTED
        ctx[ref] = v
    ctx.update(count=aggregates.count, total=lambda *a, **k: _num(aggregates.total(*a, **k)), rows=aggregates.rows)
    try:
        result = fn(**ctx)
    except ZeroDivisionError:
        problems.warning(f"指标“{name}”{year} 年的公式除数为 0，显示为“-”", d.loc)
        result = NOT_REPORTED
    except Exception as e:  # a formula is pack data: any failure is the pack's problem, not a crash
        problems.error(f"指标“{name}”{year} 年计算出错：{getattr(e, 'message', None) or e}", d.loc)
        result = NOT_REPORTED
    done[name] = _num(result) if is_number(result) else NOT_REPORTED
    return done[name]


def _num(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def format_value(d: IndicatorDef, value, with_unit: bool = True) -> str:
    """Display text of one value by the indicator's format; '-' for not reported."""
    if not is_number(value):
        return "-"
    fmt = d.format
    if fmt == "ratio":
        return f"{_trim(f'{value:.1f}')}:1"
    if fmt == "percent":
        text = f"{value * 100:.2f}%"
        return text
    if fmt == "integer":
        text = str(int(round_half_up(value, 0)))
    elif fmt == "decimal1":
        text = f"{round_half_up(value, 1):.1f}"
    elif fmt == "text":
        text = str(value)
    else:
        text = f"{round_half_up(value, 2):.2f}"
    if with_unit and d.unit == "%":
        text += "%"
    return text


def round_half_up(value, places: int) -> Decimal:
    """Rounding as people do it (0.5 up), not banker's rounding."""
    q = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(q, rounding="ROUND_HALF_UP")


def _trim(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text
