"""Paragraph styles for the report, all derived from `Typography`.

Every style we use is rewritten from scratch (its old pPr/rPr dropped) so nothing from
python-docx's default template leaks through: theme fonts, theme-blue headings, the
Title's bottom border. Word only honours a CJK font when `w:eastAsia` is explicit and
no `w:*Theme` attribute sits next to it, so the last step scrubs theme attributes from
every `w:rFonts` in styles.xml, including styles we never touch.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from reportgen.doc.model import HEADING_LEVELS, Typography
from reportgen.write.oxml import el, pt_to_twips, sub

# Style ids the writer refers to (ids, not UI names: pStyle stores ids).
NORMAL = "Normal"
TITLE = "Title"
CAPTION = "Caption"
FOOTER = "Footer"
HEADER = "Header"
TOC_HEADING = "TOCHeading"
TABLE_TEXT = "TableText"
CASE_TEXT = "CaseText"
CASE_TITLE = "CaseTitle"
NOTE = "Note"
SIGNATURE = "Signature"
SALUTATION = "Salutation"
CENTERED = "Centered"
KEY_VALUE = "KeyValue"
FIGURE = "Figure"
SUBCAPTION = "SubCaption"
TABLE_CONTINUED = "TableContinued"      # the "续表N" line over a table's continued part (write/continued.py)
COVER_SCHOOL = "CoverSchool"
COVER_SUBTITLE = "CoverSubtitle"
COVER_LINE = "CoverLine"

BODY_OUTLINE = 9          # outline level 9 = body text: not in the TOC or navigation pane
HEADER_SHADING = "D9D9D9"

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def heading_id(level: int, listed: bool = True) -> str:
    # An unlisted heading needs its own style: Word's TOC \o collects paragraphs by
    # heading *style*, so a direct outline level on the paragraph would not exclude it.
    return f"Heading{level}" if listed else f"UnlistedHeading{level}"


def toc_id(level: int) -> str:
    return f"TOC{level}"


@dataclass(frozen=True)
class StyleSpec:
    style_id: str
    name: str                   # w:name; built-in names are lower case in the XML ("heading 1", "toc 1")
    font: str                   # East Asian font; Latin text always uses typography.latin_font
    size: float
    based_on: str | None = NORMAL
    bold: bool = False
    align: str | None = None    # w:jc value: left | center | right | both
    first_line_pt: float = 0.0
    left_pt: float = 0.0
    right_pt: float = 0.0
    line_pt: float | None = None    # exact line height; None = single spacing
    before_pt: float = 0.0
    after_pt: float = 0.0
    keep_next: bool = False
    outline: int | None = None
    black: bool = False         # explicit black beats any theme colour an app might apply
    dot_tab_twips: int | None = None   # right tab with dot leader (TOC entries)


def _heading_specs(t: Typography) -> list[StyleSpec]:
    specs = []
    body_indent = t.first_line_indent_chars * t.body_size      # GB/T 9704: headings indented like the body
    for level in range(1, HEADING_LEVELS + 1):
        h = t.heading(level)
        listed = StyleSpec(
            heading_id(level), f"heading {level}", h.font, h.size, bold=h.bold, align="both", first_line_pt=body_indent,
            # an exact line shorter than the glyphs would clip them
            line_pt=max(t.line_spacing_pt, h.size * 1.25),
            before_pt=t.line_spacing_pt / 2 if level == 1 else 0, keep_next=True,
            outline=level - 1, black=True)
        unlisted = replace(listed, style_id=heading_id(level, False), name=f"Unlisted Heading {level}",
                           based_on=heading_id(level), outline=BODY_OUTLINE)
        specs += [listed, unlisted]
    return specs


def style_specs(t: Typography, text_width_twips: int) -> list[StyleSpec]:
    body_indent = t.first_line_indent_chars * t.body_size
    plain = dict(font=t.body_font, size=t.body_size, line_pt=t.line_spacing_pt)
    specs = [
        StyleSpec(NORMAL, "Normal", based_on=None, align="both", first_line_pt=body_indent, **plain),
        StyleSpec(TITLE, "Title", t.title_font, t.cover_title_size, align="center", black=True, bold=True,
                  before_pt=t.cover_title_size / 2, after_pt=t.cover_title_size / 2),
        StyleSpec(COVER_SCHOOL, "Cover School", t.title_font, t.title_size, align="center", black=True),
        StyleSpec(COVER_SUBTITLE, "Cover Subtitle", t.heading(2).font, t.heading(2).size,
                  align="center", before_pt=t.body_size / 2),
        StyleSpec(COVER_LINE, "Cover Line", t.body_font, t.body_size, align="center",
                  after_pt=t.body_size / 2),
        StyleSpec(CAPTION, "caption", t.caption_font, t.caption_size, bold=True, align="center",
                  before_pt=t.caption_size / 2, after_pt=t.caption_size / 2, black=True),
        StyleSpec(SUBCAPTION, "Sub Caption", t.caption_font, t.table_size, align="center",
                  after_pt=t.table_size / 2),
        # one tight line: it adds to every continued page, and must not push what follows the table onwards
        StyleSpec(TABLE_CONTINUED, "Table Continued", t.caption_font, t.table_size, align="right", keep_next=True,
                  line_pt=t.table_size * 1.25),
        StyleSpec(FIGURE, "Figure", t.body_font, t.body_size, align="center", keep_next=True,
                  before_pt=t.body_size / 2),
        # left, not justified: Normal's "both" spreads a short wrapped CJK line across the cell
        StyleSpec(TABLE_TEXT, "Table Text", t.table_font, t.table_size, align="left"),
        StyleSpec(NOTE, "Note", t.table_font, t.table_size, align="both", after_pt=t.table_size / 4),
        StyleSpec(CASE_TITLE, "Case Title", t.case_font, t.case_size, bold=True, align="center",
                  # no keepNext: inside a table cell LibreOffice then refuses to start the box
                  # at the foot of a page and leaves half a page blank
                  line_pt=t.case_line_spacing_pt, after_pt=t.case_size / 4),
        StyleSpec(CASE_TEXT, "Case Text", t.case_font, t.case_size, align="both",
                  first_line_pt=t.first_line_indent_chars * t.case_size, line_pt=t.case_line_spacing_pt),
        # GB/T 9704 7.3.5.2: the signature 右空二字
        StyleSpec(SIGNATURE, "Signature", align="right", right_pt=2 * t.body_size, **plain),
        StyleSpec(SALUTATION, "Salutation", align="both", **plain),
        StyleSpec(CENTERED, "Centered", align="center", **plain),
        StyleSpec(KEY_VALUE, "Key Value", align="both", **plain),
        StyleSpec(FOOTER, "footer", t.footer_font, t.footer_size, align="center"),
        StyleSpec(HEADER, "header", t.footer_font, t.header_size, align="center"),
        StyleSpec(TOC_HEADING, "TOC Heading", t.heading(1).font, t.heading(1).size,
                  bold=t.heading(1).bold, align="center", line_pt=t.line_spacing_pt,
                  after_pt=t.line_spacing_pt / 2, outline=BODY_OUTLINE, black=True),
    ]
    specs += _heading_specs(t)
    for level in range(1, HEADING_LEVELS + 1):
        specs.append(StyleSpec(toc_id(level), f"toc {level}",
                               t.heading(1).font if level == 1 else t.body_font, t.body_size,
                               align="both", left_pt=(level - 1) * t.body_size, line_pt=t.line_spacing_pt,
                               dot_tab_twips=text_width_twips))
    return specs


# ---------------------------------------------------------------- XML
def apply_styles(document, t: Typography, text_width_twips: int) -> None:
    styles_el = document.styles.element
    _set_doc_defaults(styles_el, t)
    for spec in style_specs(t, text_width_twips):
        _write_style(_get_or_add_style(styles_el, spec), spec, t)
    _scrub_theme_fonts(styles_el, t)


def set_theme_font_lang(settings_el) -> None:
    lang = settings_el.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def rfonts_attrs(latin: str, east_asia: str) -> dict[str, str]:
    return {"w:ascii": latin, "w:hAnsi": latin, "w:eastAsia": east_asia, "w:cs": latin}


def _set_doc_defaults(styles_el, t: Typography) -> None:
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = sub(styles_el, "w:docDefaults")
        styles_el.insert(0, defaults)
    for child in list(defaults):
        defaults.remove(child)
    rpr = sub(sub(defaults, "w:rPrDefault"), "w:rPr")
    sub(rpr, "w:rFonts", rfonts_attrs(t.latin_font, t.body_font))
    _size(rpr, t.body_size)
    sub(rpr, "w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"})
    ppr = sub(sub(defaults, "w:pPrDefault"), "w:pPr")
    # no CJK punctuation hanging past the right margin (Word and LibreOffice allow it by default)
    sub(ppr, "w:overflowPunct", {"w:val": "0"})
    sub(ppr, "w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"})


def _get_or_add_style(styles_el, spec: StyleSpec):
    found = styles_el.xpath(f'w:style[@w:styleId="{spec.style_id}"]')
    if found:
        return found[0]
    builtin = spec.name.islower() or spec.style_id in (SIGNATURE, SALUTATION, TITLE)
    style = styles_el.add_style_of_type(spec.name, WD_STYLE_TYPE.PARAGRAPH, builtin)
    style.styleId = spec.style_id     # add_style_of_type derives "toc1" from "toc 1"; Word uses "TOC1"
    return style


def _write_style(style, spec: StyleSpec, t: Typography) -> None:
    for tag in ("w:pPr", "w:rPr", "w:link", "w:basedOn"):
        for old in style.findall(qn(tag)):
            style.remove(old)
    if spec.based_on:
        # w:basedOn must follow w:name (and w:aliases)
        anchor = style.find(qn("w:aliases"))
        anchor = anchor if anchor is not None else style.find(qn("w:name"))
        based = sub(style, "w:basedOn", {"w:val": spec.based_on})
        anchor.addnext(based)
    style.append(_ppr(spec))
    style.append(_rpr(spec, t))


def _ppr(spec: StyleSpec):
    ppr = el("w:pPr")
    if spec.keep_next:
        sub(ppr, "w:keepNext")
    if spec.dot_tab_twips:
        sub(sub(ppr, "w:tabs"), "w:tab", {"w:val": "right", "w:leader": "dot", "w:pos": spec.dot_tab_twips})
    spacing = {"w:before": pt_to_twips(spec.before_pt), "w:after": pt_to_twips(spec.after_pt)}
    if spec.line_pt:
        spacing.update({"w:line": pt_to_twips(spec.line_pt), "w:lineRule": "exact"})
    else:
        spacing.update({"w:line": "240", "w:lineRule": "auto"})
    sub(ppr, "w:spacing", spacing)
    # firstLineChars=0 too: Word lets a *Chars value inherited from anywhere beat twips
    sub(ppr, "w:ind", {"w:left": pt_to_twips(spec.left_pt), "w:right": pt_to_twips(spec.right_pt),
                       "w:firstLine": pt_to_twips(spec.first_line_pt),
                       "w:firstLineChars": "0", "w:leftChars": "0", "w:rightChars": "0"})
    if spec.align:
        sub(ppr, "w:jc", {"w:val": spec.align})
    if spec.outline is not None:
        sub(ppr, "w:outlineLvl", {"w:val": spec.outline})
    return ppr


def _rpr(spec: StyleSpec, t: Typography):
    rpr = el("w:rPr")
    sub(rpr, "w:rFonts", rfonts_attrs(t.latin_font, spec.font))
    val = "1" if spec.bold else "0"
    sub(rpr, "w:b", {"w:val": val})
    sub(rpr, "w:bCs", {"w:val": val})
    sub(rpr, "w:i", {"w:val": "0"})
    if spec.black:
        sub(rpr, "w:color", {"w:val": "000000"})
    _size(rpr, spec.size)
    return rpr


def _size(rpr, size_pt: float) -> None:
    half_points = str(round(size_pt * 2))
    sub(rpr, "w:sz", {"w:val": half_points})
    sub(rpr, "w:szCs", {"w:val": half_points})


def _scrub_theme_fonts(styles_el, t: Typography) -> None:
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)
        for attr, value in rfonts_attrs(t.latin_font, t.body_font).items():
            if rfonts.get(qn(attr)) is None:
                rfonts.set(qn(attr), value)
