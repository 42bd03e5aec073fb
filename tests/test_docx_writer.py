"""The python-docx writer: a hand-built Document with every block type, written to disk and read back."""
import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from PIL import Image as PILImage

from reportgen.doc.model import (Case, Cell, Column, Cover, Document, Figure, Heading, Image, KeyValue,
                                 PageBreak, Paragraph, Placeholder, Table, Text, Toc, TocEntry, Typography)
from reportgen.write.docx_writer import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
EXIF_ORIENTATION = 0x0112


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("img")
    photo = d / "phone.jpg"           # a sideways phone photo: 4000×3000 stored, orientation 6 = rotate 90°
    img = PILImage.new("RGB", (4000, 3000), (180, 60, 60))
    exif = img.getexif()
    exif[EXIF_ORIENTATION] = 6
    img.save(photo, quality=95, exif=exif.tobytes())
    chart = d / "chart.png"
    PILImage.new("RGB", (900, 600), (40, 90, 200)).save(chart)
    return {"photo": str(photo), "chart": str(chart)}


def merged_table():
    rows = [
        [Cell("装备制造", rowspan=2), Cell("机电一体化技术"), Cell("320", align="right")],
        [Cell("", rowspan=0), Cell("数控技术"), Cell("180", align="right")],
        [Cell("信息技术"), Cell("软件技术"), Cell("250", align="right")],
    ]
    return Table("表 1", "专业设置情况", [Column("专业大类", 1), Column("专业名称", 2), Column("在校生数", 1, "right")],
                 rows, total_row=[Cell(""), Cell(""), Cell("750")], notes=["注：数据来源于学校状态数据平台。"])


def full_document(images) -> Document:
    return Document(
        cover=Cover("某某职业技术学院", "质量年度报告", "（2024年度）", "二〇二四年十二月", ["某某职业技术学院 编"]),
        blocks=[
            Toc(entries=[TocEntry(1, "前言", 1), TocEntry(1, "一、人才培养", 2), TocEntry(2, "（一）党建引领"),
                         TocEntry(3, "1. 不在目录", 3)]),
            Heading(1, "", "前言", in_toc=False),
            Paragraph([Text("本报告依据"), Text("教育部", bold=True), Text("要求编制，"), Text("斜体", italic=True),
                       Placeholder("【待补充：学校概况】")]),
            KeyValue([("学校名称", "某某职业技术学院"), ("举办方：", "某某省教育厅")]),
            PageBreak(),
            Heading(1, "一、", "人才培养"),
            Heading(2, "（一）", "党建引领"),
            Heading(3, "1.", "三级标题"),
            Heading(4, "（1）", "四级标题"),
            Paragraph([Text("正文段落。" * 30)]),
            merged_table(),
            Table("表 2", "空表", [Column("名称")], []),
            Figure("图 1", "校园一角", [Image(images["photo"])]),
            Figure("图 2", "技能大赛", [Image(images["photo"], "2024年5月"), Image(images["chart"], "2024年6月")]),
            Case("案例 1", "产教融合育人", [Paragraph([Text("案例正文。" * 40)]),
                                          Figure("图 3", "实训现场", [Image(images["chart"])])]),
            Paragraph([Text("注：本段为说明。")], style="note"),
            Paragraph([Text("某某职业技术学院")], style="signature"),
            Paragraph([Text("各位领导：")], style="salutation"),
            Paragraph([Text("居中")], style="centered"),
        ],
        properties={"title": "质量年度报告", "subject": "2024", "author": "某某职业技术学院"},
    )


@pytest.fixture(scope="module")
def written(images, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "report.docx"
    write_docx(full_document(images), path)
    return path


@pytest.fixture(scope="module")
def reopened(written):
    return docx.Document(str(written))


def body_elements(document):
    return [el for el in document.element.body if el.tag in (W + "p", W + "tbl")]


def text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def find_table_after_caption(document, caption: str):
    elements = body_elements(document)
    for i, el in enumerate(elements):
        if el.tag == W + "p" and text_of(el) == caption:
            return elements[i + 1]
    raise AssertionError(f"caption {caption!r} not found")


# ---------------------------------------------------------------- styles and fonts
@pytest.mark.parametrize("name", ["Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4",
                                  "Title", "Caption", "Table Text", "Case Text", "toc 1", "toc 2"])
def test_styles_name_east_asian_font_and_no_theme_font(reopened, name):
    rfonts = reopened.styles[name].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia"))
    assert rfonts.get(qn("w:ascii")) == "Times New Roman"
    assert not [a for a in THEME_ATTRS if rfonts.get(qn(f"w:{a}")) is not None]


def test_no_theme_font_anywhere_in_styles(written):
    xml = zipfile.ZipFile(written).read("word/styles.xml").decode()
    assert not any(a in xml for a in THEME_ATTRS)
    assert 'w:eastAsia="zh-CN"' in xml           # docDefaults language


def test_heading_fonts_follow_typography(reopened):
    t = Typography()
    for level in range(1, 5):
        style = reopened.styles[f"Heading {level}"]
        assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == t.headings[level].font
        assert style.font.size.pt == t.headings[level].size
        assert bool(style.font.bold) == t.headings[level].bold
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
        assert style.font.color.rgb == docx.shared.RGBColor(0, 0, 0)


def test_normal_has_exact_line_spacing_and_indent(reopened):
    t = Typography()
    fmt = reopened.styles["Normal"].paragraph_format
    assert fmt.line_spacing.pt == t.line_spacing_pt
    assert fmt.first_line_indent.pt == t.first_line_indent_chars * t.body_size


def test_page_setup(reopened):
    t = Typography()
    for section in reopened.sections:
        assert round(section.page_width.mm) == t.page_width_mm
        assert round(section.top_margin.mm) == t.margin_top_mm
        assert round(section.left_margin.mm) == t.margin_left_mm


# ---------------------------------------------------------------- headings and paragraphs
def test_headings_carry_label_and_style(reopened):
    by_text = {p.text: p for p in reopened.paragraphs}
    assert by_text["一、人才培养"].style.name == "Heading 1"
    assert by_text["（一）党建引领"].style.name == "Heading 2"
    assert by_text["（1）四级标题"].style.name == "Heading 4"
    unlisted = by_text["前言"]        # in_toc=False: a style Word's TOC \o does not collect
    assert unlisted.style.name == "Unlisted Heading 1"
    assert unlisted.style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "9"


def test_inlines_and_paragraph_styles(reopened):
    para = next(p for p in reopened.paragraphs if p.text.startswith("本报告依据"))
    runs = {r.text: r for r in para.runs}
    assert runs["教育部"].bold and runs["斜体"].italic
    assert runs["【待补充：学校概况】"].font.highlight_color == WD_COLOR_INDEX.YELLOW
    by_style = {}
    for p in reopened.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Note"] == ["注：数据来源于学校状态数据平台。", "注：本段为说明。"]   # table note, then paragraph
    assert by_style["Signature"] == ["某某职业技术学院"]
    assert by_style["Salutation"] == ["各位领导："]
    assert by_style["Centered"] == ["居中"]


def test_key_value_lines_have_bold_labels(reopened):
    para = next(p for p in reopened.paragraphs if p.text.startswith("举办方"))
    assert para.text == "举办方：某某省教育厅"
    assert para.runs[0].bold and not para.runs[1].bold


def test_page_break_becomes_page_break_before(reopened):
    para = next(p for p in reopened.paragraphs if p.text == "一、人才培养")
    assert para.paragraph_format.page_break_before


# ---------------------------------------------------------------- cover, sections, footer, toc
def test_cover_section_has_no_page_number_and_body_restarts_at_one(reopened):
    sections = reopened.sections
    assert len(sections) == 3                      # cover | 目录 | body
    first_sectpr = sections[0]._sectPr
    assert first_sectpr.find(qn("w:footerReference")) is None
    last = sections[-1]._sectPr
    assert last.find(qn("w:footerReference")) is not None
    assert last.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_footer_has_page_field_between_dashes(reopened):
    footer = reopened.sections[-1].footer
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert 'fldCharType="begin"' in xml and 'fldCharType="end"' in xml
    assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")


def test_toc_field_has_cached_entries_and_update_on_open(reopened, written):
    instr = "".join(t.text for t in reopened.element.body.iter(qn("w:instrText")))
    assert 'TOC \\o "1-2" \\h \\z \\u' in instr
    toc_paras = [p for p in reopened.paragraphs if p.style.name.startswith("toc ")]
    assert [p.text for p in toc_paras] == ["前言\t1", "一、人才培养\t2", "（一）党建引领"]   # level 3 > levels
    assert [p.style.name for p in toc_paras] == ["toc 1", "toc 1", "toc 2"]
    title = next(p for p in reopened.paragraphs if p.text == "目  录")
    assert title.style.name == "TOC Heading"
    settings = zipfile.ZipFile(written).read("word/settings.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings


def test_core_properties(reopened):
    props = reopened.core_properties
    assert (props.title, props.subject, props.author) == ("质量年度报告", "2024", "某某职业技术学院")
    assert props.last_modified_by == "" and props.comments == ""
    assert props.created.year == 2000 and props.modified.year == 2000


# ---------------------------------------------------------------- tables
def test_caption_precedes_table_with_keep_with_next(reopened):
    tbl = find_table_after_caption(reopened, "表 1\u3000专业设置情况")
    assert tbl.tag == W + "tbl"
    caption = next(p for p in reopened.paragraphs if p.text == "表 1\u3000专业设置情况")
    assert caption.style.name == "Caption" and caption.paragraph_format.keep_with_next


def test_table_header_serial_merges_and_total(reopened):
    tbl = find_table_after_caption(reopened, "表 1\u3000专业设置情况")
    rows = tbl.findall(qn("w:tr"))
    assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    assert all(r.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for r in rows)
    assert [text_of(tc) for tc in rows[0].findall(qn("w:tc"))] == ["序号", "专业大类", "专业名称", "在校生数"]
    assert [text_of(r.findall(qn("w:tc"))[0]) for r in rows[1:4]] == ["1", "2", "3"]
    restart = rows[1].findall(qn("w:tc"))[1].find(qn("w:tcPr")).find(qn("w:vMerge"))
    covered = rows[2].findall(qn("w:tc"))[1].find(qn("w:tcPr")).find(qn("w:vMerge"))
    assert restart.get(qn("w:val")) == "restart" and covered is not None and covered.get(qn("w:val")) is None
    total = rows[-1].findall(qn("w:tc"))
    assert text_of(total[0]) == "合计" and text_of(total[-1]) == "750"


def test_table_grid_widths_fill_text_width_and_layout_fixed(reopened):
    t = Typography()
    tbl = find_table_after_caption(reopened, "表 1\u3000专业设置情况")
    widths = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
    text_width = round((t.page_width_mm - t.margin_left_mm - t.margin_right_mm) / 25.4 * 1440)
    assert sum(widths) == text_width
    assert widths[2] > widths[1]     # Column.width 2 vs 1 shares out the width left when every cell fits
    assert tbl.find(qn("w:tblPr")).find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_table_notes_follow_table(reopened):
    elements = body_elements(reopened)
    tbl = find_table_after_caption(reopened, "表 1\u3000专业设置情况")
    after = elements[elements.index(tbl) + 1]
    assert text_of(after) == "注：数据来源于学校状态数据平台。"


def test_empty_table_shows_placeholder_in_one_merged_cell(reopened):
    tbl = find_table_after_caption(reopened, "表 2\u3000空表")
    rows = tbl.findall(qn("w:tr"))
    assert len(rows) == 2
    (cell,) = rows[1].findall(qn("w:tc"))
    assert text_of(cell) == "（无）"
    assert cell.find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val")) == "2"


def test_row_of_wrong_width_is_an_error(tmp_path):
    bad = Table("表 9", "坏表", [Column("a"), Column("b")], [[Cell("only one")]])
    with pytest.raises(ValueError, match="表 9"):
        write_docx(Document(None, [bad]), tmp_path / "bad.docx")


def test_2000_row_table_builds(tmp_path):
    rows = [[Cell(f"专业{i}"), Cell(str(i)), Cell(str(i * 2))] for i in range(2000)]
    big = Table("附表 1", "大表", [Column("名称", 2), Column("数量"), Column("金额")], rows,
                total_row=[Cell("合计"), Cell("1999000"), Cell("3998000")])
    path = tmp_path / "big.docx"
    write_docx(Document(None, [big]), path)
    (tbl,) = docx.Document(str(path)).element.body.findall(qn("w:tbl"))
    assert len(tbl.findall(qn("w:tr"))) == 2002


# ---------------------------------------------------------------- figures and cases
def test_photo_is_rotated_and_downscaled(written):
    t = Typography()
    with zipfile.ZipFile(written) as z:
        jpegs = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith((".jpg", ".jpeg"))]
        assert len(jpegs) == 1                      # the same photo twice is stored once
        data = z.read(jpegs[0])
    with PILImage.open(io.BytesIO(data)) as img:
        assert max(img.size) <= t.image_max_px
        assert img.height > img.width               # orientation 6 applied: portrait
        assert img.getexif().get(EXIF_ORIENTATION) in (None, 1)
    assert len(data) < 500_000


def test_figure_caption_below_picture_and_fits_width(reopened):
    t = Typography()
    elements = body_elements(reopened)
    caption = next(el for el in elements if text_of(el) == "图 1\u3000校园一角")
    picture = elements[elements.index(caption) - 1]
    extent = picture.find(".//" + qn("wp:extent"))
    assert extent is not None
    assert int(extent.get("cx")) <= t.image_max_width_mm * 36000


def test_multi_image_figure_is_borderless_grid_with_subcaptions(reopened):
    elements = body_elements(reopened)
    grid = next(el for el in elements if el.tag == W + "tbl" and "图 2\u3000技能大赛" in text_of(el))
    photos, under = grid.findall(qn("w:tr"))
    cells = photos.findall(qn("w:tc"))
    assert [text_of(c) for c in cells] == ["2024年5月", "2024年6月"]
    assert all(c.find(".//" + qn("wp:inline")) is not None for c in cells)
    # the figure caption is a row of the same table, and the photos are kept with it
    assert text_of(under) == "图 2\u3000技能大赛"
    assert all(p.find(qn("w:pPr")).find(qn("w:keepNext")) is not None for p in photos.iter(qn("w:p")))
    assert grid.find(qn("w:tblPr")).find(qn("w:tblBorders")).find(qn("w:top")).get(qn("w:val")) == "nil"


def test_case_is_shaded_box_with_title_text_and_figure(reopened):
    t = Typography()
    box = next(el for el in body_elements(reopened) if el.tag == W + "tbl" and "案例 1：产教融合育人" in text_of(el))
    cells = box.findall(qn("w:tr") + "/" + qn("w:tc"))
    assert all(c.find(qn("w:tcPr")).find(qn("w:shd")).get(qn("w:fill")) == t.case_shading for c in cells)
    styles = [p.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val")) for c in cells for p in c.findall(qn("w:p"))]
    assert styles[:2] == ["CaseTitle", "CaseText"] and "Figure" in styles and styles[-1] == "Caption"


def test_unreadable_image_names_its_path(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    with pytest.raises(ValueError, match="broken.jpg"):
        write_docx(Document(None, [Figure("图 1", "坏图", [Image(str(broken))])]), tmp_path / "x.docx")


# ---------------------------------------------------------------- reproducibility and outputs
def test_two_writes_are_byte_identical(images, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    write_docx(full_document(images), a)
    write_docx(full_document(images), b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_writes_to_a_file_object(images):
    buf = io.BytesIO()
    write_docx(Document(None, [Paragraph([Text("你好")])]), buf)
    assert docx.Document(io.BytesIO(buf.getvalue())).paragraphs[0].text == "你好"


def test_document_without_cover_or_toc_is_one_numbered_section(tmp_path):
    path = tmp_path / "plain.docx"
    write_docx(Document(None, [Heading(1, "一、", "标题"), Paragraph([Text("正文")])]), path)
    sections = docx.Document(str(path)).sections
    assert len(sections) == 1 and sections[0]._sectPr.find(qn("w:footerReference")) is not None


def test_typography_drives_sizes(tmp_path):
    t = Typography(body_size=12, line_spacing_pt=20, body_font="宋体", table_size=9)
    path = tmp_path / "small.docx"
    write_docx(Document(None, [Paragraph([Text("正文")])], typography=t), path)
    styles = docx.Document(str(path)).styles
    assert styles["Normal"].font.size.pt == 12
    assert styles["Normal"].paragraph_format.line_spacing.pt == 20
    assert styles["Normal"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert styles["Table Text"].font.size.pt == 9


def test_narrow_columns_keep_room_for_a_two_character_header(tmp_path):
    t = Typography()
    cols = [Column("教材名称", 8), Column("版次", 0.5), Column("出版社", 4)]
    path = tmp_path / "narrow.docx"
    write_docx(Document(None, [Table("表 1", "窄列", cols, [[Cell("甲"), Cell("第1版"), Cell("乙")]])]), path)
    (tbl,) = docx.Document(str(path)).element.body.findall(qn("w:tbl"))
    widths = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
    assert widths[2] >= round(2 * t.table_size * 20)        # two characters of table text, in twips
    assert widths[1] > widths[3] > widths[2]


def test_explicit_dates_and_no_template_leftovers(tmp_path):
    path = tmp_path / "dated.docx"
    write_docx(Document(None, [Paragraph([Text("正文")])],
                        properties={"created": "2024-12-01", "modified": "2024-12-20T08:30:00+08:00"}), path)
    props = docx.Document(str(path)).core_properties
    assert props.created.isoformat() == "2024-12-01T00:00:00+00:00"
    assert props.modified.isoformat() == "2024-12-20T00:30:00+00:00"
    names = zipfile.ZipFile(path).namelist()
    assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]


def test_case_cannot_hold_a_toc(tmp_path):
    with pytest.raises(ValueError, match="inside a case"):
        write_docx(Document(None, [Case("案例 1", "标题", [Toc()])]), tmp_path / "x.docx")
