"""A department's Word section (narrative/…/x.docx) edited in place: the reviewer's change to a paragraph
is made to that paragraph (第 N 段) of the department's file, so the file stays theirs to edit next round.

Each character keeps the run it had (bold lead, fonts); typed characters take the run before them. Only
plain paragraphs are rewritten — runs of text, tabs and breaks; a paragraph holding a picture, a field,
a hyperlink or a pending 修订 is listed instead (nothing guessed).
"""
from __future__ import annotations

import copy
from difflib import SequenceMatcher
from io import BytesIO
from pathlib import Path

from docx.oxml.ns import qn

from ..load.word.package import open_docx

_PLAIN_IN_P = {qn("w:pPr"), qn("w:r"), qn("w:bookmarkStart"), qn("w:bookmarkEnd"), qn("w:proofErr")}
_PLAIN_IN_R = {qn("w:rPr"), qn("w:t"), qn("w:tab")}
_CONTAINERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}


class WordSource:
    def __init__(self, root: Path, rel: str):
        self.rel, self.path = rel, root / rel
        self.doc = open_docx(self.path, rel)
        self.paras = list(_top_paragraphs(self.doc.element.body))
        self.changed = False
        self.added_after: dict = {}        # paragraph → the last one added after it

    def paragraph(self, no: int):
        """第 `no` 段 (counted as the Word reader counts), if it is plain enough to rewrite."""
        if not 0 < no <= len(self.paras):
            return None
        p = self.paras[no - 1]
        if p.getparent() is None:          # deleted by this absorb
            return None
        if any(c.tag not in _PLAIN_IN_P for c in p) or \
                any(c.tag not in _PLAIN_IN_R for r in p.iter(qn("w:r")) for c in r):
            return None
        return p

    @staticmethod
    def text(p) -> str:
        return "".join(_run_text(r) for r in p.iter(qn("w:r")))

    def rewrite(self, p, new: str) -> None:
        runs = list(p.iter(qn("w:r")))
        owner = [i for i, r in enumerate(runs) for _ in _run_text(r)]
        old = self.text(p)
        chars: list[tuple[str, int]] = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                chars += [(new[j1 + k], owner[i1 + k]) for k in range(i2 - i1)]
            elif j2 > j1:
                run = owner[i1 - 1] if i1 > 0 else (owner[0] if owner else 0)
                chars += [(ch, run) for ch in new[j1:j2]]
        for r in runs:
            r.getparent().remove(r)
        groups: list[tuple[int, str]] = []
        for ch, i in chars:
            if groups and groups[-1][0] == i:
                groups[-1] = (i, groups[-1][1] + ch)
            else:
                groups.append((i, ch))
        for i, text in groups:
            p.append(_run_like(runs[i] if runs else None, text))

    def delete(self, p) -> None:
        p.getparent().remove(p)

    def insert(self, p, text: str, after: bool = True) -> None:
        new = copy.deepcopy(p)
        runs = list(new.iter(qn("w:r")))
        model = runs[-1] if runs else None
        for r in runs:
            r.getparent().remove(r)
        run = _run_like(model, text)
        rpr = run.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:b")) is not None:
            rpr.remove(rpr.find(qn("w:b")))
        new.append(run)
        if after:                          # several added after one paragraph keep their order
            self.added_after.get(p, p).addnext(new)
            self.added_after[p] = new
        else:
            p.addprevious(new)

    def data(self) -> bytes:
        buf = BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _run_like(model, text: str):
    r = copy.deepcopy(model) if model is not None else None
    if r is None:
        from docx.oxml import OxmlElement
        r = OxmlElement("w:r")
    for t in r.findall(qn("w:t")) + r.findall(qn("w:tab")):
        r.remove(t)
    from docx.oxml import OxmlElement
    for i, part in enumerate(text.split("\t")):
        if i:
            r.append(OxmlElement("w:tab"))
        if part:
            t = OxmlElement("w:t")
            t.text = part
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
    return r


def _run_text(r) -> str:
    return "".join("\t" if c.tag == qn("w:tab") else c.text or "" for c in r if c.tag in (qn("w:t"), qn("w:tab")))


def _top_paragraphs(parent):
    for child in parent:
        if child.tag == qn("w:p"):
            yield child
        elif child.tag in _CONTAINERS:
            yield from _top_paragraphs(child)
