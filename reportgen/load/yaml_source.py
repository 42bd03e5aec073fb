"""Read YAML keeping the line of every value, so later stages can say file:line.

Scalars keep their raw text too: a date typed as 2023.10 must stay "2023.10", not become the
float 2023.1, and only the table schema knows which columns are dates.
"""
from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, Problem, ReportgenError, YamlError, os_reason
from .text import clean_text

MAX_YAML_BYTES = 20 * 1024 * 1024   # a data file larger than this is a mistake, not data
MAX_NESTING = 64                    # levels of lists and maps; data files use three or four
MAX_ALIAS_NODES = 100_000           # values reached again through aliases (*name): a "billion laughs" stops here


@dataclass
class YNode:
    kind: str            # "scalar" | "map" | "seq"
    value: Any           # plain value for scalars; dict[str, YNode] or list[YNode] otherwise
    loc: Location
    raw: str | None = None       # the scalar's text as typed
    quoted: bool = False
    warnings: list[Problem] = field(default_factory=list)   # on the root only: what reading cleaned up

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
        check_regular_file(path, name, MAX_YAML_BYTES, YamlError)
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise YamlError("文件不是 UTF-8 编码，请用“UTF-8”另存后再试", Location(name)) from None
    except OSError as e:
        raise YamlError(f"无法读取文件：{os_reason(e)}", Location(name)) from None
    return parse_yaml(text, name)


def check_regular_file(path: Path, name: str, max_bytes: int, error=None) -> None:
    """Refuse, with a located message, what is not an ordinary file of a sensible size: a folder where a
    file is expected, a pipe or device (reading it would block), a symlink loop, a huge file."""
    error = error or ReportgenError
    st = path.stat()               # OSError (missing, ELOOP …) is the caller's to word
    if stat.S_ISDIR(st.st_mode):
        raise error("这是一个文件夹，而这里应是一个文件：请改名或移走该文件夹", Location(name))
    if not stat.S_ISREG(st.st_mode):
        raise error("不是普通文件（可能是管道、设备或套接字），已跳过读取", Location(name))
    if st.st_size > max_bytes:
        raise error(f"文件过大（{st.st_size / 1024 / 1024:.1f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB），"
                    "请检查是否放错了文件", Location(name))


# libyaml's parser (when PyYAML was built with it) is ~10× faster than the pure-Python one and
# gives the same nodes and line marks. Its error texts differ, so a file that fails to parse is
# parsed again by the pure-Python parser, whose messages _explain() translates.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, name: str) -> YNode | None:
    cleaned = clean_text(text, line_break=" ")      # pasted from Word: see load/text.py
    warnings = [Problem(cleaned.warning("空格"), Location(name, line), "warning") for line in cleaned.lines[:5]]
    root = _parse(cleaned.text, name)
    if root is not None:
        root.warnings = warnings + root.warnings
    return root


def _parse(text: str, name: str) -> YNode | None:
    try:
        return _compose(text, name)
    except RecursionError:
        raise YamlError(f"列表或映射嵌套层数过多（超过 {MAX_NESTING} 层），不像数据文件", Location(name, _deepest_line(text))) from None


def _compose(text: str, name: str) -> YNode | None:
    if _FAST_LOADER is not None:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass                  # reported below, with the pure-Python parser's messages
        else:
            return None if node is None else _Converter(name).root(node)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"YAML 格式错误：{_explain(e)}", Location(name, line)) from None
    except yaml.YAMLError:
        raise YamlError("YAML 格式错误：文件无法读取（请检查缩进、冒号、引号和括号）", Location(name)) from None
    if node is None:
        return None
    return _Converter(name).root(node)


def _merged_pairs(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    """How many key/value pairs flattening this mapping's "<<" merge keys would make (before making them)."""
    if not isinstance(node, yaml.MappingNode) or depth > MAX_NESTING:
        return 0
    if id(node) in memo:
        return memo[id(node)]
    total = 0
    for knode, vnode in node.value:
        if knode.tag != "tag:yaml.org,2002:merge":
            total += 1
        elif isinstance(vnode, yaml.SequenceNode):
            total += sum(_merged_pairs(v, memo, depth + 1) for v in vnode.value)
        else:
            total += _merged_pairs(vnode, memo, depth + 1)
        if total > MAX_ALIAS_NODES:
            break
    memo[id(node)] = total
    return total


def _deepest_line(text: str) -> int | None:
    """The first line nested deeper than MAX_NESTING (brackets or indentation), for the message."""
    depth = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if (len(line) - len(line.lstrip(" "))) // 2 > MAX_NESTING:
            return n
        for ch in line:
            depth += (ch in "[{") - (ch in "]}")
            if depth > MAX_NESTING:
                return n
    return None


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
        "expected '<document start>'": ("这一行与上文不能连在一起：文件中可能还留着空的 {} 或 []（填写后请删去），"
                                         "或这一行的缩进、写法与上面的项不同"),
        "expected <block end>": "缩进不一致（同一级的项应对齐）",
        "found character": "含有不能出现在此处的字符（值以 @、` 或 % 开头时请加引号）",
        "found duplicate anchor": "别名（&）重复定义",
        "expected alphabetic or numeric character": "“&”或“*”后缺少名称（值以 & 或 * 开头时请加引号）",
    }
    for key, text in hints.items():
        if key in problem or key in (e.context or ""):
            return text
    # never the parser's English to an office: where it is, and what to look at
    return "格式无法识别（请检查这一行及上一行的缩进、冒号、引号和括号）"


class _Converter:
    """PyYAML nodes to YNodes, bounded: nesting depth, and values reached again through aliases
    (the composer shares an aliased node; converting it copies it, which an alias bomb multiplies)."""

    def __init__(self, name: str):
        self.name = name
        self.ctor = yaml.SafeLoader("")
        self.seen: set[int] = set()
        self.repeats = 0
        self.cleaned: list[int] = []

    def root(self, node: yaml.Node) -> YNode:
        out = self.convert(node, 0)
        out.warnings = [Problem("含有不可见的控制字符（如从 Word 粘贴带入的字符），已删除", Location(self.name, line), "warning")
                        for line in sorted(set(self.cleaned))[:5]]
        return out

    def convert(self, node: yaml.Node, depth: int) -> YNode:
        loc = Location(self.name, node.start_mark.line + 1)
        if depth > MAX_NESTING:
            raise YamlError(f"列表或映射嵌套层数过多（超过 {MAX_NESTING} 层），不像数据文件", loc)
        if id(node) in self.seen:
            self.repeats += 1
            if self.repeats > MAX_ALIAS_NODES:
                raise YamlError("别名（*名称）引用展开后的数据过多，疑似恶意构造的文件（“billion laughs”），已拒绝读取", loc)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._map(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return YNode("seq", [self.convert(v, depth + 1) for v in node.value], loc)
        try:
            value = self.ctor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as e:
            raise YamlError(f"无法识别的值：{e.problem}", loc) from None
        except ValueError:          # an integer of thousands of digits (Python refuses to convert it)
            raise YamlError("数字位数过多，请检查是否多输入了数字", loc) from None
        if isinstance(value, str):
            value = self._clean(value, loc)
        return YNode("scalar", value, loc, raw=self._clean(node.value, loc), quoted=node.style in ("'", '"'))

    def _map(self, node: yaml.MappingNode, loc: Location, depth: int) -> YNode:
        if _merged_pairs(node, {}) > MAX_ALIAS_NODES:
            raise YamlError("合并键（<<）展开后的数据过多，疑似恶意构造的文件，已拒绝读取", loc)
        self.ctor.flatten_mapping(node)          # resolve "<<" merge keys the way PyYAML would
        items: dict[str, YNode] = {}
        for knode, vnode in node.value:
            kloc = Location(self.name, knode.start_mark.line + 1)
            if not isinstance(knode, yaml.ScalarNode):
                raise YamlError("键不能是列表或映射", kloc)
            key = self.ctor.construct_object(knode, deep=True)
            key = self._clean(str(key), kloc)
            if key in items:
                raise YamlError(f"键“{key}”重复出现（第 {items[key].loc.line} 行已有）", kloc)
            items[key] = self.convert(vnode, depth + 1)
        return YNode("map", items, loc)

    def _clean(self, text: str, loc: Location) -> str:
        cleaned = clean_text(text, line_break=" ")
        if cleaned.lines:
            self.cleaned.append(loc.line)
        return cleaned.text
