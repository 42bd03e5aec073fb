"""The project's narrative files checked against its data, before rendering.

- typed numbers next to a phrase naming data (prose/numbers.py), as results of `reportgen check`;
- references to values that were not reported (`{{ ind.X }}` prints 【待补充】): listed with file:line;
- count()/total() over a detail table without rows (the workbook holding it may not have been read).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..check.rules import PROSE_GROUP as GROUP, CheckResult, Involved
from ..errors import Location, Problems, ReportgenError
from ..load.yaml_source import check_regular_file
from ..render.declared import NONE_THIS_YEAR, declared
from ..render.display import format_value
from ..render.env import MAX_TEMPLATE_BYTES
from ..value_kinds import ValueFormat, is_number
from .numbers import DIFFER, MATCH, UNTIED, Computed, Context, Mention, Target, check_typed_numbers

_IND_REF = re.compile(r"""\bind(?:\.(?P<attr>[^\W\d]\w*)|\[\s*["'](?P<key>[^"']+)["']\s*\])"""
                      r"""(?:\[\s*["']?(?P<year>\d{4}))?""")
_TABLE_CALL = re.compile(r"""\b(?P<fn>count|total)\(\s*["'](?P<tid>[^"']+)["']""")
_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


class DataContext(Context):
    """Phrases from the pack; values as the report prints them for the report year."""

    def __init__(self, pack, indicators, aggregates, year: int):
        self.pack, self.ind, self.agg, self.year = pack, indicators, aggregates, year
        self.index: dict[str, list[Target]] = {}
        for d in pack.indicators.values():
            for phrase in (d.name, *d.mentions):      # not `label`: 就业/升学 are appendix abbreviations
                self._add(phrase, Target("indicator", d.name))
        for t in pack.tables.values():
            for phrase in t.mentions:
                self._add(phrase, Target("count", t.id))
            for c in t.columns:
                for phrase in c.mentions:
                    self._add(phrase, Target("total", t.id, c.name))
            for column, value, phrases in t.groups:
                for phrase in phrases:
                    self._add(phrase, Target("count", t.id, column, value))

    def tables_in(self, text: str) -> set[str]:
        """Referenced (table("x"), count("x")), or named by title as a Word file prints it (表 5 创新创业大赛获奖情况一览表)."""
        found = super().tables_in(text)
        for t in self.pack.tables.values():
            words = [w.strip() for w in re.split(r"\{\{.*?\}\}", t.title) if len(w.strip()) >= 6]
            if any(w in text for w in words):
                found.add(t.id)
        return found

    def _add(self, phrase: str, target: Target) -> None:
        if phrase and len(phrase) >= 2 and target not in self.index.get(phrase, []):
            self.index.setdefault(phrase, []).append(target)

    def phrases(self) -> list[str]:
        return list(self.index)

    def targets(self, phrase: str) -> list[Target]:
        return list(self.index.get(phrase, ()))

    def value(self, target: Target) -> Computed:
        if target.kind == "indicator":
            d = self.pack.indicators[target.name]
            v = self.ind.get(target.name, self.year)
            if not is_number(v):
                return Computed(None, "-", d.unit)
            number = Decimal(str(v)) * (100 if d.format == ValueFormat.PERCENT else 1)
            unit = "%" if d.format == ValueFormat.PERCENT else d.unit
            return Computed(number, format_value(d, v), unit, unit == "%" or d.format == ValueFormat.RATIO)
        table = self.agg.table(target.name)
        if not table.rows:
            return Computed(None, "-")
        if target.kind == "total":
            col = table.definition.column(target.column)
            total = self.agg.total(target.name, target.column)
            if not is_number(total):
                return Computed(None, "-")
            return Computed(Decimal(str(total)), str(total), col.unit)
        where = {target.column: target.value} if target.column else {}
        n = self.agg.count(target.name, **where)
        return Computed(Decimal(n), str(n))


@dataclass
class ProseReport:
    mentions: list[Mention] = field(default_factory=list)
    context: DataContext | None = None     # for checking other text (a Word section, last year's report) against the same data

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.mentions)


def narrative_files(ds) -> list[Path]:
    return [p for files in ds.narrative.values() for p in files]


def read_narrative(path: Path) -> str | None:
    """The Markdown of a narrative file, or None for what is not an ordinary readable file of a sensible
    size: a pipe would block here and a huge file is refused anyway; both are reported when rendered."""
    if path.suffix != ".md":
        return None
    try:
        check_regular_file(path, path.name, MAX_TEMPLATE_BYTES)
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ReportgenError):
        return None


def check_narrative(ds, indicators, aggregates, problems: Problems) -> ProseReport:
    """Typed numbers compared with the data; unreported references and empty tables as warnings.
    A Word section is checked in its Markdown, each place named as in Word (file.docx › 第 N 段)."""
    context = DataContext(ds.pack, indicators, aggregates, ds.year)
    report = ProseReport(context=context)
    for path in narrative_files(ds):
        rel = path.relative_to(ds.root).as_posix()
        section = getattr(ds, "word_sections", {}).get(rel)
        if section is not None:
            text, at = section.markdown, section.location
        else:
            text, at = read_narrative(path), (lambda n, rel=rel: Location(rel, n))
        if text is None:
            continue
        report.mentions.extend(check_typed_numbers(text, at, context))
        _references(text, at, ds, indicators, problems)
    return report


def _references(text: str, at, ds, indicators, problems: Problems) -> None:
    said = set()        # one warning per table or value and line, however often the line uses it
    line, counted = 1, 0
    for expr in _EXPR.finditer(text):
        line += text.count("\n", counted, expr.start())     # from the previous expression on: linear in the text
        counted = expr.start()
        for m in _IND_REF.finditer(expr.group(0)):
            name = m.group("attr") or m.group("key")
            year = int(m.group("year") or ds.year)
            if name in indicators.definitions and not is_number(indicators.get(name, year)) \
                    and (name, year, line) not in said:
                said.add((name, year, line))
                problems.warning(f"正文引用的“{name}”{year} 年未填报，初稿中显示为【待补充】", at(line))
        for m in _TABLE_CALL.finditer(expr.group(0)):
            data = ds.tables.get(m.group("tid"))
            if data is not None and not data.rows and (m.group("tid"), line) not in said:
                said.add((m.group("tid"), line))
                if m.group("tid") in declared(ds.config, NONE_THIS_YEAR, ds.pack):
                    continue                     # declared 本年度无: 0 is the true count
                problems.warning(f"{m.group('fn')}() 统计的明细表“{m.group('tid')}”没有数据，初稿中显示为【待补充】"
                                 "（数据是否在未读入的工作簿中？若本年度确实没有，在 report.yaml 的 none_this_year 中声明）",
                                 at(line))


def as_check_results(report: ProseReport, ds, indicators):
    """Each typed number as a result of `reportgen check`: a difference is a warning, never silent."""
    status = {MATCH: "pass", DIFFER: "warn", UNTIED: "skip"}
    out = []
    for m in report.mentions:
        values = [Involved(f"正文填写的“{m.phrase}”", m.typed, m.loc)]
        if m.computed is not None and m.computed.number is not None:
            values.append(Involved(f"数据 {m.reference}", m.computed_text, _data_place(m.target, ds, indicators)))
        if m.status == MATCH:
            detail = f"与数据一致；可改写为 {m.reference}"
        elif m.status == DIFFER:
            detail = f"填写 {m.typed}，按数据为 {m.computed_text}；可改写为 {m.reference}（由数据生成）"
        else:
            detail = f"无法对应到数据：{m.reason}"
        out.append(CheckResult(GROUP, f"正文“{m.phrase} {m.typed}”", status[m.status], values, detail, "warning"))
    return out


def _data_place(target: Target, ds, indicators) -> Location | None:
    if target.kind == "indicator":
        return next((s.loc for s in indicators.sources_of(target.name, ds.year) if s.loc is not None), None)
    data = ds.tables.get(target.name)
    return data.loc if data is not None else None
