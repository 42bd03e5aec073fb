"""The zhongzhi-2022 pack (seed 001's frame): per-chapter numbering, key–value block, two-year 质量数据表."""
import re

import docx
import pytest
from docx.oxml.ns import qn

from conftest import ROOT
from reportgen.cli import main

DEMO = ROOT / "examples" / "zhongzhi-2022-demo"
CHAPTERS = ["一、学校概况", "二、学生发展", "三、教学改革", "四、教师发展", "五、政策保障", "六、国际合作", "七、服务贡献",
            "八、机遇挑战"]


@pytest.fixture(scope="module")
def zz_docx(tmp_path_factory):
    out = tmp_path_factory.mktemp("zz") / "zz.docx"
    assert main(["build", str(DEMO), "-o", str(out)]) == 0
    return docx.Document(str(out))


def texts(d):
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in d.element.body.iter(qn("w:p"))]


def test_cover_and_chapters(zz_docx):
    paras = [p.text for p in zz_docx.paragraphs]
    assert "中等职业教育质量年度报告（2022）" in paras
    level1 = [p.text.strip() for p in zz_docx.paragraphs if p.style.name == "Heading 1"]
    assert level1[:8] == CHAPTERS
    assert level1[8].startswith("案例：") and level1[9] == "江州市第一职业中等专业学校质量数据表"


def test_captions_are_numbered_per_chapter(zz_docx):
    caps = [m.groups() for t in texts(zz_docx) if (m := re.match(r"^(表|图) (\d+)-(\d+)\u3000", t))]
    assert len([c for c in caps if c[0] == "表"]) >= 10
    for kind in ("表", "图"):
        seen = {}
        for k, chapter, n in caps:
            if k == kind:
                seen.setdefault(int(chapter), []).append(int(n))
        for numbers in seen.values():
            assert numbers == list(range(1, len(numbers) + 1))
    assert ("表", "2", "1") in caps and ("表", "1", "1") in caps and ("图", "2", "1") in caps
    assert ("图", "9", "1") in caps                    # the case after 八、 numbers its figure 9-1, as seed 001 does
    assert not any(re.match(r"^表 \d+\u3000", t) for t in texts(zz_docx))   # no global 表 N


def test_school_key_value_block(zz_docx):
    kv = [p.text for p in zz_docx.paragraphs if p.style.name.lower().startswith("key")]
    assert kv == ["学校名称：江州市第一职业中等专业学校", "性质：公办", "举办者：江州市人民政府",
                  "办学地点：江州市滨江新区学府路 88 号"]
    assert "学校基本情况一览表" in [p.text for p in zz_docx.paragraphs]


def test_quality_table_has_all_rows_in_two_year_columns(zz_docx):
    table = zz_docx.tables[-1]
    rows = [[c.text.strip() for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "指标", "单位", "2021年", "2022年"]
    body = rows[1:]
    assert len(body) == 55
    serials = [r[0] for r in body if r[0]]
    assert serials == [str(n) for n in range(1, 48)]                 # 47 indicators; 其中 rows carry no number
    subs = [r[1] for r in body if not r[0]]
    assert len(subs) == 8 and subs[0] == "其中：国家级" and subs[1].strip() == "省级"
    by_name = {r[1]: r for r in body}
    assert by_name["生师比"][3:] == ["17.7:1", "18.3:1"]               # 5620 / 318 and 6134 / 336, computed
    assert by_name["思想政治课教学创新团队数"][3:] == ["-", "1"]       # not reported is "-", not 0
    assert by_name["毕业生专业对口就业率"][4] == "91.65"


def test_chapter_tables_show_the_report_year(zz_docx):
    conditions = zz_docx.tables[0]
    assert [c.text for c in conditions.rows[0].cells] == ["序号", "指标", "单位", "2022年"]
    assert [c.text for c in conditions.rows[1].cells][1:] == ["全日制在校生数", "人", "6134"]


def test_case_headings_stay_out_of_the_toc(zz_docx):
    toc = [p.text for p in zz_docx.paragraphs if p.style.name.lower().startswith("toc")]
    assert any(t.startswith("案例：") for t in toc)
    assert not any("主要做法" in t for t in toc)


def test_init_writes_the_school_fields_and_builds(run, tmp_path):
    proj = tmp_path / "Z"
    assert run("init", proj, "--pack", "zhongzhi-2022").code == 0
    cfg = (proj / "report.yaml").read_text(encoding="utf-8")
    assert "pack: zhongzhi-2022" in cfg and "nature:" in cfg and "sponsor:" in cfg and "address:" in cfg
    assert "level: 中等职业" in cfg
    assert (proj / "data" / "tables" / "majors.yaml").is_file()
    assert run("validate", proj).code == 0
    r = run("build", proj, "-o", tmp_path / "z.docx")
    assert r.code == 0, r.text
    d = docx.Document(str(tmp_path / "z.docx"))
    assert any(re.match(r"^表 1-1\u3000", t) for t in texts(d))
    assert [c.text for c in d.tables[-1].rows[0].cells][-2:] == ["2023年", "2024年"]


# ---------------------------------------------------------------- the 2024 frame for a 中职 school
import shutil  # noqa: E402

from conftest import DEMO as ANNUAL_DEMO  # noqa: E402


def captions(path):
    return [t for t in texts(docx.Document(str(path))) if t.startswith("数据表")]


def test_annual_2024_level_selects_the_zhongzhi_tables_and_wording(run, tmp_path):
    proj = tmp_path / "zz"
    shutil.copytree(ANNUAL_DEMO, proj, ignore=shutil.ignore_patterns("build"))
    cfg = proj / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("level: 高等职业", "level: 中等职业"), encoding="utf-8")
    with open(proj / "data" / "indicators.yaml", "a", encoding="utf-8") as f:
        f.write("学生文化基础课合格率: {2022: 95.10, 2023: 96.40, 2024: 97.20}\n"
                "学生体质测评合格率: {2022: 92.80, 2023: 93.50, 2024: 94.60}\n")
    r = run("build", proj, "-o", tmp_path / "zz.docx")
    assert r.code == 0, r.text
    assert "中等职业教育质量年度报告" in texts(docx.Document(str(tmp_path / "zz.docx")))
    assert captions(tmp_path / "zz.docx") == ["数据表 1\u3000学生发展质量表", "数据表 2\u3000学生反馈表",
                                              "数据表 3\u3000办学条件表", "数据表 4\u3000服务贡献表",
                                              "数据表 5\u3000落实政策表"]
    d = docx.Document(str(tmp_path / "zz.docx"))
    students = next(t for t in d.tables if any(c.text == "升学比例" for row in t.rows for c in row.cells))
    row = next(r for r in students.rows if r.cells[1].text == "学生体质测评合格率")
    assert [c.text for c in row.cells][-1] == "94.60"


def test_annual_2024_gaokao_output_keeps_its_six_tables(run, tmp_path):
    assert run("build", ANNUAL_DEMO, "-o", tmp_path / "a.docx").code == 0
    assert "高等职业教育质量年度报告" in texts(docx.Document(str(tmp_path / "a.docx")))
    assert captions(tmp_path / "a.docx") == [f"数据表 {n}\u3000{t}" for n, t in enumerate(
        ["人才培养质量计分卡", "学生反馈表", "教学资源表", "国际影响表", "服务贡献表", "落实政策表"], start=1)]


def test_unknown_level_is_warned_and_lists_every_table(run, tmp_path):
    proj = tmp_path / "x"
    shutil.copytree(ANNUAL_DEMO, proj, ignore=shutil.ignore_patterns("build"))
    cfg = proj / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("level: 高等职业", "level: 职业本科"), encoding="utf-8")
    r = run("build", proj, "-o", tmp_path / "x.docx")
    assert r.code == 0 and "办学层次“职业本科”不在模板包" in r.err
    assert len(captions(tmp_path / "x.docx")) == 8
