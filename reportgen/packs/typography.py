"""A pack's `typography:` read from each layer of pack.yaml: page and font settings, one record per heading level.

Declared once: the fields of `Typography` and `HeadingStyle` (doc/model.py) — their types, defaults and `doc` —
give the schema each layer is checked against (`typography_schema`), the values filled in, and the reference
in docs/packs.md (packs/reference.py); tests/test_pack_docs.py fails when they drift.

Layers merge nearest first like the rest of pack.yaml, and a heading level key by key: a project that writes
`headings: {2: {size: 15}}` keeps its pack's font for level 2 and levels 1, 3 and 4 as they were.

The shape before 0.x — three lists indexed by level (`heading_fonts`, `heading_sizes`, `heading_bold`) — is
still in schools' hands (last year's project pack, a pack from elsewhere): it is read, converted level by level
as the writer used to read it (a level past a list's end took its last item), with a warning that shows the
new shape to paste in.
"""
from __future__ import annotations

from dataclasses import MISSING, fields, replace

import yaml

from ..doc.model import HEADING_LEVELS, HeadingStyle, Typography
from ..errors import Location, Problems
from ..load.schema import validate_node
from ..load.yaml_source import YNode

JSON_TYPES = {"str": "string", "float": "number", "int": "integer", "bool": "boolean"}
# the old shape: one list per HeadingStyle field, item N for level N+1
OLD_LISTS = {"heading_fonts": "font", "heading_sizes": "size", "heading_bold": "bold"}
LEVELS = [str(n) for n in range(1, HEADING_LEVELS + 1)]


# ---------------------------------------------------------------- the schema, from the declaration
def _setting_schema(f) -> dict:
    return {"type": JSON_TYPES[f.type], "description": f.metadata["doc"]}


def heading_schema() -> dict:
    """One heading level's record."""
    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: _setting_schema(f) for f in fields(HeadingStyle)}}


def typography_schema() -> dict:
    """What `typography:` in a pack.yaml may hold: every Typography field, and the old lists (still read)."""
    props = {}
    for f in fields(Typography):
        if f.name == "headings":
            props[f.name] = {"type": "object", "description": f.metadata["doc"], "additionalProperties": False,
                             "properties": {n: heading_schema() for n in LEVELS}}
        else:
            props[f.name] = _setting_schema(f)
    record = {f.name: f for f in fields(HeadingStyle)}
    for key, name in OLD_LISTS.items():
        props[key] = {"type": "array", "minItems": 1, "items": {"type": JSON_TYPES[record[name].type]},
                      "description": f"旧写法（各级标题的 {name} 依次排列），仍可读取并提示改写为 headings"}
    return {"type": "object", "additionalProperties": False, "properties": props}


# ---------------------------------------------------------------- reading the layers
def read_typography(layers, problems: Problems) -> Typography:
    """The typography of a pack's layers (packs/inherit.Layer, nearest first), merged; problems located."""
    settings: dict = {}
    headings: dict[int, dict] = {}
    wrapper = {"type": "object", "properties": {"typography": typography_schema()}}
    for layer in reversed(layers):
        node = layer.node.get("typography")
        if node is None or node.kind != "map":      # not a map: the pack.yaml schema has said so
            continue
        file = layer.file("pack.yaml")
        if not validate_node(YNode("map", {"typography": node}, node.loc), wrapper, file, problems):
            continue
        spec = node.plain()
        converted = _old_lists(spec)
        if converted:
            _warn_old_shape(node, converted, file, problems)
        for source in (converted, spec.get("headings", {})):          # in one layer, headings beats the lists
            for level, record in source.items():
                headings.setdefault(int(level), {}).update(record)
        settings.update({k: v for k, v in spec.items() if k != "headings" and k not in OLD_LISTS})
    return _typography(settings, headings)


def _old_lists(spec: dict) -> dict[str, dict]:
    """The old lists of one layer as records per level ("1" … "4"), each level taking what the writer took."""
    out = {}
    for n, level in enumerate(LEVELS, start=1):
        record = {name: spec[key][min(n, len(spec[key])) - 1] for key, name in OLD_LISTS.items() if spec.get(key)}
        if record:
            out[level] = record
    return out


def _warn_old_shape(node: YNode, converted: dict[str, dict], file: str, problems: Problems) -> None:
    first = next(k for k in node.value if k in OLD_LISTS)
    given = "、".join(k for k in OLD_LISTS if k in node.value)
    shape = yaml.safe_dump({"headings": {int(k): v for k, v in converted.items()}},
                           allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    indented = "\n".join("  " + line for line in shape.splitlines())       # as it stands under typography:
    problems.warning(f"排版设置 {given} 是旧写法（各级标题的字体、字号、加粗分列三个列表），本次已按各级读取，"
                     f"结果不变；请在 typography: 下把这几行换成每级一条：\n{indented}",
                     Location(file, node.value[first].loc.line, path=f"typography › {first}"))


def _typography(settings: dict, headings: dict[int, dict]) -> Typography:
    declared = {f.name: f for f in fields(Typography)}
    values = {k: _typed(declared[k].type, v) for k, v in settings.items()}
    base = Typography()
    merged = dict(base.headings)
    for level, record in headings.items():
        typed = {k: _typed(_field_type(HeadingStyle, k), v) for k, v in record.items()}
        merged[level] = replace(base.heading(level), **typed)
    return Typography(**values, headings=merged)


def _field_type(cls, name: str) -> str:
    return next(f.type for f in fields(cls) if f.name == name)


def _typed(type_name: str, value):
    return {"float": float, "int": int}.get(type_name, lambda v: v)(value)


def defaults(cls) -> dict:
    """Each field's default (the reference shows them)."""
    return {f.name: f.default if f.default is not MISSING else f.default_factory() for f in fields(cls)}
