"""Hostile inputs, made at test time: each case prepares a project (or a pack, a workbook …) in its
own folder and says which command to run on it and what the user must be told.

tests/test_hostile.py runs every case as `python -m reportgen …` in a subprocess under resource
limits and checks the invariants every case shares (exit code, no traceback, a located Chinese
message, nothing written outside the output folder, no input changed). A case adds only what is
particular to it: the words its message must contain, and sometimes a check of what was written.

Nothing here is large on disk: bombs are made of zeros and compress to kilobytes.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "annual-2024-demo"
BUILTIN = ROOT / "templates" / "annual-2024"


@dataclass
class Ctx:
    """One case's folder: project/ (the input), out/ (the output folder), outside/ (must stay as it is),
    packs/ (the user pack folder, an output only for `pack install`)."""
    dir: Path

    @property
    def project(self) -> Path:
        return self.dir / "project"

    @property
    def out(self) -> Path:
        return self.dir / "out"

    @property
    def outside(self) -> Path:
        return self.dir / "outside"

    @property
    def packs(self) -> Path:
        return self.dir / "packs"

    def write(self, rel: str, text: str | bytes, base: Path | None = None) -> Path:
        path = (base or self.project) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def narrative(self, text: str, rel: str = "narrative/preface/01-overview.md") -> Path:
        return self.write(rel, text)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.project / rel
        text = path.read_text(encoding="utf-8")
        assert re.search(old, text, flags=re.M), (rel, old)
        path.write_text(re.sub(old, lambda m: new, text, count=1, flags=re.M), encoding="utf-8")

    def school(self, name_yaml: str) -> None:
        self.edit("report.yaml", r"^  name: .*$", f"  name: {name_yaml}")

    def local_pack(self, name: str = "mypack") -> Path:
        """A copy of the built-in pack inside the project, used with `pack: ./mypack`."""
        dest = self.project / name
        shutil.copytree(BUILTIN, dest)
        self.edit("report.yaml", r"^pack: .*$", f"pack: ./{name}")
        return dest

    def outside_pack(self, name: str = "secret") -> Path:
        """A pack folder outside the project whose chapter would print a file next to it."""
        dest = self.outside / name
        shutil.copytree(BUILTIN, dest)
        (dest / "secret.txt").write_text("机密内容 SECRET-42", encoding="utf-8")
        return dest


@dataclass
class Case:
    name: str
    cls: str                                     # the class of hostile input (listed in the report)
    setup: Callable[[Ctx], list]                 # prepares the folder, returns the argv (or several)
    says: str | None = None                      # regex the output must match (message, location)
    codes: tuple[int, ...] = (0, 1, 2)
    concurrent: bool = False                     # setup returned several argvs to run at once
    outputs: tuple[str, ...] = ("project/build", "out")   # folders the command may write in
    verify: Callable[[Ctx, "object"], None] | None = None
    not_says: str | None = None                  # a misleading message that must not appear


CASES: list[Case] = []


def case(cls: str, says: str | None = None, **kw):
    def register(fn):
        CASES.append(Case(fn.__name__, cls, fn, says, **kw))
        return fn
    return register


def build(ctx: Ctx, *extra: str) -> list[str]:
    return ["build", str(ctx.project), "-o", str(ctx.out / "draft.docx"), *extra]


def validate(ctx: Ctx) -> list[str]:
    return ["validate", str(ctx.project)]


# ================================================================ reading outside the project
@case("读取项目之外", r"mypack/pack\.yaml:\d+.*extends")
def extends_absolute_path(ctx):
    secret = ctx.outside_pack()
    pack = ctx.local_pack()
    _pack_yaml_set(pack, "extends", str(secret))
    return validate(ctx)


@case("读取项目之外", r"mypack/pack\.yaml:\d+.*extends")
def extends_dotdot_path(ctx):
    ctx.outside_pack()
    pack = ctx.local_pack()
    _pack_yaml_set(pack, "extends", "../../outside/secret")
    return validate(ctx)


@case("读取项目之外", r"mypack/pack\.yaml:\d+.*extends")
def extends_symlink_out_of_pack(ctx):
    secret = ctx.outside_pack()
    pack = ctx.local_pack()
    (pack / "base").symlink_to(secret)
    _pack_yaml_set(pack, "extends", "./base")
    return validate(ctx)


@case("读取项目之外", r"narrative/preface/01-overview\.md:1.*(之外)", not_says="SECRET-42")
def include_outside_file(ctx):
    ctx.outside.mkdir(parents=True, exist_ok=True)
    (ctx.outside / "secret.md").write_text("SECRET-42", encoding="utf-8")
    ctx.narrative('{% include "project:../outside/secret.md" %}\n')
    return build(ctx)


@case("读取项目之外", r"narrative/preface/02-link\.md：.*之外", not_says="SECRET-42")
def narrative_symlink_out(ctx):
    ctx.outside.mkdir(parents=True, exist_ok=True)
    (ctx.outside / "secret.md").write_text("SECRET-42", encoding="utf-8")
    (ctx.project / "narrative/preface/02-link.md").symlink_to(ctx.outside / "secret.md")
    return build(ctx)


@case("读取项目之外", r"01-overview\.md.*(项目之外|项目文件夹之外)")
def image_symlink_out(ctx):
    ctx.outside.mkdir(parents=True, exist_ok=True)
    _jpeg(ctx.outside / "secret.jpg")
    (ctx.project / "images/link.jpg").symlink_to(ctx.outside / "secret.jpg")
    ctx.narrative("正文。\n\n![外部图片](images/link.jpg)\n")
    return build(ctx)


@case("读取项目之外", r"01-overview\.md.*(项目之外|项目文件夹之外)")
def image_dotdot_path(ctx):
    ctx.outside.mkdir(parents=True, exist_ok=True)
    _jpeg(ctx.outside / "secret.jpg")
    ctx.narrative("正文。\n\n![外部图片](../outside/secret.jpg)\n")
    return build(ctx)


@case("读取项目之外", r"01-overview\.md.*(项目之外|项目文件夹之外)")
def image_absolute_path(ctx):
    ctx.outside.mkdir(parents=True, exist_ok=True)
    _jpeg(ctx.outside / "secret.jpg")
    ctx.narrative(f"正文。\n\n![外部图片]({ctx.outside / 'secret.jpg'})\n")
    return build(ctx)


# ================================================================ overwriting
@case("覆盖输入或手改稿", r"--changes.*(输入|正文)")
def changes_over_narrative(ctx):
    return build(ctx, "--changes", str(ctx.project / "narrative/preface/01-overview.md"))


@case("覆盖输入或手改稿", r"--changes.*(初稿|输出)")
def changes_over_draft(ctx):
    _run_cli(["build", str(ctx.project)])
    draft = next((ctx.project / "build").glob("*.docx"))
    return ["diff", str(ctx.project), "--changes", str(draft)]


@case("覆盖输入或手改稿", r"--changes：.*(初稿|保留)")
def changes_over_hand_edited_draft(ctx):
    _run_cli(["build", str(ctx.project), "-o", str(ctx.out / "draft.docx")])
    _hand_edit(ctx.out / "draft.docx")
    return build(ctx, "--changes", str(ctx.out / "draft.docx"))


@case("覆盖输入或手改稿", r"(-o|--output).*(输入|项目)", outputs=("out",))
def workbook_export_over_input(ctx):
    _run_cli(["workbook", str(ctx.project), "-o", str(ctx.project / "填报.xlsx")])
    ctx.edit("report.yaml", r"^pack: .*$", "pack: annual-2024\nworkbook: 填报.xlsx")
    return ["workbook", str(ctx.project), "-o", str(ctx.project / "填报.xlsx")]


@case("覆盖输入或手改稿", r"report\.yaml.*output", outputs=("project/build",))
def output_setting_escapes(ctx):
    ctx.edit("report.yaml", r"^output: .*$", "output: ../../outside/escaped.docx")
    return ["build", str(ctx.project)]


@case("覆盖输入或手改稿", r"report\.yaml.*output", outputs=("project/build",))
def output_setting_absolute(ctx):
    ctx.edit("report.yaml", r"^output: .*$", f"output: {ctx.outside / 'abs.docx'}")
    return ["build", str(ctx.project)]


@case("覆盖输入或手改稿", r"(同名|重复|相同).*(a|b)", outputs=("out",))
def batch_name_clash(ctx):
    b = ctx.dir / "schools" / "b"
    shutil.copytree(ctx.project, b)
    shutil.move(ctx.project, ctx.dir / "schools" / "a")
    ctx.project.mkdir()
    _edit_file(b / "report.yaml", r"^output: .*$", "output: 江州职业技术学院质量年度报告2024.DOCX")
    return ["batch", str(ctx.dir / "schools"), "-o", str(ctx.out), "-j", "1"]


@case("覆盖输入或手改稿", None, outputs=("out", "project/build"), codes=(0, 1),
      verify=lambda ctx, r: _only_in(ctx.out, ".docx"))
def batch_name_with_path_parts(ctx):
    ctx.school('"../../outside/逃逸"')
    ctx.edit("report.yaml", r"^output: .*\n", "")
    return ["batch", str(ctx.project), "-o", str(ctx.out), "-j", "1"]


@case("覆盖输入或手改稿", None, outputs=("out", "project/build"), codes=(0, 1),
      verify=lambda ctx, r: _only_in(ctx.out, ".docx"))
def batch_name_reserved_and_dots(ctx):
    ctx.school('"CON. ."')
    ctx.edit("report.yaml", r"^output: .*\n", "")
    ctx.edit("report.yaml", r"^year: .*$", "year: 2024")
    return ["batch", str(ctx.project), "-o", str(ctx.out), "-j", "1"]


@case("并发构建", None, codes=(0,), concurrent=True, not_says="(手工|手动|手改|被修改|编辑过)")
def concurrent_builds(ctx):
    _run_cli(["build", str(ctx.project)])
    ctx.narrative("第二次构建前改过的正文。\n")
    return [["build", str(ctx.project)], ["build", str(ctx.project)]]


# ================================================================ hangs and memory: templates
@case("模板耗尽资源", r"01-overview\.md.*循环")
def recursive_loop_fanout(ctx):
    ctx.narrative("{% for x in range(30) recursive %}{% if loop.depth < 7 %}{{ loop(range(30)) }}{% endif %}"
                  "{% endfor %}\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过长|上限)")
def join_huge(ctx):
    ctx.narrative('{{ range(90000) | join("好" * 90000) }}\n')
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过长|上限)")
def indent_huge(ctx):
    ctx.narrative('{{ ("a\\n" * 400000) | indent(9000) }}\n')
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过长|上限)")
def replace_filter_huge(ctx):
    ctx.narrative('{{ ("a" * 900000) | replace("a", "b" * 9000) }}\n')
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过长|上限)")
def replace_method_huge(ctx):
    ctx.narrative('{{ ("a" * 900000).replace("a", "b" * 9000) }}\n')
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过大|上限)")
def integer_squaring(ctx):
    steps = "".join(f"{{% set n{i + 1} = n{i} * n{i} %}}" for i in range(40))
    ctx.narrative("{% set n0 = 9 ** 4000 %}" + steps + "{{ n40 }}\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过大|上限)")
def power_tower(ctx):
    ctx.narrative("{{ (99 ** 4000) ** 4000 }}{{ 2 ** 4000 ** 2 }}\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(递归|层数)")
def macro_infinite_recursion(ctx):
    ctx.narrative("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(嵌套|层数|过深)")
def deeply_nested_expression(ctx):
    ctx.narrative("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md.*(过大|文件过大|超过)", not_says="找不到模板")
def narrative_too_large(ctx):
    ctx.narrative(("很长的正文。" * 60000 + "\n") * 2)
    return validate(ctx)


@case("模板耗尽资源", r"indicators\.yaml.*(过大|上限)", outputs=("project/build", "out"))
def pack_formula_power(ctx):
    pack = ctx.local_pack()
    path = pack / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    huge = " * ".join(["(9 ** 4000)"] * 9)
    assert '"毕业去向落实人数 / 毕业生人数 * 100"' in text
    path.write_text(text.replace('"毕业去向落实人数 / 毕业生人数 * 100"', f'"{huge}"'), encoding="utf-8")
    return validate(ctx)


@case("数字异常", r"indicators\.yaml:\d+.*(位数过多|过大|无法计算)")
def pack_formula_result_of_forty_digits(ctx):
    pack = ctx.local_pack()
    path = pack / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"毕业去向落实人数 / 毕业生人数 * 100"', '"毕业去向落实人数 * 10 ** 40"'), encoding="utf-8")
    return build(ctx)


@case("数字异常", r"01-overview\.md:\d+")
def template_prints_huge_and_infinite_numbers(ctx):
    ctx.narrative("第一段 {{ 10 ** 1000 }} {{ 1e308 * 10 }} {{ (1e308 * 10) | round(2) }} {{ '%d' % (10 ** 1200) }}\n")
    return build(ctx)


@case("模板错误", r"01-overview\.md:\d+.*(过滤器|nosuch)")
def unknown_filter(ctx):
    ctx.narrative("第一段。\n\n{{ school.name | nosuch }}\n")
    return validate(ctx)


@case("模板错误", r"01-overview\.md:\d+.*(测试|nosuch)")
def unknown_test(ctx):
    ctx.narrative("第一段。\n\n{% if school.name is nosuch %}x{% endif %}\n")
    return validate(ctx)


@case("模板错误", r"01-overview\.md:\d+")
def unclosed_raw_block(ctx):
    ctx.narrative("第一段。\n\n{% raw %}没有结束\n")
    return validate(ctx)


@case("模板错误", r"01-overview\.md:\d+：没有名为“nosuchfilter”的过滤器")
def unknown_filter_named_in_map(ctx):
    ctx.narrative('第一段。\n\n{{ [1, 2] | map("nosuchfilter") | list }}\n')
    return build(ctx)


@case("模板错误", r"01-overview\.md:\d+：没有名为“nosuchtest”的判断")
def unknown_test_named_in_select(ctx):
    ctx.narrative('第一段。\n\n{{ [1, 2] | select("nosuchtest") | list }}\n')
    return build(ctx)


@case("模板错误", r"01-overview\.md:15：.*标签嵌套过深.*上限 12 层")
def twenty_five_nested_for(ctx):             # Python's compiler: "too many statically nested blocks"
    ctx.narrative("第一段。\n\n" + "{% for x in [1] %}\n" * 25 + "x" + "{% endfor %}" * 25 + "\n")
    return build(ctx)


@case("模板错误", r"01-overview\.md:15：.*标签嵌套过深.*上限 12 层")
def two_hundred_nested_if(ctx):              # Python's compiler: "too many levels of indentation"
    ctx.narrative("第一段。\n\n" + "{% if true %}\n" * 200 + "x" + "{% endif %}" * 200 + "\n")
    return build(ctx)


@case("模板错误", r"mypack/chapters/preface\.md\.j2:13：.*标签嵌套过深")
def local_pack_template_nested_for(ctx):
    tpl = ctx.local_pack() / "chapters" / "preface.md.j2"
    tpl.write_text("{% for x in [1] %}\n" * 25 + "x" + "{% endfor %}" * 25 + "\n" + tpl.read_text(encoding="utf-8"),
                   encoding="utf-8")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md:1：.*模板过长：含有超过 50,000 个")
def narrative_of_a_hundred_thousand_expressions(ctx):    # Python's compiler would run out of memory
    ctx.narrative("{{ school.name }}" * 110_000 + "\n")
    return validate(ctx)


@case("模板耗尽资源", r"01-overview\.md:3：模板中的表达式生成的文本或列表过长")
def filter_chain_over_a_multiplied_list(ctx):
    ctx.narrative('第一段。\n\n{{ ([range(100000)] * 1000000) | map("sum") | sum }}\n')
    return build(ctx)


@case("模板耗尽资源", r"01-overview\.md:3：模板中的循环次数超过上限")
def filter_chain_over_a_written_list(ctx):  # no `*`: map("sum") itself goes through 300,000 numbers
    ctx.narrative('第一段。\n\n{% set r = range(100000) %}{{ [r, r, r] | map("sum") | sum }}'
                  '{{ [r, r, r, r, r, r, r, r, r, r] | map("sort") | map("unique") | map("list") | list }}\n')
    return validate(ctx)


# ================================================================ hangs and memory: YAML
@case("YAML 耗尽资源", r"majors_traditional\.yaml:\d+.*(别名|引用)")
def yaml_billion_laughs(ctx):
    lines = ['a0: &a0 ["哈哈哈哈哈哈哈哈"]']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    ctx.write("data/tables/majors_traditional.yaml", "- " + "\n  ".join(lines) + "\n")
    return validate(ctx)


@case("YAML 耗尽资源", r"indicators\.yaml:\d+.*(嵌套|层数)")
def yaml_deep_nesting(ctx):
    ctx.write("data/indicators.yaml", "毕业生人数: " + "[" * 20000 + "]" * 20000 + "\n")
    return validate(ctx)


@case("YAML 耗尽资源", r"indicators\.yaml:\d+.*(嵌套|层数)")
def yaml_deep_block_nesting(ctx):
    ctx.write("data/indicators.yaml", "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n")
    return validate(ctx)


@case("YAML 数据", r"indicators\.yaml:\d+.*重复")
def yaml_duplicate_keys(ctx):
    path = ctx.project / "data/indicators.yaml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"^([^#\s][^:\n]*): .*$", text, flags=re.M).group(0)
    path.write_text(text + "\n" + first + "\n", encoding="utf-8")
    return validate(ctx)


@case("YAML 数据", r"report\.yaml.*(编码|UTF-8)")
def report_yaml_utf16(ctx):
    path = ctx.project / "report.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return validate(ctx)


@case("YAML 数据", r"report\.yaml")
def report_yaml_binary(ctx):
    (ctx.project / "report.yaml").write_bytes(bytes(range(256)) * 8)
    return validate(ctx)


# ================================================================ numbers
@case("数字异常", r"indicators\.yaml:\d+")
def yaml_inf(ctx):
    _set_indicator(ctx, ".inf")
    return validate(ctx)


@case("数字异常", r"indicators\.yaml:\d+")
def yaml_nan(ctx):
    _set_indicator(ctx, ".nan")
    return validate(ctx)


@case("数字异常", r"indicators\.yaml:\d+")
def yaml_hundreds_of_digits(ctx):
    _set_indicator(ctx, "9" * 400)
    return validate(ctx)


@case("数字异常", r"indicators\.yaml:\d+")
def yaml_huge_float(ctx):
    _set_indicator(ctx, "1e400")
    return validate(ctx)


@case("数字异常", r"certificates\.yaml:\d+")
def table_cell_hundreds_of_digits(ctx):
    _set_table_number(ctx, "9" * 500)
    return validate(ctx)


@case("数字异常", r"certificates\.yaml:\d+")
def table_cell_inf(ctx):
    _set_table_number(ctx, "-.inf")
    return validate(ctx)


@case("数字异常", r"W\.xlsx › .+ › [A-Z]+\d+", outputs=("project/build", "out"))
def workbook_cell_huge_number(ctx):
    wb = _export_workbook(ctx)
    _edit_workbook(wb, lambda ws: _first_numeric_cell(ws, "1" * 300 + "E+300"))
    return ["validate", str(ctx.project), "--workbook", str(wb)]


# ================================================================ control characters
@case("控制字符", None, codes=(0,))
def narrative_vertical_tab(ctx):
    ctx.narrative("第一段\x0b从 Word 粘贴的手动换行。\n\n第二段\x01含有\ufffe不可见字符。\n\n## 小标题\x0b续\n")
    return build(ctx)


@case("控制字符", None, codes=(0,))
def school_name_control_chars(ctx):
    ctx.school('"江州\\x01职业\\uFFFE技术\\x0b学院"')
    return build(ctx)


@case("控制字符", None, codes=(0,))
def raw_control_chars_in_yaml(ctx):
    path = ctx.project / "data/tables/majors_traditional.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(专业名称: )(\S+)", text)
    assert m
    path.write_text(text[:m.end()] + "\x0b\x01" + text[m.end():], encoding="utf-8")
    return build(ctx)


@case("控制字符", None, codes=(0,))
def template_makes_control_chars(ctx):
    ctx.narrative('第一段{{ "\\x0b\\x01\\ufffe" }}结束。\n')
    return build(ctx)


@case("控制字符", None, codes=(0,))
def rtl_and_zero_width_names(ctx):
    ctx.school('"江州\\u202e职业\\u200b技术学院"')
    ctx.edit("report.yaml", r"^output: .*\n", "")
    return build(ctx)


@case("控制字符", None, codes=(0,))
def workbook_cell_control_chars(ctx):
    wb = _export_workbook(ctx)
    _edit_workbook(wb, lambda ws: _first_text_cell(ws, "第一行_x000B_第二行_x0001_"))
    return build(ctx, "--workbook", str(wb))


@case("超长内容", r"W\.xlsx › 表1 [^›]+ › A3：“证书名称”中的文字过长（1,000,000 个字符.*W\.xlsx › 指标 › C2：",
      codes=(1,))
def workbook_cell_of_a_megabyte(ctx):         # the rest of the workbook is still read: 指标 › C2 is reported too
    wb = _export_workbook(ctx)
    _edit_workbook(wb, lambda ws: ws.title == "指标" and _first_numeric_cell(ws, "四千八百"))
    _long_text_cell(wb, 1_000_000)
    return build(ctx, "--workbook", str(wb))


@case("超长内容", None, codes=(0,), verify=lambda ctx, r: _docx_holds(ctx.out / "draft.docx", 32_767))
def workbook_cell_at_excels_limit(ctx):        # built into a table whose column widths are measured
    wb = _export_workbook(ctx)
    _long_text_cell(wb, 32_767)
    return build(ctx, "--workbook", str(wb))


@case("超长内容", None, codes=(0, 1))
def very_long_line(ctx):
    ctx.narrative("很" * 500_000 + "\n")
    return build(ctx)


# ================================================================ files that are not what they seem
@case("文件类型", r"data/tables/majors_traditional\.yaml.*(不是普通文件|管道)")
def fifo_data_file(ctx):
    path = ctx.project / "data/tables/majors_traditional.yaml"
    path.unlink()
    os.mkfifo(path)
    return validate(ctx)


@case("文件类型", r"01-overview\.md.*(不是普通文件|管道)")
def fifo_narrative(ctx):
    path = ctx.project / "narrative/preface/01-overview.md"
    path.unlink()
    os.mkfifo(path)
    return validate(ctx)


@case("文件类型", r"01-overview\.md.*(不是普通文件|管道)")
def fifo_image(ctx):
    os.mkfifo(ctx.project / "images/pipe.jpg")
    ctx.narrative("正文。\n\n![管道](images/pipe.jpg)\n")
    return build(ctx)


@case("文件类型", None, codes=(0, 1))
def symlink_loop_in_project(ctx):
    (ctx.project / "images/loop").symlink_to(ctx.project / "images")
    (ctx.project / "images/loop2").symlink_to(ctx.project)         # two loops: 2^40 paths if followed
    (ctx.project / "selfloop").symlink_to(ctx.project / "selfloop")
    return build(ctx)


@case("文件类型", r"indicators\.yaml.*(符号链接|循环|无法读取)")
def indicators_symlink_self_loop(ctx):
    path = ctx.project / "data/indicators.yaml"
    path.unlink()
    path.symlink_to(path)
    return validate(ctx)


@case("文件类型", r"indicators\.yaml.*文件夹")
def indicators_is_folder(ctx):
    path = ctx.project / "data/indicators.yaml"
    path.unlink()
    path.mkdir()
    return validate(ctx)


@case("文件类型", r"01-overview\.md.*(文件夹)", not_says="不存在")
def image_is_folder(ctx):
    (ctx.project / "images/photo.jpg").mkdir()
    ctx.narrative("正文。\n\n![文件夹](images/photo.jpg)\n")
    return build(ctx)


@case("文件类型", r"(像素|尺寸|过大)", not_says="已损坏")
def image_pixel_bomb(ctx):
    _png_header_only(ctx.project / "images/bomb.png", 60000, 60000)
    ctx.narrative("正文。\n\n![像素炸弹](images/bomb.png)\n")
    return build(ctx)


@case("文件类型", r"(像素|尺寸|过大)", not_says="已损坏")
def image_decompression_bomb(ctx):
    _png_bomb(ctx.project / "images/bomb.png", 30000, 30000)
    ctx.narrative("正文。\n\n![解压炸弹](images/bomb.png)\n")
    return build(ctx)


@case("文件类型", r"01-overview\.md.*(图片|photo)")
def image_not_an_image(ctx):
    ctx.write("images/photo.jpg", b"<html>not a photo</html>")
    ctx.narrative("正文。\n\n![假图片](images/photo.jpg)\n")
    return build(ctx)


# ================================================================ workbooks
@case("工作簿", r"W\.xlsx.*(合并|范围)", outputs=("project/build", "out"))
def workbook_huge_merged_range(ctx):
    wb = _export_workbook(ctx)
    _patch_sheet_xml(wb, lambda xml: _add_merge(xml, "A30:XFD1048576"))
    return ["validate", str(ctx.project), "--workbook", str(wb)]


@case("工作簿", r"W\.xlsx.*(文件数|内部文件)")
def workbook_thousands_of_entries(ctx):
    wb = _export_workbook(ctx)
    with zipfile.ZipFile(wb, "a") as z:
        for i in range(6000):
            z.writestr(f"xl/media/junk{i}.bin", b"")
    return ["validate", str(ctx.project), "--workbook", str(wb)]


@case("工作簿", r"W\.xlsx.*(压缩炸弹|异常庞大)", not_says="已损坏")
def workbook_zip_bomb(ctx):
    wb = _export_workbook(ctx)
    with zipfile.ZipFile(wb, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/bomb.bin", "w", force_zip64=True) as f:
            chunk = bytes(1024 * 1024)
            for _ in range(200):
                f.write(chunk)
    return ["validate", str(ctx.project), "--workbook", str(wb)]


@case("公式注入", None, codes=(0,), outputs=("out",), verify=lambda ctx, r: _no_formulas(ctx.out / "W.xlsx"))
def workbook_export_formula_injection(ctx):
    ctx.school('"=HYPERLINK(\\"http://evil.example\\",\\"点我\\")"')
    path = ctx.project / "data/tables/majors_traditional.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(专业名称: )(\S+)", text)
    path.write_text(text[:m.start(2)] + '"=1+cmd|\' /C calc\'!A0"' + text[m.end(2):], encoding="utf-8")
    pack = ctx.local_pack()
    tables = pack / "tables.yaml"
    t = tables.read_text(encoding="utf-8")
    t = re.sub(r"(unit: )([^,}\s]+)", lambda mm: mm.group(1) + '"@SUM(1+1)"', t, count=1)
    tables.write_text(t, encoding="utf-8")
    return ["workbook", str(ctx.project), "-o", str(ctx.out / "W.xlsx")]


# ================================================================ packs
@case("模板包安装", r"(同名|文件夹|冲突)", outputs=("packs",))
def pack_file_and_folder_same_name(ctx):
    z = _pack_zip(ctx, extra={"chapters/x": b"file", "chapters/x/y.md.j2": b"dir"})
    return ["pack", "install", str(z)]


@case("模板包安装", r"(过长|名称)", outputs=("packs",))
def pack_very_long_names(ctx):
    z = _pack_zip(ctx, extra={"chapters/" + "长" * 200 + ".md.j2": b"x"})
    return ["pack", "install", str(z)]


@case("模板包安装", r"hostile\.zip.*(非法字符)", outputs=("packs",))
def pack_nul_in_name(ctx):
    z = _pack_zip(ctx, extra={"chapters/a\x00b.md.j2": b"x"})
    return ["pack", "install", str(z)]


@case("模板包安装", r"(文件夹|不是)", outputs=())
def packs_folder_is_a_file(ctx):
    z = _pack_zip(ctx)
    ctx.packs.write_text("not a folder", encoding="utf-8")
    return ["pack", "install", str(z)]


@case("模板包安装", None, codes=(0,), outputs=("packs",), verify=lambda ctx, r: _installed(ctx, "archive"))
def pack_named_archive_in_a_top_folder(ctx):
    return ["pack", "install", str(_named_pack_zip(ctx, "archive", "top/"))]


@case("模板包安装", None, codes=(0,), outputs=("packs",), verify=lambda ctx, r: _installed(ctx, "archive"))
def pack_named_archive_at_the_root(ctx):
    return ["pack", "install", str(_named_pack_zip(ctx, "archive", ""))]


@case("模板包安装", None, codes=(0,), outputs=("packs",), verify=lambda ctx, r: _installed(ctx, "staged"))
def pack_in_a_dot_folder_named_like_the_staging_folder(ctx):
    return ["pack", "install", str(_named_pack_zip(ctx, "staged", ".staged/"))]


@case("模板包安装", r"two\.zip：.*2 个含 pack\.yaml 的顶层文件夹", outputs=())
def pack_archive_with_two_packs(ctx):
    _keep_a_pack(ctx)
    path = ctx.dir / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name in ("a", "b"):
            z.writestr(f"{name}/pack.yaml", f"name: {name}\nversion: '1'\nextends: annual-2024\n")
    return ["pack", "install", str(path)]


@case("模板包安装", r"src：src 中有 2 个含 pack\.yaml 的顶层文件夹（\.staged、archive）", outputs=())
def pack_folder_holding_two_packs(ctx):
    _keep_a_pack(ctx)
    for name in ("archive", ".staged"):
        ctx.write(f"{name}/pack.yaml", f"name: {name.strip('.')}\nversion: '1'\nextends: annual-2024\n", base=ctx.dir / "src")
    return ["pack", "install", str(ctx.dir / "src")]


@case("模板包安装", None, codes=(0,), outputs=("packs",), verify=lambda ctx, r: _installed(ctx, "archive"))
def pack_folder_named_archive(ctx):
    with zipfile.ZipFile(_named_pack_zip(ctx, "archive", "")) as z:
        z.extractall(ctx.dir / "src" / "archive")
    return ["pack", "install", str(ctx.dir / "src" / "archive")]


@case("模板包安装", r"hostile/chapters/deep\.md\.j2:13：.*标签嵌套过深.*hostile/chapters/map\.md\.j2:2：没有名为“nosuch”",
      outputs=())                             # the packs folder, with the pack kept there, as it was
def pack_install_refuses_nested_template(ctx):
    _keep_a_pack(ctx)
    return ["pack", "install", str(_pack_zip(ctx, extra=_BAD_TEMPLATES))]


@case("模板包安装", r"hostile/chapters/deep\.md\.j2:13：.*标签嵌套过深.*hostile/chapters/map\.md\.j2:2：没有名为“nosuch”",
      outputs=())                             # no packs folder is left behind by a failed first install
def pack_check_refuses_nested_template(ctx):
    return ["pack", "check", str(_pack_zip(ctx, extra=_BAD_TEMPLATES))]


@case("模板包安装", r"hostile/chapters/deep\.md\.j2:13：.*标签嵌套过深", outputs=())
def pack_first_install_fails_without_a_trace(ctx):
    return ["pack", "install", str(_pack_zip(ctx, extra=_BAD_TEMPLATES))]


_BAD_TEMPLATES = {"chapters/deep.md.j2": ("{% if true %}\n" * 200 + "x" + "{% endif %}" * 200).encode("utf-8"),
                  "chapters/map.md.j2": b'\n{{ [1] | map("nosuch") | list }}\n'}


def _named_pack_zip(ctx: Ctx, name: str, top: str) -> Path:
    path = ctx.dir / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{top}pack.yaml", f"name: {name}\nversion: '1.0'\nextends: annual-2024\n")
        z.writestr(f"{top}chapters/extra.md.j2", "{{ school.name }}\n")
    return path


def _keep_a_pack(ctx: Ctx) -> None:
    ctx.write("kept/pack.yaml", "name: kept\nversion: '1.0'\nextends: annual-2024\n", base=ctx.packs)


def _installed(ctx: Ctx, name: str) -> None:
    assert (ctx.packs / name / "pack.yaml").is_file() and (ctx.packs / name / "chapters" / "extra.md.j2").is_file()
    assert sorted(p.name for p in ctx.packs.iterdir()) == [name], list(ctx.packs.iterdir())


@case("模板包安装", None, codes=(0, 1, 2), concurrent=True, outputs=("packs",))
def pack_concurrent_installs(ctx):
    z = _pack_zip(ctx)
    return [["pack", "install", str(z)], ["pack", "install", str(z)], ["pack", "install", str(z)]]


@case("模板包安装", r"hostile\.zip：.*(个文件|过大)", outputs=("packs",))
def pack_thousands_of_entries(ctx):
    z = _pack_zip(ctx, extra={f"junk/{i}.txt": b"" for i in range(3000)})
    return ["pack", "install", str(z)]


@case("覆盖输入或手改稿", r"-o/--output：.*输入")
def aggregate_output_over_school_input(ctx):
    target = ctx.project / "narrative" / "汇总.docx"
    target.write_bytes(b"not really a report, but a school's own file")
    return ["aggregate", str(ctx.project), "-o", str(target), "-j", "1"]


# ================================================================ more: escapes, sizes, tags, names
@case("沙箱逃逸", r"01-overview\.md:\d+.*(安全|受保护)")
def sandbox_dunder_escape(ctx):
    ctx.narrative("第一段。\n\n{{ school.__class__.__mro__[1].__subclasses__() }}\n")
    return validate(ctx)


@case("沙箱逃逸", r"01-overview\.md:\d+.*(安全|受保护|未定义)")
def sandbox_globals_escape(ctx):
    ctx.narrative("第一段。\n\n{{ cycler.__init__.__globals__.os.system('touch PWNED') }}\n")
    return validate(ctx)


@case("沙箱逃逸", r"mypack/chapters/preface\.md\.j2:\d+.*(之外|找不到)", not_says="SECRET-42")
def pack_template_includes_outside(ctx):
    pack = ctx.local_pack()
    ctx.outside.mkdir(parents=True, exist_ok=True)
    (ctx.outside / "secret.md").write_text("SECRET-42", encoding="utf-8")
    tpl = pack / "chapters" / "preface.md.j2"
    tpl.write_text('{% include "pack:../../outside/secret.md" %}\n' + tpl.read_text(encoding="utf-8"),
                   encoding="utf-8")
    return validate(ctx)


@case("文件过大", r"data/tables/certificates\.yaml.*过大")
def yaml_file_too_large(ctx):
    with open(ctx.project / "data/tables/certificates.yaml", "r+b") as f:
        f.truncate(30 * 1024 * 1024)            # sparse: 30 MB on paper, nothing on disk
    return validate(ctx)


@case("文件过大", r"01-overview\.md:\d+.*过大")
def image_file_too_large(ctx):
    with open(ctx.project / "images/huge.jpg", "wb") as f:
        f.truncate(80 * 1024 * 1024)
    ctx.narrative("正文。\n\n![很大的图片](images/huge.jpg)\n")
    return build(ctx)


@case("文件过大", None, codes=(0, 1))
def school_name_very_long(ctx):
    ctx.school('"' + "很长的学校名称" * 20000 + '"')
    ctx.edit("report.yaml", r"^output: .*\n", "")
    return build(ctx)


@case("YAML 数据", r"indicators\.yaml:\d+")         # a PWNED file would show as written outside
def yaml_python_tag(ctx):
    path = ctx.project / "data/indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n恶意: !!python/object/apply:os.system ['touch PWNED']\n",
                    encoding="utf-8")
    return validate(ctx)


@case("YAML 耗尽资源", None, codes=(0, 1))
def yaml_merge_key_bomb(ctx):
    lines = ["- a0: &a0 {x0: 1}"]
    for i in range(1, 25):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"  a{i}: &a{i} {{<<: [{refs}], y{i}: 1}}")
    ctx.write("data/tables/majors_traditional.yaml", "\n".join(lines) + "\n")
    return validate(ctx)


@case("工作簿", r"W\.xlsx.*(不安全|实体)", outputs=("project/build", "out"))
def workbook_xml_entity_bomb(ctx):
    wb = _export_workbook(ctx)
    dtd = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' +
           "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) +
           "]>")
    _patch_sheet_xml(wb, lambda xml: (xml.replace("?>", "?>" + dtd, 1) if xml.startswith("<?xml") else dtd + xml))
    return ["validate", str(ctx.project), "--workbook", str(wb)]


@case("工作簿", r"W\.xlsx.*(行|过多|超过)", outputs=("project/build", "out"))
def workbook_too_many_rows(ctx):
    wb = _export_workbook(ctx)
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>' for i in range(50, 20100))
    _patch_sheet_xml(wb, lambda xml: re.sub(r"<dimension[^>]*/>", "", xml).replace("</sheetData>", rows + "</sheetData>", 1))
    return ["validate", str(ctx.project), "--workbook", str(wb)]


@case("名称", None, codes=(0,))
def narrative_file_with_rtl_and_zero_width_name(ctx):
    ctx.narrative("名称里有不可见字符的正文文件。\n", rel="narrative/preface/02-\u202egpj\u200b.md")
    return build(ctx)


@case("名称", None, codes=(0,), outputs=("out", "学校 \u202e项目/build"))
def project_path_with_spaces_and_rtl(ctx):
    moved = ctx.dir / "学校 \u202e项目"
    shutil.move(ctx.project, moved)
    ctx.project.mkdir()
    return ["build", str(moved), "-o", str(ctx.out / "draft.docx")]


@case("文件类型", r"W\.xlsx.*(不是普通文件|管道)")
def workbook_is_a_fifo(ctx):
    os.mkfifo(ctx.dir / "W.xlsx")
    return ["validate", str(ctx.project), "--workbook", str(ctx.dir / "W.xlsx")]


@case("文件类型", r"--workbook")            # click says it, in its own words
def workbook_is_a_folder(ctx):
    (ctx.dir / "W.xlsx").mkdir()
    return ["validate", str(ctx.project), "--workbook", str(ctx.dir / "W.xlsx")]


@case("嵌套过深", None, codes=(0, 1))
def markdown_deep_quotes_and_lists(ctx):
    quotes = "> " * 3000 + "引用套引用。\n\n"
    lists = "".join("  " * i + "- 列表项\n" for i in range(600))
    ctx.narrative("第一段。\n\n" + quotes + lists)
    return build(ctx)


@case("嵌套过深", None, codes=(0, 1))
def markdown_deep_emphasis_and_links(ctx):
    ctx.narrative("第一段。\n\n" + "*" * 20000 + "强调" + "*" * 20000 + "\n\n" + "[" * 20000 + "链接" + "]" * 20000 + "\n")
    return build(ctx)


@case("工作簿", r"W\.docx.*(Word|不是 Excel|文件数)")
def word_document_with_thousands_of_entries_as_workbook(ctx):
    path = ctx.dir / "W.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(6000):
            z.writestr(f"word/media/{i}.bin", b"")
    return ["validate", str(ctx.project), "--workbook", str(path)]


@case("命令行", r"(用法错误|错误)")
def init_over_an_existing_file(ctx):
    return ["init", str(ctx.project / "report.yaml")]


@case("命令行", r"report\.yaml：.*不是项目文件夹")
def build_a_file_instead_of_a_project(ctx):
    return ["build", str(ctx.project / "report.yaml")]


@case("命令行", None, codes=(0, 1, 2))
def init_into_the_existing_project(ctx):
    return ["init", str(ctx.project)]


@case("覆盖输入或手改稿", r"-o/--output：.*输入", outputs=())
def preview_into_the_images_folder(ctx):
    _jpeg(ctx.project / "images" / "page-01.png")          # a photo that happens to have that name
    return ["preview", str(ctx.project), "-o", str(ctx.project / "images")]


# ================================================================ Word sections (narrative/*.docx)
def _word_section(path: Path, text: str = "学校在 Word 里写的一段正文。", picture: Path | None = None) -> Path:
    from docx import Document
    d = Document()
    d.add_paragraph(text)
    if picture is not None:
        d.add_picture(str(picture))
    d.save(str(path))
    return path


@case("Word 正文", r"02-word\.docx.*(文件数|异常|拒绝|损坏)")
def word_section_with_thousands_of_entries(ctx):
    path = _word_section(ctx.project / "narrative/preface/02-word.docx")
    with zipfile.ZipFile(path, "a") as z:
        for i in range(20000):
            z.writestr(f"word/media/junk{i}.bin", b"")
    return validate(ctx)


@case("Word 正文", r"02-word\.docx.*(压缩|异常|拒绝|过大)")
def word_section_zip_bomb(ctx):
    path = _word_section(ctx.project / "narrative/preface/02-word.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as f:
            for _ in range(400):
                f.write(bytes(1024 * 1024))
    return validate(ctx)


@case("Word 正文", None, codes=(0,))
def word_section_with_control_characters(ctx):
    path = _word_section(ctx.project / "narrative/preface/02-word.docx", "第一行VTMARK第二行\t制表\u202e反向\u200b零宽")
    _patch_zip_member(path, "word/document.xml", lambda xml: xml.replace("VTMARK", "_x000B_"))
    return build(ctx)


@case("Word 正文", r"02-word\.docx.*(不是普通文件|管道)")
def word_section_is_a_fifo(ctx):
    os.mkfifo(ctx.project / "narrative/preface/02-word.docx")
    return validate(ctx)


@case("Word 正文", r"02-word\.docx", codes=(0, 1))
def word_section_with_pixel_bomb_picture(ctx):
    pic = ctx.dir / "pic.png"
    _jpeg(pic)
    path = _word_section(ctx.project / "narrative/preface/02-word.docx", picture=pic)
    bomb = ctx.dir / "bomb.png"
    _png_header_only(bomb, 60000, 60000)
    data = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename.startswith("word/media/"):
                body = bomb.read_bytes()
            zout.writestr(info, body)
    path.write_bytes(out.getvalue())
    return build(ctx)


# ================================================================ helpers
def _run_cli(argv: list[str]) -> None:
    """A preparatory run (an earlier build); in-process is fine, it is not the case under test."""
    import subprocess
    import sys
    subprocess.run([sys.executable, "-m", "reportgen", *argv], check=True, capture_output=True)


def _edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(old, lambda m: new, text, count=1, flags=re.M), encoding="utf-8")


def _pack_yaml_set(pack: Path, key: str, value: str) -> None:
    path = pack / "pack.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"^{key}:.*\n", "", text, flags=re.M)
    path.write_text(f'{key}: "{value}"\n' + text, encoding="utf-8")


def _set_indicator(ctx: Ctx, value: str) -> None:
    path = ctx.project / "data/indicators.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(2024: )([0-9.]+)", text)
    assert m
    path.write_text(text[:m.start(2)] + value + text[m.end(2):], encoding="utf-8")


def _set_table_number(ctx: Ctx, value: str) -> None:
    path = ctx.project / "data/tables/certificates.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"(批准总培训人数: )(\d+)", text)
    path.write_text(text[:m.start(2)] + value + text[m.end(2):], encoding="utf-8")


def _hand_edit(docx: Path) -> None:
    from docx import Document
    d = Document(str(docx))
    d.add_paragraph("办公室老师在 Word 里加的一段话。")
    d.save(str(docx))


def _jpeg(path: Path, size=(40, 30)) -> None:
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 120, 40)).save(path, "JPEG")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_header_only(path: Path, w: int, h: int) -> None:
    """A PNG that declares w×h pixels and has almost no data: the pixels are what would be allocated."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 100)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) +
                     _png_chunk(b"IEND", b""))


def _png_bomb(path: Path, w: int, h: int) -> None:
    """A PNG of w×h grey pixels made of zeros: a few hundred KB that decode to gigabytes."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    comp = zlib.compressobj(9)
    row = b"\0" * (w + 1)
    parts = [comp.compress(row) for _ in range(h)]
    parts.append(comp.flush())
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"".join(parts)) +
                     _png_chunk(b"IEND", b""))


def _export_workbook(ctx: Ctx) -> Path:
    wb = ctx.dir / "W.xlsx"
    _run_cli(["workbook", str(ctx.project), "-o", str(wb)])
    return wb


def _edit_workbook(path: Path, change) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if change(ws):
            break
    wb.save(path)


def _first_numeric_cell(ws, text: str) -> bool:
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.value = text
                return True
    return False


def _first_text_cell(ws, text: str) -> bool:
    if ws.title in ("说明", "指标"):
        return False
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 1 and not cell.value.startswith("="):
                cell.value = text            # openpyxl writes _x000B_ as is; Excel reads it as U+000B
                return True
    return False


def _patch_sheet_xml(path: Path, change) -> None:
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        done = False
        for info in zin.infolist():
            data = zin.read(info)
            if not done and re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                data = change(data.decode("utf-8")).encode("utf-8")
                done = True
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def _long_text_cell(path: Path, chars: int) -> None:
    """The first text cell of the first table sheet holding `chars` characters, written into the sheet's XML
    (openpyxl would cut it at Excel's 32,767 when saving)."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    for index, ws in enumerate(wb.worksheets):
        cell = next((c for row in ws.iter_rows(min_row=3) for c in row if ws.title not in ("说明", "指标")
                     and isinstance(c.value, str) and len(c.value) > 1 and not c.value.startswith("=")), None)
        if cell is not None:
            break
    text = ("这是一段从别处粘贴过来的很长的文字，" * (chars // 18 + 1))[:chars]
    new = f'<c r="{cell.coordinate}" t="inlineStr"><is><t>{text}</t></is></c>'
    _patch_zip_member(path, f"xl/worksheets/sheet{index + 1}.xml",
                      lambda xml: _replace_once(rf'<c r="{cell.coordinate}"[^>]*>.*?</c>', new, xml))


def _replace_once(pattern: str, new: str, text: str) -> str:
    out, n = re.subn(pattern, lambda m: new, text, count=1)
    assert n == 1, pattern
    return out


def _docx_holds(path: Path, chars: int) -> None:
    from docx import Document
    longest = max(len(c.text) for t in Document(str(path)).tables for row in t.rows for c in row.cells)
    assert longest == chars, longest


def _patch_zip_member(path: Path, member: str, change) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def _add_merge(xml: str, ref: str) -> str:
    cell = f'<mergeCell ref="{ref}"/>'
    if "<mergeCells" in xml:
        return re.sub(r"<mergeCells[^>]*>", lambda m: m.group(0) + cell, xml, count=1)
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1">{cell}</mergeCells>', 1)


def _no_formulas(path: Path) -> None:
    """The only formulas are reportgen's own sheet references (=Sheet!A1 in the hidden sheet); the injected
    texts are there, as text."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert re.fullmatch(r"=('[^']+'|[^'!]+)!A1", str(cell.value)), \
                        f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    joined = "\n".join(texts)
    assert "=HYPERLINK(" in joined and "=1+cmd" in joined and "@SUM(1+1)" in joined


def _only_in(folder: Path, suffix: str) -> None:
    for p in folder.rglob("*"):
        assert p.parent == folder, f"written below the output folder: {p}"


def _pack_zip(ctx: Ctx, extra: dict[str, bytes] | None = None) -> Path:
    """A zip of a small pack extending the built-in one, with `extra` members."""
    members = {"hostile/pack.yaml": "name: hostile\nversion: '1.0'\nextends: annual-2024\n".encode("utf-8")}
    members.update({f"hostile/{k}": v for k, v in (extra or {}).items()})
    path = ctx.dir / "hostile.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            # zipfile cuts a name at NUL when writing: write a stand-in of the same length, patched below
            z.writestr(zipfile.ZipInfo(name.replace("\x00", "\x7f"), (2024, 1, 1, 0, 0, 0)), data)
    if any("\x00" in n for n in members):
        path.write_bytes(path.read_bytes().replace(b"\x7f", b"\x00"))
    return path


# ================================================================ the base project
def make_base(dest: Path) -> Path:
    """The demo project with its photos replaced by small generated ones (same names, same folders)."""
    shutil.copytree(DEMO, dest, ignore=shutil.ignore_patterns("build", "*.jpg", "*.jpeg", "*.png"))
    for src in DEMO.rglob("*"):
        if src.suffix.lower() in (".jpg", ".jpeg", ".png") and "build" not in src.parts:
            _jpeg(dest / src.relative_to(DEMO))
    return dest
