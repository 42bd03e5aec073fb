"""Value kinds are enum members, never compared as strings (issue 28): an indicator's format is a `ValueFormat`,
a year-over-year change's kind a `ChangeKind`, a detail-table column's type a `ColumnType`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reportgen.compute.indicators import ChangeKind
from reportgen.pack import ColumnDef
from reportgen.value_kinds import ColumnType, ValueFormat

CORE = Path(__file__).resolve().parent.parent / "reportgen"
# the kinds' values that are no everyday word: "same", "text" … are compared for other reasons too
KINDS = "|".join(sorted({v.value for v in ValueFormat} - {"integer", "text"}
                        | {v.value for v in ChangeKind} - {"same", "missing", "amount"}))
# == "ratio", "ratio" !=, in ("points", …)
COMPARED = re.compile(rf"""(==|!=)\s*["']({KINDS})["']|["']({KINDS})["']\s*(==|!=)|\bin\s*[(\[{{][^)\]}}]*["']({KINDS})["']""")


def lines_matching(pattern: re.Pattern) -> list[str]:
    """Every line of reportgen's code the pattern finds, as path:line: text."""
    return [f"{path.relative_to(CORE.parent)}:{n}: {line.strip()}"
            for path in sorted(CORE.rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]


def test_no_value_kind_is_compared_as_a_string():
    assert lines_matching(COMPARED) == []
    assert COMPARED.search('if d.format == "ratio":') and COMPARED.search("c.kind in ('points', 'percent')")


def test_value_formats_read_their_places_from_members():
    assert [f.decimals for f in ValueFormat] == [0, 1, 2, 2, 1, 2]


# a column's type compared with its string: `col.type == "integer"`, `c.type in ("enum", "date")`, `kind == "date"`
TYPES = "|".join(t.value for t in ColumnType if t is not ColumnType.TEXT)   # markdown tokens are "text" too
TYPE_COMPARED = re.compile(rf"""\b(type|kind)\s*(==|!=|in\s*[(\[{{][^)\]}}]*)\s*["']({TYPES})["']""")


def test_no_column_type_is_compared_as_a_string():
    assert lines_matching(TYPE_COMPARED) == []
    assert TYPE_COMPARED.search('if col.type == "integer":') and TYPE_COMPARED.search('c.type in ("enum", "date")')


def test_a_column_type_is_a_member_however_it_was_given():
    assert ColumnDef("人数", type="integer").type is ColumnType.INTEGER
    assert ColumnDef("名称").type is ColumnType.TEXT and not ColumnDef("名称").numeric
    assert ColumnDef("金额", type=ColumnType.DECIMAL).numeric
    schema = json.loads((CORE / "schemas" / "tables.json").read_text(encoding="utf-8"))
    declared = _enum_of(schema, "type")
    assert declared == {t.value for t in ColumnType}


def _enum_of(node, key):
    """The `enum:` of the first property named `key` in a JSON schema."""
    if isinstance(node, dict):
        prop = node.get("properties", {}).get(key)
        if isinstance(prop, dict) and "enum" in prop:
            return set(prop["enum"])
        for v in node.values():
            found = _enum_of(v, key)
            if found:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _enum_of(v, key)
            if found:
                return found
    return None
