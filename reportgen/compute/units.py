"""Unit conversions (亩 ↔ m², 万元 ↔ 元 …) from the reference table data/units.yaml.

The table is data, not code: each group lists units that convert into one another through a
factor to the group's base unit. Values convert exactly as Decimal; a unit pair in different
groups (人 → 元) is an error, never a silent number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..errors import Location, Problems, UnitError

UNITS_FILE = Path(__file__).resolve().parents[2] / "data" / "units.yaml"


@dataclass(frozen=True)
class UnitTable:
    factors: dict[str, tuple[str, Decimal]]      # unit -> (group, factor to the group's base)
    aliases: dict[str, str]                      # other spelling -> unit

    def normalize(self, unit: str) -> str:
        """The standard spelling of a unit ("平方米", "㎡", "m ²" → "m²"); unknown units unchanged."""
        u = unit.strip()
        if u in self.factors:
            return u
        if u in self.aliases:
            return self.aliases[u]
        squeezed = unicodedata.normalize("NFKC", u).replace(" ", "")
        for cand in (squeezed, squeezed.replace("2", "²")):
            if cand in self.factors:
                return cand
            if cand in self.aliases:
                return self.aliases[cand]
        return u

    def knows(self, unit: str) -> bool:
        return self.normalize(unit) in self.factors

    def convertible(self, a: str, b: str) -> bool:
        a, b = self.normalize(a), self.normalize(b)
        return a in self.factors and b in self.factors and self.factors[a][0] == self.factors[b][0]

    def factor(self, from_unit: str, to_unit: str) -> Decimal:
        """How many `to_unit` one `from_unit` is (亩 → m²: 666.67)."""
        a, b = self.normalize(from_unit), self.normalize(to_unit)
        if a == b:
            return Decimal(1)
        for u, orig in ((a, from_unit), (b, to_unit)):
            if u not in self.factors:
                raise UnitError(f"单位换算表（data/units.yaml）中没有单位“{orig}”")
        if self.factors[a][0] != self.factors[b][0]:
            raise UnitError(f"“{from_unit}”与“{to_unit}”不是同一类单位，不能换算")
        return self.factors[a][1] / self.factors[b][1]

    def convert(self, value, from_unit: str, to_unit: str):
        """`value` in `from_unit` expressed in `to_unit`; Decimal in, Decimal out (floats stay floats)."""
        f = self.factor(from_unit, to_unit)
        if isinstance(value, float):
            return value * float(f)
        return Decimal(value) * f


def load_units(path: Path = UNITS_FILE, problems: Problems | None = None) -> UnitTable:
    from ..load.schema import validate_node
    from ..load.yaml_source import load_yaml
    display = "data/units.yaml"
    own = Problems()
    node = load_yaml(path, display)
    if not validate_node(node, "units", display, own):
        if problems is not None:
            problems.extend(own)
        own.raise_if_errors()
    factors, aliases = {}, {}
    for group, gnode in node.value.items():
        spec = gnode.plain()
        if spec["base"] not in spec["units"]:
            own.error(f"单位组“{group}”的基准单位“{spec['base']}”不在 units 中", Location(display, gnode.loc.line))
        for unit, factor in spec["units"].items():
            if unit in factors:
                own.error(f"单位“{unit}”在多个单位组中出现", Location(display, gnode.loc.line))
            factors[unit] = (group, Decimal(str(factor)))
        for alias, unit in spec.get("aliases", {}).items():
            if unit not in spec["units"]:
                own.error(f"别名“{alias}”指向的单位“{unit}”不在单位组“{group}”中", Location(display, gnode.loc.line))
            aliases[alias] = unit
    if problems is not None:
        problems.extend(own)
    own.raise_if_errors()
    return UnitTable(factors, aliases)


@lru_cache(maxsize=1)
def units() -> UnitTable:
    """The reference table, loaded once per process."""
    return load_units()


_QUANTITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([^\d\s].*?)\s*$")


def split_quantity(text: str) -> tuple[str, str] | None:
    """'709.5亩' → ('709.5', '亩'); '17.87 万m²' → ('17.87', '万m²'); None when there is no unit."""
    s = unicodedata.normalize("NFKC", text).replace(",", "")
    m = _QUANTITY.match(s)
    if not m:
        return None
    return m.group(1), m.group(2)
