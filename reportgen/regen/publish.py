"""Put a new draft on disk without losing anybody's work, then record it in the manifest.

Order of a build: render the .docx in memory → decide where it may go → write it atomically →
write the manifest atomically. A crash before the manifest leaves the old manifest; the draft on
disk is then either the new bytes (recognised next time: same inputs give the same bytes) or
treated as edited by hand and kept. Nothing is ever overwritten that reportgen did not write.

The requested output ("target") may be overwritten only when it is missing, byte-identical to
what the last build recorded (or to the new draft), or with `force`. Otherwise the new draft goes
beside it as `name.YYYY-MM-DD-N.docx`, a name never used before.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from ..fileio import exclusive, guard_changes, write_atomic, write_bytes_atomic
from .changes import Changes, compare
from .manifest import (
    CONTENT_KEYS,
    dumps,
    load_manifest,
    make_manifest,
    manifest_path,
    sha256_bytes,
    sha256_file,
)
from .browser import browser_changes_since
from .trace import absorbed_since_build

MISSING, OURS, EDITED, UNKNOWN = "missing", "ours", "edited", "unknown"


@dataclass
class RebuildResult:
    path: Path                      # where this build's draft is
    target: Path                    # the output that was asked for
    manifest: Path
    written: bool                   # False when the draft on disk already had these bytes
    changes: Changes
    protected: str = ""             # why the target was not overwritten ("" when it was not protected)
    notes: list[str] = field(default_factory=list)


@dataclass
class DiffResult:
    target: Path
    manifest: Path
    changes: Changes
    status: str                     # state of the existing draft: missing | ours | edited | unknown


def target_status(target: Path, last: dict | None, new_hash: str | None = None) -> str:
    """Is the file at `target` one reportgen wrote (so it may be replaced)?"""
    if not target.exists():
        return MISSING
    current = sha256_file(target)
    if current == new_hash:
        return OURS
    if last is None:
        return UNKNOWN
    ours = (last.get("target") or {}).get("sha256")
    if current in {ours, (last.get("output") or {}).get("sha256")} - {None}:
        return OURS
    return EDITED if ours else UNKNOWN      # UNKNOWN: reportgen never wrote this file


def publish(prepared, target: Path, render: Callable[[], bytes], force: bool = False) -> RebuildResult:
    """Write the draft and its manifest, one build of a project at a time (a lock on the project folder):
    a second build of the same project waits for the first, then compares with the manifest the first wrote (so it never takes
    the first's fresh draft for one edited by hand)."""
    with exclusive(prepared.dataset.root, waiting="同一项目的另一个构建正在写入初稿，等待其完成……"):
        return _publish(prepared, target, render, force)


def _publish(prepared, target: Path, render: Callable[[], bytes], force: bool) -> RebuildResult:
    mpath = manifest_path(target)
    last = load_manifest(mpath)
    notes = []
    if last is None and mpath.exists():
        notes.append(f"上次构建的记录 {mpath.name} 无法读取，已忽略。")
    new = make_manifest(prepared, target)
    changes = compare(last, new)
    changes.browser = browser_changes_since(prepared.dataset.root, _built_at(mpath, last))

    if not force and _up_to_date(target, last, new):
        # same inputs, same program, untouched draft: the bytes would be the same, skip rendering
        new["output"], new["target"] = last["output"], last["target"]
        _save_manifest(mpath, new)
        return RebuildResult(target, target, mpath, False, changes, notes=notes)

    data = render()
    digest = sha256_bytes(data)
    status = target_status(target, last, digest)
    protected = ""
    if force or status in (MISSING, OURS):
        path, written = target, _write_if_different(target, data, digest)
        target_hash = digest
    else:
        protected = _why(status, target, mpath)
        path, written = _beside(target, last, data, digest)
        target_hash = (last or {}).get("target", {}).get("sha256")
    new["output"] = {"file": path.name, "sha256": digest, "bytes": len(data)}
    new["target"] = {"file": target.name, "sha256": target_hash}
    _save_manifest(mpath, new)      # after the draft: see the module docstring
    return RebuildResult(path, target, mpath, written, changes, protected, notes)


def diff_project(prepared, target: Path) -> DiffResult:
    """What a build would report now, without rendering or writing anything."""
    mpath = manifest_path(target)
    last = load_manifest(mpath)
    new = make_manifest(prepared, target)
    changes = compare(last, new)
    changes.absorbed = absorbed_since_build(prepared.dataset.root, mark=False)   # the next build says them
    changes.browser = browser_changes_since(prepared.dataset.root, _built_at(mpath, last))
    return DiffResult(target, mpath, changes, target_status(target, last))


def _built_at(mpath: Path, last: dict | None) -> float | None:
    """When the previous build was made: its manifest's time (the manifest itself holds no time, so that the same
    inputs give the same bytes). No previous build: every browser change is new."""
    try:
        return mpath.stat().st_mtime if last is not None else None
    except OSError:
        return None


def _up_to_date(target: Path, last: dict | None, new: dict) -> bool:
    if not last or last.get("fingerprint") != new["fingerprint"]:
        return False
    if any(last.get(k) != new[k] for k in CONTENT_KEYS):   # data from outside the project (--workbook)
        return False
    out = last.get("output") or {}
    return (out.get("file") == target.name and target.is_file()
            and sha256_file(target) == out.get("sha256"))


def _write_if_different(path: Path, data: bytes, digest: str) -> bool:
    if path.is_file() and sha256_file(path) == digest:
        return False
    write_bytes_atomic(path, data)
    return True


def _beside(target: Path, last: dict | None, data: bytes, digest: str) -> tuple[Path, bool]:
    """The protected case: reuse the last dated draft if it is this very draft, else a new dated name."""
    prev = (last or {}).get("output") or {}
    if prev.get("file") and prev.get("file") != target.name and prev.get("sha256") == digest:
        path = target.with_name(prev["file"])
        if path.is_file() and sha256_file(path) == digest:
            return path, False
    path = _claim_dated_name(target)
    try:
        write_bytes_atomic(path, data)
    except BaseException:
        _remove_if_empty(path)
        raise
    return path, True


def dated_name(target: Path, day: date, n: int) -> Path:
    return target.with_name(f"{target.stem}.{day.isoformat()}-{n}{target.suffix}")


def _claim_dated_name(target: Path) -> Path:
    """`name.2024-12-03-N.docx` with the first N not taken; created empty at once so no one else takes it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    day = date.today()
    n = 1
    while True:
        path = dated_name(target, day, n)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return path
        except FileExistsError:
            n += 1


def _remove_if_empty(path: Path) -> None:
    try:
        if path.stat().st_size == 0:
            path.unlink()
    except FileNotFoundError:
        pass


def _why(status: str, target: Path, mpath: Path) -> str:
    if status == UNKNOWN:
        return (f"{target.name} 已存在，但没有上次构建的记录（{mpath.name}），无法确认它是否被修改过；"
                f"为免丢失修改，没有覆盖它。")
    return f"{target.name} 在上次构建之后被修改过（可能已在 Word/WPS 中编辑），为保护这些修改，没有覆盖它。"


def _save_manifest(mpath: Path, manifest: dict) -> None:
    text = dumps(manifest).encode("utf-8")
    try:
        if mpath.read_bytes() == text:
            return
    except OSError:
        pass
    save_manifest(mpath, text)


def save_manifest(mpath: Path, text: bytes) -> None:
    """Separate so tests can make it fail between the draft and its manifest."""
    write_bytes_atomic(mpath, text)


# ---------------------------------------------------------------- change log
def changelog_meta(prepared, target: Path, path: Path | None) -> list[tuple[str, str]]:
    ds = prepared.dataset
    meta = [(ds.pack.subject.kind or "名称", ds.config["school"]["name"]), ("报告年度", str(ds.year))]
    if path is not None:
        meta.append(("本次初稿", path.name))
    meta.append(("对比基准", f"上次构建的记录 {manifest_path(target).name}"))
    return meta


def write_changelog(file: Path, changes: Changes, prepared, target: Path, path: Path | None = None) -> None:
    """`--changes FILE`: the change log as Markdown (.md) or Word (.docx), written atomically."""
    from ..write.markdown import document_markdown
    from .present import changes_document
    guard_changes(file, prepared.dataset.root, drafts=(target, path))
    ds = prepared.dataset
    title = f"修改说明：{ds.pack.subject.titled(ds.config['school']['name'])}（{ds.year}）"
    meta = changelog_meta(prepared, target, path)
    if file.suffix.lower() == ".docx":
        from ..write.docx_writer import write_docx
        doc = changes_document(changes, title, meta, prepared.dataset.pack.typography)
        write_atomic(file, lambda f: write_docx(doc, f))
    else:
        text = document_markdown(changes_document(changes, title, meta)).encode("utf-8")
        write_bytes_atomic(file, text)
