"""Tiny lxml helpers shared by the writer's sub-modules.

Elements are created through python-docx's parser (`OxmlElement`) so that python-docx
proxies (`Paragraph`, `_Cell`) can later wrap them; children made with `SubElement`
inherit that parser, which keeps building a 2000-row table cheap.
"""
from __future__ import annotations

from lxml import etree

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

MM_PER_INCH = 25.4
TWIPS_PER_PT = 20
EMU_PER_MM = 36000


def mm_to_twips(mm: float) -> int:
    return round(mm / MM_PER_INCH * 1440)


def pt_to_twips(pt: float) -> int:
    return round(pt * TWIPS_PER_PT)


def el(tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A new detached element; `attrs` keys are prefixed names ("w:val")."""
    return OxmlElement(tag, {qn(k): str(v) for k, v in (attrs or {}).items()})


def insert_in_order(parent, child, followers: tuple[str, ...]) -> etree._Element:
    """Insert `child` before the first existing element that the schema puts after it (else last).

    OOXML elements have a fixed child order; Word rejects a file whose children are out of order.
    """
    for existing in parent:
        if existing.tag in followers:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def sub(parent, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    attrib = {qn(k): str(v) for k, v in (attrs or {}).items()}
    return etree.SubElement(parent, qn(tag), attrib)


def text_run(parent, text: str, bold: bool = False) -> etree._Element:
    """Append a `w:r` holding `text`; newlines become `w:br` (cell texts may carry them)."""
    r = sub(parent, "w:r")
    if bold:
        sub(sub(r, "w:rPr"), "w:b")
    for i, line in enumerate(text.split("\n")):
        if i:
            sub(r, "w:br")
        t = sub(r, "w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r
