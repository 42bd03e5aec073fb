"""The body of a .docx as a flat list of paragraphs and tables, read from the raw WordprocessingML.

python-docx opens the package and resolves styles and parts; the text itself is read here from
the XML, because `paragraph.runs` misses what Word and WPS really write: runs inside tracked
insertions, hyperlinks, smart tags, content controls and fields. Deletions, comments and field
codes are dropped; a field shows its displayed result; footnotes become text in the paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V = "urn:schemas-microsoft-com:vml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "r": R, "a": A, "wp": WP, "v": V, "mc": MC}

_DESCEND = {"ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent", "dir", "bdo"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_FALSE = {"0", "false", "off", "none"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Picture:
    rid: str
    alt: str = ""
    floating: bool = False
    linked: bool = False         # r:link: the picture is not in the file


@dataclass
class Para:
    no: int                      # 第 N 段, counted over the body's paragraphs (0 inside tables)
    runs: list[Run]
    pictures: list[Picture] = field(default_factory=list)
    style: str = ""              # style name, e.g. "Heading 2", "List Number", "Caption"
    outline: int | None = None   # heading level from the style or outline level, 1-based
    list_kind: str | None = None  # "bullet" | "ordered"
    boxed: bool = False          # the paragraph has borders or shading
    boxes: list = field(default_factory=list)   # text boxes anchored here: each a list of Para | TableItem

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class CellItem:
    items: list                  # Para | TableItem
    rowspan: int = 1             # 0 on a cell covered by the merged cell above
    colspan: int = 1             # 0 on a cell covered by the merged cell to the left

    @property
    def text(self) -> str:
        return " ".join(p.text.strip() for p in self.items if isinstance(p, Para) and p.text.strip())

    @property
    def pictures(self) -> list[Picture]:
        return [x for p in self.items if isinstance(p, Para) for x in p.pictures]


@dataclass
class TableItem:
    no: int                      # 表 N among the body's tables (0 inside a table)
    after_para: int              # 第 N 段 just before it
    rows: list[list[CellItem]]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), max((len(r) for r in self.rows), default=0)


class BodyReader:
    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.styles = _styles(doc)
        self.numbering = _numbering(doc)
        self.footnotes = self._notes(RT.FOOTNOTES, "footnote")
        self.endnotes = self._notes(RT.ENDNOTES, "endnote")
        self.para_no = 0
        self.table_no = 0
        self.unread: list[tuple[int, str]] = []    # (the 第 N 段 it follows, what) for content we cannot take in

    def items(self) -> list:
        return self._block_children(self.doc.element.body, top=True)

    def _block_children(self, parent, top: bool) -> list:
        out: list = []
        children = list(parent)
        i = 0
        while i < len(children):
            child = children[i]
            tag = etree.QName(child).localname
            i += 1
            if tag == "p":
                if top:
                    self.para_no += 1
                out.append(self.paragraph(child, self.para_no if top else 0))
            elif tag == "tbl":
                parts = [child]
                while i + 1 < len(children) and _continues(children[i], children[i + 1]):
                    parts.append(children[i + 1])        # a 续表 part: read with the table it continues
                    i += 2
                out.append(self.table(_joined(parts) if len(parts) > 1 else child, top))
            elif tag in ("sdt", "sdtContent", "customXml"):
                out.extend(self._block_children(child, top))
            elif tag == "AlternateContent":
                out.extend(self._block_children(_choice(child), top))
            elif tag == "altChunk":
                # another file (HTML, RTF, a .docx) embedded whole, as pasting from a web page or
                # "插入 › 文件中的文字" leaves it: Word shows it, its text is not in this document's XML
                self.unread.append((self.para_no, "嵌入的外部内容（altChunk，常见于从网页粘贴或“插入文件中的文字”）"))
        return out

    # ---------------------------------------------------------------- tables
    def table(self, tbl, top: bool) -> TableItem:
        no = 0
        if top:
            self.table_no += 1
            no = self.table_no
        rows: list[list[CellItem]] = []
        for tr in tbl.iterchildren(w("tr")):
            row: list[CellItem] = []
            for tc in _cells(tr):
                pr = tc.find(w("tcPr"))
                span = _int(pr, "gridSpan", 1)
                vmerge = pr.find(w("vMerge")) if pr is not None else None
                cell = CellItem(self._block_children(tc, top=False), colspan=span)
                if vmerge is not None and vmerge.get(w("val")) != "restart":
                    cell.rowspan = 0
                row.append(cell)
                row.extend(CellItem([], colspan=0) for _ in range(span - 1))
            rows.append(row)
        _count_rowspans(rows)
        return TableItem(no, self.para_no, rows)

    # ---------------------------------------------------------------- paragraphs
    def paragraph(self, p, no: int) -> Para:
        ppr = p.find(w("pPr"))
        style_id = _val(ppr, "pStyle")
        style = self.styles.get(style_id or "", {})
        name = style.get("name", "")
        para = Para(no, [], style=name)
        m = _HEADING_STYLE.match(name.strip())
        outline = _int(ppr, "outlineLvl", None)
        if outline is None:
            outline = style.get("outline")
        if m:
            para.outline = int(m.group(1))
        elif name.strip().lower() == "title":
            para.outline = 1
        elif outline is not None and outline < 9:
            para.outline = outline + 1
        num = ppr.find(w("numPr")) if ppr is not None else None
        num_id = _val(num, "numId") if num is not None else style.get("numId")
        ilvl = _int(num, "ilvl", 0) if num is not None else 0
        if num_id and num_id != "0":
            para.list_kind = self.numbering.get((num_id, ilvl), "ordered")
        elif name.lower().startswith("list number"):
            para.list_kind = "ordered"
        elif name.lower().startswith("list bullet"):
            para.list_kind = "bullet"
        para.boxed = ppr is not None and (ppr.find(w("pBdr")) is not None or _shaded(ppr.find(w("shd"))))
        state = _RunState(style.get("bold", False), style.get("italic", False))
        self._inline(p, para, state)
        para.runs = _merge(para.runs)
        return para

    def _inline(self, parent, para: Para, state: "_RunState") -> None:
        for child in parent:
            tag = etree.QName(child).localname
            if tag == "r":
                self._run(child, para, state)
            elif tag in _DESCEND:
                self._inline(child, para, state)
            elif tag == "AlternateContent":
                self._inline(_choice(child), para, state)
            # del, moveFrom, comment ranges, bookmarks, proofErr, pPr: nothing to show

    def _run(self, r, para: Para, state: "_RunState") -> None:
        rpr = r.find(w("rPr"))
        cstyle = self.styles.get(_val(rpr, "rStyle") or "", {})
        bold = _flag(rpr, "b", cstyle.get("bold", state.bold))
        italic = _flag(rpr, "i", cstyle.get("italic", state.italic))
        for child in r:
            tag = etree.QName(child).localname
            if tag == "fldChar":
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    state.fields.append("code")
                elif kind == "separate" and state.fields:
                    state.fields[-1] = "result"
                elif kind == "end" and state.fields:
                    state.fields.pop()
                continue
            if "code" in state.fields:
                continue                       # the field's instruction, not what Word shows
            if tag == "t":
                para.runs.append(Run(child.text or "", bold, italic))
            elif tag in ("tab", "ptab"):
                para.runs.append(Run("\t", bold, italic))
            elif tag == "br" and child.get(w("type")) in (None, "textWrapping"):
                para.runs.append(Run("\n", bold, italic))
            elif tag == "cr":
                para.runs.append(Run("\n", bold, italic))
            elif tag == "noBreakHyphen":
                para.runs.append(Run("-", bold, italic))
            elif tag in ("drawing", "pict", "object"):
                self._graphic(child, para)
            elif tag == "AlternateContent":
                self._graphic(_choice(child), para)
            elif tag == "footnoteReference":
                note = self.footnotes.get(child.get(w("id")), "")
                if note:
                    para.runs.append(Run(f"（注：{note}）", False, False))
            elif tag == "endnoteReference":
                note = self.endnotes.get(child.get(w("id")), "")
                if note:
                    para.runs.append(Run(f"（注：{note}）", False, False))
            # delText, instrText, commentReference, lastRenderedPageBreak, rPr: not shown

    def _graphic(self, el, para: Para) -> None:
        """A picture, or a text box (Word's and WPS's way of drawing a case box): its paragraphs are kept."""
        boxes = [b for b in el.iter(w("txbxContent"))
                 if not any(a.tag == w("txbxContent") for a in b.iterancestors())]
        for box in boxes:
            para.boxes.append(self._block_children(box, top=False))
        para.pictures.extend(p for p in _pictures(el, exclude=boxes))

    def _notes(self, reltype: str, tag: str) -> dict[str, str]:
        part = next((rel.target_part for rel in self.doc.part.rels.values()
                     if rel.reltype == reltype and not rel.is_external), None)
        if part is None:
            return {}
        root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
        out = {}
        for note in root.iterchildren(w(tag)):
            paras = []
            for p in note.iter(w("p")):
                para = Para(0, [])
                self._inline(p, para, _RunState())
                paras.append(para.text.strip())
            out[note.get(w("id"))] = " ".join(t for t in paras if t)
        return out

    def image(self, rid: str):
        """(bytes, extension) of a picture in the document part, or None."""
        part = self.doc.part.related_parts.get(rid)
        if part is None:
            return None
        return part.blob, part.partname.ext.lower()


@dataclass
class _RunState:
    bold: bool = False
    italic: bool = False
    fields: list[str] = field(default_factory=list)


def _choice(alternate):
    """mc:AlternateContent: the first Choice Word understands, else the Fallback."""
    for child in alternate:
        return child
    return alternate


def _pictures(el, exclude=()) -> list[Picture]:
    out = []
    for blip in el.iter(f"{{{A}}}blip"):
        if any(a in exclude for a in blip.iterancestors()):
            continue                       # a picture inside a text box belongs to the box
        rid = blip.get(f"{{{R}}}embed")
        floating = any(etree.QName(a).localname == "anchor" for a in blip.iterancestors())
        doc_pr = next((a.find(f"{{{WP}}}docPr") for a in blip.iterancestors()
                       if etree.QName(a).localname in ("inline", "anchor")), None)
        alt = (doc_pr.get("descr") or doc_pr.get("title") or "") if doc_pr is not None else ""
        if rid:
            out.append(Picture(rid, alt.strip(), floating))
        elif blip.get(f"{{{R}}}link"):
            out.append(Picture("", alt.strip(), floating, linked=True))
    for data in el.iter(f"{{{V}}}imagedata"):
        if any(a in exclude for a in data.iterancestors()):
            continue
        rid = data.get(f"{{{R}}}id")
        if rid:
            out.append(Picture(rid, (data.get("{urn:schemas-microsoft-com:office:office}title") or "").strip(),
                               floating=True))
    return out


# ---------------------------------------------------------------- 续表
# A table the layout split over pages (write/continued.py): the "续表N" line, then the part with a
# copy of the header rows and, where a category was merged down across the break, the category again.
_CONTINUED_STYLE = "TableContinued"
_CONTINUED_TEXT = re.compile(r"^\s*续\s*(?:数据)?表\s*[\w.\-]*\s*$")


def _continues(p, tbl) -> bool:
    """`p`, `tbl` after a table are a 续表 line and the table's next part."""
    if etree.QName(p).localname != "p" or etree.QName(tbl).localname != "tbl":
        return False
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    text = "".join(t.text or "" for t in p.iter(w("t")))
    return ((style is not None and style.get(w("val")) == _CONTINUED_STYLE) or bool(_CONTINUED_TEXT.match(text))) \
        and _header_rows(tbl.findall(w("tr"))) > 0


def _joined(parts: list) -> etree._Element:
    """One table of the parts: the first whole, each next one without its header rows and repeated categories."""
    import copy
    joined = copy.deepcopy(parts[0])
    for part in parts[1:]:
        rows = part.findall(w("tr"))
        body = [copy.deepcopy(tr) for tr in rows[_header_rows(rows):]]
        if body:
            last = joined.findall(w("tr"))
            if last:
                _continue_merges(last, body[0])
            joined.extend(body)
    return joined


def _header_rows(rows) -> int:
    n = 0
    while n < len(rows) and rows[n].find(f"{w('trPr')}/{w('tblHeader')}") is not None:
        n += 1
    return n


def _continue_merges(above: list, first) -> None:
    """A category the split printed again at the top of a part is the merged cell above once more."""
    for col, tc in _grid(first):
        if _vmerge(tc) != "restart" or _vmerge(next((c for g, c in _grid(above[-1]) if g == col), None)) is None:
            continue
        top = next((c for r in reversed(above) for g, c in _grid(r) if g == col and _vmerge(c) == "restart"), None)
        if top is not None and _cell_text(top) == _cell_text(tc):
            del tc.find(f"{w('tcPr')}/{w('vMerge')}").attrib[w("val")]
            for p in tc.findall(w("p"))[1:]:
                tc.remove(p)
            for run in tc.find(w("p"))[:]:
                if etree.QName(run).localname != "pPr":
                    run.getparent().remove(run)


def _vmerge(tc) -> str | None:
    """None: the cell is not merged down; "restart": a merge starts here; "continue": covered by the one above."""
    merge = tc.find(f"{w('tcPr')}/{w('vMerge')}") if tc is not None else None
    return None if merge is None else merge.get(w("val"), "continue")


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(w("t")))


def _grid(tr):
    """(grid column, w:tc) of a row's cells."""
    col = 0
    for tc in _cells(tr):
        yield col, tc
        col += _int(tc.find(w("tcPr")), "gridSpan", 1)


def _cells(tr):
    for child in tr:
        tag = etree.QName(child).localname
        if tag == "tc":
            yield child
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _cells(child)


def _count_rowspans(rows: list[list[CellItem]]) -> None:
    for j in range(max((len(r) for r in rows), default=0)):
        start = None
        for i, row in enumerate(rows):
            if j >= len(row):
                continue
            cell = row[j]
            if cell.rowspan == 0 and start is not None and cell.colspan != 0:
                rows[start][j].rowspan += 1
            elif cell.colspan != 0:
                start = i


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and (out[-1].bold, out[-1].italic) == (r.bold, r.italic):
            out[-1] = Run(out[-1].text + r.text, r.bold, r.italic)
        else:
            out.append(r)
    return out


def _val(parent, tag: str) -> str | None:
    if parent is None:
        return None
    el = parent.find(w(tag))
    return el.get(w("val")) if el is not None else None


def _int(parent, tag: str, default):
    v = _val(parent, tag)
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


def _flag(rpr, tag: str, default: bool) -> bool:
    if rpr is None:
        return default
    el = rpr.find(w(tag))
    if el is None:
        return default
    return (el.get(w("val")) or "true").lower() not in _FALSE


def _shaded(shd) -> bool:
    return shd is not None and (shd.get(w("fill")) or "auto").lower() not in ("auto", "ffffff", "")


def _styles(doc: DocxDocument) -> dict[str, dict]:
    """style id → name, inherited bold/italic, outline level, list numbering id."""
    raw = {}
    for s in doc.styles.element.iterchildren(w("style")):
        sid = s.get(w("styleId"))
        name_el = s.find(w("name"))
        rpr, ppr = s.find(w("rPr")), s.find(w("pPr"))
        num = ppr.find(w("numPr")) if ppr is not None else None
        raw[sid] = {"name": name_el.get(w("val")) if name_el is not None else sid,
                    "based": _val(s, "basedOn"),
                    "bold": _flag(rpr, "b", None), "italic": _flag(rpr, "i", None),
                    "outline": _int(ppr, "outlineLvl", None),
                    "numId": _val(num, "numId") if num is not None else None}
    out = {}
    for sid, s in raw.items():
        resolved = dict(s)
        seen, base = {sid}, s["based"]
        while base and base in raw and base not in seen:
            seen.add(base)
            for key in ("bold", "italic", "outline", "numId"):
                if resolved[key] is None:
                    resolved[key] = raw[base][key]
            base = raw[base]["based"]
        resolved["bold"] = bool(resolved["bold"])
        resolved["italic"] = bool(resolved["italic"])
        out[sid] = resolved
    return out


def _numbering(doc: DocxDocument) -> dict[tuple[str, int], str]:
    """(numId, level) → "bullet" or "ordered"."""
    try:
        root = doc.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for a in root.iterchildren(w("abstractNum")):
        levels = {}
        for lvl in a.iterchildren(w("lvl")):
            fmt = _val(lvl, "numFmt") or "decimal"
            levels[int(lvl.get(w("ilvl"), "0"))] = "bullet" if fmt in ("bullet", "none") else "ordered"
        abstract[a.get(w("abstractNumId"))] = levels
    out = {}
    for n in root.iterchildren(w("num")):
        levels = abstract.get(_val(n, "abstractNumId"), {})
        for ilvl, kind in levels.items():
            out[(n.get(w("numId")), ilvl)] = kind
    return out
