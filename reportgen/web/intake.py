"""What the office drops on the page: saved under the project with names the server chooses, then taken in.

The one adapter between the web page and department returns. Today it takes in a fill-in workbook
(made the project's `workbook:` in report.yaml, merged as `build --workbook` merges), pictures (into
images/) and section .docx files (kept in returns/; without department kits the page then asks which
section each is and places it there, sections.py). When `reportgen.departments`
is present and the project assigns work to departments, its `collect(root, paths)` takes in the returns
(after they are kept in returns/ as they came) and `project_status(root)` gives each department's state:
the rest of the web page only sees Intake and DepartmentState.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problems, ReportgenError
from ..departments.collect import collect
from ..departments.status import project_status
from ..load.project import REPORT_FILE

RETURNS = "returns"
IMAGES = "images"
MAX_FILE_BYTES = 20 * 1024 * 1024            # a workbook is kilobytes, a phone photo a few MB
MAX_FILES = 20
KINDS = {".xlsx": "workbook", ".docx": "section", ".jpg": "picture", ".jpeg": "picture", ".png": "picture"}
KIND_NAMES = {"workbook": "数据填报工作簿", "section": "正文小节（Word）", "picture": "图片"}
ACCEPTED = "、".join(sorted(KINDS))


class UploadRefused(ReportgenError):
    """A file the page does not take: wrong type, too large, not what its name says."""


@dataclass
class Saved:
    kind: str
    path: str               # relative to the project, chosen by the server
    original: str           # the name the browser sent, shown only


@dataclass
class Intake:
    saved: list[Saved] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    unplaced: list[Saved] = field(default_factory=list)   # section .docx files no department's collect took
    questions: list = field(default_factory=list)      # sections.Question: which section is this Word file?
    placed: str = ""                                    # the narrative file a confirmed section became
    whose: list = field(default_factory=list)          # WhoseQuestion: which department returned this file?


def safe_stem(name: str, fallback: str) -> str:
    """A file name stem made only of letters, digits, - and _ (no path, no dots): the browser's name is a hint."""
    stem = unicodedata.normalize("NFKC", Path(name.replace("\\", "/")).name).rsplit(".", 1)[0]
    stem = re.sub(r"[^\w-]+", "-", stem).strip("-_")[:40]
    return stem or fallback


def kind_of(name: str) -> str:
    kind = KINDS.get(Path(name.replace("\\", "/")).suffix.lower())
    if kind is None:
        raise UploadRefused(f"不接受这种文件：{name}（可上传 {ACCEPTED}）")
    return kind


def save_upload(root: Path, original: str, data: bytes) -> Saved:
    """Check `data` is what its name says, then keep it as it came under returns/ (pictures under images/)."""
    kind = kind_of(original)
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(f"文件太大：{original}（{len(data) / 1048576:.1f} MB，每个文件最多 "
                            f"{MAX_FILE_BYTES // 1048576} MB）")
    ext = _check_content(kind, original, data)
    if kind == "picture":
        folder, stem = root / IMAGES, safe_stem(original, "picture")
    else:
        folder, stem = root / RETURNS, time.strftime("%Y%m%d-%H%M%S-") + safe_stem(original, kind)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{ext}"
    n = 2
    while True:                                      # never over an existing file: nothing is lost
        try:
            with open(path, "xb") as f:
                f.write(data)
            break
        except FileExistsError:
            path, n = folder / f"{stem}-{n}{ext}", n + 1
    return Saved(kind, path.relative_to(root).as_posix(), original)


def _check_content(kind: str, original: str, data: bytes) -> str:
    if kind in ("workbook", "section"):
        member = "xl/workbook.xml" if kind == "workbook" else "word/document.xml"
        try:
            import io
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            names = []
        if member not in names:
            raise UploadRefused(f"{original} 不是有效的 {'.xlsx' if kind == 'workbook' else '.docx'} 文件"
                                "（可能已损坏、没有传完整，或是旧的 .xls/.doc 格式改了扩展名）："
                                "请在 Excel/WPS/Word 中打开后另存为新格式再上传")
        return ".xlsx" if kind == "workbook" else ".docx"
    from .pictures import picture_format
    return picture_format(original, data, UploadRefused)


def take_in(root: Path, saved: list[Saved]) -> Intake:
    """Make the saved files part of the project; what changed is told by the caller's fresh overview.

    In a project that assigns work to departments, a department's return (a kit file, or a file its content
    names) goes through their collect(); a workbook that carries no department's marker (the whole-school
    workbook the page or `reportgen workbook` exports) is the office's own, which owns everything; a file
    collect cannot attribute stays in returns/ and the page asks whose it is."""
    out = Intake(saved=list(saved))
    returns = [s for s in saved if s.kind != "picture"]
    if returns and department_status(root) is not None:
        theirs = [s for s in returns if not (s.kind == "workbook" and workbook_department(root / s.path) is None)]
        _collect(root, theirs, None, out)
        returns = [s for s in returns if s not in theirs]
    for s in saved:
        if s.kind == "picture":
            out.notes.append(f"图片 {s.original} 已存为 {s.path}；在正文中用 ![图片说明]({s.path}) 引用。")
    for s in returns:
        if s.kind == "workbook":
            _adopt_workbook(root, s, out)
        else:
            out.unplaced.append(s)              # the page asks which section it is (sections.py)
    return out


@dataclass
class WhoseQuestion:
    """这份文件是哪个部门交回的？ — asked for a kept file collect could not attribute."""
    file: str               # its name in returns/
    original: str
    departments: list[str]


def collect_as(root: Path, name: str, department: str) -> Intake:
    """The office's answer to 这份文件是哪个部门交回的？: returns/`name` collected as `department`'s."""
    path = returned_file(root, name, (".docx", ".xlsx"))
    known = [d.name for d in department_status(root) or []]
    if department not in known:
        raise UploadRefused(f"没有“{department or '未选择'}”这个部门（report.yaml 的 departments 中有："
                            f"{'、'.join(known)}），没有收取。请在列表中选择部门。")
    out = Intake()
    kind = "workbook" if path.suffix == ".xlsx" else "section"
    _collect(root, [Saved(kind, path.relative_to(root).as_posix(), name)], department, out)
    return out


def returned_file(root: Path, name: str, suffixes: tuple[str, ...] = (".docx",)) -> Path:
    """returns/`name`: a file the page kept there, named by its name alone (never a path)."""
    folder = (root / RETURNS).resolve()
    refused = UploadRefused(f"returns/ 中没有“{name}”这个文件，项目没有改动。请重新上传后再选择。")
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.lower().endswith(suffixes) \
            or not folder.is_dir():
        raise refused
    path = {p.name: p for p in folder.iterdir()}.get(name)
    if path is None or path.is_symlink() or not path.is_file() or path.resolve().parent != folder:
        raise refused
    return path


def _collect(root: Path, kept: list[Saved], department: str | None, out: Intake) -> None:
    """Give the kept files to the departments' collect(); what it takes it keeps under returns/<部门>/ itself
    (the upload's copy is then removed), what it refuses stays where the upload kept it, with the reason."""
    if not kept:
        return
    with tempfile.TemporaryDirectory(prefix="reportgen-upload-") as tmp:
        staged: dict[Path, Saved] = {}
        for n, s in enumerate(kept, 1):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            # collect takes files from outside the project, under a readable name
            copy = folder / (safe_stem(s.original, s.kind) + Path(s.path).suffix)
            staged[Path(shutil.copy2(root / s.path, copy))] = s
        result = collect(root, list(staged), department) if department else collect(root, list(staged))
    names = [d.name for d in department_status(root) or []]
    for f in result.files:
        s = staged.get(f.path)
        if f.status == "refused":
            where = Location(s.original if s else f.path.name)
            out.problems.error(f.message + (f"（文件保存在 {s.path}）" if s else ""), where)
            if s is not None and f.unattributed:
                out.whose.append(WhoseQuestion(Path(s.path).name, s.original, names))
        else:
            out.notes.append(f.line())
            if s is not None and f.status in ("accepted", "unchanged"):
                (root / s.path).unlink(missing_ok=True)       # collect keeps its own copy under returns/<部门>/
        out.problems.extend(f.problems)
    out.notes += result.summary()


def workbook_department(path: Path) -> str | None:
    """The department a workbook's marker names (a department kit's workbook), None for any other workbook."""
    import openpyxl

    from ..workbook import layout
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:                  # unreadable: the import says why, located
        return None
    try:
        if layout.META_SHEET not in wb.sheetnames:
            return None
        for row in wb[layout.META_SHEET].iter_rows(min_row=2, max_col=3, max_row=200, values_only=True):
            if len(row) >= 3 and row[0] == "info" and row[1] == "reportgen.department" and row[2]:
                return str(row[2])
        return None
    finally:
        wb.close()


def _adopt_workbook(root: Path, s: Saved, out: Intake) -> None:
    from ..workbook.safety import WorkbookError, open_workbook
    try:
        open_workbook(root / s.path, s.path)
    except WorkbookError as e:
        out.problems.error(e.message, e.location)
        out.notes.append(f"{s.original} 已保存为 {s.path}，但无法读取，未设为项目的填报工作簿。")
        return
    previous = set_workbook(root, s.path)
    out.notes.append(f"{s.original} 已保存为 {s.path}，并设为本项目的数据填报工作簿（report.yaml 中的 workbook），"
                     "生成初稿时与数据文件合并" + (f"；此前使用的是 {previous}" if previous else "") + "。")


def set_workbook(root: Path, relative: str) -> str:
    """Point report.yaml's `workbook:` at `relative`, keeping every comment; returns the previous value."""
    from .yamledit import load_round_trip, save_round_trip
    path = root / REPORT_FILE
    yaml, data = load_round_trip(path, REPORT_FILE)
    previous = str(data.get("workbook") or "")
    data["workbook"] = relative
    save_round_trip(path, yaml, data)
    return previous


@dataclass
class DepartmentState:
    name: str
    state: str              # 已交 | 未交 | 逾期
    detail: str = ""


def department_status(root: Path) -> list[DepartmentState] | None:
    """The departments' returns, or None when the project has no department kits."""
    try:
        result = project_status(root)
    except ReportgenError:
        return None
    return [DepartmentState(d.name, d.state + ("（已逾期）" if d.late else ""),
                            "；".join(filter(None, [f"截止 {d.deadline}" if d.deadline else "",
                                                    f"最近交回 {d.last_return}" if d.last_return else "",
                                                    *d.problems])))
            for d in result.departments]

