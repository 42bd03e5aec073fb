"""Where things landed in a laid-out report: printed page numbers and the pages of 目录 entries.

Works on the text of each PDF page (see office.pdf_pages_text). The number a reader sees is
the one printed in the footer ("— 3 —"), not the physical page index: the cover and the
目录 carry no number and the body restarts at 1. Pure functions, no I/O.
"""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without any whitespace: pdftotext spaces CJK and Latin runs unpredictably."""
    return _WS.sub("", text)


def footer_pattern(page_number_format: str) -> re.Pattern:
    """A regex for a footer line printed from a format like "— {n} —", spaces optional."""
    prefix, _, suffix = page_number_format.partition("{n}")
    loose = lambda s: r"\s*".join(re.escape(c) for c in s if not c.isspace())  # noqa: E731
    return re.compile(r"^\s*" + loose(prefix) + r"\s*(\d+)\s*" + loose(suffix) + r"\s*$")


def printed_numbers(pages: list[str], page_number_format: str, tail_lines: int = 3) -> list[int | None]:
    """The printed page number of each page, None where the footer has none (cover, 目录)."""
    pattern = footer_pattern(page_number_format)
    out = []
    for text in pages:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        number = None
        for ln in reversed(lines[-tail_lines:]):
            m = pattern.match(ln)
            if m:
                number = int(m.group(1))
                break
        out.append(number)
    return out


def locate_headings(headings: list[str], pages: list[str], printed: list[int | None]) -> list[int | None]:
    """The printed page of each heading, searched in document order on numbered pages only.

    A heading matches a line (or consecutive lines, when it wraps) that holds exactly its
    text. Searching on from the previous match keeps a repeated phrase from matching early.
    """
    lines = [(i, squash(ln)) for i, text in enumerate(pages) if printed[i] is not None
             for ln in text.splitlines() if ln.strip()]
    out: list[int | None] = []
    start = 0
    for heading in headings:
        want = squash(heading)
        found = None
        for k in range(start, len(lines)):
            if _matches_at(lines, k, want):
                found = k
                break
        if found is None:
            out.append(None)
            continue
        out.append(printed[lines[found][0]])
        start = found + 1
    return out


def _matches_at(lines: list[tuple[int, str]], k: int, want: str) -> bool:
    text = ""
    page = lines[k][0]
    while k < len(lines) and lines[k][0] == page:
        text += lines[k][1]
        if text == want:
            return True
        if not want.startswith(text):
            return False
        k += 1
    return False
