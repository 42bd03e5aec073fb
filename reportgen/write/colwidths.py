"""Table column widths measured from what the columns hold.

Widths are counted in em of the table font: a CJK or full-width character is 1 em, a Latin
letter, digit or sign its advance width in the Latin face (a digit ½ em, a hyphen ⅓). Each column first gets what must not wrap — a header
of up to HEADER_NOWRAP characters on one line (longer headers on two), and a column of short
codes (ISBN, dates, 第1版, amounts) its longest entry — then the rest of the width goes to the
long-text columns, in proportion to how much text they hold, up to what they need on one line.
"""
from __future__ import annotations

import math
import unicodedata

HEADER_NOWRAP = 5        # a header up to this many characters never wraps ("获奖级别", "入选时间")
SHORT_CODE_EM = 9        # a column whose every entry is at most this wide is a code column: never wrap
CODE_MAX_CJK = 3          # "第1版", "2024年" are codes; "东方出版社" is text
LONG_MIN_EM = 4          # a long-text column is never narrower than four characters


# Advance widths (em) of Latin characters in Times New Roman, the tables' Latin face (the same metrics as
# Liberation Serif, which LibreOffice uses for it): an ISBN's hyphens and a date's dot are narrower than a
# digit, capitals wider. Characters not listed count as half an em.
_LATIN_EM = {ch: em for chars, em in (
    (" .,", 0.25), ("'", 0.18), (":;/ijlt", 0.278), ("-()[]fIr", 0.333), ("sJ", 0.389), ("acez", 0.444),
    ("FPS", 0.556), ("+", 0.564), ("ELTZ", 0.611), ("BCR", 0.667), ("ADGHKNOQUVXYw", 0.722),
    ("m&", 0.778), ("%", 0.833), ("M", 0.889), ("W", 0.944)) for ch in chars}


def text_em(text: str) -> float:
    """Printed width of `text` in em: full width for CJK and full-width forms, Latin by its face's metrics."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else _LATIN_EM.get(ch, 0.5) for ch in text)


def is_code(text: str) -> bool:
    """A short code that reads wrong when broken: an ISBN, a date, 第1版, an amount — short and
    mostly not CJK (a name of five CJK characters may wrap; "978-7-5635-6352-4" may not)."""
    cjk = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)
    return text_em(text) <= SHORT_CODE_EM and cjk <= CODE_MAX_CJK


def _header_em(name: str) -> float:
    em = text_em(name)
    if len(name) <= HEADER_NOWRAP:
        return em
    return math.ceil(em / 2)            # a long header may take two lines, no more


def measure(headers: list[str], columns: list[list[str]]) -> list[tuple[float, float, float]]:
    """(least, floor, one-line) em for each column.

    least: what never wraps — the header (up to HEADER_NOWRAP characters), and every entry of a
    code column; floor: a text column's LONG_MIN_EM when there is room for it; one-line: the
    widest entry or header."""
    out = []
    for header, cells in zip(headers, columns):
        longest = max((text_em(c) for c in cells), default=0.0)
        least = _header_em(header)
        if all(is_code(c) for c in cells):
            least = floor = max(least, longest)
        else:
            floor = max(least, LONG_MIN_EM)
        out.append((least, floor, max(floor, longest, text_em(header))))
    return out


def allot(total: float, needs: list[tuple[float, float, float]], weights: list[float],
          cells: list[list[float]] | None = None) -> list[float]:
    """Widths summing to `total`: each column's floor, then the rest where it saves the most lines.

    The spare width goes, step by step, to the column that lowers the table's height most per em
    (a row is as tall as its tallest cell; `cells` are the columns' cell widths in em, row by row),
    each step widening it to the next width where a cell needs a line fewer; when no column alone
    shortens the table, STEP_EM to the column that most often sets a row's height, then to the one
    furthest from its one-line width (weighted by `weights`, the pack's relative widths); once
    everything fits on one line, the rest by weight. When the floors do not fit,
    text columns give up their floor down to what must not wrap; when even that does not fit,
    everything is scaled down together.
    """
    least = [a for a, _, _ in needs]
    floors = [f for _, f, _ in needs]
    if sum(least) >= total:
        scale = total / sum(least) if sum(least) else 0
        return [a * scale for a in least]
    if sum(floors) > total:
        give = (sum(floors) - total) / (sum(floors) - sum(least))
        floors = [f - (f - a) * give for a, f in zip(least, floors)]
    widths = list(floors)
    # a cell longer than CELL_EM_CAP wraps at any width the page allows; counting all of it would only
    # multiply the steps below (one per line saved) by the length of the text
    rows = [[min(em, CELL_EM_CAP) for em in r] for r in zip(*cells)][:SAMPLE_ROWS] if cells else []
    spare = total - sum(widths)
    while spare > 1e-6:
        short = [i for i, (_, _, want) in enumerate(needs) if want - widths[i] > 1e-6]
        if not short:
            break
        height = _height(rows, widths)
        best, best_rate, best_add = None, 0.0, 0.0
        for i in short:
            for target in _breakpoints(rows, i, widths[i], min(widths[i] + spare, needs[i][2])):
                trial = widths[:i] + [target] + widths[i + 1:]
                rate = (height - _height(rows, trial)) / (target - widths[i])
                if rate > best_rate + 1e-9:
                    best, best_rate, best_add = i, rate, target - widths[i]
        if best is None:        # no column alone shortens the table: widen the one that most often sets a row's height
            lines = [[_lines(em, w) for em, w in zip(row, widths)] for row in rows]
            best = max(short, key=lambda i: (sum(ln[i] == max(ln) for ln in lines),
                                             (needs[i][2] - widths[i]) * weights[i]))
            best_add = min(STEP_EM, spare, needs[best][2] - widths[best])
        widths[best] += best_add
        spare -= best_add
    weight_sum = sum(weights)
    return [w + spare * wt / weight_sum for w, wt in zip(widths, weights)]


def _breakpoints(rows: list[list[float]], i: int, width: float, limit: float, count: int = 8) -> list[float]:
    """The next widths of column `i`, up to `limit`, at which one of its cells needs a line fewer."""
    points = set()
    for row in rows:
        lines = _lines(row[i], width)
        for k in range(lines - 1, max(lines - 1 - count, 0), -1):    # a cell's next `count` are enough
            w = row[i] / k
            if w > limit + 1e-9:
                break
            points.add(w)
    return sorted(points)[:count]


def _height(rows: list[list[float]], widths: list[float]) -> int:
    """The table's height in lines: each row as tall as its cell with the most lines."""
    return sum(max(_lines(em, w) for em, w in zip(row, widths)) for row in rows)


STEP_EM = 0.5
SAMPLE_ROWS = 100        # enough rows to judge a column by; keeps a 2000-row appendix fast
CELL_EM_CAP = 400.0      # ten lines of the widest column a page allows


def _lines(em: float, width: float) -> int:
    return math.ceil(em / width - 1e-9) if width > 0 else 1
