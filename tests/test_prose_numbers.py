"""Numbers typed into the narrative are compared with the data (issue 14, item 5)."""
import io
import re
import sys

import yaml

from reportgen.errors import Location
from reportgen.prose.numbers import DIFFER, MATCH, UNTIED, blank_templates, check_typed_numbers

INNOVATION = "narrative/talent/05-innovation.md"
COUNT_PROVINCIAL = '{{ count("innovation_awards", 获奖级别="省级") }}'


def _provincial(demo, n: int) -> None:
    """Make the demo's award table hold exactly n provincial rows (it has 44 and two 市级 ones)."""
    path = demo / "data" / "tables" / "innovation_awards.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    have = sum(r["获奖级别"] == "省级" for r in rows)
    for r in rows:
        if have < n and r["获奖级别"] == "市级":
            r["获奖级别"], have = "省级", have + 1
    assert have == n
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _append(demo, rel: str, text: str) -> int:
    """Append a paragraph to a narrative file; returns its line number."""
    path = demo / rel
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(lines + ["", text, ""]), encoding="utf-8")
    return len(lines) + 2


def test_typed_count_that_differs_is_a_located_warning_with_the_reference(run, demo):
    _provincial(demo, 45)
    line = _append(demo, INNOVATION, "在各级各类创新创业赛事中，学生累计获省级奖项 47 项。")
    r = run("check", demo)
    assert r.code == 0                              # a warning, not a failed check
    place = f"{INNOVATION}:{line}"
    block = r.out[r.out.index("【正文中填写的数字】"):]
    assert "[警告] 正文“省级奖项 47 项”" in block
    assert "填写 47 项，按数据为 45" in block and COUNT_PROVINCIAL in block and place in block
    assert "正文中与数据相关的填写数字 1 个：与数据一致 0 个，不一致 1 个，无法对应到数据 0 个。" in r.out
    v = run("validate", demo)
    assert v.code == 0
    warning = next(ln for ln in v.err.splitlines() if "省级奖项 47" in ln)
    assert warning.startswith(f"[警告] {place}：") and COUNT_PROVINCIAL in warning and "45" in warning


def test_the_same_sentence_written_as_a_reference_passes(run, demo):
    _provincial(demo, 45)
    _append(demo, INNOVATION, f"在各级各类创新创业赛事中，学生累计获省级奖项 {COUNT_PROVINCIAL} 项。")
    r = run("check", demo)
    assert r.code == 0 and "省级奖项" not in r.out.split("【正文中填写的数字】")[-1]
    assert "正文中与数据相关的填写数字 0 个" in r.out
    v = run("validate", demo)
    assert "省级奖项" not in v.err


def test_agreeing_number_is_counted_and_fix_numbers_replaces_it_only_after_confirmation(run, demo, monkeypatch):
    _provincial(demo, 45)
    line = _append(demo, INNOVATION, "学生累计获省级奖项 45 项，生师比 19:1。")
    r = run("check", demo)
    assert "正文中与数据相关的填写数字 2 个：与数据一致 2 个，不一致 0 个" in r.out
    path = demo / INNOVATION
    before = path.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    r = run("fix-numbers", demo)
    assert f"{INNOVATION}:{line}：“省级奖项 45 项” → {COUNT_PROVINCIAL}" in r.out
    assert "{{ ind.生师比 }}" in r.out and "未做任何修改" in r.out
    assert path.read_bytes() == before
    r = run("fix-numbers", demo, "--yes")
    assert r.code == 0 and "已替换 2 处，修改了 1 个文件" in r.out
    text = path.read_text(encoding="utf-8")
    assert text.split("\n")[line - 1] == f"学生累计获省级奖项 {COUNT_PROVINCIAL} 项，生师比 {{{{ ind.生师比 }}}}。"
    assert text.split("\n")[:line - 1] == before.decode("utf-8").split("\n")[:line - 1]
    assert [p for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    r = run("check", demo)
    assert "正文中与数据相关的填写数字 0 个" in r.out
    assert run("build", demo, "-o", demo / "out.docx").code == 0


def test_a_phrase_two_tables_share_is_not_tied_without_a_table_nearby(run, demo):
    line = _append(demo, "narrative/culture/01-red.md", "学校获省级奖项 3 项。")
    r = run("check", demo)
    assert "[跳过] 正文“省级奖项 3 项”" in r.out and "可能指" in r.out
    assert '{{ count("teaching_awards", 级别="省级") }}' in r.out
    assert f"narrative/culture/01-red.md:{line}" in r.out
    assert "无法对应到数据 1 个" in r.out


def test_money_and_rates_are_compared_at_the_precision_typed(run, demo):
    text = demo / "narrative" / "service" / "03-transfer.md"
    line = _append(demo, "narrative/service/03-transfer.md", "全年技术交易额达 1 万元，双师素质专任教师占比 1.5%。")
    r = run("check", demo)
    block = r.out[r.out.index("【正文中填写的数字】"):]
    assert "正文“技术交易额 1 万元”" in block and "{{ ind.技术交易到款额 }}" in block
    assert "正文“双师素质专任教师占比 1.5%”" in block and "{{ ind.双师素质专任教师比例 }}" in block
    assert f"narrative/service/03-transfer.md:{line}" in block
    assert text.is_file()


# ---------------------------------------------------------------- the text-level API other readers reuse
def _context(demo):
    from reportgen.compute.aggregates import Aggregates
    from reportgen.compute.indicators import compute_indicators
    from reportgen.check.data import check_project
    from reportgen.errors import Problems
    from reportgen.pipeline import load_raw
    from reportgen.prose.narrative import DataContext
    problems = Problems()
    ds = check_project(load_raw(demo, problems), problems)
    agg = Aggregates(ds.tables)
    ind = compute_indicators(ds, agg, problems)
    return DataContext(ds.pack, ind, agg, ds.year), ind


def test_check_typed_numbers_on_text_with_locations(demo):
    context, ind = _context(demo)
    ratio = ind.get("生师比", 2024)
    text = ("## 师资\n\n生师比为 {{ ind.生师比 }}，去年生师比 25:1。\n"
            "现有专任教师 836 人，专任教师总数 {{ ind.专任教师数 }} 人。\n")
    found = check_typed_numbers(text, lambda n: Location("上年报告.docx", None, path=f"第 {n} 段"), context)
    assert [(m.phrase, m.typed, m.status) for m in found] == [("生师比", "25:1", DIFFER), ("现有专任教师", "836 人", MATCH)]
    assert str(found[0].loc) == "上年报告.docx（第 3 段）" and found[0].computed.text == f"{ratio:.1f}:1".replace(".0:", ":")
    line = text.split("\n")[2]
    assert line[found[0].start:found[0].end] == "25:1"          # the reference prints ":1" itself
    assert text.split("\n")[3][found[1].start:found[1].end] == "836"   # the unit stays
    assert found[0].message().startswith("正文中“生师比 25:1”与数据不一致")


def test_references_and_statements_are_never_typed_numbers():
    blanked = blank_templates("省级奖项 {{ count('x') }} 项\n{% if a %}生师比 19:1{% endif %}")
    assert "count" not in blanked and "19:1" in blanked and blanked.count("\n") == 1
    assert re.search(r"\{|\}", blanked) is None


def test_unknown_unit_or_unreported_value_cannot_be_tied(demo):
    context, _ = _context(demo)
    found = check_typed_numbers("技术交易额 30 人。\n", lambda n: Location("a.md", n), context)
    assert [m.status for m in found] == [UNTIED] and "单位" in found[0].reason


def test_years_and_approximate_numbers_are_not_claims_about_the_data(demo):
    context, _ = _context(demo)
    text = "生师比 2024 年有所下降；现有专任教师 800 余人；现有专任教师 836 人。\n"
    found = check_typed_numbers(text, lambda n: Location("a.md", n), context)
    assert [(m.typed, m.status) for m in found] == [("836 人", MATCH)]


def test_a_number_in_another_unit_is_compared_in_the_unit_typed(demo):
    context, ind = _context(demo)
    money = ind.get("技术交易到款额", 2024)                     # 万元
    as_yuan = f"{round(money * 10000):,}"
    in_yi = f"{money / 10000:.2f}"
    off = f"{round(money * 10000) + 1000:,}"
    text = f"技术交易额 {as_yuan} 元；技术交易额 {in_yi} 亿元；技术交易额 {off} 元。\n"
    found = check_typed_numbers(text, lambda n: Location("a.md", n), context)
    assert [m.status for m in found] == [MATCH, MATCH, DIFFER]


def test_a_table_named_by_its_printed_title_ties_an_ambiguous_phrase(demo):
    """Text from a Word file has no {{ table() }}, but it prints the table's title."""
    context, _ = _context(demo)
    at = lambda n: Location("上年报告.docx", None, path=f"第 {n} 段")    # noqa: E731
    alone = check_typed_numbers("共获省级奖项 44 项。\n", at, context)
    assert [m.status for m in alone] == [UNTIED]
    with_title = check_typed_numbers("共获省级奖项 44 项。\n表 5 创新创业大赛获奖情况一览表\n", at, context)
    assert [(m.status, m.reference) for m in with_title] == [(MATCH, COUNT_PROVINCIAL)]


def test_other_text_is_checked_against_a_projects_data_through_check(demo):
    """What init --from / the Word reader do with last year's text: the same check, their own locations."""
    from reportgen.pipeline import check
    report, _ = check(demo)
    found = check_typed_numbers("现有专任教师 801 人。\n", lambda n: Location("2023年报告.docx", None, path=f"第 {n} 段"),
                                report.prose.context)
    assert [(m.status, m.computed.text) for m in found] == [(DIFFER, "836")]
    assert "2023年报告.docx（第 1 段）" in str(found[0].loc)


def test_typed_numbers_in_a_word_section_are_checked_and_named_by_paragraph(run, demo):
    import docx
    _provincial(demo, 45)
    d = docx.Document()
    d.add_heading("创新创业竞赛", level=2)
    d.add_paragraph("学校组织学生参加各类创新创业大赛。")
    d.add_paragraph("本年度学生共获省级奖项 47 项，表 5 创新创业大赛获奖情况一览表列出了全部奖项。")
    word = demo / "narrative" / "talent" / "07-部门来稿.docx"
    d.save(word)
    r = run("check", demo)
    block = r.out[r.out.index("【正文中填写的数字】"):]
    assert "[警告] 正文“省级奖项 47 项”：填写 47 项，按数据为 45" in block
    assert "narrative/talent/07-部门来稿.docx › 第 3 段" in block
    before = word.read_bytes()
    r = run("fix-numbers", demo, "--yes")
    assert "07-部门来稿.docx" not in r.out and word.read_bytes() == before     # a Word file is never rewritten


def test_last_years_report_brought_in_by_init_from_lists_its_old_figures(demo_docx, demo, tmp_path, run):
    """init --from writes last year's text with its numbers typed; check ties them to this year's data."""
    new = tmp_path / "new"
    assert run("init", new, "--from", demo_docx).code == 0
    data = (demo / "data" / "indicators.yaml").read_text(encoding="utf-8")
    (new / "data" / "indicators.yaml").write_text(data.replace("专任教师数: {2022: 768, 2023: 801, 2024: 836}",
                                                               "专任教师数: {2023: 801, 2024: 836, 2025: 880}"),
                                                  encoding="utf-8")
    r = run("check", new)
    block = r.out[r.out.index("【正文中填写的数字】"):]
    assert "[警告] 正文“现有专任教师 836 人”：填写 836 人，按数据为 880 人" in block
    assert "{{ ind.专任教师数 }}" in block and re.search(r"narrative/\w+/[^:]+\.md:\d+", block)


def test_the_phrasings_of_real_reports_are_tied(demo):
    """Issue 23: "2023届毕业生5809人", "全年毕业生 5809 人", "完成社会培训18291人次", "横向项目到账经费482.83万元" —
    no space, a qualifier before the name, a verb before it — each compared with the data (pack mentions)."""
    rows = [{"培训项目": "企业职工岗位技能提升培训", "培训人数": 18000},
            {"培训项目": "退役军人就业技能培训", "培训人数": 291}]
    path = demo / "data" / "tables" / "social_training.yaml"
    assert not path.exists() or not yaml.safe_load(path.read_text(encoding="utf-8"))   # the demo has no rows
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")
    context, ind = _context(demo)
    graduates, horizontal = ind.get("毕业生人数", 2024), ind.get("横向技术服务到款额", 2024)
    text = (f"学院2024届毕业生{graduates}人，全年毕业生 {graduates + 1} 人。\n"
            "本年度完成社会培训18291人次，开展社会培训 18000 人次。\n"
            f"本年度横向项目到账经费{horizontal:.2f}万元。\n")
    found = check_typed_numbers(text, lambda n: Location("去年报告.docx", None, path=f"第 {n} 段"), context)
    assert [(m.phrase, m.status) for m in found] == [
        ("届毕业生", MATCH), ("全年毕业生", DIFFER), ("完成社会培训", MATCH), ("开展社会培训", DIFFER),
        ("横向项目到账经费", MATCH)]
    assert found[2].reference == '{{ total("social_training", "培训人数") }}'
