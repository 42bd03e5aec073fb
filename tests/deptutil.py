"""Helpers for the department tests: assign three departments, fill returns the way a department would."""
from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
from docx import Document

THREE = """
departments:
  招生就业处:
    sections: [talent/employment]
    tables: [innovation_awards]
    indicators: [人才培养质量计分卡]
    deadline: 2024-11-30
    contact: 李老师 0571-8888 0001
  科研处:
    sections: [service/research, service/transfer]
    tables: [research_projects, tech_transfer]
    deadline: 2024-12-05
  国际交流处:
    sections: [international]
    indicators: [国际影响表]
    deadline: 2024-11-20
"""

NEW_SENTENCE = "学校把就业工作作为“一把手”工程，本年新增园区专场招聘会 12 场。"


def drop_departments(project: Path) -> None:
    """report.yaml without its `departments:` block (the demo carries one)."""
    import re
    path = project / "report.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^departments:[^\n]*\n(?:(?:[ \t][^\n]*)?\n)*", "", text), encoding="utf-8")


def assign_three(project: Path) -> None:
    """The project's departments replaced by three (the tests' own assignment)."""
    drop_departments(project)
    with open(project / "report.yaml", "a", encoding="utf-8") as f:
        f.write(THREE)


def kit_file(kit: Path, department: str, suffix: str) -> Path:
    found = [p for p in (kit / department).iterdir() if p.suffix == suffix and "说明" not in p.name]
    assert len(found) == 1, found
    return found[0]


def rewrite_paragraph(src: Path, dst: Path, starts: str, text: str) -> None:
    """Replace the text of the first paragraph starting with `starts`, as a person editing in Word would."""
    doc = Document(str(src))
    for p in doc.paragraphs:
        if p.text.startswith(starts):
            for r in p.runs[1:]:
                r.text = ""
            p.runs[0].text = text
            doc.save(str(dst))
            return
    raise AssertionError(f"no paragraph starting with {starts!r} in {src}")


def change_table_cell(src: Path, dst: Path, sheet_part: str, column: str, delta: float) -> tuple[object, object]:
    """Add `delta` to `column` in the first data row of the sheet whose name contains `sheet_part`."""
    wb = openpyxl.load_workbook(src)
    ws = next(wb[n] for n in wb.sheetnames if sheet_part in n)
    col = next(c.column for c in ws[1] if str(c.value).startswith(column))
    cell = ws.cell(row=2, column=col)
    old = cell.value
    cell.value = old + delta
    wb.save(dst)
    return old, cell.value


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with its hash: to show that nothing was written."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
