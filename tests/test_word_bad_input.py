"""Word files that cannot be read: a located Chinese message, exit 1, nothing half-written."""
import io
import shutil
import struct
import zipfile
from pathlib import Path

import docx
import pytest

from reportgen.errors import Problems
from reportgen.load.word import read_section
from reportgen.load.word import media as word_media
from wordutil import photo

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _good(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("（一）正常的小节")
    d.add_paragraph("正文。")
    d.save(path)
    return path


def _replace_member(path: Path, name: str, data: bytes) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, data if info.filename == name else src.read(info.filename))


def old_doc(path):
    path.write_bytes(OLE + b"\0" * 4000)


def not_docx(path):
    path.write_text("这不是 Word 文件，只是改了扩展名。", encoding="utf-8")


def corrupt(path):
    _good(path)
    _replace_member(path, "word/document.xml", b"<w:document xmlns:w='x'><w:body><w:p>")


def zip_bomb(path):
    _good(path)
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        with out.open("word/media/huge.bin", "w") as f:       # 64 MB of zeros, ~64 KB packed
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                f.write(chunk)


def entities(path):
    _good(path)
    body = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n')
    body = lol + body.split("?>", 1)[1].replace("正文。", "&c;")
    _replace_member(path, "word/document.xml", body.encode("utf-8"))


BAD = {"old_doc": (old_doc, "另存为"), "not_docx": (not_docx, "不是 Word 文档"),
       "corrupt": (corrupt, "已损坏"), "zip_bomb": (zip_bomb, "压缩炸弹"), "entities": (entities, "实体")}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_section_file_in_build(kind, demo, tmp_path, run):
    make, words = BAD[kind]
    make(demo / "narrative" / "talent" / "07-部门来稿.docx")
    out = tmp_path / "draft.docx"
    out.write_bytes(b"previous draft")
    r = run("build", demo, "-o", out)
    assert r.code == 1
    assert "narrative/talent/07-部门来稿.docx：" in r.err and words in r.err
    assert out.read_bytes() == b"previous draft"          # the previous output is untouched


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_report_for_init_from(kind, tmp_path, run):
    make, words = BAD[kind]
    src = tmp_path / "去年报告.docx"
    make(src)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run("init", tmp_path / "Y", "--from", src)
    assert r.code == 1
    assert "去年报告.docx：" in r.err and words in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before     # no project, no scratch folder left


def test_old_wps_file_named_doc(tmp_path, run):
    src = tmp_path / "去年报告.wps"
    old_doc(src)
    r = run("init", tmp_path / "Y", "--from", src)
    assert r.code == 1 and "另存为” Word 文档（.docx）" in r.err


def test_old_doc_in_narrative_is_named(demo, run):
    old_doc(demo / "narrative" / "talent" / "07-部门来稿.doc")
    r = run("validate", demo)
    assert r.code == 1
    assert "narrative/talent/07-部门来稿.doc：" in r.err and "另存为” Word 文档（.docx）" in r.err


def _with_emf(path: Path, tmp: Path) -> Path:
    """A section whose picture is an EMF (a drawing pasted from Visio or old Office)."""
    d = docx.Document()
    d.add_paragraph().add_run().add_picture(str(photo(tmp / "p.png", "#336699")))
    d.add_paragraph("图 1 组织架构图")
    d.save(path)
    z = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    png = next(n for n in z.namelist() if n.startswith("word/media/"))
    with zipfile.ZipFile(path, "w") as out:
        for n in z.namelist():
            data = z.read(n)
            if n == png:
                out.writestr("word/media/image1.emf", b"\x01\0\0\0 not a real EMF")
                continue
            if n in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                data = data.replace(png.split("/")[-1].encode(), b"image1.emf")
                if n == "[Content_Types].xml":
                    data = data.replace(b"</Types>", b'<Default Extension="emf" ContentType="image/x-emf"/></Types>')
            out.writestr(n, data)
    return path


def test_emf_picture_without_libreoffice_becomes_a_placeholder(tmp_path, monkeypatch):
    src = _with_emf(tmp_path / "s.docx", tmp_path)
    monkeypatch.setattr(word_media.shutil, "which", lambda name: None)
    problems = Problems()
    md = read_section(src, problems, label="s.docx", media_dir=tmp_path / "m", media_rel="m")
    assert "【待补充：图片“组织架构图”未能读取（EMF 格式的图片需要安装 LibreOffice 才能转换" in md
    assert any("s.docx › 第 1 段" in str(p) for p in problems.warnings)
    assert "组织架构图" in md


def _emf() -> bytes:
    """A small real EMF: a filled rectangle (header, brush, select, rectangle, end-of-file records)."""
    records = [struct.pack("<IIIIII", 39, 24, 1, 0, 0x00996633, 0), struct.pack("<III", 37, 12, 1),
               struct.pack("<II4i", 43, 24, 10, 10, 190, 90), struct.pack("<IIIII", 14, 20, 0, 16, 20)]
    body = b"".join(records)
    header = struct.pack("<II4i4iIIIIHHIIIiiii", 1, 88, 0, 0, 199, 99, 0, 0, 5291, 2645, 0x464D4520, 0x10000,
                         88 + len(body), len(records) + 1, 2, 0, 0, 0, 0, 1024, 768, 320, 240)
    return header + body


DRAW = Path("/usr/lib/libreoffice/share/registry/draw.xcd")


@pytest.mark.skipif(shutil.which("soffice") is None or not DRAW.is_file(),
                    reason="LibreOffice with its Draw component is not installed")
def test_emf_picture_is_converted_with_libreoffice(tmp_path):
    from PIL import Image
    src = _with_emf(tmp_path / "s.docx", tmp_path)
    _replace_member(src, "word/media/image1.emf", _emf())
    problems = Problems()
    md = read_section(src, problems, label="s.docx", media_dir=tmp_path / "m", media_rel="m")
    assert "![组织架构图](m/s-1.png)" in md, md
    with Image.open(tmp_path / "m" / "s-1.png") as img:
        assert img.width > 10 and img.convert("RGB").getpixel((img.width // 2, img.height // 2)) != (255, 255, 255)
    assert not problems.items


def test_embedded_alt_chunk_is_named_not_dropped_silently(tmp_path):
    """Text pasted from a web page can sit in the .docx as a whole embedded HTML file (w:altChunk)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    d = docx.Document()
    d.add_paragraph("（一）正常的小节")
    first = d.add_paragraph("正文第一段。")
    d.add_paragraph("正文第二段。")
    html = "<html><body><p>从网页粘贴的一段文字</p></body></html>".encode("utf-8")
    chunk = Part(PackURI("/word/afchunk1.htm"), "text/html", html, d.part.package)
    rid = d.part.relate_to(chunk, RT.A_F_CHUNK)
    first._p.addnext(parse_xml(f'<w:altChunk xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                               f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"/>'))
    path = tmp_path / "网页粘贴.docx"
    d.save(path)
    problems = Problems()
    markdown = read_section(path, problems)
    assert "正文第一段" in markdown and "正文第二段" in markdown
    [w] = [p for p in problems.warnings if "altChunk" in p.message]
    assert str(w.location) == "网页粘贴.docx › 第 2 段" and "未能导入" in w.message
