"""Known answers: seed 001's raw counts (seed-inventory §E, §F) through the annual-2024 pack's formulas give
the figures the report published; the figures it typed wrongly are flagged, each naming where it was typed."""
from decimal import Decimal

import pytest
from indicator_util import SEED001, compute

from reportgen.render.display import format_value


@pytest.fixture(scope="module")
def seed():
    return compute(SEED001)


def shown(table, name, year=2021):
    return format_value(table.definitions[name], table.get(name, year))


@pytest.mark.parametrize("name,published,places", [
    ("生师比", "19:1", None),                       # 9527 ÷ 501 = 19.02 (表 1-1 r10)
    ("高级职务专任教师比例", "30.34%", None),       # (12 + 140) ÷ 501 (表 4-4 r7)
    ("1+X证书过关率", "70.24%", None),              # 373 ÷ 531 (L358)
    ("生均校舍建筑面积", "18.76", None),            # 17.87 万 m² ÷ 9527 (表 1-1 r3)
    ("生均校园占地面积", "49.64", 2),               # 709.5 亩 × 666.67 ÷ 9527 = 49.649: the report truncated
    ("生均教学科研仪器设备值", "11201.30", 2),      # 10671.47 万元 ÷ 9527 = 11201.287: 万元 rounded to 2 places
])
def test_computed_values_match_the_published_ones(seed, name, published, places):
    _, table, _, problems = seed
    if places is None:
        assert shown(table, name) == published
    else:
        # within rounding: the published figure differs from the exact quotient by less than 1.5 units of
        # its last place (truncation, or inputs rounded to 0.01 万元 ±50 元 ÷ 9527 students)
        assert abs(Decimal(str(table.get(name, 2021))) - Decimal(published)) < Decimal("0.015")


def test_earlier_year_ratio_is_computed_not_copied(seed):
    _, table, _, _ = seed
    assert shown(table, "生师比", 2020) == "17.1:1"          # printed 16:1; 7948 ÷ 465 = 17.09


def test_typed_training_total_is_flagged_with_the_row_left_out(seed):
    _, _, report, _ = seed
    [r] = [r for r in report.results if r.group == "明细表填写的合计"]
    assert r.status == "fail"
    assert "填写的合计为 18291，各行之和为 20175（相差 1884）" in r.detail
    assert "第 3 行“交运集团”（data/tables/social_training.yaml:7）" in r.detail
    assert [str(w) for v in r.values for w in v.where] == [
        "data/tables/social_training.yaml:15", "data/tables/social_training.yaml（第 2–12 行，共 6 行）"]


def test_typed_master_share_is_flagged(seed):
    _, _, report, _ = seed
    bad = {r.title: r for r in report.results if r.group == "填写的计算值" and r.status == "fail"}
    r = bad["填写的“硕士及以上学历专任教师比例”与按原始数据计算的值一致（2021 年）"]
    assert "填写的 21.56 与计算值 21.36% 不一致" in r.detail
    assert [str(w) for v in r.values for w in v.where] == [
        "data/indicators.yaml:24", "data/indicators.yaml:8", "data/indicators.yaml:3"]
    assert "填写的“生师比”与按原始数据计算的值一致（2020 年）" in bad            # 16:1 vs 17.1:1
    passed = {r.title for r in report.results if r.group == "填写的计算值" and r.status == "pass"}
    assert "填写的“高级职务专任教师比例”与按原始数据计算的值一致（2021 年）" in passed
    assert "填写的“生师比”与按原始数据计算的值一致（2021 年）" in passed


def test_secondary_school_standard_flags_building_area(seed):
    _, _, report, _ = seed
    assert ("生均校舍建筑面积", 2021) in report.marks                  # 18.76 < 20 (教职成〔2010〕12号)
    assert ("生师比", 2021) not in report.marks                         # 19:1 ≤ 20:1


def test_validate_fails_naming_the_places(run):
    r = run("validate", SEED001)
    assert r.code == 1
    assert "data/tables/social_training.yaml:15：检查未通过：明细表“social_training”填写的合计“培训人数”等于各行之和。" in r.err
    assert "data/indicators.yaml:24：检查未通过：填写的“硕士及以上学历专任教师比例”" in r.err
