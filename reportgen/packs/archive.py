"""Reading a pack archive from someone else, safely.

A zip is untrusted: every member is checked *before* anything is written (paths, types, declared
sizes, compression ratios), then extraction counts the bytes it actually writes (declared sizes
can lie) and creates each file exclusively inside the destination. Any refusal is a PackArchiveError
with the member named; the caller removes the half-written destination.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import PackArchiveError, os_reason

MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 20 * 1024 * 1024      # a template, a YAML file, a reference .docx or a logo
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100                          # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024
MAX_NAME_BYTES = 200                     # one file or folder name; file systems stop at 255 bytes
MAX_PATH_CHARS = 400

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Member:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]       # the checked relative path
    is_dir: bool


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; names from Chinese Windows tools without the UTF-8 flag are GBK."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def check_members(zf: zipfile.ZipFile, what: str) -> list[Member]:
    """Every reason to refuse the archive, found before anything is extracted."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackArchiveError(f"{what} 含有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}，不像模板包，已拒绝")
    members, seen, total = [], {}, 0
    files: dict[str, str] = {}
    folders: set[str] = set()
    for info in infos:
        name = member_name(info)
        shown = f"{what} 中的“{name}”"
        if "\x00" in name or "\x00" in info.orig_filename or "\\" in name:
            raise PackArchiveError(f"{shown}：路径含有反斜杠或非法字符，已拒绝（未写入任何文件）")
        if name.startswith("/") or _DRIVE.match(name):
            raise PackArchiveError(f"{shown}：是绝对路径，会写到模板包目录之外，已拒绝（未写入任何文件）")
        parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
        if ".." in parts:
            raise PackArchiveError(f"{shown}：路径含有“..”，会写到模板包目录之外，已拒绝（未写入任何文件）")
        if not parts:
            continue
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise PackArchiveError(f"{shown}：是符号链接（可能指向模板包之外的文件），已拒绝（未写入任何文件）")
        is_dir = info.is_dir()
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR) or (kind == stat.S_IFDIR and not is_dir):
            raise PackArchiveError(f"{shown}：不是普通文件，已拒绝（未写入任何文件）")
        if info.flag_bits & 0x1:
            raise PackArchiveError(f"{shown}：已加密，无法检查，已拒绝")
        if any(len(p.encode("utf-8")) > MAX_NAME_BYTES for p in parts) or len(name) > MAX_PATH_CHARS:
            raise PackArchiveError(f"{what} 中有文件名过长的文件（“{name[:40]}…”），不像模板包，已拒绝（未写入任何文件）")
        key = "/".join(parts).casefold()
        if key in seen:
            raise PackArchiveError(f"{shown}：与“{seen[key]}”重名，已拒绝")
        seen[key] = name
        for i in range(1, len(parts)):              # every folder on the way must not also be a file
            folders.add("/".join(parts[:i]).casefold())
        if not is_dir:
            files[key] = name
        if not is_dir:
            if info.file_size > MAX_MEMBER_BYTES:
                raise PackArchiveError(f"{shown}：解压后 {_mb(info.file_size)}，超过单个文件上限 "
                                       f"{_mb(MAX_MEMBER_BYTES)}，已拒绝")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise PackArchiveError(f"{shown}：压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                                       "疑似“压缩炸弹”，已拒绝")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise PackArchiveError(f"{what} 解压后超过 {_mb(MAX_TOTAL_BYTES)}，已拒绝")
        members.append(Member(info, parts, is_dir))
    both = sorted(set(files) & folders)
    if both:
        raise PackArchiveError(f"{what} 中的“{files[both[0]]}”既是文件又是文件夹（同名冲突），不像模板包，已拒绝（未写入任何文件）")
    return members


def extract(zf: zipfile.ZipFile, members: list[Member], dest: Path, what: str) -> None:
    """Extract checked members under `dest`, counting real bytes; never overwrites, never follows links."""
    dest = dest.resolve()
    total = 0
    for m in members:
        target = dest.joinpath(*m.parts)
        if not target.resolve().is_relative_to(dest) or target.resolve() == dest:
            raise PackArchiveError(f"{what} 中的“{m.info.filename}”会写到模板包目录之外，已拒绝")
        if m.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with zf.open(m.info) as src, open(target, "xb") as out:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                total += len(chunk)
                if written > m.info.file_size or written > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                    raise PackArchiveError(f"{what} 中的“{m.info.filename}”解压后的大小与声明不符或超过上限，"
                                           "疑似“压缩炸弹”，已拒绝")
                out.write(chunk)


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise PackArchiveError(f"{path.name} 不是有效的 zip 压缩包") from None
    except OSError as e:
        raise PackArchiveError(f"无法读取 {path}：{os_reason(e)}") from None


def extract_zip(path: Path, dest: Path) -> None:
    """Check, then extract `path` into the (empty) folder `dest`."""
    with open_zip(path) as zf:
        members = check_members(zf, path.name)
        try:
            extract(zf, members, dest, path.name)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
            raise PackArchiveError(f"{path.name} 已损坏或格式不受支持：{e}") from None
        except OSError as e:
            raise PackArchiveError(f"{path.name} 无法解压：{os_reason(e)}") from None
