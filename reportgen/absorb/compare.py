"""Which build an edited draft came from, and what changed in it, unit by unit.

The draft's units (paragraphs, table rows) are aligned with those the build recorded (regen/trace.py)
by their text; a run of changed units is paired by similarity (a reworded paragraph is one change, not
a deletion and an addition). Each change keeps the built unit (with its source) and the edited one.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from ..load.word.review import Unit, compare_key

SAME_PARAGRAPH = 0.45        # a reworded paragraph still shares this much of its characters
SAME_DRAFT = 0.35            # an edited draft shares at least this much of its paragraphs with its build


@dataclass
class Change:
    kind: str                    # modify | delete | insert
    built: dict | None           # the unit the build recorded (with its "source")
    edited: Unit | None
    before: dict | None = None   # insert: the built unit just before / after the new one
    after: dict | None = None


def _key(u) -> str:
    kind, text = (u["kind"], u["text"]) if isinstance(u, dict) else (u.kind, u.text)
    return f"{kind}:{compare_key(text)}"


def best_trace(traces: list[dict], edited: list[Unit]) -> tuple[dict | None, float]:
    """The build whose draft this is: the trace sharing most of the edited text."""
    keys = [_key(u) for u in edited]
    best, score = None, 0.0
    for t in traces:
        sm = SequenceMatcher(None, [_key(u) for u in t["units"]], keys, autojunk=False)
        if sm.real_quick_ratio() < score or sm.quick_ratio() < score:
            continue
        r = sm.ratio()
        if r > score or (r == score and best is not None and t.get("built", "") > best.get("built", "")):
            best, score = t, r
    return best, score


def changes(built: list[dict], edited: list[Unit]) -> tuple[list[Change], int]:
    """The changes, and how many unchanged paragraphs differ in their look only: bold, size, colour, italic,
    font (formatting, ignored and counted)."""
    sm = SequenceMatcher(None, [_key(u) for u in built], [_key(u) for u in edited], autojunk=False)
    out: list[Change] = []
    formatting = 0
    last: dict | None = None
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for b, e in zip(built[i1:i2], edited[j1:j2]):
                formatting += [tuple(x) for x in b.get("bold", [])] != [tuple(x) for x in e.bold] or \
                    b.get("looks", e.looks) != e.looks          # (a trace from before looks were kept: bold only)
            last = built[i2 - 1]
            continue
        following = built[i2] if i2 < len(built) else None
        last = _pair(built[i1:i2], edited[j1:j2], last, following, out)
    return out, formatting


def _pair(bs: list[dict], es: list[Unit], last, following, out: list[Change]):
    """Within a changed run: each built unit with the next edited one like it; the rest deleted or added."""
    j = 0
    for b in bs:
        match = None
        for k in range(j, len(es)):
            if es[k].kind == b["kind"] and _similar(b["text"], es[k].text):
                match = k
                break
        if match is None:
            out.append(Change("delete", b, None))
            continue
        for e in es[j:match]:
            out.append(Change("insert", None, e, before=last, after=b))
        out.append(Change("modify", b, es[match]))
        last, j = b, match + 1
    for e in es[j:]:
        out.append(Change("insert", None, e, before=last, after=following))
    return last if not bs else bs[-1]


def _similar(a: str, b: str) -> bool:
    sm = SequenceMatcher(None, a, b, autojunk=False)
    return sm.real_quick_ratio() >= SAME_PARAGRAPH and sm.quick_ratio() >= SAME_PARAGRAPH and \
        sm.ratio() >= SAME_PARAGRAPH
