"""Every class of bad workbook input ends in a located Chinese message (or a warning), never a traceback."""
import datetime as dt
import zipfile

import openpyxl
import pytest

from wbutil import edit, read, rewrite_members, sheet, sheet_member, texts

CERT, TEACHING, INNOVATION, EMERGING = 1, 2, 5, 13


def hand_made(path, title, rows):
    """A workbook typed by hand: one sheet, no hidden bookkeeping sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def formula_in(path, title, cell, formula, cached, out, kind=None):
    """Put a formula (with or without a cached result) into a cell, as Excel or a program would save it."""
    member = sheet_member(path, title)

    def change(name, data):
        if name != member:
            return data
        start = data.index(f'<c r="{cell}"'.encode())
        end = data.index(b"</c>", start) + 4
        value = b"" if cached is None else f"<v>{cached}</v>".encode()
        t = f' t="{kind}"' if kind else ""
        return data[:start] + f'<c r="{cell}"{t}><f>{formula}</f>'.encode() + value + b"</c>" + data[end:]
    return rewrite_members(path, change, out)


# ---- cell values ------------------------------------------------------------------------------------------

def test_text_in_numeric_cell(demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C4", "约一百"))
    problems, _ = read(demo, wb_path)
    assert "W.xlsx › 表1 “1+X”证书制度实施 › C4：“批准总培训人数”应为整数，实际为“约一百”" in texts(problems, "error")


@pytest.mark.parametrize("typed, value, note", [
    ("1,234", 1234, "千分位"),
    ("12人", 12, "单位"),
    ("１２", 12, "全角"),
])
def test_unambiguous_number_text_is_normalised_with_a_warning(demo, wb_path, typed, value, note):
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C2", typed))
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == value
    warning = texts(problems, "warning")
    assert "表1 “1+X”证书制度实施 › C2" in warning and note in warning


@pytest.mark.parametrize("typed", ["1,23", "12 或 13", "1.234,5"])
def test_ambiguous_number_text_is_an_error(demo, wb_path, typed):
    edit(wb_path, lambda wb: sheet(wb, CERT).__setitem__("C2", typed))
    problems, _ = read(demo, wb_path)
    assert "表1 “1+X”证书制度实施 › C2" in texts(problems, "error")


def test_excel_error_value_is_named(demo, wb_path, tmp_path):
    path = formula_in(wb_path, "表1 “1+X”证书制度实施", "C2", "1/0", "#DIV/0!", tmp_path / "e.xlsx", kind="e")
    problems, _ = read(demo, path)
    msg = texts(problems, "error")
    assert "表1 “1+X”证书制度实施 › C2" in msg and "#DIV/0!" in msg


# ---- rows -----------------------------------------------------------------------------------------------------

def test_blank_rows_in_the_middle_are_skipped_with_a_warning(demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, CERT).insert_rows(4, amount=2))
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    warning = texts(problems, "warning")
    assert "表1 “1+X”证书制度实施 › 第 4 行：空行，已跳过" in warning and "第 5 行" in warning
    assert len(ds.tables["certificates"].rows) == 41


def test_rows_holding_only_a_serial_number(demo, tmp_path):
    path = hand_made(tmp_path / "h.xlsx", "表1 “1+X”证书制度实施", [
        ["序号", "证书名称", "颁证机构", "批准总培训人数"],
        [1, "甲证书", "甲机构", 10],
        [2],
        [3, "乙证书", "乙机构", 20],
        [4], [5], [6],                                     # pre-numbered rows left empty at the end: silent
    ])
    (demo / "data" / "tables" / "certificates.yaml").unlink()
    problems, ds = read(demo, path)
    assert problems.errors == []
    assert [r["证书名称"] for r in ds.tables["certificates"].rows] == ["甲证书", "乙证书"]
    warning = texts(problems, "warning")
    assert "第 3 行：这一行只有序号" in warning and "第 5 行" not in warning


def test_typed_total_row_is_checked_against_the_rows(demo, tmp_path):
    path = hand_made(tmp_path / "h.xlsx", "表1 “1+X”证书制度实施", [
        ["序号", "证书名称", "颁证机构", "批准总培训人数（人）"],
        [1, "甲证书", "甲机构", 12000],
        [2, "乙证书", "乙机构", 8175],
        ["合  计", None, None, 18291],
    ])
    (demo / "data" / "tables" / "certificates.yaml").unlink()
    problems, ds = read(demo, path)
    assert "h.xlsx › 表1 “1+X”证书制度实施 › D4：“批准总培训人数”合计应为 20175，表中填写 18291（相差 1884）" \
        in texts(problems, "error")
    assert len(ds.tables["certificates"].rows) == 2          # the 合计 row is not data


def test_correct_typed_total_row_is_accepted(demo, tmp_path):
    path = hand_made(tmp_path / "h.xlsx", "技术交易额", [
        ["项目名称", "主持人", "到账金额（万元）", "合同类型"],
        ["甲", "张三", 10.5, "技术开发"],
        ["乙", "李四", "20.25", "技术服务"],
        ["总计", None, 30.75, None],
    ])
    (demo / "data" / "tables" / "tech_transfer.yaml").unlink()
    problems, ds = read(demo, path)
    assert problems.errors == []
    assert len(ds.tables["tech_transfer"].rows) == 2


# ---- merged cells, formulas ----------------------------------------------------------------------------------

def test_merged_cells_apply_to_the_whole_range(demo, wb_path):
    def change(wb):
        ws = sheet(wb, EMERGING)                       # 专业名称 | 专业设置时间 | 产业领域
        ws["C2"] = "智能制造产业"
        ws["C3"] = None
        ws.merge_cells("C2:C3")
    edit(wb_path, change)
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    t = ds.tables["majors_emerging"]
    assert [r["产业领域"] for r in t.rows[:2]] == ["智能制造产业", "智能制造产业"]
    assert t.locs[1]["产业领域"].cell == "C2"          # where the value was typed


def test_formula_uses_its_cached_value(demo, wb_path, tmp_path):
    path = formula_in(wb_path, "表1 “1+X”证书制度实施", "C2", "100+33", 133, tmp_path / "f.xlsx")
    problems, ds = read(demo, path)
    assert problems.errors == []
    assert ds.tables["certificates"].rows[0]["批准总培训人数"] == 133


def test_formula_without_cached_value_is_named(demo, wb_path, tmp_path):
    path = formula_in(wb_path, "表1 “1+X”证书制度实施", "C2", "SUM(C3:C4)", None, tmp_path / "f.xlsx")
    problems, _ = read(demo, path)
    msg = texts(problems, "error")
    assert "表1 “1+X”证书制度实施 › C2" in msg and "=SUM(C3:C4)" in msg and "没有保存计算结果" in msg
    assert msg.count("\n") == 0                               # one problem, not a second "missing" one


# ---- columns and sheets ------------------------------------------------------------------------------------

def test_missing_required_column(demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, INNOVATION).delete_cols(4))       # 授予单位
    problems, _ = read(demo, wb_path)
    assert "表5 创新创业大赛获奖 › 第 1 行：缺少必填列“授予单位”" in texts(problems, "error")


def test_renamed_required_column_gets_a_suggestion(demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, INNOVATION).__setitem__("D1", "授予部门"))
    problems, _ = read(demo, wb_path)
    assert "是否被改成了“授予部门”" in texts(problems, "error")


def test_extra_column_is_a_warning(demo, wb_path):
    def change(wb):
        ws = sheet(wb, CERT)
        ws["D1"], ws["D2"] = "备注", "线上培训"
    edit(wb_path, change)
    problems, _ = read(demo, wb_path)
    assert problems.errors == []
    assert "表1 “1+X”证书制度实施 › D1：“备注”不是这张表的列" in texts(problems, "warning")


def test_unknown_sheet_suggests_the_closest_expected_one(demo, wb_path):
    def change(wb):
        del wb[wb.sheetnames[-1]]                          # hand-made copy: no hidden sheet to follow renames
        sheet(wb, INNOVATION).title = "创新创业大赛获奖（学工处）"
    edit(wb_path, change)
    problems, _ = read(demo, wb_path)
    assert "无法识别工作表“创新创业大赛获奖（学工处）”，是否应为“表5 创新创业大赛获奖”？" in texts(problems, "error")


def test_unrelated_sheet_is_a_warning(demo, wb_path):
    edit(wb_path, lambda wb: wb.create_sheet("草稿").append(["随手记的电话", "13800000000"]))
    problems, _ = read(demo, wb_path)
    assert problems.errors == [] and "工作表“草稿”不是填报表格" in texts(problems, "warning")


def test_indicator_unit_changed_is_an_error(demo, wb_path):
    def change(wb):
        ws = wb["指标"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "教学科研仪器设备总值")
        row[1].value = "元"
    edit(wb_path, change)
    problems, _ = read(demo, wb_path)
    assert "单位填写为“元”，应为“万元”" in texts(problems, "error")


# ---- dates --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    (dt.datetime(2023, 5, 1), "2023.05"),
    ("2023年5月", "2023.05"),
    ("2023.05", "2023.05"),
    (2023.05, "2023.05"),
    ("2023.10", "2023.10"),
])
def test_dates_as_excel_dates_or_text(demo, wb_path, typed, expected):
    def change(wb):
        ws = sheet(wb, TEACHING)                       # 竞赛项目 | 级别 | 获奖等级 | 获奖教师 | 时间
        ws["E2"] = typed
        if isinstance(typed, dt.datetime):
            ws["E2"].number_format = "yyyy-mm-dd"
    edit(wb_path, change)
    problems, ds = read(demo, wb_path)
    assert problems.errors == []
    assert ds.tables["teaching_awards"].rows[0]["时间"] == expected


def test_month_lost_by_excel_is_an_error(demo, wb_path):
    edit(wb_path, lambda wb: sheet(wb, TEACHING).__setitem__("E2", 2023.1))
    problems, _ = read(demo, wb_path)
    assert "表2 教师教学大赛获奖 › E2" in texts(problems, "error") and "10 月" in texts(problems, "error")


# ---- files that are not workbooks, or hostile ones -----------------------------------------------------------

def refused(run, demo, path, *words):
    r = run("validate", demo, "--workbook", path)
    assert r.code == 1, r.text
    assert all(w in r.err for w in words), r.err
    return r


def test_corrupt_file(run, demo, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip" + bytes(range(256)) * 4)
    refused(run, demo, bad, "坏.xlsx", "不是有效的 .xlsx")


def test_truncated_workbook(run, demo, wb_path, tmp_path):
    bad = tmp_path / "半截.xlsx"
    bad.write_bytes(wb_path.read_bytes()[: wb_path.stat().st_size // 2])
    refused(run, demo, bad, "半截.xlsx", "另存为")


def test_csv_renamed_to_xlsx(run, demo, tmp_path):
    bad = tmp_path / "表.xlsx"
    bad.write_text("证书名称,颁证机构,批准总培训人数\n甲,乙,1\n", encoding="utf-8")
    refused(run, demo, bad, "不是有效的 .xlsx")


def test_other_zip_is_not_a_workbook(run, demo, tmp_path):
    bad = tmp_path / "报告.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    refused(run, demo, bad, "不是 Excel 工作簿")


def test_password_protected_workbook(run, demo, tmp_path):
    bad = tmp_path / "加密.xlsx"
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    bad.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + bytes(4096))
    refused(run, demo, bad, "加密.xlsx", "密码")


def test_bare_ole_file_is_explained(run, demo, tmp_path):
    bad = tmp_path / "旧.xlsx"
    bad.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    refused(run, demo, bad, "密码", ".xls")


def test_zip_bomb_is_refused_before_parsing(run, demo, wb_path, tmp_path):
    bomb = tmp_path / "炸弹.xlsx"
    bomb.write_bytes(wb_path.read_bytes())
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/zeros.bin", "w") as f:
            chunk = bytes(1024 * 1024)
            for _ in range(64):
                f.write(chunk)
    refused(run, demo, bomb, "压缩炸弹")


def test_huge_sheet_declared_by_its_dimension(run, demo, wb_path, tmp_path):
    member = sheet_member(wb_path, "表1 “1+X”证书制度实施")
    big = rewrite_members(wb_path, lambda name, data: data.replace(b'<dimension ref="A1:C42"/>',
                                                                   b'<dimension ref="A1:C400000"/>')
                          if name == member else data, tmp_path / "大.xlsx")
    refused(run, demo, big, "表1 “1+X”证书制度实施", "超过 20000 行")


def test_huge_sheet_with_a_lying_dimension(run, demo, wb_path, tmp_path):
    member = sheet_member(wb_path, "表1 “1+X”证书制度实施")
    rows = b"".join(b'<row r="%d"><c r="C%d"><v>1</v></c></row>' % (i, i) for i in range(50, 300050))

    def change(name, data):
        return data.replace(b"</sheetData>", rows + b"</sheetData>") if name == member else data
    big = rewrite_members(wb_path, change, tmp_path / "大.xlsx")
    refused(run, demo, big, "超过 20000 行")


def test_xml_entity_attack_is_refused(run, demo, wb_path, tmp_path):
    """A "billion laughs" entity bomb in a sheet: defusedxml makes openpyxl refuse it, we say why."""
    member = sheet_member(wb_path, "表1 “1+X”证书制度实施")
    entities = b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join([b"&lol%d;" % (i - 1)] * 10)) for i in range(1, 10))
    dtd = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + entities + b"]>"

    def change(name, data):
        if name != member:
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        start = body.index(b'<c r="A2"')
        end = body.index(b"</c>", start) + 4
        return dtd + body[:start] + b'<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>' + body[end:]
    bad = rewrite_members(wb_path, change, tmp_path / "xml.xlsx")
    refused(run, demo, bad, "xml.xlsx", "不安全的 XML")
