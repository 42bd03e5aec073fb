"""The fill-in workbook prints: each visible sheet on A4, all its columns on one page width (landscape when
wide), the header row on every page, the data area ruled, text wrapped with rows tall enough to show it, the
sheet's name and the page number in the margins. Checked on the reopened .xlsx of the three examples, a
department's kit and a project with texts longer than any example has.

The page images were looked at through LibreOffice (soffice --convert-to pdf, pdftoppm); these assertions
hold the setup that made them right. Widths are measured here independently of the writer, in Excel's units:
a column `w` wide is 7w + 5 px (Calibri 11), an 11 pt CJK character 14.7 px, a Latin one at most 7 px."""
import math
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from deptutil import assign_three
from reportgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["annual-2024-demo", "zhongzhi-2022-demo", "jituan-demo", "qiye-demo"]
README = "说明"
A4_PORTRAIT_PT = 595.3
WORST_UNIT_PT = 7.0          # a width unit where Calibri is missing (LibreOffice falls back to DejaVu Sans)
CJK_PX, LATIN_PX = 14.7, 7.0


@pytest.fixture(scope="module", params=EXAMPLES)
def example_workbook(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print") / f"{request.param}.xlsx"
    assert main(["workbook", str(ROOT / "examples" / request.param), "-o", str(out)]) == 0
    return out


def _px(text: str) -> float:
    return sum(CJK_PX if unicodedata.east_asian_width(ch) in "WFA" else LATIN_PX for ch in text)


def _lines_needed(text: str, width: float) -> int:
    room = width * 7 + 5 - 4                  # less the cell's own padding
    return sum(max(1, math.ceil(_px(part) / room)) for part in str(text).split("\n"))


def _visible(wb):
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def _width(ws, col: int) -> float:
    return ws.column_dimensions[get_column_letter(col)].width


def _ruled(cell) -> bool:
    b = cell.border
    return all(side is not None and side.style == "thin" for side in (b.left, b.right, b.top, b.bottom))


def assert_prints(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    sheets = _visible(wb)
    assert sheets[0].title == README and len(sheets) > 1
    for ws in sheets:
        ps = ws.page_setup
        assert int(ps.paperSize) == 9, ws.title                                   # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ps.fitToWidth, ps.fitToHeight) == (1, 0), ws.title                # one page wide, any number long
        assert "&A" in ws.oddHeader.center.text and "&P" in ws.oddFooter.center.text, ws.title
        m = ws.page_margins
        assert 0.4 <= m.left <= 1 and 0.4 <= m.right <= 1, ws.title
        assert m.top >= m.header + 0.4 and m.bottom >= m.footer + 0.4, ws.title   # room for header and footer
        columns = ws.max_column
        total = sum(_width(ws, j) for j in range(1, columns + 1))
        if total * 7 * 0.75 > A4_PORTRAIT_PT - 72 * (m.left + m.right):       # wider than a portrait page
            assert ps.orientation == "landscape", ws.title
        elif total < 80:
            assert ps.orientation == "portrait", ws.title
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value:
                    if ws.title == README or cell.row > 1 and cell.number_format == "@":
                        assert cell.alignment.wrap_text, f"{ws.title}!{cell.coordinate}"
                    if cell.alignment.wrap_text and cell.row > 1:
                        lines = _lines_needed(cell.value, _width(ws, cell.column))
                        height = ws.row_dimensions[cell.row].height or 15
                        assert height >= 14 * lines, f"{ws.title}!{cell.coordinate}: {lines} lines, {height} pt"
        if ws.title == README:
            assert ws.print_title_rows is None
            assert columns == 1 and not any(_ruled(c) for c in ws["A"])
            # fit-to-width cannot shrink a single column: it must fit the portrait page by itself
            assert ps.orientation == "portrait"
            assert _width(ws, 1) * WORST_UNIT_PT <= A4_PORTRAIT_PT - 72 * (m.left + m.right)
        else:
            assert ws.print_title_rows == "$1:$1", ws.title
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=columns):
                for cell in row:
                    assert _ruled(cell), f"{ws.title}!{cell.coordinate}"
    assert {ws.page_setup.orientation for ws in sheets} >= {"portrait"}


def test_each_example_workbook_prints(example_workbook):
    assert_prints(example_workbook)


def test_wide_tables_turn_landscape_and_narrow_ones_stay_portrait(tmp_path):
    out = tmp_path / "demo.xlsx"
    assert main(["workbook", str(ROOT / "examples" / "annual-2024-demo"), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    coop = next(ws for ws in _visible(wb) if "校企合作出版教材" in ws.title)      # seven columns
    majors = next(ws for ws in _visible(wb) if ws.title.startswith("表15"))       # three short ones
    assert coop.page_setup.orientation == "landscape"
    assert majors.page_setup.orientation == "portrait"
    assert wb[README].page_setup.orientation == wb["指标"].page_setup.orientation == "portrait"


def test_texts_longer_than_any_example_wrap_and_are_shown_whole(run, demo, tmp_path):
    awards = demo / "data" / "tables" / "innovation_awards.yaml"
    first = "2024年中国国际大学生创新大赛职教赛道：“智焊通”——焊缝缺陷视觉检测一体机"
    long_name = "特别长的获奖名称" * 30 + "ABC-123 mixed Latin text"
    awards.write_text(awards.read_text(encoding="utf-8").replace(first, long_name, 1), encoding="utf-8")
    config = demo / "report.yaml"
    text = config.read_text(encoding="utf-8")
    assert "name: 江州职业技术学院" in text
    config.write_text(text.replace("name: 江州职业技术学院", "name: 江州" + "现代" * 40 + "职业技术学院", 1),
                      encoding="utf-8")
    out = tmp_path / "long.xlsx"
    r = run("workbook", demo, "-o", out)
    assert r.code == 0, r.text
    assert_prints(out)
    wb = openpyxl.load_workbook(out)
    ws = next(ws for ws in _visible(wb) if "创新创业大赛获奖" in ws.title)
    cell = next(c for c in ws["A"] if c.value == long_name)
    assert _width(ws, 1) <= 60 and _lines_needed(long_name, _width(ws, 1)) >= 5
    title = wb[README]["A1"]
    assert title.alignment.wrap_text and wb[README].row_dimensions[1].height >= 2 * 18      # 14 pt, two lines
    assert cell.alignment.wrap_text


def test_department_kit_workbooks_print(run, demo, tmp_path):
    assign_three(demo)
    out = tmp_path / "kit"
    r = run("kit", demo, "-o", out)
    assert r.code == 0, r.text
    books = sorted(out.glob("*/*.xlsx"))
    assert len(books) == 3
    for book in books:
        assert_prints(book)
