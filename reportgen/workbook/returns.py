"""What departments returned (reportgen collect, in departments/): the record, and their workbooks merged in.

Returned files are kept byte for byte under returns/<部门>/<收取时间>/<原文件名>.
The record (returns/回收记录.json) lists every accepted return in the order it was collected: department, kind
(sections / workbook), the stored file, its SHA-256, kit version, time, the sections it brought in and where the
text it replaced was put. A department's latest workbook is its current one: every load of the project
(build, validate, check, diff) merges it into the YAML data with the workbook three-way merge, so a newer return
replaces the earlier one and the data files themselves are never rewritten.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import Problems
from ..fileio import write_atomic

RETURNS_DIR = "returns"
RECORD_FILE = "回收记录.json"
REPLACED_DIR = "替换前"          # returns/<部门>/<时间>/替换前/: narrative files a return replaced, kept
FORMAT = 1


@dataclass
class Entry:
    department: str
    kind: str                       # sections | workbook
    file: str                       # stored copy, relative to the project
    name: str                       # the name it came under
    sha256: str
    collected: str                  # "2024-11-28 16:05:12"
    kit: str = ""
    sections: list[str] = field(default_factory=list)      # section keys whose text it brought in
    tables: list[str] = field(default_factory=list)        # tables and indicators it changed
    indicators: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)      # where the replaced narrative files were moved


@dataclass
class Record:
    entries: list[Entry] = field(default_factory=list)

    def of(self, department: str) -> list[Entry]:
        return [e for e in self.entries if e.department == department]

    def by_hash(self, sha: str) -> Entry | None:
        return next((e for e in self.entries if e.sha256 == sha), None)

    def current_workbooks(self) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        for e in self.entries:
            if e.kind == "workbook":
                out[e.department] = e
        return out

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "returns": [asdict(e) for e in self.entries]},
                          ensure_ascii=False, indent=1) + "\n"


def record_path(root: Path) -> Path:
    return root / RETURNS_DIR / RECORD_FILE


def read_record(root: Path) -> Record:
    path = record_path(root)
    if not path.is_file():
        return Record()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Record([Entry(**e) for e in data.get("returns", [])])
    except (OSError, ValueError, TypeError) as e:
        from ..errors import Location, ReportgenError
        raise ReportgenError(f"回收记录无法读取（{e}）；请勿手工修改此文件，可从备份恢复",
                             Location(f"{RETURNS_DIR}/{RECORD_FILE}")) from None


def write_record(root: Path, record: Record) -> None:
    data = record.to_json().encode("utf-8")
    write_atomic(record_path(root), lambda f: f.write(data))


def apply_returns(raw, problems: Problems, exclude: str | None = None):
    """The project with each department's current returned workbook merged in (three-way, like --workbook).

    `exclude` leaves one department's out: collect checks a new return against everything else."""
    record = read_record(raw.root)
    current = record.current_workbooks()
    if not current:
        return raw
    from .merge import apply_workbook
    for dept, entry in current.items():
        if dept == exclude:
            continue
        path = raw.root / entry.file
        if not path.is_file():
            from ..errors import Location
            problems.error(f"回收记录中{dept}交回的工作簿不见了：{entry.file}（请勿删除 returns/ 下的文件）",
                           Location(f"{RETURNS_DIR}/{RECORD_FILE}"))
            continue
        raw = apply_workbook(raw, path, problems, display=entry.file)
    return raw


def manifest_entry(root: Path) -> dict[str, str]:
    """Per department, a hash of the returns it has given: the build manifest compares them to name departments."""
    try:
        record = read_record(root)
    except Exception:
        return {}
    out: dict[str, str] = {}
    for e in record.entries:
        out[e.department] = hashlib.sha256((out.get(e.department, "") + e.sha256).encode()).hexdigest()[:20]
    return dict(sorted(out.items()))
