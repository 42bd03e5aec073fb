"""The office's project page (/p/<project>): what the project holds, its jobs, its downloads, the departments'
states. Every action of the office's pages answers with it, so it sits below their route modules."""
from __future__ import annotations

import json
import time
from pathlib import Path

from starlette.requests import Request

from ..batch import peek_config
from ..departments.kit import KIT_DIR, folder_name
from ..departments.status import project_status
from ..errors import ReportgenError
from ..regen.browser import browser_changes_since
from . import department as dept_links
from . import intake, previews
from .draft_jobs import CHANGES_FILE
from .handling import project_root, render, state


async def project(request: Request, intake_result=None, status: int = 200, notice: str = ""):
    key, root = project_root(request)
    st = state(request)
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
    return render(request, "project.html", status=status, p=ov, intake=intake_result, notice=notice,
                  running=st.jobs.running(key), build_job=build_job, preview_job=preview_job,
                  pages=previews.page_count(root), changed=set(previews.load_state(root).get("changed") or []),
                  downloads=_downloads(root, ov), departments=departments, kits=_kits(root, departments),
                  office_note=st.office.broken, stamp=int(time.time()),
                  dept_rows=await office_rows(request, key, root) if departments else [],
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


async def office_rows(request: Request, key: str, root: Path) -> list[dict]:
    """Each department's state, link and note as the office's table of departments shows them."""
    st = state(request)
    try:
        report, _ = await st.service.latest(key, "status", root, st.service.elsewhere(project_status))
    except ReportgenError:
        return []
    links_now = dept_links.load_links(root)
    last_web = _last_web_change(root)
    out = []
    for d in report.departments if report else []:
        entry = links_now.get(d.name) or {}
        last = max(filter(None, [d.last_return, last_web.get(d.name)]), default="")
        out.append({"name": d.name, "state": d.state, "late": d.late, "problems": len(d.problems),
                    "problem_lines": d.problems[:5], "last": last, "link": dept_links.link_state(entry),
                    "note": entry.get("note", ""), "deadline": d.deadline.isoformat() if d.deadline else ""})
    return out


def _last_web_change(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        lines = (root / dept_links.BROWSER_LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            c = json.loads(line)
        except ValueError:
            continue
        out[str(c.get("who"))] = str(c.get("when", ""))[:16]
    return out
