"""The aggregate report is put together by the same chapter assembly as a school's draft (render/assemble.py):
the pack's running header, 目录 and cover options, sections left empty, numbered lead sentences and 目录 levels
hold for it too. Before, its own chapter loop skipped each of these."""
import re
import shutil

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from reportgen.aggregate.collect import SchoolData
from reportgen.aggregate.report import _Renderer, render_aggregate, write_aggregate
from reportgen.packs.aggregate import load_aggregate_pack
from reportgen.batch import SchoolResult
from reportgen.doc.model import Heading, Toc
from reportgen.pack import BUILTIN_PACKS
from reportgen.packs.aggregate import CHAPTER_ONLY, CONTEXT, STAT_KEYS, TABLES
from reportgen.render.display import format_value
from reportgen.render.numbering import chinese_number
from reportgen.value_kinds import ValueFormat
from reportgen.write.colwidths import text_em
from reportgen.write.tables import CELL_MARGIN_TWIPS

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


# ---------------------------------------------------------------- what the templates see: declared once
def test_the_renderers_context_and_tables_are_the_declared_ones(tmp_path, monkeypatch):
    """packs/aggregate.py declares the names and table ids `pack check` lints an aggregate pack against;
    the renderer must offer exactly those, or lint and build disagree about the same template."""
    agg = _pack(tmp_path, monkeypatch)
    renderer = _Renderer(agg, _schools(), agg.title, "某省教育厅", "")
    chapter = agg.pack.chapters[0]
    assert set(renderer.context(chapter)) == set(CONTEXT)
    assert set(renderer.context()) == set(CONTEXT) - CHAPTER_ONLY          # cover, running header
    assert list(renderer.tables) == agg.table_ids()
    assert [r.id for r in agg.rankings] == agg.table_ids()[len(TABLES):]


def test_pack_check_passes_the_builtin_aggregate_pack_and_a_pack_made_from_it(run, tmp_path, monkeypatch):
    r = run("pack", "check", "aggregate")
    assert r.code == 0 and "检查通过" in r.out and r.err == "", r.text
    monkeypatch.setenv("REPORTGEN_PACKS", str(tmp_path / "packs"))
    monkeypatch.chdir(tmp_path)
    assert run("pack", "new", "province", "--from", "aggregate").code == 0
    assert not (tmp_path / "province" / "aggregate.yaml").exists()     # inherited from its parent
    r = run("pack", "check", tmp_path / "province")
    assert r.code == 0 and r.err == "", r.text
    agg = load_aggregate_pack("province")                 # the folder pack new made, as pack check takes it
    assert agg.pack.name == "province" and agg.appendix == load_aggregate_pack("aggregate").appendix


BAD_STATISTICS = """# {{ chapter.title }}

下表汇总 {{ n_okk }} 所学校的主要指标，中位数 {{ stat("生师必", "avg") }}。

{{ table("statistic") }}{{ table("rank-2") }}{{ table("rank-9") }}{{ ind.生师比 }}
"""


def test_pack_check_locates_what_an_aggregate_pack_gets_wrong(run, tmp_path, monkeypatch):
    root = tmp_path / "bad"
    shutil.copytree(BUILTIN_PACKS / "aggregate", root)
    (root / "chapters" / "statistics.md.j2").write_text(BAD_STATISTICS, encoding="utf-8")
    spec = root / "aggregate.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("{indicator: 生师比,", "{indicator: 生师筆,"),
                    encoding="utf-8")
    r = run("pack", "check", root)
    assert r.code == 1
    line = 1 + next(n for n, text in enumerate(spec.read_text(encoding="utf-8").splitlines()) if "生师筆" in text)
    for expected in [f"[错误] bad/aggregate.yaml:{line}：模板包“annual-2024”中没有名为“生师筆”的指标，是否应为“生师比”",
                     "[错误] bad/chapters/statistics.md.j2:3：模板包“annual-2024”中没有名为“生师必”的指标，是否应为“生师比”",
                     "[错误] bad/chapters/statistics.md.j2:3：stat() 的第二个参数应为 n、sum、mean、median、min、max 之一，实际为“avg”",
                     "[错误] bad/chapters/statistics.md.j2:5：引用了不存在的表格“statistic”，是否应为“statistics”",
                     "[错误] bad/chapters/statistics.md.j2:5：引用了不存在的表格“rank-9”",
                     "[警告] bad/chapters/statistics.md.j2:3：模板使用了未知的变量“n_okk”，是否应为“n_ok”",
                     "[警告] bad/chapters/statistics.md.j2:5：模板使用了未知的变量“ind”"]:
        assert expected in r.err, (expected, r.err)
    assert "rank-2" not in r.err and r.err.count("[错误]") == 5, r.err    # the misspelt ranking keeps its id

    spec.write_text(spec.read_text(encoding="utf-8").replace("base_pack: annual-2024", "base_pack: annual-2042"),
                    encoding="utf-8")
    r = run("pack", "check", root)
    assert r.code == 1 and "bad/aggregate.yaml:4：base_pack：找不到模板包“annual-2042”" in r.err, r.err
    assert "rank-2" not in r.err and "statistic”" in r.err            # templates still checked


# ---------------------------------------------------------------- the appendix split to the page width
LONG_NAMES = ["江州职业技术学院", "临川职业学院", "云岭工程职业技术学院", "青岚中等专业学校", "白石职业技术学校",
              "东湖市高级技工学校暨东湖市职业技术学院", "南浦职业学院", "西陵工程职业技术学院", "北固职业技术学校"]
MORE_INDICATORS = ["全日制在校生数", "毕业生人数", "专任教师数", "双师素质专任教师数", "生师比", "毕业去向落实率",
                   "双师素质专任教师比例", "高级职务专任教师比例", "生均教学科研仪器设备值", "生均图书", "科研社会服务经费",
                   "非学历培训到账经费"]


def _appendix_pack(tmp_path, monkeypatch, appendix: list[str] | None, **typography):
    monkeypatch.setenv("REPORTGEN_PACKS", str(tmp_path / "packs"))
    root = tmp_path / "packs" / "province-appendix"
    shutil.copytree(BUILTIN_PACKS / "aggregate", root)
    spec = yaml.safe_load((root / "pack.yaml").read_text(encoding="utf-8"))
    spec["name"] = root.name
    spec["typography"].update(typography)
    (root / "pack.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    if appendix is not None:
        agg = yaml.safe_load((root / "aggregate.yaml").read_text(encoding="utf-8"))
        agg["appendix"] = appendix
        (root / "aggregate.yaml").write_text(yaml.safe_dump(agg, allow_unicode=True), encoding="utf-8")
    return load_aggregate_pack(root.name)


def _value(d, i: int):
    """A school's value as large as the indicator's kind allows in practice (amounts of 万元 in the
    hundreds of thousands, ratios with a decimal), varied by school."""
    if d.format == ValueFormat.PERCENT:
        return 0.8 + i / 97
    if d.format == ValueFormat.RATIO:
        return 14.05 + i * 1.3
    if d.unit == "%":
        return 80.0 + i * 1.37
    return 123456.789 * (1 + i) if d.unit == "万元" else 9876 * (1 + i) + i


def _appendix_tables(path):
    """(caption, rows of cell texts, gridCol widths in twips) of each 各校主要指标一览 table, in order."""
    d = docx.Document(str(path))
    out, caption = [], ""
    for child in d.element.body.iterchildren():
        if child.tag == qn("w:p"):
            caption = "".join(t.text or "" for t in child.iter(qn("w:t")))
        elif child.tag == qn("w:tbl") and "各校主要指标一览" in caption:
            table = docx.table.Table(child, d)
            widths = [int(g.get(qn("w:w"))) for g in child.iter(qn("w:gridCol"))]
            out.append((caption, [[c.text for c in row.cells] for row in table.rows], widths))
    return out


@pytest.mark.parametrize("appendix, typography, parts", [
    (None, {}, "several"),                                  # the built-in pack's 6 columns on a portrait page
    (MORE_INDICATORS, {}, "several"),
    (MORE_INDICATORS, {"table_size": 9}, "several"),
    (MORE_INDICATORS[:3], {"page_width_mm": 297, "page_height_mm": 210}, "one"),   # landscape: fits
])
def test_the_appendix_is_split_into_tables_that_fit_the_page(tmp_path, monkeypatch, appendix, typography, parts):
    agg = _appendix_pack(tmp_path, monkeypatch, appendix, **typography)
    defs = agg.base.indicators
    schools = [SchoolResult(f"/p/{n}", n, True, data=SchoolData(
        n, f"/p/{n}", "中等职业" if "学校" in n else "高等职业", 2024, "annual-2024",
        values={name: _value(d, i) for name, d in defs.items()}, warnings=i * 7))
        for i, n in enumerate(LONG_NAMES)]
    doc, problems = render_aggregate(agg, schools, org="某省教育厅")
    assert problems.errors == []
    out = tmp_path / "汇总.docx"
    write_aggregate(doc, out)
    tables = _appendix_tables(out)
    assert (len(tables) > 1) == (parts == "several")
    t = agg.pack.typography
    text_width = round((t.page_width_mm - t.margin_left_mm - t.margin_right_mm) / 25.4 * 1440)
    em = t.table_size * 20
    headers = []
    for n, (caption, rows, widths) in enumerate(tables, start=1):
        assert caption.endswith(f"各校主要指标一览（{chinese_number(n)}）" if len(tables) > 1 else "各校主要指标一览")
        assert rows[0][:4] == ["序号", "学校", "办学层次", "年度"]            # each part says which school a row is
        assert [r[1] for r in rows[1:]] == sorted(LONG_NAMES)
        assert sum(widths) <= text_width + 1
        headers += rows[0][4:]
        for row in rows[1:]:
            school = next(s.data for s in schools if s.data.name == row[1])
            for header, text, width in zip(rows[0], row, widths):
                name = header.split("（")[0]
                if name in defs:
                    assert text == format_value(defs[name], school.values[name], with_unit=False)
                expected = {"年度": "2024", "警告数": str(school.warnings)}.get(header, text)
                assert text == expected
                if name in defs or header in ("年度", "警告数", "序号"):        # a number never breaks
                    assert text_em(text) * em <= width - 2 * CELL_MARGIN_TWIPS, (header, text, width)
            assert text_em(row[1]) * em <= 2 * (widths[1] - 2 * CELL_MARGIN_TWIPS)   # a name on two lines at most
    names = [h.split("（")[0] for h in headers]
    assert names == agg.appendix + ["警告数"]                    # every column once, in the pack's order


def test_the_packs_list_of_names_for_authors_is_the_declared_one():
    """The comment an author reads in the built-in pack names every variable and table there is."""
    source = (BUILTIN_PACKS / "aggregate" / "chapters" / "overview.md.j2").read_text(encoding="utf-8")
    comment = source[source.index("{#"):source.index("#}")]
    words = set(re.findall(r"[a-z_]+", comment))
    assert set(CONTEXT) <= words and set(TABLES) <= words, (set(CONTEXT) | set(TABLES)) - words
    assert all(f'"{k}"' in comment for k in STAT_KEYS)


def test_pack_show_says_what_an_aggregate_pack_sums_ranks_and_lists(run):
    """An aggregate pack has no tables or indicators of its own: `pack show` lists its aggregate.yaml instead."""
    r = run("pack", "show", "aggregate")
    assert r.code == 0
    assert "汇总按模板包“annual-2024”填报的各校数据" in r.out
    assert "汇总的指标（21 项）：全日制在校生数" in r.out and "生师比（不求和）" in r.out
    assert "rank-3 生师比排名（由低到高）" in r.out and "各校指标一览的列（6 项）" in r.out
    assert "明细表（0 项）" not in r.out
