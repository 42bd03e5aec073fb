"""The department's Word file: written for the kit, split into sections when it comes back.

Layout of the kit file: a title and how-to, then per section a 标题 1 paragraph "章 › 小节" (carrying a hidden
bookmark `_rg_sec_N`), a shaded one-cell guidance table ("写作提示…": the pack's hint, the data references with
their current values) and the writing area, pre-filled with the section's current text. Coming back, a section
starts at a heading paragraph with that bookmark or with the heading text of any assignable section (so a section
of another department pasted in is seen), and runs to the next one; guidance tables are dropped. What remains is
the section as the department wrote it, saved as a .docx of its own for the Word reader (issue 12).
"""
from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .assign import Section

GUIDE_MARK = "写作提示"
BOOKMARK = "_rg_sec_"
GUIDE_FILL = "EDEDED"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_R_LINK = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")
_IMAGE = re.compile(r'!\[([^\]]*)\]\(([^)\s]+)(?:\s+"([^"]*)")?\)')
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FIGURE = re.compile(r"^图 \d+ ")


# ---------------------------------------------------------------- writing the kit file
@dataclass
class KitSection:
    section: Section
    guidance: list[str]               # lines of the guidance box after the hint
    current: str                      # the section's current text (Markdown source), "" when none
    current_path: Path | None = None
    data: list[tuple[str, str]] = field(default_factory=list)    # (printed name, current value) it may use
    hint: str | None = None           # the pack's hint as people read it (None: the section's own)


def kit_document(title: str, intro: list[str], sections: list[KitSection], root: Path):
    """The kit's Word document (python-docx), and each section's signature as written."""
    doc = Document()
    _cjk_fonts(doc)
    doc.add_paragraph(title, style="Title")
    for line in intro:
        doc.add_paragraph(line)
    for i, ks in enumerate(sections, start=1):
        if i > 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        heading = doc.add_heading(ks.section.heading, level=1)
        _bookmark(heading, f"{BOOKMARK}{i}", i)
        hint = ks.section.hint if ks.hint is None else ks.hint
        _guide(doc, [f"{GUIDE_MARK}：{hint or '（模板包没有提示，请按本节标题撰写）'}"] + ks.guidance, ks.data)
        if ks.current_path is not None and ks.current_path.suffix == ".docx":
            _fill_from_docx(doc, ks.current_path)
        else:
            _fill_markdown(doc, ks.current, root, ks.section)
    parsed = split_sections(doc, [ks.section.key for ks in sections], {ks.section.key: ks.section for ks in sections})
    return doc, {s.key: signature(s.elements) for s in parsed.sections if s.key}


def _cjk_fonts(doc) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), "宋体" if name == "Normal" else "黑体")
    doc.styles["Normal"].font.size = Pt(12)


def _bookmark(paragraph, name: str, bid: int) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(bid))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _guide(doc, lines: list[str], data: list[tuple[str, str]] = ()) -> None:
    table = doc.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.rows[0].cells[0]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), GUIDE_FILL)
    cell._tc.get_or_add_tcPr().append(shading)
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        p = cell.add_paragraph(line)
        for run in p.runs:
            run.font.size = Pt(10.5)
            run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    if data:
        cell.add_paragraph("本节可用的数据（目前的数值）：")
        grid = cell.add_table(rows=len(data) + 1, cols=2)
        grid.style = "Table Grid"
        for row, (name, value) in zip(grid.rows, [("数据", "目前的数值")] + list(data)):
            for c, text in zip(row.cells, (name, value)):
                c.text = text
                for run in c.paragraphs[0].runs:
                    run.font.size = Pt(10)
        cell.add_paragraph("")            # Word needs a paragraph after a table inside a cell


def _fill_markdown(box, text: str, root: Path, section: Section) -> None:
    """The section's Markdown as Word paragraphs in `box` (the document or a case's cell): headings, bold
    leads, lists, pictures with a "图 N" caption below, cases as a one-cell box opened by "案例：标题"."""
    text = _COMMENT.sub("", text)
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    if not blocks:
        if section.title:
            box.add_paragraph(section.title, style="Heading 2")
        box.add_paragraph("")
        return
    i = 0
    while i < len(blocks):
        block = blocks[i]
        lines = block.splitlines()
        first = lines[0]
        i += 1
        if first.startswith(":::"):
            # a case runs to its closing ::: line, which may sit in a later block
            inner = lines[1:]
            while not (inner and inner[-1].strip() == ":::") and i < len(blocks):
                inner += [""] + blocks[i].splitlines()
                i += 1
            _case(box, first, [x for x in inner if x.strip() != ":::"], root, section)
        elif first.startswith("#"):
            level = min(max(len(first) - len(first.lstrip("#")), 2), 4)
            box.add_paragraph(first.lstrip("#").strip(), style=f"Heading {level}")
            if len(lines) > 1:
                blocks.insert(i, "\n".join(lines[1:]))
        elif _IMAGE.search(block) and not _IMAGE.sub("", block).strip():
            _picture(box, _IMAGE.findall(block), root)
        elif all(_LIST.match(line) for line in lines):
            style = "List Number" if re.match(r"^\s*\d", first) else "List Bullet"
            for line in lines:
                _runs(box.add_paragraph(style=style), _LIST.sub("", line))
        else:
            _runs(box.add_paragraph(), "".join(line.strip() for line in lines))


def _case(box, opening: str, inner: list[str], root: Path, section: Section) -> None:
    title = opening.strip(":").strip()
    title = title[2:].strip() if title.startswith("案例") else title
    if not hasattr(box, "add_table") or not hasattr(box, "sections"):
        cell = box                                # already inside a box: no nesting
    else:
        table = box.add_table(rows=1, cols=1)
        table.style = "Table Grid"
        cell = table.rows[0].cells[0]
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _runs(cell.add_paragraph(), f"**案例：{title}**")
    _fill_markdown(cell, "\n".join(inner), root, section)
    if cell is not box:
        box.add_paragraph("")                     # Word merges two tables that touch: keep boxes apart


def _picture(box, images: list[tuple[str, str, str]], root: Path) -> None:
    """Pictures side by side in one paragraph, each sub-caption as its alt text, "图 N 总图注" below."""
    p = box.add_paragraph()
    for caption, src, _ in images:
        path = (root / src).resolve()
        shape = None
        if path.is_file() and path.is_relative_to(root.resolve()):
            try:
                shape = p.add_run().add_picture(str(path), width=Cm(14 / len(images)))
            except Exception:          # a picture python-docx cannot place: name it instead
                shape = None
        if shape is None:
            p.add_run(f"［图片：{src}］")
        elif caption:
            shape._inline.docPr.set("descr", caption)
    overall = next((o for _, _, o in images if o), "") or (images[0][0] if len(images) == 1 else "")
    if overall:
        n = sum(1 for q in box.paragraphs if _FIGURE.match(q.text)) + 1
        box.add_paragraph(f"图 {n} {overall}")


def _runs(p, text: str) -> None:
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            p.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            p.add_run(part[1:-1]).italic = True
        else:
            p.add_run(part)


def _fill_from_docx(doc, path: Path) -> None:
    """A section that already came back in Word: its paragraphs, tables and pictures as they are."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    try:
        src = Document(str(path))
    except Exception:          # python-docx raises many kinds for a broken package
        doc.add_paragraph(f"［{path.name} 无法打开，请直接撰写］")
        return
    body = doc.element.body
    for el in src.element.body:
        if el.tag == f"{_W}sectPr":
            continue
        new = copy.deepcopy(el)
        for node in new.iter():
            rid = node.get(_R_EMBED)
            if rid and rid in src.part.rels:
                node.set(_R_EMBED, doc.part.get_or_add_image(BytesIO(src.part.related_parts[rid].blob))[0])
            link = node.get(_R_LINK) if node.tag == f"{_W}hyperlink" else None
            if link and link in src.part.rels and src.part.rels[link].is_external:
                node.set(_R_LINK, doc.part.relate_to(src.part.rels[link].target_ref, RT.HYPERLINK, is_external=True))
        if body.sectPr is not None:
            body.sectPr.addprevious(new)
        else:
            body.append(new)
    doc.add_paragraph("")


# ---------------------------------------------------------------- reading a returned file
@dataclass
class ReturnedSection:
    key: str | None                 # None: a heading like a section's that is not assignable here
    heading: str
    elements: list = field(default_factory=list)


@dataclass
class ReturnedDoc:
    sections: list[ReturnedSection]
    preamble: list                  # what comes before the first section (title, how-to)


def split_sections(doc, marker_keys: list[str], sections: dict[str, Section]) -> ReturnedDoc:
    """Cut a kit file (as returned) into its sections; `marker_keys` are the marker's, in bookmark order."""
    by_heading = {}
    for key, s in sections.items():
        by_heading.setdefault(_norm(s.heading), key)
    titles: dict[str, list[str]] = {}
    for key, s in sections.items():
        if s.title:
            titles.setdefault(_norm(s.title), []).append(key)
    by_title = {t: keys[0] for t, keys in titles.items() if len(keys) == 1}
    out = ReturnedDoc([], [])
    current: ReturnedSection | None = None
    for el in doc.element.body:
        if el.tag == f"{_W}sectPr":
            continue
        key = _section_start(el, doc, marker_keys, by_heading, by_title)
        if key is not None:
            current = ReturnedSection(key or None, _text(el))
            if key and _own_title(el, marker_keys):
                current.elements.append(el)      # the school's own heading is the section's title, kept
            out.sections.append(current)
        elif current is None:
            out.preamble.append(el)
        elif not _is_guide(el):
            current.elements.append(el)
    return out


def _section_start(el, doc, marker_keys, by_heading, by_title) -> str | None:
    """The section key a paragraph opens ("" when it looks like a kit heading of no known section)."""
    if el.tag != f"{_W}p":
        return None
    for bm in el.iter(f"{_W}bookmarkStart"):
        name = bm.get(f"{_W}name") or ""
        if name.startswith(BOOKMARK) and name[len(BOOKMARK):].isdigit():
            n = int(name[len(BOOKMARK):])
            if 1 <= n <= len(marker_keys):
                return marker_keys[n - 1]
    style = _style_name(el, doc).lower()
    if not (style.startswith("heading") or style.startswith("标题") or style == "title"):
        return None
    text = _norm(_text(el))
    if text in by_heading:
        return by_heading[text]
    if "›" in _text(el) or ">" in _text(el):
        return by_title.get(_norm(re.split(r"[›>]", _text(el))[-1]), "")
    return by_title.get(text) if style.startswith(("heading 1", "标题 1")) else None


def _own_title(el, marker_keys) -> bool:
    """A heading the school wrote (its section's title, "社会培训"), not the kit's bookmarked "章 › 小节" one."""
    kit = any((bm.get(f"{_W}name") or "").startswith(BOOKMARK) for bm in el.iter(f"{_W}bookmarkStart"))
    return not kit and "›" not in _text(el) and ">" not in _text(el)


def _is_guide(el) -> bool:
    if el.tag != f"{_W}tbl":
        return False
    return _text(el).strip().startswith(GUIDE_MARK)


def _norm(text: str) -> str:
    """Compare headings leniently: width, spaces, punctuation and typed numbering do not matter."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、])", "", s)
    return re.sub(r"[\s›>·:：,，、.。\-—_]+", "", s).casefold()


def _text(el) -> str:
    parts = []
    for node in el.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag in (f"{_W}tab",):
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr") and node.get(f"{_W}type") in (None, "textWrapping"):
            parts.append("\n")
        elif node.tag == f"{_W}p" and parts:
            parts.append("\n")
    return "".join(parts)


def _style_name(el, doc) -> str:
    pstyle = el.find(f"{_W}pPr/{_W}pStyle")
    if pstyle is None:
        return ""
    sid = pstyle.get(f"{_W}val") or ""
    try:
        style = doc.styles.element.get_by_id(sid)
        return style.name_val if style is not None else sid
    except Exception:
        return sid


def signature(elements) -> str:
    """What counts as the department's text: words and pictures (formatting alone is not a change)."""
    h = hashlib.sha256()
    for el in elements:
        text = re.sub(r"\s+", " ", _text(el)).strip()
        pictures = sum(1 for n in el.iter() if n.get(_R_EMBED))
        if text or pictures:
            h.update(f"{text}\x00{pictures}\x01".encode("utf-8"))
    return h.hexdigest()[:16]


def section_docx(path: Path, elements: list) -> bytes:
    """A .docx holding only `elements` of the returned file (styles, numbering and pictures they use kept)."""
    doc = Document(str(path))
    body = doc.element.body
    positions = _positions(elements)      # the elements come from another parse of the same file
    for i, child in enumerate(list(body)):
        if child.tag != f"{_W}sectPr" and i not in positions:
            body.remove(child)
    _drop_unused_images(doc)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _positions(elements: list) -> set[int]:
    out = set()
    for el in elements:
        parent = el.getparent()
        out.add(list(parent).index(el))
    return out


def _drop_unused_images(doc) -> None:
    used = {v for n in doc.element.body.iter() for k, v in n.attrib.items() if k in (_R_EMBED, _R_LINK)}
    rels = doc.part.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == _IMAGE_REL and rid not in used]:
        del rels[rid]


def with_heading(path: Path | bytes, title: str) -> bytes:
    """The file (a path or its bytes) with `title` put before everything else as a heading (outline level 1, bold): Word shows it
    as a heading, and the Word reader takes it as the section's title whatever styles the file has."""
    doc = Document(str(path) if isinstance(path, Path) else BytesIO(path))
    p, ppr, level = OxmlElement("w:p"), OxmlElement("w:pPr"), OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    ppr.append(level)
    p.append(ppr)
    doc.element.body.insert(0, p)
    from docx.text.paragraph import Paragraph
    Paragraph(p, doc._body).add_run(title).bold = True
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
