"""The jituan pack (seed 004's frame): a 职教集团 work report without cover or 目录, numbered bold leads,
salutation and signature, and member statistics computed from the member table."""
import shutil

import docx
import pytest
from docx.oxml.ns import qn

from conftest import ROOT
from reportgen.cli import main

DEMO = ROOT / "examples" / "jituan-demo"


@pytest.fixture(scope="module")
def jt(tmp_path_factory):
    out = tmp_path_factory.mktemp("jt") / "jt.docx"
    assert main(["build", str(DEMO), "-o", str(out)]) == 0
    return docx.Document(str(out))


def styled(d, name):
    return [p.text for p in d.paragraphs if p.style.name == name]


def test_no_cover_no_toc_title_first(jt):
    first = jt.paragraphs[0]
    assert first.style.name == "Title" and first.text == "产教同频 共育新农人"
    assert jt.paragraphs[1].text == "——江州市现代农业职业教育集团 2024 年工作报告"
    assert jt.paragraphs[2].text == "（2024年11月26日 江州）"
    instr = " ".join(i.text for i in jt.element.body.iter(qn("w:instrText")))
    assert "TOC" not in instr
    assert not any(p.style.name.lower().startswith("toc") for p in jt.paragraphs)
    assert len(jt.sections) == 1                     # no cover or 目录 section
    assert jt.core_properties.title == "产教同频 共育新农人——江州市现代农业职业教育集团 2024 年工作报告"


def test_salutation_chapters_and_signature(jt):
    assert styled(jt, "Salutation") == ["尊敬的各位领导、各位理事单位代表、同志们："]
    assert styled(jt, "Heading 1") == ["一、集团2024年度工作回顾与总结", "二、集团2025年度工作计划", "附件：集团成员单位名单"]
    assert styled(jt, "Signature") == ["江州市现代农业职业教育集团", "2024年11月26日"]
    body = [p.text for p in jt.paragraphs]
    assert body.index("谢谢大家！") < body.index("江州市现代农业职业教育集团")


def test_bold_leads_are_numbered_under_each_section(jt):
    paras = jt.paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == "（二）推动资源共建共享")
    leads = []
    for p in paras[start + 1:]:
        if p.style.name.startswith("Heading"):
            break
        leads.append(p)
    assert [p.text[:3] for p in leads] == ["1. ", "2. ", "3. "]
    assert all(p.runs[0].bold and p.runs[0].text.endswith("。") for p in leads)
    assert leads[0].runs[0].text == "1. 实训基地开放共享。"


def test_member_statistics_come_from_the_member_table(jt, tmp_path, run):
    text = "\n".join(p.text for p in jt.paragraphs)
    assert ("成员单位 40 家，其中政府部门 2 家、企业 22 家、本科院校 2 所、高职院校 5 所、中职学校 6 所、"
            "行业协会 2 家、科研院所 1 家，本年新增成员单位 3 家") in text
    table = jt.tables[0]
    assert len(table.rows) == 41 and [c.text for c in table.rows[0].cells][1] == "类型"
    merged = table.rows[1].cells[1]._tc.tcPr.find(qn("w:vMerge"))
    assert merged is not None                         # the 类型 column is merged per type
    proj = tmp_path / "jt"
    shutil.copytree(DEMO, proj, ignore=shutil.ignore_patterns("build"))
    members = proj / "data" / "tables" / "members.yaml"
    rows = members.read_text(encoding="utf-8").splitlines()
    at = max(i for i, r in enumerate(rows) if "类型: 企业" in r)
    rows.insert(at + 1, "- {类型: 企业, 单位名称: 江州新材料包装有限公司, 所在地: 江州, 理事会职务: 理事单位, 加入年份: 2024}")
    members.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert run("build", proj, "-o", tmp_path / "jt2.docx").code == 0
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "jt2.docx")).paragraphs)
    assert "成员单位 41 家，其中政府部门 2 家、企业 23 家" in text and "本年新增成员单位 4 家" in text


def test_init_jituan(run, tmp_path):
    proj = tmp_path / "J"
    assert run("init", proj, "--pack", "jituan").code == 0
    cfg = (proj / "report.yaml").read_text(encoding="utf-8")
    assert "place:" in cfg and "audience:" in cfg and "\nlevel:" not in cfg
    assert (proj / "data" / "tables" / "members.yaml").is_file()
    r = run("build", proj, "-o", tmp_path / "j.docx")
    assert r.code == 0, r.text
    d = docx.Document(str(tmp_path / "j.docx"))
    assert d.paragraphs[0].style.name == "Title"
