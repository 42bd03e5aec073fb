"""The core knows no school: what a report is about and what it is called are the pack's words (`subject:`).

What is forbidden, precisely: the words a report is called by (质量年度报告, 工作报告 …) and a school's levels
(高等职业 / 中等职业) in any string of reportgen's code or schemas; and 学校 in the strings of the modules
that write a report's own words (its file name, cover, change log, workbook and task titles, a new
report.yaml). Messages about running many projects (batch, aggregate: "3 所学校") and docstrings, comments and
identifiers are not report wording and stay."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import docx

from reportgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "reportgen"
REPORT_NAMES = ("质量年度报告", "年度报告", "工作报告", "高等职业", "中等职业")
REPORT_WRITERS = ("load/project.py", "render", "write", "regen", "scaffold.py", "workbook/export.py",
                  "departments/kit.py", "pipeline.py", "pack.py", "packs")


def strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module (f-strings' literal parts included) except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def offending(words, files) -> list[str]:
    return [f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}:{line}: {text!r}" for f in files for line, text in strings(f)
            if any(w in text for w in words)]


def under(rel: str) -> list[Path]:
    path = CORE / rel
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def undescribed(node):
    if isinstance(node, dict):
        return {k: undescribed(v) for k, v in node.items() if k != "description"}
    return [undescribed(v) for v in node] if isinstance(node, list) else node


def test_no_report_name_or_school_level_in_the_core():
    assert offending(REPORT_NAMES, sorted(CORE.rglob("*.py"))) == []
    for schema in sorted((CORE / "schemas").glob("*.json")):       # descriptions are the pack author's docs
        text = json.dumps(undescribed(json.loads(schema.read_text(encoding="utf-8"))), ensure_ascii=False)
        assert not [w for w in REPORT_NAMES + ("学校",) if w in text], schema.name


def test_no_school_in_what_writes_a_reports_words():
    files = [f for rel in REPORT_WRITERS for f in under(rel)]
    assert len(files) > 40
    assert offending(("学校",), files) == []


def test_the_grep_sees_a_planted_word(tmp_path):
    planted = tmp_path / "m.py"
    planted.write_text('"""学校 in a docstring is fine."""\nx = f"{a}质量年度报告"\n', encoding="utf-8")
    assert [t for _, t in strings(planted)] == ["质量年度报告"]      # the docstring is not looked at
    assert len(offending(REPORT_NAMES, [planted])) == 1


def test_a_packs_subject_names_the_draft_and_its_change_log(run, tmp_path):
    """A pack calling its report something else: the default file name and the change log follow it."""
    pack = tmp_path / "mypack"
    (pack / "chapters").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        "name: mypack\nversion: 1.0.0\nsubject: {kind: 企业, report: 参与职业教育年度报告}\n"
        "cover: {title: '{{ school.name }}参与职业教育年度报告', subtitle: '（{{ year }}）'}\n"
        "chapters:\n  - {id: one, title: 概况, sections: [{id: a, title: 基本情况}]}\n", encoding="utf-8")
    (pack / "chapters" / "chapter.md.j2").write_text("{{ narrative }}\n", encoding="utf-8")
    proj = tmp_path / "proj"
    (proj / "narrative" / "one").mkdir(parents=True)
    (proj / "report.yaml").write_text(f"pack: {pack}\nschool: {{name: 江州某某科技有限公司}}\nyear: 2024\n",
                                      encoding="utf-8")
    (proj / "narrative" / "one" / "01-a.md").write_text("## 基本情况\n\n公司概况。\n", encoding="utf-8")
    r = run("build", proj)
    assert r.code == 0, r.text
    draft = proj / "build" / "江州某某科技有限公司参与职业教育年度报告2024.docx"
    assert draft.is_file(), sorted(p.name for p in (proj / "build").iterdir())
    d = docx.Document(draft)
    assert d.core_properties.title.startswith("江州某某科技有限公司参与职业教育年度报告")
    changes = tmp_path / "changes.md"
    (proj / "narrative" / "one" / "01-a.md").write_text("## 基本情况\n\n公司概况，有所改动。\n", encoding="utf-8")
    assert main(["build", str(proj), "--changes", str(changes)]) == 0
    text = changes.read_text(encoding="utf-8")
    assert "修改说明：江州某某科技有限公司参与职业教育年度报告（2024）" in text
    assert "企业" in text and "学校" not in text
