"""The web page's templates and its error page: server-side Jinja, every place named as the office names it."""
from __future__ import annotations

import re
import time
from http import HTTPStatus
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from ..errors import Problems
from .projects import group_by_file

HERE = Path(__file__).parent
STATUS_TEXT = {400: "请求有误", 403: "没有访问权限", 404: "找不到这个页面或文件", 405: "不支持这种操作",
               409: "正在处理中", 413: "上传的内容太大", 500: "服务器内部错误"}


def error_page(templates: Jinja2Templates, request: Request | None, status: int, message: str,
               problems: Problems | None = None):
    title = STATUS_TEXT.get(status) or HTTPStatus(status).phrase
    context = {"title": title, "status": status, "message": message,
               "groups": group_by_file(problems) if problems else {}, "csrf": ""}
    html = templates.get_template("error.html").render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = _when
    templates.env.filters["grouped"] = group_by_file
    templates.env.filters["place"] = place
    templates.env.filters["printed"] = printed
    return templates


_ID = re.compile(r"(?<![A-Za-z0-9_./])[a-z][a-z0-9_]*(?![A-Za-z0-9_])")


def printed(message: str, names: dict | None = None) -> str:
    """A message with table ids said as their printed titles (innovation_awards → “创新创业大赛获奖一览表”)."""
    if not names:
        return message
    return _ID.sub(lambda m: names.get(m.group(0), m.group(0)), message)


def place(loc, names: dict | None = None) -> str:
    """A problem's place as the office names it: 工作簿 › 工作表 › 单元格, 文件 › 第 N 段, 文件 第 N 行; with `names`
    (the project's printed names) a data or narrative file is its 表题 or 章 › 小节 (file:line is the tooltip).

    Within a part the spaces do not break ("第 3 段" never wraps as "第 3" / "段"); a line breaks at a ›."""
    if names and loc.sheet is None and loc.file in names:
        return names[loc.file] + (f" › {printed(loc.path, names)}" if loc.path else "")
    if loc.sheet is not None and loc.file.lower().endswith(".docx"):       # load/word's word_location
        return " › ".join([f"文件 {loc.file}", _glued(loc.sheet)] + ([_glued(loc.cell)] if loc.cell else []))
    if loc.sheet is not None:
        return " › ".join([f"工作簿 {loc.file}", f"工作表“{loc.sheet}”"]
                          + ([_glued(f"单元格 {loc.cell}")] if loc.cell else []))
    text = loc.file if loc.line is None else f"{loc.file} {_glued(f'第 {loc.line} 行')}"
    return text + (f"（{loc.path}）" if loc.path else "")


def _glued(text: str) -> str:
    return text.replace(" ", "\u00a0")


def _when(ts) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else ""
