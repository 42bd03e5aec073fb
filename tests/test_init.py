"""A freshly initialised project is a usable draft from day one."""
import docx


def test_init_validate_build(run, tmp_path):
    proj = tmp_path / "school"
    assert run("init", proj).code == 0
    assert (proj / "report.yaml").is_file()
    assert "批准总培训人数" in (proj / "data" / "tables" / "certificates.yaml").read_text(encoding="utf-8")
    assert run("validate", proj).code == 0
    r = run("build", proj, "-o", tmp_path / "draft.docx")
    assert r.code == 0, r.text
    d = docx.Document(str(tmp_path / "draft.docx"))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "【待补充" in text
    highlighted = [r for p in d.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert highlighted


def test_init_refuses_to_overwrite(run, tmp_path):
    proj = tmp_path / "school"
    assert run("init", proj).code == 0
    (proj / "report.yaml").write_text("pack: annual-2024\n", encoding="utf-8")
    assert run("init", proj).code == 2
    assert (proj / "report.yaml").read_text(encoding="utf-8") == "pack: annual-2024\n"


def test_empty_table_renders_none_marker(run, tmp_path):
    proj = tmp_path / "school"
    run("init", proj)
    (proj / "narrative" / "talent" / "02-majors.md").write_text('## 专业建设\n\n正文。\n\n{{ table("certificates") }}\n', encoding="utf-8")
    assert run("build", proj, "-o", tmp_path / "d.docx").code == 0
    d = docx.Document(str(tmp_path / "d.docx"))
    assert any("（无）" in c.text for t in d.tables for row in t.rows for c in row.cells)
