"""`reportgen workbook`: the fill-in workbook, generated from the pack and pre-filled with the project's data.

Sheets: 说明 (how to fill), 指标 (raw indicators × years), one sheet per detail table (bold frozen
header with a comment per column, fitted widths, drop-downs on enumerated columns, number formats),
and a hidden sheet recording which sheet is which table and fingerprints of the YAML as exported,
so reading the workbook back can tell who changed what (see merge.py).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..check.coerce import coerce, is_blank
from ..check.quantities import INDICATOR_COLUMN
from ..dataset import RawCell, RawProject, RawTable
from ..errors import Problems
from ..fileio import guard_output, safe_file_name, write_atomic
from ..load.project import BUILD_DIR
from ..pack import ColumnDef, IndicatorDef, Pack, TableDef
from ..render.env import render_title
from ..value_kinds import ColumnType, NotReported, ValueFormat
from . import layout
from .fingerprint import data_rows, indicator_print, table_print
from .merge import workbook_context
from .safety import MAX_ROWS

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BODY_FONT = "Calibri"     # the workbook's default face: a Font without a name prints in a serif face in LibreOffice
HEADER_FONT = Font(name=BODY_FONT, bold=True)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAPPED = Alignment(wrap_text=True, vertical="top")
PORTRAIT_CHARS = 95      # column widths (in characters) that fit across a portrait A4 page at 100 %
# The 说明 column must fit a portrait page by itself: fit-to-width never shrinks a sheet that is one column wide
# (it is "one page wide" already), and where Calibri is missing (LibreOffice) a width unit is ~7 pt, so 90 units
# ran past both page edges. 72 units fit the 523 pt between 0.5" margins with either font.
README_WIDTH = 72
CJK_UNITS = 2.1          # column width units one CJK character takes (see _width)
LINE_HEIGHT = 15         # points per line of 11 pt text, CJK included: wrapped rows get an explicit height,
                         # since LibreOffice does not grow a row for wrapped text when it opens an .xlsx
ROW_PADDING = 4          # points above and below the lines, without which LibreOffice hides the last one
VALIDATION_ROWS = MAX_ROWS + 1
INLINE_LIST_LIMIT = 250          # Excel refuses inline list formulas longer than 255 characters
LIST_FIRST_COLUMN = 8            # enum lists too long to inline live in the hidden sheet from column H


@dataclass
class ExportResult:
    output: Path
    tables: int
    rows: int
    indicators: int
    years: list[int]
    problems: Problems


def default_workbook_path(raw: RawProject) -> Path:
    return raw.root / BUILD_DIR / (safe_file_name(f"{raw.config['school']['name']}数据填报") + ".xlsx")


def write_workbook(current: RawProject, yaml_raw: RawProject, output: Path | None, problems: Problems) -> ExportResult:
    """Write the workbook holding `current` (the data a build reads) with fingerprints of `yaml_raw` (the YAML
    alone), both loaded by `pipeline.export_workbook`."""
    wb, years = build_workbook(current, yaml_raw)
    out = output or default_workbook_path(current)
    guard_output(out, current.root, "输出的填报工作簿")       # e.g. never over the workbook report.yaml reads
    write_atomic(out, wb.save)
    rows = sum(len(data_rows(current.tables.get(t), d)) for t, d in current.pack.tables.items())
    return ExportResult(out, len(current.pack.tables), rows, len(_raw_defs(current.pack)), years, problems)


@dataclass(frozen=True)
class Selection:
    """A workbook restricted to some tables and raw indicators (a department's kit), with marker info rows."""
    tables: frozenset[str]
    indicators: frozenset[str]
    info: tuple[tuple[str, str], ...] = ()      # extra ("info", key, value) rows in the hidden sheet


def build_workbook(current: RawProject, exported_from: RawProject | None = None,
                   only: Selection | None = None) -> tuple[Workbook, list[int]]:
    """The workbook holding `current`; fingerprints are taken from `exported_from` (the YAML alone).

    `only` keeps the selected tables and indicators; sheet names stay those of the full workbook."""
    base = exported_from or current
    pack = _selected(current.pack, only)
    context = workbook_context(current.config)
    names = layout.table_sheet_names(current.pack, context)   # numbered as in the full workbook
    wb = Workbook()
    readme = wb.active
    readme.title = layout.README_SHEET
    ind_ws = wb.create_sheet(layout.INDICATOR_SHEET) if _raw_defs(pack) else None
    meta = wb.create_sheet(layout.META_SHEET)
    lists = _Lists(meta)
    for tid, tdef in pack.tables.items():
        _table_sheet(wb.create_sheet(names[tid]), tdef, current.tables.get(tid), lists)
    wb.move_sheet(meta, offset=len(wb.sheetnames) - 1 - wb.index(meta))
    years = _years(current)
    if ind_ws is not None:
        _indicator_sheet(ind_ws, pack, current, years)
    _meta_sheet(meta, pack, base, names, years, current.config, only.info if only else ())
    _readme_sheet(readme, pack, current, names, context)
    return wb, years


def _selected(pack: Pack, only: Selection | None) -> Pack:
    if only is None:
        return pack
    return dataclasses.replace(pack, tables={t: d for t, d in pack.tables.items() if t in only.tables},
                               indicators={n: d for n, d in pack.indicators.items()
                                           if d.kind != "raw" or n in only.indicators})


def _raw_defs(pack: Pack) -> list[IndicatorDef]:
    return [d for d in pack.indicators.values() if d.kind == "raw"]


# ---- detail tables ---------------------------------------------------------------------------------------

def _table_sheet(ws, tdef: TableDef, table: RawTable | None, lists: "_Lists") -> None:
    rows = data_rows(table, tdef)
    for j, col in enumerate(tdef.columns, start=1):
        cell = put(ws.cell(row=1, column=j), col.heading)
        _header_style(cell)
        comment = Comment(layout.column_note(col), "reportgen")
        comment.width, comment.height = 320, 40 + 18 * layout.column_note(col).count("\n")
        cell.comment = comment
    for i, row in enumerate(rows, start=2):
        for j, col in enumerate(tdef.columns, start=1):
            cell = ws.cell(row=i, column=j)
            put(cell, export_value(col, row.cells.get(col.name)))
            cell.number_format = number_format(col)
            if not col.numeric:          # a text longer than the widest column wraps instead of being cut
                cell.alignment = WRAPPED
    for j, col in enumerate(tdef.columns, start=1):
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.number_format = number_format(col)        # rows typed later get the same format
        texts = [col.heading] + [_shown(ws.cell(row=i, column=j).value) for i in range(2, len(rows) + 2)]
        dim.width = _fit(texts)
        if col.choices:
            ws.add_data_validation(_drop_down(col, f"{letter}2:{letter}{VALIDATION_ROWS}", lists))
    for i in range(2, len(rows) + 2):
        _fit_height(ws, i, len(tdef.columns))
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    _print_setup(ws, len(rows) + 1, len(tdef.columns))


def _drop_down(col: ColumnDef, sqref: str, lists: "_Lists") -> DataValidation:
    inline = ",".join(col.choices)
    if len(inline) <= INLINE_LIST_LIMIT and not any("," in c or '"' in c for c in col.choices):
        formula = f'"{inline}"'
    else:
        formula = lists.add(col.choices)
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True, errorStyle="stop",
                        errorTitle="请从下拉列表中选择", error=f"“{col.name}”只能填写：{'、'.join(col.choices)}"[:220],
                        showInputMessage=False)
    dv.add(sqref)
    return dv


class _Lists:
    """Choice lists too long for an inline drop-down, kept in the hidden sheet."""

    def __init__(self, ws):
        self.ws, self.next = ws, LIST_FIRST_COLUMN

    def add(self, choices) -> str:
        letter = get_column_letter(self.next)
        for i, c in enumerate(choices, start=2):
            put(self.ws.cell(row=i, column=self.next), c)
        self.next += 1
        return f"{quote_sheetname(layout.META_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"


def export_value(col: ColumnDef, cell: RawCell | None):
    """What a cell holds: the typed value where it is valid, the text as given otherwise (to be fixed there)."""
    if cell is None or is_blank(cell.raw):
        return None
    result = coerce(col, cell.raw, cell.text)
    value = result.value
    if result.error or value is None:
        return _clean(cell.text if cell.text is not None else str(cell.raw))
    if isinstance(value, NotReported):
        return "-"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int):
        return value
    return _clean(str(value))


def number_format(col: ColumnDef) -> str:
    if col.type is ColumnType.INTEGER:
        return "0" if col.plain else "#,##0"
    if col.type is ColumnType.DECIMAL:
        if col.decimals is None:
            return "General"
        return "#,##0" + ("." + "0" * col.decimals if col.decimals else "")
    return "@"


# ---- indicators -------------------------------------------------------------------------------------------

def _years(raw: RawProject) -> list[int]:
    year = int(raw.config["year"])
    raw_names = {n for n, d in raw.pack.indicators.items() if d.kind == "raw"}
    seen = {y for n, ys in raw.indicators.cells.items() if n in raw_names for y, c in ys.items() if not is_blank(c.raw)}
    return sorted(seen | {year - 2, year - 1, year})


def _indicator_sheet(ws, pack: Pack, raw: RawProject, years: list[int]) -> None:
    heads = [*layout.INDICATOR_HEADERS, *years]
    for j, h in enumerate(heads, start=1):
        _header_style(put(ws.cell(row=1, column=j), h))
    ws.cell(row=1, column=1).comment = Comment("只列出原始指标；比率等计算指标由工具按公式算出，不需要填写。\n"
                                               "“-”表示该年度未填报，不同于 0。", "reportgen")
    defs = [d for d in pack.indicators.values() if d.kind == "raw"]
    for i, d in enumerate(defs, start=2):
        name = put(ws.cell(row=i, column=1), d.name)
        if d.parent:
            name.alignment = Alignment(indent=2)
        note = _indicator_note(d)
        if note:
            name.comment = Comment(note, "reportgen")
        unit = put(ws.cell(row=i, column=2), layout.fill_unit(d) or None)
        unit.font = Font(name=BODY_FONT, color="7F7F7F")
        unit.alignment = Alignment(horizontal="center")
        cells = raw.indicators.cells.get(d.name, {})
        for j, year in enumerate(years, start=3):
            cell = ws.cell(row=i, column=j)
            put(cell, export_value(INDICATOR_COLUMN, cells.get(year)))
            cell.number_format = _indicator_format(d)
    ws.column_dimensions["A"].width = _fit([layout.INDICATOR_HEADERS[0]] + [d.name for d in defs], limit=70)
    ws.column_dimensions["B"].width = 8
    for j in range(3, len(years) + 3):
        ws.column_dimensions[get_column_letter(j)].width = _fit([_shown(ws.cell(row=i, column=j).value)
                                                                 for i in range(1, len(defs) + 2)], least=11)
    ws.freeze_panes = "C2"
    _print_setup(ws, len(defs) + 1, len(heads))


def _indicator_note(d: IndicatorDef) -> str:
    lines = []
    if d.parent:
        lines.append(f"其中项：属于“{d.parent}”，不应超过它")
    if d.help:
        lines.append(d.help)
    if d.unit == "%":
        lines.append("百分比只填数值：96.5 表示 96.5%")
    return "\n".join(lines)


def _indicator_format(d: IndicatorDef) -> str:
    return {ValueFormat.INTEGER: "#,##0", ValueFormat.DECIMAL1: "#,##0.0", ValueFormat.DECIMAL2: "#,##0.00"}.get(d.format, "General")


# ---- the hidden sheet and the 说明 sheet ---------------------------------------------------------------

def _meta_sheet(ws, pack: Pack, base: RawProject, names: dict[str, str], years: list[int], config: dict,
                info: tuple[tuple[str, str], ...] = ()) -> None:
    ws.sheet_state = "hidden"
    rows = [("类型", "键", "年度或工作表", "工作表引用", "导出时数据文件的指纹"),
            ("info", "format", layout.META_FORMAT, None, None),
            ("info", "pack", pack.name, None, None),
            ("info", "year", int(config["year"]), None, None),
            ("info", "exported", dt.datetime.now().strftime("%Y-%m-%d %H:%M"), None, None)]
    rows += [("info", key, value, None, None) for key, value in info]
    for tid, tdef in pack.tables.items():
        # the formula follows the sheet when someone renames it in Excel or WPS
        rows.append(("table", tid, names[tid], Formula(f"={quote_sheetname(names[tid])}!A1"),
                     table_print(base.tables.get(tid), tdef)))
    for d in pack.indicators.values():
        if d.kind == "raw":
            cells = base.indicators.cells.get(d.name, {})
            rows.extend(("indicator", d.name, y, None, indicator_print(cells.get(y))) for y in years)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if isinstance(v, Formula):
                ws.cell(row=i, column=j, value=str(v))      # the one formula reportgen writes, built above
            elif v is not None:
                put(ws.cell(row=i, column=j), v)
    ws.protection.sheet = True       # no password: it only guards against accidental edits


def _readme_sheet(ws, pack: Pack, raw: RawProject, names: dict[str, str], context: dict) -> None:
    school, year = raw.config["school"]["name"], raw.config["year"]
    derived = [d.name for d in pack.indicators.values() if d.kind == "derived"]
    lines = [
        (f"{pack.subject.titled(f'{school}{year}年度')} 数据填报工作簿", "title"),
        (f"由 reportgen 根据模板包“{pack.name}”生成（{dt.datetime.now():%Y-%m-%d}），已填入项目中现有的数据。"
         "填好后交回报告编写人员，由其在编写工作台网页上传本文件，初稿中的数据即由此生成。", None),
        ("", None),
        ("填写方法", "bold"),
        ("1. 每张明细表一个工作表，第一行是列名，请不要修改列名；每行填一条记录。不需要填写“序号”和“合计”，报告中由工具自动生成。", None),
        ("2. 把鼠标移到列名上，可以看到该列的说明：类型、单位、是否必填、可选值。带下拉箭头的列请从列表中选择。", None),
        ("3. 数字只填数值，不写单位、不加千分位逗号；单位见列名括号内，如“批准总培训人数（人）”，金额按列名中的单位（如万元）填写。", None),
        ("4. “-”表示未填报或不适用，不同于 0；0 表示确实为零。没有的数据请留空或填“-”，不要填 0。", None),
        ("5. 年月写成“2024.05”或“2024年5月”（这些单元格已设为文本格式，Excel 不会把 2024.10 改成 2024.1）。", None),
        ("6. “指标”工作表每行一个原始指标、每列一个年度。以下指标由工具按公式计算，不需要填写："
         + ("、".join(derived) if derived else "（无）") + "。", None),
        ("7. 可以插入、删除行或调整行的顺序；相邻几行取值相同的类别列（如“产业领域”）可以合并单元格，合并后的值对每一行都有效。", None),
        ("8. 请不要删除或修改隐藏的工作表：它记录了导出时的数据，用来判断哪些内容是在工作簿中修改的。工作表可以改名。", None),
        ("9. 如果用公式计算了某个数值，请在 Excel 或 WPS 中保存后再交回（保存时才会存下计算结果）。", None),
        ("", None),
        ("工作表一览", "bold"),
    ]
    if _raw_defs(pack):
        lines.append((f"{layout.INDICATOR_SHEET}：原始指标（{'、'.join(str(y) for y in _years(raw))} 年度）", None))
    for tid, tdef in pack.tables.items():
        n = len(data_rows(raw.tables.get(tid), tdef))
        lines.append((f"{names[tid]}：{render_title(tdef.title, context)}（现有 {n} 行）", None))
    ws.column_dimensions["A"].width = README_WIDTH
    for i, (text, style) in enumerate(lines, start=1):
        c = put(ws.cell(row=i, column=1), text or None)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            c.font = Font(name=BODY_FONT, bold=True, size=14)
            ws.row_dimensions[i].height = 20 * _lines(text, README_WIDTH * 11 / 14)
            continue
        if style == "bold":
            c.font = HEADER_FONT
        _fit_height(ws, i, 1)
    _print_setup(ws, 0, 1)


# ---- small helpers ------------------------------------------------------------------------------------------

def _print_setup(ws, last_row: int, last_col: int) -> None:
    """The sheet prints on A4 as a table: ruled data area (rows 2..last_row; none when 0), header row on
    every page, all columns on one page width (landscape when the columns are wider than a portrait page),
    the sheet's name above and the page number below."""
    for row in ws.iter_rows(min_row=2, max_row=max(last_row, 1), max_col=last_col):
        for cell in row:
            cell.border = BORDER
    widths = sum(ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, last_col + 1))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if widths > PORTRAIT_CHARS else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0     # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.9
    ws.page_margins.header = ws.page_margins.footer = 0.4
    ws.oddHeader.center.text = "&A"                      # the sheet's name as it is when printed
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    # a CJK face by name: in the default (Calibri) LibreOffice clips the CJK header text at its baseline
    ws.oddHeader.center.font = ws.oddFooter.center.font = "宋体,Regular"
    if last_row:
        ws.print_title_rows = "1:1"


def _fit_height(ws, row: int, last_col: int) -> None:
    """Give a row holding wrapped text the height of its longest cell (one line needs none)."""
    lines = max(_lines(_shown(ws.cell(row=row, column=j).value),
                       ws.column_dimensions[get_column_letter(j)].width or 8.43)
                for j in range(1, last_col + 1))
    if lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT * lines + ROW_PADDING


def _lines(text: str, width: float) -> int:
    """Lines a text wraps to in a column `width` units wide, measured as _fit measures (so a text _fit made
    room for is one line)."""
    usable = max(width - 2, 1)
    return sum(max(1, math.ceil(_width(part) / usable)) for part in text.split("\n")) if text else 1


def _header_style(cell) -> None:
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def put(cell, value):
    """The one way a value goes into a cell: text is always stored as text, so a school name, a column name
    or a unit from a pack that starts with "=", "+", "-" or "@" is never a formula (formula injection);
    characters a worksheet cannot hold are dropped. Returns the cell, for styling."""
    if isinstance(value, str):
        value = _clean(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


class Formula(str):
    """A formula reportgen itself builds (never from data): the only text written as a formula."""


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> float:
    """Width in Excel's column units (Calibri 11 digits, 7 px): an 11 pt CJK character is 14.7 px."""
    return sum(CJK_UNITS if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _fit(texts: list[str], least: int = 8, limit: int = 60) -> float:
    widest = max((_width(line) for t in texts for line in str(t).split("\n")), default=0)
    return float(min(max(math.ceil(widest) + 2, least), limit))
