"""Small corrections without Excel: the report year's raw indicators, saved into data/indicators.yaml.

ruamel.yaml's round trip keeps the file as people wrote it (comments, flow-style rows, order, quoting);
only the values that changed are rewritten. The next build's change report lists them, like any edit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import Location, Problems
from ..load.project import INDICATOR_FILE

NOT_REPORTED = "-"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Edit:
    name: str
    old: object
    new: object


def parse_value(text: str, name: str, problems: Problems):
    """A number as typed in the form ("1,234" and full-width digits too), "-" for not reported, None when empty."""
    import unicodedata
    t = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if t == "":
        return None
    if t == NOT_REPORTED:
        return NOT_REPORTED
    if not NUMBER.match(t):
        problems.error(f"“{text}”不是数字（填数字；未填报的年度填 -）", Location("指标修改表", path=name))
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        problems.error(f"“{text}”不是数字", Location("指标修改表", path=name))
        return None
    return int(d) if d == d.to_integral_value() and "." not in t else float(d)


def current_values(root: Path, year: int) -> dict[str, str]:
    """Each indicator's value of `year` as the file writes it (97.30 stays 97.30)."""
    data = _load(root)[1] or {}
    out = {}
    for name, years in data.items():
        if isinstance(years, dict) and year in years:
            out[str(name)] = _as_written(years[year])
    return out


def _as_written(value) -> str:
    width, dot = getattr(value, "_width", None), getattr(value, "_prec", None)   # ruamel's ScalarFloat
    if isinstance(value, float) and width and dot is not None and not getattr(value, "_exp", None):
        decimals = width - dot - 1 - (1 if value < 0 else 0)
        if decimals >= 0:
            return f"{value:.{decimals}f}"
    return "" if value is None else str(value)


def save(root: Path, year: int, typed: dict[str, str], known: list[str]) -> tuple[list[Edit], Problems]:
    """Write the typed values of `year` that differ from the file; nothing is written when one is wrong."""
    from .yamledit import save_round_trip
    problems = Problems()
    yaml, data = _load(root)
    if data is None:
        from ruamel.yaml.comments import CommentedMap
        data = CommentedMap()
    edits: list[Edit] = []
    for name in known:
        if name not in typed:
            continue
        new = parse_value(typed[name], name, problems)
        row = data.get(name)
        old = row.get(year) if isinstance(row, dict) else None
        if new is None or _same(old, new):
            continue
        if not isinstance(row, dict):
            from ruamel.yaml.comments import CommentedMap
            row = CommentedMap()
            row.fa.set_flow_style()
            data[name] = row
        row[year] = new
        edits.append(Edit(name, old, new))
    if problems.errors or not edits:
        return ([] if problems.errors else edits), problems
    save_round_trip(root / INDICATOR_FILE, yaml, data)
    return edits, problems


def _same(old, new) -> bool:
    if isinstance(old, str) or isinstance(new, str):
        return str(old).strip() == str(new)
    try:
        return float(old) == float(new)
    except (TypeError, ValueError):
        return False


def _load(root: Path):
    from .yamledit import load_round_trip
    path = root / INDICATOR_FILE
    if not path.is_file():
        from ruamel.yaml import YAML
        return YAML(), None
    return load_round_trip(path, INDICATOR_FILE.as_posix())
