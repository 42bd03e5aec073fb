"""`reportgen check --final`: can the draft go out? One list, grouped and ranked, of everything that stops
publication, each with its place and what to do, and a one-line verdict. Nothing here decides data: it
gathers what the stages found (pipeline.prepare), what the draft still waits for (render/todo.py), who has
not returned (departments/status.py) and whether the draft on disk was edited (regen/publish.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .check.files import UNREAD_WORD
from .check.identity import is_identity_warning
from .check.rules import PROSE_GROUP
from .errors import EXIT_PROBLEMS, ReportgenError
from .load.review import REVIEWED_MARK
from .render.declared import LEAVE_OUT, NONE_THIS_YEAR, declared, unknown, unknown_message
from .render.todo import CELL, MARK, SEP, todo_items

# ranked: what must be fixed first comes first
ERRORS, TODO, PROSE, CHECKS, ROWS, DEPARTMENTS, EMPTY, WORKBOOKS, DRAFT = (
    "错误", "待补充", "正文数字与数据不一致", "交叉校验未通过", "书号有误或重复的行", "未交回的部门", "印出但没有数据的表格",
    "未读取的工作簿", "未取回的初稿修改")
GROUPS = [ERRORS, TODO, PROSE, CHECKS, ROWS, DEPARTMENTS, EMPTY, WORKBOOKS, DRAFT]
HINTS = {
    ERRORS: "按提示改正数据或正文",
    TODO: f"填写数据或正文；去年的数字改为数据引用（reportgen fix-numbers），或核对后在该行末尾加 {REVIEWED_MARK}",
    PROSE: "把正文中的数字改为数据引用（reportgen fix-numbers），或改正数据",
    CHECKS: "核对所列数值及其来源",
    ROWS: "改正书号；重复的行删去一行，若确是两项，在某一列写出区别；填写的序号跳号或重复的，补上漏掉的行或删去多填的行，再改正序号",
    DEPARTMENTS: "催交后用 reportgen collect 收取",
    EMPTY: "填写该表；本年度确实没有的，在 report.yaml 的 none_this_year 中声明；不印的表在 leave_out 中声明",
    WORKBOOKS: "在 report.yaml 中写 workbook: 文件名，或移出项目文件夹",
    DRAFT: "用 reportgen absorb 取回修改",
}


@dataclass(frozen=True)
class Item:
    group: str
    place: str
    what: str
    count: int = 1            # cells of one table row with no data are one line, each counted


@dataclass
class FinalReport:
    items: list[Item] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)      # declared in report.yaml: not printed, not blocking
    none_this_year: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.items

    def counts(self) -> dict[str, int]:
        return {g: n for g in GROUPS if (n := sum(i.count for i in self.items if i.group == g))}

    def verdict(self) -> str:
        if self.ready:
            return "发布前检查：可以发布，没有待处理的问题。"
        parts = "，".join(f"{g} {n}" for g, n in self.counts().items())
        return f"发布前检查：还不能发布，有 {sum(i.count for i in self.items)} 项须处理（{parts}）。"

    def lines(self) -> list[str]:
        out = []
        for n, group in enumerate(g for g in GROUPS if g in self.counts()):
            items = [i for i in self.items if i.group == group]
            out.append(f"{'一二三四五六七八九'[n]}、{group}（{sum(i.count for i in items)} 项；处理：{HINTS[group]}）")
            out += [f"  {i.place}：{i.what}" if i.place else f"  {i.what}" for i in items]
            out.append("")
        if self.left_out or self.none_this_year:
            out.append("已在 report.yaml 中声明（不阻止发布）：")
            out += [f"  不印（leave_out）：{name}" for name in self.left_out]
            out += [f"  本年度无（none_this_year）：{name}" for name in self.none_this_year]
            out.append("")
        out.append(self.verdict())
        return out


def final_check(root: Path, workbook: Path | None = None) -> FinalReport:
    from .pipeline import prepare
    try:
        prepared = prepare(root, workbook=workbook)
    except ReportgenError as e:               # the data has errors: they come first, nothing is rendered
        if e.exit_code != EXIT_PROBLEMS:
            raise                             # a usage error (no such folder …): said as for every command
        report = FinalReport([Item(ERRORS, str(p.location or ""), p.message) for p in e.problems().errors])
        report.items += _departments(root) + _edited_draft(root, None)
        return report
    return from_prepared(prepared)


def from_prepared(prepared, draft: Path | None = None) -> FinalReport:
    """The final list for a draft already prepared (`build` prints its count, giving the draft it wrote)."""
    ds = prepared.dataset
    report = FinalReport()
    items = report.items
    items += _todo(todo_items(prepared.rendered.document, ds.root))
    results = prepared.checks.results if prepared.checks else []
    items += [Item(PROSE, str(r.location or ""), f"{r.title}：{r.detail}") for r in results
              if r.group == PROSE_GROUP and r.status == "warn"]
    items += [Item(CHECKS, str(r.location or ""), f"{r.title}：{r.detail}") for r in results
              if r.group != PROSE_GROUP and r.status == "fail"]
    items += [Item(ROWS, str(p.location or ""), p.message) for p in prepared.problems.warnings
              if is_identity_warning(p.message)]
    items += _departments(ds.root) if ds.config.get("departments") else []
    items += _empty_tables(prepared)
    items += [Item(WORKBOOKS, str(p.location), p.message) for p in prepared.problems.warnings
              if p.message.startswith(UNREAD_WORD)]
    items += [Item(ERRORS, "report.yaml", unknown_message(key, name))
              for key in (NONE_THIS_YEAR, LEAVE_OUT) for name in unknown(ds.config, key, ds.pack)]
    items += _edited_draft(ds.root, draft or _default_draft(prepared))
    report.left_out = _titles(ds, declared(ds.config, LEAVE_OUT, ds.pack))
    report.none_this_year = _titles(ds, declared(ds.config, NONE_THIS_YEAR, ds.pack))
    return report


def _todo(todos) -> list[Item]:
    """One line per 待补充; a table row's empty cells on one line (表 › 行：2022年、2023年 …), each counted."""
    out: list[Item] = []
    for t in todos:
        if t.kind == CELL and out and out[-1].what.endswith(t.text) and \
                out[-1].place.rsplit(SEP, 1)[0] == t.place.rsplit(SEP, 1)[0]:
            last = out.pop()
            out.append(Item(TODO, f"{last.place}、{t.place.rsplit(SEP, 1)[1]}", last.what, last.count + 1))
        else:
            out.append(Item(TODO, t.place, t.text if t.kind == MARK else f"{t.kind}：{t.text}"))
    return out


def _titles(ds, ids: dict[str, str]) -> list[str]:
    titles = {t.id: t.title for t in ds.pack.tables.values()} | {a.id: a.title for a in ds.pack.appendix}
    return [titles[i].replace("{{ year }}", str(ds.year)).replace("{{year}}", str(ds.year)) for i in ids]


def _empty_tables(prepared) -> list[Item]:
    from .doc.model import Table, iter_blocks
    from .render.declared import NONE_TEXT
    return [Item(EMPTY, f"{b.label} {b.title}".strip(), "表中没有任何一行，初稿印“" + b.empty_text + "”")
            for b in iter_blocks(prepared.rendered.document.blocks)
            if isinstance(b, Table) and not b.rows and b.empty_text != NONE_TEXT]


def _departments(root: Path) -> list[Item]:
    """Departments in report.yaml's `departments:` whose files have not come back (none declared: nothing)."""
    from .departments.status import project_status
    try:
        status = project_status(root)
    except ReportgenError:
        return []                             # no departments declared, or the project cannot be read
    return [Item(DEPARTMENTS, d.name, d.state + ("（已逾期）" if d.late else ""))
            for d in status.departments if d.state != "已交回"]


def _default_draft(prepared) -> Path:
    from .pipeline import default_output
    return default_output(prepared.dataset)


def _edited_draft(root: Path, draft: Path | None) -> list[Item]:
    """The draft (any draft in build/ when the project could not be read) edited since reportgen wrote it."""
    from .load.project import BUILD_DIR
    from .regen.manifest import load_manifest, manifest_path
    from .regen.publish import EDITED, target_status
    if draft is not None:
        drafts = [draft]
    else:
        drafts = sorted((root / BUILD_DIR).glob("*.docx")) if (root / BUILD_DIR).is_dir() else []
    out = []
    for draft in drafts:
        if draft.is_file() and target_status(draft, load_manifest(manifest_path(draft))) == EDITED:
            rel = draft.relative_to(root) if draft.is_relative_to(root) else draft
            out.append(Item(DRAFT, rel.as_posix(), "初稿在上次构建后被修改过（如在 Word 中编辑），修改还没有取回项目"))
    return out
