"""Typography in a pack: one record per heading level; the old three lists still read, with a located warning."""
import shutil

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from reportgen.doc.model import Document, Heading, HeadingStyle, Paragraph, Text, Typography
from reportgen.errors import CheckFailed, Problems
from reportgen.pack import BUILTIN_PACKS
from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack
from reportgen.write.docx_writer import write_docx

# last year's project pack, written when typography held three lists indexed by level
OLD_SHAPE = """typography:
  body_size: 16
  heading_fonts: [黑体, 楷体_GB2312, 宋体]
  heading_sizes: [18, 15]
  heading_bold: [true, false]
"""


def overlay(tmp_path, text: str):
    (tmp_path / "pack").mkdir(parents=True, exist_ok=True)
    (tmp_path / "pack" / "pack.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "pack"


def word_headings(typography: Typography, path) -> dict[int, tuple]:
    """Each Heading N style of a .docx written with this typography: (east-asian font, size, bold)."""
    write_docx(Document(None, [Heading(1, "一、", "标题"), Paragraph([Text("正文")])], typography=typography), path)
    styles = docx.Document(str(path)).styles
    out = {}
    for level in range(1, 5):
        s = styles[f"Heading {level}"]
        out[level] = (s.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), s.font.size.pt, bool(s.font.bold))
    return out


def test_old_three_lists_are_read_level_by_level_with_a_warning_at_their_line(tmp_path):
    warnings = Problems()
    pack = load_pack(find_pack("annual-2024"), overlay=overlay(tmp_path, OLD_SHAPE), warnings=warnings)
    t = pack.typography
    # as the writer read the lists: a level past a list's end took its last item
    assert t.heading(1) == HeadingStyle("黑体", 18, True)
    assert t.heading(2) == HeadingStyle("楷体_GB2312", 15, False)
    assert t.heading(3) == HeadingStyle("宋体", 15, False)
    assert t.heading(4) == HeadingStyle("宋体", 15, False)
    assert word_headings(t, tmp_path / "old.docx") == {1: ("黑体", 18, True), 2: ("楷体_GB2312", 15, False),
                                                       3: ("宋体", 15, False), 4: ("宋体", 15, False)}
    [w] = warnings.items
    assert not w.is_error
    assert str(w.location) == "pack/pack.yaml:3（typography › heading_fonts）"
    assert "旧写法" in w.message and "heading_fonts、heading_sizes、heading_bold" in w.message


def test_the_shape_the_warning_shows_reads_the_same_and_without_a_warning(tmp_path):
    warnings = Problems()
    old = load_pack(find_pack("annual-2024"), overlay=overlay(tmp_path / "old", OLD_SHAPE), warnings=warnings)
    shown = warnings.items[0].message.split("\n", 1)[1]          # the YAML the office is asked to paste in
    assert shown.startswith("  headings:\n    1: {font: 黑体, size: 18, bold: true}\n")
    new_text = OLD_SHAPE.split("  heading_fonts")[0] + shown + "\n"          # pasted in place of the three lists
    again = Problems()
    new = load_pack(find_pack("annual-2024"), overlay=overlay(tmp_path / "new", new_text), warnings=again)
    assert again.items == []
    assert new.typography == old.typography


def test_pack_check_shows_the_old_shape_warning_with_its_line(run, tmp_path):
    pack = tmp_path / "last-year"
    shutil.copytree(BUILTIN_PACKS / "zhongzhi-2022", pack)
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    start = text.index("  headings:")
    end = text.index("  caption_font:")
    old = "  heading_fonts: [黑体, 楷体_GB2312, 仿宋_GB2312, 仿宋_GB2312]\n  heading_sizes: [16, 16, 16, 16]\n" \
          "  heading_bold: [false, false, true, false]\n"
    (pack / "pack.yaml").write_text(text[:start] + old + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    r = run("pack", "check", pack)
    assert r.code == 0, r.text
    assert f"last-year/pack.yaml:{line}" in r.text and "旧写法" in r.text
    assert "1: {font: 黑体, size: 16, bold: false}" in r.text
    assert "3: {font: 仿宋_GB2312, size: 16, bold: true}" in r.text
    # read as the built-in pack it was copied from reads its records
    assert load_pack(pack).typography == load_pack(find_pack("zhongzhi-2022")).typography


def test_a_heading_level_merges_key_by_key_over_the_pack_it_extends(tmp_path):
    base = load_pack(find_pack("annual-2024")).typography
    t = load_pack(find_pack("annual-2024"), overlay=overlay(tmp_path, "typography:\n  headings:\n"
                                                                     "    2: {size: 15}\n")).typography
    assert t.heading(2) == HeadingStyle("楷体_GB2312", 15, False)       # font and bold still the pack's
    assert [t.heading(n) for n in (1, 3, 4)] == [base.heading(n) for n in (1, 3, 4)]


@pytest.mark.parametrize("text, line, words", [
    ("typography:\n  headings:\n    5: {font: 黑体}\n", 3, "无法识别的项：“5”"),
    ("typography:\n  headings:\n    2: {size: 三号}\n", 3, "应为数字"),
    ("typography:\n  headings:\n    2: {font: 黑体, italic: true}\n", 3, "无法识别的项：“italic”"),
    ("typography:\n  body_size: 16\n  heading_sizes: [16, 大]\n", 3, "应为数字"),
    ("typography:\n  heading_font: [黑体]\n", 2, "无法识别的项：“heading_font”"),
])
def test_a_wrong_heading_setting_is_refused_with_its_line(tmp_path, text, line, words):
    with pytest.raises(CheckFailed) as e:
        load_pack(find_pack("annual-2024"), overlay=overlay(tmp_path, text))
    [p] = e.value.problems().errors
    assert p.location.file == "pack/pack.yaml" and p.location.line == line, str(p)
    assert words in p.message, str(p)


def test_levels_past_the_last_declared_look_like_the_last(tmp_path):
    t = Typography(headings={1: HeadingStyle("黑体", 18), 2: HeadingStyle("楷体_GB2312", 15, True)})
    assert t.heading(4) == t.heading(3) == HeadingStyle("楷体_GB2312", 15, True)
    assert word_headings(t, tmp_path / "two.docx")[4] == ("楷体_GB2312", 15, True)


def test_built_in_packs_write_the_records_not_the_lists():
    for pack_yaml in BUILTIN_PACKS.glob("*/pack.yaml"):
        typography = yaml.safe_load(pack_yaml.read_text(encoding="utf-8")).get("typography", {})
        assert not {"heading_fonts", "heading_sizes", "heading_bold"} & set(typography), pack_yaml


def test_pack_show_gives_each_heading_level_and_the_layer_that_changed_it(run, tmp_path):
    (tmp_path / "report.yaml").write_text("extends: annual-2024\n", encoding="utf-8")
    overlay(tmp_path, "typography:\n  headings:\n    2: {size: 15}\n")
    shown = run("pack", "show", tmp_path).out
    assert "typography.headings.2 = {'font': '楷体_GB2312', 'size': 15, 'bold': False}  ← pack/pack.yaml:3" in shown
    assert "typography.headings.1 = {'font': '黑体', 'size': 16, 'bold': False}  ← annual-2024/pack.yaml:" in shown
