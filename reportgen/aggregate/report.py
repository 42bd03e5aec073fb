"""The aggregate report: an aggregate pack's chapter templates, rendered in the sandbox over plain
statistics, put together by the same chapter assembly (render/assemble.py) and written by the same .docx
writer as a school's draft.

An aggregate pack is an ordinary pack (pack.yaml, chapters/*.md.j2, typography) with an
aggregate.yaml naming the statistics rows, rankings and appendix columns (read by packs/aggregate.py,
which also declares the names and table ids the templates see: the context and tables here follow it).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..batch import SchoolResult
from ..doc.model import Block, Cell, Column, Cover, Document, Table
from ..errors import Location, Problems, ReportgenError
from ..fileio import write_atomic
from ..pack import IndicatorDef
from ..packs.aggregate import STAT_KEYS, TABLES, AggregatePack, RankingDef
from ..render.assemble import Parts, assemble
from ..render.display import format_value
from ..render.env import make_env
from ..render.errors import render_file, render_text
from ..render.markdown import Resolver
from ..value_kinds import ValueFormat
from .appendix import split_table
from .collect import SchoolData
from .stats import indicator_stats, ranking, standard_counts, table_totals

SCHOOL_KEYS = 3             # the appendix's columns that say which school a row is: 学校, 办学层次, 年度


# ---------------------------------------------------------------- rendering
def render_aggregate(agg: AggregatePack, results: list[SchoolResult], title: str | None = None,
                     org: str = "", date: str = "") -> tuple[Document, Problems]:
    """The summary document over every school that validated; the others are listed as excluded."""
    return _Renderer(agg, results, title or agg.title, org, date).run()


class _Renderer:
    def __init__(self, agg: AggregatePack, results: list[SchoolResult], title: str, org: str, date: str):
        self.agg, self.title, self.org, self.date = agg, title, org, date
        self.schools: list[SchoolData] = [r.data for r in results if r.ok and isinstance(r.data, SchoolData)]
        self.excluded = [r for r in results if not r.ok]
        self.problems = Problems()
        self.env = make_env({"pack": agg.pack.search_path})   # an aggregate pack may extend another
        years = Counter(s.year for s in self.schools)
        self.year = years.most_common(1)[0][0] if years else ""
        self.defs: dict[str, IndicatorDef] = agg.base.indicators
        self.tables = self._tables()
        self.used: set[str] = set()          # tables inserted so far: a second time is said

    # ------------------------------------------------------------ plain context
    def context(self, chapter=None) -> dict:
        """The names packs/aggregate.py declares (CONTEXT; a test ties the two), `chapter` in a chapter's
        template only."""
        ctx = {
            "title": self.title, "org": self.org, "year": self.year, "date": self.date,
            "n_total": len(self.schools) + len(self.excluded), "n_ok": len(self.schools),
            "n_excluded": len(self.excluded),
            "levels": [{"name": k or "未注明", "n": n} for k, n in Counter(s.level for s in self.schools).most_common()],
            "schools": [s.name for s in self.schools],
            "excluded": [{"name": r.school, "error": r.first_error} for r in self.excluded],
            "statistics": [self._stat_row(row.name) for row in self.agg.statistics],
            "standards": [{"standard": c.standard, "level": c.level, "condition": c.condition, "schools": c.schools,
                           "met": c.met, "not_met": c.not_met, "not_reported": c.not_reported,
                           "not_met_names": list(c.not_met_names)} for c in standard_counts(self.schools)],
            "rankings": [{"id": r.id, "indicator": r.indicator, "title": r.title, "top": r.top}
                         for r in self.agg.rankings],
            "table": self.insert_table,
            "stat": self.stat,
        }
        if chapter is not None:
            ctx["chapter"] = {"id": chapter.id, "title": chapter.title, "numbered": chapter.numbered}
        return ctx

    def insert_table(self, tid: str) -> str:
        """table(id): one `::: table` block per table it stands for (the appendix may be several)."""
        parts = len(self.tables.get(tid, [None]))
        return "".join(f"\n\n::: table {tid}{f'#{n}' if n > 1 else ''}\n:::\n\n" for n in range(1, parts + 1))

    def stat(self, name: str, what: str) -> str:
        if name not in self.defs:
            raise ReportgenError(f"stat()：没有名为“{name}”的指标")
        if what not in STAT_KEYS:
            raise ReportgenError(f"stat() 的第二个参数应为 {'、'.join(STAT_KEYS)} 之一，实际为“{what}”")
        return self._stat_row(name)[what]

    def _stat_row(self, name: str) -> dict:
        d, st = self.defs[name], indicator_stats(self.schools, name)
        show = lambda v: format_value(d, v, with_unit=False)      # noqa: E731
        return {"name": name, "unit": d.unit, "n": str(st.n), "missing": str(st.missing), "sum": show(st.sum),
                "mean": show(st.mean), "median": show(st.median), "min": show(st.min), "max": show(st.max),
                "min_school": st.min_school, "max_school": st.max_school}

    # ------------------------------------------------------------ tables
    def _tables(self) -> dict[str, list[Table]]:
        """Each table id packs/aggregate.py declares, with the table(s) it inserts."""
        made = {"statistics": lambda: [self._statistics()], "standards": lambda: [self._standards()],
                "tables": lambda: [self._table_totals()], "schools": self._schools,
                "excluded": lambda: [self._excluded()]}
        t = {tid: made[tid]() for tid in TABLES}
        for r in self.agg.rankings:
            t[r.id] = [self._ranking(r)]
        return t

    def _statistics(self) -> Table:
        # numbers must not wrap: 合计 of 万元 amounts reaches nine characters (329757.15)
        cols = [Column("指标", 3.6), Column("单位", 1.1, "center"), Column("填报学校数", 1.3, "right"),
                Column("合计", 2.8, "right"), Column("平均值", 2.2, "right"), Column("中位数", 2.2, "right"),
                Column("最小值", 2.2, "right"), Column("最大值", 2.2, "right")]
        rows = []
        for row in self.agg.statistics:
            s = self._stat_row(row.name)
            rows.append([Cell(row.name), Cell(s["unit"], align="center"), Cell(s["n"], align="right"),
                         Cell(s["sum"] if row.sum else "—", align="right" if row.sum else "center")]
                        + [Cell(s[k], align="right") for k in ("mean", "median", "min", "max")])
        return Table("", f"{self.year}年度主要指标汇总", cols, rows, empty_text="（没有纳入统计的学校）")

    def _standards(self) -> Table:
        cols = [Column("标准要求", 5.0), Column("标准", 4.0), Column("适用层次", 1.5, "center"),
                Column("适用学校数", 1.5, "right"), Column("达到", 1.2, "right"), Column("未达到", 1.3, "right"),
                Column("未填报", 1.3, "right")]
        rows = [[Cell(c.condition), Cell(c.standard), Cell(c.level, align="center"), Cell(str(c.schools), align="right"),
                 Cell(str(c.met), align="right"), Cell(str(c.not_met), align="right"),
                 Cell(str(c.not_reported), align="right")] for c in standard_counts(self.schools)]
        return Table("", "办学条件标准达标学校数", cols, rows, empty_text="（模板包未定义办学条件标准）")

    def _ranking(self, r: RankingDef) -> Table:
        d = self.defs[r.indicator]
        unit = f"（{d.unit}）" if d.unit and d.format != ValueFormat.PERCENT else ""
        cols = [Column("名次", 1.0, "center"), Column("学校", 6.0), Column("办学层次", 2.0, "center"),
                Column(f"{self.year}年{unit}", 2.2, "right"), Column(f"上年{unit}", 2.2, "right")]
        rows = [[Cell(str(x.rank), align="center"), Cell(x.school), Cell(x.level, align="center"),
                 Cell(format_value(d, x.value, with_unit=False), align="right"),
                 Cell(format_value(d, x.previous, with_unit=False), align="right")]
                for x in ranking(self.schools, r.indicator, r.descending, r.top)]
        return Table("", r.title, cols, rows, empty_text="（没有学校填报该指标）")

    def _table_totals(self) -> Table:
        totals = table_totals(self.schools)
        cols = [Column("明细表", 7.0), Column("有记录的学校数", 2.0, "right"), Column("记录合计（条）", 2.0, "right")]
        rows = []
        for tid, tdef in self.agg.base.tables.items():
            have, n = totals.get(tid, (0, 0))
            rows.append([Cell(self._render_title(tdef.title)), Cell(str(have), align="right"), Cell(str(n), align="right")])
        total = [Cell(""), Cell(""), Cell(str(sum(n for _, n in totals.values())), align="right")] if rows else None
        return Table("", "各校明细表记录数汇总", cols, rows, total_row=total, empty_text="（无）")

    def _schools(self) -> list[Table]:
        cols = [Column("学校", 5.0), Column("办学层次", 1.6, "center"), Column("年度", 1.2, "center")]
        for name in self.agg.appendix:
            d = self.defs[name]
            unit = f"（{d.unit}）" if d.unit and d.format != ValueFormat.PERCENT else ""
            cols.append(Column(f"{name}{unit}", 2.0, "right"))
        cols.append(Column("警告数", 1.2, "right"))
        rows = []
        for s in sorted(self.schools, key=lambda s: s.name):
            rows.append([Cell(s.name), Cell(s.level, align="center"), Cell(str(s.year), align="center")]
                        + [Cell(format_value(self.defs[n], s.values.get(n), with_unit=False), align="right")
                           for n in self.agg.appendix]
                        + [Cell(str(s.warnings), align="right")])
        table = Table("", "各校主要指标一览", cols, rows, empty_text="（没有纳入统计的学校）")
        return split_table(table, SCHOOL_KEYS, self.agg.pack.typography)

    def _excluded(self) -> Table:
        cols = [Column("学校", 4.0), Column("项目文件夹", 3.0), Column("错误数", 1.2, "right"), Column("首个错误", 8.0)]
        rows = [[Cell(r.school), Cell(Path(r.directory).name), Cell(str(r.errors), align="right"), Cell(r.first_error)]
                for r in sorted(self.excluded, key=lambda r: r.school)]
        return Table("", "未纳入统计的学校", cols, rows, empty_text="（无）")

    def _render_title(self, source: str) -> str:
        try:
            return self.env.from_string(source).render(year=self.year)
        except Exception:  # noqa: BLE001 - a title that needs more than the year is shown as written
            return source

    # ------------------------------------------------------------ document
    def run(self) -> tuple[Document, Problems]:
        parts = Parts(chapter=lambda ch: self.render_template(f"pack:{ch.template}", self.context(ch)),
                      resolver=self.resolver, cover=self.cover, properties=self.properties,
                      header=lambda source: self.render_string(source, "页眉", self.context()))
        return assemble(self.agg.pack, self.env, self.problems, parts).document, self.problems

    def resolver(self) -> Resolver:
        return Resolver(table=self.table, appendix=self.no_appendix, image=self.no_image, problems=self.problems)

    def cover(self) -> Cover:
        ctx, spec = self.context(), self.agg.pack.cover
        return Cover(school=self.render_string(spec.get("school", "{{ org }}"), "封面", ctx),
                     title=self.render_string(spec.get("title", "{{ title }}"), "封面", ctx),
                     subtitle=self.render_string(spec.get("subtitle", ""), "封面", ctx),
                     date=self.render_string(spec.get("date", "{{ date }}"), "封面", ctx))

    def properties(self, cover: Cover | None, blocks: list[Block]) -> dict:
        return {"title": f"{self.title}（{self.year}）", "author": self.org or "reportgen", "subject": self.title}

    def table(self, ref: str, loc: Location) -> Table | None:
        tid, _, part = ref.partition("#")
        parts = self.tables.get(tid)
        if parts is None:
            known = "、".join(self.tables)
            self.problems.error(f"汇总报告中没有 id 为“{tid}”的表格（可用：{known}）", loc)
            return None
        n = int(part) if part.isdigit() else 1
        if not 1 <= n <= len(parts):
            self.problems.error(f"表格“{tid}”没有第 {part} 部分（共 {len(parts)} 部分）", loc)
            return None
        if n == 1 and tid in self.used:
            self.problems.warning(f"表格“{tid}”插入了不止一次", loc)
        self.used.add(tid)
        t = parts[n - 1]
        return Table(t.label, t.title, t.columns, [list(r) for r in t.rows], t.total_row, t.empty_text, list(t.notes))

    def no_appendix(self, aid: str, loc: Location):
        self.problems.error("汇总报告模板中不能插入学校附表（appendix_table）", loc)
        return None

    def no_image(self, src: str, loc: Location):
        self.problems.error(f"汇总报告模板中不能插入图片：{src}", loc)
        return None

    def render_template(self, name: str, ctx: dict) -> str | None:
        return render_file(self.env, name, ctx, self.problems)

    def render_string(self, source: str, what: str, ctx: dict) -> str:
        return render_text(self.env, source, ctx, self.problems, what, Location(f"{self.agg.pack.root.name}/pack.yaml"))


def write_aggregate(doc: Document, out: Path) -> None:
    from ..write.docx_writer import write_docx
    write_atomic(out, lambda f: write_docx(doc, f))
