"""Validate settings files (report.yaml, pack files) against JSON schemas, in Chinese, with lines.

The schemas are data (reportgen/schemas/*.json); this module only translates jsonschema's
findings into messages an office user can act on. Pure: no I/O beyond reading the schemas.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import jsonschema

from ..errors import Location, Problems
from .yaml_source import YNode

TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "true 或 false",
              "object": "映射（键: 值）", "array": "列表（- 开头的各项）"}


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads(resources.files("reportgen.schemas").joinpath(f"{name}.json").read_text("utf-8"))


def validate_node(node: YNode | None, schema_name: str | dict, file: str, problems: Problems) -> bool:
    """Add a located problem for every schema violation; True when the node is valid.

    `schema_name` names a file in reportgen/schemas/, or is a schema itself (one made from a declaration)."""
    if node is None:
        problems.error("文件为空", Location(file))
        return False
    validator = jsonschema.Draft202012Validator(schema_name if isinstance(schema_name, dict) else schema(schema_name))
    ok = True
    for err in sorted(validator.iter_errors(node.plain()), key=lambda e: list(map(str, e.absolute_path))):
        ok = False
        target, path = _find(node, list(err.absolute_path))
        problems.error(_message(err), Location(file, target.loc.line, path=path or None))
    return ok


def _find(node: YNode, path: list) -> tuple[YNode, str]:
    """The deepest node along a jsonschema path, and the path as 'a › 第 2 项 › b'."""
    labels = []
    for step in path:
        child = None
        if node.kind == "map" and isinstance(step, str):
            child = node.value.get(step)
            labels.append(step)
        elif node.kind == "seq" and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
            labels.append(f"第 {step + 1} 项")
        if child is None:
            break
        node = child
    return node, " › ".join(labels)


def _message(err: jsonschema.ValidationError) -> str:
    v, val = err.validator, err.validator_value
    if v == "required":
        missing = [k for k in val if k not in (err.instance or {})]
        return "缺少必填项：" + "、".join(f"“{k}”" for k in missing)
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = "、".join(err.schema.get("properties", {}))
        return "无法识别的项：" + "、".join(f"“{k}”" for k in extra) + (f"（可用的项：{allowed}）" if allowed else "")
    if v == "type":
        want = val if isinstance(val, str) else val[0]
        return f"应为{TYPE_NAMES.get(want, want)}，实际为“{_show(err.instance)}”"
    if v == "enum":
        return f"取值“{_show(err.instance)}”无效，可选：" + "、".join(map(str, val))
    if v == "pattern":
        hint = err.schema.get("x-hint") if isinstance(err.schema, dict) else None
        return f"“{_show(err.instance)}”格式不符合要求" + (f"：{hint}" if hint else "")
    if v in ("minimum", "exclusiveMinimum"):
        return f"数值 {err.instance} 过小（应{'≥' if v == 'minimum' else '>'} {val}）"
    if v == "maximum":
        return f"数值 {err.instance} 过大（应 ≤ {val}）"
    if v == "minLength":
        return "不能为空"
    if v == "minItems":
        return f"至少需要 {val} 项"
    return err.message


def _show(value) -> str:
    if value is None:
        return "空"
    if isinstance(value, (dict, list)):
        return "映射" if isinstance(value, dict) else "列表"
    return str(value)
