"""The writer's print rules on the .docx itself: column widths from content, keep rules, case rows,
quotation marks and the PDF font map. tests/test_layout.py checks the same things on LibreOffice's pages;
the workbook's page setup is in tests/test_workbook_print.py."""
import re

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image as PILImage

from reportgen.doc.model import Case, Cell, Column, Document, Figure, Heading, Image, Paragraph, Table, Text, Typography
from reportgen.export.fonts import official_fonts, substitutions, write_replace_table
from reportgen.write.colwidths import allot, measure, text_em
from reportgen.write.docx_writer import write_docx


def _tables(path):
    return docx.Document(str(path)).element.body.findall(qn("w:tbl"))


def _grid(tbl):
    return [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]


def _kept(tr):
    return all(p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None for p in tr.iter(qn("w:p")))


# ---------------------------------------------------------------- column widths
def test_text_width_counts_cjk_full_and_latin_by_its_face():
    assert text_em("获奖级别") == 4 and text_em("第1版") == 2.5


@pytest.mark.parametrize("text", ["978-7-5635-6352-4", "2024.05", "Python", "ISBN 978-7-111", "(WPS) Office 365",
                                  "Mbps", "1,234.56%"])
def test_latin_width_is_the_printed_width_in_the_tables_latin_face(text):
    """Times New Roman's metrics, measured in Liberation Serif (metric-compatible; LibreOffice prints with it)."""
    import subprocess
    from PIL import ImageFont
    path = subprocess.run(["fc-match", "-f", "%{file}", "Liberation Serif:style=Regular"],
                          capture_output=True, text=True).stdout
    assert path.endswith(".ttf"), "fonts-liberation2 is installed by .ci/run"
    face = ImageFont.truetype(path, 1000)
    assert text_em(text) == pytest.approx(face.getlength(text) / 1000, abs=0.02 * len(text))


def test_short_codes_and_short_headers_never_wrap(tmp_path):
    cols = [Column("教材名称", 1), Column("ISBN", 1), Column("版次", 1), Column("出版时间", 1), Column("出版社", 1)]
    rows = [[Cell("面向" * 12 + f"教材{i}"), Cell(f"978-7-5635-635{i}-4"), Cell("第1版"), Cell("2024.06"),
             Cell("某某大学出版社")] for i in range(6)]
    path = tmp_path / "t.docx"
    write_docx(Document(None, [Table("表 1", "教材", cols, rows)]), path)
    widths = _grid(_tables(path)[0])
    em = Typography().table_size * 20
    pad = 2 * 108
    # ISBN on one line, "出版时间" (4 characters) on one line, the rest to the long titles
    assert widths[2] - pad >= text_em("978-7-5635-6350-4") * em and widths[4] - pad >= 4 * em
    assert widths[1] == max(widths)


def test_spare_width_goes_where_it_saves_most_lines():
    # column 0 holds 30 em per row, column 1 holds 12 em: 20 em of spare is best spent on column 0
    needs = measure(["名称", "单位"], [["甲" * 30] * 5, ["乙" * 12] * 5])
    widths = allot(28, needs, [1, 1], [[30] * 5, [12] * 5])
    assert sum(widths) == pytest.approx(28)
    lines = sum(max(-(-30 // w), -(-12 // v)) for w, v in [widths] * 5)
    assert lines <= 10                                  # two lines a row, not three


def test_text_columns_give_way_before_codes_wrap():
    # 8 columns on a narrow page: the ISBN and 第1版 keep their width, the text columns shrink
    needs = measure(["序号", "部门", "合作企业", "教材名称", "ISBN", "版次", "出版时间", "出版社"],
                    [["1"], ["智能制造学院"], ["江州精工机械有限公司"], ["数控多轴加工技术"], ["978-7-5186-2417-1"],
                     ["第1版"], ["2024.03"], ["中工技术出版社"]])
    widths = allot(30, needs, [1] * 8)
    assert sum(widths) == pytest.approx(30)
    assert widths[4] >= text_em("978-7-5635-6352-4") and widths[5] >= 2.5 and widths[6] >= 4
    assert sum(allot(10, needs, [1] * 8)) == pytest.approx(10)     # nothing fits: all scaled down


# ---------------------------------------------------------------- keep rules
def test_small_table_is_kept_whole_and_a_long_one_keeps_its_last_row(tmp_path):
    small = Table("表 1", "小表", [Column("名称")], [[Cell(f"行{i}")] for i in range(5)])
    big = Table("表 2", "大表", [Column("名称")], [[Cell(f"行{i}")] for i in range(20)])
    path = tmp_path / "k.docx"
    write_docx(Document(None, [small, Paragraph([Text("正文")]), big]), path)
    t1, t2 = _tables(path)
    rows1, rows2 = t1.findall(qn("w:tr")), t2.findall(qn("w:tr"))
    assert all(_kept(r) for r in rows1[:-1]) and not _kept(rows1[-1])
    assert _kept(rows2[-2]) and not _kept(rows2[-1]) and not _kept(rows2[5])
    assert all(r.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for r in rows1 + rows2)


def test_a_few_rows_as_tall_as_half_a_page_are_not_kept_whole(tmp_path):
    """Moving such a table whole would leave half a page empty: it breaks like a long one (and prints 续表)."""
    long_text = "校企合作共建实训基地并联合开发课程与教材" * 4
    tall = Table("表 1", "高表", [Column("名称"), Column("说明")], [[Cell(f"行{i}"), Cell(long_text)] for i in range(8)])
    short = Table("表 2", "矮表", [Column("名称"), Column("说明")], [[Cell(f"行{i}"), Cell("一行")] for i in range(8)])
    path = tmp_path / "h.docx"
    write_docx(Document(None, [tall, Paragraph([Text("正文")]), short]), path)
    t1, t2 = (t.findall(qn("w:tr"))[1:] for t in _tables(path))
    assert all(_kept(r) for r in t2[:-1])
    assert not all(_kept(r) for r in t1[:-1]) and _kept(t1[0]) and _kept(t1[-2])


def test_merged_category_rows_are_kept_together(tmp_path):
    rows = [[Cell("甲类" if i % 4 == 0 else "", rowspan=4 if i % 4 == 0 else 0), Cell(f"行{i}")] for i in range(16)]
    path = tmp_path / "m.docx"
    write_docx(Document(None, [Table("表 1", "合并", [Column("类别"), Column("名称")], rows)]), path)
    trs = _tables(path)[0].findall(qn("w:tr"))[1:]
    assert [_kept(tr) for tr in trs[:4]] == [True, True, True, False]


def test_case_title_shares_a_row_with_its_first_paragraph_and_long_cases_break_between_rows(tmp_path):
    para = Paragraph([Text("案例正文" * 60)])
    short = Case("案例 1", "短", [Paragraph([Text("一段话。")])])
    long = Case("案例 2", "长", [para, para, para, para])
    path = tmp_path / "c.docx"
    write_docx(Document(None, [short, long]), path)
    box1, box2 = [t for t in _tables(path)]
    (row,) = box1.findall(qn("w:tr"))
    assert row.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None
    rows = box2.findall(qn("w:tr"))
    assert len(rows) >= 2
    first = [p.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val")) for p in rows[0].iter(qn("w:p"))]
    assert first[:2] == ["CaseTitle", "CaseText"]


def test_two_portrait_photos_in_a_row_print_side_by_side(tmp_path):
    paths = []
    for i in range(2):
        p = tmp_path / f"p{i}.png"
        PILImage.new("RGB", (300, 400), (200, 100, 50)).save(p)
        paths.append(str(p))
    figs = [Figure(f"图 {i + 1}", f"竖幅{i + 1}", [Image(p)]) for i, p in enumerate(paths)]
    path = tmp_path / "f.docx"
    write_docx(Document(None, figs), path)
    (grid,) = _tables(path)
    cells = grid.findall(qn("w:tr") + "/" + qn("w:tc"))
    assert len(cells) == 2 and ["图 1\u3000竖幅1", "图 2\u3000竖幅2"] == [
        "".join(t.text for t in c.iter(qn("w:t"))) for c in cells]
    t = Typography()
    text_height_emu = (t.page_height_mm - t.margin_top_mm - t.margin_bottom_mm) * 36000
    for extent in grid.iter(qn("wp:extent")):
        assert int(extent.get("cy")) <= 0.4 * text_height_emu


def test_a_table_under_a_heading_naming_it_has_no_second_title(tmp_path):
    table = Table("表 1", "成员单位名单", [Column("名称")], [[Cell("甲")]])
    path = tmp_path / "h.docx"
    write_docx(Document(None, [Heading(1, "", "附件：成员单位名单"), table]), path)
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any("表 1" in x for x in texts)


def test_quotation_marks_take_the_east_asian_font(tmp_path):
    path = tmp_path / "q.docx"
    write_docx(Document(None, [Paragraph([Text("推行“1+X”证书制度")])]), path)
    d = docx.Document(str(path))
    (p,) = [p for p in d.paragraphs if "1+X" in p.text]
    assert p.text == "推行“1+X”证书制度"
    quotes = [r for r in p.runs if r.text in ("“", "”")]
    assert len(quotes) == 2
    for r in quotes:
        fonts = r._r.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:eastAsia")) == Typography().body_font


# ---------------------------------------------------------------- PDF fonts
def test_each_official_font_maps_to_an_installed_face_of_its_class():
    installed = frozenset({"Noto Serif CJK SC", "Noto Serif CJK SC Light", "Noto Serif CJK SC Black",
                           "Noto Sans CJK SC Medium", "AR PL UKai CN", "Liberation Serif"})
    pairs = dict(substitutions(official_fonts(Typography()), installed))
    assert pairs == {"仿宋_GB2312": "Noto Serif CJK SC Light", "方正小标宋简体": "Noto Serif CJK SC Black",
                     "黑体": "Noto Sans CJK SC Medium", "楷体_GB2312": "AR PL UKai CN",
                     "宋体": "Noto Serif CJK SC", "Times New Roman": "Liberation Serif"}
    # a font the machine has is left alone; a class with no installed face is not mapped
    assert "黑体" not in dict(substitutions(["黑体"], installed | {"黑体"}))
    assert substitutions(["楷体"], frozenset({"Noto Serif CJK SC"})) == []


def test_replace_table_is_written_into_the_profile(tmp_path):
    write_replace_table(tmp_path, [("仿宋_GB2312", "Noto Serif CJK SC Light"), ("A&B", "C")])
    xcu = (tmp_path / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert re.search(r'Font/Substitution">\s*<prop oor:name="Replacement"[^>]*><value>true', xcu)
    assert "<value>仿宋_GB2312</value>" in xcu and "A&amp;B" in xcu



# ---------------------------------------------------------------- issue 25: the first hour's print defects
def test_a_long_tables_caption_header_and_first_rows_never_end_a_page(tmp_path):
    """数据表 4 of the demo (9 rows) printed its title, header and first row alone at a page's foot."""
    long = Table("数据表 4", "国际影响表", [Column("指标")], [[Cell(f"指标{i}")] for i in range(9)])
    path = tmp_path / "k.docx"
    write_docx(Document(None, [Paragraph([Text("正文")]), long]), path)
    rows = _tables(path)[0].findall(qn("w:tr"))
    assert _kept(rows[0]) and _kept(rows[1]) and _kept(rows[2])       # header, row 1, row 2 go with row 3
    assert not _kept(rows[4])                                          # the middle may break


def test_the_running_header_is_the_packs_on_body_pages_only(demo_docx):
    d = docx.Document(str(demo_docx))
    body = d.sections[-1].header
    assert not body.is_linked_to_previous
    assert [p.text for p in body.paragraphs] == ["江州职业技术学院高等职业教育质量年度报告（2024年度）"]
    for section in d.sections[:-1]:                                    # the cover and the 目录
        assert not "".join(p.text for p in section.header.paragraphs).strip()


def test_the_running_header_names_the_report_as_its_cover_does(demo, tmp_path):
    """A report named for the year after its data (edition 2025, data 2024): the header says what the cover says."""
    from reportgen.cli import main
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("year: 2024", "year: 2024\nedition: 2025", 1), encoding="utf-8")
    out = tmp_path / "d.docx"
    assert main(["build", str(demo), "-o", str(out)]) == 0
    d = docx.Document(str(out))
    cover = "\n".join(p.text for p in d.sections[0].iter_inner_content() if hasattr(p, "text"))
    assert "（2025年度）" in cover
    assert [p.text for p in d.sections[-1].header.paragraphs] == ["江州职业技术学院高等职业教育质量年度报告（2025年度）"]


def test_a_case_photo_never_opens_a_row_of_the_box_alone():
    """A case whose photo does not fit under its paragraphs: the paragraph before the photo goes with it,
    so the next page never holds only the photo (issue 25: ~65% of a page left empty)."""
    from reportgen.write.blocks import case_rows, keep_height_pt
    from reportgen.write.docx_writer import text_width_twips
    t = Typography()
    para = Paragraph([Text("案例正文" * 25)])
    photo = Figure("图 1", "现场", [Image("photo.jpg")])
    rows = case_rows([para, para, para, photo], t, text_width_twips(t), "案例 1：标题")
    assert len(rows) >= 2
    last, _ = rows[-1]
    assert isinstance(last[-1], Figure) and len(last) >= 2 and last[-2] is para
    assert all(h <= keep_height_pt(t) * 1.01 or len(blocks) == 1 for blocks, h in rows[:-1])


def test_the_demos_table_4_and_5_give_codes_their_printed_width_and_the_rest_to_text():
    """表4 合作企业: ISBN, 版次, 序号 kept spare width while 教材名称 and 出版社 wrapped to 3–4 lines (issue 25)."""
    from pathlib import Path
    from reportgen.doc.model import iter_blocks
    from reportgen.pipeline import prepare
    from reportgen.write.docx_writer import text_width_twips
    from reportgen.write.tables import CELL_MARGIN_TWIPS, CELL_SLACK_EM, column_widths
    demo = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"
    doc = prepare(demo).rendered.document
    t = doc.typography
    em, pad = t.table_size * 20, 2 * CELL_MARGIN_TWIPS
    tables = {b.label: b for b in iter_blocks(doc.blocks) if isinstance(b, Table)}
    t4 = tables["表 4"]
    widths = column_widths(t4, [str(n) for n in range(1, len(t4.rows) + 1)], t, text_width_twips(t))
    names = ["序号"] + [c.name for c in t4.columns]
    isbn = names.index("ISBN")
    printed = max(text_em(r[isbn - 1].text) for r in t4.rows)
    assert printed < 8.0                                         # 978-7-5186-2417-1 in Times: 7.8 em
    assert (widths[isbn] - pad) / em == pytest.approx(printed + CELL_SLACK_EM, abs=0.05)
    text_cols = [names.index(n) for n in ("合作企业", "教材名称", "出版社")]
    assert sum(widths[i] for i in text_cols) / sum(widths) > 0.37  # the long texts take the spare width
    t5 = tables["表 5"]
    widths = column_widths(t5, [str(n) for n in range(1, len(t5.rows) + 1)], t, text_width_twips(t))
    assert widths[1] == max(widths)                              # 获奖名称, the longest text, is the widest
