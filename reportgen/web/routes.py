"""The pages and actions. Each handler reads the shared state, calls the pipeline's consumers, renders a template."""
from __future__ import annotations

import time
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..departments.kit import KIT_DIR
from ..errors import Problems, ReportgenError
from . import absorbing, corrections, intake, previews, sections
from .draft_jobs import start_build, start_preview
from .handling import checked_form, project_root, render, state
from .jobs import Busy, Job
from .pages import error_page
from .project_page import project

SERVED_FOLDERS = ("build", "returns")          # the only folders files are served from


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
def _job_lines(job: Job | None) -> dict:
    return job.as_json() if job else {}


# ------------------------------------------------------------------------------------------- pages
async def home(request: Request):
    st = state(request)
    st.registry.refresh()                      # a project folder added while the server runs
    overviews = [await st.service.overview(k) for k in st.registry.roots]
    return render(request, "home.html", projects=overviews,
                  running={k: st.jobs.running(k) for k in st.registry.roots})


# ------------------------------------------------------------------------------------------- actions
async def upload(request: Request):
    key, root = project_root(request)
    if request.method == "GET":                 # the address bar after an upload: the project page
        return RedirectResponse(f"/p/{key}", 303)
    form = await checked_form(request)
    files = [f for f in form.getlist("files") if hasattr(f, "filename") and f.filename]
    received = []
    try:
        for f in files:
            received.append((f.filename, await f.read(intake.MAX_FILE_BYTES + 1)))
    finally:
        await form.close()
    result = await state(request).service.take_upload(key, root, received)
    return _answer(request, key, result)


def _answer(request: Request, key: str, result) -> Response:
    """Keep the answer to an upload and send the browser to the project page showing it (POST-redirect-GET:
    a reload shows it again and never re-sends the files)."""
    st = state(request)
    n = st.intakes.get(key, (0, None))[0] + 1
    st.intakes[key] = (n, result)
    return RedirectResponse(f"/p/{key}?upload={n}#upload-result", 303)


async def choose_section(request: Request):
    """The office's answer to 这份 Word 是哪一节？ or 这份文件是哪个部门交回的？."""
    key, root = project_root(request)
    form = await checked_form(request)
    name, section = str(form.get("file") or ""), str(form.get("section") or "")
    department = form.get("department")
    await form.close()
    st = state(request)
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
    key, root = project_root(request)
    form = await checked_form(request)
    force = form.get("force") == "1"
    try:
        start_build(state(request), key, root, force)
    except Busy as e:
        return await project(request, status=409, notice=f"“{e.job.title}”正在进行中，请等它完成后再试。")
    return RedirectResponse(f"/p/{key}#build", 303)


async def preview(request: Request):
    key, root = project_root(request)
    await checked_form(request)
    if start_preview(state(request), key, root) is None:
        return await project(request, status=409, notice="另一项任务正在进行中，请等它完成后再更新预览。")
    return RedirectResponse(f"/p/{key}#preview", 303)


async def job_status(request: Request):
    key, root = project_root(request)
    st = state(request)
    running = st.jobs.running(key)
    latest = running or max(filter(None, [st.jobs.last(key, "build"), st.jobs.last(key, "preview")]),
                            key=lambda j: j.id, default=None)
    shown = previews.load_state(root)
    return JSONResponse({"running": bool(running), "job": _job_lines(latest),
                         "pages": shown.get("count", 0), "changed": shown.get("changed", [])})


async def indicators(request: Request):
    """The report year's raw indicators as the draft prints them, each saved where it comes from."""
    key, root = project_root(request)
    st = state(request)
    ov = await st.service.overview(key)
    year = ov.year if isinstance(ov.year, int) else None
    if year is None:
        raise HTTPException(400, "report.yaml 中的报告年度（year）有误，无法修改指标。")
    edits, problems, typed = [], Problems(), {}
    started = False
    if request.method == "POST":
        form = await checked_form(request)
        typed = {k[2:]: str(v or "") for k, v in form.items() if k.startswith("v:")}
        edits, problems = await st.service.save_indicators(root, year, typed)
        st.service.forget(key)
        if edits:
            started = start_preview(st, key, root) is not None
    rows = await st.service.run(corrections.rows, root, year)
    if problems.errors:
        for r in rows:                         # what was typed stays in the form, to be corrected
            r.value = typed.get(r.name, r.value)
    return render(request, "indicators.html", status=400 if problems.errors else 200, p=ov, year=year,
                  rows=rows, edits=edits, problems=problems, preview_started=started,
                  wrong={p.location.path for p in problems.errors if p.location})


async def workbook(request: Request):
    """Export the fill-in workbook (as `reportgen workbook` does) and send it."""
    key, root = project_root(request)
    try:
        name, data = await state(request).service.workbook_bytes(root)
    except ReportgenError as e:
        return error_page(request.app.state.templates, request, 400, "无法生成填报工作簿，请先改正以下问题：",
                          e.problems())
    return Response(data, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


async def kits(request: Request):
    """Make every department's kit (as `reportgen kit` does, into build/任务包/); the page then lists the .zips."""
    key, root = project_root(request)
    await checked_form(request)
    from ..departments.kit import make_kits
    await state(request).service.run(make_kits, root)       # a few seconds of Word and Excel writing, off the event loop
    return RedirectResponse(f"/p/{key}#kits", 303)


async def kit_file(request: Request):
    key, root = project_root(request)
    name = request.path_params["name"]
    if not name.endswith(".zip"):
        raise HTTPException(404, "没有这个文件。")
    return _send(_listed(root / "build" / KIT_DIR, name))


async def served_file(request: Request):
    key, root = project_root(request)
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
    key, root = project_root(request)
    n = request.path_params["n"]
    path = previews.page_file(root, n)
    if n < 1 or not path.is_file():
        raise HTTPException(404, "没有这一页的预览图。")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-cache"})


async def page_view(request: Request):
    key, root = project_root(request)
    n, count = request.path_params["n"], previews.page_count(root)
    if not 1 <= n <= count:
        raise HTTPException(404, "没有这一页的预览图。")
    return render(request, "page.html", p=await state(request).service.overview(key), n=n, count=count,
                  stamp=int(time.time()))
