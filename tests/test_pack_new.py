"""`reportgen pack new`: from a pack (--from) and from a frame document as provinces send it (--outline)."""
import re
import shutil

import docx
import pytest

from conftest import DEMO
from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack

NUMERALS = "一二三四五六七八九十"


def frame_of(pack, path, tables_under=None, extra_table=None):
    """A frame .docx as a province would send it, written from `pack`'s own chapters, sections, hints and tables:
    "一、章" as 标题 1, "（一）节" as 标题 2, the hint as a paragraph, each table as 表题 + header row."""
    d = docx.Document()
    d.add_paragraph("关于编制年度报告的通知（框架）")
    n_table = 0
    for ch in pack.chapters:
        i = [c for c in pack.chapters if c.numbered].index(ch) if ch.numbered else None
        d.add_heading(f"{NUMERALS[i]}、{ch.title}" if ch.numbered else ch.title, level=1)
        for j, s in enumerate(ch.sections):
            if s.title:
                d.add_heading(f"（{NUMERALS[j]}）{s.title}", level=2)
            if s.hint:
                d.add_paragraph(s.hint)
            for t in (tables_under or {}).get(s.id, ()):
                n_table += 1
                d.add_paragraph(f"表 {n_table}　{t.title.replace('{{ year }}', '2024')}")
                grid = d.add_table(rows=1, cols=len(t.columns) + 1)
                for cell, name in zip(grid.rows[0].cells, ["序号"] + [c.heading for c in t.columns]):
                    cell.text = name
            if extra_table and s.id == extra_table[0]:
                d.add_paragraph(f"表 {n_table + 1}　{extra_table[1]}")
                grid = d.add_table(rows=2, cols=len(extra_table[2]))
                for cell, name in zip(grid.rows[0].cells, extra_table[2]):
                    cell.text = name
    d.save(path)
    return path


def structure(text):
    """The 章节 part of `pack show`: each chapter (numbered title [id]) and its sections, without where they come from."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("章节"))
    out = []
    for ln in lines[start + 1:]:
        if not ln.startswith("  "):
            break
        if not ln.strip().startswith("小节"):
            out.append(ln.split("  模板 ")[0].rstrip())
    assert len(out) > 20
    return out


@pytest.fixture(scope="module")
def annual():
    return load_pack(find_pack("annual-2024"))


def test_from_a_pack_extends_it_and_shows_the_same_structure(run, tmp_path):
    r = run("pack", "new", "mine", "--from", "annual-2024", "-o", tmp_path / "mine")
    assert r.code == 0, r.text
    assert "extends: annual-2024" in (tmp_path / "mine" / "pack.yaml").read_text(encoding="utf-8")
    assert structure(run("pack", "show", tmp_path / "mine").out) == structure(run("pack", "show", "annual-2024").out)


def test_outline_of_annual_2024_gives_its_structure_and_keeps_its_tables(run, tmp_path, annual):
    under = {"majors": [annual.tables["certificates"]], "transfer": [annual.tables["tech_transfer"]]}
    frame = frame_of(annual, tmp_path / "框架.docx", under)
    r = run("pack", "new", "frame24", "--outline", frame, "--extends", "annual-2024", "-o", tmp_path / "frame24")
    assert r.code == 0, r.text
    assert not (tmp_path / "frame24" / "tables.yaml").exists()          # both tables are the base pack's
    new = load_pack(tmp_path / "frame24")
    assert [(c.id, c.title, c.numbered) for c in new.chapters] == [(c.id, c.title, c.numbered) for c in annual.chapters]
    assert [[(s.id, s.title, s.hint) for s in c.sections] for c in new.chapters] == \
        [[(s.id, s.title, s.hint) for s in c.sections] for c in annual.chapters]
    assert structure(run("pack", "show", tmp_path / "frame24").out) == structure(run("pack", "show", "annual-2024").out)


def test_outline_without_a_base_makes_a_whole_pack_and_lists_what_it_could_not_decide(run, tmp_path, annual):
    frame = frame_of(annual, tmp_path / "框架.docx", extra_table=("employment", "毕业生去向统计表",
                                                                   ["序号", "去向", "人数（人）", "占比（%）"]))
    r = run("pack", "new", "fresh", "--outline", frame, "-o", tmp_path / "fresh")
    assert r.code == 0, r.text
    new = load_pack(tmp_path / "fresh")
    assert [c.title for c in new.chapters] == [c.title for c in annual.chapters]
    assert [c.numbered for c in new.chapters] == [c.numbered for c in annual.chapters]
    t = new.tables["table_1"]
    assert t.title == "毕业生去向统计表"
    assert [(c.name, c.unit) for c in t.columns] == [("去向", ""), ("人数", "人"), ("占比", "%")]
    talent = next(c for c in new.chapters if c.title == "人才培养")
    assert "table_1" in next(s for s in talent.sections if s.title == "就业指导与毕业去向").hint
    assert "各列的类型暂定为文本" in r.out and "关键列" in r.out and "chapter2" in r.out
    assert run("pack", "check", tmp_path / "fresh").code == 0


def test_a_demo_built_with_the_outline_pack_has_the_same_headings(run, tmp_path, annual):
    frame = frame_of(annual, tmp_path / "框架.docx")
    assert run("pack", "new", "frame24", "--outline", frame, "--extends", "annual-2024",
               "-o", tmp_path / "frame24").code == 0
    headings = {}
    for name, pack in (("base", "annual-2024"), ("new", tmp_path / "frame24")):
        proj = tmp_path / name
        shutil.copytree(DEMO, proj, ignore=shutil.ignore_patterns("build"))
        report = proj / "report.yaml"
        report.write_text(re.sub(r"(?m)^pack: \S+", f"pack: {pack}", report.read_text(encoding="utf-8")), encoding="utf-8")
        r = run("build", proj, "-o", tmp_path / f"{name}.docx")
        assert r.code == 0, r.text
        headings[name] = [p.text for p in docx.Document(tmp_path / f"{name}.docx").paragraphs
                          if p.style.name.startswith("Heading")]
    assert headings["new"] == headings["base"] and len(headings["base"]) > 30


def test_bad_uses_are_usage_errors(run, tmp_path, annual):
    assert run("pack", "new", "x", "-o", tmp_path / "x").code == 2
    assert run("pack", "new", "../x", "--from", "annual-2024").code == 2
    (tmp_path / "taken").mkdir()
    r = run("pack", "new", "taken", "--from", "annual-2024", "-o", tmp_path / "taken")
    assert r.code == 2 and "不会覆盖" in r.text
    empty = tmp_path / "empty.docx"
    docx.Document().save(empty)
    r = run("pack", "new", "e", "--outline", empty, "-o", tmp_path / "e")
    assert r.code == 2 and "没有找到标题" in r.text
