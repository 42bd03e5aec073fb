"""The appendix "各校主要指标一览" split into as many tables as the page width needs.

An office splits a table too wide for the page rather than squeezing it: each part repeats the columns
that say which school a row is (school, level, year) and takes as many of the other columns as fit at
the table font. Columns are measured as the .docx writer measures them (write/colwidths.py, write/
tables.py): a part fits when every column gets what must not wrap — a number, a year, a header on at
most two lines — and the key columns their text on at most two lines; the writer then shares out
what is left. When no split is needed the table stays one.
"""
from __future__ import annotations

import math

from ..doc.model import Table, Typography
from ..render.numbering import chinese_number
from ..write.colwidths import measure
from ..write.docx_writer import text_width_twips
from ..write.oxml import pt_to_twips
from ..write.tables import CELL_MARGIN_TWIPS, CELL_SLACK_EM, SERIAL_HEADER


def split_table(table: Table, keys: int, t: Typography) -> list[Table]:
    """`table` as one or more tables, each with its first `keys` columns and a run of the others,
    titled 标题（一）, 标题（二）… when there is more than one."""
    groups = column_groups(table, keys, t) if table.rows else []      # no rows: one table saying so
    if len(groups) <= 1:
        return [table]
    parts = []
    for n, group in enumerate(groups, start=1):
        index = list(range(keys)) + group
        parts.append(Table(table.label, f"{table.title}（{chinese_number(n)}）", [table.columns[i] for i in index],
                           [[row[i] for i in index] for row in table.rows], None, table.empty_text,
                           list(table.notes) if n == len(groups) else []))
    return parts


def column_groups(table: Table, keys: int, t: Typography) -> list[list[int]]:
    """The indexes of the non-key columns, in runs that fit beside the key columns (and the 序号 the
    writer adds); as even as the widths allow, in order."""
    em = pt_to_twips(t.table_size)
    cost = [need * em + 2 * CELL_MARGIN_TWIPS for need in _needs(table, keys)]
    room = text_width_twips(t) - sum(cost[:keys + 1])
    rest = list(range(keys, len(table.columns)))
    greedy: list[list[int]] = [[]]
    for i in rest:
        if greedy[-1] and sum(cost[j + 1] for j in greedy[-1]) + cost[i + 1] > room:
            greedy.append([])
        greedy[-1].append(i)
    even = _even(rest, len(greedy))
    return even if all(sum(cost[j + 1] for j in g) <= room for g in even) else greedy


def _needs(table: Table, keys: int) -> list[float]:
    """Em each column needs, 序号 first: what never wraps; a key column's text on at most two lines."""
    headers = [SERIAL_HEADER] + [c.name for c in table.columns]
    texts = [[str(n) for n in range(1, len(table.rows) + 1)]] + \
        [[row[i].text for row in table.rows] for i in range(len(table.columns))]
    out = []
    for i, (_, floor, one_line) in enumerate(measure(headers, texts)):
        need = max(floor, math.ceil(one_line / 2)) if i <= keys else floor
        out.append(need + CELL_SLACK_EM)
    return out


def _even(items: list[int], k: int) -> list[list[int]]:
    """`items` in `k` runs whose sizes differ by at most one, the longer first."""
    size, extra = divmod(len(items), k)
    out, at = [], 0
    for n in range(k):
        step = size + (n < extra)
        out.append(items[at:at + step])
        at += step
    return [g for g in out if g]
