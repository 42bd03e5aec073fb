"""The demo as LibreOffice lays it out: 目录 page numbers that are true, charts, nothing over a margin.

Needs LibreOffice (soffice) and poppler-utils; CI installs them (.ci/run). Skipped where missing.
"""
import re
import shutil
from pathlib import Path

import docx
import pytest

from reportgen.cli import main
from reportgen.export import office
from reportgen.export.pages import footer_pattern, locate_headings, printed_numbers
from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack

pdfplumber = pytest.importorskip("pdfplumber")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "annual-2024-demo"
CHAPTERS = ["一、人才培养", "二、服务贡献", "三、文化传承", "四、国际合作", "五、产教融合", "六、发展保障", "七、面临挑战"]
CHART_CAPTIONS = ["近三年横向技术服务到款额", "近三年双师素质专任教师占比", "学生创新创业大赛获奖级别分布"]
PT_PER_MM = 72 / 25.4
TOLERANCE_PT = 1.5
FOOTER = re.compile(r"^—\s*(\d+)\s*—$")

needs_office = pytest.mark.skipif(not (office.have("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                  reason="LibreOffice (soffice) or poppler-utils not installed")


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
        for c in page["chars"]:
            if outside(c, vertical=c not in footer_chars):
                bad.append(f"page {n}: {c['text']!r} at x {c['x0']:.1f}–{c['x1']:.1f}, y {c['top']:.1f}–{c['bottom']:.1f}")
        for kind, o in page["boxes"]:
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


def test_missing_pdftoppm_names_poppler_utils(run, demo, tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "soffice").write_text("#!/bin/sh\nexit 1\n")
    (fake / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    monkeypatch.delenv("REPORTGEN_SOFFICE", raising=False)
    r = run("preview", demo, "-o", tmp_path / "pv")
    assert r.code == 1 and "poppler-utils" in r.err and "pdftoppm" in r.err


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
