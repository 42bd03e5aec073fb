"""Template packs from other schools are untrusted input: the sandbox bounds them, installs refuse bad archives."""
import pytest

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
    assert "找不到模板文件" in problem.message
    assert "root:" not in problem.message


def test_symlink_inside_pack_pointing_outside_is_not_served(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    pack = tmp_path / "evil-pack"
    pack.mkdir()
    (pack / "link.md").symlink_to(secret)
    out, problem = render_file(tmp_path, "{% include 'pack:link.md' %}")
    assert out is None and "找不到模板文件" in problem.message


def test_ordinary_templates_still_work(tmp_path):
    out, problem = render_file(tmp_path, "{% for r in [1, 2, 3] %}{{ r }}{% else %}无{% endfor %}"
                                         "{{ '%.2f' % 3.14159 }}{{ '{:>4}'.format(7) }}{{ 'a' ~ 'b' }}"
                                         "{{ [1, 2]|join('、') }}{% for x in [] %}x{% else %}空{% endfor %}")
    assert problem is None, problem
    assert out == "1233.14   7ab1、2空"
