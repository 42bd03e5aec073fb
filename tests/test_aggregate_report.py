"""The aggregate report is put together by the same chapter assembly as a school's draft (render/assemble.py):
the pack's running header, 目录 and cover options, sections left empty, numbered lead sentences and 目录 levels
hold for it too. Before, its own chapter loop skipped each of these."""
import shutil

import docx
import pytest
import yaml

from reportgen.aggregate.collect import SchoolData
from reportgen.aggregate.report import load_aggregate_pack, render_aggregate, write_aggregate
from reportgen.batch import SchoolResult
from reportgen.doc.model import Heading, Toc
from reportgen.pack import BUILTIN_PACKS

NOTES = """# {{ chapter.title }}

## 本年度新增学校

## 下一步工作

**统计口径保持一致。**各校按同一模板包填报，{{ "数据\\x0b逐项" }}核对。

**按期报送。**下一年度的数据\x0b于次年三月前报送。
"""                 # the first \x0b made by the template when it renders, the second in the file itself


def _pack(tmp_path, monkeypatch, header: str = "", **options):
    """The built-in aggregate pack as an installed pack "province-summary", with a 说明 chapter, a running
    `header` if given and pack `options` set."""
    monkeypatch.setenv("REPORTGEN_PACKS", str(tmp_path / "packs"))
    root = tmp_path / "packs" / "province-summary"
    shutil.copytree(BUILTIN_PACKS / "aggregate", root)
    spec = yaml.safe_load((root / "pack.yaml").read_text(encoding="utf-8"))
    spec["name"] = "province-summary"
    spec["chapters"].append({"id": "notes", "title": "说明", "template": "chapters/notes.md.j2",
                             "lead_numbers": True, "toc_levels": 1})
    spec.update(options)
    if header:
        spec["typography"]["running_header"] = header
    (root / "pack.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    (root / "chapters" / "notes.md.j2").write_text(NOTES, encoding="utf-8")
    return load_aggregate_pack("province-summary")


def _schools():
    values = {"全日制在校生数": 8000, "专任教师数": 400, "毕业去向落实率": 92.5, "生师比": 17.1}
    return [SchoolResult(f"/p/{n}", n, True, data=SchoolData(n, f"/p/{n}", "高等职业", 2024, "annual-2024",
                                                             values={k: v + i for k, v in values.items()}))
            for i, n in enumerate(["甲职业学院", "乙职业学院"])]


def test_the_aggregate_report_gets_every_step_of_the_chapter_assembly(tmp_path, monkeypatch):
    agg = _pack(tmp_path, monkeypatch, header="{{ org }}{{ title }}（{{ year }}年度）")
    doc, problems = render_aggregate(agg, _schools(), org="某省教育厅")
    assert problems.errors == []
    out = tmp_path / "汇总.docx"
    write_aggregate(doc, out)
    d = docx.Document(str(out))
    assert d.sections[-1].header.paragraphs[0].text == "某省教育厅职业教育质量年度报告汇总（2024年度）"
    text = [p.text for p in d.paragraphs]
    new_schools = text.index("（一）本年度新增学校")
    assert text[new_schools + 1] == "【待补充：本年度新增学校】"          # an empty section is marked, not blank
    assert "1. 统计口径保持一致。各校按同一模板包填报，数据逐项核对。" in text     # numbered leads, a \x0b
    assert "2. 按期报送。下一年度的数据于次年三月前报送。" in text               # dropped (clean())
    [warning] = problems.warnings                   # the template loader's, located in the file
    assert str(warning.location) == "province-summary/chapters/notes.md.j2:9" and "U+000B" in warning.message
    toc = next(b for b in doc.blocks if isinstance(b, Toc))
    assert "五、说明" in [e.text for e in toc.entries]
    assert not any("新增学校" in e.text for e in toc.entries)          # toc_levels: 1


@pytest.mark.parametrize("option", ["cover", "toc"])
def test_the_aggregate_packs_cover_and_toc_options_are_followed(tmp_path, monkeypatch, option):
    doc, problems = render_aggregate(_pack(tmp_path, monkeypatch, **{option: False}), _schools())
    assert problems.errors == []
    assert (doc.cover is None) == (option == "cover")
    assert isinstance(doc.blocks[0], Toc) == (option != "toc")
    assert isinstance(doc.blocks[0 if option == "toc" else 2], Heading)
