"""How packs move between schools: list, install, export (where they are found: packs/find.py).

Installing never writes outside the user pack folder: the archive is checked, extracted into a
temporary folder inside it, loaded and linted there, and only then renamed into place.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import (
    Location,
    PackArchiveError,
    PackError,
    Problems,
    ReportgenError,
    UsageError,
    YamlError,
    os_reason,
)
from ..fileio import exclusive, plain_file_name, write_atomic
from ..load.yaml_source import load_yaml
from ..pack import BUILTIN_PACKS
from .archive import MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_TOTAL_BYTES, extract_zip
from .find import builtin_names, find_pack, user_pack_dir
from .load import load_pack

ZIP_DATE = (2024, 1, 1, 0, 0, 0)          # fixed timestamps: the same pack gives the same archive
SKIP = {"__pycache__", ".git", ".DS_Store", "build"}


@dataclass
class PackInfo:
    name: str
    version: str
    description: str
    source: str            # 内置 | 用户
    path: Path
    extends: str = ""


def _info(path: Path, source: str) -> PackInfo:
    try:
        spec = (load_yaml(path / "pack.yaml", f"{path.name}/pack.yaml") or None)
        spec = spec.plain() if spec is not None and spec.kind == "map" else {}
    except YamlError:
        spec = {}
    return PackInfo(name=path.name, version=str(spec.get("version", "?")), description=str(spec.get("description", "")),
                    source=source, path=path, extends=str(spec.get("extends", "")))


def list_packs() -> list[PackInfo]:
    out = []
    for base, source in ((BUILTIN_PACKS, "内置"), (user_pack_dir(), "用户")):
        if base.is_dir():
            out.extend(_info(p, source) for p in sorted(base.iterdir())
                       if not p.name.startswith(".") and (p / "pack.yaml").is_file())
    return out


# ---------------------------------------------------------------- export
def export_pack(name: str, output: Path, project_dir: Path | None = None) -> tuple[Path, int, list[str]]:
    """Zip a pack as `<name>/…`; returns the archive, the number of files and notes for the user."""
    from .lint import lint_pack
    root = find_pack(name, project_dir)
    _guard_export(output, root, project_dir)
    problems = lint_pack(root)
    problems.raise_if_errors()
    files = sorted(_pack_files(root))
    if not files:
        raise PackError(f"模板包 {root.name} 中没有文件")
    notes = []
    info = _info(root, "")
    if info.extends and info.extends not in builtin_names():
        notes.append(f"此模板包继承自“{info.extends}”（extends），接收方需要先安装该模板包")

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                rel = path.relative_to(root).as_posix()
                zi = zipfile.ZipInfo(f"{root.name}/{rel}", ZIP_DATE)
                zi.external_attr = (stat.S_IFREG | 0o644) << 16
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.flag_bits |= 0x800                     # UTF-8 names
                zf.writestr(zi, path.read_bytes())
    write_atomic(output, write)
    return output, len(files), notes


def _guard_export(output: Path, root: Path, project_dir: Path | None) -> None:
    """The archive goes neither into the pack it holds nor over a project's input (a usage error at -o)."""
    from ..fileio import guard_output
    target = output.resolve()
    if target.is_relative_to(root.resolve()):
        raise UsageError(f"导出的模板包“{output}”位于模板包 {root.name} 的文件夹之内，不能写入；请写到该文件夹之外",
                         Location("-o/--output"))
    project = project_dir if project_dir is not None and (project_dir / "report.yaml").is_file() else None
    guard_output(output, project, "导出的模板包")


def _pack_files(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP and not d.startswith("."))
        for fn in filenames:
            p = Path(dirpath) / fn
            if fn.startswith(".") or p.is_symlink() or not p.is_file():
                continue
            yield p


# ---------------------------------------------------------------- install
@dataclass
class Installed:
    name: str
    version: str
    path: Path
    replaced: bool
    warnings: Problems


def install_pack(source: Path, force: bool = False) -> Installed:
    """Install a pack archive (.zip) or folder into the user pack folder."""
    try:
        return _install(source, force)
    except ReportgenError as e:
        if e.location is None:
            e.location = Location(str(source))       # every refusal says which archive it is about
        raise


def _install(source: Path, force: bool) -> Installed:
    from .lint import lint_pack
    if not source.exists():
        raise UsageError(f"找不到 {source}")
    if source.is_file() and source.suffix.lower() != ".zip":
        raise UsageError(f"{source.name} 不是 .zip 压缩包或模板包文件夹")
    base = user_pack_dir()
    if base.exists() and not base.is_dir():
        raise UsageError("用户模板包文件夹的位置上是一个同名文件，不是文件夹；请移走该文件，或用环境变量 REPORTGEN_PACKS "
                         "指定另一个文件夹", Location(str(base)))
    created = not base.exists()
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".install-", dir=base))
    except OSError as e:
        raise UsageError(f"无法在模板包文件夹 {base} 中安装：{os_reason(e)}") from None
    installed = False
    try:
        # unpacked under a name no pack can have (names cannot start with "."), so that renaming the
        # pack's folder to its declared name never meets the folder it came from (a pack named "archive")
        staged = tmp / ".staged"
        if source.is_dir():
            staged = staged / (source.resolve().name or "pack")
            _copy_dir(source, staged)
        else:
            staged.mkdir()
            extract_zip(source, staged)
        root = _pack_root(staged, source.name)
        shown = Path(source.name).stem if root == staged else root.name
        named = tmp / _declared_name(root, shown)      # folder named after the pack, for labels and lookups
        root.rename(named)
        root = named
        problems = lint_pack(root)
        problems.raise_if_errors()
        pack = load_pack(root)
        name = pack.name
        if name in builtin_names():
            raise PackError(f"模板包名称“{name}”与内置模板包相同，不能安装；请在 pack.yaml 中改用其他名称"
                            f"（可用 extends: {name} 继承内置模板包）", Location(f"{root.name}/pack.yaml"))
        with exclusive(base, waiting="另一个安装正在进行，等待其完成……"):
            done = _move_into_place(root, base / name, tmp, force, pack, problems)
        installed = True
        return done
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created and not installed:
            _remove_if_empty(base)               # a failed first install leaves no packs folder behind


def _move_into_place(root: Path, dest: Path, tmp: Path, force: bool, pack, problems: Problems) -> Installed:
    """Rename the checked pack to its place; under the install lock, so two installs never interleave."""
    name = pack.name
    try:
        replaced = dest.exists()
        if replaced and not force:
            raise UsageError(f"已安装同名模板包“{name}”（{dest}）；如需替换，请加 --force")
        if replaced:
            old = tmp / ".replaced"
            dest.rename(old)
            try:
                root.rename(dest)
            except OSError:
                old.rename(dest)           # put the previous version back
                raise
        else:
            root.rename(dest)
    except OSError as e:
        raise PackError(f"无法把模板包“{name}”安装到 {dest}：{os_reason(e)}") from None
    return Installed(name, pack.version, dest, replaced, problems)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass                                     # another install put something there meanwhile


def _declared_name(root: Path, shown: str) -> str:
    try:
        node = load_yaml(root / "pack.yaml", f"{shown}/pack.yaml")
    except YamlError as e:
        raise PackError(e.message, e.location) from None
    name = node.plain().get("name") if node is not None and node.kind == "map" else None
    if not isinstance(name, str) or not name or name.startswith(".") or plain_file_name(name):
        raise PackError("pack.yaml 缺少有效的 name（模板包名称）", Location(f"{shown}/pack.yaml"))
    return name


def _pack_root(staged: Path, what: str) -> Path:
    if (staged / "pack.yaml").is_file():
        return staged
    subs = [p for p in staged.iterdir() if p.is_dir() and (p / "pack.yaml").is_file()]
    if len(subs) == 1:
        return subs[0]
    if subs:
        raise PackError(f"{what} 中有 {len(subs)} 个含 pack.yaml 的顶层文件夹（{'、'.join(sorted(p.name for p in subs))}），"
                        "一次只能安装一个模板包：请分别打包或逐个文件夹安装")
    raise PackError(f"{what} 中没有找到 pack.yaml（应在压缩包根目录或唯一的顶层文件夹中）")


def _copy_dir(src: Path, dest: Path) -> None:
    """Copy a pack folder, refusing what an archive would be refused for (links, sizes)."""
    src = src.resolve()
    total = count = 0
    for dirpath, dirnames, filenames in os.walk(src):
        d = Path(dirpath)
        dirnames[:] = [x for x in dirnames if x not in SKIP]
        for name in dirnames + filenames:
            p = d / name
            rel = p.relative_to(src).as_posix()
            if p.is_symlink():
                raise PackArchiveError(f"{src.name} 中的“{rel}”是符号链接（可能指向模板包之外的文件），已拒绝")
        for name in filenames:
            p = d / name
            rel = p.relative_to(src)
            if not p.is_file():
                raise PackArchiveError(f"{src.name} 中的“{rel.as_posix()}”不是普通文件，已拒绝")
            size = p.stat().st_size
            count, total = count + 1, total + size
            if size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES or count > MAX_MEMBERS:
                raise PackArchiveError(f"{src.name} 过大（文件数或大小超过上限），不像模板包，已拒绝")
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, target, follow_symlinks=False)


def uninstall_pack(name: str) -> Path:
    dest = user_pack_dir() / name
    if "/" in name or name.startswith(".") or not (dest / "pack.yaml").is_file():
        raise UsageError(f"没有安装名为“{name}”的模板包（内置模板包不能卸载）")
    shutil.rmtree(dest)
    return dest

