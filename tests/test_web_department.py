"""A department's own link over HTTP: what it admits, the grid's saves and their checks, revoking."""
from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from reportgen.web.app import TOKEN_COOKIE, Settings, create_app

from deptutil import assign_three
from webutil import csrf_of, text_of

BASE = "http://192.168.1.20:8000"          # token mode: the school's intranet


def future(project) -> None:
    """The departments' deadlines moved to a year still to come: a link lasts until deadline + margin."""
    path = project / "report.yaml"
    path.write_text(re.sub(r"deadline: 2024-", "deadline: 2099-", path.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.fixture
def app(demo):
    assign_three(demo)
    future(demo)
    return create_app([demo], Settings(host="0.0.0.0", warm_office=False))


def office(app) -> TestClient:
    c = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    c.cookies.set(TOKEN_COOKIE, app.state.rg.settings.token)
    return c


def make_link(c: TestClient, name: str) -> str:
    csrf = csrf_of(c.get("/p/demo").text)
    r = c.post("/p/demo/links", data={"csrf": csrf, "department": name, "action": "make", "margin": "7"})
    assert r.status_code == 200
    return re.search(r"(/d/demo\?t=[\w-]+)", text_of(r.text)).group(1)


def department(app, link: str) -> TestClient:
    c = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    assert c.get(link).status_code == 200            # the redirect sets the cookie, then the page
    return c


def test_a_link_admits_its_department_to_its_own_part_only(app, demo):
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        page = text_of(a.get("/d/demo").text)
        assert "招生就业处的填报任务" in page and "创新创业大赛获奖情况一览表" in page
        assert "科研处" not in page and "research_projects" not in page
        assert a.get("/d/demo/grid/research_projects").status_code == 403       # 科研处's table
        for office_only in ("/", "/p/demo", "/p/demo/workbook", "/p/demo/departments.json",
                            "/p/demo/files/build/x.docx", "/p/demo/kits/科研处.zip"):
            assert a.get(office_only).status_code == 403, office_only
        stored = (demo / "build" / "web-links" / "links.json").read_text(encoding="utf-8")
        token = next(iter(a.cookies.values()))
        assert token and token not in stored                                   # kept hashed only


def test_the_grid_saves_a_row_keeping_comments_and_records_it(app, demo):
    path = demo / "data" / "tables" / "innovation_awards.yaml"
    head = path.read_text(encoding="utf-8").splitlines()[:7]
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        csrf = csrf_of(a.get("/d/demo").text)
        grid = a.get("/d/demo/grid/innovation_awards").json()
        n = len(grid["rows"])
        new = {"_i": None, "获奖名称": "网页填报测试赛：智能分拣", "获奖级别": "省级", "获奖等级": "一等奖",
               "授予单位": "省教育厅"}
        r = a.post("/d/demo/grid/innovation_awards", json={"version": grid["version"], "rows": grid["rows"] + [new]},
                   headers={"x-csrf-token": csrf})
        assert r.status_code == 200 and r.json()["changes"] == 1
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[:7] == head and "网页填报测试赛：智能分拣" in text
        assert len(r.json()["grid"]["rows"]) == n + 1
        # a save from the page as it was before is refused with the rows to reload, nothing lost
        stale = a.post("/d/demo/grid/innovation_awards", json={"version": grid["version"], "rows": grid["rows"][1:]},
                       headers={"x-csrf-token": csrf})
        assert stale.status_code == 409 and "已被别人修改" in stale.json()["message"]
        assert len(stale.json()["grid"]["rows"]) == n + 1 and "网页填报测试赛" in path.read_text(encoding="utf-8")
        # a wrong value: the workbook's message, at 表 › 第 N 行 › 列; nothing written
        before = path.read_text(encoding="utf-8")
        fresh = a.get("/d/demo/grid/innovation_awards").json()
        fresh["rows"][0]["获奖级别"] = "世界级"
        bad = a.post("/d/demo/grid/innovation_awards", json=fresh, headers={"x-csrf-token": csrf})
        assert bad.status_code == 400
        said = " ".join(bad.json()["problems"])
        assert "第 1 行 › 获奖级别" in said and "世界级" in said
        assert path.read_text(encoding="utf-8") == before
        assert a.post("/d/demo/grid/innovation_awards", json=fresh).status_code == 403     # no CSRF token
        office_page = text_of(o.get("/p/demo").text)
        assert "招生就业处 在网页上新增明细表“创新创业大赛获奖情况一览表”一行" in office_page


def test_a_link_past_its_deadline_is_not_made(demo):
    assign_three(demo)                          # deadlines in 2024
    app = create_app([demo], Settings(host="0.0.0.0", warm_office=False))
    with office(app) as o:
        csrf = csrf_of(o.get("/p/demo").text)
        r = o.post("/p/demo/links", data={"csrf": csrf, "department": "科研处", "action": "make", "margin": "7"})
        assert r.status_code == 400 and "截止日期 2024-12-05 加宽限 7 天已经过去" in text_of(r.text)
        assert not (demo / "build" / "web-links" / "links.json").exists()


def test_an_uploaded_section_is_taken_and_its_problems_shown_at_once(app, demo, tmp_path):
    from reportgen.departments.kit import make_kits
    from deptutil import kit_file, rewrite_paragraph
    kit = make_kits(demo).output
    returned = tmp_path / "就业一节.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), returned, "学校把促进毕业生高质量充分就业",
                      "本年毕业生人数 9999 人，去向落实情况良好。")
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        csrf = csrf_of(a.get("/d/demo").text)
        assert a.get("/d/demo/kit").status_code == 200                     # its own kit's Word file
        r = a.post("/d/demo/upload", data={"csrf": csrf},
                   files={"files": (returned.name, returned.read_bytes(), "application/octet-stream")})
        page = text_of(r.text)
        assert r.status_code == 200 and "已收取" in page and "人才培养 › 就业指导与毕业去向" in page
        assert "文件 narrative/talent/04-employment.docx › 第 2 段" in page.replace("\u00a0", " ")
        assert "填写 9999 人，按数据为 5368 人" in page
        # another department's section: refused whole, named
        research = tmp_path / "科研.docx"
        rewrite_paragraph(kit_file(kit, "科研处", ".docx"), research, "学校坚持“以团队聚人才", "改写的一段。")
        r = a.post("/d/demo/upload", data={"csrf": csrf},
                   files={"files": (research.name, research.read_bytes(), "application/octet-stream")})
        assert "未收取" in text_of(r.text) and "科研处" in text_of(r.text)


def test_a_revoked_link_is_refused(app):
    with office(app) as o:
        link = make_link(o, "科研处")
        a = department(app, link)
        csrf = csrf_of(o.get("/p/demo").text)
        assert o.post("/p/demo/links", data={"csrf": csrf, "department": "科研处", "action": "revoke"}).status_code == 200
        r = a.get("/d/demo")
        assert r.status_code == 403 and "已撤销" in text_of(r.text)
        renewed = department(app, make_link(o, "科研处"))
        assert renewed.get("/d/demo").status_code == 200 and a.get(link).status_code == 403   # the old one stays dead


def test_the_next_change_report_lists_who_changed_which_row(app, demo, monkeypatch):
    import docx
    from reportgen.export import office as export_office
    monkeypatch.setattr(export_office, "have_office", lambda: False)      # the draft only: no PDF needed here
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        csrf = csrf_of(a.get("/d/demo").text)
        grid = a.get("/d/demo/grid/innovation_awards").json()
        grid["rows"][0]["获奖等级"] = "金奖"
        assert a.post("/d/demo/grid/innovation_awards", json=grid, headers={"x-csrf-token": csrf}).status_code == 200
        assert o.post("/p/demo/build", data={"csrf": csrf_of(o.get("/p/demo").text)},
                      follow_redirects=False).status_code == 303
        app.state.rg.jobs.wait("demo", 300)
        assert app.state.rg.jobs.last("demo", "build").state == "done"
    text = "\n".join(p.text for p in docx.Document(str(demo / "build" / "修改说明.docx")).paragraphs)
    assert "网页上的修改（部门链接）" in text
    assert "招生就业处 在网页上修改明细表“创新创业大赛获奖情况一览表”一行" in text and "获奖等级: 金奖" in text
    assert "原为 获奖等级: 银奖" in text


def test_a_project_with_a_chinese_folder_name(demo, tmp_path):
    school = tmp_path / "江州学院"
    demo.rename(school)
    assign_three(school)
    future(school)
    app = create_app([school], Settings(host="0.0.0.0", warm_office=False))
    with office(app) as o:
        csrf = csrf_of(o.get("/p/江州学院").text)
        r = o.post("/p/江州学院/links", data={"csrf": csrf, "department": "科研处", "action": "make", "margin": "3"})
        link = re.search(r"(/d/%E6%B1%9F%E5%B7%9E%E5%AD%A6%E9%99%A2\?t=[\w-]+)", text_of(r.text)).group(1)
        a = TestClient(app, base_url=BASE, raise_server_exceptions=False)
        page = a.get(link)
        assert page.status_code == 200 and "科研处的填报任务" in text_of(page.text)
        assert a.get("/d/江州学院/grid/research_projects").status_code == 200


def test_a_save_rewrites_only_the_rows_that_changed(app, demo):
    path = demo / "data" / "tables" / "tech_transfer.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    with office(app) as o:
        b = department(app, make_link(o, "科研处"))
        csrf = csrf_of(b.get("/d/demo").text)
        grid = b.get("/d/demo/grid/tech_transfer").json()
        new = {"_i": None, "项目名称": "网页新增的技术服务", "主持人": "周敏", "到账金额": "12.50", "合同类型": "技术服务"}
        r = b.post("/d/demo/grid/tech_transfer", json={"version": grid["version"], "rows": grid["rows"] + [new]},
                   headers={"x-csrf-token": csrf})
        assert r.status_code == 200 and r.json()["changes"] == 1, r.text
    after = path.read_text(encoding="utf-8").splitlines()
    assert after[:len(before)] == before                   # every row as typed, comments too
    assert "网页新增的技术服务" in "\n".join(after[len(before):])


def test_a_hostile_table_file_is_refused_before_the_grid_reads_it(app, demo):
    path = demo / "data" / "tables" / "innovation_awards.yaml"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    path.write_text(bomb, encoding="utf-8")
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        r = a.get("/d/demo/grid/innovation_awards")
        assert r.status_code == 400 and "data/tables/innovation_awards.yaml" in text_of(r.text)
        page = text_of(a.get("/d/demo").text)            # the page still opens and says which file, which line
        assert "这张表的文件无法读取：data/tables/innovation_awards.yaml" in page
    assert path.read_text(encoding="utf-8") == bomb


def test_a_department_changes_its_own_indicators_only(app, demo):
    path = demo / "data" / "indicators.yaml"
    with office(app) as o:
        a = department(app, make_link(o, "招生就业处"))
        csrf = csrf_of(a.get("/d/demo").text)
        r = a.post("/d/demo/indicators", data={"csrf": csrf, "v:毕业生人数": "5,400", "v:专任教师数": "1"})
        page = text_of(r.text)
        assert r.status_code == 200 and "已保存指标 毕业生人数：5368 → 5400" in page
        text = path.read_text(encoding="utf-8")
        assert "毕业生人数: {2022: 4856, 2023: 5123, 2024: 5400}" in text
        assert "专任教师数: {2022: 768, 2023: 801, 2024: 836}" in text         # 教务处's, not this department's
        bad = a.post("/d/demo/indicators", data={"csrf": csrf, "v:毕业生人数": "五千"})
        assert bad.status_code == 400 and "不是数字" in text_of(bad.text)
        assert "招生就业处 在网页上修改指标一行：毕业生人数: 5400（原为 毕业生人数: 5368）" in text_of(o.get("/p/demo").text)
