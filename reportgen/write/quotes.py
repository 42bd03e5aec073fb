"""Chinese quotation marks at full width on both sides.

“ ” ‘ ’ are ambiguous-width characters: Word and LibreOffice print each in the run's Latin font
when it sits next to Latin text, so “1+X” gets a full-width opening mark and a narrow closing
one. Each mark goes into a run of its own whose Latin font is the paragraph's East Asian font.
"""
from __future__ import annotations

import copy
import re

from docx.oxml.ns import qn

from reportgen.write.oxml import el, sub

QUOTES = "“”‘’"
_SPLIT = re.compile(f"([{QUOTES}])")
_W_P, _W_R, _W_T = qn("w:p"), qn("w:r"), qn("w:t")


def full_width_quotes(body, fonts: dict[str, str], default_font: str) -> None:
    """Rewrite every run of `body` holding a quotation mark; `fonts` maps paragraph style id →
    East Asian font (a run's own eastAsia font wins)."""
    runs = {t.getparent() for t in body.iter(_W_T) if t.text and _SPLIT.search(t.text)}
    for run in [r for r in body.iter(_W_R) if r in runs]:          # document order: stable output
        _split_run(run, _font_for(run, fonts, default_font))


def _font_for(run, fonts: dict[str, str], default_font: str) -> str:
    own = run.find(qn("w:rPr"))
    own = own.find(qn("w:rFonts")) if own is not None else None
    if own is not None and own.get(qn("w:eastAsia")):
        return own.get(qn("w:eastAsia"))
    p = run.getparent()
    while p is not None and p.tag != _W_P:
        p = p.getparent()
    style = p.find(qn("w:pPr") + "/" + qn("w:pStyle")) if p is not None else None
    return fonts.get(style.get(qn("w:val")) if style is not None else "", default_font)


def _split_run(run, font: str) -> None:
    rpr = run.find(qn("w:rPr"))
    pieces: list = []                       # new runs, in order
    plain = None

    def new_run(quote: bool):
        r = el("w:r")
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        if quote:
            props = r.find(qn("w:rPr"))
            if props is None:
                props = el("w:rPr")
                r.insert(0, props)
            fonts = props.find(qn("w:rFonts"))
            if fonts is None:
                fonts = el("w:rFonts")
                props.insert(0, fonts)          # rFonts is rPr's first child (after rStyle, unused here)
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
                fonts.set(qn(attr), font)
            fonts.set(qn("w:hint"), "eastAsia")
        pieces.append(r)
        return r

    for child in [c for c in run if c.tag != qn("w:rPr")]:
        if child.tag != _W_T or not _SPLIT.search(child.text or ""):
            plain = plain if plain is not None else new_run(False)
            plain.append(child)
            continue
        for part in _SPLIT.split(child.text):
            if not part:
                continue
            if part in QUOTES:
                t = sub(new_run(True), "w:t")
                plain = None
            else:
                plain = plain if plain is not None else new_run(False)
                t = sub(plain, "w:t")
            t.text = part
            if part[0].isspace() or part[-1].isspace():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for r in pieces:
        run.addprevious(r)
    run.getparent().remove(run)
