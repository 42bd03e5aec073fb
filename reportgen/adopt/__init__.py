"""`reportgen init DIR --from 去年报告.docx`: last year's report as this year's starting point.

The report is read with the same Word reader as sections (load/word). Its chapters and sections are
matched to the pack's by title; text, cases and pictures become narrative Markdown and images/;
tables whose header names a pack table's columns become data/tables/*.yaml rows; every number typed
in the text is listed as 去年的数字 to be replaced by a data reference or updated. The project is made
in a scratch folder beside DIR and moved into place only when complete: a failed run leaves nothing.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Location, Problems, UsageError
from ..fileio import write_bytes_atomic
from ..load.word import WCase, WFigure, WHeading, WTable, WText, read_blocks, word_location
from ..load.word.markdown import block_markdown, escape
from ..packs.find import find_pack
from ..packs.load import load_pack
from ..scaffold import scaffold
from .match import CHAPTER_MIN, SECTION_MIN, best, normalize
from .tables import TableRows, is_indicator_table, match_table, table_rows

NUMBER = re.compile(r"(?<![\w.])\d[\d,，]*(?:\.\d+)?\s*(?:%|％|‰|人次|学时|小时|平方米|[万亿千百]?余?[元人个项家门部所名本篇件台套册次天年届]|[万亿]余?)?")
REVIEW_FILE = "去年的数字.md"
SCHOOL = re.compile(r"^\S{2,30}(?:学院|学校|大学|中专|技校)$")
YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass
class ReviewNumber:
    text: str                  # the number as typed, with its unit
    context: str               # a few characters around it
    location: Location         # where it was in last year's report
    file: str                  # the narrative file it went to


@dataclass
class ChapterResult:
    id: str
    title: str
    matched_from: str = ""     # the heading in last year's report
    sections_matched: int = 0
    sections_kept: int = 0     # sections with no pack counterpart, kept as their own files
    tables: int = 0            # turned into data
    narrative_tables: int = 0  # kept in the text
    generated_tables: int = 0  # indicator tables the pack computes: not imported
    figures: int = 0
    cases: int = 0
    numbers: int = 0
    skipped: bool = False      # a chapter the pack generates (附表): its content is not imported


@dataclass
class AdoptResult:
    directory: Path
    chapters: list[ChapterResult]
    tables: list[TableRows]
    numbers: list[ReviewNumber]
    unplaced: list[str] = field(default_factory=list)    # headings before the first chapter (cover, 目录)
    school: str = ""
    year: int | None = None
    problems: Problems = field(default_factory=Problems)


def adopt_report(source: Path, directory: Path, pack_name: str) -> AdoptResult:
    if not source.is_file():
        raise UsageError(f"找不到文件：{source}")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} 已存在且不是空文件夹；请指定一个新的项目文件夹，不会覆盖已有文件")
    pack = load_pack(find_pack(pack_name))
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}.init-", dir=directory.parent))
    try:
        problems = Problems()
        blocks = read_blocks(source, problems, source.name, media_dir=scratch / "images", media_rel="images")
        scaffold(scratch, pack_name)
        shutil.rmtree(scratch / "narrative")
        result = _Adopter(pack, source.name, scratch, problems).run(blocks)
        result.directory = directory
        if directory.exists():
            directory.rmdir()
        scratch.rename(directory)
        return result
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


class _Adopter:
    def __init__(self, pack, label: str, root: Path, problems: Problems):
        self.pack, self.label, self.root, self.problems = pack, label, root, problems
        self.titles = {c.id: c.title for c in pack.chapters}
        self.results = {c.id: ChapterResult(c.id, c.title) for c in pack.chapters}
        self.taken_tables: set[str] = set()
        self.tables: list[TableRows] = []
        self.numbers: list[ReviewNumber] = []

    def run(self, blocks: list) -> AdoptResult:
        chapters, front = self.split_chapters(blocks)
        for ch in self.pack.chapters:
            if ch.id not in chapters:
                continue
            if not _uses_narrative(self.pack, ch):
                self.results[ch.id].skipped = True
                continue
            self.write_chapter(ch, chapters[ch.id])
        self.write_tables()
        self.write_review()
        school, year = _cover(front)
        self.fix_report(school, year)
        unplaced = [b.text for b in front if isinstance(b, WHeading)]
        return AdoptResult(self.root, list(self.results.values()), self.tables, self.numbers, unplaced,
                           school, year, self.problems)

    # ---------------------------------------------------------------- chapters and sections
    def split_chapters(self, blocks: list) -> tuple[dict[str, list], list]:
        """Blocks by pack chapter, and what came before the first (cover, 目录). An unmatched chapter goes
        into the nearest one as a section: the one before it, or for one before any, the first."""
        chapters: dict[str, list] = {}
        segments: list[list] = [[]]           # before the first matched chapter: one list per heading 1
        current: list = segments[0]
        current_id = None
        for b in blocks:
            if isinstance(b, WHeading) and b.level == 1:
                cid = best(b.text, {k: v for k, v in self.titles.items() if k not in chapters}, CHAPTER_MIN)
                if cid is not None:
                    self.results[cid].matched_from = b.text
                    current = chapters.setdefault(cid, [])
                    if current_id is None:
                        current.extend(_early_chapters(segments))
                    current_id = cid
                    continue
                if normalize(b.text) == "目录" or current_id is None:
                    segments.append([b])          # a typed 目录 is dropped with its lines
                    current = segments[-1]
                    continue
                b = WHeading(2, b.text, b.para)
            current.append(b)
        front = [b for seg in segments for b in seg if not _is_early_chapter(seg)]
        return chapters, front

    def write_chapter(self, ch, blocks: list) -> None:
        res = self.results[ch.id]
        sections: list[tuple[str | None, list]] = []
        for b in blocks:
            if isinstance(b, WHeading) and b.level <= 2:
                sections.append((b.text, [WHeading(2, b.text, b.para)]))
            else:
                if not sections:
                    sections.append((None, []))
                sections[-1][1].append(b)
        pack_sections = {s.id: s.title for s in ch.sections}
        untitled = next((s.id for s in ch.sections if not s.title), None)
        taken: set[str] = set()
        for n, (title, body) in enumerate(sections, start=1):
            if title is None:
                sid = untitled or "导语"
                taken.add(sid)
            else:
                sid = best(title, pack_sections, SECTION_MIN, taken)
                if sid is not None:
                    taken.add(sid)
            if title is None or sid is not None:
                res.sections_matched += 1 if title is not None or untitled else 0
            else:
                res.sections_kept += 1
                sid = _file_stem(title)
            rel = f"narrative/{ch.id}/{n:02d}-{sid}.md"
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, self.section_markdown(body, res, rel), encoding="utf-8")

    def section_markdown(self, body: list, res: ChapterResult, rel: str) -> str:
        parts = []
        for b in body:
            if isinstance(b, WTable) and is_indicator_table(b):
                res.generated_tables += 1
                continue
            if isinstance(b, WTable):
                found = match_table(b, self.pack.tables, self.taken_tables)
                if found is not None:
                    tdef, columns = found
                    self.taken_tables.add(tdef.id)
                    self.tables.append(table_rows(b, tdef, columns, self.label, self.problems))
                    res.tables += 1
                    parts.append(f'{{{{ table("{tdef.id}") }}}}')
                    continue
                res.narrative_tables += 1
            elif isinstance(b, WFigure):
                res.figures += 1
            elif isinstance(b, WCase):
                res.cases += 1
                res.figures += sum(isinstance(x, WFigure) for x in b.blocks)
            self.collect_numbers(b, rel, res)
            text = block_markdown(b)
            if text:
                parts.append(text)
        return "\n\n".join(parts) + "\n"

    def collect_numbers(self, b, rel: str, res: ChapterResult, box: int = 0) -> None:
        if isinstance(b, WCase):
            for inner in b.blocks:
                self.collect_numbers(inner, rel, res, b.table)
            return
        if not isinstance(b, (WText, WHeading)):
            return
        text = b.text
        loc = word_location(self.label, table=box) if box else word_location(self.label, b.para)
        for m in NUMBER.finditer(text):
            context = text[max(0, m.start() - 12):m.end() + 6].replace("\n", " ")
            self.numbers.append(ReviewNumber(m.group(0).strip(), context, loc, rel))
            res.numbers += 1

    # ---------------------------------------------------------------- data and notes
    def write_tables(self) -> None:
        for t in self.tables:
            path = self.root / "data" / "tables" / f"{t.table.id}.yaml"
            header = path.read_text(encoding="utf-8").removesuffix("[]\n")
            note = f"# 以下数据取自 {self.label} {t.source.sheet if t.source else ''}（去年的报告），请更新为本年度数据。\n"
            _write(path, header + note + yaml.safe_dump(t.rows, allow_unicode=True, sort_keys=False,
                                                           width=1000), encoding="utf-8")

    def write_review(self) -> None:
        lines = [f"# 去年的数字（共 {len(self.numbers)} 处）", "",
                 f"以下数字是从 {self.label} 正文中读出的去年数字，已原样写入正文。"
                 "请逐一改为数据引用（如 {{ count(\"表名\") }}、{{ ind.指标名 }}）或更新为本年度的数字。", "",
                 "| 数字 | 上下文 | 在去年报告中的位置 | 现在所在文件 |", "| --- | --- | --- | --- |"]
        for n in self.numbers:
            lines.append(f"| {escape(n.text)} | {escape(n.context).replace('|', '｜')} | {n.location} | {n.file} |")
        _write(self.root / REVIEW_FILE, "\n".join(lines) + "\n")

    def fix_report(self, school: str, year: int | None) -> None:
        path = self.root / "report.yaml"
        text = path.read_text(encoding="utf-8")
        if school:
            text = text.replace("【学校全称】", school, 1)
        if year:
            # last year's report: this year's project is the next one
            text = re.sub(r"^year: \d{4}", f"year: {year + 1}", text, count=1, flags=re.M)
            text = re.sub(r"^date: \d{4}年", f"date: {year + 1}年", text, count=1, flags=re.M)
        _write(path, text, encoding="utf-8")


def _is_early_chapter(segment: list) -> bool:
    """A heading 1 before the first known chapter with a report's body under it (not a cover's lines)."""
    if not segment or not isinstance(segment[0], WHeading) or normalize(segment[0].text) == "目录":
        return False
    body = segment[1:]
    return any(isinstance(b, (WHeading, WTable, WCase)) for b in body) or \
        sum(isinstance(b, WText) and len(b.text) > 30 for b in body) >= 2


def _early_chapters(segments: list[list]) -> list:
    out = []
    for seg in segments:
        if _is_early_chapter(seg):
            out.append(WHeading(2, seg[0].text, seg[0].para))
            out.extend(seg[1:])
    return out


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes_atomic(path, text.encode(encoding))


def _uses_narrative(pack, ch) -> bool:
    """A chapter whose template never calls narrative() (附表) is generated: nothing of it is imported."""
    for root in pack.search_path:
        path = Path(root) / ch.template
        if path.is_file():
            return "narrative(" in path.read_text(encoding="utf-8")
    return True


def _cover(front: list) -> tuple[str, int | None]:
    texts = [b.text.strip() for b in front if isinstance(b, (WText, WHeading))]
    school = next((t for t in texts if SCHOOL.match(t)), "")
    years = [int(m.group(1)) for t in texts for m in YEAR.finditer(t)]
    years += [int(y) for t in texts for y in re.findall(r"(20\d\d)", t)]
    return school, (min(years) if years else None)


def _file_stem(title: str) -> str:
    stem = "".join(ch for ch in normalize(title) if ch.isalnum())[:16]
    return stem or "小节"
