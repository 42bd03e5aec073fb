"""The loaded and checked data of one school project: every value with where it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import Location
from .pack import Pack, TableDef


@dataclass(frozen=True)
class RawCell:
    """One value as a source gave it, before typing: YAML scalar or workbook cell."""
    raw: Any
    loc: Location
    text: str | None = None


@dataclass
class RawRow:
    cells: dict[str, RawCell]
    loc: Location
    serial: RawCell | None = None       # a 序号 the school typed: not data (the tool numbers rows), checked for gaps


@dataclass
class RawTable:
    id: str
    rows: list[RawRow]
    loc: Location
    extra_columns: dict[str, Location] = field(default_factory=dict)
    total_row: RawRow | None = None     # a 合计 row the school typed: not data, checked against the rows' sum


@dataclass
class RawIndicators:
    """name -> year -> cell, from data/indicators.yaml and/or a workbook's 指标 sheet."""
    cells: dict[str, dict[int, RawCell]] = field(default_factory=dict)
    name_locs: dict[str, Location] = field(default_factory=dict)


@dataclass
class RawProject:
    root: Path
    config: dict
    config_loc: Location
    pack: Pack
    tables: dict[str, RawTable]
    indicators: RawIndicators
    narrative: dict[str, list[Path]]
    word_sections: dict[str, Any] = field(default_factory=dict)   # narrative/…/x.docx → load/word.WordSection


@dataclass
class TableData:
    definition: TableDef
    rows: list[dict[str, Any]]
    locs: list[dict[str, Location]]
    row_locs: list[Location]
    loc: Location | None = None
    typed_total: dict[str, Any] = field(default_factory=dict)        # column -> the typed 合计 value
    typed_total_locs: dict[str, Location] = field(default_factory=dict)

    def column_values(self, name: str) -> list:
        return [r.get(name) for r in self.rows]


@dataclass
class Dataset:
    root: Path
    config: dict
    pack: Pack
    year: int
    tables: dict[str, TableData]
    indicators: dict[str, dict[int, Any]]          # raw indicator values (None absent, NOT_REPORTED "-")
    indicator_locs: dict[str, dict[int, Location]]
    narrative: dict[str, list[Path]]
    word_sections: dict[str, Any] = field(default_factory=dict)   # narrative/…/x.docx → its Markdown and 段 map
    typed_derived: dict[str, dict[int, RawCell]] = field(default_factory=dict)   # computed values typed anyway
    typed_numbers: dict[str, dict[int, tuple[Decimal, int] | None]] = field(default_factory=dict)  # …as numbers

    @property
    def school(self) -> dict:
        return self.config["school"]
