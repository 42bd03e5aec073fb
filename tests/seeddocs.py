"""Last year's reports as schools have them in Word, made at test time from the published seed texts.

The seed texts are not Word files (see seed-inventory.md): 000 is a PDF's text (lines wrapped at the page
width, a blank line after each, tables flattened to a cell per line), 001 has a paragraph per line and its
tables as tab-separated rows whose header repeats after page breaks, 004 is Markdown with heading levels
that disagree with its typed numbers. This module turns them into a structure — paragraphs, headings
(decided by the typed number: 一、 chapter, （一） section, 1. sub-section), tables — and writes that
structure as .docx in the shapes a school's file comes in:

- `pandoc`: Markdown through pandoc, chapters at `#` (or `##` under a `#` title: `title=`);
- `direct`: python-docx with no heading styles, headings only bold 黑体 with their typed numbers;
- `resave`: any of those saved again by LibreOffice (`wordutil.soffice_resave`);
- tables keep the blank cells below a merged category cell (pandoc and python-docx alike).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.oxml.ns import qn

from seedtables import SEEDS

CN = "一二三四五六七八九十"
CHAPTER = re.compile(rf"^[{CN}]+、\s*\S")
SECTION = re.compile(rf"^[（(]\s*[{CN}]+\s*[）)]")
SUB = re.compile(r"^\d{1,2}\s*[.．]\s*\S")
CAPTION = re.compile(r"^表\s*\d+(?:\s*-\s*\d+)?\s")
PREFACE = re.compile(r"^前\s*言$")
CASE_CHAPTER = re.compile(r"^案例[：:]")


@dataclass
class Heading:
    rank: int            # 1 chapter, 2 section, 3 sub-section; 0 the report's title
    text: str


@dataclass
class Para:
    text: str


@dataclass
class Table:
    caption: str
    rows: list[list[str]] = field(default_factory=list)


def seed(prefix: str) -> Path | None:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    return found[0] if found else None


def _short(text: str) -> bool:
    return len(text) <= 40 and "。" not in text.rstrip("。")


def _rank(text: str) -> int:
    if PREFACE.match(text) or CHAPTER.match(text) and _short(text) or CASE_CHAPTER.match(text):
        return 1
    if SECTION.match(text) and _short(text):
        return 2
    if SUB.match(text) and _short(text):
        return 3
    return 0


# ---------------------------------------------------------------- reading the seeds
def structure_000(path: Path) -> list:
    """000: wrapped lines joined into paragraphs until a line ends short of the width; a typed heading,
    case or caption opens its own paragraph. Its tables stay flattened text, as the PDF's text has them."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    full = sorted(len(ln) for ln in lines)[len(lines) * 3 // 4]
    out: list = []
    open_para = False
    chapters = 0
    for ln in lines:
        rank = _rank(ln)
        if rank == 1 and CHAPTER.match(ln):        # a chapter's number is the next one ("三五、" is a wrapped line)
            if not ln.startswith(CN[chapters] + "、"):
                rank = 0
            else:
                chapters += 1
        special = rank or re.match(r"^(案例\s*\d+|[表图]\s*\d+)", ln)
        if rank:
            out.append(Heading(rank, "前言" if PREFACE.match(ln) else ln))
        elif special or not open_para:
            out.append(Para(ln))
        else:
            out[-1].text += ln
        open_para = not rank and len(ln) >= full - 3
    return out


def structure_001(path: Path) -> list:
    """001: a paragraph per line; tab-separated rows after a "表 N-M" caption are its table, a header
    repeated after a page break is dropped, cells left blank stay blank."""
    out: list = []
    table: Table | None = None
    in_case = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        ln = raw.strip()
        if "\t" in raw and table is not None and not re.search(r"\.{3,}", raw):
            cells = [c.strip() for c in raw.rstrip("\n").split("\t")]
            if table.rows and cells == table.rows[0]:
                continue
            table.rows.append(cells)
            continue
        if not ln:
            continue
        if table is not None and table.rows and not CAPTION.match(ln) and "\t" not in raw:
            width = max(len(r) for r in table.rows)
            table.rows = [r + [""] * (width - len(r)) for r in table.rows]
            table = None
        if CAPTION.match(ln) or ln.endswith("质量数据表") and not re.search(r"\.{3,}", ln):
            table = Table(ln)               # the closing 质量数据表 has a title line and no 表 number
            out.append(Heading(1, ln) if not CAPTION.match(ln) else table)
            if not CAPTION.match(ln):
                table.caption = ""
                out.append(table)
            continue
        rank = _rank(ln) if not re.search(r"\.{3,}\s*\d*$", ln) else 0
        if rank and in_case and not CASE_CHAPTER.match(ln):
            rank += 1                              # the case chapter's own 一、（一） are one level down
        in_case = in_case or bool(rank == 1 and CASE_CHAPTER.match(ln))
        out.append(Heading(rank, ln) if rank else Para(ln.replace("\t", " ")))
    for t in out:
        if isinstance(t, Table) and t.rows:
            width = max(len(r) for r in t.rows)
            t.rows = [r + [""] * (width - len(r)) for r in t.rows]
    return out


def structure_004(path: Path) -> list:
    """004 as it is: Markdown whose ##/###/#### disagree with the typed numbers. Read by pandoc directly."""
    raise NotImplementedError("004 is Markdown already: use markdown_004")


# ---------------------------------------------------------------- writing
def _md_escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("|", "\\|")
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([#>+\-=])", r"\\\1", text))


def to_markdown(blocks: list, chapter_level: int = 1, title: str = "") -> str:
    parts = [f"# {title}"] if title else []
    for b in blocks:
        if isinstance(b, Heading):
            parts.append("#" * (b.rank + chapter_level - 1) + " " + _md_escape(b.text))
        elif isinstance(b, Para):
            parts.append(_md_escape(b.text))
        elif isinstance(b, Table):
            parts.append(_md_escape(b.caption))
            if b.rows:
                width = len(b.rows[0])
                rows = [[_md_escape(c) for c in r] for r in b.rows]
                lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
                lines += ["| " + " | ".join(c or " " for c in r) + " |" for r in rows[1:]]
                parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def pandoc(markdown: str, out: Path) -> Path:
    """The Markdown as pandoc writes it to .docx (pipe tables and headings as pandoc styles them)."""
    src = out.with_suffix(".md")
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(markdown, encoding="utf-8")
    subprocess.run([shutil.which("pandoc") or "pandoc", "-f", "markdown-smart-auto_identifiers", str(src),
                    "-o", str(out)], check=True, capture_output=True, timeout=120)
    return out


def direct(blocks: list, out: Path, cover: list[str] = ()) -> Path:
    """python-docx, no heading styles: a heading is a bold 黑体 paragraph with its typed number; tables
    with blank cells where a category cell was merged."""
    d = docx.Document()
    for line in cover:
        d.add_paragraph().add_run(line).bold = True
    for b in blocks:
        if isinstance(b, Heading):
            run = d.add_paragraph().add_run(b.text)
            run.bold = True
            run.font.name = "黑体"
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
        elif isinstance(b, Para):
            d.add_paragraph(b.text)
        elif isinstance(b, Table):
            d.add_paragraph(b.caption)
            if b.rows:
                t = d.add_table(rows=len(b.rows), cols=len(b.rows[0]))
                t.style = "Table Grid"
                # one pass over the cells: t.cell(i, j) lists the whole grid each call (seconds for 001's tables)
                cells, width = t._cells, len(b.rows[0])
                for i, row in enumerate(b.rows):
                    for j, text in enumerate(row):
                        cells[i * width + j].text = text
    d.save(str(out))
    return out
