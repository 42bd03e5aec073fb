"""What a reviewer did to a draft, as `reportgen absorb` needs it: the text in reading order, the 批注 and
the 修订 (tracked changes), and how many changes touched formatting only.

The text is read by `reader.BodyReader` (pending insertions kept, deletions dropped: the draft as if every
修订 were accepted). Each paragraph is a unit; a table whose rows have one cell each (a 案例 box) is read
through, paragraph by paragraph; any other table gives one unit per row with its cells' text. The 目录's
entries are left out: Word rewrites them whenever fields are updated.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from .reader import BodyReader, Para, TableItem, w

# quote marks are compared as one: the writer turns "…" into “…” (write/quotes.py), editors type either
SAME_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_TOC_STYLE = re.compile(r"^toc\s*\d", re.I)


@dataclass
class Unit:
    kind: str                    # "p" (a paragraph) | "row" (a table row: `cells`)
    text: str                    # the paragraph; for a row its cells joined by tabs
    no: int                      # 第 N 段: the paragraph, or the one before the table
    cells: list[str] = field(default_factory=list)
    table: int = 0               # 表 N among the document's tables (rows), its row `row`
    row: int = 0
    style: str = ""
    bold: list[tuple[int, int]] = field(default_factory=list)    # [start, end) of bold text
    box: int = 0                 # inside the N-th box (a 案例's one-cell table); 0: in the body
    looks: str = ""              # the look of its text other than bold: size, colour, italic, font… (see _looks)



@dataclass
class Comment:
    author: str
    text: str
    anchor: str                  # the paragraph text it is attached to


@dataclass
class Revision:
    kind: str                    # "插入" | "删除"
    author: str
    text: str
    anchor: str                  # the paragraph's text (as accepted)


@dataclass
class Review:
    comments: list[Comment]
    revisions: list[Revision]
    format_changes: int          # tracked formatting changes (w:rPrChange, w:pPrChange)


def compare_key(text: str) -> str:
    """What is compared: the text with quote marks made alike and no white space."""
    return "".join(text.translate(SAME_QUOTES).split())


def draft_units(data: bytes) -> list[Unit]:
    """The units of a draft reportgen just wrote (in memory: no checks needed on our own file)."""
    import docx
    from io import BytesIO
    return read_units(docx.Document(BytesIO(data)))


class _LookingReader(BodyReader):
    """The body reader keeping each paragraph's XML, to see how its text looks (a reviewer may change only that)."""

    def __init__(self, doc: DocxDocument):
        super().__init__(doc)
        self.elements: dict[int, object] = {}

    def paragraph(self, p, no: int) -> Para:
        para = super().paragraph(p, no)
        self.elements[id(para)] = p
        return para


def read_units(doc: DocxDocument) -> list[Unit]:
    reader = _LookingReader(doc)
    out: list[Unit] = []
    table_no, box_no = [0], [0]

    def walk(items, last_no: int, box: int = 0) -> int:
        for item in items:
            if isinstance(item, Para):
                last_no = item.no or last_no
                if _TOC_STYLE.match(item.style.strip()) or not item.text.strip():
                    continue
                out.append(Unit("p", item.text.strip(), last_no, style=item.style, bold=_bold(item), box=box,
                                looks=_looks(reader.elements[id(item)])))
            elif isinstance(item, TableItem):
                last_no = item.after_para or last_no
                if item.rows and all(sum(c.colspan > 0 for c in row) <= 1 for row in item.rows):
                    box_no[0] += 1
                    for row in item.rows:          # a box (案例): its paragraphs as paragraphs
                        for cell in row:
                            last_no = walk(cell.items, last_no, box_no[0])
                    continue
                table_no[0] += 1
                for r, row in enumerate(item.rows):
                    cells = [c.text for c in row if c.colspan > 0]
                    if any(cells):
                        out.append(Unit("row", "\t".join(cells), last_no, cells, table_no[0], r))
        return last_no

    walk(reader.items(), 0)
    return out


def _bold(para: Para) -> list[tuple[int, int]]:
    spans, pos, lead = [], 0, len(para.text) - len(para.text.lstrip())
    for run in para.runs:
        if run.bold and run.text.strip():
            spans.append((max(pos - lead, 0), pos - lead + len(run.text)))
        pos += len(run.text)
    return spans


# what a reviewer changes in the look of text, bold aside (compared by `bold`), each as one canonical value;
# fonts are left out: LibreOffice rewrites a run's font attributes when it saves a file nobody restyled
_TOGGLES = ("i", "strike", "dstrike", "caps", "smallCaps")
_VALUED = {"sz": "", "color": "auto", "highlight": "none", "u": "none", "vertAlign": "baseline"}
_OFF = {"0", "false", "off"}
_TOGGLE_TAGS = {w(t): t for t in _TOGGLES}
_VALUED_TAGS = {w(k): (k, v) for k, v in _VALUED.items()}
_VAL, _R, _T, _RPR, _RPR_CHANGE = w("val"), w("r"), w("t"), w("rPr"), w("rPrChange")


_NOT_SHOWN = {w("del"), w("txbxContent")}     # a pending deletion; a text box's own paragraphs


def _inside(el, top, tags: set) -> bool:
    """Is `el` inside one of `tags` below `top`?"""
    a = el.getparent()
    while a is not None and a is not top:
        if a.tag in tags:
            return True
        a = a.getparent()
    return False


def _look(rpr) -> str:
    if rpr is None:
        return ""
    out = []
    for c in rpr:
        if c.tag in _TOGGLE_TAGS:
            if (c.get(_VAL) or "").lower() not in _OFF:
                out.append(_TOGGLE_TAGS[c.tag])
        elif c.tag in _VALUED_TAGS:
            name, default = _VALUED_TAGS[c.tag]
            val = c.get(_VAL) or ""
            if val and val.lower() != default:
                out.append(f"{name}={val.upper()}")
    return ";".join(sorted(out))


def _looks(p) -> str:
    """The typed look of the paragraph's visible text (_TOGGLES, _VALUED): each stretch of characters with
    its look, as a short digest. A run whose look is a pending 修订 (w:rPrChange)
    keeps its previous look here: that change is counted among the tracked ones."""
    spans: list[list] = []
    for r in p.iter(_R):
        n = sum(len("".join((t.text or "").split())) for t in r.iter(_T))     # characters compared
        if not n or _inside(r, p, _NOT_SHOWN):
            continue
        rpr = r.find(_RPR)
        if rpr is not None and rpr.find(_RPR_CHANGE) is not None:
            rpr = rpr.find(_RPR_CHANGE).find(_RPR)
        look = _look(rpr)
        if spans and spans[-1][0] == look:
            spans[-1][1] += n
        else:
            spans.append([look, n])
    if all(look == "" for look, _ in spans):
        return ""
    return hashlib.sha1(repr(spans).encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------- 批注 and 修订
def read_review(doc: DocxDocument) -> Review:
    body = doc.element.body
    comments_text = _comments(doc)
    comments: list[Comment] = []
    seen: set[str] = set()
    for ref in body.iter(w("commentRangeStart"), w("commentReference")):
        cid = ref.get(w("id"))
        if cid in seen or cid not in comments_text:
            continue
        seen.add(cid)
        author, text = comments_text[cid]
        comments.append(Comment(author, text, _paragraph_text(ref)))
    revisions = []
    for el in body.iter(w("ins"), w("del")):
        if el.getparent().tag == w("rPr"):          # a paragraph mark's own ins/del: no text of its own
            continue
        tag = "ins" if el.tag == w("ins") else "del"
        text = "".join(t.text or "" for t in el.iter(w("t") if tag == "ins" else w("delText")))
        if text:
            revisions.append(Revision("插入" if tag == "ins" else "删除", el.get(w("author"), ""), text,
                                      _paragraph_text(el)))
    changes = sum(1 for _ in body.iter(w("rPrChange"), w("pPrChange")))
    return Review(comments, revisions, changes)


def _comments(doc: DocxDocument) -> dict[str, tuple[str, str]]:
    for rel in doc.part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
            out = {}
            for c in root.iter(w("comment")):
                text = "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in c.iter(w("p")))
                out[c.get(w("id"))] = (c.get(w("author"), ""), text.strip())
            return out
    return {}


def _paragraph_text(el) -> str:
    """The accepted text of the paragraph holding `el` (insertions kept, deletions left out)."""
    p = el
    while p is not None and p.tag != w("p"):
        p = p.getparent()
    if p is None:
        return ""
    return "".join(t.text or "" for t in p.iter(w("t"))
                   if not any(a.tag == w("del") for a in t.iterancestors())).strip()


