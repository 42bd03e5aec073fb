"""`reportgen status`: per department what it owes, whether and when it came back, what is still open."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problems
from ..load.review import waiting_numbers
from ..render.todo import FILL_IN
from .assign import Department, Section, project_assignment
from ..workbook.returns import Entry, read_record

_PLACEHOLDER = re.compile(r"【待补充|\btodo\s*\(")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Item:
    kind: str                 # 小节 | 明细表 | 指标
    name: str
    returned: str | None      # when its department's file came back
    placeholders: int = 0
    note: str = ""            # 未撰写 …

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "returned": self.returned,
                "placeholders": self.placeholders, "note": self.note}


@dataclass
class DepartmentStatus:
    name: str
    deadline: dt.date | None
    contact: str
    items: list[Item]
    last_return: str | None
    state: str                # 已交回 | 部分交回 | 未交回
    late: bool
    problems: list[str] = field(default_factory=list)

    @property
    def placeholders(self) -> int:
        return sum(i.placeholders for i in self.items)

    def to_dict(self) -> dict:
        return {"name": self.name, "deadline": self.deadline.isoformat() if self.deadline else None,
                "contact": self.contact, "state": self.state, "late": self.late, "last_return": self.last_return,
                "placeholders": self.placeholders, "problems": self.problems,
                "items": [i.to_dict() for i in self.items]}


@dataclass
class StatusReport:
    today: dt.date
    departments: list[DepartmentStatus]

    @property
    def missing(self) -> list[DepartmentStatus]:
        return [d for d in self.departments if d.state == "未交回"]

    def overall(self) -> dict:
        items = [i for d in self.departments for i in d.items]
        returned = [i for i in items if i.returned]
        return {"departments": len(self.departments),
                "returned": sum(d.state == "已交回" for d in self.departments),
                "partial": sum(d.state == "部分交回" for d in self.departments),
                "missing": len(self.missing),
                "late": sum(d.late for d in self.departments),
                "items": len(items), "items_returned": len(returned),
                "percent": round(100 * len(returned) / len(items)) if items else 100,
                "placeholders": sum(d.placeholders for d in self.departments)}

    def to_dict(self) -> dict:
        return {"today": self.today.isoformat(), "overall": self.overall(),
                "departments": [d.to_dict() for d in self.departments]}

    def lines(self) -> list[str]:
        out = []
        for d in self.departments:
            head = [f"■ {d.name}"]
            if d.deadline:
                head.append(f"截止 {d.deadline.isoformat()}")
            if d.contact:
                head.append(f"联系人 {d.contact}")
            state = d.state + ("（已逾期）" if d.late else "") + (f"，最近交回 {d.last_return}" if d.last_return else "")
            out.append("  ".join(head) + f" —— {state}")
            rows = [("任务", "交回时间", "待补充", "备注")]
            rows += [(f"{i.kind} {i.name}", i.returned or "未交回", str(i.placeholders) if i.kind == "小节" else "",
                      i.note) for i in d.items]
            out += ["  " + line for line in _table(rows)]
            out += [f"  问题：{p}" for p in d.problems]
            out.append("")
        o = self.overall()
        out.append(f"总体进度：{o['departments']} 个部门，已交回 {o['returned']} 个，部分交回 {o['partial']} 个，"
                   f"未交回 {o['missing']} 个（逾期 {o['late']} 个）；任务 {o['items_returned']}/{o['items']} 项已交回"
                   f"（{o['percent']}%），待补充 {o['placeholders']} 处。")
        if self.missing:
            out.append("未交回的部门：" + "、".join(d.name for d in self.missing))
        return out


def project_status(root: Path, today: dt.date | None = None) -> StatusReport:
    raw, assignment = project_assignment(root, "没有可以统计的进度")
    today = today or dt.date.today()
    record = read_record(root)
    wb_problems = _workbook_problems(raw, record)
    return StatusReport(today, [_department(raw, d, record.of(d.name), today, wb_problems.get(d.name, []))
                                for d in assignment.departments.values()])


def _department(raw, dept: Department, entries: list[Entry], today: dt.date, problems: list[str]) -> DepartmentStatus:
    words = [e for e in entries if e.kind == "sections"]
    books = [e for e in entries if e.kind == "workbook"]
    words_at = words[-1].collected[:16] if words else None
    books_at = books[-1].collected[:16] if books else None
    waiting = Counter(w.loc.file for w in waiting_numbers(raw.root))     # last year's numbers, per file
    items = [_section_item(raw.root, s, words_at, waiting) for s in dept.sections]
    context = {"year": raw.config["year"], "school": raw.config["school"]}
    from ..render.env import render_title
    items += [Item("明细表", render_title(raw.pack.tables[t].title, context), books_at) for t in dept.tables]
    if dept.indicators:
        items.append(Item("指标", f"{len(dept.indicators)} 项", books_at))
    owed = (bool(dept.sections), dept.has_workbook)
    got = (words_at is not None, books_at is not None)
    done = all(g for o, g in zip(owed, got) if o)
    state = "已交回" if done else "部分交回" if any(got) else "未交回"
    late = dept.deadline is not None and today > dept.deadline and not done
    last = max((e.collected[:16] for e in entries), default=None)
    return DepartmentStatus(dept.name, dept.deadline, dept.contact, items, last, state, late, problems)


def _section_item(root: Path, section: Section, returned: str | None, waiting: Counter) -> Item:
    """待补充 of a section as the build counts them (render/todo.py): marks, fill-ins, last year's numbers."""
    path = section.file(root)
    text = _text(path) if path is not None else ""
    body = _COMMENT.sub("", text)
    body = "\n".join(line for line in body.splitlines() if not line.startswith("#")).strip()
    note = "" if body else "尚无正文"
    rel = path.relative_to(root).as_posix() if path is not None and path.is_relative_to(root) else ""
    todo = len(_PLACEHOLDER.findall(text)) + len(FILL_IN.findall(text)) + waiting.get(rel, 0)
    return Item("小节", section.heading, returned, todo, note)


def _text(path: Path) -> str:
    try:
        if path.suffix == ".docx":
            from docx import Document
            return "\n".join(p.text for p in Document(str(path)).paragraphs)
        return path.read_text(encoding="utf-8")
    except Exception:          # an unreadable file is the build's to report, with its location
        return ""


def _workbook_problems(raw, record) -> dict[str, list[str]]:
    """Problems each department's current workbook has now (the data files may have moved on since)."""
    from ..workbook.merge import apply_workbook
    out: dict[str, list[str]] = {}
    for dept, entry in record.current_workbooks().items():
        path = raw.root / entry.file
        if not path.is_file():
            out[dept] = [f"交回的工作簿不见了：{entry.file}"]
            continue
        p = Problems()
        apply_workbook(raw, path, p, display=entry.file)
        out[dept] = [str(x) for x in p.errors]
    return out


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip() for r in rows]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
