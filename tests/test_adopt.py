"""`reportgen init DIR --from 去年报告.docx`: last year's report as the new project's starting point."""
import re
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from conftest import DEMO
from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack
from wordutil import seed_docx

from seedtables import SEEDS
LABEL = re.compile(r"^(表|附表|图|案例) ?\d+[\u3000：]")


def _counts(path: Path) -> dict:
    """Chapters, tables, cases and figures of a draft, read back with python-docx."""
    d = docx.Document(str(path))
    heading1 = {s.style_id for s in d.styles if s.name.lower() in ("heading 1", "标题 1")}
    counts = {"chapters": 0, "表": 0, "附表": 0, "图": 0, "案例": 0}
    for p in d.element.body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
        style = p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
        if style is not None and style.get(qn("w:val")) in heading1:
            counts["chapters"] += 1
        m = LABEL.match(text)
        if m:
            counts[m.group(1)] += 1
    counts["tables"] = len(d.tables)
    return counts


def _rows(path: Path) -> list:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [r for r in rows if not any(str(v).replace(" ", "") in ("合计", "总计") for v in r.values())]


def _plain(row: dict) -> dict:
    return {k: str(v) for k, v in row.items() if k != "序号" and v not in (None, "")}


def test_round_trip_of_the_demo_draft(demo_docx, tmp_path, run):
    y = tmp_path / "Y"
    r = run("init", y, "--from", demo_docx)
    assert r.code == 0, r.text
    pack = load_pack(find_pack("annual-2024"))
    # every chapter and every section heading of the demo is back, in its chapter
    for ch in pack.chapters:
        demo_dir = DEMO / "narrative" / ch.id
        if not demo_dir.is_dir():
            continue
        ours = "\n".join(p.read_text(encoding="utf-8") for p in sorted((y / "narrative" / ch.id).glob("*.md")))
        for md in sorted(demo_dir.glob("*.md")):
            for line in md.read_text(encoding="utf-8").splitlines():
                if line.startswith("#") and "{{" not in line:
                    assert line.strip() in ours.splitlines(), (ch.id, line)
    # all 15 detail tables are data again, row for row
    demo_tables = {p.stem: _rows(p) for p in (DEMO / "data" / "tables").glob("*.yaml") if _rows(p)}
    assert len(demo_tables) == 15
    for tid, rows in demo_tables.items():
        got = _rows(y / "data" / "tables" / f"{tid}.yaml")
        assert len(got) == len(rows), tid
        assert [_plain(x) for x in got] == [_plain(x) for x in rows], tid
        assert f"data/tables/{tid}.yaml  {len(rows)} 行" in r.out
    # narrative inserts the tables where they were, as references, not as typed tables
    text = "\n".join(p.read_text(encoding="utf-8") for p in (y / "narrative").rglob("*.md"))
    for tid in demo_tables:
        assert f'{{{{ table("{tid}") }}}}' in text
    assert "::: 表格" not in text
    # numbers to review, with where they were
    review = (y / "去年的数字.md").read_text(encoding="utf-8")
    assert re.search(r"\| 16238 人 \|.*\| demo\.docx › 第 \d+ 段 \| narrative/preface/01-overview\.md \|", review)
    assert "去年的数字：正文中有" in r.out
    assert "江州职业技术学院" in (y / "report.yaml").read_text(encoding="utf-8")
    # and the project builds into a report of the same shape
    out = tmp_path / "Y.docx"
    b = run("build", y, "-o", out)
    assert b.code == 0, b.text
    assert _counts(out) == _counts(demo_docx)
    assert _counts(out)["案例"] == 25 and _counts(out)["图"] == 17


def test_round_trip_of_another_pack(tmp_path, run):
    """The 中职 2022 frame: per-chapter numbering, a 案例 chapter, indicator tables inside chapters."""
    src = DEMO.parent / "zhongzhi-2022-demo"
    draft = tmp_path / "zz.docx"
    assert run("build", src, "-o", draft).code == 0
    y = tmp_path / "Y"
    r = run("init", y, "--from", draft, "--pack", "zhongzhi-2022")
    assert r.code == 0, r.text
    assert "指标表 3 张由 data/indicators.yaml 重新计算" in r.out     # computed again from indicators
    # the raw values those tables print come back under their years, as the demo has them
    theirs = yaml.safe_load((src / "data" / "indicators.yaml").read_text(encoding="utf-8"))
    ours = yaml.safe_load((y / "data" / "indicators.yaml").read_text(encoding="utf-8"))
    assert len(ours) >= 10
    for name, years in ours.items():
        for year, value in years.items():
            assert float(str(theirs[name][year]).replace(",", "")) == value, (name, year)
    assert "（未找到）" not in r.out and "{{" not in r.out.split("转为数据的表")[0]
    for p in (src / "data" / "tables").glob("*.yaml"):
        if _rows(p):
            assert len(_rows(y / "data" / "tables" / p.name)) == len(_rows(p)), p.name
    out = tmp_path / "Y.docx"
    assert run("build", y, "-o", out).code == 0
    assert _counts(out) == _counts(draft)


def test_init_from_refuses_an_existing_folder(demo_docx, tmp_path, run):
    y = tmp_path / "Y"
    y.mkdir()
    (y / "notes.txt").write_text("mine", encoding="utf-8")
    r = run("init", y, "--from", demo_docx)
    assert r.code == 2 and "不会覆盖" in r.err
    assert sorted(p.name for p in y.iterdir()) == ["notes.txt"]


SEED = sorted(SEEDS.glob("000_*.txt"))


@pytest.mark.skipif(not SEED, reason="seed report 000 not present")
def test_a_report_written_by_other_hands(tmp_path, run):
    src = seed_docx(SEED[0], tmp_path / "去年报告.docx")
    y = tmp_path / "Y"
    r = run("init", y, "--from", src, "--pack", "annual-2024")
    assert r.code == 0, r.text
    rows = {line.split()[0]: line for line in r.out.splitlines() if line.strip()}
    for title in ("前言", "人才培养", "服务贡献", "文化传承", "国际合作", "产教融合", "发展保障", "面临挑战"):
        assert title in rows and "（未找到）" not in rows[title], title
        pack_id = {"前言": "preface", "人才培养": "talent", "服务贡献": "service", "文化传承": "culture",
                   "国际合作": "international", "产教融合": "integration", "发展保障": "support",
                   "面临挑战": "challenges"}[title]
        assert list((y / "narrative" / pack_id).glob("*.md")), title
    # sections typed as （一）… are sections of their chapter
    talent = "\n".join(p.read_text(encoding="utf-8") for p in (y / "narrative" / "talent").glob("*.md"))
    assert "## 传习如磐信念，红色铸魂育新人" in talent
    review = (y / "去年的数字.md").read_text(encoding="utf-8")
    located = re.findall(r"\| 去年报告\.docx › 第 (\d+) 段 \| narrative/", review)
    assert len(located) > 100
    assert re.search(r"去年报告\.docx › 第 \d+ 段：\d", r.out)
    assert (y / "report.yaml").is_file()
    b = run("validate", y)
    assert b.code == 0, b.text


def test_unmatched_chapters_go_to_the_nearest_chapter(tmp_path, run):
    d = docx.Document()
    d.add_paragraph("江州职业技术学院")
    d.add_paragraph("2023年质量年度报告")
    d.add_paragraph("目 录")
    d.add_paragraph("学校概况……………………1")
    d.add_paragraph("一、人才培养……………………3")
    long = "学校坚持立德树人，全年开展各类育人活动，覆盖全体在校学生，育人成效持续显现，得到社会各界广泛认可。"
    d.add_heading("学校概况", level=1)                       # not a chapter of the pack, before any that is
    d.add_paragraph(long)
    d.add_paragraph(long)
    d.add_heading("一、人才培养", level=1)
    d.add_heading("（一）党建引领，立德树人", level=2)
    d.add_paragraph(long)
    d.add_heading("二、校园安全", level=1)                   # not a chapter of the pack, after one that is
    d.add_paragraph(long)
    d.add_heading("三、服务贡献", level=1)
    d.add_paragraph(long)
    d.save(tmp_path / "r.docx")
    y = tmp_path / "Y"
    r = run("init", y, "--from", tmp_path / "r.docx")
    assert r.code == 0, r.text
    talent = sorted((y / "narrative" / "talent").glob("*.md"))
    assert [p.name for p in talent] == ["01-学校概况.md", "02-party.md", "03-校园安全.md"]
    assert talent[0].read_text(encoding="utf-8").startswith("## 学校概况\n\n学校坚持立德树人")
    assert "原文保存在 去年报告的其余部分.md：江州职业技术学院、2023年质量年度报告、目录" in r.out
    assert "一、人才培养……………………3" in (y / "去年报告的其余部分.md").read_text(encoding="utf-8")
    report = (y / "report.yaml").read_text(encoding="utf-8")
    # the 2023 report covered 2022: this year's is the 2024 edition with 2023's data
    assert "name: 江州职业技术学院" in report and "year: 2023" in report and "edition: 2024" in report
