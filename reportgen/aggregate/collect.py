"""One school's contribution to an aggregate report, computed by the same prepare() as a build.

Runs in a worker process; everything returned is plain data (names, numbers, short texts).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..batch import SchoolResult, run_school
from ..value_kinds import is_number


@dataclass
class Threshold:
    """One limit of one standard as it applied to one school in its report year."""
    standard: str          # 《标题》（文号）
    level: str             # the standard's school level (高职 / 中职)
    indicator: str
    condition: str         # 生师比不高于 18:1
    status: str            # pass | fail | na (not reported)


@dataclass
class SchoolData:
    name: str
    directory: str
    level: str
    year: int
    pack: str
    values: dict[str, float | int | None] = field(default_factory=dict)     # report year; None = "-"
    previous: dict[str, float | int | None] = field(default_factory=dict)   # the year before
    thresholds: list[Threshold] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    warnings: int = 0


def collect_school(root: str) -> SchoolResult:
    """Worker: validate and compute one school (prepare()), keep what the aggregate report needs."""
    def job(path: Path):
        from ..pipeline import prepare
        prepared = prepare(path)
        return None, len(prepared.problems.warnings), school_data(prepared, path)
    return run_school(root, job)


def school_data(prepared, path: Path) -> SchoolData:
    ds, ind = prepared.dataset, prepared.indicators
    year = ds.year
    data = SchoolData(name=str(ds.school.get("name", path.name)), directory=str(path),
                      level=str(ds.config.get("level", "") or ""), year=year, pack=ds.pack.name,
                      warnings=len(prepared.problems.warnings))
    for name in ind.definitions:
        data.values[name] = _plain(ind.get(name, year))
        data.previous[name] = _plain(ind.get(name, year - 1))
    data.table_rows = {tid: len(t.rows) for tid, t in ds.tables.items()}
    data.thresholds = _thresholds(prepared, data)
    return data


def _thresholds(prepared, data: SchoolData) -> list[Threshold]:
    """The standards of the school's level (issue 4's thresholds.yaml), met or not in the report year.
    A pack without thresholds gives none."""
    checks = getattr(prepared, "checks", None)
    standards = getattr(checks, "standards", None) or []
    marks = getattr(checks, "marks", None) or {}
    if not standards:
        return []
    try:
        from ..check.rules import limit_text
    except ImportError:                          # pragma: no cover - older engine
        limit_text = None
    defs = prepared.indicators.definitions
    out = []
    for std in standards:
        citation = getattr(std, "citation", f"《{std.title}》")
        for lim in std.limits:
            d = defs.get(lim.indicator)
            if d is None:
                continue
            value = data.values.get(lim.indicator)
            breached = any(s.id == std.id and lm.indicator == lim.indicator
                           for s, lm in marks.get((lim.indicator, data.year), []))
            status = "na" if value is None else "fail" if breached else "pass"
            condition = limit_text(lim, d) if limit_text else lim.indicator
            out.append(Threshold(citation, std.level, lim.indicator, condition, status))
    return out


def _plain(v):
    """A number as int or float; None for "-" (not reported) and anything that is not a number."""
    if not is_number(v):
        return None
    return v if isinstance(v, (int, float)) else float(v)
