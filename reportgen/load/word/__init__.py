"""Word (.docx) in: a section written in Word or WPS becomes the project's Markdown dialect.

Public API (also used by `reportgen init --from` and by department kits):
- `read_section(path, problems, label=..., media_dir=..., media_rel=...) -> str`: the Markdown of a
  section file; pictures are saved under `media_dir` (referenced as `media_rel/...`).
- `read_word_section(...) -> WordSection`: the same with `.location(line)`, the 第 N 段 a Markdown
  line came from (messages about the rendered text are located in the Word file).
- `read_blocks(path, problems, label, media_dir, media_rel) -> list`: the structured blocks (WHeading,
  WText, WTable, WFigure, WCase from `.blocks`) of a whole document, headings at their typed levels.
- `outline(path, problems, label) -> list[OutlineEntry]`: the headings and tables of a .docx with
  their locations, without keeping pictures (to identify what a returned file holds).
A file that cannot be read raises `WordFileError` (a ReportgenError) with a located Chinese message.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import Location, Problems
from .blocks import Structurer, document_levels, WCase, WFigure, WHeading, WImage, WTable, WText, word_location
from .markdown import to_markdown_lines
from .media import Media
from ...errors import WordFileError
from .package import open_docx
from .reader import BodyReader

__all__ = ["read_section", "read_word_section", "WordSection", "section_title", "read_blocks", "outline", "OutlineEntry", "WordFileError", "word_location",
           "WHeading", "WText", "WTable", "WFigure", "WCase", "WImage", "SECTION_LEVEL"]

SECTION_LEVEL = 2          # a section file's own headings start at ## (the chapter template writes #)


def read_blocks(path: Path, problems: Problems, label: str | None = None,
                media_dir: Path | None = None, media_rel: str = "") -> list:
    label = label or path.name
    doc = open_docx(path, label)
    reader = BodyReader(doc)
    items = reader.items()
    for para, what in reader.unread:
        problems.warning(f"{'其后' if para else '开头'}有一段{what}，未能导入：请在 Word/WPS 中"
                         "选中它复制，再“选择性粘贴 › 只保留文本”后另存", word_location(label, para))
    with tempfile.TemporaryDirectory(prefix="reportgen-word-") as scratch:
        folder = media_dir if media_dir is not None else Path(scratch)
        media = Media(reader, folder, media_rel or folder.as_posix(), _stem(path))
        blocks = document_levels(Structurer(label, problems, media).blocks(items))
    for b in _walk(blocks):
        if isinstance(b, WFigure):
            for img in b.images:
                if img.problem:
                    problems.warning(f"图片未能读取：{img.problem}", word_location(label, b.para))
    return blocks


def read_section(path: Path, problems: Problems, label: str | None = None,
                 media_dir: Path | None = None, media_rel: str = "") -> str:
    """Markdown for one section file. Its top heading level becomes ## whatever Word called it."""
    return read_word_section(path, problems, label, media_dir, media_rel).markdown


@dataclass(frozen=True)
class WordSection:
    label: str
    markdown: str
    paragraphs: tuple[int, ...]     # the 第 N 段 of each Markdown line (0: unknown)

    def location(self, line: int | None) -> Location:
        """Where line `line` of the Markdown was in the Word file, for messages about it."""
        para = self.paragraphs[line - 1] if line and 0 < line <= len(self.paragraphs) else 0
        return word_location(self.label, para)


def read_word_section(path: Path, problems: Problems, label: str | None = None,
                      media_dir: Path | None = None, media_rel: str = "") -> WordSection:
    label = label or path.name
    blocks = section_levels(read_blocks(path, problems, label, media_dir, media_rel))
    text, paragraphs = to_markdown_lines(blocks)
    return WordSection(label, text, tuple(paragraphs))


def section_title(path: Path, problems: Problems, label: str | None = None) -> str:
    """The title a section file opens with ("" when its first paragraph is not a heading)."""
    blocks = read_blocks(path, problems, label)
    return blocks[0].text if blocks and isinstance(blocks[0], WHeading) else ""


def section_levels(blocks: list) -> list:
    """One file is one section, whatever levels Word gave its headings: a heading that opens the file is
    the section's title (##); every later heading is one of its sub-headings (### and below, keeping their
    order of rank among themselves). A later heading at the title's level would otherwise open a section
    of its own in the draft, and the text before it would run on under the section before."""
    headings = [b for b in blocks if isinstance(b, WHeading)]
    if not headings:
        return blocks
    title = blocks[0] if isinstance(blocks[0], WHeading) else None
    subs = [h for h in headings if h is not title]
    top = min((h.level for h in subs), default=0)
    out = []
    for b in blocks:
        if b is title:
            b = WHeading(SECTION_LEVEL, b.text, b.para)
        elif isinstance(b, WHeading):
            b = WHeading(min(6, b.level - top + SECTION_LEVEL + 1), b.text, b.para)
        out.append(b)
    return out


@dataclass(frozen=True)
class OutlineEntry:
    kind: str              # "heading" | "table" | "case" | "figure"
    level: int             # heading level (0 otherwise)
    title: str
    location: Location


def outline(path: Path, problems: Problems, label: str | None = None) -> list[OutlineEntry]:
    label = label or path.name
    out = []
    for b in _walk(read_blocks(path, problems, label)):
        if isinstance(b, WHeading):
            out.append(OutlineEntry("heading", b.level, b.text, word_location(label, b.para)))
        elif isinstance(b, WTable):
            out.append(OutlineEntry("table", 0, b.caption, word_location(label, table=b.table.no)))
        elif isinstance(b, WCase):
            out.append(OutlineEntry("case", 0, b.title, word_location(label, b.para)))
        elif isinstance(b, WFigure):
            out.append(OutlineEntry("figure", 0, b.caption, word_location(label, b.para)))
    return out


def _walk(blocks: list):
    for b in blocks:
        yield b
        if isinstance(b, WCase):
            yield from _walk(b.blocks)


def _stem(path: Path) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in path.stem)
    return safe.strip("-") or "word"
