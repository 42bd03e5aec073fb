"""The page's two long jobs, each a progress bar of named steps: make the draft (`reportgen build --pdf`, then its
修改说明 and the page previews) and update the page previews after a change."""
from __future__ import annotations

from pathlib import Path

from . import previews
from .jobs import Busy, Job

CHANGES_FILE = "修改说明.docx"
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


def start_build(st, key: str, root: Path, force: bool) -> Job:
    """Start making the draft; Busy when another job of the project is running."""
    steps = ["校验数据", "计算指标", "排版正文", "生成 PDF", "写入初稿", "页面预览"]
    return st.jobs.start(key, "build", "生成初稿", steps, lambda job: build_draft(st, root, job, force))


def start_preview(st, key: str, root: Path) -> Job | None:
    """Start a preview job; None when another job of the project is running (the page shows that one)."""
    steps = ["校验数据", "计算指标", "排版正文", "生成 PDF", "改动的页面", "其余页面"]
    try:
        return st.jobs.start(key, "preview", "更新页面预览", steps, lambda job: _preview(st, root, job))
    except Busy:
        return None


def build_draft(st, root: Path, job: Job, force: bool) -> None:
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
