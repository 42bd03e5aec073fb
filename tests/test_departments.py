"""Issue 13's Must-show: kit → two departments return renamed files → collect → build → status."""
import importlib.util
import json
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from deptutil import NEW_SENTENCE, assign_three, change_table_cell, kit_file, rewrite_paragraph, tree
from reportgen.workbook.returns import read_record

HAVE_WORD_READER = importlib.util.find_spec("reportgen.load.word") is not None
EMPLOYMENT_START = "学校把促进毕业生高质量充分就业"      # the demo's first paragraph of talent/employment


def _lines(out: str, status: str) -> int:
    """How many files got this status (one line per file starts with it)."""
    return sum(line.startswith(status + " ") for line in out.splitlines())


@pytest.fixture
def project(demo):
    assign_three(demo)
    return demo


@pytest.fixture
def kit(run, project, tmp_path):
    out = tmp_path / "任务包"
    r = run("kit", project, "-o", out)
    assert r.code == 0, r.text
    return out


@pytest.fixture
def returned(kit, tmp_path):
    """招生就业处 changed a paragraph (Word), 科研处 a row of 技术交易额 (Excel); both renamed; 国际交流处 silent."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), inbox / "就业一节-王老师改.docx", EMPLOYMENT_START,
                      NEW_SENTENCE)
    old, new = change_table_cell(kit_file(kit, "科研处", ".xlsx"), inbox / "科研数据（终稿）.xlsx", "技术交易额",
                                 "到账金额", 10)
    assert (old, new) == (58.6, 68.6)
    return inbox


def test_kit_has_a_folder_and_zip_per_department_with_marked_files(kit):
    from reportgen.departments.marker import read_docx
    for dept in ("招生就业处", "科研处", "国际交流处"):
        names = sorted(p.name for p in (kit / dept).iterdir())
        with zipfile.ZipFile(kit / f"{dept}.zip") as z:
            assert sorted(n.split("/")[-1] for n in z.namelist()) == names
        marker = read_docx(kit_file(kit, dept, ".docx"))
        assert marker.department == dept and marker.project == "江州职业技术学院 2024" and marker.kit
    # 国际交流处 owns no table: its workbook has only the 指标 sheet, restricted to its indicators
    import openpyxl
    wb = openpyxl.load_workbook(kit_file(kit, "国际交流处", ".xlsx"))
    assert [n for n in wb.sheetnames if n.startswith("表")] == []
    names = [r[0].value for r in wb["指标"].iter_rows(min_row=2)]
    assert "全日制国（境）外留学生人数" in names and "毕业生人数" not in names
    wb = openpyxl.load_workbook(kit_file(kit, "科研处", ".xlsx"))
    assert sorted(n.split(" ", 1)[1] for n in wb.sheetnames if n.startswith("表")) == ["技术交易额", "立项省部级及以上科研项目"]
    assert "指标" not in wb.sheetnames
    # the Word file: the section's guidance, its data references with current values, its current text
    guide = docx.Document(str(kit_file(kit, "招生就业处", ".docx"))).tables[0].rows[0].cells[0]
    text = "\n".join(p.text for p in guide.paragraphs)
    assert "写作提示：毕业去向落实率、就业服务" in text
    assert ["毕业去向落实率", "96.35%"] in [[c.text for c in row.cells] for row in guide.tables[0].rows]


def test_collect_two_returns_build_names_departments_status_lists_the_third(run, project, kit, returned):
    assert run("build", project).code == 0                     # the build before the returns came in
    r = run("collect", project, returned)
    assert r.code == 0, r.text
    assert _lines(r.out, "已收取") == 2
    assert "招生就业处" in r.out and "人才培养 › 就业指导与毕业去向" in r.out
    assert "科研处" in r.out and "技术交易额一览表" in r.out

    # every returned file is kept byte for byte under returns/<部门>/
    for f in returned.iterdir():
        kept = [p for p in (project / "returns").rglob(f.name)]
        assert len(kept) == 1 and kept[0].read_bytes() == f.read_bytes()
    assert {e.department for e in read_record(project).entries} == {"招生就业处", "科研处"}
    # the section's Markdown was moved aside, not lost
    assert not (project / "narrative/talent/04-employment.md").exists()
    assert list((project / "returns/招生就业处").rglob("替换前/narrative/talent/04-employment.md"))
    assert (project / "narrative/talent/04-employment.docx").is_file()

    b = run("build", project)
    assert b.code == 0, b.text
    line = next(x for x in b.out.splitlines() if "交回材料的部门" in x)
    assert "招生就业处" in line and "科研处" in line
    assert "58.60 → 68.60" in b.out                       # the row the department changed
    assert "技术交易到款额（2024年）：195.50 万元 → 205.50 万元" in b.out

    s = run("status", project, "--json")
    report = json.loads(s.out)
    states = {d["name"]: d["state"] for d in report["departments"]}
    assert states["国际交流处"] == "未交回"
    assert states["招生就业处"] == "部分交回" and states["科研处"] == "部分交回"
    assert report["overall"]["missing"] == 1
    text = run("status", project).out
    assert "未交回的部门：国际交流处" in text


@pytest.mark.skipif(not HAVE_WORD_READER, reason="需要 Word 读取模块 reportgen.load.word（issue 12，分支 word）")
def test_returned_section_is_in_the_draft(run, project, kit, returned):
    first = run("build", project)
    assert first.code == 0
    assert run("collect", project, returned).code == 0
    b = run("build", project)
    assert b.code == 0, b.text
    changed = b.out.split("正文有变化的小节", 1)[1]
    assert "做实就业服务，促进毕业生高质量充分就业" in changed   # the section change is reported (its own title)
    assert "交回材料的部门：招生就业处、科研处" in b.out
    draft = next((project / "build").glob("*.docx"))
    text = "".join(t.text or "" for t in docx.Document(str(draft)).element.body.iter(qn("w:t")))
    assert NEW_SENTENCE in text and "学校把促进毕业生高质量充分就业" not in text
    assert "针对江州高新区企业用工" in text                    # the rest of the section came back, cases too
    counts = re.compile(r"章节 \d+ 个，表格 \d+ 张，案例 \d+ 个，图片 \d+ 幅")
    assert counts.search(b.out).group(0) == counts.search(first.out).group(0)


def test_a_section_of_another_department_is_refused_and_nothing_written(run, project, kit, tmp_path):
    src = kit_file(kit, "招生就业处", ".docx")
    doc = docx.Document(str(src))
    doc.add_heading("服务贡献 › 技术服务与技术交易", level=1)         # 科研处's section pasted in
    doc.add_paragraph("技术服务到款额创新高。")
    bad = tmp_path / "就业.docx"
    doc.save(str(bad))
    before = tree(project)
    r = run("collect", project, bad)
    assert r.code == 1
    assert "技术服务与技术交易" in r.out and "属于科研处" in r.out and "未收取" in r.out
    assert tree(project) == before


def test_a_table_of_another_department_is_refused(run, project, kit, tmp_path):
    import openpyxl
    from reportgen.cli import main
    full = tmp_path / "全部.xlsx"
    assert main(["workbook", str(project), "-o", str(full)]) == 0
    wb = openpyxl.load_workbook(full)
    ws = next(wb[n] for n in wb.sheetnames if "技术交易额" in n)
    ws.cell(row=2, column=3).value = 99
    info = wb["_reportgen"]
    info.append(["info", "reportgen.department", "招生就业处"])
    info.append(["info", "reportgen.kind", "workbook"])
    wb.save(full)
    before = tree(project)
    r = run("collect", project, full)
    assert r.code == 1
    assert "技术交易额一览表" in r.out and "属于科研处" in r.out
    assert tree(project) == before


def test_same_return_twice_changes_nothing(run, project, returned):
    assert run("collect", project, returned).code == 0
    before = tree(project)
    copy = returned / "再发一次.docx"
    copy.write_bytes(next(returned.glob("就业*.docx")).read_bytes())
    r = run("collect", project, returned)
    assert r.code == 0
    assert _lines(r.out, "没有变化") == 3 and _lines(r.out, "已收取") == 0
    assert tree(project) == before


def test_a_newer_return_replaces_the_earlier(run, project, kit, returned, tmp_path):
    assert run("collect", project, returned).code == 0
    second = tmp_path / "第二版.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), second, EMPLOYMENT_START, "第二版的开头。")
    r = run("collect", project, second)
    assert r.code == 0 and "已收取" in r.out
    section = project / "narrative/talent/04-employment.docx"
    assert "第二版的开头。" in [p.text for p in docx.Document(str(section)).paragraphs]
    # the first returned version is kept where collect put it aside
    assert len(list((project / "returns/招生就业处").rglob("替换前/narrative/talent/04-employment.docx"))) == 1


def test_a_file_without_marker_asks_which_department(run, project, tmp_path):
    plain = tmp_path / "随手写的.docx"
    d = docx.Document()
    d.add_paragraph("我们处今年的工作很多。")
    d.save(str(plain))
    before = tree(project)
    r = run("collect", project, plain)
    assert r.code == 1 and "--department" in r.out and "无法判断是哪个部门" in r.out
    assert tree(project) == before
    # told the department, whose only section it then is
    r = run("collect", project, plain, "--department", "招生就业处")
    assert r.code == 0 and "就业指导与毕业去向" in r.out


def test_a_file_without_marker_is_matched_by_its_headings(run, project, tmp_path):
    plain = tmp_path / "科研.docx"
    d = docx.Document()
    d.add_heading("科研团队与科研项目", level=1)
    d.add_paragraph("新增省级科研团队两个。")
    d.save(str(plain))
    r = run("collect", project, plain)
    assert r.code == 0, r.out
    assert "科研处" in r.out and "服务贡献 › 科研团队与科研项目" in r.out


def test_a_return_saved_by_libreoffice_is_recognised(run, project, kit, tmp_path):
    from reportgen.export import office
    if not office.have_office():
        pytest.skip("需要 LibreOffice")
    import subprocess
    filled = tmp_path / "filled.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), filled, EMPLOYMENT_START, NEW_SENTENCE)
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out), str(filled)], check=True, capture_output=True,
                   timeout=180)
    saved = out / "filled.docx"
    assert saved.read_bytes() != filled.read_bytes()
    renamed = tmp_path / "LibreOffice 另存的.docx"
    saved.rename(renamed)
    r = run("collect", project, renamed)
    assert r.code == 0, r.out
    assert "招生就业处" in r.out and "收取 1 个小节" in r.out


def test_old_formats_and_broken_zips_get_a_message(run, project, tmp_path):
    (tmp_path / "a.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (tmp_path / "b.zip").write_bytes(b"not a zip at all")
    r = run("collect", project, tmp_path / "a.doc", tmp_path / "b.zip")
    assert r.code == 1
    assert "另存为 .docx" in r.out and "压缩包已损坏" in r.out


class _GbkName(zipfile.ZipInfo):
    """A member name stored in GBK without the UTF-8 flag, as Windows' built-in zip does on a Chinese system."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def test_a_returned_zip_is_taken_apart(run, project, kit, returned, tmp_path):
    """A department zips its files back, named by a Chinese Windows (GBK); each file is kept as it was in it."""
    bundle = tmp_path / "交回.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        for f in returned.iterdir():
            info = _GbkName(f"科研处交回/{f.name}", (2024, 11, 28, 9, 0, 0))
            z.writestr(info, f.read_bytes())
        z.writestr("科研处交回/说明.pdf", b"%PDF-1.4")
    r = run("collect", project, bundle)
    assert r.code == 0, r.out
    assert _lines(r.out, "已收取") == 2 and "交回.zip › 科研数据（终稿）.xlsx" in r.out
    for f in returned.iterdir():
        kept = list((project / "returns").rglob(f.name))
        assert len(kept) == 1 and kept[0].read_bytes() == f.read_bytes()


def test_status_late_uses_the_date_given(project):
    import datetime as dt
    from reportgen.departments.status import project_status
    early = project_status(project, today=dt.date(2024, 11, 25))
    late = {d.name: d.late for d in early.departments}
    assert late == {"招生就业处": False, "科研处": False, "国际交流处": True}
    after = project_status(project, today=dt.date(2024, 12, 6))
    assert all(d.late for d in after.departments)
    data = after.to_dict()
    assert data["overall"]["late"] == 3 and data["overall"]["missing"] == 3
    items = {i["name"]: i for d in data["departments"] for i in d["items"]}
    assert items["人才培养 › 就业指导与毕业去向"]["returned"] is None


def test_validate_locates_unknown_ids_and_names_what_nobody_owns(run, project):
    text = (project / "report.yaml").read_text(encoding="utf-8")
    r = run("validate", project)
    assert r.code == 0
    assert "以下小节没有分给任何部门" in r.err and "talent/party" in r.err
    assert "以下明细表没有分给任何部门" in r.err and "certificates" in r.err
    (project / "report.yaml").write_text(text.replace("talent/employment", "talent/employmnt")
                                         .replace("[research_projects,", "[research_project,"), encoding="utf-8")
    r = run("validate", project)
    assert r.code == 1
    assert "report.yaml（departments › 招生就业处 › sections）" in r.err and "talent/employment" in r.err
    assert "“research_project”" in r.err and "research_projects" in r.err


def test_init_writes_the_packs_suggested_assignment(run, tmp_path):
    r = run("init", tmp_path / "新学校")
    assert r.code == 0
    text = (tmp_path / "新学校" / "report.yaml").read_text(encoding="utf-8")
    assert "departments:" in text and "  教务处:" in text
    r = run("validate", tmp_path / "新学校")
    assert r.code == 0 and "没有分给任何部门" not in r.err      # the suggestion covers every section and table


def test_a_workbook_with_bad_data_is_refused_with_the_cell(run, project, kit, tmp_path):
    import openpyxl
    src = kit_file(kit, "科研处", ".xlsx")
    wb = openpyxl.load_workbook(src)
    ws = next(wb[n] for n in wb.sheetnames if "技术交易额" in n)
    ws["C3"] = "五十万"                                       # 到账金额 must be a number
    bad = tmp_path / "科研.xlsx"
    wb.save(bad)
    before = tree(project)
    r = run("collect", project, bad)
    assert r.code == 1 and "未收取" in r.out
    assert "科研.xlsx › 表11 技术交易额 › C3" in r.out
    assert tree(project) == before


def test_a_return_breaking_a_cross_check_is_refused(run, project, kit, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(kit_file(kit, "招生就业处", ".xlsx"))
    ws = wb["指标"]
    years = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "毕业去向落实人数")
    graduates = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "毕业生人数")
    col = years.index(2024)
    row[col].value = graduates[col].value + 100              # more placed than graduated
    bad = tmp_path / "就业数据.xlsx"
    wb.save(bad)
    r = run("collect", project, bad)
    assert r.code == 1 and "未收取" in r.out and "不属于" not in r.out
    assert "毕业去向落实人数" in r.out and "毕业生人数" in r.out      # the check that fails names both


@pytest.mark.skipif(not HAVE_WORD_READER, reason="需要 Word 读取模块 reportgen.load.word（issue 12，分支 word）")
def test_every_section_survives_the_trip_through_word(run, demo, tmp_path):
    """Three whole chapters to one department, one sentence of each section edited in Word: the draft keeps every
    table, case and figure, and the change report shows only the edits (and the pictures' new paths)."""
    from reportgen.departments.marker import read_docx
    from deptutil import drop_departments
    drop_departments(demo)                               # the demo's own assignment, replaced
    with open(demo / "report.yaml", "a", encoding="utf-8") as f:
        f.write("departments:\n  质量办:\n    sections: [talent, service, culture]\n")
    first = run("build", demo)
    assert run("kit", demo, "-o", tmp_path / "kit").code == 0
    src = tmp_path / "kit" / "质量办" / "质量办-撰写任务.docx"
    doc = docx.Document(str(src))
    edited, section_no = 0, 0
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            section_no += 1
            done = False
        elif section_no and not done and len(p.text) > 30 and p.runs:
            p.runs[-1].text += "（已核）"
            edited, done = edited + 1, True
    assert edited == len(read_docx(src).sections) == 15
    doc.save(str(tmp_path / "返回.docx"))
    r = run("collect", demo, tmp_path / "返回.docx")
    assert r.code == 0 and "收取 15 个小节" in r.out
    manifest = next((demo / "build").glob("*.manifest.json"))
    before = json.loads(manifest.read_text(encoding="utf-8"))
    b = run("build", demo)
    assert b.code == 0, b.text
    counts = re.compile(r"章节 \d+ 个，表格 \d+ 张，案例 \d+ 个，图片 \d+ 幅")
    assert counts.search(b.out).group(0) == counts.search(first.out).group(0)
    from reportgen.regen.changes import compare
    changes = compare(before, json.loads(manifest.read_text(encoding="utf-8")))
    assert len(changes.sections_changed) == 15 and not changes.sections_added and not changes.sections_removed
    for s in changes.sections_changed:        # only the edit, and the pictures' new place (extracted from Word)
        for old, new in s.hunks:
            keep = lambda lines: [x.replace("（已核）", "") for x in lines if not x.startswith("[图片")]  # noqa: E731
            assert keep(old) == keep(new), s.title


def test_the_next_kit_starts_from_what_the_department_returned(run, project, kit, tmp_path):
    from PIL import Image
    photo = tmp_path / "现场.png"
    Image.new("RGB", (320, 200), (40, 120, 200)).save(photo)
    src = kit_file(kit, "招生就业处", ".docx")
    doc = docx.Document(str(src))
    target = next(p for p in doc.paragraphs if p.text.startswith(EMPLOYMENT_START))
    target.runs[0].text = NEW_SENTENCE
    for r in target.runs[1:]:
        r.text = ""
    target.insert_paragraph_before().add_run().add_picture(str(photo))
    doc.save(str(tmp_path / "返回.docx"))
    assert run("collect", project, tmp_path / "返回.docx").code == 0
    assert run("kit", project, "-o", tmp_path / "第二批", "--department", "招生就业处").code == 0
    second = docx.Document(str(kit_file(tmp_path / "第二批", "招生就业处", ".docx")))
    assert NEW_SENTENCE in [p.text for p in second.paragraphs]
    returned_pictures = len(docx.Document(str(project / "narrative/talent/04-employment.docx")).inline_shapes)
    assert len(second.inline_shapes) == returned_pictures >= 2        # the department's photo and the demo's
    # sent back untouched, the section is not replaced again
    unchanged = tmp_path / "原样.docx"
    unchanged.write_bytes(kit_file(tmp_path / "第二批", "招生就业处", ".docx").read_bytes())
    r = run("collect", project, unchanged)
    assert r.code == 0 and "正文未改动" in r.out


def test_a_return_from_an_older_kit_is_taken_with_a_warning(run, project, kit, tmp_path):
    older = tmp_path / "旧版.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), older, EMPLOYMENT_START, "旧任务包里写的。")
    import datetime as dt
    from reportgen.departments.kit import make_kits
    make_kits(project, tmp_path / "新任务包", now=dt.datetime(2099, 1, 1))    # a second kit, a later version
    newer = tmp_path / "新版.docx"
    rewrite_paragraph(kit_file(tmp_path / "新任务包", "招生就业处", ".docx"), newer, EMPLOYMENT_START, "新任务包里写的。")
    assert run("collect", project, newer).code == 0
    r = run("collect", project, older)
    assert r.code == 0 and "来自较早的任务包" in r.out


def test_a_kit_of_another_project_is_refused(run, project, kit, tmp_path):
    text = (project / "report.yaml").read_text(encoding="utf-8")
    (project / "report.yaml").write_text(text.replace("year: 2024", "year: 2025"), encoding="utf-8")
    r = run("collect", project, kit_file(kit, "科研处", ".xlsx"))
    assert r.code == 1 and "江州职业技术学院 2024" in r.out and "不是本项目" in r.out


def test_hostile_or_broken_word_files_are_refused_by_name(run, project, tmp_path):
    bomb = tmp_path / "炸弹.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>")
        z.writestr("word/media/huge.bin", b"\0" * (60 * 1024 * 1024))
    (tmp_path / "改了名.docx").write_bytes(b"just some text")
    with zipfile.ZipFile(tmp_path / "其实是表格.docx", "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
    before = tree(project)
    r = run("collect", project, tmp_path)
    assert r.code == 1 and _lines(r.out, "未收取") == 3
    assert "异常庞大" in r.out and "已损坏或不是 Word 文件" in r.out and "不是 Word 文件（可能是改了扩展名" in r.out
    assert tree(project) == before


def test_collect_and_status_work_while_other_data_is_still_wrong(run, project, returned):
    awards = project / "data/tables/teaching_awards.yaml"
    # 级别 is strict (counted by level): a value outside its list is an error (获奖等级 only warns, issue 14)
    awards.write_text(awards.read_text(encoding="utf-8").replace("级别: 省级", "级别: 省部级", 1),
                      encoding="utf-8")
    assert run("validate", project).code == 1                   # the project has a problem of its own
    r = run("collect", project, returned)
    assert r.code == 0 and _lines(r.out, "已收取") == 2
    assert run("status", project).code == 0


def test_commands_without_an_assignment_say_what_to_do(run, demo):
    from deptutil import drop_departments
    drop_departments(demo)
    for command in ("kit", "status"):
        r = run(command, demo)
        assert r.code == 2 and "report.yaml 中没有 departments" in r.err
