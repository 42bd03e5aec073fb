"""`reportgen pack new`: from a pack (--from) and from a frame document as provinces send it (--outline)."""
import re
import shutil

import docx
import pytest
import yaml

from conftest import DEMO
from seeddocs import direct, pandoc, seed, structure_001, to_markdown
from wordutil import soffice_resave
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
    assert "各列的类型暂定为文本" in r.out and "关键列" in r.out
    # chapter ids: what the built-in packs call a chapter of that title (人才培养 → talent), else chapterN to rename
    assert [c.id for c in new.chapters] == [c.id for c in annual.chapters] and "暂定为 chapter" not in r.out
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


# ---------------------------------------------------------------- documents as schools and provinces have them
SEED_001_CHAPTERS = ["学校概况", "学生发展", "教学改革", "教师发展", "政策保障", "国际合作", "服务贡献", "机遇挑战"]
YEAR_HEADER = re.compile(r"^(19|20)\d\d年?度?$")


def seed_report(shape, tmp_path):
    """Seed 001 (a 中职 report with a cover, a typed 目录, a closing case and four indicator tables) as a .docx."""
    if seed("001") is None:
        pytest.skip("seed 001 not available")
    blocks = structure_001(seed("001"))
    if shape == "direct":
        return direct(blocks, tmp_path / "001.docx")
    return pandoc(to_markdown(blocks), tmp_path / "001.docx")


def made_from(run, frame, folder, *extends):
    r = run("pack", "new", folder.name, "--outline", frame, *extends, "-o", folder)
    assert r.code == 0, r.text
    tables = folder / "tables.yaml"
    return r, load_pack(folder), (yaml.safe_load(tables.read_text(encoding="utf-8")) if tables.exists() else {})


@pytest.mark.parametrize("shape", ["pandoc", "direct"])
def test_a_published_report_gives_its_chapters_detail_tables_and_column_kinds(run, tmp_path, shape):
    frame = seed_report(shape, tmp_path)
    r, new, tables = made_from(run, frame, tmp_path / "p001", "--extends", "annual-2024")
    titles = [c.title for c in new.chapters]
    # the cover, the typed 目录 and the sign-off are no chapters; the closing case is one, its 一、 its sections;
    # the closing 质量数据表 (a heading in pandoc's shape, a plain line in the other) is the base pack's 附表
    assert titles[:8] == SEED_001_CHAPTERS and titles[8].startswith("案例：")
    assert titles[9:] == (["附表"] if shape == "pandoc" else [])
    assert "“目录”不作为章" in r.out and "第一章之前的 6 段" in r.out
    case = new.chapters[8]
    assert [s.title for s in case.sections][:2] == ["背景", "产教融合、校企合作赋能产业转型发展的路径"]
    # the four indicator tables (指标 | 单位 | 2021年 …) are said as indicators, never detail tables
    assert len(tables) == 7
    for t in tables.values():
        assert not any(YEAR_HEADER.match(c["name"]) or "指标" in c["name"] for c in t["columns"]), t
    assert r.out.count("按年份列出的指标表") == 4
    assert "多数在附表“学生发展质量表”中" in r.out          # matched to the base pack's appendix where it has them
    # column kinds from the rows, as the build reads cells; 合计 rows and a shifted cell do not decide them
    by_title = {t["title"]: {c["name"]: c for c in t["columns"]} for t in tables.values()}
    majors = by_title["学校专业设置及在校生情况一览表"]
    assert majors["在校生数"]["type"] == "integer" and majors["所属系部"].get("merge")
    assert "第 18 行“建筑工程施工”不是整数" in r.out
    assert by_title["本年度学校完成社会培训汇总表"]["培训人数"]["type"] == "integer"
    assert by_title["本年度学校完成社会培训汇总表"]["合作单位"].get("required")        # the key: every row its own
    assert by_title["部分教师获得市级以上荣誉一览表"]["时间"]["type"] == "date"
    assert set(by_title["教学团队参加省级教学竞赛获奖情况"]["获得奖项"]["choices"]) == {"一等奖", "二等奖", "三等奖"}
    assert "暂定为文本" not in r.out
    # the reader's repeated warning is said once with its count
    assert r.out.count("像是图注") == 4 and "共 14 处" in r.out
    assert run("pack", "check", tmp_path / "p001").code == 0


def test_a_report_resaved_by_libreoffice_gives_the_same_pack(run, tmp_path):
    """The pandoc shape saved again by LibreOffice (soffice --convert-to docx) reads as the pandoc shape does."""
    original = seed_report("pandoc", tmp_path)
    resaved = soffice_resave(original, tmp_path / "resaved")
    if resaved is None:
        pytest.skip("LibreOffice not available")
    packs = [made_from(run, path, tmp_path / name, "--extends", "annual-2024")
             for path, name in ((original, "a"), (resaved, "b"))]
    (_, a, tables_a), (_, b, tables_b) = packs
    assert [(c.title, [s.title for s in c.sections]) for c in b.chapters] == \
        [(c.title, [s.title for s in c.sections]) for c in a.chapters]
    assert tables_b == tables_a


def test_a_group_report_s_title_is_no_chapter_and_its_chapters_match_the_base_s(run, tmp_path):
    """Seed 004 as it is (the title at #, chapters at ##): the title, the date and place, the 称呼 and the
    sign-off are no chapters; 集团 2023 年度工作回顾与总结 is jituan's 集团{{ year }}年度… in another year."""
    if seed("004") is None:
        pytest.skip("seed 004 not available")
    frame = pandoc(seed("004").read_text(encoding="utf-8"), tmp_path / "004.docx")
    r, new, _ = made_from(run, frame, tmp_path / "p004", "--extends", "jituan")
    assert [(c.id, c.title) for c in new.chapters] == [("review", "集团{{ year }}年度工作回顾与总结"),
                                                       ("plan", "集团{{ year + 1 }}年度工作计划")]
    assert [len(c.sections) for c in new.chapters] == [5, 4]
    assert "第一章之前的 5 段" in r.out and "文末的落款不作为章的内容" in r.out
    assert run("pack", "check", tmp_path / "p004").code == 0


def test_a_project_made_with_a_report_s_pack_builds_its_chapters(run, tmp_path):
    frame = seed_report("pandoc", tmp_path)
    made_from(run, frame, tmp_path / "p001", "--extends", "annual-2024")
    assert run("init", tmp_path / "proj", "--pack", tmp_path / "p001").code == 0
    r = run("build", tmp_path / "proj", "-o", tmp_path / "draft.docx")
    assert r.code == 0, r.text
    chapters = [p.text for p in docx.Document(tmp_path / "draft.docx").paragraphs if p.style.name == "Heading 1"]
    numbered = [f"{NUMERALS[i]}、{t}" for i, t in enumerate(SEED_001_CHAPTERS)]
    assert chapters[:8] == numbered and chapters[8].startswith("案例：") and chapters[9:] == ["附表"]


def province_frame(path):
    """A frame as a province's 通知附件 is: a title and cover lines, a typed 目录, chapters and sections as
    headings with guidance under them, tables with a caption and only a header row (an indicator table among
    them), and the date it was signed."""
    d = docx.Document()
    for line in ("附件 2", "职业学校质量年度报告编制框架", "（2025年度）"):
        d.add_paragraph(line)
    d.add_heading("目录", level=1)
    d.add_paragraph("一、学校概况\t1")
    outline = {"学校概况": [("办学基本情况", "学校性质、办学规模、专业设置，500 字左右。",
                               ("专业设置一览表", ["序号", "专业名称", "专业代码", "在校生数（人）"]))],
               "学生发展": [("在校体验", "学生满意度调查结果，不少于 300 字。", None),
                            ("就业质量", "毕业去向与就业质量。",
                             ("学生发展质量表", ["指标", "单位", "2024年", "2025年"]))],
               "服务贡献": [("社会培训", "面向社会开展培训的情况。",
                               ("社会培训情况表", ["序号", "培训项目", "培训人数（人次）", "培训时间"]))]}
    for i, (chapter, sections) in enumerate(outline.items()):
        d.add_heading(f"{NUMERALS[i]}、{chapter}", level=1)
        for j, (title, hint, table) in enumerate(sections):
            d.add_heading(f"（{NUMERALS[j]}）{title}", level=2)
            d.add_paragraph(hint)
            if table:
                d.add_paragraph(f"表 {i + 1}-{j + 1}　{table[0]}")
                grid = d.add_table(rows=2, cols=len(table[1]))
                for cell, name in zip(grid.rows[0].cells, table[1]):
                    cell.text = name
    d.add_paragraph("2025年11月20日")
    d.save(path)
    return path


def test_a_province_frame_gives_chapters_hints_and_undecided_columns(run, tmp_path):
    frame = province_frame(tmp_path / "框架.docx")
    r, new, tables = made_from(run, frame, tmp_path / "frame")
    assert [c.title for c in new.chapters] == ["学校概况", "学生发展", "服务贡献"]
    assert [[(s.title, s.hint.split("（")[0]) for s in c.sections] for c in new.chapters][1] == \
        [("在校体验", "学生满意度调查结果，不少于 300 字。"), ("就业质量", "毕业去向与就业质量。")]
    assert [t["title"] for t in tables.values()] == ["专业设置一览表", "社会培训情况表"]
    assert [(c["name"], c["type"], c.get("unit")) for c in tables["table_2"]["columns"]] == \
        [("培训项目", "text", None), ("培训人数", "text", "人次"), ("培训时间", "text", None)]
    assert r.out.count("各列的类型暂定为文本") == 2 and "关键列" in r.out
    assert "按年份列出的指标表，应在 indicators.yaml/appendix.yaml 中定义：表“学生发展质量表”" in r.out
    assert "“目录”不作为章" in r.out and "文末的落款不作为章的内容" in r.out and "2025年11月20日" in r.out
    assert not any("2025年11月" in s.hint for c in new.chapters for s in c.sections)
    assert run("pack", "check", tmp_path / "frame").code == 0
