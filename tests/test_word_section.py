"""Word sections: a .docx under narrative/<chapter>/ builds into the report like a .md file."""
import re

import docx
import pytest
from docx.oxml.ns import qn

from reportgen.errors import Problems
from reportgen.load.word import WCase, WFigure, WHeading, WTable, WText, read_blocks
from wordutil import (CASE_TEXT, CASE_TITLE, FIGURE_FLOAT, FIGURE_INLINE, LEAD, LIST_ITEMS, SECTION_HEADING,
                      TABLE_ROWS, TABLE_TITLE, make_section, photo, soffice_resave)

CAPTION = re.compile(r"^(表|图|案例) (\d+)[\u3000：](.*)$")


def _body_paragraphs(d):
    """Every paragraph in document order, descending into tables (case boxes, photo grids)."""
    for p in d.element.body.iter(qn("w:p")):
        yield "".join(t.text or "" for t in p.iter(qn("w:t")))


def _captions(d):
    out = []
    for text in _body_paragraphs(d):
        m = CAPTION.match(text.strip())
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3)))
    return out


def test_word_section_builds_into_the_demo(demo, tmp_path, run):
    make_section(demo / "narrative" / "talent" / "07-数字化.docx", tmp_path)
    out = tmp_path / "draft.docx"
    r = run("build", demo, "-o", out)
    assert r.code == 0, r.text
    d = docx.Document(str(out))
    texts = [t.strip() for t in _body_paragraphs(d)]
    # the typed （二） is gone; reportgen numbered the heading as the talent chapter's 7th section
    assert f"（七）{SECTION_HEADING}" in texts
    assert not any(t.endswith(f"（二）{SECTION_HEADING}") for t in texts)
    lead = next(p for p in d.paragraphs if p.text.startswith(LEAD))
    assert lead.runs[0].bold and lead.runs[0].text == LEAD
    n_cert = len(__import__("yaml").safe_load((demo / "data/tables/certificates.yaml").read_text("utf-8")))
    assert f"全年推行证书 {n_cert} 个。" in lead.text            # the reference split over three runs works
    for k, item in enumerate(LIST_ITEMS, 1):
        assert f"{k}. {item}" in texts
    # labels run in sequence over the whole report, and ours are the next after the talent chapter's
    caps = _captions(d)
    for kind in ("表", "图", "案例"):
        numbers = [n for k, n, _ in caps if k == kind]
        assert numbers == list(range(1, len(numbers) + 1)), (kind, numbers)
    chapter2 = len(texts) - 1 - texts[::-1].index("二、服务贡献")     # the heading, not its 目录 line
    positions = {c: next(i for i, t in enumerate(texts) if CAPTION.match(t) and
                         CAPTION.match(t).groups() == (c[0], str(c[1]), c[2])) for c in caps}
    ours = {c[2]: c for c in caps}
    before = [c for c in caps if positions[c] < chapter2]
    assert all(ours[t] in before for t in (TABLE_TITLE, FIGURE_INLINE, FIGURE_FLOAT, CASE_TITLE))
    def last(kind, title):         # the label of this kind just before ours in the document
        return max((n for c in before if c[0] == kind and positions[c] < positions[ours[title]]
                    for n in [c[1]]), default=0)
    assert ours[TABLE_TITLE][1] == last("表", TABLE_TITLE) + 1
    assert ours[FIGURE_INLINE][1] == last("图", FIGURE_INLINE) + 1
    assert ours[FIGURE_FLOAT][1] == ours[FIGURE_INLINE][1] + 1
    assert last("表", TABLE_TITLE) > 0 and last("案例", CASE_TITLE) > 0     # the demo's own come first
    assert ours[CASE_TITLE][1] == last("案例", CASE_TITLE) + 1
    # the table: our header (no generated 序号), the merged 智能制造 cell spans two rows
    table = next(t for t in d.tables if t.rows[0].cells[0].text == TABLE_ROWS[0][0])
    assert [c.text for c in table.rows[0].cells] == TABLE_ROWS[0]
    tcs = [row._tr.findall(qn("w:tc")) for row in table.rows]
    vm = lambda tc: tc.find(qn("w:tcPr")).find(qn("w:vMerge"))   # noqa: E731
    assert vm(tcs[1][0]).get(qn("w:val")) == "restart" and vm(tcs[2][0]) is not None
    assert vm(tcs[3][0]) is None
    # both pictures are in the draft (the floating one too), and the case text sits in its box
    assert len(d.inline_shapes) >= 2 + 15
    box = next(t for t in d.tables if t.rows[0].cells[0].text.startswith(f"案例 {ours[CASE_TITLE][1]}："))
    assert CASE_TEXT in box.rows[0].cells[0].text
    # pictures went to build/, never into the school's images/
    assert sorted(p.name for p in (demo / "build" / "word-images" / "talent").iterdir()) == \
        ["07-数字化-1.png", "07-数字化-2.png"]
    assert not any("数字化" in p.name for p in (demo / "images").iterdir())


def _shape(blocks):
    """What a section says, independent of how the file was written."""
    out = []
    for b in blocks:
        if isinstance(b, WHeading):
            out.append(("h", b.level, b.text))
        elif isinstance(b, WText):
            out.append(("p", b.list_kind, b.text.strip(), tuple(r.text for r in b.runs if r.bold)))
        elif isinstance(b, WTable):
            out.append(("t", b.caption, tuple(tuple((c.text, c.rowspan, c.colspan) for c in row) for row in b.table.rows)))
        elif isinstance(b, WFigure):
            out.append(("f", b.caption, len(b.images), all(i.src for i in b.images)))
        elif isinstance(b, WCase):
            out.append(("c", b.title, tuple(_shape(b.blocks))))
    return out


def test_libreoffice_saved_section_gives_the_same_blocks(tmp_path):
    src = make_section(tmp_path / "section.docx", tmp_path)
    resaved = soffice_resave(src, tmp_path / "lo")
    if resaved is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    assert resaved.read_bytes() != src.read_bytes()
    ours = _shape(read_blocks(src, Problems()))
    problems = Problems()
    theirs = _shape(read_blocks(resaved, problems))
    assert theirs == ours
    assert not problems.items
    kinds = [b[0] for b in ours]
    assert kinds == ["h", "p", "p", "p", "p", "t", "p", "f", "f", "c"]


def test_messages_about_a_word_section_name_its_paragraph(demo, tmp_path, run):
    def section(reference: str):
        d = docx.Document()
        d.add_paragraph("（一）部门来稿")
        d.add_paragraph("第一段正文。")
        d.add_paragraph("")                                       # an empty paragraph still counts
        p = d.add_paragraph("获奖 ")
        p.add_run(reference).bold = True
        p.add_run(" 项。")
        d.add_paragraph().add_run().add_picture(str(photo(tmp_path / "c.png", "#225588")))    # no caption
        d.save(demo / "narrative" / "talent" / "07-来稿.docx")
    section("{{ count(“innovation_awards”) }}")                # Word's curly quotes work
    r = run("build", demo, "-o", tmp_path / "x.docx")
    assert r.code == 0, r.text
    assert "[警告] narrative/talent/07-来稿.docx › 第 5 段：图片缺少图注" in r.err
    section("{{ count(“innovation_awardz”) }}")                # a typo
    r = run("build", demo, "-o", tmp_path / "x.docx")
    assert r.code == 1
    assert "[错误] narrative/talent/07-来稿.docx › 第 4 段：" in r.err and "innovation_awards" in r.err
