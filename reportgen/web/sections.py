"""A section .docx dropped on the page of a project without department kits: which section is it, then place it.

Without `departments:` nothing tells whose section a Word file is, so the page asks, offering the report's
sections as the draft heads them ("章 › 小节"), the best match of the file's first heading or name pre-selected.
The answer makes the kept file the section's narrative/<chapter>/NN-<id>.docx, by the same place_section that
`collect` uses for a department's return (the file it replaces is kept under returns/<时间>/替换前/); from then on
the Word reader reads it as it reads any section written in Word.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..adopt.match import SECTION_MIN, similarity
from ..departments.assign import Section, all_sections
from ..departments.collect import place_section
from ..errors import Problems, ReportgenError
from ..load.word import outline
from .intake import RETURNS, Intake, Saved, UploadRefused, returned_file
from .projects import written_title

TIMESTAMP = re.compile(r"^\d{8}-\d{6}-")       # what save_upload puts before a kept file's name


@dataclass
class Choice:
    key: str                # chapter/section id
    label: str              # 章 › 小节, as the draft heads it


@dataclass
class Question:
    """这份 Word 是哪一节？ — asked for one kept file."""
    file: str               # its name in returns/
    original: str
    heading: str            # its first heading ("" when it has none)
    choices: list[Choice] = field(default_factory=list)
    chosen: str = ""        # the key pre-selected ("" when nothing is alike enough)


def ask(root: Path, saved: Saved, out: Intake) -> None:
    """Add the question for a kept section file to `out`, or the reason it cannot be placed."""
    path = root / saved.path
    try:
        sections, raw = _sections(root)
        heading = _first_heading(path, saved.path, out.problems)
    except ReportgenError as e:
        out.problems.extend(e.problems())
        out.notes.append(f"{saved.original} 已保存为 {saved.path}，但无法放入正文（原因见下）。")
        return
    choices = [Choice(k, _label(s, raw)) for k, s in sections.items()]
    name = TIMESTAMP.sub("", Path(saved.path).stem)
    chosen = _best(heading, sections, choices) or _best(name, sections, choices)
    out.notes.append(f"{saved.original} 已保存为 {saved.path}。")
    out.questions.append(Question(Path(saved.path).name, saved.original, heading, choices, chosen or ""))


def place(root: Path, name: str, key: str) -> Intake:
    """Make returns/`name` the text of section `key`; refused with a Chinese message when either is not known."""
    path = returned_file(root, name)
    sections, raw = _sections(root)
    section = sections.get(key)
    if section is None:
        raise UploadRefused(f"本报告没有这一节（{key or '未选择'}），正文没有改动。请在列表中选择一节后再确认。")
    out = Intake()
    heading = _first_heading(path, name, Problems())     # what is wrong in it is told by the check once placed
    data = path.read_bytes()
    label = _label(section, raw)
    current = section.file(root)
    if current is not None and current.suffix == ".docx" and current.read_bytes() == data:
        out.notes.append(f"{name} 与“{label}”现有的内容相同，正文没有改动。")
        return out
    added = ""
    if not heading and section.title:
        # a file of plain paragraphs would run on from the section before it in the draft: keep this one's title
        from ..departments.worddoc import with_heading
        added = written_title(raw, current) or section.title
        data = with_heading(path, added)
    kept = place_section(root, section, data, _stamp(root))
    target = section.target(root, ".docx").relative_to(root).as_posix()
    out.notes.append(f"已把 {name} 放入“{label}”，存为 {target}，生成初稿时由 Word 读取。")
    if added:
        out.notes.append(f"这份 Word 中没有标题，已在开头加上本节原来的标题“{added}”（第 1 段）。")
    elif heading and section.title:
        out.notes.append(f"初稿中本节的标题为“{heading}”（这份 Word 的第一个标题）。")
    out.notes.append(f"本节原来的文字（{current.relative_to(root).as_posix()}）保存在 {kept}，没有丢失。"
                     if kept else "本节此前没有文字。")
    out.placed = target
    return out


def _sections(root: Path) -> tuple[dict[str, Section], object]:
    """The report's sections (the pack's and the project's own narrative files), and the project as loaded."""
    from ..pipeline import load_raw
    raw = load_raw(root, Problems())        # the data's own problems are the overview's to show
    return all_sections(root, raw.pack), raw


def _label(section: Section, raw) -> str:
    """章 › 小节 as the draft heads it: the narrative file's own heading, else the pack's title."""
    if not section.title:
        return section.chapter_title                  # a chapter that is one section (前言)
    return f"{section.chapter_title} › {written_title(raw, section.file(raw.root)) or section.title}"


def _first_heading(path: Path, label: str, problems: Problems) -> str:
    """The file's first heading, read by the Word reader (whose refusal, a WordFileError, is raised)."""
    entries = outline(path, problems, label)
    headings = [e for e in entries if e.kind == "heading"]
    top = [e for e in headings if e.level == min((h.level for h in headings), default=0)]
    if len(top) > 1:
        problems.warning(f"这份 Word 中有 {len(top)} 个同级的标题（{'、'.join(f'“{e.title}”' for e in top[:4])}"
                         f"{'等' if len(top) > 4 else ''}），放入一节后第一个是本节的标题，其余在初稿中是本节的下一级标题；"
                         "如果它们应是不同的小节，请分成几份 Word 分别上传", top[1].location)
    return headings[0].title if headings else ""


def _best(text: str, sections: dict[str, Section], choices: list[Choice]) -> str | None:
    """The section whose pack title or shown title is most like `text`, if alike enough."""
    if not text:
        return None
    scored = []
    for c in choices:
        s = sections[c.key]
        shown = c.label.split(" › ", 1)[-1]
        scored.append((max(similarity(text, t) for t in (s.title or s.chapter_title, shown)), c.key))
    score, key = max(scored, default=(0.0, None))
    return key if score >= SECTION_MIN else None


def _stamp(root: Path) -> Path:
    """returns/<收取时间>/, a folder not used yet: a replaced file is never written over an earlier one."""
    base = Path(RETURNS) / time.strftime("%Y-%m-%d_%H%M%S")
    stamp, n = base, 2
    while (root / stamp).exists():
        stamp, n = Path(f"{base}-{n}"), n + 1
    return stamp
