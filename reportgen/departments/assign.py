"""Who owes what: the `departments:` section of report.yaml, resolved against the pack and the project.

report.yaml:

    departments:
      教务处:
        sections: [talent/majors, talent/teaching]    # chapter/section ids; a chapter id alone: all its sections
        tables: [certificates, teaching_awards]       # detail table ids
        indicators: [教学资源表, 生均图书]             # indicator names, or a pack appendix table (id or title)
        deadline: 2024-11-30
        contact: 王老师 0571-8888 0001

Sections are the pack's chapter sections and the project's own narrative files (narrative/<chapter>/NN-<id>.md
or .docx), so a section a school added is assignable too. A group of indicators stands for the raw indicators it
shows and those its derived rows are computed from: departments fill raw numbers only.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problems
from ..load.project import NARRATIVE_DIR

SECTION_FILE = re.compile(r"^(\d+)-(.+)$")
NARRATIVE_SUFFIXES = (".md", ".docx")


@dataclass(frozen=True)
class Section:
    """One assignable section: chapter/section id, titles, the pack's hint and the narrative file it lives in."""
    chapter: str
    id: str
    title: str
    chapter_title: str
    hint: str
    order: int                  # NN of its narrative file

    @property
    def key(self) -> str:
        return f"{self.chapter}/{self.id}"

    @property
    def heading(self) -> str:
        """How the kit's Word file heads it, and how collect recognises it."""
        return f"{self.chapter_title} › {self.title}" if self.title else self.chapter_title

    def file(self, root: Path) -> Path | None:
        """The narrative file holding it now (.md or .docx), if any."""
        folder = root / NARRATIVE_DIR / self.chapter
        for suffix in NARRATIVE_SUFFIXES:
            found = sorted(p for p in folder.glob(f"*-{self.id}{suffix}") if SECTION_FILE.match(p.stem)
                           and SECTION_FILE.match(p.stem).group(2) == self.id) if folder.is_dir() else []
            if found:
                return found[0]
        return None

    def target(self, root: Path, suffix: str) -> Path:
        """Where this section's file goes: the existing NN, else the pack's order."""
        current = self.file(root)
        nn = SECTION_FILE.match(current.stem).group(1) if current else f"{self.order:02d}"
        return root / NARRATIVE_DIR / self.chapter / f"{nn}-{self.id}{suffix}"


@dataclass
class Department:
    name: str
    sections: list[Section] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)        # raw indicator names
    deadline: dt.date | None = None
    contact: str = ""

    @property
    def has_workbook(self) -> bool:
        return bool(self.tables or self.indicators)


@dataclass
class Assignment:
    departments: dict[str, Department]
    sections: dict[str, Section]            # every assignable section, key -> Section

    def owner_of_section(self, key: str) -> str | None:
        return next((d.name for d in self.departments.values() if any(s.key == key for s in d.sections)), None)

    def owner_of_table(self, tid: str) -> str | None:
        return next((d.name for d in self.departments.values() if tid in d.tables), None)

    def owner_of_indicator(self, name: str) -> str | None:
        return next((d.name for d in self.departments.values() if name in d.indicators), None)

    def unowned(self, pack) -> tuple[list[Section], list[str]]:
        owned_s = {s.key for d in self.departments.values() for s in d.sections}
        owned_t = {t for d in self.departments.values() for t in d.tables}
        return ([s for k, s in self.sections.items() if k not in owned_s],
                [t for t in pack.tables if t not in owned_t])


def all_sections(root: Path, pack) -> dict[str, Section]:
    """The pack's sections plus the narrative files the project added, in report order."""
    out: dict[str, Section] = {}
    for ch in pack.chapters:
        for n, s in enumerate(ch.sections, start=1):
            out[f"{ch.id}/{s.id}"] = Section(ch.id, s.id, s.title, ch.title, s.hint, n)
        folder = root / NARRATIVE_DIR / ch.id
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            m = SECTION_FILE.match(p.stem)
            if p.suffix in NARRATIVE_SUFFIXES and m and not p.name.startswith(".") and f"{ch.id}/{m.group(2)}" not in out:
                out[f"{ch.id}/{m.group(2)}"] = Section(ch.id, m.group(2), _file_title(p), ch.title, "", int(m.group(1)))
    return out


def _file_title(path: Path) -> str:
    """A project-added section's title: its Markdown `## …` line, else its id."""
    if path.suffix == ".md":
        try:
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("## "):
                    return line[3:].strip()
        except (OSError, UnicodeDecodeError):
            pass
    return SECTION_FILE.match(path.stem).group(2)


def read_assignment(raw, problems: Problems) -> Assignment | None:
    """The project's assignment (None without `departments:`); unknown ids are located errors in report.yaml."""
    spec = raw.config.get("departments")
    if not spec:
        return None
    sections = all_sections(raw.root, raw.pack)
    where = Location("report.yaml", path="departments")
    out: dict[str, Department] = {}
    for name, entry in spec.items():
        entry = entry or {}
        at = lambda key: Location("report.yaml", path=f"departments › {name} › {key}")  # noqa: E731
        dept = Department(str(name), contact=str(entry.get("contact") or ""))
        for sid in entry.get("sections") or []:
            dept.sections += _sections_for(str(sid), sections, raw.pack, at("sections"), problems)
        for tid in entry.get("tables") or []:
            if str(tid) in raw.pack.tables:
                dept.tables.append(str(tid))
            else:
                problems.error(f"没有 id 为“{tid}”的明细表" + _close(str(tid), raw.pack.tables), at("tables"))
        for item in entry.get("indicators") or []:
            dept.indicators += [n for n in _indicators_for(str(item), raw.pack, at("indicators"), problems)
                                if n not in dept.indicators]
        if entry.get("deadline") is not None:
            dept.deadline = parse_date(entry["deadline"])
            if dept.deadline is None:
                problems.error(f"截止日期“{entry['deadline']}”无法识别，请写成 2024-11-30", at("deadline"))
        out[dept.name] = dept
    _twice(out, problems, where)
    return Assignment(out, sections)


def project_assignment(root: Path, what: str):
    """The project as loaded and its assignment, for a command that needs one (`what` it cannot do otherwise).

    The data's own problems are left to validate and build; a wrong id in `departments:` stops here."""
    from ..errors import UsageError
    from ..pipeline import load_raw
    raw = load_raw(root, Problems())
    problems = Problems()
    assignment = read_assignment(raw, problems)
    problems.raise_if_errors()
    if assignment is None or not assignment.departments:
        raise UsageError(f"report.yaml 中没有 departments（部门分工），{what}；可参照模板包的 departments.yaml 填写"
                         "（新项目由 reportgen init 写入建议的分工）")
    return raw, assignment


def _sections_for(sid: str, sections: dict[str, Section], pack, where: Location, problems: Problems) -> list[Section]:
    if sid in sections:
        return [sections[sid]]
    if any(ch.id == sid for ch in pack.chapters):
        return [s for s in sections.values() if s.chapter == sid]
    problems.error(f"没有“{sid}”这个小节（写成“章 id/小节 id”，如 talent/employment）" + _close(sid, sections), where)
    return []


def _indicators_for(item: str, pack, where: Location, problems: Problems) -> list[str]:
    defs = pack.indicators
    if item in defs:
        d = defs[item]
        if d.kind == "raw":
            return [item]
        return _inputs_of(d, defs)
    group = next((a for a in pack.appendix if item in (a.id, a.title)), None)
    if group is not None:
        names: list[str] = []
        for row in group.rows:
            d = defs.get(row)
            for n in ([row] if d is not None and d.kind == "raw" else _inputs_of(d, defs) if d else []):
                if n not in names:
                    names.append(n)
        return names
    groups = [a.title for a in pack.appendix]
    problems.error(f"没有名为“{item}”的指标或指标组（指标组可写附表名称：{'、'.join(groups)}）"
                   + _close(item, list(defs) + groups), where)
    return []


def _inputs_of(d, defs) -> list[str]:
    """The raw indicators a derived one is computed from (named in its formula)."""
    formula = d.formula or ""
    return [n for n, x in defs.items() if x.kind == "raw" and n in formula]


def _twice(depts: dict[str, Department], problems: Problems, where: Location) -> None:
    """A section or table owned by two departments would be merged twice: say so."""
    for kind, items in (("小节", lambda d: [s.key for s in d.sections]), ("明细表", lambda d: d.tables)):
        seen: dict[str, str] = {}
        for d in depts.values():
            for item in items(d):
                if item in seen and seen[item] != d.name:
                    problems.error(f"{kind}“{item}”同时分给了“{seen[item]}”和“{d.name}”，每项只能由一个部门负责", where)
                seen.setdefault(item, d.name)


def check_assignment(root: Path, problems: Problems) -> None:
    """`validate`: every id of `departments:` exists; which sections and tables nobody owns.

    Other commands do not check it: a build does not depend on who writes what."""
    from ..pipeline import load_raw
    raw = load_raw(root, Problems())          # the data's own problems are the pipeline's to report
    assignment = read_assignment(raw, problems)
    if assignment is not None:
        unowned_warnings(assignment, raw.pack, problems)


def unowned_warnings(assignment: Assignment, pack, problems: Problems) -> None:
    sections, tables = assignment.unowned(pack)
    where = Location("report.yaml", path="departments")
    if sections:
        problems.warning("以下小节没有分给任何部门：" + "、".join(f"{s.heading}（{s.key}）" for s in sections), where)
    if tables:
        problems.warning("以下明细表没有分给任何部门：" + "、".join(tables), where)


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = re.fullmatch(r"\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*", str(value))
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def _close(word: str, options) -> str:
    import difflib
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"，是否应为“{close[0]}”？" if close else ""
