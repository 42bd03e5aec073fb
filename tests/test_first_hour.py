"""The first hour of a school office (issue 25): a project made by `init`, with departments, through the page.

Each test stands for one wall the issue met: the whole-school workbook refused with a command-line flag,
the correction form showing stale values and saving into a conflict, the correction form's numbers.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from reportgen.cli import main
from reportgen.web.app import Settings, create_app

from webutil import csrf_of, text_of

LOCAL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    """A project as `reportgen init` makes it, and its whole-school workbook as the page exports it."""
    base = tmp_path_factory.mktemp("init")
    assert main(["init", str(base / "学校")]) == 0
    assert main(["workbook", str(base / "学校"), "-o", str(base / "全校.xlsx")]) == 0
    return base / "学校", base / "全校.xlsx"


@pytest.fixture
def project(made, tmp_path) -> Path:
    dst = tmp_path / "学校"
    shutil.copytree(made[0], dst)
    return dst


def filled(made, tmp_path, values: dict[str, int]) -> Path:
    """The whole-school workbook with some 2024 indicators typed in, as the office fills it."""
    wb = openpyxl.load_workbook(made[1])
    ws = wb["指标"]
    col = next(c.column for c in ws[1] if c.value == 2024)
    for row in ws.iter_rows(min_row=2):
        if row[0].value in values:
            ws.cell(row=row[0].row, column=col, value=values[row[0].value])
    out = tmp_path / "全校数据-已填.xlsx"
    wb.save(out)
    return out


def upload(client, name: str, data: bytes):
    csrf = csrf_of(client.get("/p/学校").text)
    return client.post("/p/学校/upload", data={"csrf": csrf}, files={"files": (name, data, "application/octet-stream")})


@pytest.fixture
def client(project):
    with TestClient(create_app([project], Settings(warm_office=False)), base_url=LOCAL) as c:
        yield c


def result_box(html: str) -> str:
    start = html.index('id="upload-result"')
    return text_of(html[start:html.index("</section>", start)])


# ------------------------------------------------------------------ item 2: the office's own workbook
def test_whole_school_workbook_is_the_offices_own_in_a_project_with_departments(made, project, client, tmp_path):
    assert "departments:" in (project / "report.yaml").read_text(encoding="utf-8")
    book = filled(made, tmp_path, {"全日制在校生数": 5400})
    r = upload(client, book.name, book.read_bytes())
    box = result_box(r.text)
    assert r.status_code == 200 and r.history and r.history[0].status_code == 303     # POST-redirect-GET
    assert "--department" not in r.text and "设为本项目的数据填报工作簿" in box, box
    assert "workbook: returns/" in (project / "report.yaml").read_text(encoding="utf-8")
    from reportgen.pipeline import prepare
    assert prepare(project).dataset.indicators["全日制在校生数"][2024] == 5400


def test_a_file_no_department_can_be_told_from_is_asked_about_and_the_box_is_not_green(project, client, tmp_path):
    from docx import Document
    doc = Document()
    doc.add_paragraph("本年度学校各项工作稳步推进。")          # no heading, no marker: whose is it?
    path = tmp_path / "材料.docx"
    doc.save(path)
    r = upload(client, path.name, path.read_bytes())
    box = result_box(r.text)
    assert "这份文件是哪个部门交回的？" in box and "--department" not in r.text
    assert "项目数据校验通过" not in box and 'class="good"' not in r.text[r.text.index('id="upload-result"'):
                                                                          r.text.index("</section>", r.text.index('id="upload-result"'))]
    kept = [p.name for p in (project / "returns").glob("*.docx")]
    assert len(kept) == 1                                        # the refused file is kept, not forgotten
    again = client.get(r.url)                                    # a reload shows the answer again, no 405
    assert again.status_code == 200 and "这份文件是哪个部门交回的？" in again.text
    assert client.get("/p/学校/upload").status_code == 200        # the address bar's GET: the project page
    csrf = csrf_of(again.text)
    answered = client.post("/p/学校/section", data={"csrf": csrf, "file": kept[0], "department": "党委宣传部"})
    shown = result_box(answered.text)
    assert "党委宣传部" in shown and "--department" not in shown


# ------------------------------------------------------------------ item 3: the form shows what the draft prints
def test_the_correction_form_shows_and_edits_the_workbooks_values_without_a_conflict(made, project, client, tmp_path):
    book = filled(made, tmp_path, {"全日制在校生数": 5400, "专任教师数": 300})
    upload(client, book.name, book.read_bytes())
    page = client.get("/p/学校/indicators").text
    assert 'name="v:全日制在校生数" value="5400"' in page
    assert "工作簿 returns/" in text_of(page) and "› 指标 › E" in text_of(page)         # where it comes from
    data_before = (project / "data" / "indicators.yaml").read_bytes()
    kept_before = {p.name: p.read_bytes() for p in (project / "returns").glob("*.xlsx")}
    r = client.post("/p/学校/indicators", data={"csrf": csrf_of(page), "v:全日制在校生数": "5410",
                                                "v:专任教师数": "300", "v:毕业生人数": "1200"})
    assert r.status_code == 200, text_of(r.text)[:1500]
    shown = text_of(r.text)
    assert "全日制在校生数：5400 → 5410" in shown and "毕业生人数：（空） → 1200" in shown
    for name, data in kept_before.items():                      # the uploaded workbook is never written over
        assert (project / "returns" / name).read_bytes() == data
    assert (project / "data" / "indicators.yaml").read_bytes() != data_before          # 毕业生人数 went there
    assert 'name="v:全日制在校生数" value="5410"' in client.get("/p/学校/indicators").text
    from reportgen.pipeline import prepare
    prepared = prepare(project)                                 # no conflict between the two sources
    assert prepared.dataset.indicators["全日制在校生数"][2024] == 5410
    assert prepared.dataset.indicators["毕业生人数"][2024] == 1200
    assert not [p for p in prepared.problems.errors]


# ------------------------------------------------------------------ issue 26: numbers the form cannot keep
@pytest.mark.parametrize("typed", ["0." + "3" * 400, "9" * 5000, "1e400"])
def test_a_number_the_form_cannot_keep_is_a_located_message(project, client, typed):
    path = project / "data" / "indicators.yaml"
    before = path.read_bytes()
    page = client.get("/p/学校/indicators").text
    r = client.post("/p/学校/indicators", data={"csrf": csrf_of(page), "v:母校满意度": typed})
    assert r.status_code == 400
    shown = text_of(r.text)
    assert "指标修改表（母校满意度）" in shown and "inf" not in path.read_text(encoding="utf-8")
    assert path.read_bytes() == before


def test_a_long_decimal_the_form_can_keep_is_kept_digit_for_digit(project, client):
    page = client.get("/p/学校/indicators").text
    r = client.post("/p/学校/indicators", data={"csrf": csrf_of(page), "v:月收入": "4567.123456789012345"})
    assert r.status_code == 200
    from reportgen.pipeline import load_raw
    from reportgen.errors import Problems
    cell = load_raw(project, Problems()).indicators.cells["月收入"][2024]
    assert "4567.123456789012345" in str(cell.text or cell.raw)


# ------------------------------------------------------------------ item 4: data files filled as their comments say
def test_init_data_files_are_filled_by_uncommenting_as_their_comments_say(project, run):
    path = project / "data" / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{2022: , 2023: , 2024: }" in text                  # the three years the appendix prints
    path.write_text(text.replace("# 毕业生人数: {2022: , 2023: , 2024: }", "毕业生人数: {2022: 1100, 2023: 1150, 2024: 1200}"),
                    encoding="utf-8")
    table = project / "data" / "tables" / "certificates.yaml"
    lines = table.read_text(encoding="utf-8").splitlines()
    example = [i for i, line in enumerate(lines) if line.startswith("# - ")][0]
    filled = lines[:example] + [line[2:] for line in lines[example:] if line.startswith("# ")]
    table.write_text("\n".join(filled) + "\n", encoding="utf-8")
    r = run("validate", project)
    assert r.code == 0, r.text
    from reportgen.pipeline import prepare
    ds = prepare(project).dataset
    assert ds.indicators["毕业生人数"] == {2022: 1100, 2023: 1150, 2024: 1200}
    assert len(ds.tables["certificates"].rows) == 1


def test_a_yaml_mistake_is_told_in_chinese(project, run):
    path = project / "data" / "indicators.yaml"
    path.write_text("{}\n毕业生人数: {2024: 1200}\n", encoding="utf-8")       # a line below a stray {}
    r = run("validate", project)
    assert r.code == 1 and "data/indicators.yaml:2" in r.text, r.text
    assert "expected" not in r.text and "document start" not in r.text and "{}" in r.text


# ------------------------------------------------------------------ item 5: an empty 前言, an unfilled school name
def test_an_empty_preface_is_a_counted_placeholder_and_an_unfilled_name_warns(project, client):
    from reportgen.pipeline import prepare
    from reportgen.regen.manifest import make_manifest
    prepared = prepare(project)
    manifest = make_manifest(prepared, project / "build")
    assert any(p["key"] == "前言" for p in manifest["placeholders"]), manifest["placeholders"][:3]
    assert any("【学校全称】" in p.message and "文件名" in p.message for p in prepared.problems.warnings)
    page = text_of(client.get("/p/学校").text)
    assert "前言 待补充 1 处" in page, page[page.find("章节与小节"):][:300]


# ------------------------------------------------------------------ item 8: the page tells the truth
def test_an_empty_tech_transfer_table_prints_a_dash_not_zero(demo):
    from reportgen.pipeline import prepare
    from reportgen.value_kinds import NOT_REPORTED
    (demo / "data" / "tables" / "tech_transfer.yaml").write_text("[]\n", encoding="utf-8")
    prepared = prepare(demo)
    assert prepared.indicators.values["技术交易到款额"][2024] is NOT_REPORTED
    from reportgen.doc.model import Table, iter_blocks
    rows = [[c.text for c in row] for b in iter_blocks(prepared.rendered.document.blocks)
            if isinstance(b, Table) for row in b.rows]
    printed = [row for row in rows if any("技术交易到款额" in t for t in row)]
    assert printed and "0.00" not in printed[0][-1] and printed[0][-1].strip() == "-", printed


def test_the_change_card_after_a_build_and_distinct_download_labels(demo, run):
    (demo / "returns").mkdir()
    (demo / "returns" / "回收记录.json").write_text('{"format": 1, "returns": []}', encoding="utf-8")
    assert run("build", demo).code == 0
    path = demo / "data" / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("16238", "16300"), encoding="utf-8")
    assert run("build", demo, "--pdf").code == 0                      # a build that changed things
    draft = next((demo / "build").glob("*.docx"))
    (demo / "build" / f"{draft.stem}-2.docx").write_bytes(draft.read_bytes())      # a saved-aside twin
    (demo / "build" / f"{draft.stem}-2.pdf").write_bytes(b"%PDF-1.4")
    with TestClient(create_app([demo], Settings(warm_office=False)), base_url=LOCAL) as c:
        html = c.get("/p/demo").text
    card = text_of(html[html.index('id="changes"'):])
    card = card[:card.index("章节与小节")] if "章节与小节" in card else card[:600]
    assert "没有变化" not in card and "没有新的改动" in card and "修改说明" in card, card
    import re
    labels = re.findall(r'class="dl-build">([^<]+)</a>', html)
    assert len(labels) == len(set(labels)) >= 4, labels
    assert "回收记录.json" not in html


def test_a_project_folder_added_while_serving_appears(tmp_path, run):
    (tmp_path / "projects").mkdir()
    assert run("init", tmp_path / "projects" / "甲校").code == 0
    with TestClient(create_app([tmp_path / "projects"], Settings(warm_office=False)), base_url=LOCAL) as c:
        assert "/p/甲校" in c.get("/").text
        assert run("init", tmp_path / "projects" / "乙校").code == 0
        assert "/p/乙校" in c.get("/").text
        assert c.get("/p/乙校").status_code == 200


# ------------------------------------------------------------------ item 7: words an office can act on
def test_the_writing_task_shows_the_data_as_printed_names_and_values(demo, run, tmp_path):
    from deptutil import assign_three, kit_file
    from docx import Document
    assign_three(demo)
    assert run("kit", demo, "-o", tmp_path / "kit").code == 0
    doc = Document(str(kit_file(tmp_path / "kit", "科研处", ".docx")))
    guide = doc.tables[0].rows[0].cells[0]
    text = "\n".join(p.text for p in guide.paragraphs)
    grid = [[c.text for c in row.cells] for row in guide.tables[0].rows]
    assert grid[0] == ["数据", "目前的数值"] and len(grid) <= 22
    shown = text + str(grid)
    assert "{{" not in shown and "→" not in shown and "count(" not in shown
    assert "research_projects" not in shown and "tech_transfer" not in shown
    assert any("技术交易额一览表" in name and value == "7 行" for name, value in grid), grid


def test_problems_in_the_browser_name_tables_and_sections_as_printed(demo):
    path = demo / "data" / "tables" / "innovation_awards.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- {}\n", encoding="utf-8")      # an empty row: a warning
    with TestClient(create_app([demo], Settings(warm_office=False)), base_url=LOCAL) as c:
        html = c.get("/p/demo").text
    problems = html[html.index('id="problems"'):html.index("</section>", html.index('id="problems"'))]
    assert "创新创业大赛获奖" in text_of(problems) and "innovation_awards" not in text_of(problems), text_of(problems)
    assert 'title="data/tables/innovation_awards.yaml:' in problems          # file:line kept as the tooltip


# ------------------------------------------------------------------ the demo carries a departments: assignment
def test_the_demo_assigns_its_sections_so_status_and_kits_work(demo, run, tmp_path):
    r = run("status", demo)
    assert r.code == 0 and "招生就业处" in r.out and "质量管理办公室" in r.out, r.text
    assert "没有分给任何部门" not in run("validate", demo).text          # every section and table has an owner
    assert run("kit", demo, "-o", tmp_path / "kit").code == 0
    assert (tmp_path / "kit" / "科研处.zip").is_file()
