"""What Word and WPS really put in files: tracked changes, comments, fields, smart tags, hyperlinks,
footnotes, soft breaks, tabs, full-width spaces, shaded paragraphs, styled headings."""
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from reportgen.errors import Problems
from reportgen.load.word import read_section

W = nsdecls("w", "r")


def _para(d, inner: str, ppr: str = ""):
    p = parse_xml(f"<w:p {W}>{ppr}{inner}</w:p>")
    d.element.body.insert(len(d.element.body) - 1, p)     # before the final sectPr


def _r(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _footnotes(d, text: str) -> None:
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {W}>'
           f'<w:footnote w:id="1"><w:p>{_r(text)}</w:p></w:footnote></w:footnotes>').encode("utf-8")
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml, d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)


def make(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("一、用标题样式的一章", level=1)
    d.add_heading("(一) 用标题样式的一节", level=2)
    _para(d, _r("保留") + f"<w:ins w:id='1' w:author='a' w:date='2024-01-01T00:00:00Z'>{_r('插入的')}</w:ins>"
          + "<w:del w:id='2' w:author='a' w:date='2024-01-01T00:00:00Z'><w:r><w:delText>删除的</w:delText></w:r></w:del>"
          + "<w:commentRangeStart w:id='0'/>" + _r("文字。") + "<w:commentRangeEnd w:id='0'/>"
          + "<w:r><w:commentReference w:id='0'/></w:r>")
    _para(d, _r("第 ") + "<w:fldSimple w:instr=' PAGE '>" + _r("7") + "</w:fldSimple>" + _r(" 页，")
          + "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText> HYPERLINK \"http://x\" </w:instrText></w:r>"
          + "<w:r><w:fldChar w:fldCharType='separate'/></w:r>" + _r("域的结果") + "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
          + "<w:smartTag w:uri='urn:schemas-microsoft-com:office:smarttags' w:element='place'>" + _r("江州") + "</w:smartTag>"
          + "<w:hyperlink w:anchor='x'>" + _r("链接文字") + "</w:hyperlink>"
          + "<w:r><w:t>脚注处</w:t></w:r><w:r><w:footnoteReference w:id='1'/></w:r>")
    _para(d, "<w:r><w:t xml:space='preserve'>\u3000\u3000第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>制表后</w:t></w:r>")
    _para(d, _r("生师比为 {{ ind.") + _r("生师比", bold=True) + _r(" }}，") + _r("【待补充：", bold=True) + _r("本年数据】"))
    shade = "<w:pPr><w:shd w:val='clear' w:color='auto' w:fill='EEF3F8'/></w:pPr>"
    _para(d, _r("案例：校企共建实训基地"), shade)
    _para(d, _r("基地由企业投入设备。"), shade)
    _para(d, _r("这一段在框外。"))
    _footnotes(d, "数据来源：学校统计。")
    d.save(path)
    return path


def test_what_word_really_writes(tmp_path):
    problems = Problems()
    md = read_section(make(tmp_path / "s.docx"), problems, label="s.docx")
    lines = md.split("\n\n")
    assert lines[0] == "## 用标题样式的一章"           # Heading 1 in a section file is its top level: ##
    assert lines[1] == "### 用标题样式的一节"
    assert lines[2] == "保留插入的文字。"                 # insertion kept, deletion and comment dropped
    assert lines[3] == "第 7 页，域的结果江州链接文字脚注处（注：数据来源：学校统计。）"
    assert lines[4] == "第一行\\\n第二行 制表后"            # soft break kept as a line break, indent dropped
    assert lines[5] == "生师比为 {{ ind.生师比 }}，【待补充：本年数据】"
    assert lines[6] == "::: 案例 校企共建实训基地\n基地由企业投入设备。\n:::"
    assert lines[7] == "这一段在框外。\n"
    assert not problems.items


def test_outline_and_pictures_side_by_side(tmp_path):
    from wordutil import make_section, photo
    from reportgen.load.word import WFigure, outline, read_blocks
    src = make_section(tmp_path / "s.docx", tmp_path)
    entries = [(e.kind, e.level, e.title, str(e.location)) for e in outline(src, Problems())]
    assert entries == [("heading", 2, "深化专业数字化转型", "s.docx › 第 1 段"),
                       ("table", 0, "专业数字化改造项目一览", "s.docx › 表 1"),
                       ("figure", 0, "数字化教室授课现场", "s.docx › 第 8 段"),
                       ("figure", 0, "虚拟仿真实训中心", "s.docx › 第 10 段"),
                       ("case", 0, "数字孪生车间重塑实训教学", "s.docx › 第 12 段")]
    d = docx.Document()
    p = d.add_paragraph()
    for name, color in (("左图说明", "#aa3333"), ("右图说明", "#33aa33")):
        p.add_run().add_picture(str(photo(tmp_path / f"{name}.png", color)))
        p._p.findall(".//" + "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")[-1] \
            .set("descr", name)                                    # Word's 替代文字
    d.add_paragraph("图 3：两张并排的照片")
    d.save(tmp_path / "two.docx")
    problems = Problems()
    md = read_section(tmp_path / "two.docx", problems, media_dir=tmp_path / "m", media_rel="m")
    assert md == '![左图说明](m/two-1.png) ![右图说明](m/two-2.png "两张并排的照片")\n'
    fig = read_blocks(tmp_path / "two.docx", problems)[0]
    assert isinstance(fig, WFigure) and len(fig.images) == 2


def _textbox(paragraphs: list[str]) -> str:
    """A text box as Word 2010+ writes it: a wps shape, with a VML copy for older readers."""
    body = "".join(f"<w:p>{_r(t)}</w:p>" for t in paragraphs)
    wps = ('xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
    return (f'<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            f'<mc:Choice Requires="wps"><w:drawing><wp:anchor {wps}><wp:docPr id="5" name="文本框 5"/>'
            f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:txbx><w:txbxContent>{body}</w:txbxContent></wps:txbx></wps:wsp>'
            f'</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
            f'<w:txbxContent>{body}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
            f'</mc:AlternateContent></w:r>')


def test_text_boxes(tmp_path):
    d = docx.Document()
    _para(d, _r("正文段落。") + _textbox(["案例 3：校企共建产业学院", "学院由企业投入设备，学校派出教师，共同培养学生。"]))
    _para(d, _textbox(["箭头标注"]))
    d.save(tmp_path / "t.docx")
    problems = Problems()
    md = read_section(tmp_path / "t.docx", problems, label="t.docx")
    assert md == "正文段落。\n\n::: 案例 校企共建产业学院\n学院由企业投入设备，学校派出教师，共同培养学生。\n:::\n"
    assert [str(p) for p in problems.items] == ["[警告] t.docx › 第 2 段：文本框中的文字“箭头标注”未导入（短小的文本框多为图中的标注）"]

def test_reference_keeps_full_width_brackets_inside_its_quoted_name(tmp_path):
    """Word types smart quotes and full-width punctuation: the reference's syntax becomes ASCII, the
    indicator's own name (国（境）外) is left as written, or the name would not be found."""
    d = docx.Document()
    _para(d, _r("留学生 {{ ind[“全日制国（境）外") + _r("留学生人数”] }}，获奖 {{ count（“awards”，") + _r(" level＝“省级”） }} 项"))
    d.save(tmp_path / "s.docx")
    md = read_section(tmp_path / "s.docx", Problems(), label="s.docx")
    assert '{{ ind["全日制国（境）外留学生人数"] }}' in md
    assert '{{ count("awards", level="省级") }}' in md
