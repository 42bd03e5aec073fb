"""Indicator engine: units, display formats, multi-year values, "-" propagation, year-over-year change,
narrative citations, formulas as pack data."""
from decimal import Decimal

import pytest
from indicator_util import appendix_rows, compute, copy_pack, project, set_indicator

from reportgen.compute.units import split_quantity, units
from reportgen.errors import UnitError
from reportgen.pack import IndicatorDef
from reportgen.pipeline import prepare
from reportgen.render.display import change_text, format_value
from reportgen.value_kinds import NOT_REPORTED

LOC = None


def ind(fmt="decimal2", unit="", **kw):
    return IndicatorDef(name="x", kind="raw", loc=LOC, unit=unit, format=fmt, **kw)


# ---------------------------------------------------------------- units (data/units.yaml)
def test_unit_table_converts_area_and_money():
    u = units()
    assert u.convert(Decimal("709.5"), "亩", "m²") == Decimal("473002.365")
    assert u.convert(Decimal("10671.47"), "万元", "元") == Decimal("106714700")
    assert u.convert(Decimal("17.87"), "万平方米", "平方米") == Decimal("178700")
    assert u.factor("元", "万元") == Decimal("0.0001")
    assert [u.normalize(x) for x in ("平方米", "㎡", "m ²", "m2")] == ["m²"] * 4


def test_incompatible_units_are_refused():
    with pytest.raises(UnitError, match="不是同一类单位"):
        units().convert(1, "人", "元")
    with pytest.raises(UnitError, match="没有单位"):
        units().convert(1, "斤", "元")


def test_split_quantity():
    assert split_quantity("709.5亩") == ("709.5", "亩")
    assert split_quantity(" 17.87 万m² ") == ("17.87", "万m2")
    assert split_quantity("1,234") is None


def test_values_typed_with_units_are_converted(tmp_path):
    root = project(tmp_path / "p", "占地面积: {2024: 709.5亩}\n校舍建筑面积: {2024: 17.87万m²}\n"
                                   "年生均财政拨款水平: {2024: 1.926万元}\n全日制在校生数: {2024: 9527}\n")
    ds, table, _, problems = compute(root)
    assert not problems.errors
    assert ds.indicators["占地面积"][2024] == Decimal("473002.365")
    assert table.get("校舍建筑面积", 2024) == 178700
    assert table.get("年生均财政拨款水平", 2024) == 19260
    assert format_value(table.definitions["生均校园占地面积"], table.get("生均校园占地面积", 2024)) == "49.65"


def test_a_unit_of_another_kind_is_an_error_at_its_line(tmp_path):
    root = project(tmp_path / "p", "全日制在校生数: {2024: 100}\n教学科研仪器设备总值: {2024: 12人}\n")
    _, _, _, problems = compute(root)
    assert any("单位“人”与指标的单位“万元”不符" in p.message and p.location.line == 2 for p in problems.errors)


def area_reported_in(tmp_path, unit: str) -> None:
    """A copy of annual-2024 (tmp_path/mypack) whose 占地面积 is reported in `unit`."""
    def edit(folder):
        f = folder / "indicators.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace(
            "占地面积: {unit: m², kind: raw,", f"占地面积: {{unit: m², kind: raw, convert: {{from: {unit}}},"),
            encoding="utf-8")
    copy_pack(tmp_path / "mypack", edit)


def test_pack_declared_reporting_unit(tmp_path):
    area_reported_in(tmp_path, "亩")
    root = project(tmp_path / "p", "占地面积: {2024: 709.5}\n全日制在校生数: {2024: 9527}\n", pack="../mypack")
    _, table, _, problems = compute(root)
    assert not problems.errors
    assert table.get("占地面积", 2024) == pytest.approx(473002.365)     # formulas see m²


def test_pack_convert_between_unrelated_units_is_a_pack_error(tmp_path, run):
    area_reported_in(tmp_path, "元")
    root = project(tmp_path / "p", "{}\n", pack="../mypack")
    r = run("validate", root)
    assert r.code == 1 and "mypack/indicators.yaml:" in r.err and "不能换算" in r.err


# ---------------------------------------------------------------- display formats
@pytest.mark.parametrize("fmt,unit,value,text", [
    ("ratio", "", 9527 / 501, "19:1"),
    ("ratio", "", 7948 / 465, "17.1:1"),
    ("decimal2", "%", 5585 / 5809 * 100, "96.14%"),
    ("percent", "", 373 / 531, "70.24%"),
    ("integer", "元", 106714700 / 9527, "11201"),
    ("decimal2", "m²", 178700 / 9527, "18.76"),
    ("decimal2", "", 2.675, "2.68"),                     # half up, not banker's rounding
    ("integer", "人", NOT_REPORTED, "-"),
    ("integer", "人", 0, "0"),                             # 0 is a value, "-" is not
])
def test_formats(fmt, unit, value, text):
    assert format_value(ind(fmt, unit), value) == text


def test_decimals_override_and_table_cells_without_percent_sign():
    assert format_value(ind("ratio", decimals=0), 19.42) == "19:1"
    assert format_value(ind("decimal2", "%", decimals=1), 96.14) == "96.1%"
    assert format_value(ind("decimal2", "%"), 96.14, with_unit=False) == "96.14"


# ---------------------------------------------------------------- multi-year, "-", change
def test_three_years_side_by_side_and_dash_kept(demo):
    p = prepare(demo)
    rows = appendix_rows(p.rendered.document, "人才培养质量计分卡")
    assert rows["年度"] == ["2022年", "2023年", "2024年"]
    assert rows["毕业三年职位晋升比例"][1:] == ["-", "58.36", "61.20"]      # "-" not 0
    rows = appendix_rows(p.rendered.document, "国际影响表")
    assert rows["专任教师赴国（境）外指导和开展培训时间"][1:] == ["0", "186", "342"]   # a real 0 stays 0


def test_missing_input_makes_derived_dash_not_zero(demo):
    set_indicator(demo, "毕业生人数", {2022: '"-"', 2023: 5123, 2024: 5368})
    _, table, _, problems = compute(demo)
    assert table.get("毕业去向落实率", 2022) is NOT_REPORTED
    assert table.get("毕业去向落实率", 2023) == pytest.approx(4918 / 5123 * 100)
    assert not problems.errors


def test_division_by_zero_is_a_warning_and_dash(demo):
    set_indicator(demo, "专任教师数", {2022: 768, 2023: 801, 2024: 0})
    _, table, _, problems = compute(demo)
    assert table.get("生师比", 2024) is NOT_REPORTED
    assert any("除数为 0" in w.message for w in problems.warnings)


def test_year_over_year_change(demo):
    _, table, _, _ = compute(demo)
    assert change_text(table.change("毕业去向落实率", 2024)) == "提高 0.35 个百分点"       # 96.35% − 96.00%
    assert change_text(table.change("毕业生人数", 2024)) == "增长 4.78%"                 # 5368 / 5123
    assert change_text(table.change("生师比", 2024)) == "下降 1.57%"                    # 19.42 / 19.73: percent, not points
    assert change_text(table.change("毕业去向落实率", 2024, 2022)) == "提高 0.59 个百分点"
    assert change_text(table.change("国（境）外技能大赛获奖数量", 2023)) == "增加 2 项"    # from 0: no percent
    assert change_text(table.change("校园网主干最大带宽", 2024)) == "持平"
    assert change_text(table.change("毕业三年职位晋升比例", 2023)).startswith("【待补充：")   # 2022 is "-"


def test_narrative_cites_change_and_earlier_years(demo):
    f = demo / "narrative" / "talent" / "04-employment.md"
    f.write_text(f.read_text(encoding="utf-8") + "\n\n毕业去向落实率较上年{{ change(\"毕业去向落实率\") }}，"
                 "毕业生人数由 {{ ind.毕业生人数[2022] }} 人增至 {{ ind[\"毕业生人数\"] }} 人，"
                 "较 2022 年{{ change(\"毕业生人数\", 2022) }}；2023 年生师比为 {{ ind.生师比[\"2023年\"] }}。\n",
                 encoding="utf-8")
    text = "\n".join(prepare(demo).rendered.chapter_sources.values())
    assert "毕业去向落实率较上年提高 0.35 个百分点，毕业生人数由 4856 人增至 5368 人，较 2022 年增长 10.54%；" \
           "2023 年生师比为 19.7:1。" in text


def test_citing_a_year_without_data_is_located(demo, run):
    f = demo / "narrative" / "culture" / "01-red.md"
    f.write_text("## 标题\n\n{{ ind.毕业生人数[2019] }}\n", encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "narrative/culture/01-red.md:3" in r.err and "没有 2019 年的数据" in r.err


# ---------------------------------------------------------------- formulas are pack data
def test_formula_with_names_that_are_not_identifiers(tmp_path):
    root = project(tmp_path / "p", "1+X证书参考人数: {2024: 531}\n1+X证书获证人数: {2024: 373}\n")
    _, table, _, _ = compute(root)
    assert format_value(table.definitions["1+X证书过关率"], table.get("1+X证书过关率", 2024)) == "70.24%"


def test_formula_errors_are_pack_errors(tmp_path, run):
    def edit(folder):
        f = folder / "indicators.yaml"
        text = f.read_text(encoding="utf-8")
        text = text.replace('formula: "纸质图书总量 / 全日制在校生数"', 'formula: "纸质图书 / 全日制在校生数"')
        text += '甲: {kind: derived, formula: "乙 + 1"}\n乙: {kind: derived, formula: "甲 * 2"}\n'
        f.write_text(text, encoding="utf-8")
    copy_pack(tmp_path / "mypack", edit)
    root = project(tmp_path / "p", "{}\n", pack="../mypack")
    r = run("validate", root)
    assert r.code == 1
    assert "未定义的指标：纸质图书" in r.err and "mypack/indicators.yaml:" in r.err
    assert "循环引用" in r.err


def test_table_indicator_takes_earlier_years_as_typed(demo):
    """Detail tables hold the report year only; earlier years of 技术交易到款额 are typed values."""
    set_indicator(demo, "技术交易到款额", {2022: 120.5, 2023: 150.3})
    p = prepare(demo)
    rows = appendix_rows(p.rendered.document, "服务贡献表")
    assert rows["技术交易到款额"][1:] == ["120.50", "150.30", "195.50"]
    assert rows["科研社会服务经费"][1:] == ["1875.20", "2339.13", "2847.14"]   # 1286.50 + 468.20 + 120.5 …


def test_typed_report_year_of_a_table_indicator_is_checked(demo, run):
    set_indicator(demo, "技术交易到款额", {2024: 180.2})     # seed 000: narrative 180.2, table Σ 181.5
    r = run("validate", demo)
    assert r.code == 1 and "填写的 180.2 与计算值 195.50 万元 不一致" in r.err
