"""The department's page (/d/<project>, admitted by its own link) and the office's link management.

A department's cookie is scoped to its project's /d/ path and admits that department only; every request
re-reads the links file, so a revoked or renewed link stops at once. Nothing here serves the office's pages.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..departments.status import project_status
from ..errors import ReportgenError
from . import department as dept_links
from . import intake
from .handling import checked_form, state
from .pages import place
from .project_page import office_rows, project


def table() -> list[Route]:
    return [
        Route("/d/{key}", page, methods=["GET"]),
        Route("/d/{key}/grid/{tid}", grid, methods=["GET", "POST"]),
        Route("/d/{key}/upload", upload, methods=["POST"]),
        Route("/d/{key}/indicators", indicators, methods=["POST"]),
        Route("/d/{key}/kit", kit_word),
        Route("/p/{key}/links", links, methods=["POST"]),
        Route("/p/{key}/departments.json", states),
    ]


def cookie_name(key: str) -> str:
    """A cookie name is ASCII only; a project's key may be its Chinese folder name."""
    return "rg_dept_" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _project(request: Request) -> tuple[str, Path]:
    key = request.path_params["key"]
    root = state(request).registry.get(key)
    if root is None:
        raise HTTPException(404, "没有这个项目。")
    return key, root


def assignment_of(root: Path):
    """(the project as loaded, its assignment): what a department's link may touch."""
    from ..departments.assign import project_assignment
    return project_assignment(root, "无法打开部门页面")


async def _who(request: Request):
    """(key, root, raw, the department) the request's own link admits; 403 for anything else."""
    key, root = _project(request)
    token = request.cookies.get(cookie_name(key), "")
    name = await state(request).service.quick(dept_links.department_of, root, token)
    if name is None:
        raise HTTPException(403, "这个部门链接无效、已撤销或已过期：请向质量办公室索取新的链接。")
    try:
        (raw, assignment), _ = await state(request).service.latest(key, "assignment", root, assignment_of)
    except ReportgenError:
        raise HTTPException(403, "本项目的部门分工（report.yaml 的 departments）有误，请联系质量办公室。") from None
    dept = assignment.departments.get(name)
    if dept is None:
        raise HTTPException(403, f"report.yaml 的部门分工中已没有“{name}”，请联系质量办公室。")
    return key, root, raw, dept


def dept_csrf(request: Request, key: str, name: str) -> str:
    secret = state(request).settings.csrf.encode()
    return hmac.new(secret, f"{key}:{name}".encode(), hashlib.sha256).hexdigest()[:32]


def _check_csrf(request: Request, key: str, name: str, given: str) -> None:
    if not hmac.compare_digest(given.encode(), dept_csrf(request, key, name).encode()):
        raise HTTPException(403, "页面已过期或请求来源不明（缺少校验码），操作未执行。请刷新页面后重试。")


# ------------------------------------------------------------------ the department's page
async def enter(request: Request, key: str, token: str) -> Response:
    """The link's ?t= becomes the department's cookie; the address bar keeps the URL without it."""
    rest = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "t"])
    response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), 303)
    response.set_cookie(cookie_name(key), token, httponly=True, samesite="strict", path=quote(f"/d/{key}"))
    return response


async def page(request: Request, result=None, status: int = 200) -> Response:
    key, _ = _project(request)
    if request.query_params.get("t"):
        return await enter(request, key, request.query_params["t"])
    key, root, raw, dept = await _who(request)
    st = state(request)
    report, fresh = await st.service.latest(key, "status", root, st.service.elsewhere(project_status), wait=False)
    mine = next((d for d in (report.departments if report else []) if d.name == dept.name), None)
    entry = dept_links.load_links(root).get(dept.name) or {}
    grids = [await st.service.quick(_grid_or_problem, root, raw, t) for t in dept.tables]
    from . import corrections
    values = await st.service.quick(corrections.current_values, root, raw.config["year"]) if dept.indicators else {}
    units = {n: d.unit for n, d in raw.pack.indicators.items()}
    kit = _kit_word(root, dept.name)
    return request.app.state.templates.TemplateResponse(request, "department.html", {
        "key": key, "d": dept, "status": mine, "fresh": fresh, "note": entry.get("note", ""),
        "grids": grids, "grids_json": json.dumps([g.__dict__ for g in grids], ensure_ascii=False).replace("<", "\\u003c"),
        "indicators": [(n, units.get(n, ""), values.get(n, "")) for n in dept.indicators],
        "year": raw.config["year"], "kit": kit is not None, "result": result,
        "csrf": dept_csrf(request, key, dept.name), "school": (raw.config.get("school") or {}).get("name", "")},
        status_code=status)


def _grid_or_problem(root: Path, raw, tid: str):
    """The table's grid, or an empty one saying (file:line) why its file cannot be read: the page still opens."""
    try:
        return dept_links.grid_of(root, raw, tid)
    except ReportgenError as e:
        said = "；".join(f"{place(p.location)}：{p.message}" if p.location else p.message for p in e.problems().errors)
        return dept_links.Grid(tid, dept_links.table_title(raw, tid), [], [], "", said + "。请联系质量办公室改正。")


def _kit_word(root: Path, name: str) -> Path | None:
    from ..departments.kit import KIT_DIR, folder_name
    folder = root / "build" / KIT_DIR / folder_name(name)
    found = sorted(folder.glob("*-撰写任务.docx")) if folder.is_dir() else []
    return found[0] if found else None


async def kit_word(request: Request):
    key, root, raw, dept = await _who(request)
    path = _kit_word(root, dept.name)
    if path is None:
        raise HTTPException(404, "质量办公室还没有生成任务包，暂时没有可下载的 Word 文件。")
    return FileResponse(path, filename=path.name)


async def grid(request: Request):
    key, root, raw, dept = await _who(request)
    tid = request.path_params["tid"]
    if tid not in dept.tables:
        raise HTTPException(403, "这张表不属于本部门。")
    service = state(request).service
    if request.method == "GET":
        return JSONResponse((await service.quick(dept_links.grid_of, root, raw, tid)).__dict__)
    _check_csrf(request, key, dept.name, request.headers.get("x-csrf-token", ""))
    try:
        body = json.loads(await request.body())
        rows, seen = body["rows"], str(body["version"])
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows) and len(rows) <= 5000
    except Exception:
        raise HTTPException(400, "保存的内容格式有误，没有保存。请刷新页面后重试。") from None
    result = await service.quick(_save_grid, service, root, raw, tid, rows, seen, dept.name)
    status = {"saved": 200, "problems": 400, "stale": 409}[result["state"]]
    if result["state"] == "saved":
        service.forget(key)
    return JSONResponse(result, status_code=status)


def _save_grid(service, root: Path, raw, tid: str, rows: list[dict], seen: str, who: str) -> dict:
    from ..load.project import TABLE_DIR
    from .service import Stale
    title = dept_links.table_title(raw, tid)
    problems = dept_links.check_rows(raw, tid, title, rows)
    if problems.errors:
        return {"state": "problems", "problems": [f"{place(p.location)}：{p.message}" for p in problems.errors]}
    path = root / TABLE_DIR / f"{tid}.yaml"
    try:
        changes = service.save_versioned(path, seen, lambda: dept_links.save_rows(root, raw, tid, rows, who),
                                         lambda: dept_links.grid_of(root, raw, tid).__dict__)
    except Stale as e:
        return {"state": "stale", "message": e.message, "grid": e.current}
    return {"state": "saved", "changes": len(changes), "grid": dept_links.grid_of(root, raw, tid).__dict__}


async def upload(request: Request):
    """The department's Word or Excel file, taken in as `reportgen collect --department` takes it."""
    key, root, raw, dept = await _who(request)
    try:
        form = await request.form(max_files=5, max_fields=20, max_part_size=64 * 1024)
    except Exception:
        raise HTTPException(400, "上传的内容无法读取，没有保存任何文件。请重新选择文件上传。") from None
    try:
        _check_csrf(request, key, dept.name, str(form.get("csrf") or ""))
        files = [(f.filename, await f.read(intake.MAX_FILE_BYTES + 1)) for f in form.getlist("files")
                 if hasattr(f, "filename") and f.filename]
    finally:
        await form.close()
    service = state(request).service
    result = await service.in_process(collect_files, root, dept.name, files, lock=service.returns_lock(root))
    service.forget(key)
    if result["accepted"] and dept.sections:
        await _text_problems(service, key, root, dept, result)
    return await page(request, result=result, status=400 if result["problems"] and not result["accepted"] else 200)


async def _text_problems(service, key: str, root: Path, dept, result: dict) -> None:
    """What the build's check says of the department's sections now, each at 文件 › 第 N 段, at once."""
    ov = await service.overview(key)
    files = {f.relative_to(root).as_posix() for s in dept.sections if (f := s.file(root)) is not None}
    mine = [p for p in ov.problems.errors + ov.problems.warnings if p.location and p.location.file in files]
    result["problems"] += [f"{place(p.location)}：{p.message}" for p in mine]
    if not mine:
        result["lines"].append("检查完毕，本部门的小节没有发现问题。")


def collect_files(root: Path, name: str, files: list[tuple[str, bytes]]) -> dict:
    """The department's files taken in by collect (run in a worker process; the caller holds the returns lock)."""
    import tempfile
    from ..departments.collect import collect
    out = {"lines": [], "problems": [], "accepted": 0}
    if not files:
        out["problems"].append("没有选择文件：请先选择要上传的 Word（.docx）或 Excel（.xlsx）文件。")
        return out
    with tempfile.TemporaryDirectory(prefix="reportgen-dept-") as tmp:
        staged = []
        for n, (original, data) in enumerate(files, 1):
            if Path(original).suffix.lower() not in (".docx", ".xlsx"):
                out["problems"].append(f"{original}：只接受 Word（.docx）或 Excel（.xlsx）文件")
                continue
            if len(data) > intake.MAX_FILE_BYTES:
                out["problems"].append(f"{original}：文件太大（每个文件最多 {intake.MAX_FILE_BYTES // 1048576} MB）")
                continue
            folder = Path(tmp) / str(n)
            folder.mkdir()
            path = folder / (intake.safe_stem(original, "file") + Path(original).suffix.lower())
            path.write_bytes(data)
            staged.append(path)
        if staged:
            result = collect(root, staged, department=name)
            out["lines"] = [f.line() for f in result.files]
            out["accepted"] = sum(f.status == "accepted" for f in result.files)
            out["problems"] += [f"{place(p.location)}：{p.message}" if p.location else p.message
                                for p in result.problems.items]
    return out


async def indicators(request: Request):
    key, root, raw, dept = await _who(request)
    form = await request.form(max_fields=500, max_part_size=64 * 1024)
    _check_csrf(request, key, dept.name, str(form.get("csrf") or ""))
    typed = {n: str(form.get(f"v:{n}") or "") for n in dept.indicators if f"v:{n}" in form}
    service = state(request).service
    edits, problems = await service.save_indicators(root, raw.config["year"], typed)
    if edits:
        dept_links.record_changes(root, dept.name, "指标", [{"before": {e.name: str(e.old)}, "after": {e.name: str(e.new)}}
                                                           for e in edits])
        service.forget(key)
    result = {"lines": [f"已保存指标 {e.name}：{e.old} → {e.new}" for e in edits] or ["指标没有变化。"],
              "problems": [f"{place(p.location)}：{p.message}" for p in problems.errors], "accepted": len(edits)}
    return await page(request, result=result, status=400 if problems.errors else 200)


# ------------------------------------------------------------------ the office's side
async def links(request: Request):
    key, root = _project(request)
    form = await checked_form(request)
    action, name = str(form.get("action") or ""), str(form.get("department") or "")
    st = state(request)
    try:
        (raw, assignment), _ = await st.service.latest(key, "assignment", root, assignment_of)
    except ReportgenError as e:
        raise HTTPException(400, "report.yaml 的部门分工有误：" + "；".join(p.message for p in e.problems().errors)) from None
    dept = assignment.departments.get(name)
    if dept is None:
        raise HTTPException(400, f"部门分工中没有“{name}”。")
    notice = ""
    with st.service.file_lock(root / dept_links.LINKS):
        if action == "make":
            try:
                margin = max(0, min(90, int(str(form.get("margin") or dept_links.DEFAULT_MARGIN_DAYS))))
            except ValueError:
                raise HTTPException(400, "宽限天数应为 0 到 90 之间的整数。") from None
            if dept.deadline is not None and dept.deadline + dt.timedelta(days=margin) < dt.date.today():
                raise HTTPException(400, f"{name}的截止日期 {dept.deadline} 加宽限 {margin} 天已经过去，链接生成后"
                                         "立即失效：请在 report.yaml 中推迟该部门的截止日期（deadline），或加大宽限天数。")
            token = dept_links.make_link(root, name, dept.deadline, margin)
            base = str(request.base_url).rstrip("/")
            notice = (f"{name}的链接（只显示这一次，请复制后发给该部门；旧链接已失效）："
                      f"{base}/d/{quote(key)}?t={token}")
        elif action == "revoke":
            dept_links.revoke_link(root, name)
            notice = f"{name}的链接已撤销，该部门将无法再打开页面。"
        elif action == "note":
            dept_links.set_note(root, name, str(form.get("note") or ""))
            notice = f"给{name}的留言已保存。"
        else:
            raise HTTPException(400, "请使用页面上的按钮进行操作。")
    return await project(request, notice=notice)


async def states(request: Request):
    """Each department's state for the office page's live table."""
    key, root = _project(request)
    return JSONResponse(await office_rows(request, key, root))
