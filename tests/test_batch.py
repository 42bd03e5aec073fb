"""Batch builds and the aggregate report over generated schools, one of them broken."""
import sys
from pathlib import Path

import docx
import pytest

from reportgen.errors import UsageError
from reportgen.batch import SchoolResult, expand_projects, output_names, summary_table, text_width
from reportgen.aggregate.collect import SchoolData, Threshold
from reportgen.aggregate.stats import indicator_stats, ranking, standard_counts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from make_schools import make_schools  # noqa: E402


@pytest.fixture(scope="module")
def schools(tmp_path_factory):
    """Five schools; school-003 has a bad number (error_every=4 breaks school 3)."""
    out = tmp_path_factory.mktemp("schools")
    expected = make_schools(5, out, error_every=4)
    assert list(expected["broken"]) == ["school-003"]
    return out, expected


def test_generator_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_schools(3, a)
    make_schools(3, b)
    for f in sorted(a.rglob("*.yaml")):
        assert f.read_bytes() == (b / f.relative_to(a)).read_bytes(), f


def test_batch_builds_the_others_and_reports_the_broken_one(run, schools):
    root, expected = schools
    out = root.parent / "drafts"
    r = run("batch", root, "-j", "2", "-o", out)
    assert r.code == 1
    broken = expected["broken"]["school-003"]["name"]
    line = next(l for l in r.out.splitlines() if l.startswith(broken))
    assert "failed" in line and "certificates.yaml" in line and "应为整数" in line
    assert "成功 4 所，失败 1 所" in r.out
    built = sorted(p.name for p in out.glob("*.docx"))
    assert len(built) == 4
    for d in expected["ok"]:
        line = next(l for l in r.out.splitlines() if l.startswith(_school(root / d) + " "))
        assert line.split(" | ")[1].strip() == "ok"
    for f in out.glob("*.docx"):
        docx.Document(str(f))                       # every draft reopens


def test_batch_of_good_schools_exits_0(run, schools):
    root, expected = schools
    r = run("batch", root / expected["ok"][0], "-j", "1")
    assert r.code == 0, r.text
    assert list((root / expected["ok"][0] / "build").glob("*.docx"))


def test_aggregate_tables_cover_every_school_that_validated(run, schools, tmp_path):
    root, expected = schools
    out = tmp_path / "汇总.docx"
    r = run("aggregate", root, "-o", out, "-j", "2", "--org", "某省教育厅")
    assert r.code == 0, r.text
    names = {_school(root / d) for d in expected["ok"]}
    broken = expected["broken"]["school-003"]["name"]
    d = docx.Document(str(out))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    appendix = next(t for t in tables if "警告数" in t[0])
    assert {row[1] for row in appendix[1:]} == names
    rankings = [t for t in tables if t[0][1] == "名次"]
    assert len(rankings) >= 3
    for t in rankings[:2]:                          # 在校生数 and 毕业去向落实率: every school reports them
        assert {row[2] for row in t[1:]} == names
    excluded = next(t for t in tables if "首个错误" in t[0])
    assert [row[1] for row in excluded[1:]] == [broken]
    assert "应为整数" in excluded[1][-1]
    stats = next(t for t in tables if t[0][1:4] == ["指标", "单位", "填报学校数"])
    students = next(row for row in stats if row[1] == "全日制在校生数")
    assert students[3] == str(len(names))
    text = "\n".join(p.text for p in d.paragraphs)
    assert f"其中 {len(names)} 所学校的数据通过校验" in text
    standards = next(t for t in tables if t[0][1] == "标准要求")       # thresholds.yaml of annual-2024
    assert len(standards) > 1
    for row in standards[1:]:
        applicable, met, not_met, missing = map(int, row[4:8])
        assert 0 < applicable <= len(names) and met + not_met + missing == applicable


def test_aggregate_with_no_valid_school_fails(run, schools, tmp_path):
    root, _ = schools
    r = run("aggregate", root / "school-003", "-o", tmp_path / "x.docx")
    assert r.code == 1
    assert "没有学校通过校验" in r.err
    assert not (tmp_path / "x.docx").exists()


def _school(path: Path) -> str:
    import yaml
    return yaml.safe_load((path / "report.yaml").read_text(encoding="utf-8"))["school"]["name"]


# ---------------------------------------------------------------- units
def _s(name, value, level="高等职业", prev=None, thresholds=()):
    return SchoolData(name=name, directory=name, level=level, year=2024, pack="p",
                      values={"x": value}, previous={"x": prev}, thresholds=list(thresholds))


def test_statistics_skip_not_reported():
    st = indicator_stats([_s("甲", 10), _s("乙", None), _s("丙", 30), _s("丁", 20)], "x")
    assert (st.n, st.missing, st.sum, st.mean, st.median, st.min, st.max) == (3, 1, 60, 20, 20, 10, 30)
    assert (st.min_school, st.max_school) == ("甲", "丙")


def test_ranking_shares_ranks_on_ties_and_orders():
    r = ranking([_s("甲", 5), _s("乙", 9), _s("丙", 5), _s("丁", None), _s("戊", 1)], "x")
    assert [(x.rank, x.school) for x in r] == [(1, "乙"), (2, "丙"), (2, "甲"), (4, "戊")]
    asc = ranking([_s("甲", 5), _s("乙", 9)], "x", descending=False)
    assert [x.school for x in asc] == ["甲", "乙"]


def test_standard_counts():
    t = lambda status: Threshold("《标准》", "高职", "生师比", "生师比不高于 18:1", status)  # noqa: E731
    c = standard_counts([_s("甲", 1, thresholds=[t("pass")]), _s("乙", 1, thresholds=[t("fail")]),
                         _s("丙", 1, thresholds=[t("na")]), _s("丁", 1)])
    assert len(c) == 1
    assert (c[0].schools, c[0].met, c[0].not_met, c[0].not_reported, c[0].not_met_names) == (3, 1, 1, 1, ("乙",))


def test_output_names_clash_is_an_error_naming_both(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "report.yaml").write_text("pack: annual-2024\nschool: {name: 同名学院}\nyear: 2024\n",
                                                 encoding="utf-8")     # the pack names the report
    with pytest.raises(UsageError) as e:
        output_names([tmp_path / "a", tmp_path / "b"], tmp_path / "out")
    assert "同名学院质量年度报告2024.docx" in e.value.message and str(tmp_path / "b") in e.value.message
    assert expand_projects([tmp_path]) == [tmp_path / "a", tmp_path / "b"]


def test_output_names_are_plain_file_names(tmp_path):
    for d, name, extra in (("a", "../../逃逸/学院", ""), ("b", "某校", "output: NUL.docx\n"), ("c", "学院\u202e.", "")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "report.yaml").write_text(f'school: {{name: "{name}"}}\nyear: 2024\n{extra}', encoding="utf-8")
    names = output_names([tmp_path / d for d in "abc"], tmp_path / "out")
    assert all(p.parent == tmp_path / "out" for p in names.values())
    assert names[tmp_path / "b"].name == "_NUL.docx"
    assert "\u202e" not in names[tmp_path / "c"].name


def test_summary_table_aligns_chinese():
    rows = summary_table([SchoolResult("d1", "江州职业技术学院", True, 2, 1.5),
                          SchoolResult("d2", "某校", False, 0, 0.4, "data/x.yaml:3：错误")])
    assert len({text_width(l.split(" | ")[0]) for l in rows if " | " in l}) == 1
    assert rows[-1].endswith("data/x.yaml:3：错误")
