"""A department's returned Word section keeps its own headings (issue 25, item 1).

The school writes the section as it likes: Heading 1 "社会培训", a paragraph, Heading 2 "企业职工培训", a
paragraph (python-docx, or saved again by LibreOffice). Collected into a project made by `init` (which assigns
departments) and built, each paragraph stands under its own heading in the draft, and the section before
(技术服务与技术交易) is left as it was.
"""
import docx
import pytest

from wordutil import soffice_resave

FIRST = "培训段落甲：本年开展社会培训工作，覆盖企业与社区。"
SECOND = "培训段落乙：面向企业职工开展岗位技能培训。"


def _return(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    d = docx.Document()
    d.add_heading("社会培训", level=1)
    d.add_paragraph(FIRST)
    d.add_heading("企业职工培训", level=2)
    d.add_paragraph(SECOND)
    d.save(str(path))
    return path


def _draft_headings(path):
    """(heading text, the paragraphs under it) in draft order; 目录 lines left out."""
    out = []
    for p in docx.Document(str(path)).paragraphs:
        style = p.style.name.lower()
        if style.startswith("toc") or not p.text.strip():
            continue
        if style.startswith("heading"):
            out.append((int(style.split()[-1]), p.text.strip(), []))
        elif out:
            out[-1][2].append(p.text.strip())
    return out


@pytest.fixture
def project(run, tmp_path):
    r = run("init", tmp_path / "p")
    assert r.code == 0, r.text
    return tmp_path / "p"


@pytest.mark.parametrize("saved_by", ["python-docx", "libreoffice"])
def test_returned_section_paragraphs_stay_under_their_own_headings(run, project, tmp_path, saved_by):
    src = _return(tmp_path / "made" / "社会培训（继续教育学院）.docx")
    if saved_by == "libreoffice":
        src = soffice_resave(src, tmp_path / "lo")
        if src is None:
            pytest.skip("LibreOffice 未安装")
    r = run("collect", project, src)
    assert r.code == 0, r.text
    assert "社会培训" in r.out
    out = tmp_path / "draft.docx"
    r = run("build", project, "-o", out)
    assert r.code == 0, r.text
    headings = _draft_headings(out)
    section = [h for h in headings if h[1].endswith("社会培训")]
    sub = [h for h in headings if h[1].endswith("企业职工培训")]
    assert len(section) == 1 and len(sub) == 1, [h[:2] for h in headings]
    assert section[0][1] == "（四）社会培训"           # its place among the pack's sections, not a new one
    assert FIRST in section[0][2] and SECOND in sub[0][2]
    assert sub[0][0] > section[0][0]                  # a sub-heading of the section, not a section
    assert headings.index(sub[0]) == headings.index(section[0]) + 1
    before = next(h for h in headings if h[1].endswith("技术服务与技术交易"))
    assert FIRST not in before[2] and SECOND not in before[2]
    # the 目录 lists the section once and not the sub-heading as a section
    toc = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name.lower().startswith("toc")]
    assert not any("（四）企业职工培训" in t or "（五）企业职工培训" in t for t in toc)


def test_a_section_file_with_two_top_headings_is_one_section(tmp_path):
    """Read on its own, a section .docx is one section: a later heading at the first's level is a sub-heading."""
    from reportgen.errors import Problems
    from reportgen.load.word import read_section
    d = docx.Document()
    d.add_heading("社会培训", level=1)
    d.add_paragraph(FIRST)
    d.add_heading("企业职工培训", level=1)
    d.add_paragraph(SECOND)
    d.save(str(tmp_path / "s.docx"))
    md = read_section(tmp_path / "s.docx", Problems())
    assert md.splitlines()[0] == "## 社会培训"
    assert "### 企业职工培训" in md.splitlines()
    assert md.count("\n## ") == 0
