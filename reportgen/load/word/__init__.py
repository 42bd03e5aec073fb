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
from .blocks import Structurer, WCase, WFigure, WHeading, WImage, WTable, WText, word_location
from .markdown import to_markdown_lines
from .media import Media
from ...errors import WordFileError
from .package import open_docx
from .reader import BodyReader

__all__ = ["read_section", "read_word_section", "WordSection", "read_blocks", "outline", "OutlineEntry", "WordFileError", "word_location",
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
        blocks = Structurer(label, problems, media).blocks(items)
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
    blocks = read_blocks(path, problems, label, media_dir, media_rel)
    levels = [b.level for b in blocks if isinstance(b, WHeading)]
    shift = max(0, SECTION_LEVEL - min(levels)) if levels else 0
    text, paragraphs = to_markdown_lines(blocks, shift)
    return WordSection(label, text, tuple(paragraphs))


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
