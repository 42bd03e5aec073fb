"""Ten departments at once on one server while a build runs (loopback only, bounded, stops by itself).

Each department, in its own thread, uploads a workbook of its own (read and checked as `collect` reads it) and
then, ROUNDS times, loads its page and saves a new row in its grid. The office's build runs meanwhile.
Prints p50/p95/max of page loads and saves, and checks nothing was lost: every row in its YAML file,
every uploaded workbook kept under returns/.   python bench/web_departments.py [ROUNDS]
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from reportgen.web import department as links          # noqa: E402
from reportgen.web.deptroutes import cookie_name       # noqa: E402
from reportgen.web.app import TOKEN_COOKIE, Settings, create_app   # noqa: E402
from webutil import Served, csrf_of                     # noqa: E402

TABLES = ["certificates", "coop_textbooks", "innovation_platforms", "majors_emerging", "majors_environment",
          "majors_shortage", "planned_textbooks", "research_teams", "teaching_awards", "tech_transfer"]


def request(url, cookie, data=None, headers=None, method=None):
    h = {"Cookie": cookie, **(headers or {})}
    t0 = time.monotonic()
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            body, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return status, body, time.monotonic() - t0


def multipart(csrf: str, name: str, data: bytes) -> tuple[bytes, str]:
    b = "rgbench"
    body = (f'--{b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n--{b}\r\n'
            f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n').encode() + data
    return body + f"\r\n--{b}--\r\n".encode(), f"multipart/form-data; boundary={b}"


def main(rounds: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="rg-bench-depts-"))
    demo = tmp / "demo"
    shutil.copytree(ROOT / "examples" / "annual-2024-demo", demo, ignore=shutil.ignore_patterns("build"))
    names = [f"部门{n:02d}" for n in range(1, 11)]
    with open(demo / "report.yaml", "a", encoding="utf-8") as f:
        f.write("departments:\n" + "".join(f"  {n}:\n    tables: [{t}]\n    deadline: 2099-12-31\n"
                                         for n, t in zip(names, TABLES)))
    from reportgen.departments.kit import make_kits
    kit = make_kits(demo, tmp / "kits").output           # each department's own workbook, as the office sends it
    books = {n: next(p for p in (kit / n).iterdir() if p.suffix == ".xlsx").read_bytes() for n in names}
    tokens = {n: links.make_link(demo, n, None, 7) for n in names}
    app = create_app([demo], Settings(host="0.0.0.0", warm_office=False))
    served = Served(app)
    office = f"{TOKEN_COOKIE}={app.state.rg.settings.token}"
    pages, saves, uploads, errors, firsts = [], [], [], [], []
    try:
        status, body, _ = request(served.url + "/p/demo", office)
        request(served.url + "/p/demo/build", office, f"csrf={csrf_of(body.decode())}".encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
        assert app.state.rg.jobs.running("demo") is not None, "the build should be running"

        def department(name: str, table: str) -> None:
            cookie = f"{cookie_name('demo')}={tokens[name]}"
            status, body, took = request(served.url + "/d/demo", cookie)
            pages.append(took)
            firsts.append(took)
            csrf = csrf_of(body.decode())
            data, ctype = multipart(csrf, f"{name}.xlsx", books[name])
            status, body, took = request(served.url + "/d/demo/upload", cookie, data, {"Content-Type": ctype})
            uploads.append(took)
            if status != 200 or "已收取" not in body.decode():
                import re
                said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.decode()))
                errors.append(f"{name} upload {status} {said[said.find('交回文件') - 300:said.find('交回文件')]}")
            for r in range(rounds):
                status, body, took = request(served.url + "/d/demo", cookie)
                pages.append(took)
                for attempt in range(5):              # a stale save is refused: reload and save again
                    grid = json.loads(request(served.url + f"/d/demo/grid/{table}", cookie)[1])
                    row = {k: v for k, v in grid["rows"][0].items() if k != "_i"}      # a row that passes
                    first_text = next(c["name"] for c in grid["columns"] if c["type"] == "text")
                    row[first_text] = f"{name}第{r + 1}行"
                    payload = json.dumps({"version": grid["version"], "rows": grid["rows"] + [{"_i": None, **row}]})
                    status, body, took = request(served.url + f"/d/demo/grid/{table}", cookie, payload.encode(),
                                                 {"Content-Type": "application/json", "X-CSRF-Token": csrf})
                    saves.append(took)
                    if status != 409:
                        break
                if status != 200:
                    errors.append(f"{name} save {status} {body[:200].decode(errors='replace')}")
        threads = [threading.Thread(target=department, args=(n, t)) for n, t in zip(names, TABLES)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        wall = time.monotonic() - t0
        build_running = app.state.rg.jobs.running("demo") is not None
        app.state.rg.jobs.wait("demo", 600)
        build = app.state.rg.jobs.last("demo", "build")
        build_said = {"done": "成功", "failed": "失败：" + "；".join(p.message for p in build.problems.errors[:2])}.get(
            build.state, build.state)
    finally:
        served.stop()
    lost = []
    for n, t in zip(names, TABLES):
        text = (demo / "data" / "tables" / f"{t}.yaml").read_text(encoding="utf-8")
        lost += [f"{t} {n}第{r + 1}行" for r in range(rounds) if f"{n}第{r + 1}行" not in text]
    kept = list((demo / "returns").rglob("部门*.xlsx"))

    def q(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")
    later = list(pages)
    for x in firsts:
        later.remove(x)
    for label, xs in (("页面加载", pages), ("其中首次打开", firsts), ("其余页面加载", later), ("表格保存", saves),
                      ("工作簿上传", uploads)):
        print(f"{label}: {len(xs)} 次  p50 {statistics.median(xs):.2f} s  p95 {q(xs, 0.95):.2f} s  最长 {max(xs):.2f} s")
    print(f"总用时 {wall:.1f} s；负载结束时构建{'仍在进行' if build_running else '已完成'}（构建{build_said}）；"
          f"保存的工作簿 {len(kept)}/10；错误 {len(errors)}")
    for e in errors:
        print("  " + e)
    print("丢失：" + ("无" if not lost else "、".join(lost[:10])))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
