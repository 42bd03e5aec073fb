"""The web page's application: security rules around every request, Chinese error pages, the routes.

Safe by default: on 127.0.0.1 only requests naming a local host are served (no DNS rebinding); on any
other host a token is needed (in the start-up URL, a cookie after that). Every POST carries the page's
CSRF token. Request bodies are limited in size while they arrive.
"""
from __future__ import annotations

import contextlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..errors import ReportgenError
from .jobs import Jobs
from .office import WarmOffice
from .pages import error_page, make_templates
from .projects import Registry
from .service import Service

log = logging.getLogger("reportgen.web")
HERE = Path(__file__).parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
TOKEN_COOKIE = "reportgen_token"
OWN_ADMISSION = ("/d/", "/static/")        # paths that do not need the office's token (deptroutes checks /d/)
MAX_REQUEST_BYTES = 60 * 1024 * 1024         # a few files of at most 20 MB each (intake.MAX_FILE_BYTES)
TOO_LARGE = f"一次上传最多 {MAX_REQUEST_BYTES // 1048576} MB，请分几次上传。"


STATUS_HINT = {404: "地址有误，或这个文件不在项目的 build/、returns/ 文件夹中。请从项目页面上的链接打开。",
               405: "请使用页面上的按钮进行操作。"}


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


HOST_HEADER = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")


def host_of(raw: str) -> str:
    """The host a raw Host header names, lower-cased; "" for anything that is not exactly host[:port].

    Read from the header itself, not from a URL built from it: "127.0.0.1@evil.example" is no local host."""
    m = HOST_HEADER.match(raw.strip())
    return m.group(1).lower() if m else ""


# every answer forbids being framed: no other page can lay a button of ours under a click of its own
FRAMING_HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]


def _no_framing(send):
    async def sending(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            message = dict(message, headers=list(message.get("headers", []))
                           + [h for h in FRAMING_HEADERS if h[0] not in names])
        await send(message)
    return sending


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None                     # required when the host is not local
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    warm_office: bool = True                     # False in tests that need no LibreOffice


class State:
    """Everything the routes share: projects, jobs, the warm LibreOffice, the settings."""

    def __init__(self, dirs: list[Path], settings: Settings):
        self.settings = settings
        self.registry = Registry(dirs)
        self.jobs = Jobs()
        self.office = WarmOffice()
        self.intakes: dict[str, tuple[int, object]] = {}    # project key -> (n, its last upload's Intake)
        self.service = Service(self.registry, self.jobs, self.office)


class TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: host and token checks, and the request-size limit as the body streams in."""

    def __init__(self, app, settings: Settings, templates: Jinja2Templates):
        self.app, self.settings, self.templates = app, settings, templates

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = _no_framing(send)
        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            return await refusal(scope, receive, send)
        if self.settings.token and request.query_params.get("token"):
            # the start-up URL's token becomes a cookie; the URL without it is what the address bar keeps
            rest = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), 303)
            response.set_cookie(TOKEN_COOKIE, self.settings.token, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_REQUEST_BYTES):
            return await self._page(413, TOO_LARGE)(
                scope, receive, send)
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_REQUEST_BYTES:
                raise TooLarge()
            return message
        try:
            await self.app(scope, limited, send)
        except TooLarge:
            await self._page(413, TOO_LARGE)(
                scope, receive, send)

    def _refusal(self, request: Request):
        host = host_of(request.headers.get("host", ""))
        if not self.settings.token:
            if not is_local(host):
                return self._page(403, "本服务只接受本机访问（地址应为 127.0.0.1 或 localhost）。")
            return None
        if request.url.path.startswith(OWN_ADMISSION):
            return None                   # a department's page checks its own link; the stylesheet is public
        given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.settings.token.encode()):
            return self._page(403, "需要访问口令：请使用启动服务时显示的完整网址（含 ?token=…）打开本页面。")
        return None

    def _page(self, status: int, message: str):
        return error_page(self.templates, None, status, message)


def create_app(dirs: list[Path], settings: Settings | None = None) -> Starlette:
    from . import deptroutes, final_page, routes
    settings = settings or Settings()
    if not is_local(settings.host) and not settings.token:
        settings.token = secrets.token_urlsafe(18)
    templates = make_templates()
    state = State(dirs, settings)

    async def http_error(request: Request, exc: HTTPException):
        return error_page(templates, request, exc.status_code, exc.detail if isinstance(exc.detail, str)
                          and not exc.detail.isascii() else STATUS_HINT.get(exc.status_code, "请返回上一页重试。"))

    async def crash(request: Request, exc: Exception):
        log.exception("request %s failed", request.url.path, exc_info=exc)
        return error_page(templates, request, 500, "处理请求时出现程序内部错误（详情已记入服务器日志），"
                                                    "项目文件没有被改动。请刷新页面重试。")

    async def refused(request: Request, exc: ReportgenError):
        # the user's input, as the CLI would say it: located problems, never a traceback
        return error_page(templates, request, 400, "无法完成这项操作，原因如下：", exc.problems())

    async def too_large(request: Request, exc: TooLarge):
        return error_page(templates, request, 413, TOO_LARGE)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if settings.warm_office:
            state.office.start()          # LibreOffice starts while the office reads the first page
        from ..batch import peek_config
        for key, root in state.registry.roots.items():      # departments' pages need the assignment: read it now
            if peek_config(root).get("departments"):
                state.service.prefetch(key, "assignment", root, deptroutes.assignment_of)
        try:
            yield
        finally:
            state.service.close()
            state.office.stop()

    app = Starlette(routes=routes.table() + deptroutes.table() + final_page.ROUTES + [Mount("/static", StaticFiles(directory=str(HERE / "static")),
                                                    name="static")],
                    exception_handlers={HTTPException: http_error, TooLarge: too_large, ReportgenError: refused,
                                        Exception: crash},
                    lifespan=lifespan)
    app.state.rg = state
    app.state.templates = templates
    app.add_middleware(Guard, settings=settings, templates=templates)
    return app
