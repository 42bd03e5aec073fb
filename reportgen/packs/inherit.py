"""Inheritance: a pack (or a project) overrides only what differs from the pack it extends.

Resolution order, nearest first — the first layer that has a thing wins:

  1. the project's own `pack/` folder, when report.yaml says `extends: <pack>` instead of `pack:`
     (an optional pack.yaml with only the keys that change, plus any template or part file);
  2. the pack named in report.yaml (`pack:` or `extends:`);
  3. the pack that one extends (`extends:` in its pack.yaml), then its parent, and so on.

How layers combine:
  - files (chapter templates, includes): the nearest layer holding the file serves it;
  - pack.yaml scalars (name, version, numbering, toc, default_template …): nearest wins;
  - cover, typography, levels, wording, school_fields: merged key by key, nearest wins; typography's
    heading records level by level and key by key (packs/typography.py reads them, checked, from each layer);
  - chapters: merged by id — an entry with a known id changes only the keys it gives (title,
    template, numbered, sections …; sections merge by id the same way), `remove: true` drops it,
    a new id is added at the end or where `before:` / `after:` says;
  - part files (tables, indicators, appendix, charts, checks, thresholds): every layer's file is
    read and checked on its own, then merged — maps by key (a table or indicator of the same name
    replaces the parent's), lists by `id` (replaced in place, new ones appended).

`extends:` names a pack (user packs, then built-in ones) or a folder inside the extending pack's own
folder; a path that leads anywhere else (absolute, `../`, a symlink out) is refused.
"""
from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import Location, PackError, Problems, YamlError
from ..load.schema import validate_node
from ..load.yaml_source import YNode, load_yaml
from ..pack import Subject
from .find import find_pack

MAX_DEPTH = 8
MERGED_MAPS = ("cover", "typography", "levels", "wording", "school_fields")
LIST_CONTROL = ("remove", "before", "after")
OVERLAY_DIR = "pack"


@dataclass
class Layer:
    root: Path
    node: YNode                # its pack.yaml (an empty map when a project's pack/ folder has none)
    kind: str                  # "project" | "pack"

    @property
    def label(self) -> str:
        if self.kind == "project":
            return f"项目覆盖（{self.root}）"
        spec = self.node.plain()
        return f"{spec.get('name', self.root.name)} {spec.get('version', '')}".strip()

    def file(self, rel: str) -> str:
        return f"{self.root.name}/{rel}"


# the layers of the pack load_pack is reading now (per thread: part files are looked up through them)
_ACTIVE: ContextVar[list | None] = ContextVar("reportgen_pack_layers", default=None)


# ---------------------------------------------------------------- reading the layers
def read_layers(root: Path, overlay: Path | None, problems: Problems) -> list[Layer]:
    """The layers of a pack, nearest first; each pack.yaml is read and checked on its own."""
    layers: list[Layer] = []
    if overlay is not None and overlay.is_dir():
        node = _read(overlay, problems, required=False)
        if node is not None:
            if node.get("extends") is not None:
                problems.error("项目 pack/ 文件夹中的 pack.yaml 不要写 extends：基础模板包在 report.yaml 的 extends 中指定",
                               node.get("extends").loc)
            _validate(node, overlay, problems, overlay=True)
            layers.append(Layer(overlay.resolve(), node, "project"))
    seen: list[Path] = []
    current: Path | None = root.resolve()
    while current is not None:
        if current in seen:
            problems.error("模板包的 extends 形成循环：" + " → ".join(p.name for p in seen + [current]),
                           Location(f"{current.name}/pack.yaml"))
            break
        if len(seen) >= MAX_DEPTH:
            problems.error(f"模板包的 extends 层数超过 {MAX_DEPTH} 层", Location(f"{current.name}/pack.yaml"))
            break
        seen.append(current)
        node = _read(current, problems, required=True)
        if node is None or not _validate(node, current, problems, overlay=False):
            break
        _check_requires(node, current, problems)
        layers.append(Layer(current, node, "pack"))
        current = _parent(node, current, problems)
    _ACTIVE.set(layers)
    return layers


def _read(root: Path, problems: Problems, required: bool) -> YNode | None:
    label = f"{root.name}/pack.yaml"
    if not (root / "pack.yaml").is_file():
        if required:
            problems.error("模板包缺少 pack.yaml", Location(label))
            return None
        return YNode("map", {}, Location(label))
    try:
        node = load_yaml(root / "pack.yaml", label)
    except YamlError as e:
        problems.error(e.message, e.location)
        return None
    for w in node.warnings if node is not None else ():
        problems.warning(w.message, w.location)
    if node is None:
        return YNode("map", {}, Location(label)) if not required else _empty(label, problems)
    if node.kind != "map":
        problems.error("pack.yaml 应为“键: 值”的映射", node.loc)
        return None
    return node


def _empty(label: str, problems: Problems):
    problems.error("pack.yaml 是空文件", Location(label))
    return None


def _validate(node: YNode, root: Path, problems: Problems, overlay: bool) -> bool:
    if overlay:       # a project's overlay needs no name or version: it is checked as an extending pack
        extra = {"name": "project", "version": "0", "extends": "-"}
        node = YNode("map", {**{k: YNode("scalar", v, node.loc) for k, v in extra.items()}, **node.value}, node.loc)
    return validate_node(node, "pack", f"{root.name}/pack.yaml", problems)


def _parent(node: YNode, root: Path, problems: Problems) -> Path | None:
    ext = node.get("extends")
    if ext is None:
        return None
    name = str(ext.value)
    if "/" in name or "\\" in name or name.startswith(".") or Path(name).is_absolute():
        # a path names a folder inside this pack only: a pack from another school must not make a layer
        # (and so a template source) of any other folder on the computer
        target = (root / name).resolve()
        if not target.is_relative_to(root) or target == root:
            problems.error(f"extends 的“{name}”指向本模板包文件夹之外：extends 只能写模板包名称（已安装或内置），"
                           "或本模板包内的子文件夹（如 ./base）", ext.loc)
            return None
        if (target / "pack.yaml").is_file():
            return target
        problems.error(f"extends 指向的文件夹 {name} 中没有 pack.yaml", ext.loc)
        return None
    try:
        return find_pack(name)
    except PackError as e:
        problems.error(f"extends：{e.message}", ext.loc)
        return None


def _check_requires(node: YNode, root: Path, problems: Problems) -> None:
    req = node.get("requires")
    if req is None:
        return
    ok = version_satisfies(__version__, str(req.value))
    if ok is None:
        problems.error(f"requires 的写法“{req.value}”无法识别（应如 \">=0.1\" 或 \">=0.1,<2\"）", req.loc)
    elif not ok:
        problems.error(f"模板包 {root.name} 需要 reportgen {req.value}，当前版本为 {__version__}；"
                       "请升级 reportgen 或使用与之匹配的模板包版本", req.loc)


_CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|~=|>|<|=)?\s*(\d+(?:\.\d+)*)\s*$")


def _vt(text: str) -> tuple[int, ...]:
    parts = [int(x) for x in text.split(".")]
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def version_satisfies(version: str, spec: str) -> bool | None:
    """True/False for a spec like ">=0.1,<2"; None when the spec cannot be read."""
    have = _vt(re.match(r"\d+(?:\.\d+)*", version).group(0))
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        m = _CLAUSE.match(clause)
        if not m:
            return None
        op, want = m.group(1) or "==", _vt(m.group(2))
        if op == "~=":
            n = len(m.group(2).split("."))
            upper = list(_vt(m.group(2))[:max(n - 1, 1)])
            upper[-1] += 1
            ok = have >= want and have < _vt(".".join(map(str, upper)))
        else:
            ok = {">=": have >= want, "<=": have <= want, ">": have > want, "<": have < want,
                  "==": have == want, "=": have == want, "!=": have != want}[op]
        if not ok:
            return False
    return True


# ---------------------------------------------------------------- merging pack.yaml
def merged_node(layers: list[Layer], problems: Problems) -> YNode:
    result = layers[-1].node
    for layer in reversed(layers[:-1]):
        result = _merge_spec(result, layer.node, problems)
    return result


def _merge_spec(base: YNode, child: YNode, problems: Problems) -> YNode:
    items = dict(base.value)
    for key, cnode in child.value.items():
        bnode = items.get(key)
        if key == "chapters" and bnode is not None and bnode.kind == cnode.kind == "seq":
            items[key] = merge_by_id(bnode, cnode, problems, nested="sections", what="章节")
        elif key in MERGED_MAPS and bnode is not None and bnode.kind == cnode.kind == "map":
            items[key] = _merge_map(bnode, cnode, deep=key == "typography")
        else:
            items[key] = cnode
    return YNode("map", items, base.loc)


def _merge_map(bnode: YNode, cnode: YNode, deep: bool) -> YNode:
    """Key by key, nearest wins; `deep` merges maps inside the same way (typography's heading records, as
    packs/typography.py reads them, so that `pack show` shows what the loader uses)."""
    items = dict(bnode.value)
    for key, cvalue in cnode.value.items():
        bvalue = items.get(key)
        nested = deep and bvalue is not None and bvalue.kind == cvalue.kind == "map"
        items[key] = _merge_map(bvalue, cvalue, deep) if nested else cvalue
    return YNode("map", items, cnode.loc)


def merge_by_id(bnode: YNode, cnode: YNode, problems: Problems, nested: str | None = None, what: str = "项") -> YNode:
    """Merge two lists of {id: …} maps: known ids are patched (or removed), new ones inserted."""
    out: list[YNode] = list(bnode.value)

    def index(iid):
        return next((i for i, n in enumerate(out) if _id(n) == iid), None)

    for item in cnode.value:
        iid = _id(item)
        if iid is None:
            out.append(item)
            continue
        at = index(iid)
        if _flag(item, "remove"):
            if at is None:
                problems.error(f"要删除的{what}“{iid}”在所继承的模板包中不存在", item.loc)
            else:
                out.pop(at)
            continue
        if at is not None:
            merged = dict(out[at].value)
            for k, v in item.value.items():
                if k == nested and k in merged and merged[k].kind == v.kind == "seq":
                    merged[k] = merge_by_id(merged[k], v, problems, what="小节")
                elif k not in LIST_CONTROL:
                    merged[k] = v
            new = YNode("map", merged, item.loc)
            if item.get("before") is None and item.get("after") is None:
                out[at] = new
                continue
            out.pop(at)
        else:
            new = YNode("map", {k: v for k, v in item.value.items() if k not in LIST_CONTROL}, item.loc)
        anchor = item.get("before") or item.get("after")
        if anchor is None:
            out.append(new)
            continue
        pos = index(anchor.value)
        if pos is None:
            problems.error(f"{'before' if item.get('before') else 'after'}: 找不到{what}“{anchor.value}”", anchor.loc)
            out.append(new)
        else:
            out.insert(pos if item.get("before") is not None else pos + 1, new)
    return YNode("seq", out, cnode.loc)


def _id(node: YNode):
    n = node.get("id") if node.kind == "map" else None
    return n.value if n is not None else None


def _flag(node: YNode, key: str) -> bool:
    n = node.get(key)
    return bool(n is not None and n.value is True)


# ---------------------------------------------------------------- part files and templates
def part_node(root: Path, rel: str, schema_name: str, problems: Problems) -> YNode | None:
    """One part (tables, indicators, appendix, charts …) merged from every layer that declares it.

    Each layer's file is loaded and validated on its own so problems keep their file and line."""
    sources = _part_sources(root, rel, schema_name)
    nodes = []
    for lroot, lrel, label, decl in sources:
        path = (lroot / lrel).resolve()
        if not path.is_relative_to(lroot.resolve()) or not path.is_file():
            problems.error(f"pack.yaml 引用的文件 {lrel} 不存在", decl or Location(f"{lroot.name}/pack.yaml"))
            continue
        try:
            node = load_yaml(path, label)
        except YamlError as e:
            problems.error(e.message, e.location)
            continue
        for w in node.warnings if node is not None else ():
            problems.warning(w.message, w.location)
        if node is None or not validate_node(node, schema_name, label, problems):
            continue
        nodes.append(node)
    if not nodes:
        return None
    return merge_parts(nodes, problems)


def _part_sources(root: Path, rel: str, key: str):
    active = _ACTIVE.get()
    layers = active if active and active[0].root == root.resolve() else None
    if not layers:
        return [(root, rel, f"{root.name}/{rel}", None)]
    out = []
    for layer in reversed(layers):                   # base first, so nearer layers override
        n = layer.node.get(key)
        if n is not None and isinstance(n.value, str) and n.value:
            out.append((layer.root, n.value, layer.file(n.value), n.loc))
    return out


def merge_parts(nodes: list[YNode], problems: Problems) -> YNode:
    result = nodes[0]
    for n in nodes[1:]:
        if result.kind == n.kind == "map":
            result = YNode("map", {**result.value, **n.value}, n.loc)
        elif result.kind == n.kind == "seq":
            result = merge_by_id(result, n, problems)
        else:
            result = n
    return result


def find_file(layers: list[Layer], rel: str) -> Path | None:
    """The nearest layer's copy of a pack file (chapter template, include)."""
    for layer in layers:
        path = (layer.root / rel).resolve()
        if path.is_relative_to(layer.root) and path.is_file():
            return path
    return None


def pack_options(spec: dict, layers: list[Layer]) -> dict:
    """The Pack fields this package adds: layers and the options of packs that are not annual reports."""
    return {"layers": layers, "toc": spec.get("toc", True), "school_fields": spec.get("school_fields", {}),
            "wording": spec.get("wording", {}), "subject": Subject(**spec.get("subject", {}))}
