"""The pack model: what a template pack defines — chapters, tables and their columns, indicators,
appendix tables, charts, checks, standards and their limits, typography — as plain frozen data.

A leaf: it imports no stage. Reading, inheriting and validating packs is packs/load.py; a pack is a
folder with pack.yaml (built-in packs live in the top-level templates/ folder, see packs/find.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .doc.model import Typography
from .errors import Location
from .value_kinds import ColumnType, ValueFormat

BUILTIN_PACKS = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: ColumnType = ColumnType.TEXT     # a string given here is read as its member
    choices: tuple[str, ...] = ()
    required: bool = False
    unit: str = ""
    total: bool = False
    merge: bool = False
    width: float = 1.0
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    pattern: str | None = None
    plain: bool = False          # integers shown without thousands separators (years)
    help: str = ""
    strict: bool = False         # a count, chart or check groups by it: a value outside `choices` is an error
    aliases: tuple[str, ...] = ()                 # other headers this column goes by (workbooks, YAML keys)
    value_aliases: tuple[tuple[str, str], ...] = ()   # (typed, meant): the only source of "是否应为…" hints
    mentions: tuple[str, ...] = ()                # prose phrases naming this column's total (prose/numbers.py)
    # how a school that has no such column gives it: (source column, ((regex, value), …)); the first regex found
    # in the source column's text decides ("\\1" takes its group). Used when last year's table is read (adopt/).
    derive: tuple[str, tuple[tuple[str, str], ...]] | None = None

    def __post_init__(self):
        object.__setattr__(self, "type", ColumnType(self.type))

    @property
    def numeric(self) -> bool:
        return self.type.numeric

    @property
    def summable(self) -> bool:
        """A quantity: years (plain integers) and dates are never added up."""
        return self.numeric and not self.plain

    @property
    def heading(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class TableDef:
    id: str
    title: str
    columns: tuple[ColumnDef, ...]
    loc: Location
    serial: bool = True
    empty_text: str = "（无）"
    mentions: tuple[str, ...] = ()        # prose phrases naming the table's row count
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()   # (column, value, phrases): a group's row count

    def column(self, name: str) -> ColumnDef | None:
        return next((c for c in self.columns if c.name == name), None)

    def column_named(self, header: str) -> ColumnDef | None:
        """The column a header names: its own name or one of its aliases."""
        return self.column(header) or next((c for c in self.columns if header in c.aliases), None)


@dataclass(frozen=True)
class IndicatorDef:
    name: str
    kind: str
    loc: Location
    unit: str = ""
    formula: str | None = None
    format: ValueFormat = ValueFormat.DECIMAL2
    rate: bool = False
    parent: str | None = None
    help: str = ""
    convert: dict = field(default_factory=dict)   # {from: 亩}: reported in that unit, converted to `unit`
    label: str = ""                               # shown in appendix tables instead of the name (其中 rows)
    decimals: int | None = None                   # overrides the format's number of decimals
    mentions: tuple[str, ...] = ()                # prose phrases naming it besides its name (prose/numbers.py)

    @property
    def shown(self) -> str:
        return self.label or self.name

    @property
    def places(self) -> int:
        """Decimal places the value is shown (and compared) with: `decimals`, else its format's."""
        return self.decimals if self.decimals is not None else ValueFormat(self.format).decimals


@dataclass(frozen=True)
class Formula:
    """An expression over indicators (an indicator's `formula:`, a side of a `compare` check), compiled once
    in the sandbox when the pack loads (compute/indicators.py `compile_formula`, called by packs/)."""
    text: str
    fn: Callable = field(compare=False, repr=False)       # the compiled expression: fn(**values)
    refs: tuple[str, ...] = ()      # indicators it reads, in the order written
    tables: tuple[str, ...] = ()    # detail tables it reads through count/total/rows
    tree: object = field(default=None, compare=False, repr=False)   # its parsed form (pack check reads it)


@dataclass(frozen=True)
class AppendixTableDef:
    id: str
    title: str
    label: str
    rows: tuple[str, ...]
    loc: Location
    levels: tuple[str, ...] = ()
    numbered: bool | None = None   # None: labelled 附表 N (or `label`); True: 表 N / 表 2-1 with the text's tables; False: no label
    serial: bool = False           # a 序号 column; 其中 rows get none
    years: int = 3               # year columns: the report year and the years before it


@dataclass(frozen=True)
class ChartDef:
    """A chart narrative can insert with chart("id"): indicators over the years, or a table by a column."""
    id: str
    title: str
    kind: str                              # bar | line
    loc: Location
    indicators: tuple[str, ...] = ()       # series: one per indicator, over the last `years` years
    years: int = 3
    table: str | None = None               # breakdown: rows of `table` grouped by column `by`
    by: str | None = None
    value: str | None = None               # numeric column summed per group; None counts rows
    ylabel: str = ""


@dataclass(frozen=True)
class SectionDef:
    id: str
    title: str
    hint: str = ""


@dataclass(frozen=True)
class ChapterDef:
    id: str
    title: str
    template: str
    numbered: bool = True
    sections: tuple[SectionDef, ...] = ()
    page_break: bool = True
    toc_levels: int | None = None      # heading levels of this chapter listed in the 目录 (None: as the document)
    lead_numbers: bool = False         # number bold lead sentences 1. 2. … under each section (职教集团 reports)


@dataclass(frozen=True)
class CheckDef:
    kind: str                    # parts | compare | table_total | range
    loc: Location
    name: str = ""               # what is checked, in the words of the pack; generated when empty
    severity: str = "error"      # a failed check is an error unless the pack says warning
    years: str = "all"           # all: every year with data; report: the report year only
    parent: str | None = None    # parts
    rule: str = "each"           # parts: sum (sub-rows add up to the parent) | each (none exceeds it)
    parts: tuple[str, ...] = ()  # parts: which sub-rows (default: every indicator whose parent it is)
    left: str | None = None      # compare: expressions over indicators
    op: str = "="
    right: str | None = None
    compiled: tuple[Formula, Formula] | None = None   # compare: left and right, compiled when the pack loads
    tolerance: float = 0.0
    table: str | None = None     # table_total
    column: str | None = None
    indicator: str | None = None
    indicators: tuple[str, ...] = ()   # range
    rates: bool = False                # range: every indicator with rate: true
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Limit:
    indicator: str
    loc: Location
    min: float | None = None
    max: float | None = None
    note: str = ""


@dataclass(frozen=True)
class StandardDef:
    """One published standard (e.g. 教发〔2004〕2号) with the limits it sets for one school level."""
    id: str
    level: str
    title: str
    source: str
    limits: tuple[Limit, ...]
    loc: Location
    grade: str = ""              # 合格 …: what meeting the limit means
    note: str = ""

    @property
    def citation(self) -> str:
        return f"《{self.title}》（{self.source}）"


@dataclass(frozen=True)
class Subject:
    """What a report is about and what it is called, in the pack's words (pack.yaml `subject:`).

    The core names no kind of report: a file name, a change log's or a workbook's title say
    “<name><report>” with these words, which a school's, a group's or an enterprise's pack declares."""
    kind: str = ""               # 学校 / 集团 / 企业 / 地市 / 省: what report.yaml's school.name names
    report: str = ""             # the report's name after the subject's name, e.g. 质量年度报告
    edition_after_data: bool = False   # named for the year after its data (质量年度报告（2024）: 2023's data)

    def titled(self, name: str, year: object = "") -> str:
        """<name><report><year>: the draft's default file name and the companions' titles."""
        return f"{name}{self.report}{year}"


@dataclass
class Pack:
    name: str
    version: str
    root: Path
    description: str
    cover: dict[str, str]
    numbering: str
    chapters: list[ChapterDef]
    tables: dict[str, TableDef]
    indicators: dict[str, IndicatorDef]
    appendix: list[AppendixTableDef]
    typography: Typography
    charts: dict[str, ChartDef] = field(default_factory=dict)
    checks: list[CheckDef] = field(default_factory=list)          # checks.yaml
    standards: list[StandardDef] = field(default_factory=list)    # thresholds.yaml
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)   # 高职 -> (高等职业, …)
    formulas: dict[str, Formula] = field(default_factory=dict)   # derived indicators' formulas, compiled at load

    layers: list = field(default_factory=list)   # packs/inherit.py Layer: project pack/, this pack, its parents
    toc: bool = True                             # a 目录 after the cover
    school_fields: dict[str, str] = field(default_factory=dict)   # report.yaml school keys the pack uses → help
    wording: dict[str, dict[str, str]] = field(default_factory=dict)   # level key → words templates use
    subject: Subject = field(default_factory=Subject)                  # what the report is about, its name

    @property
    def search_path(self) -> list[Path]:
        """Folders that serve this pack's files, nearest first."""
        return [layer.root for layer in self.layers] or [self.root]

    def template_path(self, name: str) -> Path:
        for root in self.search_path:
            if (root / name).is_file():
                return root / name
        return self.root / name

    def file_label(self, name: str) -> str:
        """How messages name a pack file: the folder of the layer that serves it, then the path."""
        root = next((r for r in self.search_path if (r / name).is_file()), self.root)
        return f"{root.name}/{name}"


def level_key(levels: dict[str, tuple[str, ...]], level: str | None) -> str | None:
    """The pack's level key (高职, 中职) for report.yaml's `level` text (高等职业, 中等职业 …)."""
    if not level:
        return None
    text = str(level).strip()
    for key, aliases in levels.items():
        if text == key or text in aliases:
            return key
    return None if levels else text
