"""The fill-in workbook: export from the pack, edit in Excel, build with it; three-way merge with the YAML."""
import hashlib

import docx
import openpyxl
from wbutil import edit, read, sheet, texts

from reportgen.packs.find import find_pack
from reportgen.packs.load import load_pack

CERT = 1          # 表1 “1+X”证书: 证书名称 | 颁证机构 | 批准总培训人数（人）, 合计 over the last column


def certificate_table(path):
    for t in docx.Document(str(path)).tables:
        rows = [[c.text.strip() for c in r.cells] for r in t.rows]
        if rows and "批准总培训人数" in rows[0][-1]:
            return rows
    raise AssertionError("no 1+X table in the draft")


# ---- Must show ----------------------------------------------------------------------------------------------

def test_export_has_every_sheet_and_drop_downs(run, demo, tmp_path):
    out = tmp_path / "W.xlsx"
    r = run("workbook", demo, "-o", out)
    assert r.code == 0 and "已生成填报工作簿" in r.out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["说明", "指标"]
    tables = [n for n in wb.sheetnames if n.startswith("表")]
    assert len(tables) == len(load_pack(find_pack("annual-2024")).tables) and "表5 创新创业大赛获奖" in tables
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    ws = wb["表5 创新创业大赛获奖"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert "必填" in ws["A1"].comment.text
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["B"] == '"国家级,省级,市级,校级"' and "一等奖" in lists["C"]      # 获奖级别, 获奖等级
    assert all(dv.type == "list" for dv in ws.data_validations.dataValidation)
    ind = wb["指标"]
    assert [c.value for c in ind[1]] == ["指标", "单位", 2022, 2023, 2024]
    names = [c.value for c in ind["A"][1:]]
    assert "毕业生人数" in names and "生师比" not in names          # raw only: derived ones are computed
    assert wb[wb.sheetnames[-1]].sheet_state == "hidden"
    money = wb["表11 技术交易额"]
    assert money["C2"].number_format == "#,##0.00" and isinstance(money["C2"].value, float)


def test_default_output_goes_to_build(run, demo):
    r = run("workbook", demo)
    assert r.code == 0
    assert (demo / "build" / "江州职业技术学院数据填报.xlsx").is_file()


def test_text_in_numeric_cell_fails_the_build_naming_sheet_and_cell(run, demo, wb_path, tmp_path):
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C7", "十二"))
    out = tmp_path / "X.docx"
    r = run("build", demo, "--workbook", wb_path, "-o", out)
    assert r.code == 1
    assert "W.xlsx › 表1 “1+X”证书制度实施 › C7：“批准总培训人数”应为整数，实际为“十二”" in r.err
    assert not out.exists()


def test_control_characters_in_cells_are_removed_with_a_located_warning(run, demo, wb_path, tmp_path):
    # a manual line break (Shift+Enter in Word, U+000B) pasted into a cell: Excel stores it as _x000B_
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("A7", "电工_x000B_（中级）"))
    out = tmp_path / "X.docx"
    r = run("build", demo, "--workbook", wb_path, "-o", out)
    assert r.code == 0, r.text
    assert "W.xlsx › 表1 “1+X”证书制度实施 › A7：含有不可见的控制字符（U+000B" in r.err, r.err
    assert "电工 （中级）" in "\n".join(c.text for t in docx.Document(out).tables for row in t.rows for c in row.cells)


def test_valid_edit_reaches_the_draft_and_its_total(run, demo, wb_path, tmp_path):
    before = tmp_path / "before.docx"
    assert run("build", demo, "-o", before).code == 0
    old = certificate_table(before)
    assert old[1][-1] == "120"

    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C2", 333))
    after = tmp_path / "after.docx"
    r = run("build", demo, "--workbook", wb_path, "-o", after)
    assert r.code == 0, r.err
    new = certificate_table(after)
    assert new[1][-1] == "333"
    total = lambda rows: int(rows[-1][-1].replace(",", ""))     # noqa: E731
    assert rows_sum(new) == total(new) == total(old) + 213


def rows_sum(rows):
    return sum(int(r[-1].replace(",", "")) for r in rows[1:-1])



def test_the_schools_own_indicators_are_in_the_workbook_and_read_back(run, demo, tmp_path):
    """report.yaml `indicators:` are loaded for the workbook as for a build (pipeline.export_workbook): before
    the export loaded the project by itself without them, so a school's own figures had no row to fill in."""
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nindicators:\n  中外合作办学在校生: {unit: 人, values: {2024: 111}}\n"
                   "  中外合作办学在校生占比: {format: percent, formula: 中外合作办学在校生 / 全日制在校生数}\n",
                   encoding="utf-8")
    out = tmp_path / "W.xlsx"
    assert run("workbook", demo, "-o", out).code == 0
    ind = openpyxl.load_workbook(out)["指标"]
    rows = {r[0].value: [c.value for c in r] for r in ind.iter_rows(min_row=2)}
    assert rows["中外合作办学在校生"] == ["中外合作办学在校生", "人", None, None, 111]
    assert "中外合作办学在校生占比" not in rows                # computed by its formula, not filled in
    edit(out, lambda wb: wb["指标"].cell(row=list(rows).index("中外合作办学在校生") + 2, column=5, value=120))
    problems, ds = read(demo, out)
    assert problems.errors == [] and ds.indicators["中外合作办学在校生"][2024] == 120

# ---- three-way merge -------------------------------------------------------------------------------------

def test_unchanged_workbook_changes_nothing(demo, wb_path):
    problems, ds = read(demo, wb_path)
    assert problems.items == []
    assert ds.tables["certificates"].row_locs[0].file == "data/tables/certificates.yaml"


def test_yaml_edited_after_export_wins_over_untouched_workbook(demo, wb_path):
    f = demo / "data" / "tables" / "certificates.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("批准总培训人数: 120", "批准总培训人数: 121", 1), encoding="utf-8")
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == 121


def test_both_changed_is_a_conflict_naming_both_places(demo, wb_path):
    f = demo / "data" / "tables" / "certificates.yaml"
    text = f.read_text(encoding="utf-8")
    line = text[:text.index("批准总培训人数: 120")].count("\n") + 1
    f.write_text(text.replace("批准总培训人数: 120", "批准总培训人数: 121", 1), encoding="utf-8")
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C2", 122))
    problems, _ = read(demo, wb_path)
    msg = texts(problems, "error")
    assert f"data/tables/certificates.yaml:{line}" in msg
    assert "W.xlsx › 表1 “1+X”证书制度实施 › C2" in msg and "“122”" in msg and "“121”" in msg


def test_hand_made_workbook_any_difference_is_a_conflict(demo, wb_path):
    def change(wb):
        del wb[wb.sheetnames[-1]]                        # no hidden sheet: no fingerprints
        sheet(wb, CERT)["C2"] = 122
    edit(wb_path, change)
    problems, _ = read(demo, wb_path)
    assert "不是由 reportgen workbook 导出的" in texts(problems, "error")
    assert "certificates.yaml:" in texts(problems, "error")


def test_hand_made_workbook_values_only_in_one_source_are_taken(demo, wb_path):
    (demo / "data" / "tables" / "certificates.yaml").unlink()
    edit(wb_path, lambda wb: del_meta_and_set(wb))
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == 7


def del_meta_and_set(wb):
    del wb[wb.sheetnames[-1]]
    sheet(wb, CERT)["C2"] = 7


def test_indicator_edits_merge_per_year(demo, wb_path):
    f = demo / "data" / "indicators.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("2022: 4856", "2022: 4857"), encoding="utf-8")

    def change(wb):
        ws = wb["指标"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "毕业生人数")
        row[4].value = 5400          # 2024 in the workbook; 2022 changed in YAML: no conflict
    edit(wb_path, change)
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.indicators["毕业生人数"] == {2022: 4857, 2023: 5123, 2024: 5400}
    assert str(ds.indicator_locs["毕业生人数"][2024]) == "W.xlsx › 指标 › E2"


def test_indicator_changed_in_both_is_a_conflict(demo, wb_path):
    f = demo / "data" / "indicators.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("2024: 5368", "2024: 5369"), encoding="utf-8")
    edit(wb_path, lambda wb: wb["指标"].__setitem__("E2", 5400))
    problems, _ = read(demo, wb_path)
    msg = texts(problems, "error")
    assert "指标“毕业生人数”2024 年" in msg and "W.xlsx › 指标 › E2" in msg and "data/indicators.yaml:" in msg


def test_renamed_sheet_is_followed_through_the_hidden_sheet(demo, wb_path):
    def change(wb):
        ws = sheet(wb, CERT)
        ws["C2"] = 333
        old = ws.title
        ws.title = "1+X（教务处填）"
        meta = wb[wb.sheetnames[-1]]              # what Excel does to formulas when a sheet is renamed
        for row in meta.iter_rows():
            for c in row:
                if isinstance(c.value, str) and old in c.value and c.value.startswith("="):
                    c.value = c.value.replace(old, ws.title)
    edit(wb_path, change)
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == 333


def test_workbook_named_in_report_yaml_is_read_by_default(run, demo, wb_path):
    (demo / "数据填报.xlsx").write_bytes(wb_path.read_bytes())
    edit(demo / "数据填报.xlsx", lambda wb: sheet(wb, CERT).__setitem__("C3", "十二"))
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nworkbook: 数据填报.xlsx\n", encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "数据填报.xlsx › 表1 “1+X”证书制度实施 › C3" in r.err
    (demo / "数据填报.xlsx").unlink()
    r = run("validate", demo)
    assert r.code == 1 and "workbook" in r.err and "不存在" in r.err


def test_missing_workbook_option_file_is_a_usage_error(run, demo, tmp_path):
    r = run("validate", demo, "--workbook", tmp_path / "nope.xlsx")
    assert r.code == 2 and "找不到工作簿" in r.err


def test_reading_a_workbook_never_touches_the_project(run, demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C2", 333))

    def snapshot():
        return {p.relative_to(demo): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(demo.rglob("*")) if p.is_file() and "build" not in p.parts}
    before = snapshot()
    assert run("validate", demo, "--workbook", wb_path).code == 0
    assert snapshot() == before


def test_export_again_keeps_edits_of_the_named_workbook(run, demo, wb_path, tmp_path):
    """Re-exporting while report.yaml names an edited workbook must not lose the department's edits."""
    (demo / "数据填报.xlsx").write_bytes(wb_path.read_bytes())
    edit(demo / "数据填报.xlsx", lambda wb: sheet(wb, CERT).__setitem__("C2", 333))
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nworkbook: 数据填报.xlsx\n", encoding="utf-8")
    again = tmp_path / "again.xlsx"
    assert run("workbook", demo, "-o", again).code == 0
    assert sheet(openpyxl.load_workbook(again), CERT)["C2"].value == 333
    problems, ds = read(demo, again)
    assert problems.errors == [] and ds.tables["certificates"].rows[0]["批准总培训人数"] == 333
