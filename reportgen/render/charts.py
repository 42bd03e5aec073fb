"""The data of a pack-declared chart as the report shows it: indicator series over the years, or a table broken down by a column.

Pure: no drawing, no files. `reportgen.chart.draw` turns a ChartData into a picture.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..compute.indicators import IndicatorTable
from ..dataset import TableData
from ..pack import ChartDef
from ..value_kinds import ValueFormat, is_number
from .display import format_value


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]      # one per category; None = not reported ("-")
    labels: tuple[str, ...]               # the values as the report prints them


@dataclass(frozen=True)
class ChartData:
    id: str
    title: str
    kind: str                             # bar | line
    categories: tuple[str, ...]           # x axis: "2022年" … or the groups of a table column
    series: tuple[Series, ...]
    ylabel: str = ""

    @property
    def empty(self) -> bool:
        return not self.categories or all(v is None for s in self.series for v in s.values)


def indicator_chart(c: ChartDef, table: IndicatorTable, report_year: int, title: str) -> ChartData:
    years = [y for y in table.years if y <= report_year][-c.years:]
    series = []
    for name in c.indicators:
        d = table.definitions[name]
        raw = [table.get(name, y) for y in years]
        values = tuple(_plotted(d, v) for v in raw)
        labels = tuple(format_value(d, v, with_unit=d.unit == "%") for v in raw)
        series.append(Series(name, values, labels))
    return ChartData(c.id, title, c.kind, tuple(f"{y}年" for y in years), tuple(series),
                     c.ylabel or _indicator_ylabel(c, table))


def table_chart(c: ChartDef, data: TableData, title: str) -> ChartData:
    col = data.definition.column(c.by)
    groups: dict[str, float] = {}
    for choice in col.choices:             # enum columns keep the pack's order (国家级, 省级 …)
        groups[choice] = 0
    for row in data.rows:
        key = row.get(c.by)
        if key is None or key == "":
            continue
        key = str(key)
        if c.value is None:
            groups[key] = groups.get(key, 0) + 1
        elif is_number(row.get(c.value)):
            groups[key] = groups.get(key, 0) + float(row[c.value])
    groups = {k: v for k, v in groups.items() if v}
    value_col = data.definition.column(c.value) if c.value else None
    unit = value_col.unit if value_col else "项"
    labels = tuple(_number_text(v) for v in groups.values())
    name = c.value or "数量"
    ylabel = c.ylabel or (f"{c.value}（{unit}）" if value_col and unit else (c.value or f"数量（{unit}）"))
    return ChartData(c.id, title, c.kind, tuple(groups), (Series(name, tuple(groups.values()), labels),), ylabel)


def _plotted(d, v) -> float | None:
    if not is_number(v):
        return None
    if d.format == ValueFormat.PERCENT:              # stored as a fraction, printed as a percentage
        return float(v) * 100
    return float(v)


def _indicator_ylabel(c: ChartDef, table: IndicatorTable) -> str:
    units = {table.definitions[n].unit or ("%" if table.definitions[n].format == ValueFormat.PERCENT else "") for n in c.indicators}
    unit = units.pop() if len(units) == 1 else ""
    name = c.indicators[0] if len(c.indicators) == 1 else ""
    if name and unit:
        return f"{name}（{unit}）"
    return name or (f"单位：{unit}" if unit else "")


def _number_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"
