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


HEADING_LEVELS = 4       # heading levels with a style of their own (一、 （一） 1. （1）); deeper ones use level 4's


def _setting(default, doc: str):
    """A typography setting: its default and what it means to a pack author (docs/packs.md shows both)."""
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class HeadingStyle:
    """How one heading level looks (GB/T 9704: 一级 黑体, 二级 楷体, 三级 仿宋加粗, all 三号)."""
    font: str = _setting("仿宋_GB2312", "标题字体（中文）")
    size: float = _setting(16, "字号（磅）：三号 16、小三 15、四号 14")
    bold: bool = _setting(False, "是否加粗")


def _default_headings() -> dict[int, HeadingStyle]:
    return {1: HeadingStyle("黑体"), 2: HeadingStyle("楷体_GB2312"), 3: HeadingStyle("仿宋_GB2312", bold=True),
            4: HeadingStyle("仿宋_GB2312")}


@dataclass
class Typography:
    """Page and font settings from the pack (domain brief §7); sizes in points, lengths in mm.

    These fields are the declaration of the pack's `typography:` options: packs/typography.py derives the
    schema the loader checks and the reference in docs/packs.md from them (their `doc`)."""
    page_width_mm: float = _setting(210, "纸张宽度（毫米）")
    page_height_mm: float = _setting(297, "纸张高度（毫米）")
    margin_top_mm: float = _setting(37, "上边距（毫米）")
    margin_bottom_mm: float = _setting(35, "下边距（毫米）")
    margin_left_mm: float = _setting(28, "左边距（毫米）")
    margin_right_mm: float = _setting(26, "右边距（毫米）")
    body_font: str = _setting("仿宋_GB2312", "正文字体")
    body_size: float = _setting(16, "正文字号（磅）")
    line_spacing_pt: float = _setting(28, "正文固定行距（磅）")
    first_line_indent_chars: float = _setting(2, "正文首行缩进（字）")
    latin_font: str = _setting("Times New Roman", "西文和数字字体")
    title_font: str = _setting("方正小标宋简体", "封面标题、学校名称的字体")
    title_size: float = _setting(22, "封面学校名称的字号（磅）")
    # the report title on the cover, above the 2号 school line
    cover_title_size: float = _setting(26, "封面报告标题的字号（磅）")
    headings: dict[int, HeadingStyle] = field(
        default_factory=_default_headings,
        metadata={"doc": "各级标题，每级一条：级别（1–4）: {font, size, bold}；只写要改的级别和项"})
    caption_font: str = _setting("黑体", "表题、图题字体")
    caption_size: float = _setting(12, "表题、图题字号（磅）")
    table_font: str = _setting("宋体", "表格文字字体")
    table_size: float = _setting(10.5, "表格文字字号（磅）")
    case_font: str = _setting("楷体_GB2312", "案例框文字字体")
    case_size: float = _setting(14, "案例框文字字号（磅）")
    case_line_spacing_pt: float = _setting(24, "案例框固定行距（磅）")
    case_shading: str = _setting("EEF3F8", "案例框底色（十六进制 RGB）")
    footer_font: str = _setting("宋体", "页码字体")
    footer_size: float = _setting(14, "页码字号（磅）")
    page_number_format: str = _setting("— {n} —", "页码格式，{n} 为页码")
    # the text at the top of every body page ({{ school.name }} …); "" for none
    running_header: str = _setting("", "页眉文字（可用 {{ school.name }}、{{ year }}；空字符串不加页眉）")
    header_size: float = _setting(10.5, "页眉字号（磅）")
    image_max_width_mm: float = _setting(150, "图片最大宽度（毫米）")
    # longest side after downscaling; ~270 dpi at 150 mm
    image_max_px: int = _setting(1600, "图片缩小后最长边的像素数")

    def heading(self, level: int) -> HeadingStyle:
        """Level `level`'s style. A level past the last declared one looks like the last (a pack always has
        1–HEADING_LEVELS: the loader fills every level from the defaults), one before the first like the first."""
        declared = sorted(self.headings)
        return self.headings[max((n for n in declared if n <= level), default=declared[0])]


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
