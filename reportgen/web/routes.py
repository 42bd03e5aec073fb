"""The pages and actions. Each handler reads the shared state, calls the pipeline's consumers, renders a template."""
from __future__ import annotations

import hmac
import time
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..batch import peek_config
from ..departments.kit import KIT_DIR, folder_name
from ..errors import Problems, ReportgenError
from ..regen.browser import browser_changes_since
from . import absorbing, corrections, deptroutes, intake, previews, sections
from .jobs import Busy, Job
from .pages import error_page

SERVED_FOLDERS = ("build", "returns")          # the only folders files are served from
MAX_FIELD_BYTES = 64 * 1024


def table() -> list[Route]:
    return [
        Route("/", home),
        Route("/p/{key}", project),
        Route("/p/{key}/upload", upload, methods=["GET", "POST"]),
        Route("/p/{key}/section", choose_section, methods=["POST"]),
        Route("/p/{key}/build", build, methods=["POST"]),
        Route("/p/{key}/preview", preview, methods=["POST"]),
        Route("/p/{key}/job", job_status),
        Route("/p/{key}/indicators", indicators, methods=["GET", "POST"]),
        Route("/p/{key}/workbook", workbook),
        Route("/p/{key}/kits", kits, methods=["POST"]),
        Route("/p/{key}/kits/{name}", kit_file),
        Route("/p/{key}/files/{folder}/{name}", served_file),
        Route("/p/{key}/pages/{n:int}.png", page_image),
        Route("/p/{key}/pages/{n:int}", page_view),
        *absorbing.routes(),                       # 收回修改: a reviewed draft's edits back into the sources
    ]


# ------------------------------------------------------------------------------------------- helpers
def _state(request: Request):
    return request.app.state.rg


def _render(request: Request, name: str, status: int = 200, **context) -> Response:
    context.setdefault("csrf", _state(request).settings.csrf)
    if "p" in context:                         # problems name tables and sections as the draft prints them
        context.setdefault("printed_names", getattr(context["p"], "printed", {}))
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _service(request: Request):
    return request.app.state.rg.service


def _root(request: Request) -> tuple[str, Path]:
    key = request.path_params["key"]
    registry = _state(request).registry
    root = registry.get(key)
    if root is None:
        registry.refresh()
        root = registry.get(key)
    if root is None:
        raise HTTPException(404, "没有这个项目。")
    return key, root


async def _form(request: Request):
    """The POST's form once its CSRF token is checked; a client that goes away mid-upload just ends here."""
    try:
        form = await request.form(max_files=intake.MAX_FILES, max_fields=200, max_part_size=MAX_FIELD_BYTES)
    except ClientDisconnect:
        raise HTTPException(400, "上传中断（连接已断开），没有保存任何文件。") from None
    except HTTPException as e:
        raise HTTPException(e.status_code, form_refusal(str(e.detail))) from None
    except Exception as e:                 # a malformed multipart body: multipart's own error types
        if type(e).__name__ == "TooLarge":
            raise
        raise HTTPException(400, form_refusal(str(e))) from None
    given = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
    if not hmac.compare_digest(given.encode(), _state(request).settings.csrf.encode()):
        await form.close()
        raise HTTPException(403, "页面已过期或请求来源不明（缺少校验码），操作未执行。请刷新页面后重试。")
    return form


def form_refusal(reason: str) -> str:
    """Why the form was not read, in the office's words (the multipart parser says it in English)."""
    if reason.startswith("Too many files"):
        return (f"一次最多上传 {intake.MAX_FILES} 个文件，这次选择的超过了 {intake.MAX_FILES} 个，没有保存任何文件。"
                "请分几次上传。")
    if reason.startswith("Invalid multipart"):      # what Starlette says of a part header over ~4 KB, too
        return ("上传的内容无法读取，没有保存任何文件。最常见的原因是文件名太长（上传时文件名最多约 4000 个字节，"
                "约 1300 个汉字）：请把文件改成短一些的名字后再上传。")
    if reason.startswith(("Part exceeded", "Field exceeded")):
        return f"表单中有一项内容超过了 {MAX_FIELD_BYTES // 1024} KB，操作未执行。"
    if reason.startswith("Too many fields"):
        return "表单中的项目太多，操作未执行。请从项目页面上的按钮重新操作。"
    return "上传的内容格式有误，没有保存任何文件。请重新选择文件上传。"


def _job_lines(job: Job | None) -> dict:
    return job.as_json() if job else {}


# ------------------------------------------------------------------------------------------- pages
async def home(request: Request):
    st = _state(request)
    st.registry.refresh()                      # a project folder added while the server runs
    overviews = [await st.service.overview(k) for k in st.registry.roots]
    return _render(request, "home.html", projects=overviews,
                   running={k: st.jobs.running(k) for k in st.registry.roots})


async def project(request: Request, intake_result=None, status: int = 200, notice: str = ""):
    key, root = _root(request)
    st = _state(request)
    if intake_result is None:                  # the answer to an upload, after its redirect (and on reload)
        n, kept = st.intakes.get(key, (None, None))
        if n is not None and request.query_params.get("upload") == str(n):
            intake_result = kept
    ov = await st.service.overview(key)
    build_job, preview_job = st.jobs.last(key, "build"), st.jobs.last(key, "preview")
    departments = None
    if peek_config(root).get("departments"):         # computed in a worker process: it reads every return
        departments, _ = await st.service.latest(key, "departments", root,
                                                 st.service.elsewhere(intake.department_status))
    return _render(request, "project.html", status=status, p=ov, intake=intake_result, notice=notice,
                   running=st.jobs.running(key), build_job=build_job, preview_job=preview_job,
                   pages=previews.page_count(root), changed=set(previews.load_state(root).get("changed") or []),
                   downloads=_downloads(root, ov), departments=departments, kits=_kits(root, departments),
                   office_note=st.office.broken, stamp=int(time.time()),
                   dept_rows=await deptroutes.office_rows(request, key, root) if departments else [],
                   web_changes=browser_changes_since(root, ov.built_at))


def _downloads(root: Path, ov) -> list[tuple[str, str, str]]:
    """(label, folder, name) of the files the page offers from build/ and returns/: each label says which file
    it is (an edited draft's saved-aside twin and its PDF are not "the draft" again)."""
    out = []
    build_dir = root / "build"
    if ov.draft is not None and build_dir.is_dir():
        stem = ov.draft.stem
        for p in sorted(build_dir.iterdir(), key=lambda p: (p.name != ov.draft.name, p.suffix, p.name)):
            if not p.is_file() or p.name.startswith("."):
                continue
            if p.suffix in (".docx", ".pdf") and p.name.startswith(stem):
                kind = "Word" if p.suffix == ".docx" else "PDF"
                own = p.stem == stem
                out.append((f"初稿（{kind}）" if own else f"另存的新初稿（{kind}，{p.stem[len(stem):].strip('-_（）() ') or p.stem}）",
                            "build", p.name))
            elif p.name == CHANGES_FILE:
                out.append(("修改说明（本次生成与上次相比）", "build", p.name))
    returns = root / intake.RETURNS
    if returns.is_dir():
        # the return record (回收记录.json) is the program's bookkeeping, not an office's file
        out += [("已上传：" + p.name, "returns", p.name) for p in sorted(returns.iterdir())
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in intake.KINDS]
    return out


CHANGES_FILE = "修改说明.docx"


def _kits(root: Path, departments) -> list[tuple[str, str, float | None]] | None:
    """(department, its kit's .zip name, made at) of the assigned departments; None when none are assigned.

    Only the current departments' kits are offered: a kit of a department since removed is not."""
    if departments is None:
        return None
    out = []
    for d in departments:
        zip_path = root / "build" / KIT_DIR / f"{folder_name(d.name)}.zip"
        out.append((d.name, zip_path.name, zip_path.stat().st_mtime) if zip_path.is_file() else (d.name, "", None))
    return out


# ------------------------------------------------------------------------------------------- actions
async def upload(request: Request):
    key, root = _root(request)
    if request.method == "GET":                 # the address bar after an upload: the project page
        return RedirectResponse(f"/p/{key}", 303)
    form = await _form(request)
    files = [f for f in form.getlist("files") if hasattr(f, "filename") and f.filename]
    received = []
    try:
        for f in files:
            received.append((f.filename, await f.read(intake.MAX_FILE_BYTES + 1)))
    finally:
        await form.close()
    result = await _service(request).take_upload(key, root, received)
    return _answer(request, key, result)


def _answer(request: Request, key: str, result) -> Response:
    """Keep the answer to an upload and send the browser to the project page showing it (POST-redirect-GET:
    a reload shows it again and never re-sends the files)."""
    st = _state(request)
    n = st.intakes.get(key, (0, None))[0] + 1
    st.intakes[key] = (n, result)
    return RedirectResponse(f"/p/{key}?upload={n}#upload-result", 303)


async def choose_section(request: Request):
    """The office's answer to 这份 Word 是哪一节？ or 这份文件是哪个部门交回的？."""
    key, root = _root(request)
    form = await _form(request)
    name, section = str(form.get("file") or ""), str(form.get("section") or "")
    department = form.get("department")
    await form.close()
    st = _state(request)
    if department is not None:
        def collect():
            with st.service.returns_lock(root):           # collect rewrites the record of returns
                return intake.collect_as(root, name, str(department))
        try:
            result = await st.service.run(collect)
        except ReportgenError as e:
            result = intake.Intake(problems=e.problems())
        st.service.forget(key)
        return _answer(request, key, result)
    try:
        result = await st.service.run(sections.place, root, name, section)
    except ReportgenError as e:
        return await project(request, intake_result=intake.Intake(problems=e.problems()), status=400)
    st.service.forget(key)
    if result.placed:
        # the check every build runs, as the project page shows it: this section's share of it
        problems = (await st.service.overview(key)).problems
        mine = [p for p in problems.errors + problems.warnings if p.location and p.location.file == result.placed]
        result.problems.items += mine
        if not mine:
            result.notes.append("检查完毕，本节没有发现问题。")
    return _answer(request, key, result)


async def build(request: Request):
    key, root = _root(request)
    form = await _form(request)
    force = form.get("force") == "1"
    st = _state(request)
    steps = ["校验数据", "计算指标", "排版正文", "生成 PDF", "写入初稿", "页面预览"]
    try:
        st.jobs.start(key, "build", "生成初稿", steps, lambda job: _build_job(st, root, job, force))
    except Busy as e:
        return await project(request, status=409, notice=f"“{e.job.title}”正在进行中，请等它完成后再试。")
    return RedirectResponse(f"/p/{key}#build", 303)


async def preview(request: Request):
    key, root = _root(request)
    await _form(request)
    if _start_preview(request, key, root) is None:
        return await project(request, status=409, notice="另一项任务正在进行中，请等它完成后再更新预览。")
    return RedirectResponse(f"/p/{key}#preview", 303)


def _start_preview(request: Request, key: str, root: Path) -> Job | None:
    """Start a preview job; None when another job of the project is running (the page shows that one)."""
    st = _state(request)
    steps = ["校验数据", "计算指标", "排版正文", "生成 PDF", "改动的页面", "其余页面"]
    try:
        return st.jobs.start(key, "preview", "更新页面预览", steps, lambda job: _preview(st, root, job))
    except Busy:
        return None


async def job_status(request: Request):
    key, root = _root(request)
    st = _state(request)
    running = st.jobs.running(key)
    latest = running or max(filter(None, [st.jobs.last(key, "build"), st.jobs.last(key, "preview")]),
                            key=lambda j: j.id, default=None)
    state = previews.load_state(root)
    return JSONResponse({"running": bool(running), "job": _job_lines(latest),
                         "pages": state.get("count", 0), "changed": state.get("changed", [])})


async def indicators(request: Request):
    """The report year's raw indicators as the draft prints them, each saved where it comes from."""
    key, root = _root(request)
    st = _state(request)
    ov = await st.service.overview(key)
    year = ov.year if isinstance(ov.year, int) else None
    if year is None:
        raise HTTPException(400, "report.yaml 中的报告年度（year）有误，无法修改指标。")
    edits, problems, typed = [], Problems(), {}
    started = False
    if request.method == "POST":
        form = await _form(request)
        typed = {k[2:]: str(v or "") for k, v in form.items() if k.startswith("v:")}
        edits, problems = await st.service.save_indicators(root, year, typed)
        st.service.forget(key)
        if edits:
            started = _start_preview(request, key, root) is not None
    rows = await st.service.run(corrections.rows, root, year)
    if problems.errors:
        for r in rows:                         # what was typed stays in the form, to be corrected
            r.value = typed.get(r.name, r.value)
    return _render(request, "indicators.html", status=400 if problems.errors else 200, p=ov, year=year,
                   rows=rows, edits=edits, problems=problems, preview_started=started,
                   wrong={p.location.path for p in problems.errors if p.location})


async def workbook(request: Request):
    """Export the fill-in workbook (as `reportgen workbook` does) and send it."""
    key, root = _root(request)
    try:
        name, data = await _service(request).workbook_bytes(root)
    except ReportgenError as e:
        return error_page(request.app.state.templates, request, 400, "无法生成填报工作簿，请先改正以下问题：",
                          e.problems())
    return Response(data, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


async def kits(request: Request):
    """Make every department's kit (as `reportgen kit` does, into build/任务包/); the page then lists the .zips."""
    key, root = _root(request)
    await _form(request)
    from ..departments.kit import make_kits
    await _service(request).run(make_kits, root)       # a few seconds of Word and Excel writing, off the event loop
    return RedirectResponse(f"/p/{key}#kits", 303)


async def kit_file(request: Request):
    key, root = _root(request)
    name = request.path_params["name"]
    if not name.endswith(".zip"):
        raise HTTPException(404, "没有这个文件。")
    return _send(_listed(root / "build" / KIT_DIR, name))


async def served_file(request: Request):
    key, root = _root(request)
    folder, name = request.path_params["folder"], request.path_params["name"]
    if folder not in SERVED_FOLDERS:
        raise HTTPException(404, "只能下载项目 build/ 和 returns/ 文件夹中的文件。")
    return _send(_listed(root / folder, name))


def _listed(folder: Path, name: str) -> Path:
    """`name` as one of the folder's own files: a name, never a path."""
    base = folder.resolve()
    if "/" in name or "\\" in name or name in ("", ".", "..") or name.startswith(".") or not base.is_dir():
        raise HTTPException(404, "没有这个文件。")
    listed = {p.name: p for p in base.iterdir() if p.is_file()}
    path = listed.get(name)
    if path is None or path.resolve().parent != base:
        raise HTTPException(404, "没有这个文件。")
    return path


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> str:
    from urllib.parse import quote
    return f"attachment; filename*=utf-8''{quote(name)}"


def _send(path: Path) -> FileResponse:
    return FileResponse(path, filename=path.name)


async def page_image(request: Request):
    key, root = _root(request)
    n = request.path_params["n"]
    path = previews.page_file(root, n)
    if n < 1 or not path.is_file():
        raise HTTPException(404, "没有这一页的预览图。")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-cache"})


async def page_view(request: Request):
    key, root = _root(request)
    n, count = request.path_params["n"], previews.page_count(root)
    if not 1 <= n <= count:
        raise HTTPException(404, "没有这一页的预览图。")
    return _render(request, "page.html", p=await _service(request).overview(key), n=n, count=count,
                   stamp=int(time.time()))


# ------------------------------------------------------------------------------------------- jobs
STAGES = {"load": "校验数据", "check": "校验数据", "compute": "计算指标", "render": "排版正文", "pdf": "生成 PDF",
          "write": "写入初稿"}


class _Progress(dict):
    """The pipeline's stage timings (timing.stage) as steps of a job's progress bar."""

    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def __setitem__(self, name, seconds):
        super().__setitem__(name, seconds)
        if name in STAGES:
            self.job.step(STAGES[name], f"{STAGES[name]}完成")


def _build_job(st, root: Path, job: Job, force: bool) -> None:
    from ..export.office import have_office
    from ..pipeline import build as run_build
    from ..regen.present import console_lines, rebuild_lines
    from ..regen.publish import write_changelog
    pdf = have_office()
    if not pdf:
        job.steps = [s for s in job.steps if s not in ("生成 PDF", "页面预览")]
    job.detail = "正在校验数据"
    # the draft and its PDF exactly as `reportgen build --pdf` makes them, by the LibreOffice kept running
    prepared, s = run_build(root, timings=_Progress(job), force=force, pdf=pdf, office=st.office)
    r = s.rebuild
    write_changelog(root / "build" / CHANGES_FILE, r.changes, prepared, r.target, r.path)   # with the browser's rows
    job.lines = [f"已生成初稿：{r.path.name}" if r.written else f"初稿已是最新，未改写：{r.path.name}",
                 f"章节 {s.chapters} 个，表格 {s.tables} 张，案例 {s.cases} 个，图片 {s.figures} 幅；"
                 f"待补充 {s.placeholders} 处，警告 {s.warnings} 个"]
    if s.pdf is not None:
        job.lines.append(f"已生成 PDF：{s.pdf.name}" + (f"（共 {s.pages} 页）" if s.pages else ""))
    job.lines += rebuild_lines(r)
    job.changes = console_lines(r.changes)
    job.problems = prepared.problems
    if pdf:
        job.detail = "正在生成页面预览"
        previews.draw(root, s.pdf.read_bytes(), None, previews.toc_pages(prepared), _drawing(job))
    job.step("页面预览")


def _preview(st, root: Path, job: Job) -> None:
    job.detail = "正在校验数据"
    prepared, made = previews.lay_out(root, st.office, _Progress(job))
    job.step("生成 PDF", "正在画出改动的页面")
    job.problems = prepared.problems
    previews.draw(root, made.pdf, made.texts, previews.toc_pages(prepared), _drawing(job))


def _drawing(job: Job):
    def progress(part: str, i: int, n: int) -> None:
        if part == "changed" and i == n:
            job.step("改动的页面", "改动的页面已更新，正在更新其余页面")
        elif part == "rest" and i == n:
            job.step("其余页面", "页面预览已全部更新")
    return progress
