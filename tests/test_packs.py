"""Template packs from other schools are untrusted input: the sandbox bounds them, installs refuse bad archives."""
import io
import json
import shutil
import stat
import zipfile

import pytest
from conftest import DEMO

from reportgen.pack import BUILTIN_PACKS
from reportgen.pipeline import prepare
from reportgen.render.env import make_env
from reportgen.render.errors import locate


def render_file(tmp_path, source: str):
    """Render one hostile template file from a pack folder; returns (output, located problem)."""
    pack = tmp_path / "evil-pack"
    (pack / "chapters").mkdir(parents=True, exist_ok=True)
    (pack / "chapters" / "x.md.j2").write_text(source, encoding="utf-8")
    env = make_env({"pack": pack, "project": tmp_path / "project"})
    try:
        return env.get_template("pack:chapters/x.md.j2").render(school={"name": "学校"}), None
    except Exception as e:  # noqa: BLE001 - what the renderer does with any template failure
        return None, locate(e, env.loader.display)


@pytest.mark.parametrize("source, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}很长的一段话{% endfor %}{% endfor %}", "循环次数超过上限"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "循环次数超过上限"),
    ('{% set s = "字" * 900000 %}{% set big %}{% for i in range(1000) %}{{ s }}{% endfor %}{% endset %}{{ big }}',
     "输出超过上限"),
    ('{{ "字" * 10000000000 }}', "过长"),
    ('{% set ns = namespace(v="ab") %}{% for i in range(40) %}{% set ns.v = ns.v ~ ns.v %}{% endfor %}{{ ns.v }}', "过长"),
    ('{{ "a"|center(1000000000) }}', "参数过大"),
    ('{{ "{:>999999999}".format(1) }}', "宽度或精度过大"),
    ('{{ "%999999999d" % 1 }}', "宽度或精度过大"),
    ("{{ 9 ** (9 ** 9) }}", "指数过大"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", "递归"),
])
def test_exploding_templates_fail_with_a_clear_located_message(tmp_path, source, words):
    out, problem = render_file(tmp_path, "# 标题\n\n" + source)
    assert out is None
    assert words in problem.message
    assert problem.location is not None and problem.location.file == "evil-pack/chapters/x.md.j2"
    assert problem.location.line == 3


def test_python_internals_are_refused(tmp_path):
    for source in ["{{ ''.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                   "{{ school.__class__.__init__.__globals__ }}"]:
        out, problem = render_file(tmp_path, source)
        assert out is None and "安全原因已禁止" in problem.message, source


@pytest.mark.parametrize("name", ["/etc/passwd", "pack:/etc/passwd", "pack:../../../../etc/passwd",
                                  "project:../../../etc/passwd", "file:/etc/passwd"])
def test_no_file_access_outside_pack_and_project(tmp_path, name):
    out, problem = render_file(tmp_path, f"{{% include '{name}' %}}")
    assert out is None
    assert "找不到模板文件" in problem.message or "之外" in problem.message
    assert "root:" not in problem.message


def test_symlink_inside_pack_pointing_outside_is_not_served(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    pack = tmp_path / "evil-pack"
    pack.mkdir()
    (pack / "link.md").symlink_to(secret)
    out, problem = render_file(tmp_path, "{% include 'pack:link.md' %}")
    assert out is None and "之外" in problem.message


def test_ordinary_templates_still_work(tmp_path):
    out, problem = render_file(tmp_path, "{% for r in [1, 2, 3] %}{{ r }}{% else %}无{% endfor %}"
                                         "{{ '%.2f' % 3.14159 }}{{ '{:>4}'.format(7) }}{{ 'a' ~ 'b' }}"
                                         "{{ [1, 2]|join('、') }}{% for x in [] %}x{% else %}空{% endfor %}")
    assert problem is None, problem
    assert out == "1233.14   7ab1、2空"


# ---------------------------------------------------------------- archives: install refuses, writes nothing

MINI_PACK = {
    "pack.yaml": "name: mini\nversion: 1.0.0\ndescription: 测试用的小模板包\nrequires: \">=0.1\"\n"
                 "chapters:\n  - {id: intro, title: 学校概况}\n",
    "chapters/chapter.md.j2": "# {{ chapter.title }}\n\n{{ narrative(chapter.id) }}\n",
}


@pytest.fixture
def packs_dir(tmp_path, monkeypatch):
    d = tmp_path / "user-packs"
    monkeypatch.setenv("REPORTGEN_PACKS", str(d))
    return d


def make_zip(path, members: dict, top="mini"):
    """members: name -> bytes/str, or (ZipInfo-tweaks dict, content)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            full = f"{top}/{name}" if top and not name.startswith(("/", "..")) and not name.startswith("!") else name.lstrip("!")
            if isinstance(content, tuple):
                attrs, content = content
                zi = zipfile.ZipInfo(full)
                zi.compress_type = zipfile.ZIP_DEFLATED
                for k, v in attrs.items():
                    setattr(zi, k, v)
                zf.writestr(zi, content)
            else:
                zf.writestr(full, content)
    return path


def tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def assert_nothing_written(tmp_path, packs_dir, before):
    """Nothing new anywhere; the user pack folder may exist (created for the staging folder) but is empty."""
    assert [p for p in tree(tmp_path) if p != packs_dir.name] == [p for p in before if p != packs_dir.name]
    assert not packs_dir.exists() or not any(packs_dir.iterdir())


@pytest.mark.parametrize("evil, words", [
    ({"!../../evil.txt": "pwned"}, "“..”"),
    ({"!mini/../../evil.txt": "pwned"}, "“..”"),
    ({"!/tmp/reportgen-abs-evil.txt": "pwned"}, "绝对路径"),
    ({"!C:/evil.txt": "pwned"}, "绝对路径"),
    ({"link.md": ({"external_attr": (stat.S_IFLNK | 0o777) << 16}, "/etc/passwd")}, "符号链接"),
    ({"big.yaml": b"\0" * (25 * 1024 * 1024)}, "超过单个文件上限"),
    ({"bomb.yaml": b"\0" * (5 * 1024 * 1024)}, "压缩炸弹"),
])
def test_hostile_archives_are_refused(run, tmp_path, packs_dir, evil, words):
    z = make_zip(tmp_path / "evil.zip", {**MINI_PACK, **evil})
    before = tree(tmp_path)
    r = run("pack", "install", z)
    assert r.code == 1, r.text
    assert words in r.err and "已拒绝" in r.err
    assert_nothing_written(tmp_path, packs_dir, before)
    assert not (tmp_path.parent / "evil.txt").exists() and not (tmp_path.parent.parent / "evil.txt").exists()
    assert not __import__("pathlib").Path("/tmp/reportgen-abs-evil.txt").exists()


def test_archive_whose_declared_size_lies_is_refused(run, tmp_path, packs_dir):
    z = make_zip(tmp_path / "liar.zip", {**MINI_PACK, "data.yaml": b"x" * 200_000})
    raw = bytearray(z.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
        info = zf.getinfo("mini/data.yaml")
    real = info.file_size.to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    raw = raw.replace(real, fake)       # local header and central directory both claim 1000 bytes
    z.write_bytes(bytes(raw))
    before = tree(tmp_path)
    r = run("pack", "install", z)
    assert r.code == 1, r.text
    assert "已拒绝" in r.err or "已损坏" in r.err
    assert_nothing_written(tmp_path, packs_dir, before)


def test_not_a_zip(run, tmp_path, packs_dir):
    bad = tmp_path / "x.zip"
    bad.write_text("hello", encoding="utf-8")
    r = run("pack", "install", bad)
    assert r.code == 1 and "不是有效的 zip" in r.err


def test_install_list_use_and_replace(run, tmp_path, packs_dir):
    z = make_zip(tmp_path / "mini.zip", MINI_PACK)
    r = run("pack", "install", z)
    assert r.code == 0, r.text
    assert (packs_dir / "mini" / "pack.yaml").is_file()
    assert [p.name for p in packs_dir.iterdir()] == ["mini"]          # no temporary folders left
    assert "mini" in run("pack", "list").out
    r = run("pack", "install", z)
    assert r.code == 2 and "--force" in r.err
    assert run("pack", "install", z, "--force").code == 0
    proj = tmp_path / "school"
    assert run("init", proj, "--pack", "mini").code == 0
    assert run("build", proj, "-o", tmp_path / "mini.docx").code == 0
    assert run("pack", "remove", "mini").code == 0
    assert not (packs_dir / "mini").exists()


def test_install_refuses_builtin_names(run, tmp_path, packs_dir):
    z = make_zip(tmp_path / "a.zip", {**MINI_PACK, "pack.yaml": MINI_PACK["pack.yaml"].replace("mini", "annual-2024")})
    r = run("pack", "install", z)
    assert r.code == 1 and "内置模板包相同" in r.err
    assert not packs_dir.exists() or not any(packs_dir.iterdir())


def test_export_then_install_round_trip(run, tmp_path, packs_dir):
    src = tmp_path / "mini"
    for rel, text in MINI_PACK.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    out = tmp_path / "mini.zip"
    r = run("pack", "export", src, "-o", out)
    assert r.code == 0, r.text
    names = zipfile.ZipFile(out).namelist()
    assert sorted(names) == ["mini/chapters/chapter.md.j2", "mini/pack.yaml"]
    assert run("pack", "check", out).code == 0
    assert run("pack", "install", out).code == 0
    assert (packs_dir / "mini" / "chapters" / "chapter.md.j2").read_text(encoding="utf-8") == MINI_PACK["chapters/chapter.md.j2"]


def test_export_never_writes_into_the_pack_or_over_a_project_input(run, tmp_path, packs_dir, monkeypatch):
    src = tmp_path / "mini"
    for rel, text in MINI_PACK.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    r = run("pack", "export", src, "-o", src / "chapters" / "mini.zip")
    assert r.code == 2 and "-o/--output" in r.err and "模板包 mini 的文件夹之内" in r.err, r.text
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before
    project = tmp_path / "school"
    (project / "images").mkdir(parents=True)
    (project / "report.yaml").write_text("school: 测试学校\nyear: 2024\n", encoding="utf-8")
    monkeypatch.chdir(project)
    r = run("pack", "export", src, "-o", project / "images" / "photos.zip")
    assert r.code == 2 and "项目的输入" in r.err, r.text
    assert not (project / "images" / "photos.zip").exists()


# ---------------------------------------------------------------- inheritance


def write(root, files: dict):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def demo_copy(tmp_path, name="ext"):
    dst = tmp_path / name
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns("build"))
    return dst


def use_extends(project):
    cfg = project / "report.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("pack: annual-2024", "extends: annual-2024", 1), encoding="utf-8")


def test_project_extends_and_overrides_one_chapter(run, tmp_path):
    base = prepare(DEMO).rendered.chapter_sources
    project = demo_copy(tmp_path)
    use_extends(project)
    write(project, {
        "pack/pack.yaml": "chapters:\n  - id: culture\n    title: 文化传承与创新\n    template: chapters/culture.md.j2\n",
        "pack/chapters/culture.md.j2": "# {{ chapter.title }}\n\n本章由学校自己的章节模板生成。\n\n{{ narrative(chapter.id) }}\n",
    })
    r = run("build", project, "-o", tmp_path / "ext.docx")
    assert r.code == 0, r.text
    mine = prepare(project).rendered.chapter_sources
    assert mine.keys() == base.keys()
    assert mine["culture"] != base["culture"]
    assert mine["culture"].startswith("# 文化传承与创新\n\n本章由学校自己的章节模板生成。")
    for cid in base:
        if cid != "culture":
            assert mine[cid] == base[cid], cid
    shown = run("pack", "show", project).out
    assert "项目 pack/ 文件夹" in shown and "pack/chapters/culture.md.j2" in shown
    assert "annual-2024/chapters/chapter.md.j2" in shown          # the other chapters still come from the base


def test_project_overrides_typography_and_adds_an_indicator_and_a_table(tmp_path):
    project = demo_copy(tmp_path)
    use_extends(project)
    write(project, {
        "pack/pack.yaml": "typography:\n  body_size: 15\ntables: tables.yaml\nindicators: indicators.yaml\n"
                          "chapters:\n  - id: talent\n    sections:\n      - {id: party, title: 党建引领与思政育人}\n",
        "pack/tables.yaml": "volunteers:\n  title: 志愿服务项目一览表\n  columns:\n    - {name: 项目名称, required: true}\n"
                            "    - {name: 参与人次, type: integer, unit: 人次, total: true}\n",
        "pack/indicators.yaml": "志愿服务时长: {unit: 小时, kind: raw, format: integer}\n",
        "data/tables/volunteers.yaml": "- {项目名称: 社区义诊, 参与人次: 120}\n",
    })
    p = prepare(project)
    pack = p.dataset.pack
    assert pack.typography.body_size == 15
    assert pack.typography.line_spacing_pt == 28                     # the rest still from annual-2024
    assert "volunteers" in pack.tables and "certificates" in pack.tables
    assert "志愿服务时长" in pack.indicators and "生师比" in pack.indicators
    talent = next(c for c in pack.chapters if c.id == "talent")
    assert talent.title == "人才培养" and talent.sections[0].title == "党建引领与思政育人"
    assert len(talent.sections) == 6


def test_pack_extends_pack_installed_from_an_archive(run, tmp_path, packs_dir):
    src = tmp_path / "province-2024"
    write(src, {
        "pack.yaml": "name: province-2024\nversion: 1.2.0\nextends: annual-2024\nrequires: \">=0.1\"\n"
                     "description: 某省在 2024 框架上的调整\n"
                     "chapters:\n  - {id: challenges, remove: true}\n"
                     "  - {id: outlook, title: 未来展望, before: appendix}\n",
    })
    z = tmp_path / "province.zip"
    assert run("pack", "export", src, "-o", z).code == 0
    r = run("pack", "install", z)
    assert r.code == 0, r.text
    proj = tmp_path / "school"
    assert run("init", proj, "--pack", "province-2024").code == 0
    assert not (proj / "narrative" / "challenges").exists()
    assert run("build", proj, "-o", tmp_path / "p.docx").code == 0
    ids = [c.id for c in prepare(proj).dataset.pack.chapters]
    assert ids[-2:] == ["outlook", "appendix"] and "challenges" not in ids
    assert "province-2024 1.2.0" in run("pack", "list").out or "province-2024" in run("pack", "list").out


def test_extends_cycles_versions_and_bad_anchors_are_located(run, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_PACKS", str(tmp_path / "installed"))
    write(tmp_path / "installed" / "a", {"pack.yaml": "name: a\nversion: '1'\nextends: b\n"})
    write(tmp_path / "installed" / "b", {"pack.yaml": "name: b\nversion: '1'\nextends: a\n"})
    r = run("pack", "check", tmp_path / "installed" / "a")
    assert r.code == 1 and "循环" in r.err
    write(tmp_path / "d", {"pack.yaml": "name: d\nversion: '1'\nextends: ../installed/a\n"})
    r = run("pack", "check", tmp_path / "d")
    assert r.code == 1 and "d/pack.yaml:3" in r.err and "之外" in r.err
    write(tmp_path / "c", {"pack.yaml": "name: c\nversion: '1'\nextends: annual-2024\nrequires: '>=99'\n"})
    r = run("pack", "check", tmp_path / "c")
    assert r.code == 1 and "需要 reportgen >=99" in r.err and "c/pack.yaml:4" in r.err
    write(tmp_path / "e", {"pack.yaml": "name: e\nversion: '1'\nextends: annual-2024\n"
                                        "chapters:\n  - {id: nowhere, title: 新章, after: missing}\n  - {id: gone, remove: true}\n"})
    r = run("pack", "check", tmp_path / "e")
    assert r.code == 1
    assert "找不到章节“missing”" in r.err and "e/pack.yaml:5" in r.err
    assert "要删除的章节“gone”" in r.err and "e/pack.yaml:6" in r.err
    write(tmp_path / "d", {"pack.yaml": "name: d\nversion: '1'\nextends: no-such-pack\n"})
    r = run("pack", "check", tmp_path / "d")
    assert r.code == 1 and "找不到模板包“no-such-pack”" in r.err and "d/pack.yaml:3" in r.err


def test_report_yaml_needs_pack_or_extends_not_both(run, tmp_path):
    project = demo_copy(tmp_path)
    cfg = project / "report.yaml"
    cfg.write_text("extends: annual-2024\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("validate", project)
    assert r.code == 1 and "只能写一个" in r.err
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("extends: annual-2024\n", "").replace("pack: annual-2024", "# x"),
                   encoding="utf-8")
    r = run("validate", project)
    assert r.code == 1 and "缺少 pack" in r.err


def test_pack_folder_ignored_with_pack_key_is_warned(run, tmp_path):
    project = demo_copy(tmp_path)
    write(project, {"pack/chapters/culture.md.j2": "# 改\n"})
    r = run("validate", project)
    assert r.code == 0 and "extends: annual-2024" in r.err


# ---------------------------------------------------------------- pack check
BROKEN_CHAPTER = """# {{ chapter.title }}

共 {{ count("certificate") }} 个证书，{{ total("certificates", "培训人数") }} 人。
{{ appendix_table("scorecrd") }}{% include "pack:chapters/nope.md.j2" %}
{{ narative(chapter.id) }}{{ ind.不存在的指标 }}
"""


def test_check_reports_every_reference_with_its_line(run, tmp_path):
    write(tmp_path / "badpack", {
        "pack.yaml": "name: badpack\nversion: 1.0.0\nextends: annual-2024\ntables: t.yaml\n"
                     "chapters:\n  - {id: culture, template: chapters/culture.md.j2}\n",
        "t.yaml": "extra:\n  title: \"{{ year 年 }}额外表\"\n  columns:\n    - {name: 名称}\n",
        "chapters/culture.md.j2": BROKEN_CHAPTER,
    })
    r = run("pack", "check", tmp_path / "badpack")
    assert r.code == 1
    for expected in ["badpack/chapters/culture.md.j2:3：引用了不存在的明细表“certificate”，是否应为“certificates”",
                     "badpack/chapters/culture.md.j2:3：引用了不存在的明细表“certificates”的列“培训人数”，是否应为“批准总培训人数”",
                     "badpack/chapters/culture.md.j2:4：引用了不存在的附表“scorecrd”",
                     "badpack/chapters/culture.md.j2:4：引用的模板“pack:chapters/nope.md.j2”在模板包中不存在",
                     "badpack/chapters/culture.md.j2:5：引用了不存在的指标“不存在的指标”",
                     "badpack/t.yaml:2：模板语法错误",
                     "[警告] badpack/chapters/culture.md.j2:5：模板使用了未知的变量“narative”，是否应为“narrative”"]:
        assert expected in r.err, expected


def test_check_syntax_errors_and_bad_formulas(run, tmp_path):
    write(tmp_path / "p", {
        "pack.yaml": "name: p\nversion: 1.0.0\nindicators: i.yaml\nchapters:\n  - {id: a, title: 概况}\n",
        "chapters/chapter.md.j2": "# {{ chapter.title }}\n\n{% for x in %}\n",
        "i.yaml": "在校生: {kind: raw}\n教师: {kind: raw}\n生师比: {kind: derived, formula: \"在校生 / 教帅\", format: ratio}\n",
    })
    r = run("pack", "check", tmp_path / "p")
    # a formula is compiled when the pack loads: a broken one is a load error, reported before the templates
    assert r.code == 1
    assert "p/i.yaml:3：指标“生师比”：公式“在校生 / 教帅”引用了未定义的指标：教帅（是否应为“教师”）" in r.err
    i = tmp_path / "p" / "i.yaml"
    i.write_text(i.read_text(encoding="utf-8").replace("教帅", "教师"), encoding="utf-8")
    r = run("pack", "check", tmp_path / "p")
    assert r.code == 1 and "p/chapters/chapter.md.j2:3：模板语法错误" in r.err and "生师比" not in r.err


def test_builtin_packs_and_a_projects_effective_pack_pass(run, tmp_path):
    for name in ("annual-2024", "zhongzhi-2022", "jituan"):
        r = run("pack", "check", name)
        assert r.code == 0 and "检查通过" in r.out, r.text
        assert "[警告]" not in r.err, r.err
    project = demo_copy(tmp_path)
    use_extends(project)
    write(project, {"pack/chapters/culture.md.j2": "# {{ chapter.title }}\n\n{{ ind.不存在 }}\n",
                    "pack/pack.yaml": "chapters:\n  - {id: culture, template: chapters/culture.md.j2}\n"})
    r = run("pack", "check", project)
    assert r.code == 1 and "pack/chapters/culture.md.j2:3：引用了不存在的指标“不存在”" in r.err


def test_install_refuses_a_broken_pack(run, tmp_path, packs_dir):
    z = make_zip(tmp_path / "b.zip", {**MINI_PACK, "chapters/chapter.md.j2": "# {{ chapter.title }}\n{% for x in %}"})
    r = run("pack", "install", z)
    assert r.code == 1 and "mini/chapters/chapter.md.j2:2：模板语法错误" in r.err
    assert not packs_dir.exists() or not any(packs_dir.iterdir())


def test_hostile_template_fails_the_build_with_a_located_message(run, tmp_path):
    project = demo_copy(tmp_path)
    use_extends(project)
    write(project, {
        "pack/pack.yaml": "chapters:\n  - {id: culture, template: chapters/culture.md.j2}\n",
        "pack/chapters/culture.md.j2": "# {{ chapter.title }}\n\n"
                                       "{% for i in range(100000) %}{% for j in range(100000) %}字{% endfor %}{% endfor %}\n"
                                       "{{ ''.__class__ }}\n{% include '/etc/passwd' %}\n",
    })
    r = run("build", project, "-o", tmp_path / "x.docx")
    assert r.code == 1
    assert "pack/chapters/culture.md.j2:3：模板中的循环次数超过上限" in r.err
    assert not (tmp_path / "x.docx").exists()


def test_editing_a_parent_pack_counts_as_a_change(run, tmp_path):
    """A project that extends a pack depends on it: the manifest must see edits to the parent too."""
    base = tmp_path / "base"
    shutil.copytree(BUILTIN_PACKS / "annual-2024", base)
    (base / "pack.yaml").write_text((base / "pack.yaml").read_text(encoding="utf-8")
                                    .replace("name: annual-2024", "name: base", 1), encoding="utf-8")
    project = demo_copy(tmp_path)
    cfg = project / "report.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("pack: annual-2024", "extends: ../base", 1), encoding="utf-8")
    (project / "pack").mkdir()
    (project / "pack" / "pack.yaml").write_text("typography:\n  body_size: 15\n", encoding="utf-8")
    out = tmp_path / "draft.docx"
    assert run("build", project, "-o", out).code == 0, "first build"
    manifest = json.loads(out.with_name("draft.manifest.json").read_text(encoding="utf-8"))
    assert "pack:base/chapters/chapter.md.j2" in manifest["inputs"]
    assert not any(k.startswith("pack:pack/") for k in manifest["inputs"])     # the project's pack/ is a project file
    template = base / "chapters" / "chapter.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n本段来自上级模板包。\n", encoding="utf-8")
    r = run("diff", project, "-o", out)
    assert "pack:base/chapters/chapter.md.j2" in r.out
