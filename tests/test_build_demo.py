"""The demo project builds into a complete draft: reopened with python-docx and checked."""
import re
from decimal import Decimal

import docx
from docx.oxml.ns import qn

CHAPTERS = ["前言", "一、人才培养", "二、服务贡献", "三、文化传承", "四、国际合作", "五、产教融合", "六、发展保障", "七、面临挑战", "附表"]


def paragraphs(path):
    return [p for p in docx.Document(str(path)).paragraphs]


def test_chapters_in_order(demo_docx):
    d = docx.Document(str(demo_docx))
    level1 = [p.text.strip() for p in d.paragraphs if p.style.name == "Heading 1"]
    assert level1 == CHAPTERS


def test_table_captions_numbered_without_gaps(demo_docx):
    caps = [p.text for p in paragraphs(demo_docx) if re.match(r"^表\s*\d+\s", p.text)]
    numbers = [int(re.match(r"^表\s*(\d+)", c).group(1)) for c in caps]
    assert len(numbers) >= 15
    assert numbers == list(range(1, len(numbers) + 1))


def test_cases_and_figures_numbered_in_order(demo_docx):
    body = docx.Document(str(demo_docx)).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    cases = [int(m.group(1)) for t in texts if (m := re.match(r"^案例\s*(\d+)：", t))]
    figures = [int(m.group(1)) for t in texts if (m := re.match(r"^图\s*(\d+)\s", t))]
    assert len(cases) >= 20 and cases == list(range(1, len(cases) + 1))
    assert len(figures) >= 10 and figures == list(range(1, len(figures) + 1))


def test_appendix_tables_present(demo_docx):
    text = "\n".join(p.text for p in paragraphs(demo_docx))
    for title in ["人才培养质量计分卡", "教学资源表", "国际影响表", "服务贡献表", "落实政策表"]:
        assert title in text


def test_every_total_row_equals_its_rows(demo_docx):
    d = docx.Document(str(demo_docx))
    checked = 0
    for table in d.tables:
        rows = [[c.text.strip() for c in r.cells] for r in table.rows]
        if not rows or rows[-1][0] != "合计":
            continue
        header, body, total = rows[0], rows[1:-1], rows[-1]
        for j in range(1, len(header)):
            if total[j] and total[j] != "合计":      # the label cell may span the text columns
                assert Decimal(total[j]) == sum(Decimal(r[j]) for r in body if r[j] not in ("", "-"))
                checked += 1
    assert checked >= 2      # 1+X training numbers and 技术交易 amounts


def test_east_asian_fonts_on_styles(demo_docx):
    d = docx.Document(str(demo_docx))
    for name in ["Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4"]:
        rpr = d.styles[name].element.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name


def test_toc_and_page_number_fields(demo_docx):
    d = docx.Document(str(demo_docx))
    instr = " ".join(i.text for i in d.element.body.iter(qn("w:instrText")))
    assert "TOC" in instr
    footers = " ".join(i.text for s in d.sections for i in s.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footers
    toc_lines = [p.text for p in d.paragraphs if p.style.name.lower().startswith("toc")]
    assert any("人才培养" in t for t in toc_lines)     # cached entries for WPS/LibreOffice


def test_build_summary(run, demo, tmp_path):
    r = run("build", demo, "-o", tmp_path / "x.docx")
    assert r.code == 0, r.text
    assert "案例" in r.out and "待补充" in r.out


def test_file_properties_name_the_report(demo_docx):
    props = docx.Document(str(demo_docx)).core_properties
    assert props.title == "江州职业技术学院高等职业教育质量年度报告（2024年度）"
    assert props.author == "江州职业技术学院"
