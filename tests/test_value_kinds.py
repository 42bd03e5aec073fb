"""Value kinds are enum members, never compared as strings (issue 28): an indicator's format is a `ValueFormat`,
a year-over-year change's kind a `ChangeKind`."""
from __future__ import annotations

import re
from pathlib import Path

from reportgen.compute.indicators import ChangeKind
from reportgen.value_kinds import ValueFormat

CORE = Path(__file__).resolve().parent.parent / "reportgen"
# the kinds' values that are no everyday word: "same", "text" … are compared for other reasons too
KINDS = "|".join(sorted({v.value for v in ValueFormat} - {"integer", "text"}
                        | {v.value for v in ChangeKind} - {"same", "missing", "amount"}))
# == "ratio", "ratio" !=, in ("points", …)
COMPARED = re.compile(rf"""(==|!=)\s*["']({KINDS})["']|["']({KINDS})["']\s*(==|!=)|\bin\s*[(\[{{][^)\]}}]*["']({KINDS})["']""")


def test_no_value_kind_is_compared_as_a_string():
    found = [f"{path.relative_to(CORE.parent)}:{n}: {line.strip()}"
             for path in sorted(CORE.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if COMPARED.search(line)]
    assert found == []
    assert COMPARED.search('if d.format == "ratio":') and COMPARED.search("c.kind in ('points', 'percent')")


def test_value_formats_read_their_places_from_members():
    assert [f.decimals for f in ValueFormat] == [0, 1, 2, 2, 1, 2]
