"""The projects the server shows, and what the home and project pages say about each.

Projects are known by a key the server chose (the folder name, made unique); no path from a request
ever names a project. An overview runs the pipeline's own load → check → compute → render (prepare)
and the rebuild manifest's diff, cached until a file of the project changes.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..batch import expand_projects, peek_config
from ..departments.assign import read_assignment
from ..errors import Problem, Problems, ReportgenError
from ..load.project import REPORT_FILE
from ..render.todo import FILL, todo_items
from ..render.env import render_title

SKIPPED = {"build", ".git", "__pycache__"}


@dataclass
class Section:
    title: str
    placeholders: list[str]
    department: str = ""

    @property
    def state(self) -> str:
        return f"待补充 {len(self.placeholders)} 处" if self.placeholders else "已完成"


@dataclass
class Overview:
    key: str
    root: Path
    school: str
    year: object
    pack: str
    ok: bool                                     # prepare() succeeded: the report can be built
    problems: Problems = field(default_factory=Problems)
    sections: list[Section] = field(default_factory=list)
    tables: list[tuple[str, str, int]] = field(default_factory=list)     # id, title, rows
    table_owners: dict[str, str] = field(default_factory=dict)           # table id -> department (departments:)
    placeholders: int = 0
    draft: Path | None = None                    # where the draft goes (build/…docx)
    built_at: float | None = None                # its time, when there is one
    change_lines: list[str] = field(default_factory=list)   # since the last build, and the hand-edit protection
    unchanged_since_build: bool = False                      # nothing changed since the last build
    printed: dict[str, str] = field(default_factory=dict)   # a file or table id -> its printed name (表题, 章 › 小节)
    raw_indicators: list[tuple[str, str, object]] = field(default_factory=list)  # name, unit, value of the year
    checked_at: float = field(default_factory=time.time)

    @property
    def sections_done(self) -> int:
        return sum(not s.placeholders for s in self.sections)

    @property
    def tables_filled(self) -> int:
        return sum(rows > 0 for *_, rows in self.tables)


def group_by_file(problems: Problems) -> "OrderedDict[str, list[Problem]]":
    groups: OrderedDict[str, list[Problem]] = OrderedDict()
    for p in problems.errors + problems.warnings:
        groups.setdefault(p.location.file if p.location else "（整个项目）", []).append(p)
    return groups


class Registry:
    """Key → project folder, fixed when the server starts."""

    def __init__(self, dirs: list[Path]):
        self.dirs = list(dirs)
        self.roots: OrderedDict[str, Path] = OrderedDict()
        self._cache: dict[str, tuple[tuple, Overview]] = {}
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Add the project folders made since the last look (a key, once given, keeps its folder)."""
        known = set(self.roots.values())
        for root in expand_projects(self.dirs):
            if not (root / REPORT_FILE).is_file() or root.resolve() in known:
                continue
            base = re.sub(r"[^\w-]", "-", root.resolve().name) or "project"
            key, n = base, 2
            while key in self.roots:
                key, n = f"{base}-{n}", n + 1
            self.roots[key] = root.resolve()

    def get(self, key: str) -> Path | None:
        return self.roots.get(key)

    def overview(self, key: str) -> Overview:
        root = self.roots[key]
        stamp = snapshot(root)
        with self._lock:
            cached = self._cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        ov = make_overview(key, root)
        with self._lock:
            self._cache[key] = (stamp, ov)
        return ov

    def forget(self, key: str) -> None:
        with self._lock:
            self._cache.pop(key, None)


def snapshot(root: Path) -> tuple:
    """Every input file's name, size and time: a change anywhere means the overview is stale."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED]
        for name in files:
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            out.append((folder, name, st.st_size, st.st_mtime_ns))
    draft_dir = root / "build"
    if draft_dir.is_dir():
        out += [(p.name, p.stat().st_mtime_ns) for p in draft_dir.iterdir() if p.is_file()]
    return tuple(sorted(out))


def make_overview(key: str, root: Path) -> Overview:
    from ..pipeline import default_output, prepare
    from ..regen.manifest import make_manifest
    from ..regen.present import diff_lines
    from ..regen.publish import diff_project
    config = peek_config(root)
    school = config.get("school") if isinstance(config.get("school"), dict) else {}
    ov = Overview(key, root, str(school.get("name") or root.name), config.get("year", "？"),
                  str(config.get("pack", "？")), ok=False)
    try:
        prepared = prepare(root)
    except ReportgenError as e:
        ov.problems = e.problems()
        return ov
    ov.ok = True
    ov.problems = prepared.problems
    ds = prepared.dataset
    assignment = read_assignment(ds, Problems())      # a wrong id there is validate's to report, not the page's
    owners = section_owners(ds, assignment) if assignment else {}
    manifest = make_manifest(prepared, root / "build")
    todos = todo_items(prepared.rendered.document, root)
    for s in manifest["sections"]:
        if s["key"] == "封面":
            continue
        placeholders = [p["text"] for p in manifest["placeholders"] if p["key"] == s["key"]]
        placeholders += [t.text for t in todos if t.kind == FILL and t.place == s["title"]]
        ov.sections.append(Section(s["title"], placeholders, owners.get(_plain(s["key"]), "")))
    ov.placeholders = len(todos)                      # every 待补充, as build counts them (render/todo.py)
    context = {"year": ds.year, "school": ds.config.get("school", {})}      # titles like "{{ year }} 年…"
    ov.tables = [(tid, render_title(t.definition.title, context), len(t.rows)) for tid, t in ds.tables.items()]
    if assignment:
        ov.table_owners = {tid: d.name for d in assignment.departments.values() for tid in d.tables}
    ov.printed = printed_names(ds)
    ov.raw_indicators = [(d.name, d.unit, ds.indicators.get(d.name, {}).get(ds.year))
                         for d in ds.pack.indicators.values() if d.kind == "raw"]
    ov.draft = default_output(ds)
    if ov.draft.is_file():
        ov.built_at = ov.draft.stat().st_mtime
    diff = diff_project(prepared, ov.draft)
    ov.change_lines = diff_lines(diff)
    ov.unchanged_since_build = bool(diff.changes.baseline and diff.changes.empty)
    return ov



def printed_names(ds) -> dict[str, str]:
    """How the page names what a problem points at: a table's id and its data file by the table's title,
    a narrative file by 章 › 小节 as the draft heads it; file:line stays in the tooltip."""
    from ..departments.assign import all_sections
    from ..load.project import TABLE_DIR
    context = {"year": ds.year, "school": ds.config.get("school", {})}
    out: dict[str, str] = {}
    for tid, t in ds.tables.items():
        title = render_title(t.definition.title, context)
        out[tid] = f"“{title}”"
        for ext in (".yaml", ".yml"):
            out[(Path(TABLE_DIR) / f"{tid}{ext}").as_posix()] = f"明细表“{title}”"
    out["data/indicators.yaml"] = "指标数据"
    for s in all_sections(ds.root, ds.pack).values():
        path = s.file(ds.root)
        if path is not None:
            written = written_title(ds, path)
            out[path.relative_to(ds.root).as_posix()] = (f"{s.chapter_title} › {written or s.title}" if s.title
                                                         else s.chapter_title)
    return out


def section_owners(ds, assignment) -> dict[str, str]:
    """Heading in the draft ("章 › 小节", plain) → the department owning that section in `departments:`.

    The draft's headings are the narrative files' own `## …` lines, which a school may have reworded from
    the pack's section title: both name the section."""
    from ..regen.manifest import SEP
    owners: dict[str, str] = {}
    for dept in assignment.departments.values():
        for sec in dept.sections:
            written = written_title(ds, sec.file(ds.root))
            for title in filter(None, {sec.title, written}):
                owners[_plain(f"{sec.chapter_title}{SEP}{title}")] = dept.name
            if not sec.title:                     # a chapter that is one section (前言)
                owners[_plain(sec.chapter_title)] = dept.name
    return owners


def written_title(ds, path: Path | None) -> str:
    """The `## …` heading a section's narrative file opens with (.md, or a Word section read as Markdown)."""
    if path is None:
        return ""
    if path.suffix == ".docx":
        word = ds.word_sections.get(path.relative_to(ds.root).as_posix())
        text = word.markdown if word is not None else ""
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return ""
    return next((line[3:].strip() for line in text.splitlines() if line.startswith("## ")), "")


def _plain(heading: str) -> str:
    """A heading without Markdown emphasis and spaces, to compare the source's with the rendered one."""
    return re.sub(r"[\s*_`]+", "", heading)
