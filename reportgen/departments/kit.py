"""`reportgen kit`: per department a folder and a .zip with what it has to write and fill in.

Each department gets its sections as a Word file (worddoc.py), a workbook restricted to its tables and indicators
(workbook/export.py with a Selection) and a one-page 说明 (.docx). Every file carries the marker (marker.py).
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ..errors import Problems, UsageError
from ..fileio import write_atomic
from .assign import Assignment, Department, project_assignment
from .marker import Marker, add_to_docx

MAX_REFERENCES = 20                    # the guidance box stays short: the rest is in the workbook
KIT_DIR = "任务包"                     # under the project's build/, unless told otherwise
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_NAMED_INDICATOR = re.compile(r"""ind(?:\.(\w+)|\[["']([^"']+)["']\])""")     # ind.X / ind["X"] in a section's text
_COUNTED_TABLE = re.compile(r"""(?:count|total|table|rows)\(\s*["'](\w+)["']""")
_TABLE_ID = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*(?![A-Za-z0-9_])")     # said as 表题 when a table's id


@dataclass
class KitFiles:
    department: str
    folder: Path
    zip: Path
    files: list[Path] = field(default_factory=list)


@dataclass
class KitResult:
    output: Path
    version: str
    kits: list[KitFiles]
    problems: Problems


def folder_name(department: str) -> str:
    """A department's name as a folder name on any system."""
    return _UNSAFE.sub("_", department).strip(" .") or "_"


def project_label(config: dict) -> str:
    return f"{config['school']['name']} {config['year']}"


def make_kits(root: Path, output: Path | None = None, departments: list[str] | None = None,
              now: dt.datetime | None = None) -> KitResult:
    from ..pipeline import prepare, with_workbooks
    yaml_raw, assignment = project_assignment(root, "无法生成任务包")
    problems = Problems()
    prepared = prepare(root, problems)                 # a kit is made from data that passes the checks
    chosen = _chosen(assignment, departments)
    current = with_workbooks(yaml_raw, Problems())
    now = now or dt.datetime.now()
    version = now.strftime("%Y%m%d-%H%M%S")
    out = output or root / "build" / KIT_DIR
    refs = _References(prepared)
    kits = []
    for dept in chosen:
        marker = lambda kind, sections=None: Marker(dept.name, project_label(yaml_raw.config), version, kind,  # noqa: E731
                                                     sections or {})
        folder = out / folder_name(dept.name)
        files: dict[str, bytes] = {}
        if dept.sections:
            files[f"{dept.name}-撰写任务.docx"] = _sections_file(yaml_raw, dept, refs, marker)
        if dept.has_workbook:
            files[f"{dept.name}-数据填报.xlsx"] = _workbook_file(current, yaml_raw, dept, marker("workbook"))
        files[f"{dept.name}-说明.docx"] = _readme_file(yaml_raw, assignment, dept, marker("readme"), now)
        kit = KitFiles(dept.name, folder, out / f"{folder_name(dept.name)}.zip")
        for name, data in files.items():
            path = folder / name
            write_atomic(path, lambda f, data=data: f.write(data))
            kit.files.append(path)
        write_atomic(kit.zip, lambda f: _zip(f, folder.name, files))
        kits.append(kit)
    return KitResult(out, version, kits, problems)


def _chosen(assignment: Assignment, names: list[str] | None) -> list[Department]:
    if not names:
        return list(assignment.departments.values())
    unknown = [n for n in names if n not in assignment.departments]
    if unknown:
        raise UsageError(f"report.yaml 的 departments 中没有：{'、'.join(unknown)}（已有：{'、'.join(assignment.departments)}）")
    return [assignment.departments[n] for n in names]


def _zip(f, folder: str, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(f"{folder}/{name}", data)


# ---------------------------------------------------------------- the sections
class _References:
    """The data a department's section may use, as people read it: printed names and current values."""

    def __init__(self, prepared):
        from ..render.env import render_title
        ds = prepared.dataset
        self.ds, self.ind, self.agg = ds, prepared.indicators, prepared.aggregates
        context = {"year": ds.year, "school": ds.config.get("school", {})}
        self.titles = {tid: render_title(t.definition.title, context) for tid, t in ds.tables.items()}

    def for_department(self, dept: Department, text: str) -> list[tuple[str, str]]:
        """(printed name, current value) rows: the department's indicators and tables, and the data its
        section's text already refers to."""
        from ..render.display import format_value
        from ..value_kinds import is_number
        defs = self.ds.pack.indicators
        named = [m.group(1) or m.group(2) for m in _NAMED_INDICATOR.finditer(text)]
        names = [n for n in dict.fromkeys(named + list(dept.indicators) + [
            n for n, d in defs.items() if d.kind == "derived" and d.formula and any(r in d.formula for r in dept.indicators)])
            if n in defs]
        rows = []
        for n in names:
            v = self.ind.values.get(n, {}).get(self.ds.year)
            shown = format_value(defs[n], v) if is_number(v) else "未填报"
            unit = defs[n].unit if is_number(v) and defs[n].unit and not shown.endswith(defs[n].unit) else ""
            rows.append((n, shown + unit))
        tables = list(dict.fromkeys([m.group(1) for m in _COUNTED_TABLE.finditer(text)] + list(dept.tables)))
        for tid in (t for t in tables if t in self.ds.tables):
            table = self.ds.tables[tid]
            rows.append((self.titles[tid], f"{len(table.rows)} 行" if table.rows else "尚未填写"))
            for c in (c for c in table.definition.columns if c.total and table.rows):
                total = self.agg.total(tid, c.name)
                rows.append((f"{self.titles[tid]} › {c.name}合计",
                             f"{total}{c.unit or ''}" if is_number(total) else "未填报"))
        if len(rows) > MAX_REFERENCES:
            rows = rows[:MAX_REFERENCES] + [("……", f"另有 {len(rows) - MAX_REFERENCES} 项，见数据填报工作簿")]
        return rows

    def plain_hint(self, hint: str) -> str:
        """A pack's hint with table ids said as their printed titles (可插入表 certificates → 可插入表“…”)."""
        return _TABLE_ID.sub(lambda m: f"“{self.titles[m.group(0)]}”" if m.group(0) in self.titles else m.group(0),
                             hint)


def _sections_file(raw, dept: Department, refs: _References, marker) -> bytes:
    from .worddoc import KitSection, kit_document
    kit_sections = []
    for s in dept.sections:
        path = s.file(raw.root)
        text = _read_text(path) if path is not None and path.suffix == ".md" else ""
        guidance = ["下方已填入本节现有的文字（如去年报告的文字），请在此基础上修改；没有文字时直接撰写。"
                    "正文中的数字请与下表目前的数值一致（生成报告时会与数据核对）。"
                    "请不要修改或删除本节的标题 1 和本提示框；可以插入图片、表格，写“案例：标题”开始一个案例。"]
        kit_sections.append(KitSection(s, guidance, text, path, data=refs.for_department(dept, text),
                                       hint=refs.plain_hint(s.hint or "")))
    report = raw.pack.subject.titled(f"{raw.config['school']['name']}{raw.config['year']}年度")
    title = f"{report} · {dept.name}撰写任务"
    intro = [f"截止日期：{dept.deadline:%Y年%m月%d日}" if dept.deadline else "截止日期：见说明",
             f"联系人：{dept.contact}" if dept.contact else "",
             f"本文件包含 {len(dept.sections)} 个小节。每个小节从“标题 1”样式的标题开始，灰色框内是写作提示，"
             "其下是正文。改好后直接发回本文件（可以改名），不需要转成其他格式。"]
    doc, signatures = kit_document(title, [x for x in intro if x], kit_sections, raw.root)
    add_to_docx(doc, marker("sections", signatures))
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


# ---------------------------------------------------------------- the workbook
def _workbook_file(current, yaml_raw, dept: Department, marker: Marker) -> bytes:
    from ..workbook.export import Selection, build_workbook
    only = Selection(frozenset(dept.tables), frozenset(dept.indicators), marker.info_rows())
    wb, _ = build_workbook(current, yaml_raw, only)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- the one-page 说明
def _readme_file(raw, assignment: Assignment, dept: Department, marker: Marker, now: dt.datetime) -> bytes:
    from docx import Document
    from docx.shared import Pt
    from ..render.env import render_title
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    school, year = raw.config["school"]["name"], raw.config["year"]
    doc.add_heading(f"{raw.pack.subject.titled(f'{school}{year}年度')} · {dept.name}任务说明", level=1)
    deadline = f"{dept.deadline:%Y年%m月%d日}" if dept.deadline else "请与质量办确认"
    late = dept.deadline is not None and dept.deadline < now.date()
    doc.add_paragraph(f"截止日期：{deadline}" + ("（已过截止日期，请尽快交回）" if late else "")
                      + (f"    联系人：{dept.contact}" if dept.contact else ""))
    doc.add_paragraph("需要撰写的小节：" + ("、".join(s.heading for s in dept.sections) or "无"))
    context = {"year": year, "school": raw.config.get("school", {})}
    titles = [render_title(raw.pack.tables[t].title, context) for t in dept.tables]
    doc.add_paragraph("需要填报的明细表：" + ("、".join(titles) or "无"))
    doc.add_paragraph("需要填报的指标：" + (f"{len(dept.indicators)} 项（见工作簿“指标”工作表）" if dept.indicators else "无"))
    doc.add_heading("怎样填写", level=2)
    for line in (
        "1. 撰写任务（Word）：在每个小节灰色提示框下方修改或撰写正文，可用 Word 或 WPS；数字尽量用提示框中的"
        "“可引用的数据”原样写入（如 {{ ind.毕业生人数 }}），生成报告时会换成最新数值。",
        "2. 数据填报（Excel）：在各工作表中填写或修改，每行一条记录；把鼠标移到列名上可看到填写要求。"
        "不要删除隐藏的工作表，工作表和文件都可以改名。",
        "3. 只填写分给本部门的内容；其他部门的小节或表格即使写了也不会被收取。",
    ):
        doc.add_paragraph(line)
    doc.add_heading("怎样交回", level=2)
    doc.add_paragraph("把填好的 Word 文件和 Excel 文件直接发回质量办（邮件、微信均可，文件可以改名，不需要压缩）。"
                      "可以多次交回，以最后一次为准。本说明不需要交回。")
    doc.add_paragraph(f"任务包版本：{marker.kit}（{now:%Y-%m-%d %H:%M} 生成）")
    add_to_docx(doc, marker)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
