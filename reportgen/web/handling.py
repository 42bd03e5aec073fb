"""What every office page's handler starts from — the shared state, the project its address names, the POST's
form with its CSRF token checked — and how it answers, a rendered template. Below every module of routes."""
from __future__ import annotations

import hmac
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import intake

MAX_FIELD_BYTES = 64 * 1024


def state(request: Request):
    return request.app.state.rg


def project_root(request: Request) -> tuple[str, Path]:
    """(key, root) of the project the address names; a project folder added while the server runs is found."""
    key = request.path_params["key"]
    registry = state(request).registry
    root = registry.get(key)
    if root is None:
        registry.refresh()
        root = registry.get(key)
    if root is None:
        raise HTTPException(404, "没有这个项目。")
    return key, root


def render(request: Request, name: str, status: int = 200, **context) -> Response:
    context.setdefault("csrf", state(request).settings.csrf)
    if "p" in context:                         # problems name tables and sections as the draft prints them
        context.setdefault("printed_names", getattr(context["p"], "printed", {}))
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


async def checked_form(request: Request):
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
    if not hmac.compare_digest(given.encode(), state(request).settings.csrf.encode()):
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
