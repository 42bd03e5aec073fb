"""Many school projects at once: find them, run one job per school in worker processes, collect
plain results. A failing school never stops the others.

`reportgen batch` builds every draft; `reportgen aggregate` (aggregate/) collects every school's
computed values through the same runner. No click here: the CLI draws the progress bar.
"""
from __future__ import annotations

import os
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import Location, Problems, ReportgenError, UsageError
from .fileio import guard_output, safe_file_name
from .load.project import REPORT_FILE, draft_name
from .load.yaml_source import load_yaml
from .pack import Subject
from .packs.load import project_pack


@dataclass
class SchoolResult:
    """What one job did for one school; plain data, so it crosses process boundaries."""
    directory: str
    school: str
    ok: bool
    warnings: int = 0
    seconds: float = 0.0
    first_error: str = ""
    errors: int = 0
    output: str | None = None
    data: object = None                  # what a collecting job returns (aggregate)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- finding projects
def expand_projects(dirs: Iterable[Path]) -> list[Path]:
    """Each argument is a project, or a folder whose sub-folders are projects (e.g. one per school)."""
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and not (d / REPORT_FILE).is_file():
            subs = sorted(s for s in d.iterdir() if s.is_dir() and (s / REPORT_FILE).is_file())
            if subs:
                out.extend(subs)
                continue
        out.append(d)
    seen, unique = set(), []
    for p in out:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def school_name(root: Path) -> str:
    """The school's name from report.yaml, or the folder name when it cannot be read."""
    config = peek_config(root)
    school = config.get("school") if isinstance(config, dict) else None
    name = school.get("name") if isinstance(school, dict) else None
    return str(name) if name else root.name


def peek_config(root: Path) -> dict:
    """report.yaml's settings for naming a project in a list, or {} when it cannot be read; read through the
    same bounded reader as a build (alias bombs, pipes and huge files stay harmless), its problems left to
    the build that reports them."""
    try:
        node = load_yaml(root / REPORT_FILE, REPORT_FILE)
    except ReportgenError:
        return {}
    data = node.plain() if node is not None else None
    return data if isinstance(data, dict) else {}


def output_names(roots: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Where each draft goes when -o DIR collects them: the project's own file name made safe (no path
    parts, no characters Windows refuses). Two schools that would write the same file are a usage error,
    raised before any build, naming both."""
    names = {root: safe_file_name(Path(default_file_name(root)).stem) + ".docx" for root in roots}
    taken: dict[str, Path] = {}
    clashes = []
    for root, name in names.items():
        key = unicodedata.normalize("NFC", name).casefold()      # the same file on Windows and macOS
        if key in taken:
            clashes.append((root, f"“{name}”：{taken[key]} 与 {root}"))
        else:
            taken[key] = root
    if clashes:
        raise UsageError("以下学校的初稿文件名相同，集中输出到同一文件夹会互相覆盖，未开始构建：" +
                         "；".join(c for _, c in clashes) + "。请在其中一所学校的 report.yaml 中用 output: 另起文件名",
                         Location(str(clashes[0][0] / REPORT_FILE)))
    out = {root: out_dir / name for root, name in names.items()}
    for root, path in out.items():
        guard_output(path, root, "批量输出的初稿")
    return out


def default_file_name(root: Path) -> str:
    """The name `reportgen build` gives the draft (report.yaml output, else <name><pack's report name><year>.docx)."""
    config = peek_config(root)
    subject = Subject()
    if not config.get("output"):
        try:        # the pack names the report; a project whose pack cannot load fails in its own build
            subject = project_pack(root, config, Problems()).subject
        except ReportgenError:
            pass
    return Path(draft_name(config, root, subject)).name


# ---------------------------------------------------------------- one school
def build_school(root: str, output: str | None = None) -> SchoolResult:
    """Worker: build one school's draft (the same pipeline as `reportgen build`)."""
    from .pipeline import build
    def job(path: Path) -> tuple[str | None, int, object]:
        prepared, summary = build(path, Path(output) if output else None)
        return str(summary.output), len(prepared.problems.warnings), None
    return run_school(root, job)


def run_school(root: str, job: Callable[[Path], tuple[str | None, int, object]]) -> SchoolResult:
    """Run `job` on one project; every failure becomes a result with its first error, never an exception."""
    start = time.perf_counter()
    path = Path(root)
    result = SchoolResult(directory=root, school=school_name(path) if path.is_dir() else path.name, ok=False)
    try:
        result.output, result.warnings, result.data = job(path)
        result.ok = True
    except ReportgenError as e:
        problems: Problems = e.problems()
        errors = problems.errors or [p for p in problems.items]
        result.errors = len(problems.errors) or 1
        result.warnings = len(problems.warnings)
        first = errors[0] if errors else None
        result.first_error = (f"{first.location}：{first.message}" if first and first.location else
                              first.message if first else e.message)
    except Exception as e:  # noqa: BLE001 - one school's crash must not stop a province's batch
        result.errors = 1
        result.first_error = f"内部错误：{type(e).__name__}: {e}"
        result.notes.append(traceback.format_exc())
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- many schools
def run_many(worker: Callable[..., SchoolResult], jobs: list[tuple], workers: int,
             progress: Callable[[SchoolResult], None] | None = None) -> list[SchoolResult]:
    """Run worker(*args) for every args tuple in worker processes; results in the order of `jobs`."""
    results: list[SchoolResult | None] = [None] * len(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for i, args in enumerate(jobs):
            results[i] = worker(*args)
            if progress:
                progress(results[i])
        return results                                        # type: ignore[return-value]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {pool.submit(worker, *args): i for i, args in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as e:  # noqa: BLE001 - a worker process died (killed, out of memory)
                root = str(jobs[i][0])
                results[i] = SchoolResult(directory=root, school=Path(root).name, ok=False, errors=1,
                                          first_error=f"构建进程异常退出：{type(e).__name__}: {e}")
            if progress:
                progress(results[i])
    return results                                            # type: ignore[return-value]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- presenting
def summary_table(results: list[SchoolResult], error_width: int = 60) -> list[str]:
    """学校 | 状态 | 警告数 | 耗时 | 首个错误, aligned for a terminal (CJK characters are two columns)."""
    head = ["学校", "状态", "警告数", "耗时", "首个错误"]
    rows = [[r.school, "ok" if r.ok else "failed", str(r.warnings), f"{r.seconds:.1f} s",
             clip(r.first_error, error_width)] for r in results]
    widths = [max(text_width(x) for x in col) for col in zip(head, *rows)]
    right = {2, 3}
    def line(cells):
        parts = [pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))]
        return " | ".join(parts).rstrip()
    return [line(head), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]


def text_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, width: int, right: bool = False) -> str:
    fill = " " * (width - text_width(s))
    return fill + s if right else s + fill


def clip(s: str, width: int) -> str:
    s = " ".join(s.split())
    if text_width(s) <= width:
        return s
    out, w = "", 0
    for ch in s:
        cw = text_width(ch)
        if w + cw > width - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"
