"""The qiye-2024 pack: an enterprise's 企业年报, made of pack data only (no code of its own).

Its demo builds; the chapters are the 企业年报's; the cover, file name and companions name the enterprise;
indicators are computed from raw counts (checked against the data read back, not against typed results)."""
import shutil

import docx
import pytest
import yaml

from conftest import ROOT
from reportgen.cli import main

DEMO = ROOT / "examples" / "qiye-demo"
CHAPTERS = ["一、企业概况", "二、参与办学总体情况", "三、资源投入", "四、参与教育教学改革", "五、助推企业发展",
            "六、保障体系", "七、问题与展望", "附表"]


@pytest.fixture(scope="module")
def qy(tmp_path_factory):
    out = tmp_path_factory.mktemp("qy") / "qy.docx"
    assert main(["build", str(DEMO), "-o", str(out)]) == 0
    return docx.Document(str(out))


def styled(d, name):
    return [p.text for p in d.paragraphs if p.style.name == name]


def indicators():
    return yaml.safe_load((DEMO / "data" / "indicators.yaml").read_text(encoding="utf-8"))


def test_the_enterprise_reports_chapters_cover_and_properties(qy):
    assert styled(qy, "Heading 1") == CHAPTERS
    name = yaml.safe_load((DEMO / "report.yaml").read_text(encoding="utf-8"))["school"]["name"]
    assert styled(qy, "Title") == [f"{name}参与职业教育质量年度报告"]
    assert qy.core_properties.title == f"{name}参与职业教育质量年度报告（2024年度）"
    text = "\n".join(p.text for p in qy.paragraphs)
    assert "企业基本情况一览表" in text and "学校名称" not in text


def test_indicators_are_computed_from_raw_counts(qy):
    raw = indicators()
    rows = {r.cells[1].text: [c.text for c in r.cells[3:]] for t in qy.tables for r in t.rows[1:]
            if len(r.cells) == 6}
    kept, interns = raw["实习后留用人数"], raw["接收实习学生数"]
    assert rows["实习留用率"] == [f"{kept[y] / interns[y] * 100:.2f}" for y in (2022, 2023, 2024)]
    assert rows["订单班与学徒制学生数"][-1] == str(raw["订单班学生数"][2024] + raw["现代学徒制学生数"][2024])
    hours, teachers = raw["兼职教师年授课课时"][2024], raw["兼职教师人数"][2024]
    assert rows["兼职教师人均年授课课时"][-1] == f"{hours / teachers:.1f}"


def test_a_table_disagreeing_with_its_indicator_is_an_error(run, tmp_path):
    proj = tmp_path / "qy"
    shutil.copytree(DEMO, proj, ignore=shutil.ignore_patterns("build"))
    path = proj / "data" / "tables" / "internships.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows[0]["接收实习人数"] += 5
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    r = run("validate", proj)
    assert r.code == 1
    assert "各专业接收实习人数之和等于接收实习学生数" in r.text


def test_init_speaks_of_an_enterprise(run, tmp_path):
    r = run("init", tmp_path / "p", "--pack", "qiye-2024")
    assert r.code == 0, r.text
    report = (tmp_path / "p" / "report.yaml").read_text(encoding="utf-8")
    assert "【企业全称】" in report and "学校" not in report and "level:" not in report
    assert (tmp_path / "p" / "data" / "tables" / "internships.yaml").is_file()


def test_the_pack_is_data_only():
    files = [p for p in (ROOT / "templates" / "qiye-2024").rglob("*") if p.is_file()]
    assert files and all(p.suffix in (".yaml", ".j2") for p in files)
