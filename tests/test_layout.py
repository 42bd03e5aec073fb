"""The demo as LibreOffice lays it out: 目录 page numbers that are true, charts, nothing over a margin.

Needs LibreOffice (soffice) and, for the one-layout way, python3-uno; CI installs them (.ci/run). Skipped where missing.
"""
import re
from collections import Counter
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from reportgen.cli import main
from reportgen.errors import ExportError
from reportgen.export import office
from reportgen.export.pdf import previous_toc_pages
from reportgen.export.uno_office import UnoOffice, uno_python
from reportgen.export.pages import footer_pattern, locate_headings, printed_numbers
from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack
from reportgen.load.word.review import draft_units
from reportgen.pipeline import docx_bytes, prepare
from reportgen.write.blocks import keep_height_pt
from reportgen.write.styles import HEADER_SHADING

pdfplumber = pytest.importorskip("pdfplumber")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "annual-2024-demo"
CHAPTERS = ["一、人才培养", "二、服务贡献", "三、文化传承", "四、国际合作", "五、产教融合", "六、发展保障", "七、面临挑战"]
CHART_CAPTIONS = ["近三年横向技术服务到款额", "近三年双师素质专任教师占比", "学生创新创业大赛获奖级别分布"]
PT_PER_MM = 72 / 25.4
TOLERANCE_PT = 1.5
FOOTER = re.compile(r"^—\s*(\d+)\s*—$")

needs_office = pytest.mark.skipif(not office.have_office(), reason="LibreOffice (soffice) not installed")


def squash(s):
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "demo.docx"
    assert main(["build", str(DEMO), "--pdf", "-o", str(out)]) == 0
    pdf = out.with_suffix(".pdf")
    assert pdf.is_file()
    with pdfplumber.open(pdf) as doc:
        pages = [_page(p) for p in doc.pages]
    return out, pdf, pages


def _page(p):
    lines = [squash(ln) for ln in (p.extract_text() or "").splitlines() if ln.strip()]
    footer = next((int(m.group(1)) for ln in lines[-2:] if (m := FOOTER.match(ln))), None)
    return {"width": p.width, "height": p.height, "lines": lines, "footer": footer, "chars": p.chars,
            "boxes": [(kind, o) for kind in ("rects", "lines", "curves", "images") for o in getattr(p, kind)]}


def _has_line(page, text):
    """`text` is a line of the page, or several consecutive lines when it wraps."""
    lines = page["lines"]
    for i in range(len(lines)):
        joined = lines[i]
        for nxt in lines[i + 1:i + 3]:
            if joined == text or not text.startswith(joined):
                break
            joined += nxt
        if joined == text:
            return True
    return False


def _landing(pages, text, after):
    """Index of the first numbered page from `after` on that has `text` as a line."""
    hits = [i for i, p in enumerate(pages) if i >= after and p["footer"] is not None and _has_line(p, text)]
    assert hits, f"{text} not found in the body from page {after + 1} on"
    return hits[0]


def _toc(pages):
    """The 目录 entries as printed: text → page number, from the pages before the body."""
    entries = {}
    for page in pages:
        if page["footer"] is not None:
            break
        for ln in page["lines"]:
            m = re.match(r"^(.+?)(?:\.|…){3,}(\d+)$", ln)
            if m:
                entries[m.group(1)] = int(m.group(2))
    return entries


@needs_office
def test_toc_lists_the_chapters_with_the_pages_they_land_on(demo_pdf):
    _, _, pages = demo_pdf
    toc = _toc(pages)
    assert [t for t in toc if t in CHAPTERS] == CHAPTERS, toc
    landed, after = {}, 0
    for heading in CHAPTERS:                        # chapter headings appear in order
        first = _landing(pages, heading, after)
        landed[heading], after = pages[first]["footer"], first
    assert {h: toc[h] for h in CHAPTERS} == landed


@needs_office
def test_every_toc_entry_matches_its_page(demo_pdf):
    _, _, pages = demo_pdf
    toc = _toc(pages)
    assert len(toc) > len(CHAPTERS)          # sections too
    after = 0
    for text, number in toc.items():
        first = _landing(pages, text, after)
        assert pages[first]["footer"] == number, text
        after = first


@needs_office
@pytest.mark.skipif(uno_python() is None, reason="no Python with LibreOffice's uno module (Debian: python3-uno)")
def test_without_uno_two_layouts_give_the_same_pdf(demo_pdf, tmp_path, monkeypatch):
    """The one-layout way (LibreOffice updates the 目录 itself) and the two-pass fallback agree page by page."""
    out, pdf, _ = demo_pdf
    monkeypatch.setenv("REPORTGEN_NO_UNO", "1")
    other = tmp_path / "two-pass.docx"
    assert main(["build", str(DEMO), "--pdf", "-o", str(other)]) == 0
    assert office.pdf_pages_text(other.with_suffix(".pdf")) == office.pdf_pages_text(pdf)
    assert previous_toc_pages(other) == previous_toc_pages(out)


@needs_office
@pytest.mark.skipif(uno_python() is None, reason="no Python with LibreOffice's uno module (Debian: python3-uno)")
def test_one_libreoffice_survives_a_broken_document(demo_pdf, tmp_path):
    """A document LibreOffice cannot open is a located error, and the same (warm) LibreOffice lays out the next."""
    out, _, _ = demo_pdf
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    good = tmp_path / "good.docx"
    good.write_bytes(out.read_bytes())
    with UnoOffice(tmp_path / "office", []) as lo:
        with pytest.raises(ExportError) as e:
            lo.lay_out(broken)
        assert "LibreOffice 未能把文档转换为 PDF" in e.value.message
        layout = lo.lay_out(good)
        assert lo.alive()
    assert layout.toc and layout.toc[0][0] == "前言"
    assert len(office.pdf_pages_text(layout.pdf)) > 50


@needs_office
def test_docx_cached_toc_has_the_same_page_numbers(demo_pdf):
    out, _, pages = demo_pdf
    d = docx.Document(str(out))
    cached = {}
    for p in d.paragraphs:
        if p.style.name.lower().startswith("toc") and p.style.name.lower() != "toc heading":
            m = re.match(r"^(.+?)\t(\d+)$", p.text)
            assert m, f"TOC entry without a page number: {p.text!r}"
            cached[squash(m.group(1))] = int(m.group(2))
    assert cached == _toc(pages)


def _body_rows(tables) -> list[str]:
    """The rows of a table's parts as read from the .docx, without the header rows repeated on each part."""
    rows = []
    for n, tbl in enumerate(tables):
        trs = tbl.findall(qn("w:tr"))
        header = next(i for i, tr in enumerate(trs) if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None)
        rows += [squash("".join(t.text or "" for t in tr.iter(qn("w:t")))) for tr in trs[header if n else 0:]]
    return rows


def _parts(body, caption: str) -> list:
    """The table under the caption starting with `caption`, and each 续表 part after it."""
    for p in body.iterchildren(qn("w:p")):
        if squash("".join(t.text or "" for t in p.iter(qn("w:t")))).startswith(caption):
            break
    parts = [p.getnext()]
    while (line := parts[-1].getnext()) is not None and line.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None \
            and line.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "TableContinued":
        assert squash("".join(t.text or "" for t in line.iter(qn("w:t")))) == "续" + caption
        parts.append(line.getnext())
    return parts


@needs_office
@pytest.mark.parametrize("label", ["表1", "表5"])
def test_a_table_over_pages_says_continued_at_the_top_of_each_next_page(demo_pdf, label):
    """表1 and 表5 of the demo run over pages: each continued page starts with 续表N and the header row,
    the .docx holds the same parts, and every row is there once, the 合计 in the last part."""
    out, pdf, pages = demo_pdf
    plain = docx.Document(BytesIO(docx_bytes(prepare(DEMO))))     # as `build` without --pdf writes it
    rows = _body_rows(_parts(plain.element.body, label)[:1])
    header, last = rows[0], rows[-1]
    texts = [squash(t) for t in office.pdf_pages_text(pdf)]
    spanned, page, pos = [], 0, 0
    for row in rows[1:]:                      # the page each body row prints on, in order
        while (at := texts[page].find(row, pos)) < 0:
            page, pos = page + 1, 0
        pos = at + len(row)
        spanned.append(page)
    first, *continued = sorted(set(spanned))
    assert continued == list(range(first + 1, first + 1 + len(continued))) and continued, spanned
    assert texts[first].count(label) and "续" + label not in pages[first]["lines"]
    for n in continued:
        lines = pages[n]["lines"]
        assert lines[1] == "续" + label, f"page {n + 1}: {lines[:3]}"   # first line under the running header
        assert "续" + label + header in texts[n], f"page {n + 1}: the header row does not follow 续表"
    assert sum(p["lines"].count("续" + label) for p in pages) == len(continued)
    if last.startswith("合计"):
        assert [n for n, t in enumerate(texts) if last in t] == [continued[-1]]

    delivered = _parts(docx.Document(str(out)).element.body, label)
    assert len(delivered) == len(continued) + 1
    assert all(_body_rows([part])[0] == header for part in delivered)
    assert _body_rows(delivered) == rows                  # no row lost or doubled, in order
    if last.startswith("合计"):
        assert last in _body_rows(delivered[-1:]) and all(last not in _body_rows([p]) for p in delivered[:-1])


@needs_office
def test_the_split_draft_reads_back_as_the_written_one(demo_pdf):
    """absorb reads the delivered draft: its 续表 lines are no paragraphs and the parts are one table again."""
    out, _, _ = demo_pdf
    key = lambda units: [(u.kind, u.text, u.no, u.table, u.row) for u in units]   # noqa: E731
    delivered = draft_units(out.read_bytes())
    assert not [u for u in delivered if u.text.startswith("续表")]
    assert key(delivered) == key(draft_units(docx_bytes(prepare(DEMO))))


@needs_office
def test_pdf_has_charts_with_numbered_captions(demo_pdf):
    _, _, pages = demo_pdf
    for title in CHART_CAPTIONS:
        hits = [p for p in pages if any(re.match(rf"^图\d+{title}$", ln) for ln in p["lines"])]
        assert hits, title
        assert any(kind == "images" for kind, _ in hits[0]["boxes"]), f"no picture on the page of {title}"


@needs_office
def test_nothing_crosses_the_margins(demo_pdf):
    _, _, pages = demo_pdf
    t = load_pack(find_pack("annual-2024")).typography
    header = prepare(DEMO).rendered.document.header
    assert header == "江州职业技术学院高等职业教育质量年度报告（2024年度）"           # the pack's running header, rendered
    bad = []
    for n, page in enumerate(pages, start=1):
        left, right = t.margin_left_mm * PT_PER_MM, page["width"] - t.margin_right_mm * PT_PER_MM
        top, bottom = t.margin_top_mm * PT_PER_MM, page["height"] - t.margin_bottom_mm * PT_PER_MM

        def outside(o, vertical=True):
            return (o["x0"] < left - TOLERANCE_PT or o["x1"] > right + TOLERANCE_PT or
                    vertical and (o["top"] < top - TOLERANCE_PT or o["bottom"] > bottom + TOLERANCE_PT))
        footer_chars = [c for c in page["chars"] if c["top"] > bottom]
        assert not footer_chars or FOOTER.match(squash("".join(c["text"] for c in footer_chars))), \
            f"page {n}: text below the bottom margin that is not the page number"
        header_chars = [c for c in page["chars"] if c["bottom"] < top]
        assert not header_chars or squash("".join(c["text"] for c in header_chars)) == squash(header), \
            f"page {n}: text above the top margin that is not the running header"
        for c in page["chars"]:
            if outside(c, vertical=c not in footer_chars + header_chars):
                bad.append(f"page {n}: {c['text']!r} at x {c['x0']:.1f}–{c['x1']:.1f}, y {c['top']:.1f}–{c['bottom']:.1f}")
        for kind, o in page["boxes"]:
            if o["bottom"] < top and o["bottom"] - o["top"] < 2 and header_chars:
                continue                                    # the rule under the running header
            if outside(o):
                bad.append(f"page {n}: {kind[:-1]} at x {o['x0']:.1f}–{o['x1']:.1f}, y {o['top']:.1f}–{o['bottom']:.1f}")
    assert not bad, f"{len(bad)} objects outside the text area, e.g.\n" + "\n".join(bad[:10])


@needs_office
def test_preview_writes_one_png_per_page(run, demo, tmp_path):
    folder = tmp_path / "pv"
    folder.mkdir()
    (folder / "page-999.png").write_bytes(b"stale")
    r = run("preview", demo, "-o", folder, "--dpi", "30")
    assert r.code == 0, r.text
    pngs = sorted(folder.glob("page-*.png"))
    assert len(pngs) > 50 and not (folder / "page-999.png").exists()
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- typeset like a careful person
# Measured on the PDFs of the four example projects (one per pack), from the printed glyphs,
# shaded cells and rules, not from what the writer meant to do.
EXAMPLES = {"annual": DEMO, "zhongzhi": ROOT / "examples" / "zhongzhi-2022-demo", "jituan": ROOT / "examples" / "jituan-demo",
            "qiye": ROOT / "examples" / "qiye-demo"}
CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")
SECTION = re.compile(r"^（[一二三四五六七八九十]+）")
CASE_TITLE = re.compile(r"^案例\d+")
HEADER_GRAY = tuple(int(HEADER_SHADING[i:i + 2], 16) / 255 for i in (0, 2, 4))
MAX_EMPTY = 0.4
SMALL_TABLE_ROWS = 8


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def typeset(request, tmp_path_factory):
    """(typography, pages) of one example's PDF; each page: text lines with font, size and position."""
    project = EXAMPLES[request.param]
    out = tmp_path_factory.mktemp(request.param) / "report.docx"
    assert main(["build", str(project), "--pdf", "-o", str(out)]) == 0
    t = prepare(project).rendered.document.typography
    with pdfplumber.open(out.with_suffix(".pdf")) as doc:
        return request.param, t, [_typeset_page(p, t) for p in doc.pages]


def _face(fontname):
    return fontname.split("+", 1)[-1]


def _typeset_page(p, t):
    bottom_margin = p.height - t.margin_bottom_mm * PT_PER_MM
    rows = {}
    top_margin = t.margin_top_mm * PT_PER_MM
    for c in p.chars:                          # the running header above the text area is not a line of it
        if c["text"].strip() and c["top"] < bottom_margin and c["bottom"] > top_margin - TOLERANCE_PT:
            rows.setdefault(round(c["bottom"]), []).append(c)
    lines = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        cjk = [c for c in chars if "\u4e00" <= c["text"] <= "\u9fff"] or chars
        lines.append({"text": "".join(c["text"] for c in chars), "top": min(c["top"] for c in chars),
                      "bottom": key, "x0": chars[0]["x0"], "chars": chars,
                      "face": Counter(_face(c["fontname"]) for c in cjk).most_common(1)[0][0],
                      "size": Counter(round(c["size"], 1) for c in cjk).most_common(1)[0][0]})
    shaded = [r for r in p.rects if _gray(r) == HEADER_GRAY]
    boxes = [o for kind in ("rects", "images") for o in getattr(p, kind)]
    content = [ln["bottom"] for ln in lines] + [o["bottom"] for o in boxes if o["bottom"] < bottom_margin]
    footer = squash("".join(c["text"] for c in p.chars if c["top"] >= bottom_margin))
    return {"lines": lines, "header_cells": shaded, "height": p.height, "bottom_margin": bottom_margin,
            "content_bottom": max(content, default=t.margin_top_mm * PT_PER_MM),
            "numbered": bool(FOOTER.match(footer)), "tables": _tables(p, shaded)}


def _gray(rect):
    color = rect.get("non_stroking_color")
    if not isinstance(color, (tuple, list)) or len(color) != 3:
        return None
    return tuple(round(v, 3) for v in color) if False else tuple(int(v * 255 + 0.5) / 255 for v in color)


def _tables(p, shaded):
    """Each data table on the page: its header texts (from the shaded cells) and its body rows."""
    found = []
    for table in p.find_tables():
        rows = table.rows
        if len(rows[0].cells) < 2:
            continue                                    # a case box
        top = rows[0].bbox[1]
        is_header = any(abs(r["top"] - top) < 2 for r in shaded)
        found.append({"top": top, "bottom": table.bbox[3], "header": is_header,
                      "rows": len(rows) - (1 if is_header else 0),
                      "head": squash(" ".join(c or "" for c in table.extract()[0]))})
    return sorted(found, key=lambda x: x["top"])


def _role_faces(t, pages):
    faces = {"chapter heading": Counter(), "section heading": Counter(), "body": Counter(), "case text": Counter(),
             "title": Counter()}
    for page in pages:
        for ln in page["lines"]:
            text = squash(ln["text"])
            if ln["size"] == t.title_size or ln["size"] == t.cover_title_size:
                faces["title"][ln["face"]] += 1
            elif CHAPTER.match(text) and ln["size"] == t.heading(1).size and len(text) < 30:
                faces["chapter heading"][ln["face"]] += 1
            elif SECTION.match(text) and ln["size"] == t.heading(2).size and len(text) < 40:
                faces["section heading"][ln["face"]] += 1
            elif ln["size"] == t.body_size and page["numbered"]:
                faces["body"][ln["face"]] += 1
            elif ln["size"] == t.case_size and page["numbered"] and not CASE_TITLE.match(text):
                faces["case text"][ln["face"]] += 1
    return {role: c.most_common(1)[0][0] for role, c in faces.items() if c}


@needs_office
def test_headings_body_and_cases_print_in_distinct_faces(typeset):
    name, t, pages = typeset
    faces = _role_faces(t, pages)
    assert {"chapter heading", "section heading", "body"} <= set(faces), faces
    roles = [r for r in ("chapter heading", "section heading", "body", "case text") if r in faces]
    assert len({faces[r] for r in roles}) == len(roles), f"{name}: two roles print in the same face: {faces}"
    assert len(set(faces.values())) >= 4, f"{name}: fewer than four faces: {faces}"


@needs_office
def test_no_case_title_ends_a_page(typeset):
    name, t, pages = typeset
    stranded = []
    for n, page in enumerate(pages, 1):
        lines = page["lines"]
        for i, ln in enumerate(lines):
            if CASE_TITLE.match(squash(ln["text"])) and ln["size"] == t.case_size:
                after = [x for x in lines[i + 1:] if x["face"] != ln["face"]]
                if not after:
                    stranded.append(f"page {n}: {ln['text']}")
    assert not stranded, f"{name}: case titles without their text on the same page: {stranded}"


@needs_office
def test_no_table_header_wraps_after_one_character(typeset):
    name, t, pages = typeset
    bad = []
    for n, page in enumerate(pages, 1):
        for cell in page["header_cells"]:
            rows = {}
            for ln in page["lines"]:
                chars = [c for c in ln["chars"] if cell["x0"] - 1 <= c["x0"] and c["x1"] <= cell["x1"] + 1
                         and cell["top"] - 1 <= c["top"] and c["bottom"] <= cell["bottom"] + 1]
                if chars:
                    rows[ln["bottom"]] = squash("".join(c["text"] for c in chars))
            if len(rows) > 1 and any(len(x) == 1 for x in rows.values()):
                bad.append(f"page {n}: header cell {'/'.join(rows.values())}")
    assert not bad, f"{name}: " + "; ".join(sorted(set(bad))[:10])


@needs_office
def test_small_tables_are_not_split(typeset):
    """A table of up to 8 rows and a third of a page is never split (a taller one is, so that moving it whole
    never leaves half a page empty)."""
    name, t, pages = typeset
    split = []
    for n in range(len(pages) - 1):
        here, there = pages[n]["tables"], pages[n + 1]["tables"]
        if not here or not there:
            continue
        last, first = here[-1], there[0]
        top_margin = t.margin_top_mm * PT_PER_MM
        continues = first["header"] and first["top"] < top_margin + 30 and first["head"] == last["head"]
        height = last["bottom"] - last["top"] + first["bottom"] - first["top"]     # the header counted twice
        if continues and last["rows"] + first["rows"] <= SMALL_TABLE_ROWS and height <= keep_height_pt(t):
            split.append(f"pages {n + 1}–{n + 2}: {last['rows']} + {first['rows']} rows under {last['head'][:20]}")
    assert not split, f"{name}: small tables split across pages: {split}"


@needs_office
def test_no_page_is_left_mostly_empty_except_before_a_chapter(typeset):
    name, t, pages = typeset
    text_top = t.margin_top_mm * PT_PER_MM
    empty = []
    for n in range(len(pages) - 1):
        page, nxt = pages[n], pages[n + 1]
        if not page["numbered"] or not nxt["lines"]:
            continue
        share = (page["bottom_margin"] - page["content_bottom"]) / (page["bottom_margin"] - text_top)
        head = nxt["lines"][0]
        chapter_next = head["size"] >= t.heading(1).size and head["face"] == _role_faces(t, pages).get("chapter heading")
        if share > MAX_EMPTY and not chapter_next:
            empty.append(f"page {n + 1}: {share:.0%} empty, next page starts with {head['text'][:15]}")
    assert not empty, f"{name}: " + "; ".join(empty)


@needs_office
def test_quotation_marks_pair_at_the_same_width(typeset):
    name, t, pages = typeset
    bad = []
    for n, page in enumerate(pages, 1):
        for ln in page["lines"]:
            opening = None
            for c in ln["chars"]:
                if c["text"] in "“‘":
                    opening = c
                elif c["text"] in "”’" and opening is not None:
                    if abs(c["width"] - opening["width"]) > 0.5:
                        bad.append(f"page {n}: {ln['text'][:30]} ({opening['width']:.1f} vs {c['width']:.1f} pt)")
                    opening = None
    assert not bad, f"{name}: closing quotes narrower or wider than their opening ones: {bad[:5]}"


# ---------------------------------------------------------------- without the tools
def test_missing_libreoffice_names_the_debian_package(run, demo, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("REPORTGEN_SOFFICE", raising=False)
    monkeypatch.setattr(office, "SOFFICE_PATHS", ())
    out = tmp_path / "x.docx"
    r = run("build", demo, "--pdf", "-o", out)
    assert r.code == 1 and "libreoffice-writer-nogui" in r.err
    assert not out.exists()                    # said before doing any work
    r = run("preview", demo, "-o", tmp_path / "pv")
    assert r.code == 1 and "libreoffice-writer-nogui" in r.err


# ---------------------------------------------------------------- finding pages in text
PAGES = [
    "  江州职业技术学院\n 质量年度报告\n",
    "  目 录\n前言 ..... 1\n一、人才培养 ..... 2\n",
    "  前言\n 正文说到人才培养。\n\n   — 1 —\n",
    "  一、人才培养\n （一）坚持党建引领，构建“三全育人”\n 新格局\n 正文\n   —2—\n",
]


def test_printed_numbers_come_from_the_footer():
    assert printed_numbers(PAGES, "— {n} —") == [None, None, 1, 2]
    assert footer_pattern("第 {n} 页").match("  第12页 ").group(1) == "12"


def test_headings_are_found_in_order_on_numbered_pages_even_when_wrapped():
    found = locate_headings(["前言", "一、人才培养", "（一）坚持党建引领，构建“三全育人”新格局", "附表"],
                            PAGES, printed_numbers(PAGES, "— {n} —"))
    assert found == [1, 2, 2, None]
