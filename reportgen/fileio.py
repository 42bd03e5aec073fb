"""Writing files so that nothing is lost: every output goes through `write_atomic`.

A file is written beside its target under a temporary name, flushed to disk, given the old file's
permissions and renamed over the target: a failed or interrupted write leaves the previous file intact.
"""
from __future__ import annotations

import os
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from .errors import WriteError, os_reason


def write_atomic(path: Path, write) -> None:
    """Write to a temporary file beside `path`, then rename: a failure leaves the old file intact."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise WriteError(f"无法在 {path.parent} 中写入文件：{os_reason(e)}（请换一个有写入权限的文件夹）") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except PermissionError:
        _discard(tmp)
        raise WriteError(f"无法写入 {path}：文件可能正在 Word/WPS 中打开，请关闭后重试") from None
    except OSError as e:
        _discard(tmp)
        raise WriteError(f"无法写入 {path}：{os_reason(e)}") from None
    except BaseException:
        _discard(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_atomic(path, lambda f: f.write(data))


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- where outputs may go
# A project's inputs: report.yaml, its data, narrative, images and pack overlay. Outputs go to build/
# (or to a path the user names): nothing reportgen writes may land on an input, or on a draft it has
# promised to keep, and a name that comes from data (a school name, report.yaml `output:`) is a plain
# file name that cannot climb out of its folder.
INPUT_NAMES = {"report.yaml", "data", "narrative", "images", "pack", "returns"}   # returns/: files kept as they came
OUTPUT_DIR = "build"
MAX_NAME_BYTES = 200                    # file systems allow 255 bytes; leave room for ".manifest.json"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_UNSAFE_CHARS = '<>:"/\\|?*'


def guard_output(path: Path, project: Path | None, what: str, keep: tuple[Path, ...] = (),
                 option: str = "-o/--output", folder: bool = False) -> None:
    """Refuse (a usage error located at the option, before any work) to write `path` when it is an input of
    `project`, one of `keep` (the workbook read, a draft the run will not overwrite), or a folder."""
    from .errors import Location, UsageError
    where = Location(option)
    target = _real(path)
    if target.is_dir() and not folder:
        raise UsageError(f"{what}“{path}”是一个文件夹，请给出文件名", where)
    for k in keep:
        if k is not None and _real(k) == target:
            raise UsageError(f"{what}“{path}”正是本次要读取或保留的文件（{k.name}），不能覆盖它；请换一个文件名", where)
    if project is not None and project_input(target, project):
        raise UsageError(f"{what}“{path}”是项目的输入{'文件夹' if folder else '文件'}（或位于 data/、narrative/、images/ 等输入文件夹中），"
                         f"不能写入；请写到项目的 {OUTPUT_DIR}/ 文件夹或项目之外", where)


INPUT_SUFFIXES = {".yaml", ".yml", ".xlsx", ".xlsm", ".md"}


def project_input(path: Path, project: Path) -> bool:
    """Is `path` (resolved) an input of the project: in an input folder, or an existing data file (YAML, a
    workbook, Markdown) elsewhere in the project outside build/?"""
    root = _real(project)
    if not path.is_relative_to(root) or path == root:
        return False
    rel = path.relative_to(root)
    if rel.parts[0] == OUTPUT_DIR:
        return False
    if rel.parts[0] in INPUT_NAMES:
        return True
    return path.exists() and path.suffix.lower() in INPUT_SUFFIXES


def guard_changes(path: Path, project: Path, drafts: tuple[Path | None, ...] = ()) -> None:
    """--changes: never an input, never a draft (one reportgen wrote has a manifest beside it, and a
    hand-edited one is exactly what must be kept)."""
    from .errors import Location, UsageError
    guard_output(path, project, "修改说明", keep=tuple(d for d in drafts if d is not None), option="--changes")
    target = _real(path)
    if target.suffix.lower() == ".docx" and target.with_suffix(".manifest.json").exists():
        raise UsageError(f"“{path}”是 reportgen 生成的初稿（旁边有 {target.stem}.manifest.json），可能已被手工修改，"
                         "不能用修改说明覆盖；请换一个文件名，如 修改说明.docx", Location("--changes"))


def plain_file_name(name: str) -> str | None:
    """Why `name` cannot be a file name inside an output folder, or None when it can."""
    if not name or name.strip() != name or name in (".", ".."):
        return "文件名为空，或以空格开头或结尾"
    if "/" in name or "\\" in name or "\0" in name:
        return "文件名中不能含有路径（/ 或 \\）"
    if any(ord(c) < 32 for c in name):
        return "文件名中含有控制字符"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return "文件名过长"
    return None


def safe_file_name(name: str, fallback: str = "report") -> str:
    """A file name made from data (a school's name): path separators, characters Windows refuses, control
    and invisible characters, trailing dots and spaces and reserved device names (CON, NUL …) removed."""
    # control, format (bidi overrides, zero-width), surrogate and unassigned characters go; the rest stays
    text = "".join(c for c in name if unicodedata.category(c)[0] != "C" or c == " ")
    text = "".join("_" if c in _UNSAFE_CHARS else c for c in text)
    text = text.strip().rstrip(". ").lstrip(". ") or fallback
    stem = text.split(".")[0].strip().upper()
    if stem in _WINDOWS_RESERVED:
        text = "_" + text
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    return text


def _real(path: Path) -> Path:
    """The absolute path with its folder's links resolved (the file itself may not exist yet)."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name


# ---------------------------------------------------------------- one build of a target at a time
@contextmanager
def exclusive(folder: Path, waiting: str | None = None):
    """Hold an exclusive lock on `folder` (flock on the folder itself: no lock file is left behind) for
    the block; another process asking for it waits. `waiting`, if given, is printed when it has to wait."""
    import fcntl
    import sys
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise WriteError(f"无法锁定文件夹 {folder}：{os_reason(e)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                print(waiting, file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)            # closing releases the lock
