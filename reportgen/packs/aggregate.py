"""The aggregate pack: aggregate.yaml read against its base pack, and what the pack's templates see.

An aggregate pack is an ordinary pack (pack.yaml, chapters/*.md.j2, typography) with an aggregate.yaml in
one of its layers (a pack made by `pack new X --from aggregate` inherits its parent's) naming the
statistics rows, rankings and appendix columns, each an indicator of the schools' pack (`base_pack`).

What its templates see is declared here, once, below both readers of it: the linter (packs/lint.py)
checks templates against CONTEXT and table_ids(), and the renderer (aggregate/report.py) builds its
context and tables against the same names (tests/test_aggregate_report.py ties them together).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, Problems, ReportgenError, YamlError, did_you_mean
from ..load.schema import validate_node
from ..load.yaml_source import load_yaml
from ..pack import Pack
from ..value_kinds import ValueFormat
from .find import find_pack
from .inherit import find_file
from .load import load_pack

SPEC_FILE = "aggregate.yaml"
STAT_KEYS = ("n", "sum", "mean", "median", "min", "max")

# The names an aggregate chapter template sees (plain numbers and texts, already formatted; what each holds
# is told to pack authors at the top of templates/aggregate/chapters/overview.md.j2, tested against this);
# `chapter` is there in chapter templates only (not on the cover or in the running header).
CONTEXT = ("title", "org", "year", "date", "n_total", "n_ok", "n_excluded", "levels", "schools", "excluded",
           "statistics", "standards", "rankings", "table", "stat", "chapter")
CHAPTER_ONLY = frozenset({"chapter"})

# The tables table() inserts, by id, besides one per ranking (rank-1, rank-2 … in aggregate.yaml's order);
# "schools", the appendix, may stand for several tables (aggregate/appendix.py)
TABLES = ("statistics", "standards", "tables", "schools", "excluded")
RANKING_ID = "rank-{n}"
RANKING = re.compile(r"rank-[1-9][0-9]*")


@dataclass(frozen=True)
class StatRow:
    name: str
    sum: bool


@dataclass(frozen=True)
class RankingDef:
    id: str
    indicator: str
    descending: bool
    top: int | None
    title: str


@dataclass
class AggregatePack:
    pack: Pack                        # the aggregate pack: chapters, cover, typography
    base: Pack                        # the schools' pack: indicator definitions, table titles
    title: str
    statistics: list[StatRow]
    rankings: list[RankingDef]
    appendix: list[str]
    n_rankings: int = 0               # rankings listed, known indicator or not: their ids are rank-1 … rank-N

    def table_ids(self) -> list[str]:
        return list(TABLES) + [RANKING_ID.format(n=n) for n in range(1, self.n_rankings + 1)]


def is_aggregate_pack(pack: Pack) -> bool:
    return find_file(pack.layers, SPEC_FILE) is not None


def load_aggregate_pack(name: str) -> AggregatePack:
    """Load and check the aggregate pack before any school is collected; all problems are raised together.
    `name` is a pack's folder (as `pack new` makes it, as `pack check` takes it) or an installed or built-in
    pack's name."""
    folder = Path(name)
    pack = load_pack(folder.resolve() if (folder / "pack.yaml").is_file() else find_pack(name))
    problems = Problems()
    agg = read_aggregate(pack, problems)
    problems.raise_if_errors()
    return agg


def read_aggregate(pack: Pack, problems: Problems) -> AggregatePack | None:
    """The pack's aggregate.yaml checked against its base pack, every problem located in `problems`;
    None when the file is missing, unreadable or does not follow its schema."""
    path = find_file(pack.layers, SPEC_FILE)
    if path is None:
        problems.error(f"模板包“{pack.name}”不是汇总模板包：缺少 {SPEC_FILE}", Location(f"{pack.root.name}/pack.yaml"))
        return None
    file = f"{path.parent.name}/{SPEC_FILE}"
    try:
        node = load_yaml(path, file)
    except YamlError as e:
        problems.error(e.message, e.location)
        return None
    if node is None:
        problems.error(f"{SPEC_FILE} 是空的：至少应写 base_pack 和 statistics", Location(file))
        return None
    if not validate_node(node, "aggregate", file, problems):
        return None
    spec = node.plain()
    try:
        base_root = find_pack(spec["base_pack"])
    except ReportgenError as e:
        problems.error(f"base_pack：{e.message}", Location(file, node.get("base_pack").loc.line))
        return None
    try:
        base = load_pack(base_root)
    except ReportgenError as e:
        problems.extend(e.problems())
        return None
    defs = base.indicators

    def known(name: str, where) -> bool:
        if name in defs:
            return True
        hint = did_you_mean(name, defs)
        problems.error(f"模板包“{base.name}”中没有名为“{name}”的指标{hint}", Location(file, where.loc.line))
        return False

    stats = []
    for item, inode in zip(spec["statistics"], node.get("statistics").value):
        row_name = item if isinstance(item, str) else item["name"]
        if known(row_name, inode):
            d = defs[row_name]
            default_sum = d.kind == "raw" and not d.rate and d.unit != "%" and \
                d.format not in (ValueFormat.RATIO, ValueFormat.PERCENT)
            stats.append(StatRow(row_name, item.get("sum", default_sum) if isinstance(item, dict) else default_sum))
    rankings = []
    rnodes = node.get("rankings").value if node.get("rankings") else []
    for i, (r, rnode) in enumerate(zip(spec.get("rankings", []), rnodes), start=1):
        if known(r["indicator"], rnode):
            desc = r.get("order", "desc") == "desc"
            title = r.get("title") or f"{r['indicator']}排名（由{'高到低' if desc else '低到高'}）"
            rankings.append(RankingDef(RANKING_ID.format(n=i), r["indicator"], desc, r.get("top"), title))
    appendix = []
    anodes = node.get("appendix").value if node.get("appendix") else []
    for a, anode in zip(spec.get("appendix", []), anodes):
        if known(a, anode):
            appendix.append(a)
    return AggregatePack(pack, base, spec.get("title", pack.subject.report), stats, rankings, appendix,
                         n_rankings=len(rnodes))

