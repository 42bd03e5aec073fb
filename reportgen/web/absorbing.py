"""收回修改 on the web page: upload a draft edited in Word/WPS → the list of what would come back (text,
conflicts, 模板 text, 批注, 修订) → "采用" writes it (reportgen absorb), then the previews update as after
any change. The uploaded file waits in build/.absorb/uploads/ under a random name until confirmed."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from ..absorb import absorb
from ..errors import ReportgenError
from ..fileio import write_bytes_atomic
from ..regen.trace import trace_folder
from .draft_jobs import start_preview
from .handling import checked_form, project_root, render, state
from .project_page import project

MAX_DRAFT_BYTES = 60 * 1024 * 1024
STALE_S = 24 * 3600
UPLOADS = "uploads"


def routes() -> list[Route]:
    return [Route("/p/{key}/absorb", page, methods=["GET", "POST"]),
            Route("/p/{key}/absorb/confirm", confirm, methods=["POST"])]


def _drop_stale(folder: Path) -> None:
    """Uploads never confirmed (the page was closed) are removed after a day."""
    if folder.is_dir():
        for old in folder.glob("*.docx"):
            if time.time() - old.stat().st_mtime > STALE_S:
                old.unlink(missing_ok=True)


def _upload_path(root: Path, token: str) -> Path:
    if not token.isalnum():
        raise HTTPException(400, "上传的文件已失效，请重新上传。")
    return trace_folder(root) / UPLOADS / f"{token}.docx"


async def page(request: Request):
    key, root = project_root(request)
    ov = state(request).registry.overview(key)
    if request.method == "GET":
        return render(request, "absorb.html", p=ov)
    form = await checked_form(request)
    upload = form.get("draft")
    if not (hasattr(upload, "filename") and upload.filename):
        await form.close()
        return render(request, "absorb.html", status=400, p=ov, error="没有选择文件：请先选择改过的初稿（.docx）。")
    data = await upload.read(MAX_DRAFT_BYTES + 1)
    name = Path(upload.filename).name
    await form.close()
    if len(data) > MAX_DRAFT_BYTES:
        return render(request, "absorb.html", status=400, p=ov, error="文件太大（超过 60 MB），无法收回。")
    token = secrets.token_hex(12)
    path = _upload_path(root, token)
    _drop_stale(path.parent)
    write_bytes_atomic(path, data)
    try:
        result = await state(request).service.run(absorb, root, path, False, name)
    except ReportgenError as e:
        path.unlink(missing_ok=True)
        where = f"{e.location}：" if e.location else ""
        return render(request, "absorb.html", status=400, p=ov, error=where + e.message)
    return render(request, "absorb.html", p=ov, result=result, token=token, draft_name=name)


async def confirm(request: Request):
    key, root = project_root(request)
    form = await checked_form(request)
    token, name = str(form.get("token") or ""), str(form.get("name") or "")
    await form.close()
    path = _upload_path(root, token)
    if not path.is_file():
        raise HTTPException(400, "上传的文件已失效，请重新上传。")
    st = state(request)
    try:
        result = await st.service.run(absorb, root, path, True, name or None)
    except ReportgenError as e:
        return render(request, "absorb.html", status=400, p=st.registry.overview(key), error=e.message)
    path.unlink(missing_ok=True)
    st.registry.forget(key)
    if result.written:
        start_preview(st, key, root)
        notice = (f"已收回“{name}”中的修改：写入 {len(result.written)} 个文件（修改前的文件在 {result.kept}/）；"
                  f"{len(result.conflicts)} 处数字冲突和 {len(result.comments)} 条批注待处理，清单在 {result.listing}。"
                  f"重新生成初稿后即可看到。")
    else:
        notice = f"“{name}”中没有新的文字修改需要写入。"
    return await project(request, notice=notice)
