"""Read YAML keeping the line of every value, so later stages can say file:line.

Scalars keep their raw text too: a date typed as 2023.10 must stay "2023.10", not become the
float 2023.1, and only the table schema knows which columns are dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, YamlError, os_reason

MAX_YAML_BYTES = 20 * 1024 * 1024   # a data file larger than this is a mistake, not data


@dataclass
class YNode:
    kind: str            # "scalar" | "map" | "seq"
    value: Any           # plain value for scalars; dict[str, YNode] or list[YNode] otherwise
    loc: Location
    raw: str | None = None       # the scalar's text as typed
    quoted: bool = False

    def plain(self) -> Any:
        """The value without locations (for settings files where lines matter less)."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value

    def get(self, key: str) -> "YNode | None":
        return self.value.get(key) if self.kind == "map" else None


def load_yaml(path: Path, display: str | None = None) -> YNode | None:
    """Parse one YAML file; None for an empty file. Raises YamlError with file:line."""
    name = display or str(path)
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise YamlError(f"文件过大（超过 {MAX_YAML_BYTES // 1024 // 1024} MB），请检查是否放错了文件", Location(name))
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise YamlError("文件不是 UTF-8 编码，请用“UTF-8”另存后再试", Location(name)) from None
    except OSError as e:
        raise YamlError(f"无法读取文件：{os_reason(e)}", Location(name)) from None
    return parse_yaml(text, name)


# libyaml's parser (when PyYAML was built with it) is ~10× faster than the pure-Python one and
# gives the same nodes and line marks. Its error texts differ, so a file that fails to parse is
# parsed again by the pure-Python parser, whose messages _explain() translates.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, name: str) -> YNode | None:
    if _FAST_LOADER is not None:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass                  # reported below, with the pure-Python parser's messages
        else:
            return None if node is None else _convert(node, name, yaml.SafeLoader(""))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"YAML 格式错误：{_explain(e)}", Location(name, line)) from None
    except yaml.YAMLError as e:
        raise YamlError(f"YAML 格式错误：{e}", Location(name)) from None
    if node is None:
        return None
    return _convert(node, name, yaml.SafeLoader(""))


def _explain(e: yaml.MarkedYAMLError) -> str:
    problem = (e.problem or "").strip()
    hints = {
        "could not find expected ':'": "缺少冒号“:”（键和值之间需要英文冒号加空格）",
        "mapping values are not allowed here": "此处不应出现冒号（值里含有“: ”时请加引号）",
        "found character '\\t' that cannot start any token": "含有制表符（Tab），请改用空格缩进",
        "did not find expected key": "缩进不一致或缺少键",
        "found undefined alias": "引用了未定义的别名（*）",
        "found unexpected end of stream": "文件在引号或括号闭合前结束",
        "did not find expected node content": "缺少值（可能多了一个逗号或“-”）",
        "expected <block end>, but found '-'": "列表项“-”的缩进不一致",
        "expected ',' or '}'": "花括号 { } 内的项之间缺少逗号，或花括号没有闭合",
        "expected ',' or ']'": "方括号 [ ] 内的项之间缺少逗号，或方括号没有闭合",
        "found unknown escape character": "双引号内含有无法识别的反斜杠“\\”转义（可改用单引号）",
        "while scanning a quoted scalar": "引号没有闭合",
    }
    for key, text in hints.items():
        if key in problem:
            return text
    return problem or str(e)


def _convert(node: yaml.Node, name: str, ctor: yaml.SafeLoader) -> YNode:
    loc = Location(name, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        ctor.flatten_mapping(node)          # resolve "<<" merge keys the way PyYAML would
        items: dict[str, YNode] = {}
        for knode, vnode in node.value:
            key = ctor.construct_object(knode, deep=True)
            if isinstance(key, (dict, list)):
                raise YamlError("键不能是列表或映射", Location(name, knode.start_mark.line + 1))
            key = str(key)
            if key in items:
                raise YamlError(f"键“{key}”重复出现（第 {items[key].loc.line} 行已有）",
                                Location(name, knode.start_mark.line + 1))
            items[key] = _convert(vnode, name, ctor)
        return YNode("map", items, loc)
    if isinstance(node, yaml.SequenceNode):
        return YNode("seq", [_convert(v, name, ctor) for v in node.value], loc)
    try:
        value = ctor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as e:
        raise YamlError(f"无法识别的值：{e.problem}", loc) from None
    return YNode("scalar", value, loc, raw=node.value, quoted=node.style in ("'", '"'))
