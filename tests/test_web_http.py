"""The web page's safety rules over HTTP: token, host, CSRF, traversal, sizes, hostile and broken uploads,
concurrent builds, a failing build, and the small corrections form."""
from __future__ import annotations

import io
import re
import socket
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image
from starlette.testclient import TestClient

from reportgen.web import app as web_app
from reportgen.web import draft_jobs, intake, routes
from reportgen.web.app import Settings, create_app

from webutil import LOCAL, Served, app, client, csrf, csrf_of, text_of  # noqa: F401 (app, client, csrf: fixtures)



def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buf, "PNG")
    return buf.getvalue()


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ who may ask
def test_non_local_host_needs_the_token(demo):
    app = create_app([demo], Settings(host="0.0.0.0", warm_office=False))
    token = app.state.rg.settings.token
    assert token and len(token) >= 20
    with TestClient(app, base_url="http://192.168.1.20:8000") as c:
        r = c.get("/")
        assert r.status_code == 403 and "访问口令" in r.text and "Traceback" not in r.text
        assert c.get("/?token=wrong").status_code == 403
        assert c.get("/p/demo/files/build/x.docx").status_code == 403
        r = c.get(f"/p/demo?token={token}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/p/demo"
        assert "token" not in r.headers["location"]
        assert c.get("/p/demo").status_code == 200          # the cookie from now on


def test_local_server_refuses_other_host_names(client):
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the projects
    with TestClient(client.app, base_url="http://evil.example") as other:
        r = other.get("/")
        assert r.status_code == 403 and "本机" in r.text
    assert client.get("/").status_code == 200


def test_every_post_needs_the_csrf_token(client, demo, csrf):
    before = files_under(demo)
    posts = [r.path for r in routes.table() if "POST" in (r.methods or ())]
    assert len(posts) >= 4
    for path in posts:
        url = path.replace("{key}", "demo")
        for data in ({}, {"csrf": "forged"}):
            r = client.post(url, data=data, files={"files": ("a.png", png_bytes(), "image/png")})
            assert r.status_code == 403, url
            assert "校验码" in r.text
    assert files_under(demo) == before
    assert client.app.state.rg.jobs.last("demo", "build") is None


# ------------------------------------------------------------------ what may be read
@pytest.mark.parametrize("url", [
    "/p/demo/files/build/..%2Freport.yaml",
    "/p/demo/files/build/%2E%2E",
    "/p/demo/files/data/indicators.yaml",
    "/p/demo/files/images/ceremony-flag.jpg",
    "/p/demo/files/returns/..%2F..%2Freport.yaml",
    "/p/demo/files/build/..\\report.yaml",
    "/p/demo/files/build/.hidden",
    "/p/..%2Fdemo/files/build/x",
    "/p/nope",
    "/static/..%2F..%2Fcli.py",
    "/p/demo/pages/0.png",
    "/p/demo/kits/..%2F..%2Freport.yaml",
    "/p/demo/kits/report.yaml",
    "/p/demo/pages/-1.png",
])
def test_traversal_and_unknown_urls_get_a_chinese_404(client, demo, url):
    (demo / "build").mkdir(exist_ok=True)
    (demo / "build" / ".hidden").write_text("x")
    r = client.get(url)
    assert r.status_code == 404, url
    assert "Traceback" not in r.text and "report.yaml" not in r.text.replace("report.yaml 的", "")
    assert "pack:" not in r.text


def test_files_of_build_and_returns_are_served(client, demo):
    (demo / "build").mkdir(exist_ok=True)
    (demo / "build" / "草稿 1.docx").write_bytes(b"draft")
    r = client.get("/p/demo/files/build/草稿%201.docx")
    assert r.status_code == 200 and r.content == b"draft"


def test_upload_names_are_chosen_by_the_server(client, demo, csrf):
    config = (demo / "report.yaml").read_text(encoding="utf-8")
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files=[
        ("files", ("../../../report.yaml.png", png_bytes(), "image/png")),
        ("files", ("..\\..\\evil.png", png_bytes(), "image/png")),
    ])
    assert r.status_code == 200, text_of(r.text)
    assert (demo / "report.yaml").read_text(encoding="utf-8") == config
    new = {p.name for p in (demo / "images").iterdir()} - {p.name for p in (Path(__file__).parent.parent
                                                             / "examples/annual-2024-demo/images").iterdir()}
    assert new == {"report-yaml.png", "evil.png"}
    assert not (demo.parent / "evil.png").exists() and not (demo.parent.parent / "report.yaml.png").exists()
    # the same name again is kept beside, never over
    client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("evil.png", png_bytes(), "image/png")})
    assert (demo / "images" / "evil-2.png").is_file()


# ------------------------------------------------------------------ sizes and hostile files
def test_oversize_request_is_refused_before_it_is_read(client, demo, csrf, monkeypatch):
    monkeypatch.setattr(web_app, "MAX_REQUEST_BYTES", 50_000)
    before = files_under(demo)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("big.png", b"0" * 60_000, "image/png")})
    assert r.status_code == 413 and "MB" in r.text
    # no Content-Length (chunked): counted as it arrives
    def chunks():
        yield b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf.encode() + b"\r\n"
        for _ in range(20):
            yield b"0" * 10_000
    r = client.post("/p/demo/upload", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413
    assert files_under(demo) == before


def test_oversize_file_is_refused_and_not_kept(client, demo, csrf, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 10_000)
    before = files_under(demo)
    big = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(big, "PNG")
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("photo.png", big.getvalue(), "image/png")})
    assert r.history[0].status_code == 303 and "上传时发现的问题" in r.text      # POST-redirect-GET
    assert "文件太大：photo.png" in text_of(r.text)
    assert files_under(demo) == before


@pytest.mark.parametrize("name,data,says", [
    ("数据.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 .xlsx 文件"),
    ("正文.docx", b"<html>hello</html>", "不是有效的 .docx 文件"),
    ("photo.jpg", b"GIF89a" + b"\0" * 100, "不是能读取的图片"),
    ("tool.exe", b"MZ" + b"\0" * 100, "不接受这种文件"),
    ("page.html", b"<script>alert(1)</script>", "不接受这种文件"),
])
def test_hostile_uploads_get_a_located_chinese_answer(client, demo, csrf, name, data, says):
    before = files_under(demo)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": (name, data, "application/octet-stream")})
    assert r.history[0].status_code == 303 and "上传时发现的问题" in r.text      # POST-redirect-GET
    assert says in text_of(r.text) and name in text_of(r.text)
    assert "<script>alert" not in r.text                 # names are escaped
    assert files_under(demo) == before
    assert client.get("/").status_code == 200


def test_unreadable_workbook_is_kept_but_not_made_the_project_workbook(client, demo, csrf):
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not-closed")
    config = (demo / "report.yaml").read_text(encoding="utf-8")
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("坏.xlsx", buf.getvalue(), "x")})
    assert r.status_code == 200 and "未设为项目的填报工作簿" in text_of(r.text)
    assert (demo / "report.yaml").read_text(encoding="utf-8") == config
    assert len(list((demo / "returns").glob("*.xlsx"))) == 1


def test_wrong_cell_in_an_uploaded_workbook_is_shown_with_sheet_and_cell(client, demo, csrf, wb_path):
    import openpyxl
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["指标"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "专任教师数")
    col = next(c.column_letter for c in ws[1] if c.value == 2024)
    ws[f"{col}{row[0].row}"] = "八百"
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("人事处.xlsx", buf.getvalue(), "x")})
    page = text_of(r.text)
    assert f"人事处.xlsx › 工作表“指标” › 单元格 {col}{row[0].row}" in page and "八百" in page
    assert "workbook: returns/" in (demo / "report.yaml").read_text(encoding="utf-8")
    assert "# 报告项目设置" in (demo / "report.yaml").read_text(encoding="utf-8")    # comments kept


def test_client_gone_mid_upload_leaves_the_server_serving(demo):
    import httpx2 as httpx
    served = Served(create_app([demo], Settings(warm_office=False)))
    try:
        page = httpx.get(served.url + "/p/demo", timeout=120).text     # the page loads the project: slow under load
        body = (b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf_of(page).encode()
                + b"\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n"
                b"Content-Type: image/png\r\n\r\n" + png_bytes()[:50])
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", served.port)) as s:
                s.sendall(b"POST /p/demo/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000\r\n\r\n" + body)
            time.sleep(0.2)
        assert httpx.get(served.url + "/", timeout=120).status_code == 200
        assert not (demo / "returns").exists()
        assert not any(p.name.startswith("a") for p in (demo / "images").iterdir())
    finally:
        served.stop()


# ------------------------------------------------------------------ jobs
def test_one_build_per_project_at_a_time(client, demo, csrf, monkeypatch):
    release = threading.Event()
    ran = []

    def slow(st, root, job, force):
        ran.append(root)
        release.wait(30)
    monkeypatch.setattr(draft_jobs, "build_draft", slow)
    results = []

    def press():
        results.append(client.post("/p/demo/build", data={"csrf": csrf}, follow_redirects=False))
    threads = [threading.Thread(target=press) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in results)
    assert codes == [303, 409, 409]
    assert "正在进行中" in text_of(next(r for r in results if r.status_code == 409).text)
    assert client.get("/p/demo/job").json()["running"] is True
    release.set()
    client.app.state.rg.jobs.wait("demo", 30)
    assert len(ran) == 1
    assert client.post("/p/demo/build", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.app.state.rg.jobs.wait("demo", 30)


def test_a_failing_build_is_told_and_the_server_goes_on(client, demo, csrf):
    path = demo / "data" / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("专任教师数: {2022: 768", "专任教师数: {2022: 七百"),
                    encoding="utf-8")
    r = client.post("/p/demo/build", data={"csrf": csrf})
    client.app.state.rg.jobs.wait("demo", 120)
    job = client.app.state.rg.jobs.last("demo", "build")
    assert job.state == "failed"
    page = text_of(client.get("/p/demo").text)
    assert "上次生成未完成" in page and "data/indicators.yaml 第 " in page and "七百" in page
    assert not (demo / "build").exists() or not list((demo / "build").glob("*.docx"))
    assert r.status_code == 200 and client.get("/").status_code == 200


def test_a_crash_is_a_chinese_page_not_a_traceback(client, monkeypatch):
    def boom(key):
        raise RuntimeError("internal detail")
    monkeypatch.setattr(client.app.state.rg.registry, "overview", boom)
    r = client.get("/p/demo")
    assert r.status_code == 500 and "程序内部错误" in r.text
    assert "Traceback" not in r.text and "internal detail" not in r.text


# ------------------------------------------------------------------ small corrections
def test_indicator_correction_keeps_comments_and_shows_in_the_next_change_report(client, demo, csrf, run):
    assert run("build", demo).code == 0
    path = demo / "data" / "indicators.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    r = client.post("/p/demo/indicators", data={"csrf": csrf, "v:全日制在校生数": "16,300", "v:专任教师数": "836"})
    assert r.status_code == 200 and "全日制在校生数：16238 → 16300" in text_of(r.text)
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert changed[0][1].startswith("全日制在校生数: {2022: 15362, 2023: 15806, 2024: 16300}")
    client.app.state.rg.jobs.wait("demo", 300)
    out = run("build", demo, "--changes", demo / "build" / "changes.md")
    assert "全日制在校生数（2024年）：16238 人 → 16300 人" in out.text
    assert "16300" in (demo / "build" / "changes.md").read_text(encoding="utf-8")


def test_a_wrong_correction_saves_nothing(client, demo, csrf):
    path = demo / "data" / "indicators.yaml"
    before = path.read_text(encoding="utf-8")
    r = client.post("/p/demo/indicators", data={"csrf": csrf, "v:全日制在校生数": "16300", "v:专任教师数": "八百"})
    assert r.status_code == 400
    assert "指标修改表（专任教师数）" in text_of(r.text) and "不是数字" in text_of(r.text)
    assert path.read_text(encoding="utf-8") == before


def test_a_hostile_indicator_file_is_refused_before_the_form_edits_it(client, demo, csrf):
    """The form's round-trip editor reads the file only after the bounded reader let it through."""
    path = demo / "data" / "indicators.yaml"
    levels = ['l0: &l0 ["笑", "笑", "笑", "笑", "笑", "笑", "笑", "笑", "笑"]']
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]    # 9^9 strings if expanded
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    before = path.read_bytes()
    for r in (client.get("/p/demo/indicators"),
              client.post("/p/demo/indicators", data={"csrf": csrf, "v:全日制在校生数": "16300"})):
        assert r.status_code == 400, r.text[:300]
        assert "data/indicators.yaml" in text_of(r.text) and "Traceback" not in r.text
    assert path.read_bytes() == before


# ------------------------------------------------------------------ the command
def test_serve_command_refuses_a_missing_folder(run, tmp_path):
    r = run("serve", tmp_path / "没有这个文件夹")
    assert r.code == 2 and "文件夹不存在" in r.text


def test_start_url_carries_the_token_off_localhost():
    from reportgen.web.server import start_url
    assert start_url(Settings()) == "http://127.0.0.1:8000/"
    s = Settings(host="192.168.1.5", port=8080, token="abc")
    assert start_url(s) == "http://192.168.1.5:8080/?token=abc"


def test_an_input_error_inside_a_request_is_a_located_page(client, monkeypatch):
    from reportgen.errors import Location, ReportgenError

    def refuse(root, saved):
        raise ReportgenError("report.yaml 中 departments 的写法有误", Location("report.yaml", line=12))
    monkeypatch.setattr(intake, "take_in", refuse)
    csrf = csrf_of(client.get("/p/demo").text)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("a.png", png_bytes(), "image/png")})
    assert r.status_code == 400
    assert "report.yaml 第 12 行" in text_of(r.text) and "departments 的写法有误" in r.text


def test_the_form_shows_values_as_the_file_writes_them_and_keeps_a_wrong_one(client, demo, csrf):
    page = client.get("/p/demo/indicators").text
    assert 'name="v:母校满意度" value="97.30"' in page           # the file has 97.30, not 97.3
    r = client.post("/p/demo/indicators", data={"csrf": csrf, "v:专任教师数": "八百"})
    assert 'name="v:专任教师数" value="八百" class="wrong"' in r.text


# ------------------------------------------------------------------ department returns (reportgen.departments)
def test_department_returns_go_through_collect_and_status_shows_each_department(demo, run, tmp_path):
    from deptutil import NEW_SENTENCE, assign_three, kit_file, rewrite_paragraph
    assign_three(demo)
    kit = tmp_path / "任务包"
    assert run("kit", demo, "-o", kit).code == 0
    back = tmp_path / "就业一节-王老师改.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), back, "学校把促进毕业生高质量充分就业", NEW_SENTENCE)
    app = create_app([demo], Settings(warm_office=False))
    with TestClient(app, base_url=LOCAL) as c:
        page = c.get("/p/demo").text
        assert "各部门提交情况" in page and "国际交流处" in text_of(page)
        r = c.post("/p/demo/upload", data={"csrf": csrf_of(page)},
                   files={"files": (back.name, back.read_bytes(), "application/octet-stream")})
        shown = text_of(r.text)
        assert r.status_code == 200 and "已收取" in shown and "招生就业处" in shown, shown[:2000]
        assert "workbook:" not in (demo / "report.yaml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ department kits and owners on the page
def _owners(html: str, section_id: str) -> dict[str, str]:
    """First column → last column of the rows of the page's card `section_id` (小节/表 → 负责部门)."""
    card = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td>.*?<td>([^<]*)</td>\s*</tr>", card, re.S)
    return {text_of(first).strip(): last.strip() for first, last in rows}


def test_kits_are_not_made_without_the_csrf_token(demo):
    from deptutil import assign_three
    assign_three(demo)
    with TestClient(create_app([demo], Settings(warm_office=False)), base_url=LOCAL) as c:
        for data in ({}, {"csrf": "forged"}):
            r = c.post("/p/demo/kits", data=data)
            assert r.status_code == 403 and "校验码" in r.text
    assert not (demo / "build").exists()


def test_department_kits_are_made_and_downloaded_from_the_page(demo):
    import openpyxl
    from docx import Document
    from deptutil import assign_three
    assign_three(demo)
    with TestClient(create_app([demo], Settings(warm_office=False)), base_url=LOCAL) as c:
        page = c.get("/p/demo").text
        assert 'id="kits-button"' in page and "尚未生成任务包" in text_of(page)
        assert "/p/demo/kits/" not in page
        r = c.post("/p/demo/kits", data={"csrf": csrf_of(page)})
        assert r.status_code == 200 and r.url.path == "/p/demo"
        links = dict((unquote(href), text_of(label)) for href, label in
                     re.findall(r'href="(/p/demo/kits/[^"]+)" class="dl-kit">(.*?)</a>', r.text))
        assert sorted(links) == sorted(f"/p/demo/kits/{d}.zip" for d in ("招生就业处", "科研处", "国际交流处"))
        for href, label in links.items():
            department = href.rsplit("/", 1)[1][:-4]
            assert department in label
            got = c.get(href)
            assert got.status_code == 200 and department in unquote(got.headers["content-disposition"])
            with zipfile.ZipFile(io.BytesIO(got.content)) as z:
                names = z.namelist()
                docs = [n for n in names if n.endswith(".docx")]
                books = [n for n in names if n.endswith(".xlsx")]
                assert docs and books, names
                assert all(n.startswith(f"{department}/") for n in names)
                Document(io.BytesIO(z.read(docs[0])))                  # real files, they open again
                assert openpyxl.load_workbook(io.BytesIO(z.read(books[0]))).sheetnames
    # the kits are where `reportgen kit` puts them, inside the project's build folder
    assert sorted(p.name for p in (demo / "build" / "任务包").glob("*.zip")) == sorted(
        f"{d}.zip" for d in ("招生就业处", "科研处", "国际交流处"))


def test_without_departments_the_page_says_how_to_assign_them(client, demo):
    from deptutil import drop_departments
    drop_departments(demo)
    assert "departments:" not in (demo / "report.yaml").read_text(encoding="utf-8")
    page = client.get("/p/demo").text
    hint = text_of(page.split('id="kits-hint"', 1)[1].split("</p>", 1)[0])
    assert "部门分工" in hint and "departments" in hint and "reportgen init" in hint
    assert 'id="kits-button"' not in page


def test_sections_and_tables_show_their_owning_department(demo):
    from deptutil import assign_three
    assign_three(demo)
    # a section the school added (its own narrative file, its own title) is assignable and shown too
    (demo / "narrative" / "culture" / "05-museum.md").write_text("## 校史馆育人新探索\n\n校史馆全年接待参观。\n",
                                                                  encoding="utf-8")
    with open(demo / "report.yaml", "a", encoding="utf-8") as f:
        f.write("  宣传部:\n    sections: [culture/museum]\n")
    with TestClient(create_app([demo], Settings(warm_office=False)), base_url=LOCAL) as c:
        page = c.get("/p/demo").text
    sections = _owners(page, "sections")
    by_title = {title.split("）", 1)[-1]: owner for title, owner in sections.items()}
    # the demo reworded its employment heading: the owner comes from the assignment, not from the pack's title
    assert by_title["做实就业服务，促进毕业生高质量充分就业"] == "招生就业处"
    assert by_title["科研团队与科研项目"] == by_title["技术服务与技术交易"] == "科研处"
    assert by_title["中外合作办学"] == by_title["境外办学与国际交流"] == "国际交流处"
    assert by_title["校史馆育人新探索"] == "宣传部"
    assert by_title["社会培训"] == "—"
    assert sum(owner != "—" for owner in sections.values()) == 7
    tables = _owners(page, "tables")
    assert tables["创新创业大赛获奖情况一览表"] == "招生就业处"
    assert [t for t, owner in tables.items() if owner == "科研处"] and tables["国家规划教材统计表"] == "—"
    # table titles are shown as printed, the year filled in ("{{ year }} 年度技术交易额一览表" in the pack)
    assert not [t for t in tables if "{" in t] and any(t.startswith("2024") for t in tables)
