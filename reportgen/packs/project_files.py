"""What `reportgen init` writes differently for packs beyond the 2024 frame, and the pack's suggested departments.

report.yaml gets the school fields the pack declares (`school_fields`, e.g. 性质 / 举办者 / 办学地点
for the 中职 学校基本情况一览表, 会议地点 for a 职教集团 report), each with its help as a comment;
its `level` line names the pack's first level (or its wording's level_name) and disappears for
packs that have no levels at all.
"""
from __future__ import annotations

import re

from ..load.yaml_source import load_yaml

DEPARTMENTS_FILE = "departments.yaml"     # the pack's suggested `departments:` (who writes what), see departments/


def adapt_report(text: str, pack) -> str:
    fields = getattr(pack, "school_fields", {}) or {}
    if fields:
        lines = "".join(f"  {key}: 【{_short(help_)}】".ljust(30) + f"# {help_}\n" for key, help_ in fields.items())
        text = re.sub(r"(?m)^(  name: .*\n)", lambda m: m.group(1) + lines, text, count=1)
    level = _default_level(pack)
    if level is None:
        text = re.sub(r"(?m)^level: .*\n", "", text, count=1)
    else:
        text = re.sub(r"(?m)^level: \S+", f"level: {level}", text, count=1)
    return text


def _default_level(pack) -> str | None:
    levels = getattr(pack, "levels", {}) or {}
    if levels:
        key, aliases = next(iter(levels.items()))
        return aliases[0] if aliases else key
    wording = getattr(pack, "wording", {}) or {}
    name = (wording.get("*") or {}).get("level_name")
    return name or None


def _short(help_: str) -> str:
    return re.split(r"[，,（(]", help_, maxsplit=1)[0]


def default_assignment_text(pack) -> str:
    """The pack's suggested `departments:` block for a new report.yaml ("" when the pack has none).

    Ids the effective pack lacks (a pack extending this one may remove a chapter or a table) are left out."""
    path = pack.template_path(DEPARTMENTS_FILE)
    if not path.is_file():
        return ""
    # a pack may come from elsewhere: its file is read through the same bounded reader as its other files
    node = load_yaml(path, pack.file_label(DEPARTMENTS_FILE))
    head = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line.startswith("#")]
    spec = (node.plain() if node is not None else None) or {}
    chapters = {ch.id: {s.id for s in ch.sections} for ch in pack.chapters}
    groups = {g for a in pack.appendix for g in (a.id, a.title)}
    valid = {"sections": lambda s: s in chapters or s.partition("/")[2] in chapters.get(s.partition("/")[0], ()),
             "tables": lambda t: t in pack.tables,
             "indicators": lambda n: n in pack.indicators or n in groups}
    lines = head + ["departments:"]
    for name, entry in spec.items():
        kept = {k: [str(x) for x in (entry or {}).get(k) or [] if ok(str(x))] for k, ok in valid.items()}
        if not any(kept.values()):
            continue
        lines.append(f"  {name}:")
        lines += [f"    {k}: [{', '.join(v)}]" for k, v in kept.items() if v]
        lines += ["    deadline:", '    contact: ""']
    return "\n" + "\n".join(lines) + "\n"
