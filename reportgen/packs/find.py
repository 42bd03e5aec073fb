"""Where packs live, and which folder a pack name means.

Packs are found in this order (find_pack):
  1. a folder given by path, relative to the project (report.yaml `pack: ./my-pack`);
  2. the user pack folder: $REPORTGEN_PACKS, else $XDG_DATA_HOME/reportgen/packs
     (~/.local/share/reportgen/packs);
  3. the packs built into reportgen (the top-level templates/ folder).
An installed pack may not take a built-in pack's name, so a name always means one pack.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import PackError
from ..pack import BUILTIN_PACKS


def user_pack_dir() -> Path:
    if os.environ.get("REPORTGEN_PACKS"):
        return Path(os.environ["REPORTGEN_PACKS"]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "reportgen" / "packs"


def builtin_names() -> set[str]:
    return {p.name for p in BUILTIN_PACKS.iterdir() if (p / "pack.yaml").is_file()} if BUILTIN_PACKS.is_dir() else set()



def find_pack(name: str, project_dir: Path | None = None) -> Path:
    """Resolve a pack name: a folder relative to the project, else an installed (user) pack, else a built-in one."""
    candidates = []
    if project_dir is not None:
        candidates.append(project_dir / name)
    if name and "/" not in name and "\\" not in name and not name.startswith("."):
        candidates.append(user_pack_dir() / name)
    candidates.append(BUILTIN_PACKS / name)
    for c in candidates:
        if (c / "pack.yaml").is_file():
            return c.resolve()
    known = "、".join(sorted(p.name for p in BUILTIN_PACKS.iterdir() if (p / "pack.yaml").is_file()))
    users = user_pack_dir()
    installed = "、".join(sorted(p.name for p in users.iterdir() if (p / "pack.yaml").is_file())) if users.is_dir() else ""
    raise PackError(f"找不到模板包“{name}”（内置模板包：{known}" + (f"；已安装：{installed}" if installed else "") +
                    "；查看全部：reportgen pack list）")


def uses_narrative(pack, chapter) -> bool:
    """A chapter whose template never calls narrative() (附表) is generated: nobody writes it."""
    for root in pack.search_path:
        path = Path(root) / chapter.template
        if path.is_file():
            return "narrative(" in path.read_text(encoding="utf-8")
    return True
