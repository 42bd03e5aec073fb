"""`reportgen pack …`: list, show, check, export, install and remove template packs.

Registered on the main command group in cli.py; the work is done in packs/store.py,
packs/lint.py and packs/show.py, so this module only parses options and prints.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..console import Group, report_problems


@click.group("pack", cls=Group)
def pack():
    """模板包：列出、查看、检查、导出、安装、删除。"""


@pack.command("list")
def list_cmd():
    """列出内置模板包和已安装（用户）的模板包。"""
    from .store import list_packs, user_pack_dir
    infos = list_packs()
    width = max((len(i.name) for i in infos), default=4)
    for i in infos:
        extends = f"（继承 {i.extends}）" if i.extends else ""
        click.echo(f"{i.name:<{width}}  {i.version:<8} {i.source}  {i.description}{extends}")
    click.echo(f"用户模板包目录：{user_pack_dir()}（可用环境变量 REPORTGEN_PACKS 指定）")


@pack.command("show")
@click.argument("target", type=click.Path(path_type=Path))
def show_cmd(target: Path):
    """显示生效的模板包（项目或模板包文件夹，或模板包名称）及每一部分的来源。"""
    from .show import show_text
    click.echo(show_text(target))


@pack.command("new")
@click.argument("name")
@click.option("--from", "base", metavar="PACK", help="以此模板包为基础（新模板包继承它，只写不同的部分）")
@click.option("--outline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="框架文档（.docx）：标题为章节，标题下的说明为写作提示，各表的表题和表头为明细表")
@click.option("--extends", "extends", metavar="PACK", help="与 --outline 同用：与此模板包相同的章节和表沿用其定义")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="新模板包的文件夹（默认为当前目录下以 NAME 命名的文件夹）")
def new_cmd(name: str, base: str | None, outline: Path | None, extends: str | None, output: Path | None):
    """新建模板包：--from 以已有模板包为基础，或 --outline 由省里下发的框架文档（.docx）生成。"""
    from ..errors import UsageError
    from .new import check_name, new_from, new_from_outline
    check_name(name)
    if (base is None) == (outline is None):
        raise UsageError("请给出 --from 模板包 或 --outline 框架文档.docx（二者选一）")
    if extends and not outline:
        raise UsageError("--extends 只与 --outline 同用（--from 本身就是继承）")
    folder = output or Path(name)
    made = new_from(name, base, folder) if base else new_from_outline(name, outline, folder, extends)
    click.echo(f"已建立模板包 {name}：{folder}（{'、'.join(sorted(made.files))}）")
    if made.undecided:
        click.echo("以下几处框架文档没有说明，请模板包作者确认：")
        for line in made.undecided:
            click.echo(f"  - {line}")
    click.echo(f"查看生效的结构：reportgen pack show {folder}；检查：reportgen pack check {folder}")


@pack.command("check")
@click.argument("target", type=click.Path(path_type=Path))
def check_cmd(target: Path):
    """检查模板包（文件夹、.zip 或名称）：模板能否编译、引用的表和指标是否存在、定义与版本要求。"""
    from .lint import lint_target
    name, problems = lint_target(target)
    report_problems(problems)
    if problems.errors:
        raise SystemExit(1)
    n = len(problems.warnings)
    click.echo(f"模板包 {name} 检查通过" + (f"（{n} 个警告）" if n else "") + "。")


@pack.command("export")
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="导出的 .zip 文件")
def export_cmd(name: str, output: Path):
    """把模板包（名称或文件夹）导出为 .zip，供其他学校安装。"""
    from .store import export_pack
    if output.suffix.lower() != ".zip":
        raise click.BadParameter("输出文件名应以 .zip 结尾", param_hint="-o/--output")
    out, n, notes = export_pack(name, output, Path.cwd())
    click.echo(f"已导出模板包 {name}：{out}（{n} 个文件）")
    for note in notes:
        click.echo(f"注意：{note}")


@pack.command("install")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="替换已安装的同名模板包")
def install_cmd(source: Path, force: bool):
    """安装模板包（.zip 或文件夹）到用户模板包目录；压缩包先经安全检查。"""
    from .store import install_pack
    done = install_pack(source, force)
    report_problems(done.warnings)
    verb = "已替换" if done.replaced else "已安装"
    click.echo(f"{verb}模板包 {done.name}（版本 {done.version}）：{done.path}")
    click.echo(f"在项目的 report.yaml 中写 pack: {done.name} 即可使用")


@pack.command("remove")
@click.argument("name")
def remove_cmd(name: str):
    """删除已安装的（用户）模板包。"""
    from .store import uninstall_pack
    click.echo(f"已删除模板包：{uninstall_pack(name)}")
