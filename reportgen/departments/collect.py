"""`reportgen collect`: take back what departments returned, in any order and under any name.

Each file is recognised by its marker (marker.py), else by its content (the section headings or the tables it
holds), else the office is asked which department it is from. Everything is checked before anything is written:
a file holding a section, table or indicator of another department is refused whole, naming them; a workbook whose
data would not pass the checks or conflicts with the data files is refused with the located problems.

Accepted files are kept byte for byte under returns/<部门>/<收取时间>/ and entered in the record (returns.py).
A returned Word file's changed sections become narrative/<chapter>/NN-<section>.docx, read by the Word reader; the
file they replace (the .md, or an earlier .docx) is moved under returns/<部门>/<收取时间>/替换前/, so nothing is lost.
A returned workbook stays where it was stored: every load of the project merges the department's latest one.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problems, UsageError
from ..fileio import write_atomic
from ..pipeline import load_raw, with_workbooks
from .assign import Assignment, Department, Section, project_assignment
from ..regen.manifest import sha256_file
from ..workbook.returns import REPLACED_DIR, RETURNS_DIR, Entry, Record, read_record, write_record
from .kit import folder_name, project_label
from .marker import Marker, read_docx

MAX_ZIP_MEMBERS = 200
MAX_ZIP_BYTES = 200 * 1024 * 1024
OFFICE_SUFFIXES = (".docx", ".xlsx", ".doc", ".wps", ".xls", ".et")
OLD_FORMATS = {".doc": "Word", ".wps": "WPS 文字", ".xls": "Excel", ".et": "WPS 表格"}


@dataclass
class FileOutcome:
    path: Path
    status: str                      # accepted | unchanged | refused | ignored
    department: str | None = None
    kind: str = ""                   # sections | workbook | readme
    message: str = ""
    sections: list[str] = field(default_factory=list)      # headings of the sections brought in
    tables: list[str] = field(default_factory=list)        # titles of the tables that changed
    indicators: int = 0                                    # indicator values that changed
    stored: str = ""                                       # where the file is kept, relative to the project
    shown: str = ""                                        # how to name it: "任务包.zip › 教务处-撰写任务.docx"
    problems: Problems = field(default_factory=Problems)
    unattributed: bool = False                             # refused only because no department could be told

    def line(self) -> str:
        who = f"{self.department} · " if self.department else ""
        return f"{_MARK[self.status]} {who}{self.shown or self.path.name}：{self.message}"

    def to_dict(self) -> dict:
        return {"file": self.shown or str(self.path), "status": self.status, "department": self.department, "kind": self.kind,
                "message": self.message, "sections": self.sections, "tables": self.tables,
                "indicators": self.indicators, "stored": self.stored,
                "problems": [str(p) for p in self.problems.items]}


_MARK = {"accepted": "已收取", "unchanged": "没有变化", "refused": "未收取", "ignored": "已跳过"}


@dataclass
class CollectResult:
    files: list[FileOutcome]

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "refused"]

    @property
    def problems(self) -> Problems:
        out = Problems()
        for f in self.files:
            out.extend(f.problems)
        return out

    def summary(self) -> list[str]:
        counts = {s: sum(f.status == s for f in self.files) for s in _MARK}
        return [f"共 {len(self.files)} 个文件：" + "，".join(f"{_MARK[s]} {n} 个" for s, n in counts.items() if n)]

    def lines(self) -> list[str]:
        """What happened to each file, its problems indented, then the counts: the human summary."""
        out = []
        for f in self.files:
            out.append(f.line())
            out += [f"    {p}" for p in f.problems.items]
        return out + self.summary()

    def to_dict(self) -> dict:
        return {"files": [f.to_dict() for f in self.files], "summary": self.summary()}


def collect(root: Path, paths: list[Path], department: str | None = None,
            now: dt.datetime | None = None) -> CollectResult:
    raw, assignment = project_assignment(root, "无法判断交回的文件属于哪个部门")
    if department is not None and department not in assignment.departments:
        raise UsageError(f"report.yaml 的 departments 中没有“{department}”（已有：{'、'.join(assignment.departments)}）")
    files = _expand(paths, root)
    now = now or dt.datetime.now()
    collector = _Collector(root, raw, assignment, department, now)
    return CollectResult([out for p in files for out in collector.take(p)])


def _expand(paths: list[Path], root: Path) -> list[Path]:
    """Files given and the files inside folders given, oldest first: a newer return replaces an earlier one.
    What collect itself keeps (the project's returns/) is never taken again."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*")) if f.is_file()]
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"找不到文件或文件夹：{p}")
    kept = (root / RETURNS_DIR).resolve()
    out = [f for f in dict.fromkeys(out) if not f.name.startswith(("~$", ".")) and not f.resolve().is_relative_to(kept)]
    return sorted(out, key=lambda f: f.stat().st_mtime)


class _Collector:
    def __init__(self, root: Path, raw, assignment: Assignment, department: str | None, now: dt.datetime):
        self.root, self.raw, self.assignment, self.department, self.now = root, raw, assignment, department, now
        self.project = project_label(raw.config)

    def take(self, path: Path) -> list[FileOutcome]:
        """One returned file, or each Word and Excel file of a returned .zip (kept as they were in it)."""
        if path.suffix.lower() != ".zip":
            return [self.one(path)]
        with tempfile.TemporaryDirectory(prefix="reportgen-collect-") as tmp:
            try:
                members = _unzip(path, Path(tmp))
            except ValueError as e:
                return [FileOutcome(path, "refused", message=f"{e}，未收取")]
            return [self.one(m, f"{path.name} › {m.name}") for m in members]

    def one(self, path: Path, shown: str = "") -> FileOutcome:
        suffix = path.suffix.lower()
        out = FileOutcome(path, "refused", shown=shown)
        if suffix in OLD_FORMATS:
            out.message = (f"这是旧的 {OLD_FORMATS[suffix]} 格式，请在 {OLD_FORMATS[suffix]} 中打开后"
                           f"另存为 .{'docx' if suffix in ('.doc', '.wps') else 'xlsx'} 再交回")
            return out
        if suffix not in (".docx", ".xlsx"):
            out.status, out.message = "ignored", "不是 Word（.docx）或 Excel（.xlsx）文件，已跳过"
            return out
        sha = sha256_file(path)
        record = read_record(self.root)
        same = record.by_hash(sha)
        if same is not None:
            out.status, out.department, out.kind = "unchanged", same.department, same.kind
            out.message = f"没有变化（与 {same.collected} 收取的“{same.name}”相同）"
            out.stored = same.file
            return out
        handler = self._word if suffix == ".docx" else self._workbook
        handler(path, out, record, sha)
        return out

    # ---------------------------------------------------------------- whose file
    def _who(self, marker: Marker | None, guessed: set[str], out: FileOutcome) -> Department | None:
        if marker is not None and marker.project and marker.project != self.project:
            out.message = f"这是“{marker.project}”的任务包，不是本项目（{self.project}）的，未收取"
            return None
        name = marker.department if marker is not None else None
        if name is None and len(guessed) == 1:
            name = next(iter(guessed))
        if name is None:
            name = self.department
        if self.department is not None and name is not None and name != self.department:
            out.message = f"文件属于“{name}”，与指定的部门“{self.department}”不符，未收取"
            return None
        if name is None:
            known = "、".join(self.assignment.departments)
            out.message = ("无法判断是哪个部门交回的" + (f"（内容涉及：{'、'.join(sorted(guessed))}）" if guessed else "")
                           + f"，请指明是哪个部门的后重新收取（部门：{known}）")
            out.unattributed = True
            return None
        if name not in self.assignment.departments:
            out.message = f"文件属于“{name}”，但 report.yaml 的 departments 中已没有这个部门，未收取"
            return None
        out.department = name
        newer = max((e.kit for e in read_record(self.root).of(name) if e.kit), default="")
        if marker is not None and marker.kit and marker.kit < newer:
            out.problems.warning(f"这份文件来自较早的任务包（版本 {marker.kit}），{name}已交回过版本 {newer} 的文件；"
                                 "收取后以这份为准，如不对请重新收取较新的文件", Location(out.path.name))
        return self.assignment.departments[name]

    # ---------------------------------------------------------------- Word
    def _word(self, path: Path, out: FileOutcome, record: Record, sha: str) -> None:
        from docx import Document
        from .worddoc import section_docx, signature, split_sections
        marker = read_docx(path)
        if marker is not None and marker.kind == "readme":
            out.status, out.department, out.kind = "ignored", marker.department, "readme"
            out.message = "这是任务说明，不需要收取"
            return
        problem = _docx_problem(path)
        if problem:
            out.message = problem
            return
        try:
            doc = Document(str(path))
        except Exception:          # python-docx raises many kinds for a broken package
            out.message = "无法打开：文件可能已损坏或不是 Word 文件（.doc 请在 Word/WPS 中另存为 .docx）"
            return
        out.kind = "sections"
        keys = list(marker.sections) if marker is not None else []
        parsed = split_sections(doc, keys, self.assignment.sections)
        guessed = {o for s in parsed.sections if s.key for o in [self.assignment.owner_of_section(s.key)] if o}
        dept = self._who(marker, guessed, out)
        if dept is None:
            return
        own = {s.key for s in dept.sections}
        if not parsed.sections and len(dept.sections) == 1 and marker is None:
            from .worddoc import ReturnedSection
            parsed.sections = [ReturnedSection(dept.sections[0].key, dept.sections[0].heading, parsed.preamble)]
        foreign = [s for s in parsed.sections if s.key not in own]
        if foreign:
            names = "、".join(f"“{s.heading}”" + (f"（属于{o}）" if (o := self.assignment.owner_of_section(s.key or ""))
                                                  else "（不是分工中的小节）") for s in foreign)
            out.message = (f"文件中有不属于{dept.name}的小节：{names}。整份文件未收取：请删去这些小节后重新交回，"
                           "或由负责的部门交回")
            return
        seen: set[str] = set()
        for s in parsed.sections:
            if s.key in seen:
                out.message = f"小节“{s.heading}”在文件中出现了两次，请合并为一处后重新交回，未收取"
                return
            seen.add(s.key)
        if not parsed.sections:
            out.message = (f"文件中没有找到{dept.name}的小节标题（任务包中“标题 1”样式的“章 › 小节”标题），"
                           "无法判断内容属于哪一节，未收取")
            return
        sent = marker.sections if marker is not None else {}
        lost = [self.assignment.sections[k].heading for k in sent if k not in seen and k in self.assignment.sections]
        if lost:
            out.message = (f"找不到小节“{'、'.join(lost)}”的标题（任务包中“标题 1”样式的“章 › 小节”），可能被删除或改动，"
                           "其内容会被当成上一节的：请恢复标题后重新交回，未收取")
            return
        changed = [s for s in parsed.sections if signature(s.elements) != sent.get(s.key)]
        stamp = self._stamp(dept)
        writes = [(self.assignment.sections[s.key], _titled(section_docx(path, s.elements), self.assignment.sections[s.key]))
                  for s in changed]
        stored = self._store(path, dept, stamp)
        replaced = [kept for section, data in writes if (kept := place_section(self.root, section, data, stamp))]
        out.status, out.stored = "accepted", stored
        out.sections = [self.assignment.sections[s.key].heading for s in changed]
        out.message = (f"收取 {len(changed)} 个小节：{'、'.join(out.sections)}" if changed
                       else "各小节与任务包中的文字相同，正文未改动") + f"；原文件保存在 {stored}"
        self._enter(record, Entry(dept.name, "sections", stored, path.name, sha, self._time(),
                                  marker.kit if marker else "", [s.key for s in changed], replaced=replaced))

    # ---------------------------------------------------------------- Excel
    def _workbook(self, path: Path, out: FileOutcome, record: Record, sha: str) -> None:
        from ..workbook.importer import read_workbook
        from ..workbook.merge import apply_workbook, workbook_context
        out.kind = "workbook"
        found = Problems()
        wb = read_workbook(path, self.raw.pack, found, workbook_context(self.raw.config), path.name)
        if wb is None:
            out.problems.extend(found)
            out.message = "无法读取：" + "；".join(p.message for p in found.errors)
            return
        marker = Marker.from_properties(wb.meta.info) if wb.meta is not None else None
        guessed = {o for t in wb.tables for o in [self.assignment.owner_of_table(t)] if o}
        dept = self._who(marker, guessed, out)
        if dept is None:
            return
        base = with_workbooks(load_raw(self.root, Problems()), Problems(), exclude=dept.name)
        foreign = self._foreign_data(wb, base, dept)
        if foreign:
            out.message = (f"工作簿中有不属于{dept.name}的数据：{'、'.join(foreign)}。整份文件未收取：请删去后重新交回，"
                           "或由负责的部门交回")
            return
        trial = Problems()
        merged = apply_workbook(base, path, trial, display=path.name)
        before = {str(p) for p in _checked(base).errors}
        checked = _checked(merged)
        errors = trial.errors + [p for p in checked.errors if str(p) not in before]     # what this file brings
        if errors:
            out.problems.items += errors
            out.message = f"工作簿有 {len(errors)} 个问题，未收取（见下面各条，改正后重新交回）"
            return
        mine = [p for p in trial.warnings + checked.warnings if p.location is not None and p.location.file == path.name]
        out.tables, out.indicators = _changed_data(base, merged)
        stored = self._store(path, dept, self._stamp(dept))
        out.status, out.stored = "accepted", stored
        what = [f"明细表 {'、'.join(out.tables)}" if out.tables else "", f"指标 {out.indicators} 项" if out.indicators else ""]
        what = [w for w in what if w]
        out.message = ("收取数据：" + "；".join(what) if what else "数据与现有数据相同") + f"；原文件保存在 {stored}"
        out.problems.items += [p for p in mine if not p.is_error]
        self._enter(record, Entry(dept.name, "workbook", stored, path.name, sha, self._time(),
                                  marker.kit if marker else "", tables=out.tables))

    def _foreign_data(self, wb, base, dept: Department) -> list[str]:
        from ..workbook.fingerprint import indicator_canon, table_canon
        from ..render.env import render_title
        context = {"year": self.raw.config["year"], "school": self.raw.config["school"]}
        out = []
        for tid, table in wb.tables.items():
            tdef = self.raw.pack.tables[tid]
            if tid not in dept.tables and table_canon(table, tdef) != table_canon(base.tables.get(tid), tdef):
                owner = self.assignment.owner_of_table(tid)
                out.append(f"明细表“{render_title(tdef.title, context)}”（{f'属于{owner}' if owner else '未分工'}）")
        if wb.indicators is not None:
            for name, years in wb.indicators.cells.items():
                if name in dept.indicators:
                    continue
                now = base.indicators.cells.get(name, {})
                if any(indicator_canon(c) != indicator_canon(now.get(y)) for y, c in years.items()):
                    owner = self.assignment.owner_of_indicator(name)
                    out.append(f"指标“{name}”（{f'属于{owner}' if owner else '未分工'}）")
        return out

    # ---------------------------------------------------------------- keeping files
    def _stamp(self, dept: Department) -> Path:
        base = Path(RETURNS_DIR) / folder_name(dept.name) / self.now.strftime("%Y-%m-%d_%H%M%S")
        return base

    def _time(self) -> str:
        return self.now.strftime("%Y-%m-%d %H:%M:%S")

    def _store(self, path: Path, dept: Department, stamp: Path) -> str:
        rel = stamp / path.name
        n = 2
        while (self.root / rel).exists():
            rel = stamp / f"{path.stem}（{n}）{path.suffix}"
            n += 1
        data = path.read_bytes()
        write_atomic(self.root / rel, lambda f: f.write(data))
        return rel.as_posix()

    def _enter(self, record: Record, entry: Entry) -> None:
        record.entries.append(entry)
        write_record(self.root, record)


def _titled(data: bytes, section: Section) -> bytes:
    """A returned section that does not open with a heading gets its title from the pack: read on its own, its
    first paragraphs would otherwise run on under the section before it in the draft."""
    from ..load.word import WordFileError, section_title
    from .worddoc import with_heading
    if not section.title:
        return data
    with tempfile.TemporaryDirectory(prefix="reportgen-section-") as scratch:
        path = Path(scratch) / "section.docx"
        path.write_bytes(data)
        try:
            if section_title(path, Problems()):
                return data
        except WordFileError:
            return data           # told when the build reads it
    return with_heading(data, section.title)


def place_section(root: Path, section: Section, data: bytes, stamp: Path) -> str:
    """Make `data` (a .docx) the section's narrative file, read by the Word reader from then on.

    The file it replaces (the .md, or an earlier .docx) is first copied to `stamp`/替换前/ (`stamp` relative
    to the project, under returns/), so nothing is lost; returns that copy's path ("" when there was none)."""
    old = section.file(root)
    target = section.target(root, ".docx")
    kept = ""
    if old is not None:
        rel = stamp / REPLACED_DIR / old.relative_to(root)
        before = old.read_bytes()
        write_atomic(root / rel, lambda f: f.write(before))
        kept = rel.as_posix()
    write_atomic(target, lambda f: f.write(data))
    if old is not None and old != target:
        old.unlink()
    return kept


def _checked(raw) -> Problems:
    """The problems the data would have in a build: typing, computed indicators, cross-checks."""
    from ..pipeline import compute
    problems = Problems()
    *_, checks = compute(raw, problems, prose=False)
    checks.add_to(problems)
    return problems


def _changed_data(base, merged) -> tuple[list[str], int]:
    from ..workbook.fingerprint import indicator_canon, table_canon
    from ..render.env import render_title
    context = {"year": base.config["year"], "school": base.config["school"]}
    tables = [render_title(tdef.title, context) for tid, tdef in base.pack.tables.items()
              if table_canon(base.tables.get(tid), tdef) != table_canon(merged.tables.get(tid), tdef)]
    n = 0
    for name, years in merged.indicators.cells.items():
        before = base.indicators.cells.get(name, {})
        n += sum(indicator_canon(c) != indicator_canon(before.get(y)) for y, c in years.items())
    return tables, n


def _docx_problem(path: Path) -> str:
    """Why a returned .docx is not opened ("" when it may be): not a zip, encrypted, a zip bomb.
    (python-docx parses XML without resolving entities, so entity expansion is not a danger.)"""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError):
        with open(path, "rb") as f:
            head = f.read(8)
        if head == bytes.fromhex("D0CF11E0A1B11AE1"):
            return "文件有密码或是旧的 .doc 格式：请在 Word/WPS 中取消密码、另存为 .docx 后再交回，未收取"
        return "无法打开：文件已损坏或不是 Word 文件，未收取"
    if "word/document.xml" not in {i.filename for i in infos}:
        return "不是 Word 文件（可能是改了扩展名的其他文件），未收取"
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_MEMBERS * 25 or total > MAX_ZIP_BYTES or any(
            i.file_size > 10 * 1024 * 1024 and i.file_size > 100 * max(i.compress_size, 1) for i in infos):
        return "文件解压后异常庞大，疑似损坏或恶意构造的文件，未收取"
    return ""


def _unzip(path: Path, folder: Path) -> list[Path]:
    """The Office files of a returned .zip, written under `folder` by their own names, oldest first.

    Only base names are used (no member can write outside `folder`); sizes are checked from the directory
    and again while copying, so a zip bomb stops early. Names a Chinese Windows stored in GBK are decoded."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ValueError("压缩包已损坏或不是 .zip 文件") from None
    with z:
        infos = [i for i in z.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError("压缩包中的文件过多或过大，请只放交回的 Word 和 Excel 文件")
        out = []
        for n, info in enumerate(infos):
            name = Path(_member_name(info)).name
            if name.startswith((".", "~$")) or Path(name).suffix.lower() not in OFFICE_SUFFIXES:
                continue
            if info.flag_bits & 0x1:
                raise ValueError(f"压缩包中的“{name}”有密码，请解压后交回")
            target = folder / str(n) / name
            target.parent.mkdir()
            written = 0
            with z.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size or written > MAX_ZIP_BYTES:
                        raise ValueError("压缩包内容与其目录不符（疑似恶意构造的文件）")
                    dst.write(chunk)
            stamp = time.mktime(info.date_time + (0, 0, -1))
            os_utime(target, stamp)
            out.append(target)
    return sorted(out, key=lambda p: p.stat().st_mtime)


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename                                   # stored as UTF-8
    try:
        return info.filename.encode("cp437").decode("gbk")     # the usual Chinese Windows zip
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def os_utime(path: Path, stamp: float) -> None:
    import os
    os.utime(path, (stamp, stamp))
