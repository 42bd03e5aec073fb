"""A pack is compiled once (issue 28 §3): loading it compiles every indicator formula and both sides of every
`compare` check in the sandbox; the stages use those compiled forms and compile nothing again."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from indicator_util import compute, copy_pack, line_of, project
from reportgen.errors import ReportgenError
from reportgen.pack import BUILTIN_PACKS
from reportgen.packs.load import load_pack
from reportgen.pipeline import prepare
from reportgen.render.display import format_value
from reportgen.render.sandbox import BoundedSandbox
from reportgen.value_kinds import ValueFormat


def _expressions(pack) -> Counter:
    """Every expression the pack defines: indicator formulas, the two sides of compare checks."""
    texts = [d.formula for d in pack.indicators.values() if d.kind == "derived" and d.formula]
    texts += [side for c in pack.checks if c.kind == "compare" for side in (c.left, c.right)]
    return Counter(texts)


def _counting(monkeypatch) -> list[str]:
    """The source of every expression the sandbox compiles from now on."""
    compiled = []
    original = BoundedSandbox.compile_expression

    def counted(self, source, undefined_to_none=True):
        compiled.append(source)
        return original(self, source, undefined_to_none)
    monkeypatch.setattr(BoundedSandbox, "compile_expression", counted)
    return compiled


def test_a_build_compiles_each_formula_and_check_expression_once(demo, monkeypatch):
    own = {"中外合作办学在校生": {"unit": "人", "values": {2023: 98, 2024: 111}},
           "中外合作办学在校生占比": {"unit": "%", "format": "percent",
                                      "formula": "中外合作办学在校生 / 全日制在校生数"}}
    config = demo / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + yaml.safe_dump({"indicators": own}, allow_unicode=True),
                      encoding="utf-8")
    compiled = _counting(monkeypatch)
    p = prepare(demo)
    pack = p.dataset.pack
    expected = _expressions(pack)
    assert expected["中外合作办学在校生 / 全日制在校生数"] == 1 and sum(expected.values()) > 20
    assert Counter(compiled) == expected             # each once: at load, and the project's as they joined
    assert p.indicators.formulas is pack.formulas
    assert format_value(pack.indicators["中外合作办学在校生占比"], p.indicators.get("中外合作办学在校生占比", 2024)) != "-"


def test_the_loaded_pack_holds_the_compiled_forms(monkeypatch):
    compiled = _counting(monkeypatch)
    pack = load_pack(BUILTIN_PACKS / "annual-2024")
    derived = {n for n, d in pack.indicators.items() if d.kind == "derived"}
    assert set(pack.formulas) == derived
    assert pack.formulas["生师比"].refs == ("全日制在校生数", "专任教师数")
    assert pack.formulas["1+X证书过关率"].refs == ("1+X证书获证人数", "1+X证书参考人数")
    compare = [c for c in pack.checks if c.kind == "compare"]
    assert compare and all(c.compiled and (c.compiled[0].text, c.compiled[1].text) == (c.left, c.right)
                           for c in compare)
    assert Counter(compiled) == _expressions(pack)


def test_a_broken_formula_is_refused_when_the_pack_loads(tmp_path, run):
    def edit(folder):
        f = folder / "indicators.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace('formula: "全日制在校生数 / 专任教师数"',
                                                           'formula: "全日制在校生数 / 专任教员数"')
                     + '甲: {kind: derived, formula: "乙 + 1"}\n乙: {kind: derived, formula: "甲 * 2"}\n',
                     encoding="utf-8")
        c = folder / "checks.yaml"
        c.write_text(c.read_text(encoding="utf-8").replace("left: 毕业去向落实人数", "left: 毕业去向落实人"),
                     encoding="utf-8")
    pack = copy_pack(tmp_path / "mypack", edit)
    with pytest.raises(ReportgenError) as e:
        load_pack(pack)
    shown = [str(p) for p in e.value.problems().errors]
    ratio = line_of(pack / "indicators.yaml", "生师比:")
    assert f"[错误] mypack/indicators.yaml:{ratio}：指标“生师比”：公式“全日制在校生数 / 专任教员数”引用了未定义的指标：" \
           f"专任教员数（是否应为“专任教师数”）" in shown
    assert f"[错误] mypack/indicators.yaml:{line_of(pack / 'indicators.yaml', '甲:')}：指标公式循环引用：甲 → 乙 → 甲" in shown
    assert f"[错误] mypack/checks.yaml:{line_of(pack / 'checks.yaml', '- kind: compare')}：公式“毕业去向落实人”" \
           "引用了未定义的指标：毕业去向落实人（是否应为“毕业去向落实人数”）" in shown
    assert len(shown) == 3
    r = run("pack", "check", pack)           # a pack's author sees them before any school's data is read
    assert r.code == 1 and f"mypack/indicators.yaml:{ratio}：指标“生师比”" in r.err
    assert "Traceback" not in r.err


def test_a_formula_nested_too_deep_is_a_located_pack_error(tmp_path, run):
    """The sandbox's parse bounds nesting; a formula is parsed by it before it is compiled (no RecursionError)."""
    def edit(folder):
        f = folder / "indicators.yaml"
        f.write_text(f.read_text(encoding="utf-8") + '深: {kind: derived, formula: "' + "(" * 300 + "1" + ")" * 300 + '"}\n',
                     encoding="utf-8")
    pack = copy_pack(tmp_path / "mypack", edit)
    line = line_of(pack / "indicators.yaml", "深:")
    for args in (("pack", "check", pack), ("validate", project(tmp_path / "p", "{}\n", pack="../mypack"))):
        r = run(*args)
        assert r.code == 1 and f"mypack/indicators.yaml:{line}：指标“深”：公式“(((" in r.err and "嵌套" in r.err, r.err
        assert "Traceback" not in r.err


def test_pack_check_looks_through_the_compiled_formulas_for_tables(tmp_path, run):
    def edit(folder):
        f = folder / "indicators.yaml"
        f.write_text(f.read_text(encoding="utf-8") + '证书数: {kind: derived, formula: "count(\'certificate\')"}\n',
                     encoding="utf-8")
    pack = copy_pack(tmp_path / "mypack", edit)
    r = run("pack", "check", pack)
    line = line_of(pack / "indicators.yaml", "证书数:")
    assert r.code == 1 and f"mypack/indicators.yaml:{line}：引用了不存在的明细表“certificate”，是否应为“certificates”" in r.err


def test_a_projects_own_formulas_compile_as_they_join(tmp_path):
    root = project(tmp_path / "p", "全日制在校生数: {2024: 1000}\n")
    own = {"中外合作办学在校生": {"unit": "人", "values": {2024: 111}},
           "中外合作办学在校生占比": {"unit": "%", "format": "percent", "formula": "中外合作办学在校生 / 全日制在校生数"},
           "境外学生数": {"kind": "derived", "formula": "境外学生人数 + 1"},
           "甲": {"kind": "derived", "formula": "乙 + 1"}, "乙": {"kind": "derived", "formula": "甲 * 2"}}
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + yaml.safe_dump({"indicators": own}, allow_unicode=True),
                      encoding="utf-8")
    ds, table, _, problems = compute(root)
    errors = [str(p) for p in problems.errors]
    formula_line = next(i for i, line in enumerate(config.read_text(encoding="utf-8").splitlines(), 1)
                        if "境外学生人数 + 1" in line)        # the indicator's mapping starts there
    assert f"[错误] report.yaml:{formula_line}（indicators › 境外学生数）：指标“境外学生数”：公式“境外学生人数 + 1”" \
           "引用了未定义的指标：境外学生人数（是否应为“境外学生数”）" in errors, errors
    assert any(e.startswith("[错误] report.yaml:") and "指标公式循环引用：" in e and "甲" in e and "乙" in e
               for e in errors), errors
    assert len(errors) == 2, errors
    d = ds.pack.indicators["中外合作办学在校生占比"]
    assert d.format is ValueFormat.PERCENT and d.rate
    assert format_value(d, table.get("中外合作办学在校生占比", 2024)) == "11.10%"
    assert {"生师比", "中外合作办学在校生占比"} <= set(ds.pack.formulas) and not {"甲", "乙"} & set(ds.pack.formulas)
