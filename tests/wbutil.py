"""Helpers for the workbook tests: export the demo, edit a workbook, read it back as the pipeline does."""
import io
import zipfile
from pathlib import Path

import openpyxl

from reportgen.check.data import check_project
from reportgen.cli import main
from reportgen.errors import Problems
from reportgen.pipeline import load_raw
from reportgen.workbook.merge import apply_workbook

DEMO = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"


def export(project: Path, out: Path) -> Path:
    assert main(["workbook", str(project), "-o", str(out)]) == 0
    return out


def edit(path: Path, change, out: Path | None = None) -> Path:
    """Open with openpyxl, let `change(wb)` edit it, save (to `out` or in place)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(out or path)
    return out or path


def sheet(wb, n: int):
    """The sheet of the pack's n-th detail table ("表5 创新创业大赛获奖")."""
    return next(ws for ws in wb.worksheets if ws.title.startswith(f"表{n} "))


def read(project: Path, workbook: Path):
    """Load + merge + check, as validate does: (problems, dataset)."""
    problems = Problems()
    raw = load_raw(project, problems)
    merged = apply_workbook(raw, workbook, problems)
    return problems, check_project(merged, problems)


def texts(problems: Problems, severity: str | None = None) -> str:
    return "\n".join(str(p) for p in problems.items if severity is None or p.severity == severity)


def rewrite_members(path: Path, change, out: Path) -> Path:
    """Copy a zip member by member through change(name, data) -> data (None drops the member)."""
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
    out.write_bytes(buf.getvalue())
    return out


def sheet_member(path: Path, title: str) -> str:
    """The zip member name of a sheet, e.g. xl/worksheets/sheet3.xml."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title)
    wb.close()
    return f"xl/worksheets/sheet{index + 1}.xml"
