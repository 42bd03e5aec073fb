"""Cross-checks declared in the pack, threshold standards, and `reportgen check`."""
import docx
import pytest

from indicator_util import appendix_rows, compute, copy_pack, line_of, project, set_indicator
from reportgen.doc.model import Table, iter_blocks
from reportgen.pipeline import check, prepare


def results(report, status=None, group=None):
    return [r for r in report.results if (status is None or r.status == status) and (group is None or r.group == group)]


# ---------------------------------------------------------------- Must show
def test_sub_rows_not_summing_to_parent_fail_validate_naming_both_locations(demo, run):
    """就业 + 升学 must equal 毕业去向落实人数 (checks.yaml: parts, rule: sum)."""
    set_indicator(demo, "就业人数", {2024: 4800})
    set_indicator(demo, "升学人数", {2024: 300})          # 4800 + 300 = 5100 ≠ 5172
    f = demo / "data" / "indicators.yaml"
    r = run("validate", demo)
    assert r.code == 1
    assert "其中项之和 就业 4800 + 升学 300 = 5100，不等于“毕业去向落实人数”的 5172" in r.err
    for name in ("毕业去向落实人数", "就业人数", "升学人数"):
        assert f"data/indicators.yaml:{line_of(f, name + ':')}" in r.err
    set_indicator(demo, "升学人数", {2024: 372})
    assert run("validate", demo).code == 0


def test_check_lists_every_check_with_result_and_sources_exit_0(run):
    r = run("check", "examples/annual-2024-demo")
    assert r.code == 0, r.text
    assert "[通过] 毕业去向落实人数不超过毕业生人数（2024 年）" in r.out
    assert "毕业生人数 2024 年 = 5368 人    ← data/indicators.yaml:" in r.out
    assert "生师比 2024 年 = 19.4:1    ← 计算：全日制在校生数 / 专任教师数" in r.out      # derived: formula …
    assert "全日制在校生数 2024 年 = 16238 人    ← data/indicators.yaml:" in r.out      # … and its inputs
    assert "[警告] 生师比不高于 18:1（《普通高等学校基本办学条件指标（试行）》（教发〔2004〕2号））" in r.out
    assert "未通过 0 项" in r.out.splitlines()[-2]
    assert r.out.splitlines()[-1].startswith("正文中与数据相关的填写数字")


def test_check_exit_1_on_a_failure(demo, run):
    set_indicator(demo, "双师素质专任教师数", {2024: 900})        # more than 836 专任教师
    r = run("check", demo)
    assert r.code == 1
    assert "[未通过] “专任教师数”的其中项均不超过上级指标（2024 年）" in r.out
    assert "“双师素质专任教师数”900 超过了“专任教师数”的 836" in r.out


def test_workbook_indicator_values_drive_the_appendix(demo, tmp_path, run):
    """Raw counts set in the workbook's 指标 sheet (not the demo's) change 生师比 and the per-student values."""
    pytest.importorskip("reportgen.workbook.merge")
    import openpyxl
    book = tmp_path / "W.xlsx"
    assert run("workbook", demo, "-o", book).code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["指标"]
    col = next(c.column for c in ws[1] if "2024" in str(c.value))
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "全日制在校生数":
            ws.cell(row=row[0].row, column=col, value=12000)
        if row[0].value == "专任教师数":
            ws.cell(row=row[0].row, column=col, value=800)
    wb.save(book)
    out = tmp_path / "x.docx"
    r = run("build", demo, "--workbook", book, "-o", out)
    assert r.code == 0, r.text
    rows = _docx_table(out, "教学资源表")
    assert rows["生师比"][-1] == "15:1"                     # 12000 / 800, no ▲: meets ≤ 18
    assert rows["生均教学科研仪器设备值"][-1] == "24488"     # 29385.60 万元 / 12000
    assert rows["生均图书"][-1] == "105.70"                  # 1268400 / 12000


def test_yaml_indicator_values_drive_the_built_appendix(demo, tmp_path, run):
    set_indicator(demo, "全日制在校生数", {2022: 15362, 2023: 15806, 2024: 12000})
    set_indicator(demo, "专任教师数", {2022: 768, 2023: 801, 2024: 800})
    out = tmp_path / "x.docx"
    r = run("build", demo, "-o", out)
    assert r.code == 0, r.text
    rows = _docx_table(out, "教学资源表")
    assert rows["生师比"][-3:] == ["20:1▲", "19.7:1▲", "15:1"]
    assert rows["生均教学科研仪器设备值"][-1] == "24488"
    assert rows["生均图书"][-3:] == ["77.18▲", "77.58▲", "105.70"]
    assert rows["双师素质专任教师比例"][-1] == "79.00"       # 632 / 800
    assert _docx_table(out, "服务贡献表")["全日制在校生数"][-1] == "12000"


def _docx_table(path, title):
    """The docx table following the caption that contains `title`, as {指标 cell: [cells]}."""
    d = docx.Document(str(path))
    body = list(d.element.body.iterchildren())
    for i, el in enumerate(body):
        if el.tag.endswith("}p") and title in "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")):
            tbl = next(e for e in body[i + 1:] if e.tag.endswith("}tbl"))
            table = docx.table.Table(tbl, d)
            head = [c.text.strip() for c in table.rows[0].cells]
            k = head.index("指标")
            return {r.cells[k].text.strip().removeprefix("其中："): [c.text.strip() for c in r.cells] for r in table.rows}
    raise AssertionError(title)


# ---------------------------------------------------------------- declared checks
def test_employment_cannot_exceed_graduates(demo):
    set_indicator(demo, "毕业去向落实人数", {2022: 4650, 2023: 5200, 2024: 5172})
    _, _, report, _ = compute(demo)
    [bad] = results(report, "fail", "指标之间的关系")
    assert bad.title == "毕业去向落实人数不超过毕业生人数（2023 年）"
    assert "毕业去向落实人数 = 5200，毕业生人数 = 5123" in bad.detail
    assert [str(w) for v in bad.values for w in v.where] == ["data/indicators.yaml:10", "data/indicators.yaml:9"]


def test_rates_must_be_within_0_and_100(demo):
    set_indicator(demo, "母校满意度", {2022: 96.12, 2023: 96.85, 2024: 102})
    _, _, report, _ = compute(demo)
    [bad] = results(report, "fail")
    assert bad.title == "“母校满意度”在 0～100% 之间" and "2024 年为 102.00%" in bad.detail


MAJORS = """
- {所属院系: 智能制造学院, 专业名称: 机电一体化技术, 在校生数: 6000}
- {所属院系: 智能制造学院, 专业名称: 工业机器人技术, 在校生数: 4000}
- {所属院系: 护理学院, 专业名称: 护理, 在校生数: 6238}
"""


def test_major_enrolment_sum_equals_full_time_students(demo):
    (demo / "data" / "tables" / "majors.yaml").write_text(MAJORS, encoding="utf-8")
    _, _, report, _ = compute(demo)
    [r] = results(report, group="明细表合计与指标")
    assert r.status == "pass"
    (demo / "data" / "tables" / "majors.yaml").write_text(MAJORS.replace("6238", "5238"), encoding="utf-8")
    _, _, report, _ = compute(demo)
    [r] = results(report, group="明细表合计与指标")
    assert r.status == "fail" and "明细表合计 15238 与“全日制在校生数”16238 人不符（相差 1000）" in r.detail
    assert [str(w) for v in r.values for w in v.where] == [
        "data/tables/majors.yaml（第 2–4 行，共 3 行）", "data/indicators.yaml:19"]


def test_typed_total_row_in_yaml_is_checked_and_not_data(tmp_path):
    rows = "- {培训项目: 甲, 培训人数: 100}\n- {培训项目: 乙, 培训人数: 50}\n- {培训项目: 合 计, 培训人数: %s}\n"
    root = project(tmp_path / "ok", "{}\n", {"social_training": rows % 150})
    ds, _, report, _ = compute(root)
    assert len(ds.tables["social_training"].rows) == 2               # the 合计 row is not a data row
    assert [r.status for r in results(report, group="明细表填写的合计")] == ["pass"]
    root = project(tmp_path / "bad", "{}\n", {"social_training": rows % 100})
    _, _, report, _ = compute(root)
    [r] = results(report, group="明细表填写的合计")
    assert r.status == "fail"
    assert "差额恰好等于第 2 行“乙”（data/tables/social_training.yaml:2）的数值" in r.detail


def test_unchecked_sub_rows_are_checked_against_their_parent(demo):
    set_indicator(demo, "生均财政专项经费", {2024: 20000})           # more than 年生均财政拨款水平 19260
    _, _, report, _ = compute(demo)
    assert [r.title for r in results(report, "fail")] == ["“年生均财政拨款水平”的其中项均不超过上级指标（2024 年）"]


# ---------------------------------------------------------------- thresholds
def test_threshold_breaches_are_warnings_marked_in_the_appendix(demo):
    p = prepare(demo)
    assert not p.problems.errors
    warned = [w.message for w in p.problems.warnings if "教发〔2004〕2号" in w.message]
    assert len(warned) == 2 and warned[0].startswith("生师比不高于 18:1")
    rows = appendix_rows(p.rendered.document, "教学资源表")
    assert rows["生师比"][1:] == ["20:1▲", "19.7:1▲", "19.4:1▲"]
    assert rows["生均教学科研仪器设备值"][1:] == ["15530", "16709", "18097"]          # ≥ 4000: no mark
    assert rows["注"] == ["注：▲ 表示未达到《普通高等学校基本办学条件指标（试行）》（教发〔2004〕2号）规定的合格标准"
                          "（生师比不高于 18:1，生均图书不低于 80 册）。"]
    assert appendix_rows(p.rendered.document, "人才培养质量计分卡")["注"] == []


def test_level_selects_the_standard(demo):
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("level: 高等职业", "level: 中等职业"), encoding="utf-8")
    _, _, report, _ = compute(demo)
    assert [s.source for s in report.standards] == ["教职成〔2010〕12号"]
    assert not report.marks.get(("生师比", 2024))                         # 19.4 ≤ 20
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("level: 中等职业", "level: 职业本科"), encoding="utf-8")
    _, _, report, _ = compute(demo)
    [r] = results(report, group="办学条件标准")
    assert r.status == "skip" and "没有适用的标准" in r.detail and not report.marks


def test_threshold_compares_the_value_as_shown(tmp_path):
    root = project(tmp_path / "p", "全日制在校生数: {2024: 18040}\n专任教师数: {2024: 1000}\n")   # 18.04 → 18:1
    _, _, report, _ = compute(root)
    assert not report.marks


# ---------------------------------------------------------------- pack files
def test_checks_and_thresholds_naming_unknown_things_are_pack_errors(tmp_path, run):
    def edit(folder):
        (folder / "checks.yaml").write_text("- {kind: compare, left: 毕业生, op: '<=', right: 毕业生人数}\n"
                                           "- {kind: parts, parent: 月收入}\n"
                                           "- {kind: table_total, table: x, column: y, indicator: 毕业生人数}\n",
                                           encoding="utf-8")
        t = folder / "thresholds.yaml"
        t.write_text(t.read_text(encoding="utf-8").replace("生均图书: {min: 30}", "生均图书册数: {min: 30}"),
                     encoding="utf-8")
    copy_pack(tmp_path / "mypack", edit)
    root = project(tmp_path / "p", "{}\n", pack="../mypack")
    r = run("validate", root)
    assert r.code == 1
    assert "mypack/checks.yaml:1：公式“毕业生”引用了未定义的指标：毕业生" in r.err
    assert "mypack/checks.yaml:2：指标“月收入”没有其中项" in r.err
    assert "mypack/checks.yaml:3：检查引用了未定义的明细表“x”" in r.err
    assert "标准“zhongzhi-2010”引用了未定义的指标“生均图书册数”" in r.err
    (tmp_path / "mypack" / "checks.yaml").write_text("- {kind: table_total, table: majors, column: 在校生数}\n",
                                                     encoding="utf-8")
    r = run("check", root)
    assert r.code == 1 and "mypack/checks.yaml:1（第 1 项）：缺少必填项：“indicator”" in r.err


# ---------------------------------------------------------------- a typed 序号 (issue 27)
def _typed_serials(path, serials):
    """The table's rows given a 序号 as a school types one (the first len(serials) rows)."""
    lines, n = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("- ") and n < len(serials):
            lines += [f"- 序号: {serials[n]}", "  " + line[2:]]
            n += 1
        else:
            lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_skipped_or_repeated_serial_in_yaml_is_said_at_its_line(demo):
    """1, 2, 4 suggests a lost row, 1, 2, 2 a row typed twice: each a warning at the 序号's line; the draft
    still numbers its rows itself, and check --final lists them with the rows to look at."""
    from reportgen.final import final_check
    f = demo / "data" / "tables" / "certificates.yaml"
    _typed_serials(f, [1, 2, 4, 5, 5, 6])
    lines = f.read_text(encoding="utf-8").splitlines()
    at = lambda s: f"data/tables/certificates.yaml:{lines.index(f'- 序号: {s}') + 1}"     # noqa: E731
    p = prepare(demo)
    said = {str(w.location): w.message for w in p.problems.warnings if "序号" in w.message}
    assert set(said) == {at(4), f"data/tables/certificates.yaml:{len(lines) - lines[::-1].index('- 序号: 5')}"}
    assert said[at(4)].startswith("填写的序号从 2 跳到了 4（缺少 3）：是否漏了一行？")
    assert f"填写的序号 5 重复（{at(5)} 也是 5）" in "\n".join(said.values())
    table = next(b for b in iter_blocks(p.rendered.document.blocks) if isinstance(b, Table) and "证书" in b.title)
    assert table.serials is None and len(table.rows) == 41          # numbered 1..41 by the tool, no row lost
    groups = {i.place: i.group for i in final_check(demo).items}
    assert groups[at(4)] == "书号有误或重复的行"


def test_a_serial_typed_in_order_or_not_at_all_says_nothing(demo):
    f = demo / "data" / "tables" / "certificates.yaml"
    _typed_serials(f, [1, 2, 3, "一"])
    assert not [w for w in prepare(demo).problems.warnings if "序号" in w.message]


def test_a_skipped_serial_in_the_workbook_is_said_at_its_cell(demo, wb_path):
    """The 序号 column of a sheet (the export has none; a school adds one): 1, 2, 4 at cell A4."""
    import openpyxl
    from wbutil import edit, read, sheet

    def typed(wb):
        ws = sheet(wb, 1)
        ws.insert_cols(1)
        ws["A1"] = "序号"
        for r, n in zip(range(2, 6), (1, 2, 4, 5)):
            ws.cell(row=r, column=1, value=n)
        ws["D2"] = 333                           # an edit, so the workbook's table is the one used
    edit(wb_path, typed)
    problems, ds = read(demo, wb_path)
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == 333
    said = [p for p in problems.warnings if "序号" in p.message]
    assert [str(p.location) for p in said] == [f"W.xlsx › {sheet(openpyxl.load_workbook(wb_path), 1).title} › A4"]
    assert "缺少 3" in said[0].message


def test_a_tables_problems_name_it_as_printed_not_by_its_id(demo):
    """An office knows 表题, not ids: an empty row, a renamed required column and an unknown column say the title."""
    f = demo / "data" / "tables" / "innovation_awards.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("授予单位:", "颁奖方:")
                 + "- 获奖名称:\n  获奖级别:\n  获奖等级:\n  颁奖方:\n", encoding="utf-8")
    _, problems = check(demo)
    said = [p.message for p in problems.items if p.location and p.location.file.endswith("innovation_awards.yaml")]
    assert len(said) >= 2 and not [m for m in said if "innovation_awards" in m], said
    assert any(m.startswith("明细表“创新创业大赛获奖情况一览表”第 ") and "行是空行" in m for m in said), said
    assert any("明细表“创新创业大赛获奖情况一览表”的必填列“授予单位”" in m for m in said), said
