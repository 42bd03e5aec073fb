"""Bad input gets a located Chinese message and exit 1; usage errors exit 2; nothing is lost."""
import hashlib


def test_yaml_syntax_error_names_file_and_line(run, demo):
    path = demo / "data" / "tables" / "certificates.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, l in enumerate(lines) if l.startswith("- "))
    lines[idx] = lines[idx] + ": : ["
    path.write_text("\n".join(lines), encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1
    assert f"data/tables/certificates.yaml:{idx + 1}" in r.err


def test_template_reaching_for_python_internals_is_refused(run, demo):
    f = demo / "narrative" / "talent" / "01-party.md"
    f.write_text(f.read_text(encoding="utf-8") + "\n\n{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    n = f.read_text(encoding="utf-8").count("\n")
    r = run("validate", demo)
    assert r.code == 1
    assert "narrative/talent/01-party.md:" in r.err and "安全" in r.err
    assert f":{n}" in r.err or f":{n - 1}" in r.err


def test_undefined_variable_is_located(run, demo):
    f = demo / "narrative" / "culture" / "01-red.md"
    f.write_text("## 标题\n\n第一段{{ 不存在的变量 }}。\n", encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "narrative/culture/01-red.md:3" in r.err and "不存在的变量" in r.err


def test_failed_build_leaves_previous_output_untouched(run, demo, tmp_path):
    out = tmp_path / "draft.docx"
    assert run("build", demo, "-o", out).code == 0
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    table = demo / "data" / "tables" / "certificates.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace("批准总培训人数: ", "批准总培训人数: 十", 1), encoding="utf-8")
    r = run("build", demo, "-o", out)
    assert r.code == 1 and "应为整数" in r.err
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_wrong_cell_values_are_all_reported_together(run, demo):
    table = demo / "data" / "tables" / "innovation_awards.yaml"
    text = table.read_text(encoding="utf-8").replace("获奖级别: 省级", "获奖级别: 省机", 2)
    table.write_text(text, encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1
    # 获奖级别 is strict (counts and a chart group by it); no hint from look-alike words (issue 14)
    assert r.err.count("“省机”不是可选值") == 2 and "是否应为" not in r.err


def test_missing_project_is_usage_error(run, tmp_path):
    assert run("validate", tmp_path / "nope").code == 2
    assert run("build", tmp_path, "-o", tmp_path / "x.pdf").code == 2
    assert run("frobnicate").code == 2


def test_unknown_pack_is_reported(run, demo):
    cfg = demo / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("pack: annual-2024", "pack: annual-2042"), encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "annual-2042" in r.err and "annual-2024" in r.err


def test_unwritable_output_folder_is_a_message(run, demo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    r = run("build", demo, "-o", blocker / "sub" / "draft.docx")      # a folder that cannot be created
    assert r.code == 1 and "无法在" in r.err and "路径中有一段不是文件夹" in r.err


def test_broken_photos_are_reported_not_crashed_on(run, demo, tmp_path):
    photo = demo / "images" / "job-fair.jpg"
    good = photo.read_bytes()
    photo.write_bytes(b"not a jpeg at all")
    r = run("validate", demo)
    assert r.code == 1 and "narrative/talent/04-employment.md:" in r.err and "images/job-fair.jpg" in r.err
    photo.write_bytes(good[:1000])                                    # a photo that did not finish copying
    r = run("build", demo, "-o", tmp_path / "d.docx")
    assert r.code == 1 and "图片无法读取" in r.err and "images/job-fair.jpg" in r.err
    assert not (tmp_path / "d.docx").exists()


def test_narrative_not_in_utf8_is_named(run, demo):
    (demo / "narrative" / "culture" / "09-gbk.md").write_bytes("## 标题\n\n正文。\n".encode("gbk"))
    r = run("validate", demo)
    assert r.code == 1 and "narrative/culture/09-gbk.md" in r.err and "UTF-8" in r.err


def test_a_section_file_the_build_would_skip_is_named_with_its_right_name(run, demo):
    folder = demo / "narrative" / "culture"
    (folder / "09-notes.md.txt").write_text("## 标题\n\n记事本保存的正文。\n", encoding="utf-8")   # Notepad's .txt
    (folder / "10-art.MD").write_text("## 标题\n\n正文。\n", encoding="utf-8")
    (folder / "待办.txt").write_text("内部备忘", encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 0, r.text
    assert "narrative/culture/09-notes.md.txt：此文件未使用" in r.err and "请改名为“09-notes.md”" in r.err
    assert "narrative/culture/10-art.MD：此文件未使用" in r.err and "改名为“10-art.md”" in r.err
    assert "narrative/culture/待办.txt：此文件未使用" in r.err
