"""Complex-field XML: the PAGE number in the footer and the TOC with a cached result.

A complex field is begin / instrText / separate / cached result / end, and the result
may span paragraphs. We always write a result, because WPS and LibreOffice show the
cached text as-is instead of recomputing the field.
"""
from __future__ import annotations

from docx.oxml.ns import qn

from reportgen.write.oxml import el, insert_in_order, sub


def _fld_char(parent, kind: str) -> None:
    sub(sub(parent, "w:r"), "w:fldChar", {"w:fldCharType": kind})


def field_begin(p, instruction: str) -> None:
    """Append begin + instruction + separate runs to paragraph element `p`."""
    _fld_char(p, "begin")
    instr = sub(sub(p, "w:r"), "w:instrText")
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    _fld_char(p, "separate")


def field_end(p) -> None:
    _fld_char(p, "end")


def page_field(p, cached: str = "1") -> None:
    field_begin(p, "PAGE")
    t = sub(sub(p, "w:r"), "w:t")
    t.text = cached
    field_end(p)


def toc_instruction(levels: int) -> str:
    # \h hyperlinks, \z hide page numbers in web view, \u also use paragraph outline levels
    return f'TOC \\o "1-{levels}" \\h \\z \\u'


# Elements that must come after w:updateFields in w:settings (ECMA-376 CT_Settings order).
_AFTER_UPDATE_FIELDS = tuple(qn(t) for t in (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
    "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
    "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator"))


def enable_update_fields(settings_el) -> None:
    """Add `<w:updateFields w:val="true"/>` at its schema position so Word refreshes the TOC on open."""
    if settings_el.find(qn("w:updateFields")) is not None:
        return
    insert_in_order(settings_el, el("w:updateFields", {"w:val": "true"}), _AFTER_UPDATE_FIELDS)
