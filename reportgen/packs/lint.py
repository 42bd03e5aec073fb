"""`reportgen pack check`: everything that can be known about a pack without a school's data."""
from __future__ import annotations

from pathlib import Path

from ..errors import Problems, ReportgenError


def lint_pack(root: Path) -> Problems:
    """All problems of the pack at `root` (errors and warnings), located."""
    from ..pack import load_pack
    problems = Problems()
    try:
        load_pack(root)
    except ReportgenError as e:
        problems.extend(e.problems())
    return problems


def lint_target(target: Path) -> tuple[str, Problems]:
    """Lint a pack folder, a .zip archive (checked and unpacked into a temporary folder) or a pack name."""
    import shutil
    import tempfile

    from ..pack import find_pack
    from .archive import extract_zip
    if target.is_file() and target.suffix.lower() == ".zip":
        tmp = Path(tempfile.mkdtemp(prefix="reportgen-check-"))
        try:
            extract_zip(target, tmp)
            subs = [p for p in tmp.iterdir() if p.is_dir() and (p / "pack.yaml").is_file()]
            root = tmp if (tmp / "pack.yaml").is_file() else (subs[0] if len(subs) == 1 else None)
            if root is None:
                from ..pack import PackError
                raise PackError(f"{target.name} 中没有找到 pack.yaml（应在压缩包根目录或唯一的顶层文件夹中）")
            return root.name, lint_pack(root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    root = target if (target / "pack.yaml").is_file() else find_pack(str(target))
    return root.name, lint_pack(root)
