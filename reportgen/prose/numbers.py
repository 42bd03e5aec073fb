"""Numbers typed into narrative, tied to the data they describe and compared with it.

A typed number right after a phrase that names an indicator, a table or a group of a table's rows
("省级奖项 47 项", "生师比 19:1", "技术交易额达 180.2 万元") is compared with the computed value. The
phrases are pack data: an indicator's name, label and `mentions:`; a table's `mentions:` (its row
count), a numeric column's `mentions:` (its total) and `groups:` (the row count of one value of a
column). Nothing here knows a word of Chinese beyond the little words that may stand between the
phrase and the number (为, 达, 共…).

The checker works on narrative TEXT (Markdown source, before Jinja): `{{ … }}` references are
blanked first, so a written reference is never mistaken for a typed number. Readers of other
sources (a Word file turned into Markdown, last year's report) call `check_typed_numbers` with their
own `location_of_line` (e.g. a Word section's `location`, which names 第 N 段); the data's context comes
from `reportgen.pipeline.check(project)[0].prose.context`. Pure: no files, no printing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from ..errors import Location

MATCH, DIFFER, UNTIED = "match", "differ", "untied"

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
BLANK = "\x00"                      # stands for a blanked {{ … }}: never a digit, never a phrase
# the little words that may stand between a phrase and its number: "省级奖项 47 项", "总数达到 5368 人"
_BETWEEN = r"(?:\s|\*|为|达|达到|共|共计|合计|累计|总计|总数|数|有|是|约|计|：|:)*"
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<ratio>\s*[:：]\s*1(?!\d))?\s*(?P<unit>%|％|万元|亿元|元|万人次|人次|人日|万人|人|项|个|门|部|本|万册|册|家|所|名|位|次|件|课时|学时|万m²|万平方米|万㎡|m²|㎡|平方米|亩|公顷|Mbps)?"
# "2024 年", "2023 届" are years, "1,100 余人次" or "20 多个" are not exact: neither is a claim about the data
_NOT_A_VALUE = re.compile(r"\s*(?:年|届|月|日|余|多|左右)")
_AFTER = re.compile(_BETWEEN + r"(?P<blank>" + BLANK + r")?" + _NUMBER)


@dataclass(frozen=True)
class Target:
    """What a phrase names: an indicator, a table's row count (optionally of one group) or a column's total."""
    kind: str                          # indicator | count | total
    name: str                          # indicator name, or table id
    column: str | None = None          # total: the summed column; count: the grouping column
    value: str | None = None           # count: the group's value

    @property
    def table(self) -> str | None:
        return None if self.kind == "indicator" else self.name

    def reference(self) -> str:
        """The `{{ … }}` that prints this value in narrative."""
        if self.kind == "indicator":
            return f"{{{{ ind.{self.name} }}}}" if self.name.isidentifier() else f'{{{{ ind["{self.name}"] }}}}'
        if self.kind == "total":
            return f'{{{{ total("{self.name}", "{self.column}") }}}}'
        where = f", {self.column}=\"{self.value}\"" if self.column else ""
        return f'{{{{ count("{self.name}"{where}) }}}}'


@dataclass(frozen=True)
class Computed:
    """A target's value as the report prints it: the number, its decimals, its unit; None: not reported."""
    number: Decimal | None
    text: str                          # as printed: "45", "181.50", "19.4:1", "96.14%"
    unit: str = ""
    prints_unit: bool = False          # the reference prints "%" or ":1" itself


class Context:
    """What the checker needs to know about the data: phrases → targets, and each target's value."""

    def targets(self, phrase: str) -> list[Target]:
        raise NotImplementedError

    def phrases(self) -> list[str]:
        raise NotImplementedError

    def value(self, target: Target) -> Computed:
        raise NotImplementedError

    def tables_in(self, text: str) -> set[str]:
        """Detail tables the text refers to: they decide which table an ambiguous phrase means."""
        return tables_named(text)


@dataclass
class Mention:
    loc: Location
    line: int                          # 1-based line of the text
    start: int                         # span of the typed number in that line (with "%" / ":1" when the
    end: int                           # reference prints them): what fix-numbers replaces
    phrase: str
    typed: str                         # the typed number as written, with its unit
    status: str                        # match | differ | untied
    target: Target | None = None
    computed: Computed | None = None
    reason: str = ""                   # untied: why

    @property
    def reference(self) -> str:
        return self.target.reference() if self.target else ""

    @property
    def computed_text(self) -> str:
        """The data's value as the report prints it, with its unit where the reference does not print it."""
        c = self.computed
        return "" if c is None else c.text + (f" {c.unit}" if c.unit and not c.prints_unit else "")

    def message(self) -> str:
        if self.status == DIFFER:
            return (f"正文中“{self.phrase} {self.typed}”与数据不一致：填写 {self.typed}，按数据为 "
                    f"{self.computed_text}（可改写为 {self.reference}，由数据生成）")
        if self.status == UNTIED:
            return f"正文中“{self.phrase} {self.typed}”无法与数据对应：{self.reason}"
        return f"正文中“{self.phrase} {self.typed}”与数据一致（可改写为 {self.reference}）"


def blank_templates(text: str) -> str:
    """`{{ … }}`, `{% … %}` and `{# … #}` replaced by BLANK characters of the same length (newlines kept),
    so line numbers and columns stay those of the source."""
    return _JINJA.sub(lambda m: "".join(c if c == "\n" else BLANK for c in m.group(0)), text)


def tables_named(text: str) -> set[str]:
    """Detail tables the text refers to (table("x"), count("x" …), total("x" …)): they decide which
    table an ambiguous phrase ("省级奖项") means."""
    return set(re.findall(r"""\b(?:table|count|total|rows|count_by)\(\s*["']([^"']+)["']""", text))


def check_typed_numbers(text: str, location_of_line: Callable[[int], Location], context: Context) -> list[Mention]:
    """Every typed number that follows a phrase naming data, compared with the data."""
    nearby = context.tables_in(text)
    phrases = sorted(context.phrases(), key=len, reverse=True)       # longest first: 毕业生人数 before 毕业生
    if not phrases:
        return []
    finder = re.compile("|".join(re.escape(p) for p in phrases))
    out = []
    for n, line in enumerate(blank_templates(text).split("\n"), start=1):
        for m in finder.finditer(line):
            after = _AFTER.match(line, m.end())
            if after is None or after.group("blank"):
                continue            # no number, or a {{ reference }} right there: nothing typed
            if not after.group("unit") and not after.group("ratio") and _NOT_A_VALUE.match(line, after.end("num")):
                continue
            out.append(_mention(m.group(0), after, line, n, location_of_line(n), context, nearby))
    return out


def _mention(phrase, after, line, n, loc, context, nearby) -> Mention:
    typed = line[after.start("num"):after.end()].strip()
    start, end = after.start("num"), after.end("num")
    targets = context.targets(phrase)
    if len(targets) > 1:
        targets = [t for t in targets if t.table in nearby] or targets
    if len(targets) != 1:
        names = "、".join(t.reference() for t in targets)
        return Mention(loc, n, start, end, phrase, typed, UNTIED, reason=f"可能指 {names}，请改写为其中之一")
    target = targets[0]
    computed = context.value(target)
    if computed.prints_unit:      # the reference prints "%" or ":1": it replaces them too
        end = after.end("unit") if after.group("unit") in ("%", "％") else after.end("ratio") if after.group("ratio") else end
    mention = Mention(loc, n, start, end, phrase, typed, UNTIED, target, computed)
    if computed.number is None:
        mention.reason = f"{target.reference()} 没有数据（未填报）"
        return mention
    typed_number, computed_number = _in_typed_unit(after.group("num"), after.group("unit"), computed)
    if typed_number is None:
        mention.reason = f"单位“{after.group('unit')}”与数据的单位“{computed.unit}”不同"
        return mention
    places = max(0, -typed_number.as_tuple().exponent)     # compared at the precision typed: 180.2 vs 181.50
    shown = computed_number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    mention.status = MATCH if shown == typed_number else DIFFER
    return mention


def _in_typed_unit(num: str, unit: str | None, computed: Computed):
    """The typed number and the data's value, both in the typed unit (data/units.yaml: 万元 and 元, 亩 and m²);
    (None, None) when the units are of different kinds (30 人 is not a sum of money)."""
    from ..compute.units import units
    try:
        typed = Decimal(unicodedata.normalize("NFKC", num).replace(",", ""))
    except InvalidOperation:
        return None, None
    table = units()
    if not unit or unit in ("%", "％") or not table.knows(unit) or unit == computed.unit:
        return typed, computed.number     # 项/个/名…: counting words, not units to convert
    if not table.knows(computed.unit) or not table.convertible(computed.unit, unit):
        return None, None
    return typed, Decimal(str(table.convert(computed.number, computed.unit, unit)))
