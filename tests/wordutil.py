"""Word files made at test time, the way people make them in Word: python-docx plus the raw XML
python-docx has no API for (a floating picture, merged cells, runs split mid-reference)."""
from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree
from PIL import Image, ImageDraw

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"

SECTION_HEADING = "深化专业数字化转型"
LEAD = "数字化转型全面铺开。"
LIST_ITEMS = ["建设数字化课程资源", "改造虚拟仿真实训室", "培训教师数字素养"]
TABLE_TITLE = "专业数字化改造项目一览"
TABLE_ROWS = [["专业群", "项目", "投入（万元）"],
              ["智能制造", "数字孪生产线", "320"],
              ["智能制造", "工业互联网实训平台", "180"],
              ["现代护理", "智慧病房", "150"]]
FIGURE_INLINE = "数字化教室授课现场"
FIGURE_FLOAT = "虚拟仿真实训中心"
CASE_TITLE = "数字孪生车间重塑实训教学"
CASE_TEXT = "学校与合作企业按真实产线搭建数字孪生车间，学生先在虚拟产线上调试，再到实体产线验证。"


def photo(path: Path, color: str, size=(800, 500)) -> Path:
    img = Image.new("RGB", size, color)
    ImageDraw.Draw(img).rectangle([40, 40, size[0] - 40, size[1] - 40], outline="white", width=12)
    img.save(path, "PNG")
    return path


def float_picture(run) -> None:
    """Turn the run's inline picture into a floating one (wp:anchor), as Word writes for "四周型环绕"."""
    inline = run._r.find(".//" + qn("wp:inline"))
    anchor = etree.SubElement(inline.getparent(), f"{{{WP}}}anchor",
                              {"distT": "0", "distB": "0", "distL": "114300", "distR": "114300",
                               "simplePos": "0", "relativeHeight": "251658240", "behindDoc": "0",
                               "locked": "0", "layoutInCell": "1", "allowOverlap": "1"})
    etree.SubElement(anchor, f"{{{WP}}}simplePos", {"x": "0", "y": "0"})
    for tag, rel in (("positionH", "column"), ("positionV", "paragraph")):
        pos = etree.SubElement(anchor, f"{{{WP}}}{tag}", {"relativeFrom": rel})
        etree.SubElement(pos, f"{{{WP}}}posOffset").text = "0"
    anchor.append(copy.deepcopy(inline.find(f"{{{WP}}}extent")))
    etree.SubElement(anchor, f"{{{WP}}}effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"})
    etree.SubElement(anchor, f"{{{WP}}}wrapSquare", {"wrapText": "bothSides"})
    for child in inline:
        if etree.QName(child).localname in ("docPr", "cNvGraphicFramePr", "graphic"):
            anchor.append(copy.deepcopy(child))
    inline.getparent().remove(inline)


def split_runs(paragraph, pieces: list[tuple[str, dict]]) -> None:
    for text, fmt in pieces:
        run = paragraph.add_run(text)
        run.bold = fmt.get("bold")
        run.italic = fmt.get("italic")


def make_section(path: Path, tmp: Path, table_id: str = "certificates") -> Path:
    """The Must-show section: typed （二） heading, bold lead, numbered list, captioned table with a merged
    cell, two pictures (one floating) with captions, a case, and a count() split over three runs."""
    d = docx.Document()
    d.add_paragraph(f"（二）{SECTION_HEADING}")
    p = d.add_paragraph()
    p.add_run(LEAD).bold = True
    p.add_run("学校推进专业数字化改造，")
    split_runs(p, [("全年推行证书 {{ count(", {}), ("“" + table_id + "”", {"bold": True}), (") }} 个。", {"italic": True})])
    for item in LIST_ITEMS:
        d.add_paragraph(item, style="List Number")
    d.add_paragraph(f"表 1  {TABLE_TITLE}")
    t = d.add_table(rows=len(TABLE_ROWS), cols=3)
    t.style = "Table Grid"
    for i, row in enumerate(TABLE_ROWS):
        for j, text in enumerate(row):
            if not (i == 2 and j == 0):
                t.cell(i, j).text = text
    t.cell(1, 0).merge(t.cell(2, 0))          # 智能制造 over two rows
    t.cell(1, 0).paragraphs[-1].text = ""
    for extra in t.cell(1, 0).paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    t.cell(1, 0).paragraphs[0].text = "智能制造"
    d.add_paragraph("数字化教学场景如下。")
    d.add_paragraph().add_run().add_picture(str(photo(tmp / "a.png", "#3366aa")), width=Mm(120))
    d.add_paragraph(f"图 1  {FIGURE_INLINE}")
    run = d.add_paragraph().add_run()
    run.add_picture(str(photo(tmp / "b.png", "#aa6633", (600, 600))), width=Mm(80))
    float_picture(run)
    d.add_paragraph(f"图 2 {FIGURE_FLOAT}")
    d.add_paragraph(f"案例 1：{CASE_TITLE}")
    d.add_paragraph(CASE_TEXT)
    d.save(path)
    return path


def soffice_resave(src: Path, outdir: Path) -> Path | None:
    """The file as LibreOffice writes it (`soffice --convert-to docx`), or None without LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + ".docx")
    return out if out.is_file() else None


SEED_HEADING = [r"^[一二三四五六七八九十]+、", r"^[（(][一二三四五六七八九十]+[）)]", r"^前\s*言$", r"^案例\s*\d+", r"^[表图]\s*\d+"]


def seed_docx(txt: Path, out: Path) -> Path:
    """A report someone else wrote, retyped into Word from its text (a PDF's text: lines wrapped at the page
    width, blank lines between them). Lines are joined into paragraphs until a line ends short of the
    width; lines that open a heading, case or caption start their own paragraph, set in bold as a typist
    does — no Word heading styles, the numbers stay typed."""
    import re
    lines = [ln.strip() for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip()]
    lengths = sorted(len(ln) for ln in lines)
    full = lengths[len(lengths) * 3 // 4]              # a line that runs to the right margin
    starts = [re.compile(p) for p in SEED_HEADING]
    paragraphs: list[list[str]] = []
    open_para = False
    for ln in lines:
        special = any(rx.match(ln) for rx in starts)
        if special or not open_para:
            paragraphs.append([ln])
        else:
            paragraphs[-1].append(ln)
        open_para = len(ln) >= full - 3 and not (special and len(ln) < full - 3)
    d = docx.Document()
    for para in paragraphs:
        text = "".join(para)
        bold = any(rx.match(text) for rx in starts[:4])
        d.add_paragraph().add_run(text).bold = bold
    d.save(out)
    return out
