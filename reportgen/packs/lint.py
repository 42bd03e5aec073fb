"""`reportgen pack check`: everything that can be known about a pack without a school's data.

- the pack loads: every layer's pack.yaml and part files are valid, `requires` matches this
  reportgen, cross-references between definitions hold (pack.load_pack reports those);
- every template of every layer compiles (*.j2, *.md; within the sandbox's nesting limits), and so
  do table titles, chapter titles and cover lines (formulas were compiled when the pack loaded);
- every table, indicator, appendix table and chart a template or formula names exists, as do the
  columns `count()` / `total()` / `count_by()` filter on, every `pack:` template it includes and
  every filter or test named in quotes in `map(…)`, `select(…)`, `reject(…)`;
- appendix `levels` and `wording` keys name levels the pack declares.
An aggregate pack (aggregate.yaml in one of its layers, packs/aggregate.py) is checked against what its
templates see instead: the names and table ids declared there, the indicators of its base pack in
stat(…) and in aggregate.yaml itself.
Template problems carry the file and line; unknown variable names are warnings (the renderer
may offer names this check does not know about).
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError, meta, nodes

from ..compute.indicators import ind_key, is_ind_reference
from ..errors import Location, PackError, Problems, ReportgenError, did_you_mean
from . import aggregate

TABLE_FUNCS = {"table", "count", "total", "rows", "count_by"}
JINJA_NAMES = {"range", "dict", "namespace", "cycler", "joiner", "loop", "caller", "varargs", "kwargs", "self"}
CONTEXT_NAMES = {
    "school", "year", "edition", "level", "date", "years", "ind", "count", "total", "rows", "table", "appendix_table",
    "appendix_tables", "todo", "change", "chart", "chapter", "narrative", "keyvalue", "count_by", "title",
    "level_key", "level_name", "wording",
} | JINJA_NAMES
TEMPLATE_SUFFIXES = (".j2", ".md", ".jinja", ".jinja2")
# filters whose argument names another filter or test: its position among the arguments
NAMED_ARGUMENT = {"map": 0, "select": 0, "reject": 0, "selectattr": 1, "rejectattr": 1}


def lint_pack(root: Path, overlay: Path | None = None) -> Problems:
    """All problems of the pack at `root` (errors and warnings), located."""
    from .load import load_pack
    problems = Problems()
    try:
        pack = load_pack(root, overlay=overlay, warnings=problems)
    except ReportgenError as e:
        problems.extend(e.problems())
        return problems
    if aggregate.is_aggregate_pack(pack):
        _AggregateLinter(pack, problems, aggregate.read_aggregate(pack, problems)).run()
    else:
        _Linter(pack, problems).run()
    return problems


class _Linter:
    names = CONTEXT_NAMES           # what the templates see

    def __init__(self, pack, problems: Problems):
        from ..render.env import make_env
        self.pack, self.problems = pack, problems
        self.env = make_env({})

    def functions(self) -> dict:
        """The functions whose first argument names something of the pack, with their check."""
        return {**dict.fromkeys(TABLE_FUNCS, self._table_call), "appendix_table": self._appendix_call,
                "chart": self._chart_call, "change": self._change_call}

    def run(self) -> None:
        seen: set[str] = set()
        for layer in self.pack.layers:
            for path in sorted(layer.root.rglob("*")):
                rel = path.relative_to(layer.root).as_posix()
                if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file() or rel in seen or \
                        any(part.startswith(".") for part in rel.split("/")):
                    continue
                seen.add(rel)
                self.template(path, f"{layer.root.name}/{rel}")
        self.strings()
        self.formulas()
        self.levels()

    # ------------------------------------------------------------ templates
    def parse(self, source: str, label: str, line: int | None = None):
        """The parsed template, compiled once as the build would (nesting limits, Python's own limits)."""
        try:
            tree = self.env.parse(source, label)
            self.env.compile(tree, label)
            return tree
        except TemplateSyntaxError as e:
            from ..render.errors import syntax_message
            self.problems.error(f"模板语法错误：{syntax_message(e.message or '')}", Location(label, line or e.lineno))
        except ReportgenError as e:       # nested too deep for the parser itself
            self.problems.error(e.message, Location(label, line))
        return None

    def template(self, path: Path, label: str) -> None:
        try:
            source = path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError):
            self.problems.error("模板文件不是 UTF-8 编码的文本", Location(label))
            return
        tree = self.parse(source, label)
        if tree is not None:
            self.references(tree, label)

    def references(self, tree, label: str, line_offset: int = 0, names: bool = True) -> None:
        """Every name a template uses must exist in the pack: one check per kind of reference, in the
        order they are written (calls first, then ind.名称, includes, unknown variables)."""
        at = lambda node: Location(label, (node.lineno or 1) + line_offset)  # noqa: E731
        by_function = self.functions()
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.args and isinstance(call.args[0], nodes.Const) \
                    and call.node.name in by_function:
                by_function[call.node.name](call, call.args[0].value, at(call))
        self._ind_references(tree, at)
        self._includes(tree, at)
        self._named_filters(tree, at)
        if names:
            self._unknown_names(tree, label, at)

    def _table_call(self, call, first, loc: Location) -> None:
        """table/count/total/rows/count_by("表", "列", 列=…): the table and its columns."""
        tdef = self.pack.tables.get(first)
        if tdef is None:
            self._missing("明细表", first, self.pack.tables, loc)
            return
        columns = [kw.key for kw in call.kwargs]
        if call.node.name in ("total", "count_by") and len(call.args) > 1 and isinstance(call.args[1], nodes.Const):
            columns.append(call.args[1].value)
        for col in columns:
            if tdef.column(col) is None:
                self._missing(f"明细表“{first}”的列", col, [c.name for c in tdef.columns], loc)

    def _appendix_call(self, call, first, loc: Location) -> None:
        if first not in {a.id for a in self.pack.appendix}:
            self._missing("附表", first, [a.id for a in self.pack.appendix], loc)

    def _chart_call(self, call, first, loc: Location) -> None:
        if first not in self.pack.charts:
            self._missing("图表", first, self.pack.charts, loc)

    def _change_call(self, call, first, loc: Location) -> None:
        if first not in self.pack.indicators:
            self._missing("指标", first, self.pack.indicators, loc)

    def _ind_references(self, tree, at) -> None:
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            name = ind_key(node) if is_ind_reference(node) else None
            if name is not None and name not in self.pack.indicators:
                self._missing("指标", name, self.pack.indicators, at(node))

    def _includes(self, tree, at) -> None:
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                name = node.template.value
                prefix, _, rel = name.partition(":")
                if prefix == "pack" and rel and self._find(rel) is None:
                    self.problems.error(f"引用的模板“{name}”在模板包中不存在", at(node))
                elif prefix not in ("pack", "project"):
                    self.problems.error(f"模板“{name}”无法引用：只能引用 pack:（模板包内）或 project:（项目内）的文件",
                                        at(node))

    def _named_filters(self, tree, at) -> None:
        """map("过滤器"), select("判断") …: names in quotes that Jinja only looks up when the template runs."""
        from ..render.errors import unknown_name_message
        for node in tree.find_all(nodes.Filter):
            position = NAMED_ARGUMENT.get(node.name)
            if position is None or len(node.args) <= position or not isinstance(node.args[position], nodes.Const):
                continue
            name = node.args[position].value
            kind, known = ("filter", self.env.filters) if node.name == "map" else ("test", self.env.tests)
            if isinstance(name, str) and name not in known:
                self.problems.error(unknown_name_message(kind, name), at(node))

    def _unknown_names(self, tree, label: str, at) -> None:
        for name in sorted(n for n in meta.find_undeclared_variables(tree) if n not in self.names):
            first = next((n for n in tree.find_all(nodes.Name) if n.name == name), None)
            hint = did_you_mean(name, sorted(self.names), "（请检查拼写）")
            self.problems.warning(f"模板使用了未知的变量“{name}”{hint}", at(first) if first else Location(label))

    def _find(self, rel: str):
        from .inherit import find_file
        return find_file(self.pack.layers, rel)

    def _missing(self, what: str, name: str, known, loc: Location) -> None:
        hint = did_you_mean(name, known, cutoff=0.5)
        self.problems.error(f"引用了不存在的{what}“{name}”{hint}", loc)

    # ------------------------------------------------------------ strings in definitions
    def strings(self) -> None:
        pack = self.pack
        for t in pack.tables.values():
            self.parse(t.title, t.loc.file, t.loc.line)
        for a in pack.appendix:
            self.parse(a.title, a.loc.file, a.loc.line)
        cover = pack.cover if isinstance(pack.cover, dict) else {}
        label = f"{pack.layers[0].root.name}/pack.yaml" if pack.layers else "pack.yaml"
        for key, text in cover.items():
            tree = self.parse(str(text), label)
            if tree is not None:
                self.references(tree, label)
        for ch in pack.chapters:
            self.parse(ch.title, label)

    def formulas(self) -> None:
        """The tables and columns formulas read (count('表', 列=…), total('表', '列')): the pack's load compiled
        them and checked the indicators they name; its parsed forms are looked through, not compiled again."""
        for name, formula in self.pack.formulas.items():
            loc = self.pack.indicators[name].loc
            self.references(formula.tree, loc.file, (loc.line or 1) - 1, names=False)

    def levels(self) -> None:
        pack = self.pack
        levels = getattr(pack, "levels", {}) or {}
        if not levels:
            return
        for a in pack.appendix:
            for lv in a.levels:
                if lv not in levels:
                    self.problems.error(f"附表“{a.id}”的 levels 中的“{lv}”不是 pack.yaml 的 levels 之一"
                                        f"（可用：{'、'.join(levels)}）", a.loc)
        for key in getattr(pack, "wording", {}) or {}:
            if key != "*" and key not in levels:
                self.problems.warning(f"wording 中的“{key}”不是 pack.yaml 的 levels 之一（可用：{'、'.join(levels)}）",
                                      Location(f"{pack.layers[0].root.name}/pack.yaml" if pack.layers else "pack.yaml"))


class _AggregateLinter(_Linter):
    """An aggregate pack's templates: the names and tables packs/aggregate.py declares, stat(…)'s indicators
    in the base pack. `agg` is None when aggregate.yaml itself is wrong (already reported): then only what
    does not depend on it is checked."""
    names = set(aggregate.CONTEXT) | JINJA_NAMES

    def __init__(self, pack, problems: Problems, agg):
        super().__init__(pack, problems)
        self.agg = agg

    def functions(self) -> dict:
        return {"table": self._aggregate_table_call, "stat": self._stat_call}

    def _ind_references(self, tree, at) -> None:
        """No `ind` here: a template using it is told so by the unknown-name warning."""

    def _aggregate_table_call(self, call, first, loc: Location) -> None:
        if self.agg is None and aggregate.RANKING.fullmatch(str(first)):
            return
        known = self.agg.table_ids() if self.agg is not None else list(aggregate.TABLES)
        if first not in known:
            self._missing("表格", first, known, loc)

    def _stat_call(self, call, first, loc: Location) -> None:
        if self.agg is not None and first not in self.agg.base.indicators:
            hint = did_you_mean(first, self.agg.base.indicators, cutoff=0.5)
            self.problems.error(f"模板包“{self.agg.base.name}”中没有名为“{first}”的指标{hint}", loc)
        if len(call.args) > 1 and isinstance(call.args[1], nodes.Const) and call.args[1].value not in aggregate.STAT_KEYS:
            self.problems.error(f"stat() 的第二个参数应为 {'、'.join(aggregate.STAT_KEYS)} 之一，"
                                f"实际为“{call.args[1].value}”", loc)


def lint_target(target: Path) -> tuple[str, Problems]:
    """Lint a pack folder, a .zip archive (checked and unpacked into a temporary folder), a project's
    effective pack (report.yaml with pack: or extends:) or a pack name."""
    import shutil
    import tempfile

    from .archive import extract_zip
    from .find import find_pack
    if target.is_file() and target.suffix.lower() == ".zip":
        tmp = Path(tempfile.mkdtemp(prefix="reportgen-check-"))
        try:
            extract_zip(target, tmp)
            subs = [p for p in tmp.iterdir() if p.is_dir() and (p / "pack.yaml").is_file()]
            root = tmp if (tmp / "pack.yaml").is_file() else (subs[0] if len(subs) == 1 else None)
            if root is None:
                raise PackError(f"{target.name} 中没有找到 pack.yaml（应在压缩包根目录或唯一的顶层文件夹中）")
            return root.name, lint_pack(root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if (target / "report.yaml").is_file() and not (target / "pack.yaml").is_file():
        from ..load.yaml_source import load_yaml
        from .inherit import OVERLAY_DIR
        config = (load_yaml(target / "report.yaml", "report.yaml") or None)
        config = config.plain() if config is not None and config.kind == "map" else {}
        base = config.get("extends") or config.get("pack")
        if not base:
            raise PackError("report.yaml 中没有 pack 或 extends", Location("report.yaml"))
        overlay = target / OVERLAY_DIR if config.get("extends") else None
        return f"{base}（项目 {target.name}）", lint_pack(find_pack(str(base), target), overlay)
    root = target if (target / "pack.yaml").is_file() else find_pack(str(target))
    return root.name, lint_pack(root)
