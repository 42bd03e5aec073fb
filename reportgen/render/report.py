"""Render a checked dataset through the pack's templates into a document model.

Each chapter template (pack) and narrative file (project) is rendered in the sandbox; the Markdown that
comes out is put together into the document by the one chapter assembly (assemble.py) the aggregate report
uses too.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..compute.aggregates import Aggregates
from ..compute.indicators import IndicatorTable
from ..dataset import Dataset
from ..doc.model import Block, Cover, Document, Figure, Heading, Image, Origin, Paragraph, Table
from ..errors import Location, Problem, Problems, ReportgenError, TemplateProblem, os_reason
from ..load.yaml_source import check_regular_file
from .assemble import Parts, assemble
from .declared import LEAVE_OUT, NONE_TEXT, NONE_THIS_YEAR, declared, unknown, unknown_message
from .charts import ChartData, indicator_chart, table_chart
from .display import change_text, format_value
from ..value_kinds import is_number
from .env import make_env
from .errors import render_file, render_text
from .extras import extra_context
from .markdown import Resolver, source_marker
from .tables import appendix_table, detail_table

IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff"}
MAX_IMAGE_BYTES = 50 * 1024 * 1024       # a phone photo is 2–10 MB
MAX_IMAGE_PIXELS = 120_000_000           # a 108-megapixel phone camera fits; decoding this is ~360 MB


class Cited:
    """An indicator value as narrative prints it: `{{ ind.生师比 }}` → "17.6:1"; an earlier year with
    `{{ ind.生师比[2023] }}`."""

    def __init__(self, definition, table: IndicatorTable, year: int):
        self.name, self.unit, self.year = definition.name, definition.unit, year
        self.value = table.get(definition.name, year)
        # an unreported value is never a bare "-" in a sentence: a highlighted gap, counted by the build
        self._text = format_value(definition, self.value) if is_number(self.value) else \
            f"【待补充：{definition.name} {year} 年未填报】"
        self._definition, self._table = definition, table

    def __getitem__(self, year) -> "Cited":
        return Cited(self._definition, self._table, self._table.year_of(self.name, year))

    def __str__(self) -> str:
        return self._text


class Unfilled(int):
    """count()/total() of a table with no rows: 0 in arithmetic and `{% if %}`, a 【待补充】 when printed."""

    def __new__(cls, why: str):
        self = super().__new__(cls, 0)
        self.why = why
        return self

    def __str__(self) -> str:
        return f"【待补充：{self.why}】"


@dataclass
class RenderResult:
    document: Document
    chapter_sources: dict[str, str] = field(default_factory=dict)   # chapter id -> rendered Markdown
    charts: list[tuple[ChartData, Image]] = field(default_factory=list)   # drawn when writing: data, its image


def render_report(ds: Dataset, indicators: IndicatorTable, aggregates: Aggregates, problems: Problems,
                  checks=None) -> RenderResult:
    """`checks` (check/rules.CheckReport) marks threshold breaches in the appendix tables."""
    for key in (NONE_THIS_YEAR, LEAVE_OUT):          # a misspelt table name in report.yaml: said, not ignored
        for name in unknown(ds.config, key, ds.pack):
            problems.warning(unknown_message(key, name), Location("report.yaml"))
    result = _Renderer(ds, indicators, aggregates, problems, checks).run()
    _locate_in_word(problems, ds.word_sections)
    return result


def _locate_in_word(problems: Problems, sections: dict) -> None:
    """A message about line N of a Word section's Markdown names the Word paragraph instead (第 N 段)."""
    for i, p in enumerate(problems.items):
        loc = p.location
        if loc is not None and loc.file in sections and loc.sheet is None:
            problems.items[i] = Problem(p.message, sections[loc.file].location(loc.line), p.severity)


def reference_context(ds: Dataset, indicators: IndicatorTable, aggregates: Aggregates, problems: Problems):
    """The sandbox and context narrative is rendered in: to show a data reference's current value on its own."""
    r = _Renderer(ds, indicators, aggregates, problems)
    return r.env, r.context()


class _Renderer:
    def __init__(self, ds, indicators, aggregates, problems, checks=None):
        self.ds, self.ind, self.agg, self.problems = ds, indicators, aggregates, problems
        self.checks = checks
        self.env = make_env({"pack": ds.pack.search_path, "project": ds.root},    # nearest pack layer first
                            {f"project:{rel}": s.markdown for rel, s in ds.word_sections.items()})
        self.used_tables: dict[str, Location] = {}
        self.charts: list[tuple[ChartData, Image]] = []
        self.years = [y for y in indicators.years if y <= ds.year][-3:]
        self.extras = extra_context(ds, aggregates, problems)
        self.none_this_year = declared(ds.config, NONE_THIS_YEAR, ds.pack)
        self.left_out = declared(ds.config, LEAVE_OUT, ds.pack)
        listed = self.extras["appendix_tables"]            # numbered 数据表 1, 2 … without the left-out ones
        self.extras["appendix_tables"] = lambda: [a for a in listed() if a not in self.left_out]

    # ---------------------------------------------------------------- context
    def context(self, chapter=None) -> dict:
        cfg = self.ds.config
        ctx = {
            "school": cfg["school"], "year": self.ds.year, "level": cfg.get("level", ""),
            "edition": cfg.get("edition") or self.ds.year,      # the cover's 年度; year is the data's
            "date": cfg.get("date", ""), "years": self.years,
            "ind": {name: Cited(d, self.ind, self.ds.year) for name, d in self.ind.definitions.items()},
            "count": self.count, "total": self.total, "rows": self.agg.rows,
            "table": lambda tid: f"\n\n::: table {tid}\n:::\n\n",
            "appendix_table": lambda aid: f"\n\n::: appendix {aid}\n:::\n\n",
            "appendix_tables": lambda: [a.id for a in self.ds.pack.appendix],
            "todo": lambda text="": f"【待补充：{text}】",
            "change": lambda name, since=None: change_text(self.ind.change(name, self.ds.year, since)),
            "chart": lambda cid, caption="": f"\n\n::: chart {cid}\n{caption}\n:::\n\n",
        }
        ctx.update(self.extras)      # render/extras.py: keyvalue, count_by, level_name, wording, title …
        if chapter is not None:
            title = self.render_string(chapter.title, "章节标题", self.context()) if "{" in chapter.title else chapter.title
            ctx["chapter"] = {"id": chapter.id, "title": title, "numbered": chapter.numbered,
                              "sections": [{"id": s.id, "title": s.title, "hint": s.hint} for s in chapter.sections]}
            ctx["narrative"] = lambda cid=chapter.id: self.narrative(cid, ctx)
        return ctx

    def count(self, tid: str, **where):
        n = self.agg.count(tid, **where)                   # first: a wrong table or column is said even when empty
        gap = self.unfilled(tid)
        return gap if gap is not None else n

    def total(self, tid: str, column: str, **where):
        value = self.agg.total(tid, column, **where)      # first: a wrong column is said even on an empty table
        gap = self.unfilled(tid)
        return gap if gap is not None else value

    def unfilled(self, tid: str):
        """A table nobody filled is not "0 项": the text says 待补充 until the project declares 本年度无."""
        data = self.agg.table(tid)
        if data.rows or tid in self.none_this_year:
            return None
        title = self.render_string(data.definition.title, f"表 {tid} 的标题", {"year": self.ds.year})
        return Unfilled(f"明细表“{title}”没有数据")

    def narrative(self, chapter_id: str, ctx: dict) -> str:
        files = self.ds.narrative.get(chapter_id)
        if files is None:
            raise TemplateProblem(f"没有 id 为“{chapter_id}”的章节")
        if not files:
            title = next(c.title for c in self.ds.pack.chapters if c.id == chapter_id)
            if ctx.get("chapter", {}).get("id") == chapter_id:
                title = ctx["chapter"]["title"]              # rendered: 集团{{ year }}年度… → 集团2024年度…
            return f"【待补充：{title}（在 narrative/{chapter_id}/ 下撰写）】\n"
        parts = []
        for path in files:
            rel = path.relative_to(self.ds.root).as_posix()
            parts.append(source_marker(rel) + self.env.get_template(f"project:{rel}").render(ctx))
        return "\n\n".join(parts)

    # ---------------------------------------------------------------- run
    def run(self) -> RenderResult:
        parts = Parts(chapter=lambda ch: self.render_template(f"pack:{ch.template}", self.context(ch)),
                      resolver=self.resolver, cover=self.cover, properties=self.properties,
                      header=lambda source: self.render_string(source, "页眉", self.context()),
                      after_chapters=self.warn_unused_tables)
        made = assemble(self.ds.pack, self.env, self.problems, parts)
        return RenderResult(made.document, made.sources, self.charts)

    def render_template(self, name: str, ctx: dict) -> str | None:
        return render_file(self.env, name, ctx, self.problems)

    def render_string(self, source: str, what: str, ctx: dict) -> str:
        return render_text(self.env, source, ctx, self.problems, what, Location(f"{self.ds.pack.root.name}/pack.yaml"))

    def cover(self) -> Cover:
        ctx = self.context()
        spec = self.ds.pack.cover
        title = self.ds.config.get("title") or spec.get("title", self.ds.pack.subject.report)
        return Cover(school=self.render_string(spec.get("school", "{{ school.name }}"), "封面名称", ctx),
                     title=self.render_string(title, "封面标题", ctx),
                     subtitle=self.render_string(spec.get("subtitle", ""), "封面副标题", ctx),
                     date=self.render_string(spec.get("date", "{{ date }}"), "封面日期", ctx))

    def properties(self, cover: Cover | None, blocks: list[Block]) -> dict:
        """File properties (shown by Word/WPS and file managers) say what the first page says."""
        school = self.ds.config["school"]["name"]
        if cover is not None:
            subject = cover.title + cover.subtitle
        else:       # no cover (a 职教集团 work report): its title and subtitle lines, else its first heading
            text = lambda b: b.text if isinstance(b, Heading) else "".join(getattr(x, "text", "") for x in b.inlines)  # noqa: E731
            i = next((i for i, b in enumerate(blocks) if (isinstance(b, Paragraph) and b.style == "title")
                      or (isinstance(b, Heading) and b.level == 1)), None)
            subject = self.ds.pack.name if i is None else text(blocks[i])
            if i is not None and i + 1 < len(blocks) and getattr(blocks[i + 1], "style", "") == "subtitle":
                subject += text(blocks[i + 1])
        title = subject if school in subject else f"{school}{subject}"
        return {"title": title, "author": school, "subject": subject}

    # ---------------------------------------------------------------- resolver
    def resolver(self) -> Resolver:
        return Resolver(table=self.table, appendix=self.appendix, image=self.image, problems=self.problems,
                        chart=self.chart)

    def table(self, tid: str, loc: Location) -> Table | None:
        data = self.ds.tables.get(tid)
        if data is None:
            try:
                self.agg.table(tid)          # raises with a "did you mean" suggestion
            except ReportgenError as e:
                self.problems.error(e.message, loc)
            return None
        if tid in self.left_out:
            return None                      # declared in report.yaml: not printed (check --final lists it)
        if tid in self.used_tables:
            self.problems.warning(f"明细表“{tid}”已在 {self.used_tables[tid]} 插入过，此处再次插入", loc)
        self.used_tables[tid] = loc
        title = self.render_string(data.definition.title, f"表 {tid} 的标题", self.context())
        table = detail_table(data, title)
        if tid in self.none_this_year:
            table.empty_text = NONE_TEXT
        table.origin = Origin(data=f"table:{tid}")        # its cells come from the data (reportgen absorb)
        return table

    def appendix(self, aid: str, loc: Location) -> Table | None:
        pack = self.ds.pack
        if aid in self.left_out:
            return None
        for i, a in enumerate(pack.appendix, start=1):
            if a.id == aid:
                years = [y for y in self.ind.years if y <= self.ds.year][-a.years:]
                listed = self.extras["appendix_tables"]()          # this level's tables: 数据表 {n} without gaps
                n = listed.index(aid) + 1 if aid in listed else i
                label = "" if a.numbered is not None else (a.label or "附表 {n}").replace("{n}", str(n))
                table = appendix_table(a, self.ind, years, label, self.checks)
                table.numbered = a.numbered is not False          # True: 表 N with the text's tables
                table.origin = Origin(data=f"appendix:{aid}")
                if "{" in a.title:
                    table.title = self.render_string(a.title, f"附表 {aid} 的标题", self.context())
                return table
        self.problems.error(f"模板包中没有 id 为“{aid}”的附表", loc)
        return None

    def chart(self, cid: str, caption: str, loc: Location) -> Figure | None:
        """A pack-declared chart as a figure; its picture is drawn when the document is written."""
        c = self.ds.pack.charts.get(cid)
        if c is None:
            known = "、".join(self.ds.pack.charts) or "无"
            self.problems.error(f"模板包中没有 id 为“{cid}”的图表（可用：{known}）", loc)
            return None
        title = caption or self.render_string(c.title, f"图表 {cid} 的标题", self.context())
        if c.table:
            data = self.ds.tables.get(c.table)
            chart = table_chart(c, data, title) if data is not None else None
        else:
            chart = indicator_chart(c, self.ind, self.ds.year, title)
        if chart is None or chart.empty:
            self.problems.warning(f"图表“{cid}”没有可画的数据（指标均未填报或明细表为空），未插入", loc)
            return None
        image = Image(path="")
        self.charts.append((chart, image))
        return Figure(label="", caption=title, images=[image])

    def image(self, src: str, loc: Location) -> str | None:
        root = self.ds.root.resolve()
        path = (root / src).resolve()
        if not src or Path(src).is_absolute() or not path.is_relative_to(root):
            self.problems.error(f"图片路径“{src}”指向项目文件夹之外（绝对路径、“..”或符号链接），出于安全原因不读取："
                                "请把图片放进项目的 images/ 文件夹，写成 images/照片.jpg", loc)
            return None
        if not os.path.lexists(path):
            self.problems.error(f"图片文件不存在：{src}", loc)
            return None
        if path.suffix.lower() not in IMAGE_TYPES:
            self.problems.error(f"不支持的图片格式：{src}（请使用 JPG 或 PNG）", loc)
            return None
        try:
            check_regular_file(path, src, MAX_IMAGE_BYTES)
        except ReportgenError as e:
            self.problems.error(f"图片 {src}：{e.message}", loc)
            return None
        except OSError as e:
            self.problems.error(f"图片 {src} 无法读取：{os_reason(e)}", loc)
            return None
        problem = _image_problem(path)
        if problem:
            self.problems.error(f"图片 {src}：{problem}", loc)
            return None
        return str(path)

    def warn_unused_tables(self) -> None:
        for tid, data in self.ds.tables.items():
            if data.rows and tid not in self.used_tables:
                self.problems.warning(f"明细表“{tid}”有 {len(data.rows)} 行数据，但正文中没有插入"
                                      f"（在正文中写 {{{{ table(\"{tid}\") }}}}）", data.loc)


def _image_problem(path: Path) -> str | None:
    """Cheap: reads the header only, so validate catches a renamed, broken or oversized file without
    decoding photos. A small file declaring a huge picture (a "pixel bomb") would take gigabytes to decode."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as img:
            w, h = img.size
    except Image.DecompressionBombError:
        return "图片的像素尺寸大得异常，疑似恶意构造的文件（“解压炸弹”），已拒绝读取"
    except (OSError, UnidentifiedImageError, ValueError):
        return "文件已损坏或不是图片（请重新导出或换一张）"
    if w <= 0 or h <= 0:
        return "文件已损坏或不是图片（请重新导出或换一张）"
    if w * h > MAX_IMAGE_PIXELS:
        return (f"像素尺寸过大（{w}×{h}，超过 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素），疑似异常或恶意构造的文件；"
                "请缩小后再插入")
    return None

