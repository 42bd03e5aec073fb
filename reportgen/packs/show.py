"""`reportgen pack show`: the effective pack of a project or pack folder, and where each part comes from.

Every merged YAML node keeps the file and line it was read from, so provenance needs no
bookkeeping of its own: a setting, a chapter key, a table or an indicator is shown with the
layer file that gave it.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import Location, PackError, Problems, YamlError
from ..load.yaml_source import load_yaml
from ..pack import BUILTIN_PACKS, Pack
from ..render.numbering import chinese_number
from . import aggregate
from .find import find_pack, user_pack_dir
from .inherit import merged_node
from .load import load_pack, project_pack


def effective_pack(target: Path) -> tuple[Pack, str]:
    """The pack a project would use, or the pack at a folder or of a name; and what was asked for."""
    if (target / "report.yaml").is_file():
        try:
            node = load_yaml(target / "report.yaml", "report.yaml")
        except YamlError as e:
            raise PackError(e.message, e.location) from None
        config = node.plain() if node is not None and node.kind == "map" else {}
        return project_pack(target, config, Problems()), f"项目 {target}"
    root = target if (target / "pack.yaml").is_file() else find_pack(str(target))
    return load_pack(root), f"模板包 {root}"


def _where(loc: Location | None) -> str:
    if loc is None:
        return ""
    return f"{loc.file}:{loc.line}" if loc.line else loc.file


def _source(root: Path) -> str:
    root = root.resolve()
    if root.is_relative_to(BUILTIN_PACKS.resolve()):
        return "内置"
    if root.is_relative_to(user_pack_dir().resolve()):
        return "已安装"
    return "文件夹"


def show_text(target: Path) -> str:
    pack, asked = effective_pack(target)
    merged = merged_node(pack.layers, Problems())
    base_files = {pack.layers[-1].root.name} if pack.layers else set()
    return "\n".join([*_heading(pack, asked), *_layer_lines(pack), *_setting_lines(pack, merged, base_files),
                      *_chapter_lines(pack, merged, base_files), *_part_lines(pack, base_files)])


def _heading(pack: Pack, asked: str) -> list[str]:
    return [f"生效的模板包：{pack.name} {pack.version}（{asked}）"] + ([f"  {pack.description}"] if pack.description else [])


def _layer_lines(pack: Pack) -> list[str]:
    out = ["查找顺序（靠前的优先；文件与设置取第一个提供它的层）："]
    for i, layer in enumerate(pack.layers, start=1):
        kind = "项目覆盖" if layer.kind == "project" else _source(layer.root)
        ext = layer.node.get("extends")
        via = f"，继承 {ext.value}" if ext is not None and layer.kind == "pack" else ""
        out.append(f"  {i}. {layer.label if layer.kind == 'pack' else '项目 pack/ 文件夹'}  [{kind}{via}]  {layer.root}")
    return out


def _setting_lines(pack: Pack, merged, base_files: set[str]) -> list[str]:
    out = ["设置："]
    for key, node in merged.value.items():
        if key in ("chapters", "name", "version", "description", "extends"):
            continue
        if node.kind == "map":
            inherited = [k for k, v in node.value.items() if v.loc.file.split("/")[0] in base_files]
            for k, v in node.value.items():
                if len(node.value) > 6 and k in inherited:
                    continue
                if v.kind == "map" and v.value and all(r.kind == "map" for r in v.value.values()):
                    # records (typography.headings): each with the layer that last changed it
                    out += [f"  {key}.{k}.{n} = {_short(r.plain())}  ← {_where(r.loc)}" for n, r in v.value.items()]
                else:
                    out.append(f"  {key}.{k} = {_short(v.plain() if v.kind != 'map' else '…')}  ← {_where(v.loc)}")
            if len(node.value) > 6 and inherited:
                out.append(f"  {key}：其余 {len(inherited)} 项 ← {pack.layers[-1].root.name}/pack.yaml")
        else:
            out.append(f"  {key} = {_short(node.plain())}  ← {_where(node.loc)}")
    return out


def _chapter_lines(pack: Pack, merged, base_files: set[str]) -> list[str]:
    out = [f"章节（{len(pack.chapters)} 个）："]
    chapters = {n.get("id").value: n for n in merged.get("chapters").value} if merged.get("chapters") else {}
    n = 0
    for ch in pack.chapters:
        n += ch.numbered
        label = f"{chinese_number(n)}、" if ch.numbered else ""
        node = chapters.get(ch.id)
        title_from = _where(node.get("title").loc) if node is not None and node.get("title") is not None else ""
        out.append(f"  {label}{ch.title}  [{ch.id}]  模板 {pack.file_label(ch.template)}  标题 ← {title_from}")
        titled = 0
        for s in ch.sections:          # the structure a project's narrative/ follows: one file per section
            titled += bool(s.title)
            out.append(f"    {f'（{chinese_number(titled)}）{s.title}' if s.title else '（无标题）'}  [{s.id}]")
        if node is not None and node.get("sections") is not None:
            origins = Counter(s.loc.file for s in node.get("sections").value)
            changed = [f for f in origins if f.split("/")[0] not in base_files]
            if changed:
                out.append(f"      小节 {len(ch.sections)} 个，其中来自 {'、'.join(changed)} 的有 "
                           f"{sum(origins[f] for f in changed)} 个")
    return out


def _part_lines(pack: Pack, base_files: set[str]) -> list[str]:
    if aggregate.is_aggregate_pack(pack):
        return _aggregate_lines(pack)
    out: list[str] = []
    _parts(out, "明细表", {t.id: (t.title, t.loc) for t in pack.tables.values()}, base_files, listing=True)
    _parts(out, "指标", {d.name: ("", d.loc) for d in pack.indicators.values()}, base_files, listing=False)
    _parts(out, "附表", {a.id: (a.title, a.loc) for a in pack.appendix}, base_files, listing=True)
    for items, what in ((pack.charts.values(), "图表"), (pack.checks, "检查"), (pack.standards, "标准")):
        files = Counter(v.loc.file for v in items)
        if files:
            out.append(f"{what}（{sum(files.values())} 项）：" + "；".join(f"{f} {c} 项" for f, c in files.items()))
    return out


def _aggregate_lines(pack: Pack) -> list[str]:
    """An aggregate pack has no tables or indicators of its own: what it sums, ranks and lists over the schools'."""
    problems = Problems()
    agg = aggregate.read_aggregate(pack, problems)
    if agg is None:
        return ["汇总设置（aggregate.yaml）有误：" + "；".join(f"{p.location}：{p.message}" for p in problems.errors)]
    return [f"汇总模板包：汇总按模板包“{agg.base.name}”填报的各校数据，报告题目“{agg.title}”",
            f"汇总的指标（{len(agg.statistics)} 项）：" + "、".join(r.name + ("" if r.sum else "（不求和）") for r in agg.statistics),
            f"排名（{len(agg.rankings)} 项）：" + "；".join(f"{r.id} {r.title}" + (f"（前 {r.top} 名）" if r.top else "")
                                                  for r in agg.rankings),
            f"各校指标一览的列（{len(agg.appendix)} 项）：" + "、".join(agg.appendix)]


def _parts(out: list[str], what: str, items: dict, base_files: set[str], listing: bool) -> None:
    files = Counter(loc.file for _, loc in items.values())
    out.append(f"{what}（{len(items)} 项）：" + "；".join(f"{f} {c} 项" for f, c in files.items()))
    for key, (title, loc) in items.items():
        overridden = loc.file.split("/")[0] not in base_files
        if listing or overridden:
            mark = "  （覆盖或新增）" if overridden and len(files) > 1 else ""
            out.append(f"  {key}" + (f"  {title}" if title else "") + f"  ← {_where(loc)}{mark}")


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
