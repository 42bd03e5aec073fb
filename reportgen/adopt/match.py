"""Tolerant title matching: last year's headings against the pack's chapters, sections and tables.

Typed numbers, punctuation, spaces and the year are ignored; small wording changes still match
(difflib's ratio), and a title that contains the other ("人才培养" in "人才培养质量") matches.
"""
from __future__ import annotations

import difflib
import re

from ..load.word.blocks import HEADING_PATTERNS

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")       # a pack title may be a template: {{ school.name }}质量数据表
_NOISE = re.compile(r"[\s\u3000\W_]+|[0-9０-９]{4}\s*年度?")
CHAPTER_MIN = 0.6
SECTION_MIN = 0.5


def normalize(title: str) -> str:
    title = _JINJA.sub("", title).strip()
    for _, rx in HEADING_PATTERNS:
        m = rx.match(title)
        if m:
            title = m.group(1)
            break
    return _NOISE.sub("", title)


def similarity(a: str, b: str) -> float:
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if len(min(a, b, key=len)) >= 2 and (a in b or b in a):
        return 0.9
    return difflib.SequenceMatcher(None, a, b).ratio()


def best(title: str, candidates: dict[str, str], minimum: float, taken: set[str] = frozenset()) -> str | None:
    """The key of the candidate title most like `title`, if it is alike enough and not taken."""
    scored = [(similarity(title, text), key) for key, text in candidates.items() if key not in taken and text]
    scored.sort(reverse=True)
    return scored[0][1] if scored and scored[0][0] >= minimum else None
