"""reportgen absorb: a reviewer's edits in the built draft come back into the project's sources."""
from __future__ import annotations

import shutil
import subprocess
from difflib import SequenceMatcher
from pathlib import Path

import docx
import pytest

from absorbutil import (
    ADDED,
    ADD_AFTER,
    CASE_TEXT,
    CASE_TITLE,
    CELL,
    COMMENT,
    DATA_NUMBER,
    DELETE_SENTENCE,
    HEADING,
    REWORD,
    TRACKED_DEL,
    TRACKED_INS,
    edit_like_a_reviewer,
)
from reportgen.absorb import absorb
from reportgen.cli import main
from reportgen.load.word.review import compare_key, read_units

DEMO = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"
PARTY = "narrative/talent/01-party.md"
MAJORS = "narrative/talent/02-majors.md"


def draft_of(root: Path) -> Path:
    return next(p for p in (root / "build").glob("*.docx") if "." not in p.stem)


def texts(path: Path) -> list[str]:
    return [u.kind + compare_key(u.text) for u in read_units(docx.Document(str(path)))]


def sources(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "narrative").rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def built_and_reviewed(tmp_path_factory) -> tuple[Path, Path]:
    """The demo built once for this module, and its draft as a reviewer edited it: (build folder, edited draft)."""
    root = tmp_path_factory.mktemp("absorb") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("build"))
    assert main(["build", str(root)]) == 0
    out = root.parent / "审阅稿.docx"
    edit_like_a_reviewer(draft_of(root), out)
    return root / "build", out


@pytest.fixture
def edited(demo, built_and_reviewed, tmp_path) -> Path:
    """`demo` as its build left it (the draft and the build's record, copied: the same sources build the same),
    and the reviewer's copy of that draft."""
    build, reviewed = built_and_reviewed
    shutil.copytree(build, demo / "build")
    out = tmp_path / "审阅稿.docx"
    shutil.copyfile(reviewed, out)
    return out


def test_round_trip_takes_every_edit_back_and_lists_conflicts(demo, edited, run):
    before = sources(demo)
    r = run("absorb", demo, edited)
    assert r.code == 0, r.text
    party = (demo / PARTY).read_text(encoding="utf-8")
    majors = (demo / MAJORS).read_text(encoding="utf-8")
    # each text edit is in its source, data references kept
    assert REWORD[2] in party and REWORD[1] not in party
    assert DELETE_SENTENCE[1] not in party and DELETE_SENTENCE[0] in party
    assert ADDED in party and party.index(ADDED) > party.index("育人合力进一步凝聚")
    assert "### " + HEADING[1][2:] in party and HEADING[0][2:] not in party
    assert f"::: 案例 党支部建在专业群上，“双带头人”{CASE_TITLE[1]}" in party
    assert CASE_TEXT[2] in party
    assert "{{ ind.思政课教学满意度 }}" in party and DATA_NUMBER[2] not in party
    # 修订 taken as accepted
    assert TRACKED_INS[1] in majors and TRACKED_DEL[1] not in majors
    # the two number changes are conflicts naming both places
    lines = r.out
    assert "冲突" in lines and "改数据，还是改回文字" in lines
    assert f"“{DATA_NUMBER[1]}”改成了“{DATA_NUMBER[2]}”" in lines
    assert "data/indicators.yaml:" in lines and f"{PARTY}:" in lines
    assert f"“{CELL[1]}”改成了“{CELL[2]}”" in lines and "data/tables/certificates.yaml:" in lines
    assert "表 1 第 1 行" in lines
    # 批注 with place and author; 修订 listed
    assert COMMENT[1] in lines and COMMENT[2] in lines
    assert f"插入“{TRACKED_INS[1]}”" in lines and f"删除“{TRACKED_DEL[1]}”" in lines
    # the previous sources are kept; only the two files changed
    kept = list(demo.glob("returns/*/修改前"))
    assert len(kept) == 1
    assert {p.relative_to(kept[0]).as_posix() for p in kept[0].rglob("*") if p.is_file()} == {PARTY, MAJORS}
    for rel in (PARTY, MAJORS):
        assert (kept[0] / rel).read_bytes() == before[rel]
    listing = (kept[0].parent / "收回清单.txt").read_text(encoding="utf-8")      # the to-dos, kept
    assert COMMENT[1] in listing and f"“{DATA_NUMBER[1]}”改成了“{DATA_NUMBER[2]}”" in listing
    after = sources(demo)
    assert {k for k in before if before[k] != after[k]} == {PARTY, MAJORS}

    # the round trip closes: the next draft says what the edited one says, except the conflicts
    r = run("build", demo)
    assert r.code == 0, r.text
    assert "收回的修改（reportgen absorb" in r.out and ADDED[:10] in r.out
    new, old = texts(draft_of(demo)), texts(edited)
    differ = [(a, b) for tag, i1, i2, j1, j2 in SequenceMatcher(None, new, old, autojunk=False).get_opcodes()
              if tag != "equal" for a, b in zip(new[i1:i2], old[j1:j2])]
    assert len(differ) == 2, differ
    assert DATA_NUMBER[1] in differ[0][0] and DATA_NUMBER[2] in differ[0][1]
    assert CELL[0] in differ[1][0] and differ[1][0].endswith(CELL[1]) and differ[1][1].endswith(CELL[2])
    r = run("build", demo)
    assert "收回的修改" not in r.out          # said once


def test_change_report_of_the_next_build_lists_what_absorb_brought_in(demo, edited, run, tmp_path):
    """`reportgen diff --changes` before the build, and the next build's --changes 修改说明.docx, both list the
    review's edits absorb wrote (the diff only looks: the build after it still says them, once)."""
    assert run("absorb", demo, edited).code == 0
    looked = tmp_path / "看一看.md"
    r = run("diff", demo, "--changes", looked)
    assert r.code == 0 and "收回的修改（reportgen absorb" in r.out
    text = looked.read_text(encoding="utf-8")
    assert "收回的审阅修改" in text and "审阅稿.docx" in text and ADDED[:10] in text and PARTY in text
    assert "2 处数字冲突未写入" in text
    log = tmp_path / "修改说明.docx"
    r = run("build", demo, "--changes", log)
    assert r.code == 0 and ADDED[:10] in r.out
    paragraphs = [p.text for p in docx.Document(str(log)).paragraphs]
    assert "收回的审阅修改" in paragraphs
    at = paragraphs.index("收回的审阅修改")
    said = "\n".join(paragraphs[at:])
    assert ADDED[:10] in said and "【努 → 着】" in said and f"写入：{PARTY}、{MAJORS}" in said
    assert "正文" in paragraphs                          # the usual parts follow: the sections changed
    again = tmp_path / "再一次.docx"
    assert run("build", demo, "--changes", again).code == 0
    assert "收回的审阅修改" not in [p.text for p in docx.Document(str(again)).paragraphs]


def test_a_paragraph_typed_after_a_case_box_goes_after_the_case(demo, run, tmp_path):
    """Two paragraphs typed right after a case's last paragraph: one inside the box's cell (part of the case),
    one after the box (the body goes on): each lands on its side of the case's closing `:::`."""
    import copy
    from docx.oxml.ns import qn

    from absorbutil import find
    assert run("build", demo).code == 0
    d = docx.Document(str(draft_of(demo)))
    last = find(d, "支部与江州精工机械有限公司")                   # the last paragraph of 案例 1
    box = next(a for a in last._p.iterancestors() if a.tag == qn("w:tbl"))
    inside, outside = copy.deepcopy(last._p), copy.deepcopy(last._p)
    last._p.addnext(inside)
    box.addnext(outside)
    for el, text in ((inside, "该支部经验已在全校推广。"), (outside, "各党支部对照样板支部查找差距。")):
        p = docx.text.paragraph.Paragraph(el, last._parent)
        p.runs[0].text = text
        for r_ in p.runs[1:]:
            r_._r.getparent().remove(r_._r)
    edited = tmp_path / "审阅稿.docx"
    d.save(str(edited))
    r = run("absorb", demo, edited)
    assert r.code == 0 and "无法确定位置" not in r.out, r.out
    lines = (demo / PARTY).read_text(encoding="utf-8").split("\n")
    close = lines.index(":::", next(i for i, x in enumerate(lines) if x.startswith("::: 案例 党支部")))
    assert lines.index("该支部经验已在全校推广。") < close < lines.index("各党支部对照样板支部查找差距。")
    once = sources(demo)
    assert "已经收回过" in run("absorb", demo, edited).out and sources(demo) == once
    assert run("build", demo).code == 0
    assert _differences(draft_of(demo), edited) == []
    boxes = {u.text: u.box for u in read_units(docx.Document(str(draft_of(demo))))}
    assert boxes["该支部经验已在全校推广。"] > 0 and boxes["各党支部对照样板支部查找差距。"] == 0


def test_second_absorb_changes_nothing(demo, edited, run):
    from reportgen.regen.trace import ABSORB_RECORD, trace_folder
    assert run("absorb", demo, edited).code == 0
    once = sources(demo)
    kept = sorted(demo.glob("returns/*"))
    record = (trace_folder(demo) / ABSORB_RECORD).read_bytes()
    r = run("absorb", demo, edited, "--dry-run")                 # looking first says so too
    assert r.code == 0 and "已经收回过" in r.out and "将写回源文件" not in r.out, r.out
    r = run("absorb", demo, edited)
    assert r.code == 0, r.text
    assert "已经收回过" in r.out and "已写回源文件" not in r.out and "已修改" not in r.out
    assert sources(demo) == once and sorted(demo.glob("returns/*")) == kept
    assert (trace_folder(demo) / ABSORB_RECORD).read_bytes() == record      # nothing new for the next build


def test_dry_run_writes_nothing(demo, edited, run):
    before = sources(demo)
    r = run("absorb", demo, edited, "--dry-run")
    assert r.code == 0 and "将写回源文件" in r.out and "未写入任何文件" in r.out
    assert sources(demo) == before and not (demo / "returns").exists()


def test_unedited_draft_has_nothing_to_take(demo, run):
    from reportgen.load.project import BUILD_DIR
    from reportgen.regen.trace import trace_folder
    assert run("build", demo).code == 0
    assert trace_folder(demo).parent == demo / BUILD_DIR and list(trace_folder(demo).glob("*.json"))
    before = sources(demo)
    r = run("absorb", demo, draft_of(demo))
    assert r.code == 0 and "没有需要收回的文字修改" in r.out
    assert sources(demo) == before


def test_draft_from_an_older_build_still_absorbs_its_text(demo, edited, run):
    ind = demo / "data" / "indicators.yaml"
    text = ind.read_text(encoding="utf-8")
    assert "思政课教学满意度: {2022: 96.85, 2023: 97.20, 2024: 97.62}" in text
    ind.write_text(text.replace("2024: 97.62}", "2024: 97.70}"), encoding="utf-8")
    assert run("build", demo).code == 0                 # data changed since the edited draft's build
    result = absorb(demo, edited)
    assert not result.latest
    assert REWORD[2] in (demo / PARTY).read_text(encoding="utf-8")
    r = run("absorb", demo, edited, "--dry-run")
    assert "此后项目又构建过" in r.out


def test_not_a_draft_of_this_project_is_a_clear_error(demo, run, tmp_path):
    assert run("build", demo).code == 0
    other = tmp_path / "别的文件.docx"
    d = docx.Document()
    for i in range(20):
        d.add_paragraph(f"这是另一份文件的第 {i} 段，与本项目的报告无关。")
    d.save(str(other))
    r = run("absorb", demo, other)
    assert r.code == 1 and "不是本项目生成的初稿" in r.text
    r = run("absorb", demo, tmp_path / "没有这个文件.docx")
    assert r.code == 1 and "Traceback" not in r.text


def test_absorb_before_any_build_says_so(demo, run, tmp_path):
    other = tmp_path / "x.docx"
    docx.Document().save(str(other))
    r = run("absorb", demo, other)
    assert r.code == 1 and "reportgen build" in r.text


def test_protected_draft_message_points_to_absorb(demo, run):
    assert run("build", demo).code == 0
    draft = draft_of(demo)
    edit_like_a_reviewer(draft, draft)            # edited in place, as an office does
    r = run("build", demo)
    assert r.code == 0 and "reportgen absorb" in r.out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_resaved_draft_gives_the_same_result(demo, edited, tmp_path, run):
    """The same edits saved once more by LibreOffice (its own XML: runs, styles, 修订 and 批注 rewritten)."""
    out = tmp_path / "lo"
    out.mkdir()
    src = tmp_path / "lo-in" / "审阅稿.docx"
    src.parent.mkdir()
    shutil.copyfile(edited, src)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    resaved = out / "审阅稿.docx"
    mirror = tmp_path / "mirror"
    shutil.copytree(demo, mirror)
    ours = absorb(demo, edited)
    theirs = absorb(mirror, resaved)
    assert sources(mirror) == sources(demo)
    assert [i.text for i in theirs.conflicts] == [i.text for i in ours.conflicts]
    assert [i.text for i in theirs.comments] == [i.text for i in ours.comments]
    assert len(theirs.revisions) == len(ours.revisions) == 2
    assert theirs.formatting == ours.formatting == 0          # LibreOffice's own run properties are no edit
    assert not theirs.unplaced


def test_department_word_section_comes_back_into_its_docx(demo, run, tmp_path):
    """A section written as .docx by a department: the edits go into that .docx, paragraph by paragraph,
    keeping its typed numbering, its bold lead and its data reference."""
    from absorbutil import find, replace_in
    from wordutil import CASE_TEXT as SECTION_CASE, LEAD, SECTION_HEADING, make_section
    section = demo / "narrative" / "talent" / "07-数字化.docx"
    make_section(section, tmp_path)
    assert run("build", demo).code == 0
    d = docx.Document(str(draft_of(demo)))
    heading = find(d, "（七）" + SECTION_HEADING)
    replace_in(heading, SECTION_HEADING, "深入推进专业数字化转型")
    lead = find(d, LEAD)
    replace_in(lead, "学校推进专业数字化改造，", "学校全面推进专业数字化改造，")
    n = next(r.text for r in lead.runs if "证书" in r.text).split("证书 ")[1].split(" ")[0]
    replace_in(lead, f"证书 {n}", f"证书 {int(n) + 4}")
    replace_in(find(d, SECTION_CASE[:10]), "再到实体产线验证", "再到实体产线验证和优化")
    scene = find(d, "数字化教学场景如下。")
    new = __import__("copy").deepcopy(scene._p)
    scene._p.addnext(new)
    docx.text.paragraph.Paragraph(new, scene._parent).runs[0].text = "各专业群同步建设数字化教学资源库。"
    edited = tmp_path / "审阅稿.docx"
    d.save(str(edited))

    before = section.read_bytes()
    r = run("absorb", demo, edited)
    assert r.code == 0, r.text
    assert "07-数字化.docx › 第 2 段" in r.out and f"“{n}”改成了“{int(n) + 4}”" in r.out
    back = docx.Document(str(section))
    paras = [p.text for p in back.paragraphs]
    assert "（二）深入推进专业数字化转型" in paras             # typed numbering kept, title renamed
    lead_back = next(p for p in back.paragraphs if p.text.startswith(LEAD))
    assert lead_back.runs[0].bold and lead_back.runs[0].text == LEAD
    assert "学校全面推进专业数字化改造" in lead_back.text and "{{ count(" in lead_back.text
    assert paras[paras.index("数字化教学场景如下。") + 1] == "各专业群同步建设数字化教学资源库。"
    assert any(p.endswith("再到实体产线验证和优化。") for p in paras)
    kept = next(demo.glob("returns/*/修改前"))
    assert (kept / "narrative/talent/07-数字化.docx").read_bytes() == before

    assert run("build", demo).code == 0
    new_t, old_t = texts(draft_of(demo)), texts(edited)
    differ = [(a, b) for tag, i1, i2, j1, j2 in SequenceMatcher(None, new_t, old_t, autojunk=False).get_opcodes()
              if tag != "equal" for a, b in zip(new_t[i1:i2], old_t[j1:j2])]
    assert len(differ) == 1 and f"证书{n}个" in differ[0][0], differ


def _unlabelled(key: str) -> str:
    import re
    return re.sub(r"^p(案例\d+：|图\d+|表\d+|（[一二三四五六七八九十]+）)", "p", key)


def _differences(a: Path, b: Path) -> list[tuple[str, str]]:
    new, old = texts(a), texts(b)
    return [(x, y) for tag, i1, i2, j1, j2 in SequenceMatcher(None, new, old, autojunk=False).get_opcodes()
            if tag != "equal" for x, y in zip(new[i1:i2] or [""], old[j1:j2] or [""])]


@pytest.mark.parametrize("example", ["jituan-demo", "zhongzhi-2022-demo"])
def test_other_packs_round_trip(example, run, tmp_path):
    """Projects of other packs (a 职教集团 work report whose leads the pack numbers, the older 中职 frame):
    touched-up paragraphs all come back, and the next draft reads as the edited one."""
    from absorbutil import edit_every
    root = tmp_path / example
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / example, root,
                    ignore=shutil.ignore_patterns("build"))
    assert run("build", root).code == 0
    edited = tmp_path / "审阅稿.docx"
    assert edit_every(draft_of(root), edited) >= 5
    result = absorb(root, edited)
    assert result.taken and not result.unplaced, result.unplaced
    assert run("build", root).code == 0
    # equal except where an edit changed a number printed from the data (listed as a conflict)
    differ = _differences(draft_of(root), edited)
    assert len(differ) == len({i.place for i in result.conflicts}), (differ, result.conflicts)


def test_a_seed_report_as_a_word_section_round_trips(demo, run, tmp_path):
    """A real report (seed 001, retyped into Word from its text: tabs, typed list numbers, table-like lines)
    as a department's Word section: every touched-up paragraph goes back into that .docx."""
    from absorbutil import edit_every
    from wordutil import seed_docx
    seed = next(Path("/work/shared/seeds").glob("001_*.txt"), None)
    if seed is None:
        pytest.skip("seed reports not available")
    section = demo / "narrative" / "talent" / "07-seed.docx"
    seed_docx(seed, section)
    assert run("build", demo).code == 0
    first = [u.text for u in read_units(docx.Document(str(section)))][0][:8]
    edited = tmp_path / "审阅稿.docx"
    assert edit_every(draft_of(demo), edited, every=4, after=first) >= 20
    r = run("absorb", demo, edited)
    assert r.code == 0 and "无法确定位置" not in r.out, r.out
    assert "07-seed.docx" in r.out
    assert run("build", demo).code == 0
    assert _differences(draft_of(demo), edited) == []


def test_formatting_only_changes_are_ignored_and_counted(demo, run, tmp_path):
    from absorbutil import find
    assert run("build", demo).code == 0
    d = docx.Document(str(draft_of(demo)))
    for run_ in find(d, REWORD[0]).runs:          # a whole paragraph set in bold
        run_.bold = True
    lead = find(d, DELETE_SENTENCE[0])
    lead.runs[0].bold = False                      # a bold lead made plain
    for run_ in find(d, ADD_AFTER).runs:
        run_.font.size = docx.shared.Pt(18)        # a bigger font
    find(d, COMMENT[0]).runs[-1].font.italic = True                                  # italic
    find(d, CASE_TEXT[0]).runs[0].font.color.rgb = docx.shared.RGBColor(0xC0, 0, 0)   # red
    find(d, TRACKED_INS[0]).runs[0].font.name = "黑体"      # another font's name only: LibreOffice does that
    tracked = find(d, TRACKED_DEL[0]).runs[-1]                 # italic as a 修订 of format: counted once
    tracked.font.italic = True
    change = docx.oxml.parse_xml('<w:rPrChange xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                                 'w:id="903" w:author="分管校长" w:date="2024-12-10T09:10:00Z"><w:rPr/></w:rPrChange>')
    tracked._r.get_or_add_rPr().append(change)
    edited = tmp_path / "只改格式.docx"
    d.save(str(edited))
    before = sources(demo)
    r = run("absorb", demo, edited)
    assert r.code == 0 and "只改了格式（加粗、倾斜、字号、颜色等）的 6 处已忽略" in r.out, r.out
    assert "没有需要收回的文字修改" in r.out and sources(demo) == before


def test_a_narrative_saved_on_windows_keeps_its_bom_and_line_ends(demo, run, tmp_path):
    party = demo / PARTY
    party.write_bytes(b"\xef\xbb\xbf" + party.read_bytes().replace(b"\n", b"\r\n"))
    assert run("build", demo).code == 0
    edited = tmp_path / "审阅稿.docx"
    edit_like_a_reviewer(draft_of(demo), edited)
    r = run("absorb", demo, edited)
    assert r.code == 0 and "无法确定位置" not in r.out, r.out
    data = party.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert REWORD[2] in data.decode("utf-8-sig") and ADDED in data.decode("utf-8-sig")


def test_case_removed_paragraph_moved_captions_changed(demo, run, tmp_path):
    """A whole case deleted, a paragraph moved, a section added, a figure's caption and a detail table's
    title changed."""
    from docx.oxml.ns import qn

    from absorbutil import find, replace_in
    assert run("build", demo).code == 0
    d = docx.Document(str(draft_of(demo)))
    title = find(d, "案例 2：")
    box = next(a for a in title._p.iterancestors() if a.tag == qn("w:tbl"))
    box.getparent().remove(box)                                       # the whole 案例 2 box
    moving = find(d, "心理育人和网络育人协同发力。")
    find(d, "育人合力进一步凝聚。")._p.addprevious(moving._p)          # now before its neighbour
    heading, para = (__import__("copy").deepcopy(x._p) for x in (find(d, "（二）对接区域产业"), moving))
    find(d, "育人合力进一步凝聚。")._p.addnext(heading)            # a new section (heading and text)
    heading.addnext(para)
    for el, text in ((heading, "（二）加强劳动教育"), (para, "学校开设劳动教育必修课，建设劳动实践基地 5 个。")):
        p = docx.text.paragraph.Paragraph(el, moving._parent)
        p.runs[0].text = text
        for r_ in p.runs[1:]:
            r_._r.getparent().remove(r_._r)
    replace_in(find(d, "图 1"), "讲授", "主讲")
    replace_in(find(d, "表 1"), "一览表", "统计表")
    edited = tmp_path / "审阅稿.docx"
    d.save(str(edited))

    r = run("absorb", demo, edited)
    assert r.code == 0, r.out
    party = (demo / PARTY).read_text(encoding="utf-8")
    assert "江畔驿站" not in party and party.count(":::") == 2          # case 1 still opened and closed
    assert party.index("心理育人和网络育人协同发力") < party.index("育人合力进一步凝聚")
    assert "![马克思主义学院教师主讲“大思政课”](images/classroom-ideology.jpg)" in party
    assert "## 加强劳动教育\n\n学校开设劳动教育必修课，建设劳动实践基地 5 个。" in party
    assert "在模板包中修改" in r.out and "统计表" in r.out                # the table's title is the pack's
    assert run("build", demo).code == 0
    # the next draft renumbers cases and sections after the edits: compared without their automatic labels
    differ = [(a, b) for a, b in _differences(draft_of(demo), edited) if _unlabelled(a) != _unlabelled(b)]
    assert len(differ) == 1 and "统计表" in differ[0][1], differ      # only the pack's table title


GRID = """
::: 表格 党建工作主要成效
| 项目 | 数量 | 说明 |
| 样板支部 | 2 个 | 省级 |
| ^ | 1 个 | 市级 |
| 满意度 | {{ ind.思政课教学满意度 }} | 思政课 |
:::
"""


def test_cells_of_a_table_typed_in_the_narrative_come_back_into_its_rows(demo, run, tmp_path):
    """A `::: 表格` typed in the narrative: a changed cell is written into its row's line (the header too, a
    typed | escaped); a number printed from the data is a conflict; a merged cell is listed with its place."""
    from docx.oxml.ns import qn
    party = demo / PARTY
    party.write_text(party.read_text(encoding="utf-8") + GRID, encoding="utf-8")
    assert run("build", demo).code == 0
    d = docx.Document(str(draft_of(demo)))
    table = next(t for t in d.element.body.iter(qn("w:tbl"))
                 if "党建工作主要成效" in (t.getprevious().xpath("string(.)") if t.getprevious() is not None else ""))

    def cell(r: int, c: int):
        tc = table.findall(qn("w:tr"))[r].findall(qn("w:tc"))[c]
        return next(tc.iter(qn("w:p")))

    def type_in(p, text: str) -> None:
        ts = list(p.iter(qn("w:t")))
        if ts:
            ts[0].text = text
            for t in ts[1:]:
                t.text = ""
        else:                                          # the covered part of a merged cell: no run yet
            docx.text.paragraph.Paragraph(p, None).add_run(text)

    type_in(cell(0, 2), "备注")                          # the header
    type_in(cell(1, 2), "省级|2024 年新增")              # text, with a | typed
    type_in(cell(3, 1), "98.10%")                        # printed from the data
    type_in(cell(2, 0), "样板")                          # the covered part of 样板支部's merged cell
    edited = tmp_path / "审阅稿.docx"
    d.save(str(edited))

    r = run("absorb", demo, edited)
    assert r.code == 0, r.out
    text = party.read_text(encoding="utf-8")
    assert "| 项目 | 数量 | 备注 |" in text
    assert "| 样板支部 | 2 个 | 省级\\|2024 年新增 |" in text
    assert "| 满意度 | {{ ind.思政课教学满意度 }} | 思政课 |" in text and "| ^ | 1 个 | 市级 |" in text
    caption = next(u.text for u in read_units(docx.Document(str(edited))) if u.text.endswith("党建工作主要成效"))
    table_no = caption.split("\u3000")[0]                # 表 N
    assert f"{table_no} 第 3 行 第 2 列：数字“97.62%”改成了“98.10%”" in r.out and "data/indicators.yaml:" in r.out
    assert f"{table_no} 第 2 行 第 1 列：“”改成了“样板”" in r.out and "无法写回" in r.out
    assert f"{table_no} 表头 第 3 列：改为" in r.out
    once = sources(demo)
    r = run("absorb", demo, edited)                      # a second time: nothing more, the merged cell still listed
    assert "已经收回过" in r.out and "已写回源文件" not in r.out and sources(demo) == once
    assert run("build", demo).code == 0
    differ = _differences(draft_of(demo), edited)
    assert len(differ) == 2 and "97.62%" in differ[1][0] and "样板" in differ[0][1], differ
