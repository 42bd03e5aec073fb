"""Statistics across schools: sum, mean, median, min, max, rankings, standards met. Pure."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from .collect import SchoolData


@dataclass(frozen=True)
class Stats:
    n: int                      # schools that reported a value
    missing: int                # schools with "-" (not reported)
    sum: float | None
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    min_school: str = ""
    max_school: str = ""


def indicator_stats(schools: list[SchoolData], name: str) -> Stats:
    pairs = [(s.values.get(name), s.name) for s in schools]
    values = [(v, n) for v, n in pairs if v is not None]
    if not values:
        return Stats(0, len(pairs), None, None, None, None, None)
    nums = [v for v, _ in values]
    lo = min(values, key=lambda x: x[0])
    hi = max(values, key=lambda x: x[0])
    return Stats(n=len(nums), missing=len(pairs) - len(nums), sum=sum(nums), mean=statistics.fmean(nums),
                 median=statistics.median(nums), min=lo[0], max=hi[0], min_school=lo[1], max_school=hi[1])


@dataclass(frozen=True)
class Ranked:
    rank: int
    school: str
    level: str
    value: float
    previous: float | None


def ranking(schools: list[SchoolData], name: str, descending: bool = True, top: int | None = None) -> list[Ranked]:
    """Schools with a value, best first; equal values share a rank (1, 2, 2, 4); ties keep name order."""
    have = sorted((s for s in schools if s.values.get(name) is not None), key=lambda s: s.name)
    have.sort(key=lambda s: s.values[name], reverse=descending)
    out: list[Ranked] = []
    for i, s in enumerate(have, start=1):
        v = s.values[name]
        rank = out[-1].rank if out and out[-1].value == v else i
        out.append(Ranked(rank, s.name, s.level, v, s.previous.get(name)))
    return out[:top] if top else out


@dataclass(frozen=True)
class StandardCount:
    standard: str
    level: str
    condition: str
    indicator: str
    schools: int                # schools of that level the standard applies to
    met: int
    not_met: int
    not_reported: int
    not_met_names: tuple[str, ...]


def standard_counts(schools: list[SchoolData]) -> list[StandardCount]:
    """Per limit of every standard any school was held to: how many schools met it, in first-seen order."""
    order: list[tuple[str, str, str, str]] = []
    tally: dict[tuple[str, str, str, str], dict[str, list[str]]] = {}
    for s in schools:
        for t in s.thresholds:
            key = (t.standard, t.level, t.condition, t.indicator)
            if key not in tally:
                order.append(key)
                tally[key] = {"pass": [], "fail": [], "na": []}
            tally[key].setdefault(t.status, []).append(s.name)
    out = []
    for key in order:
        c = tally[key]
        out.append(StandardCount(standard=key[0], level=key[1], condition=key[2], indicator=key[3],
                                 schools=sum(len(v) for v in c.values()), met=len(c["pass"]),
                                 not_met=len(c["fail"]), not_reported=len(c["na"]),
                                 not_met_names=tuple(c["fail"])))
    return out


def table_totals(schools: list[SchoolData]) -> dict[str, tuple[int, int]]:
    """Detail table id -> (schools with rows, rows in all schools)."""
    out: dict[str, tuple[int, int]] = {}
    for s in schools:
        for tid, n in s.table_rows.items():
            have, rows = out.get(tid, (0, 0))
            out[tid] = (have + (n > 0), rows + n)
    return out
