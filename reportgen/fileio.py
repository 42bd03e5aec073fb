"""Writing files so that nothing is lost: every output goes through `write_atomic`.

A file is written beside its target under a temporary name, flushed to disk, given the old file's
permissions and renamed over the target: a failed or interrupted write leaves the previous file intact.
"""
from __future__ import annotations

import os
import tempfile
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
