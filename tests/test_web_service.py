"""The web page's service layer and the defects issue 26 found, each shown failing before the fix:
framing, state change on GET, the raw Host header, pictures checked at upload, refusals that say why,
a preview message true to what happened, and long work that no longer freezes other requests."""
from __future__ import annotations

import io
import threading
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from starlette.testclient import TestClient

from reportgen.web import intake
from reportgen.web.app import Settings, create_app

from webutil import Served, app, client, csrf, csrf_of, text_of  # noqa: F401 (app, client, csrf: fixtures)



def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ framing
def test_every_answer_forbids_framing(client, demo):
    for r in (client.get("/"), client.get("/p/demo"), client.get("/p/nope"), client.get("/static/site.css"),
              client.post("/p/demo/build", data={"csrf": "wrong"})):
        assert r.headers["x-frame-options"] == "DENY", r.url
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.url
    other = create_app([demo], Settings(host="0.0.0.0", warm_office=False))
    with TestClient(other, base_url="http://192.168.1.20:8000") as c:
        refused = c.get("/")                       # the Guard's own refusal page too
        assert refused.status_code == 403 and refused.headers["x-frame-options"] == "DENY"


# ------------------------------------------------------------------ no state change on GET
def test_getting_the_workbook_writes_nothing_in_the_project(client, demo):
    (demo / "build").mkdir(exist_ok=True)
    typed = demo / "build" / "江州职业技术学院数据填报.xlsx"       # where `reportgen workbook` puts it
    typed.write_bytes(b"the office typed into this one")
    before = stamps(demo)
    r = client.get("/p/demo/workbook")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) > 3
    assert stamps(demo) == before and typed.read_bytes() == b"the office typed into this one"


# ------------------------------------------------------------------ the Host header
@pytest.mark.parametrize("host", ["127.0.0.1@evil.example", "evil.example@127.0.0.1", "evil.example",
                                  "127.0.0.1.evil.example", "localhost:80@evil.example:80", ""])
def test_a_host_that_is_not_exactly_local_is_refused(client, host):
    r = client.get("/", headers={"host": host})
    assert r.status_code == 403 and "本机访问" in text_of(r.text)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:8765", "[::1]:8000"])
def test_local_hosts_are_served(client, host):
    assert client.get("/", headers={"host": host}).status_code == 200


# ------------------------------------------------------------------ pictures at upload
def _jpeg(size=(900, 700)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _huge_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (13000, 13000)).save(buf, "PNG")        # 169 Mpx in 20 KB
    return buf.getvalue()


@pytest.mark.parametrize("name,data,says", [
    ("断了的照片.jpg", _jpeg()[:30_000], "不是能读取的图片"),
    ("巨幅.png", _huge_png(), "像素尺寸过大（13000×13000"),
], ids=["truncated-jpeg", "169-megapixel-png"])
def test_a_picture_the_build_would_refuse_is_refused_at_upload(client, demo, csrf, name, data, says):
    before = stamps(demo)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": (name, data, "image/jpeg")})
    page = text_of(r.text)
    # the answer to an upload is a redirect to the project page showing it (POST-redirect-GET)
    assert [h.status_code for h in r.history] == [303] and says in page and name in page
    assert 'class="bad"' in r.text or "未保存" in page or "没有保存" in page
    assert stamps(demo) == before


def test_a_whole_picture_is_still_taken(client, demo, csrf):
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("好照片.jpg", _jpeg(), "image/jpeg")})
    assert r.status_code == 200 and (demo / "images" / "好照片.jpg").is_file()


# ------------------------------------------------------------------ refusals say why
def test_too_many_files_says_how_many(client, demo, csrf):
    before = stamps(demo)
    files = [("files", (f"p{i}.png", b"x", "image/png")) for i in range(intake.MAX_FILES + 1)]
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files=files)
    assert r.status_code == 400 and f"一次最多上传 {intake.MAX_FILES} 个文件" in text_of(r.text)
    assert stamps(demo) == before


def test_a_very_long_file_name_is_named_as_the_reason(client, demo, csrf):
    before = stamps(demo)
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": ("图" * 2000 + ".png", b"x", "image/png")})
    assert r.status_code == 400 and "文件名太长" in text_of(r.text)
    assert stamps(demo) == before


# ------------------------------------------------------------------ messages true to what happened
def test_the_correction_page_says_the_preview_updates_only_when_it_does(client, csrf):
    jobs = client.app.state.rg.jobs
    release = threading.Event()
    jobs.start("demo", "build", "生成初稿", ["x"], lambda job: release.wait(30))
    try:
        r = client.post("/p/demo/indicators", data={"csrf": csrf, "v:全日制在校生数": "16300"})
        page = text_of(r.text)
        assert r.status_code == 200 and "16238 → 16300" in page
        assert "页面预览正在更新" not in page and "页面预览没有更新" in page
    finally:
        release.set()
        jobs.wait("demo", 30)


# ------------------------------------------------------------------ several people at once
def test_a_stale_save_is_refused_with_what_to_reload(app, tmp_path):
    from reportgen.web.service import Stale, version_of
    service = app.state.rg.service
    path = tmp_path / "rows.yaml"
    path.write_text("- a: 1\n", encoding="utf-8")
    seen = version_of(path)
    service.save_versioned(path, seen, lambda: path.write_text("- a: 2\n", encoding="utf-8"), lambda: None)
    with pytest.raises(Stale) as refused:
        service.save_versioned(path, seen, lambda: path.write_text("- a: 3\n", encoding="utf-8"),
                               lambda: path.read_text(encoding="utf-8"))
    assert refused.value.current == "- a: 2\n" and path.read_text(encoding="utf-8") == "- a: 2\n"
    assert "已被别人修改" in str(refused.value.problems())


def test_a_long_upload_does_not_freeze_other_pages(demo, monkeypatch):
    """On main the upload ran on the event loop: every page waited for it (17.5 s for a 20,000-row workbook)."""
    real = intake.take_in

    def slow_take_in(root, saved):       # the real intake, made as slow as reading a very large workbook
        time.sleep(4)
        return real(root, saved)
    monkeypatch.setattr(intake, "take_in", slow_take_in)
    app = create_app([demo], Settings(warm_office=False))
    served = Served(app)
    try:
        page = urllib.request.urlopen(served.url + "/p/demo", timeout=60).read().decode()
        token = csrf_of(page)
        buf = io.BytesIO()
        Image.new("RGB", (40, 30)).save(buf, "PNG")
        body, boundary = _multipart({"csrf": token}, ("files", "慢.png", buf.getvalue())), "b0undary"
        request = urllib.request.Request(served.url + "/p/demo/upload", data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        done = []
        upload = threading.Thread(target=lambda: done.append(urllib.request.urlopen(request, timeout=60).status))
        upload.start()
        time.sleep(0.5)
        took = []
        for _ in range(3):
            t0 = time.monotonic()
            assert urllib.request.urlopen(served.url + "/p/demo/job", timeout=60).status == 200
            took.append(time.monotonic() - t0)
        upload.join(60)
        assert done == [200]
        assert max(took) < 1.5, took             # the upload is still inside its 4 s
    finally:
        served.stop()


def _multipart(fields: dict, file: tuple[str, str, bytes]) -> bytes:
    out = b""
    for k, v in fields.items():
        out += f'--b0undary\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    name, filename, data = file
    out += (f'--b0undary\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n--b0undary--\r\n"
    return out
