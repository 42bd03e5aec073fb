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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Location, Problems, UsageError
from ..fileio import write_bytes_atomic
from ..load.review import HOW_TO_REVIEW, REVIEW_FILE
from ..load.word import WCase, WFigure, WHeading, WTable, WText, read_blocks, word_location
from ..load.word.blocks import compact
from ..load.word.markdown import block_markdown, escape
from ..load.word.parts import DATE_LINE, ORG, SCHOOL, case_chapters, is_contents, is_indicator_table, sign_off
from ..packs.find import find_pack, uses_narrative
from ..packs.load import load_pack
from ..scaffold import scaffold
from .match import CHAPTER_MIN, SECTION_MIN, best, normalize
from .tables import IndicatorValue, Proposal, TableRows, indicator_values, match_table, propose, t_label, table_rows

NUMBER = re.compile(r"(?<![\w.])\d[\d,，]*(?:\.\d+)?\s*(?:%|％|‰|人次|学时|小时|平方米|[万亿千百]?余?[元人个项家门部所名本篇件台套册次天年届]|[万亿]余?)?")
# "1. 集团运行机制……", "（2）…", "3、…" opening a paragraph: a list's number, not a figure to review
LIST_NUMBER = re.compile(r"^\s*[（(]?\d{1,2}\s*(?:[.．、]|[）)])(?![\d.．])")
# "1+X 证书", "1+1+X 的运行机制", "3+2 分段": a programme's name; "见表 1", "图 2": a label; not figures
# (表/图 after a word's first character is 发表 12 篇, 代表 30 人: figures)
NAME_BEFORE = re.compile(r"(?:\+|(?:^|[\s见如附详（(，、。；：“])(?:[表图]|案例)\s*(?:\d{1,2}\s*[-－–]\s*)?)\s*$")
NAME_AFTER = re.compile(r"^\s*\+")
REMAINDER_FILE = "去年报告的其余部分.md"
# a name inside a title line: "…—潍坊市化工职业教育集团 2023 年工作报告", "聊城高级工程职业学校2022年教育质量年度报告"
NAME_IN_TITLE = re.compile(rf"(?:^|[\s—\-–―:：　])([^\s—\-–―:：　]{{2,30}}?{ORG})(?=\s*(?:20\d\d|[（(]|质量|工作|年度|$))")
YEAR = re.compile(r"(20\d\d)\s*年")
TITLE_YEAR = re.compile(r"(20\d\d)\s*(?:年|[）)])")
# "责任共同体视域下 构建……新格局 —潍坊市化工职业教育集团 2023 年工作报告": the title's own part, then the name's
TITLE_AND_NAME = re.compile(r"^(\S.*?\S)\s*(?:——|—|－－|--|–|―)\s*(\S.*报告)$")
DATE_AND_PLACE = re.compile(r"^[（(]\s*20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*([^\d\s，。（）()][^，。（）()]{0,11})[）)]$")
SALUTATION = re.compile(r"^(?:尊敬的|各位|亲爱的)[^。]{0,80}[：:]$")
CLOSING_START = re.compile(r"^(?:各位(?:代表|来宾|领导|同志|理事)|同志们|最后|谢谢)")
OPENING_TITLES = {"开场白", "开幕词", "引言", "导言"}
CLOSING_TITLES = {"结束语", "结语"}
CASE_CHAPTER = re.compile(r"^\s*案例\s*[：:]\s*(.+)$")


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
    unplaced: list[str] = field(default_factory=list)    # cover, 目录 and sign-off lines (in REMAINDER_FILE)
    school: str = ""
    year: int | None = None          # the data year last year's report covered
    edition: int | None = None       # the edition its cover printed
    chars_in: int = 0                # characters of the file read (body, tables, cases, captions)
    chars_kept: int = 0              # of those, found again in the project's files
    fallback: str = ""               # the chapter that took everything when no chapter matched the pack
    problems: Problems = field(default_factory=Problems)
    mappings: list[str] = field(default_factory=list)      # header mappings written into report.yaml tables:
    kept_tables: list[str] = field(default_factory=list)   # tables left in the text, each with why
    indicator_values: int = 0        # values of last year's indicator tables written into data/indicators.yaml
    year_from_body: bool = False     # no cover said the year: the one the text speaks of most


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
        self.mappings: list[Proposal] = []       # header mappings init made for tables (report.yaml tables:)
        self.derived: list[str] = []             # columns the school lacks, read from another as the pack says
        self.kept_tables: list[str] = []         # tables left in the text, each with its reason
        self.indicators: list[IndicatorValue] = []   # last year's indicator tables, for data/indicators.yaml
        self.numbers: list[ReviewNumber] = []
        self.case_chapters: set[str] = set()     # chapters that are one case ("案例：标题"): one file, headings kept

    def run(self, blocks: list) -> AdoptResult:
        self.remainder: list[tuple[str, list]] = []       # (what, blocks) kept in REMAINDER_FILE
        body, closing = sign_off(blocks)
        chapters, front, opening, early = self.split_chapters(body)
        fallback = self.place_unmatched(chapters, opening, early)
        self.place_closing(chapters)
        for ch in self.pack.chapters:
            if ch.id not in chapters:
                continue
            if not uses_narrative(self.pack, ch):
                self.results[ch.id].skipped = True
                for b in chapters[ch.id]:        # a 质量数据表 chapter: its raw values, each under its year
                    if isinstance(b, WTable) and is_indicator_table(b):
                        self.indicators.extend(indicator_values(b, self.pack.indicators, self.label))
                self.remainder.append((f"“{self.results[ch.id].matched_from}”（由数据生成的章，未导入正文）",
                                       chapters[ch.id]))
                continue
            self.write_chapter(ch, chapters[ch.id])
        if front or closing:
            self.remainder.insert(0, ("封面、目录、称呼与落款（由工具按 report.yaml 生成）", front + closing))
        self.write_tables()
        self.write_indicators()
        self.write_review()
        self.write_remainder()
        school, edition, year = _cover(front + closing, self.pack.subject)
        self.year_from_body = year is None and edition is None
        if self.year_from_body:
            # no cover: the year the text speaks of most is the data year ("2023年" 93 times in a 2024 report)
            year = _most_mentioned_year(blocks)
            lag = self.pack.subject.edition_after_data
            edition = year + 1 if year and lag else year      # e.g. a 质量年度报告 is named for the year after
        self.fix_report(school, edition, year)
        self.fill_opening(front + closing)
        unplaced = [b.text for b in front + closing if isinstance(b, (WHeading, WText)) and b.text.strip()]
        chars_in = _chars(blocks)
        kept = _kept(chars_in, _chars_of_files(self.root))
        return AdoptResult(self.root, list(self.results.values()), self.tables, self.numbers, unplaced,
                           school, year, edition, sum(chars_in.values()), kept, fallback, self.problems,
                           [m.mapping_yaml() for m in self.mappings if m.aliases or m.add] + self.derived,
                           self.kept_tables,
                           getattr(self, "indicator_count", 0), self.year_from_body)

    # ---------------------------------------------------------------- chapters and sections
    def split_chapters(self, blocks: list) -> tuple[dict[str, list], list, list, list]:
        """Blocks by matched pack chapter; the cover lines, 目录 and title(s) before the first chapter; the
        opening text there (an address before the first chapter); and the chapters before the first matched
        one that have a body (each as a level-2 section). After a matched chapter, an unmatched chapter goes
        into it as a section."""
        chapters: dict[str, list] = {}
        segments: list[list] = [[]]           # before the first matched chapter: one list per heading 1
        current: list = segments[0]
        current_id = None
        in_case = False                       # a 案例 chapter: its own 一、（一） are headings inside it
        for b in case_chapters(blocks):
            if isinstance(b, WHeading) and b.level == 0 and current_id is None:
                segments.append([b])          # the report's title above its chapters
                current = segments[-1]
                continue
            if isinstance(b, WHeading) and b.level <= 1:
                cid = best(b.text, {k: v for k, v in self.titles.items() if k not in chapters}, CHAPTER_MIN)
                if cid is not None:
                    self.results[cid].matched_from = b.text
                    current = chapters.setdefault(cid, [])
                    current_id = cid
                    named = CASE_CHAPTER.match(b.text)
                    in_case = bool(named)
                    if named:
                        self.case_chapters.add(cid)
                    if named and normalize(named.group(1)) != normalize(self.titles[cid]):
                        current.append(WHeading(1, b.text.strip(), b.para))   # "# 案例：标题", as the pack asks
                    continue
                if is_contents(b) or current_id is None:
                    segments.append([b])          # a typed 目录 is listed with its lines
                    current = segments[-1]
                    continue
                b = WHeading(2, b.text, b.para)
            elif in_case and isinstance(b, WHeading) and b.level >= 2:
                b = WHeading(min(b.level + 1, 4), b.text, b.para, b.typed)    # one level below the case's title
            current.append(b)
        front, opening, early = [], [], []
        for seg in segments:
            if _is_early_chapter(seg):
                early.append(WHeading(2, seg[0].text, seg[0].para))
                early.extend(seg[1:])
            elif seg and isinstance(seg[0], WHeading) and is_contents(seg[0]):
                front.extend(seg)
            else:                             # the preamble, or a title: cover lines and an opening address
                for b in seg:
                    (opening if _is_body(b) else front).append(b)
        return chapters, front, opening, early

    def place_unmatched(self, chapters: dict, opening: list, early: list) -> str:
        """The opening address goes to the pack's opening chapter (开场白) where it has one; chapters before the
        first matched one go into it; if none matched at all, everything goes to the pack's first chapter,
        one section per heading. Returns that chapter's title in the last case."""
        narrative = [c for c in self.pack.chapters if uses_narrative(self.pack, c)]
        opener = next((c for c in narrative if c.id == "opening" or normalize(c.title) in OPENING_TITLES), None)
        if opening and opener is not None and opener.id not in chapters:
            chapters[opener.id] = opening
            self.results[opener.id].matched_from = "（标题下的开场白）"
            opening = []
        rest = opening + early
        if not rest:
            return ""
        if chapters:
            first = next(iter(chapters))
            chapters[first][:0] = rest
            return ""
        if not narrative:
            self.remainder.append(("没有可以放入的章", rest))
            return ""
        target = narrative[0]
        chapters[target.id] = rest
        self.results[target.id].matched_from = "（全部正文）"
        return self.titles[target.id]

    def place_closing(self, chapters: dict) -> None:
        """A closing address ("各位代表……谢谢大家！") at the end of the last chapter goes to the pack's 结束语."""
        closer = next((c for c in self.pack.chapters if c.id == "closing" or normalize(c.title) in CLOSING_TITLES),
                      None)
        if closer is None or closer.id in chapters or not chapters:
            return
        last = max(chapters, key=lambda cid: max((getattr(b, "para", 0) for b in chapters[cid]), default=0))
        blocks = chapters[last]
        heads = [i for i, b in enumerate(blocks) if isinstance(b, WHeading)]
        start = next((i for i in range((heads[-1] + 1) if heads else 0, len(blocks))
                      if isinstance(blocks[i], WText) and CLOSING_START.match(blocks[i].text.strip())), None)
        if start is None:
            return
        chapters[closer.id] = blocks[start:]
        del blocks[start:]
        self.results[closer.id].matched_from = "（末尾的结束语）"

    def write_chapter(self, ch, blocks: list) -> None:
        res = self.results[ch.id]
        sections: list[tuple[str | None, list]] = [(None, blocks)] if ch.id in self.case_chapters else []
        for b in blocks if not sections else ():
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
                self.indicators.extend(indicator_values(b, self.pack.indicators, self.label))
                self.remainder.append((f"指标表“{b.caption or '（无表题）'}”（附表由 data/indicators.yaml 生成）", [b]))
                continue
            if isinstance(b, WTable):
                found = match_table(b, self.pack.tables, self.taken_tables)
                proposal = None if found else propose(b, self.pack.tables, self.taken_tables)
                if found is None and proposal is not None and not proposal.missing:
                    found = proposal.table, proposal.columns        # with the mapping written into report.yaml
                    self.mappings.append(proposal)
                    self.derived += [f"{proposal.table.id}：“{c.name}”从“{c.derive[0]}”读出" for c in proposal.table.columns
                                     if c.required and c.derive and c.name not in proposal.columns]
                if found is not None:
                    tdef, columns = found
                    self.taken_tables.add(tdef.id)
                    self.tables.append(table_rows(b, tdef, columns, self.label, self.problems))
                    res.tables += 1
                    parts.append(f'{{{{ table("{tdef.id}") }}}}')
                    continue
                res.narrative_tables += 1
                self.kept_tables.append(_why_text(b, proposal, self.label))
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
        for m in _figures(text):
            context = text[max(0, m.start() - 12):m.end() + 6].replace("\n", " ")
            self.numbers.append(ReviewNumber(m.group(0).strip(), context, loc, rel))
            res.numbers += 1

    # ---------------------------------------------------------------- data and notes
    def write_tables(self) -> None:
        for t in self.tables:
            path = self.root / "data" / "tables" / f"{t.table.id}.yaml"
            header = path.read_text(encoding="utf-8").removesuffix("[]\n")
            note = f"# 以下数据取自 {self.label} {t.source.sheet if t.source else ''}（去年的报告），请更新为本年度数据。\n"
            aside = "".join(f"# 第 {r} 行{why}，未转为数据（请核对后补全并去掉 #）：\n# - "
                            + yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1000,
                                             default_flow_style=True).strip() + "\n"
                            for r, values, why in t.set_aside)
            _write(path, header + note + aside + yaml.safe_dump(t.rows, allow_unicode=True, sort_keys=False,
                                                                width=1000), encoding="utf-8")

    def write_indicators(self) -> None:
        """Last year's indicator tables as raw values under the years they carry, each with where it was."""
        if not self.indicators:
            return
        path = self.root / "data" / "indicators.yaml"
        text = path.read_text(encoding="utf-8")
        by_name: dict[str, dict[int, IndicatorValue]] = {}
        for v in self.indicators:
            by_name.setdefault(v.name, {}).setdefault(v.year, v)       # the first table that gives it
        lines = [f"# 以下数值取自 {self.label} 的指标表（去年的报告），按其所在年度填入；请补上本年度的数值。"]
        for name, years in by_name.items():
            values = ", ".join(f"{y}: {v.value}" for y, v in sorted(years.items()))
            where = "；".join(f"{y} 年：{v.source}（“{v.typed}”）" for y, v in sorted(years.items()))
            lines.append(f"{_yaml_key(name)}: {{{values}}}    # {where}")
        body = text[:-3] if text.endswith("{}\n") else text
        _write(path, body + "\n".join(lines) + "\n")
        self.indicator_count = sum(len(y) for y in by_name.values())

    def write_remainder(self) -> None:
        """What is not the body of a section: the cover, 目录 and sign-off, chapters the pack generates, indicator
        tables; kept here word for word, so nothing of last year's report is lost."""
        if not self.remainder:
            return
        lines = ["# 去年报告的其余部分", "",
                 f"以下内容取自 {self.label}，不属于任何一节的正文（封面、目录、落款由工具按 report.yaml 生成；"
                 "附表由数据生成）。原样保留在这里，供核对和取用。", ""]
        for what, blocks in self.remainder:
            lines += [f"## {what}", ""]
            for b in blocks:
                text = block_markdown(b) if not isinstance(b, WHeading) else escape(b.text)
                if text:
                    lines += [text, ""]
        _write(self.root / REMAINDER_FILE, "\n".join(lines))

    def write_review(self) -> None:
        lines = [f"# 去年的数字（共 {len(self.numbers)} 处）", "",
                 f"以下数字是从 {self.label} 正文中读出的去年数字，已原样写入正文。"
                 "请逐一改为数据引用（如 {{ count(\"表名\") }}、{{ ind.指标名 }}）或更新为本年度的数字；"
                 f"{HOW_TO_REVIEW}。还在正文中、没有这样处理的每一处都计入待补充。", "",
                 "| 数字 | 上下文 | 在去年报告中的位置 | 现在所在文件 |", "| --- | --- | --- | --- |"]
        for n in self.numbers:
            lines.append(f"| {escape(n.text)} | {escape(n.context).replace('|', '｜')} | {n.location} | {n.file} |")
        _write(self.root / REVIEW_FILE, "\n".join(lines) + "\n")

    def fill_opening(self, front: list) -> None:
        """A pack with no cover prints report.yaml's title, place and 称呼 above the opening (jituan): last
        year's are this year's first guess. Only fields the pack has and report.yaml still leaves to fill."""
        fields = _title_fields(front)
        path = self.root / "report.yaml"
        text = original = path.read_text(encoding="utf-8")
        for key in ("place", "audience"):
            if key in fields and key in (self.pack.school_fields or {}):
                text = re.sub(rf"(?m)^(  {key}: )【[^】\n]*】", lambda m: m.group(1) + _yaml_scalar(fields[key]),
                              text, count=1)
        if "title" in fields and not self.pack.cover and not re.search(r"(?m)^title:", text):
            text = re.sub(r"(?m)^(date: .*\n)", lambda m: m.group(1) + f"title: {_yaml_scalar(fields['title'])}"
                          "                # 主标题（取自去年报告的标题，请核对）\n", text, count=1)
        if text != original:
            _write(path, text)

    def fix_report(self, school: str, edition: int | None, year: int | None) -> None:
        """This year's project is the one after last year's: data year and edition each one on."""
        path = self.root / "report.yaml"
        text = path.read_text(encoding="utf-8")
        if school:
            text = re.sub(r"【[^】\n]{1,4}全称】", school, text, count=1)    # init's 【学校全称】, 【集团全称】 …
        if year:
            text = re.sub(r"^year: \d{4}", f"year: {year + 1}", text, count=1, flags=re.M)
            text = re.sub(r"^date: \d{4}年", f"date: {year + 1}年", text, count=1, flags=re.M)
        mapped = [m for m in self.mappings if m.aliases or m.add]
        if mapped:
            text = text.rstrip("\n") + "\n\n# init --from：去年报告中这些表的表头与模板包不同，按下面的对应关系转为了数据（请核对）\ntables:\n" \
                + "".join(f"  {m.mapping_yaml()}\n" for m in mapped)
        if edition:
            text = re.sub(r"^# edition: \d{4} {0,14}", f"edition: {edition + 1}                ", text, count=1,
                          flags=re.M)
        _write(path, text, encoding="utf-8")


def _figures(text: str):
    """The numbers typed in a paragraph that are figures: not its list number, not part of a name (1+X, 表 1)."""
    listed = LIST_NUMBER.match(text)
    for m in NUMBER.finditer(text):
        if listed and m.start() < listed.end() or NAME_BEFORE.search(text[max(0, m.start() - 8):m.start()]) \
                or NAME_AFTER.match(text[m.end():m.end() + 2]):
            continue
        yield m


def _title_fields(front: list) -> dict[str, str]:
    """What a report without a cover prints above its opening, read from last year's lines: the title's own
    part before "——潍坊市…集团 2023 年工作报告" (title), the 称呼 (audience), the place after the date (place)."""
    texts = [" ".join(b.text.split()) for b in front if isinstance(b, (WText, WHeading)) and b.text.strip()]
    out: dict[str, str] = {}
    for t in texts:
        if "title" not in out and (m := TITLE_AND_NAME.match(t)) and NAME_IN_TITLE.search(m.group(2)):
            out["title"] = m.group(1)
        if "audience" not in out and SALUTATION.match(t):
            out["audience"] = t.rstrip("：:").strip()
        if "place" not in out and (m := DATE_AND_PLACE.match(t)):
            out["place"] = m.group(1).strip()
    return out


def _yaml_scalar(text: str) -> str:
    return text if yaml.safe_load(f"k: {text}") == {"k": text} else \
        yaml.safe_dump(text, allow_unicode=True, width=1000).split("\n")[0]


def _is_early_chapter(segment: list) -> bool:
    """A heading 1 before the first known chapter with a report's body under it (not a cover's lines)."""
    if not segment or not isinstance(segment[0], WHeading) or segment[0].level == 0 \
            or is_contents(segment[0]):
        return False
    body = segment[1:]
    return any(isinstance(b, (WHeading, WTable, WCase)) for b in body) or \
        sum(isinstance(b, WText) and len(b.text) > 30 for b in body) >= 2


def _most_mentioned_year(blocks: list) -> int | None:
    counts = Counter(int(m.group(1)) for b in blocks if isinstance(b, (WText, WHeading))
                     for m in YEAR.finditer(b.text))
    return counts.most_common(1)[0][0] if counts else None


def _yaml_key(name: str) -> str:
    """An indicator name as a YAML key: quoted when YAML would read it otherwise."""
    return name if yaml.safe_load(f"{name}: 1") == {name: 1} else yaml.safe_dump(name, allow_unicode=True).split("\n")[0]


def _why_text(t: WTable, proposal: Proposal | None, label: str) -> str:
    """Why a table stays in the text, and what would make it data."""
    where = f"{label} › {t_label(t)}" + (f"（{t.caption}）" if t.caption else "")
    if proposal is None:
        return f"{where}：表头与模板包的明细表都不相符，留在正文"
    title = proposal.table.title.replace("{{ year }}", "").strip()
    missing = "、".join(f"“{m}”" for m in proposal.missing)
    how = (f"，并在 report.yaml 的 tables: 中写上 {proposal.mapping_yaml()}"
           if proposal.aliases or proposal.add else "")
    return f"{where}：像“{title}”，但缺少必填列{missing}，留在正文；在表中补上这一列{how}后即可转为数据"


def _is_body(b) -> bool:
    """Before the first chapter: an address's paragraph, a table or picture (not a cover line, date or 称呼)."""
    if isinstance(b, WHeading):
        return False
    if not isinstance(b, WText):
        return True
    text = b.text.strip()
    if SALUTATION.match(text) or DATE_LINE.match(compact(text)):
        return False
    return len(compact(text)) > 30 or text.endswith(("。", "！", "？", "!", "?"))


def _chars(blocks: list) -> "Counter[str]":
    """The characters (no spaces) of everything the reader found: text, headings, cells, cases, captions."""
    out: Counter = Counter()
    for b in blocks:
        if isinstance(b, (WText, WHeading)):
            out.update(compact(b.text))
        elif isinstance(b, WTable):
            out.update(compact(b.caption))
            out.update(ch for row in b.table.rows for c in row if c.colspan and c.rowspan for ch in compact(c.text))
        elif isinstance(b, WFigure):
            out.update(compact(b.caption))
            out.update(ch for img in b.images for ch in compact(img.caption))
        elif isinstance(b, WCase):
            out.update(compact(b.title))
            out.update(_chars(b.blocks))
    return out


def _chars_of_files(root: Path) -> "Counter[str]":
    out: Counter = Counter()
    for path in [root / REMAINDER_FILE, root / "report.yaml", *root.glob("narrative/**/*.md"),
                 *root.glob("data/**/*.yaml")]:
        if path.is_file():
            out.update(compact(path.read_text(encoding="utf-8")))
    return out


def _kept(chars_in: Counter, chars_out: Counter) -> int:
    """How many of the characters read are found again in the project (each character counted as often as it
    was read: a paragraph lost shows however common its characters are elsewhere)."""
    return sum(min(n, chars_out[ch]) for ch, n in chars_in.items())


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes_atomic(path, text.encode(encoding))


def _cover(front: list, subject) -> tuple[str, int | None, int | None]:
    """School (or 集团) name, edition and data year from the cover, title and sign-off lines.

    The edition is the year the title line prints ("质量年度报告（2022）", "2024年质量年度报告", "2023 年工作报告").
    The data year is the year of a date written in its second half ("2021年11月"); without one, a 质量年度报告
    covers the year before its edition (the 2024 report, 2023's data), a 工作报告 its own year."""
    texts = [b.text.strip() for b in front if isinstance(b, (WText, WHeading))]
    school = next((t for t in texts if SCHOOL.match(compact(t))), "")
    if not school:
        school = next((m.group(1) for t in texts for m in [NAME_IN_TITLE.search(t)] if m), "")
    titles = [t for t in texts if "报告" in t]
    edition = next((int(m.group(1)) for t in titles for m in [TITLE_YEAR.search(t)] if m), None)
    dates = [(int(m.group(1)), int(m.group(2))) for t in texts for m in [DATE_LINE.match(compact(t))] if m]
    year = next((y for y, month in dates if month >= 7), None)
    if edition is None and year is None:
        years = [int(m.group(1)) for t in texts for m in YEAR.finditer(t)]
        edition = min(years) if years else None
    quality = subject.edition_after_data and any(subject.report in compact(t) for t in texts)
    if year is None and edition is not None:
        year = edition - 1 if quality else edition
    if edition is None and year is not None:
        edition = year + 1 if quality else year
    return compact(school), edition, year


def _file_stem(title: str) -> str:
    stem = "".join(ch for ch in normalize(title) if ch.isalnum())[:16]
    return stem or "小节"
