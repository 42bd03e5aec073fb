"""A project's own columns, in a few lines of report.yaml instead of a copy of the pack:

    tables:
      innovation_awards:
        aliases: {授予单位: [颁奖单位]}       # the school's header for a pack column
        add: [{name: 备注, type: text}]      # a column of its own (never required)
        drop: [时间]                          # an optional column it does not keep

Required columns cannot be dropped, nor columns a chart, a check or the pack's phrases use.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import Location, Problems
from ..load.yaml_source import YNode
from ..pack import Pack, TableDef
from .load import column_def


def with_project_tables(pack: Pack, config_node: YNode, problems: Problems) -> Pack:
    node = config_node.get("tables")
    if node is None or node.kind != "map":
        return pack
    tables = dict(pack.tables)
    for tid, tnode in node.value.items():
        loc = Location("report.yaml", tnode.loc.line, path=f"tables › {tid}")
        tdef = tables.get(tid)
        if tdef is None:
            problems.error(f"模板包中没有 id 为“{tid}”的明细表（可用：{'、'.join(pack.tables)}）", loc)
            continue
        tables[tid] = _adapt(tdef, tnode.plain(), _used_columns(pack, tid), loc, problems)
    return replace(pack, tables=tables)


def _adapt(tdef: TableDef, spec: dict, used: set[str], loc: Location, problems: Problems) -> TableDef:
    columns = list(tdef.columns)
    for name, headers in spec.get("aliases", {}).items():
        i = next((i for i, c in enumerate(columns) if c.name == name), None)
        if i is None:
            problems.error(f"表 {tdef.id} 没有“{name}”这一列，不能设置它的表头别名", loc)
            continue
        columns[i] = replace(columns[i], aliases=columns[i].aliases + tuple(headers))
    for name in spec.get("drop", ()):
        col = tdef.column(name)
        if col is None:
            problems.error(f"表 {tdef.id} 没有“{name}”这一列，无法删去", loc)
        elif col.required or col.strict or name in used:
            problems.error(f"表 {tdef.id} 的“{name}”列是必填列或被统计、图表、检查使用，不能删去", loc)
        else:
            columns = [c for c in columns if c.name != name]
    for c in spec.get("add", ()):
        if any(c["name"] == x.name or c["name"] in x.aliases for x in columns):
            problems.error(f"表 {tdef.id} 已有“{c['name']}”列，不能重复添加", loc)
            continue
        columns.append(column_def(c))
    return replace(tdef, columns=tuple(columns))


def _used_columns(pack: Pack, tid: str) -> set[str]:
    used = {name for c in pack.charts.values() if c.table == tid for name in (c.by, c.value) if name}
    used |= {column for column, _, _ in pack.tables[tid].groups}
    used |= {c.name for c in pack.tables[tid].columns if c.mentions or c.total}
    for check in pack.checks:
        if getattr(check, "table", None) == tid and getattr(check, "column", None):
            used.add(check.column)
    return used
