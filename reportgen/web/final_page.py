"""The project's 发布前检查 page: `reportgen check --final` in the browser — the verdict first, then each
group of what still stops publication with its place and what to do. Its own route list, added beside
the others (app.py), so the page stays apart from the rest of the routes."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from ..final import GROUPS, HINTS, final_check


async def final_page(request: Request):
    key = request.path_params["key"]
    state = request.app.state.rg
    root = state.registry.get(key)
    if root is None:
        raise HTTPException(404, "没有这个项目。")
    ov = state.registry.overview(key)
    report = await request.app.state.rg.service.run(final_check, root)      # the whole pipeline: off the event loop
    groups = [(g, HINTS[g], [i for i in report.items if i.group == g]) for g in GROUPS]
    return request.app.state.templates.TemplateResponse(request, "final.html", {
        "p": ov, "report": report, "groups": [g for g in groups if g[2]], "csrf": state.settings.csrf})


ROUTES = [Route("/p/{key}/final", final_page)]
