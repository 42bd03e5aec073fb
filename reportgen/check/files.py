"""Files in the project folder that no stage reads: a workbook left beside report.yaml is data the
draft does not have ("获奖 0 项" while 数据填报.xlsx sits there), so it is said, never passed over."""
from __future__ import annotations

from pathlib import Path

from ..errors import Location, Problems

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et"}
UNREAD_WORD = "项目文件夹中的工作簿"     # how check --final recognises the warning
PLACES = (".", "data")            # where a school puts its workbook; build/ and returns/ are the tool's own


def unread_workbooks(root: Path, read: list[Path]) -> list[Path]:
    """Workbooks in the project folder (or data/) that are neither report.yaml's `workbook:` nor --workbook."""
    taken = {_same(p) for p in read}
    found = []
    for place in PLACES:
        folder = root / place
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".")) and p.is_file() \
                    and _same(p) not in taken:
                found.append(p)
    return found


def warn_unread_workbooks(root: Path, read: list[Path], problems: Problems) -> None:
    for p in unread_workbooks(root, read):
        rel = p.relative_to(root).as_posix()
        problems.warning(f"{UNREAD_WORD}“{rel}”没有被读取，其中的数据不在初稿中；若是本年度数据，"
                         f"在 report.yaml 中写 workbook: {rel}（或运行时加 --workbook {rel}）；不需要的请移出项目文件夹",
                         Location(rel))


def _same(p: Path):
    try:
        return p.resolve()
    except OSError:
        return p.absolute()
