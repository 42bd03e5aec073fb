"""The document model: the seam between what the report says and how Word draws it.

Readers (the Markdown stage) build a `Document`; writers (the .docx writer) consume it.
Neither side knows about the other, and this module imports nothing from reportgen.
Numbering (表 1 / 表 2-1, 图 N, 案例 N, 一、/（一）) is resolved before a writer sees the
document: every caption and heading here carries its final label.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


# ---------------------------------------------------------------- inlines
@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Placeholder:
    """A highlighted 【待补充：…】 mark: something the school still has to write."""
    text: str


Inline = Union[Text, Placeholder]


# ---------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Origin:
    """Where a block was written: a narrative file (project-relative) or a pack template, and the line of
    its rendered Markdown there; `data` names the detail or appendix table a Table shows ("table:ID")."""
    file: str = ""
    line: int | None = None
    data: str = ""


_ORIGIN = dict(default=None, compare=False, repr=False)      # not part of what a block says


@dataclass
class Heading:
    level: int                 # 1 chapter (一、), 2 section (（一）), 3 (1.), 4 (（1）)
    label: str                 # "一、", "（一）", "" for unnumbered (前言, 附表)
    text: str
    in_toc: bool = True
    origin: Origin | None = field(**_ORIGIN)


@dataclass
class Paragraph:
    inlines: list[Inline]
    style: str = "body"        # body | note | signature | salutation | centered | title | subtitle
    origin: Origin | None = field(**_ORIGIN)


@dataclass
class Cell:
    text: str
    rowspan: int = 1           # >1 on the first cell of a merged category; 0 on the cells it covers
    align: str = "left"        # left | center | right
    colspan: int = 1           # >1 on a cell merged across columns; 0 on the cells it covers (narrative tables)


@dataclass
class Column:
    name: str
    width: float = 1.0         # relative width; the writer scales to the text width
    align: str = "left"


@dataclass
class Table:
    label: str                 # "表 3" / "表 2-1" / "" (unnumbered)
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total_row: list[Cell] | None = None
    empty_text: str = "（无）"
    notes: list[str] = field(default_factory=list)   # footnotes under the table (sources, threshold marks)
    numbered: bool = True      # False: no "表 N" label even when `label` is empty (质量数据表 under its heading)
    serials: list[str] | None = None   # the 序号 cell of each row when not 1..N (其中 rows left blank)
    serial_column: bool = True # False: a table typed in the narrative, shown as written (no 序号 column)
    origin: Origin | None = field(**_ORIGIN)


@dataclass
class Image:
    path: str                  # absolute path of the source image
    caption: str = ""          # sub-caption under this image when a figure holds several


@dataclass
class Figure:
    label: str                 # "图 5" / "图 2-1"
    caption: str
    images: list[Image]
    origin: Origin | None = field(**_ORIGIN)


@dataclass
class Case:
    label: str                 # "案例 3"
    title: str
    blocks: list["Block"]      # paragraphs and figures inside the box
    origin: Origin | None = field(**_ORIGIN)


@dataclass
class KeyValue:
    """A 学校基本情况-style block: label：value lines."""
    items: list[tuple[str, str]]


@dataclass
class TocEntry:
    level: int
    text: str                  # label + text, as shown in the 目录
    page: int | None = None    # known only after layout (LibreOffice pass)


@dataclass
class Toc:
    title: str = "目  录"
    entries: list[TocEntry] = field(default_factory=list)
    levels: int = 2


@dataclass
class PageBreak:
    pass


Block = Union[Heading, Paragraph, Table, Figure, Case, KeyValue, Toc, PageBreak]


# ---------------------------------------------------------------- document
@dataclass
class Cover:
    school: str
    title: str
    subtitle: str = ""
    date: str = ""
    lines: list[str] = field(default_factory=list)   # extra lines (e.g. 二〇二四年十二月)


@dataclass
class Typography:
    """Page and font settings from the pack (domain brief §7); sizes in points, lengths in mm."""
    page_width_mm: float = 210
    page_height_mm: float = 297
    margin_top_mm: float = 37
    margin_bottom_mm: float = 35
    margin_left_mm: float = 28
    margin_right_mm: float = 26
    body_font: str = "仿宋_GB2312"
    body_size: float = 16
    line_spacing_pt: float = 28
    first_line_indent_chars: float = 2
    latin_font: str = "Times New Roman"
    title_font: str = "方正小标宋简体"
    title_size: float = 22
    cover_title_size: float = 26      # the report title on the cover, above the 2号 school line
    heading_fonts: tuple[str, ...] = ("黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312")
    heading_sizes: tuple[float, ...] = (16, 16, 16, 16)
    heading_bold: tuple[bool, ...] = (False, False, True, False)
    caption_font: str = "黑体"
    caption_size: float = 12
    table_font: str = "宋体"
    table_size: float = 10.5
    case_font: str = "楷体_GB2312"
    case_size: float = 14
    case_line_spacing_pt: float = 24
    case_shading: str = "EEF3F8"
    footer_font: str = "宋体"
    footer_size: float = 14
    page_number_format: str = "— {n} —"
    running_header: str = ""          # the text at the top of every body page ({{ school.name }} …); "" for none
    header_size: float = 10.5
    image_max_width_mm: float = 150
    image_max_px: int = 1600      # longest side after downscaling; ~270 dpi at 150 mm


@dataclass
class Document:
    cover: Cover | None
    blocks: list[Block]
    typography: Typography = field(default_factory=Typography)
    properties: dict[str, str] = field(default_factory=dict)   # core properties: title, subject, author
    header: str = ""                   # the running header, rendered (school and report name)


def iter_blocks(blocks: list[Block]):
    """Every block, descending into cases (figures inside cases count as figures)."""
    for b in blocks:
        yield b
        if isinstance(b, Case):
            yield from iter_blocks(b.blocks)
