"""What the commands print, in Chinese: problems, and click's own texts (usage, help, option errors).

Shared by cli.py and the command modules below it (packs/commands.py)."""
from __future__ import annotations

import click

from .errors import Problems


def report_problems(problems: Problems) -> None:
    for p in problems.errors + problems.warnings:
        click.echo(str(p), err=True)
    if problems.errors:
        click.secho(f"共 {len(problems.errors)} 个错误、{len(problems.warnings)} 个警告。", err=True, fg="red")


# ---------------------------------------------------------------- click's own texts, in Chinese
# click looks up every text it prints (usage, help, option errors) through gettext's `_` and
# `ngettext`, bound in each of its modules; these are its message ids and our translations.
CLICK_TEXTS = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Aborted!": "已取消。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "unknown error": "未知错误",
    "Option {name!r} does not take a value.": "选项“{name}”不带取值。",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个取值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否取值（可用：{states}）。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个文件夹。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”不可读。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”不可写。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不可执行。",
    "file": "文件", "directory": "文件夹", "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Do you want to continue?": "是否继续？",
}
CLICK_PLURALS = {      # ngettext's singular message id: (one, more than one)
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）",) * 2,
    "Did you mean {possibility}?": ("是否应为 {possibility}？", "（是否应为以下之一：{possibilities}？）"),
    "Option {name!r} requires an argument.": ("选项“{name}”需要一个取值。", "选项“{name}”需要 {nargs} 个取值。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个取值，只给了 1 个。", "需要 {nargs} 个取值，给了 {len} 个。"),
    "{value!r} is not {choice}.": ("“{value}”不是可选的取值（{choice}）。", "“{value}”不是可选的取值（可选：{choices}）。"),
}


def _text(message: str) -> str:
    return CLICK_TEXTS.get(message, message)


def _plural(singular: str, plural: str, n: int) -> str:
    if singular in CLICK_PLURALS:
        return CLICK_PLURALS[singular][n != 1]
    return singular if n == 1 else plural


def use_chinese_click_texts() -> None:
    """Give click's modules our texts in place of gettext's (which would read system catalogs).

    Must run before the commands are declared: click.version_option looks its help text up then."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        module._ = _text
        if hasattr(module, "ngettext"):
            module.ngettext = _plural


# What an argument is called in usage lines and messages, by its parameter name.
ARGUMENT_NAMES = {"directory": "项目文件夹", "directories": "项目文件夹", "files": "文件或文件夹",
                  "target": "目标", "source": "来源", "name": "名称"}


class Command(click.Command):
    """A command whose usage line says [选项] rather than [OPTIONS], and names its arguments in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Argument) and param.metavar is None and param.name in ARGUMENT_NAMES:
                param.metavar = ARGUMENT_NAMES[param.name] + ("..." if param.nargs == -1 else "")
            elif isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
                param.metavar = _value_name(param.type)


def _value_name(kind: click.ParamType) -> str:
    """What an option's value is, for the help text ("--dpi 整数" rather than click's "INTEGER RANGE")."""
    if isinstance(kind, (click.IntRange, click.types.IntParamType)):
        return "整数"
    if isinstance(kind, (click.FloatRange, click.types.FloatParamType)):
        return "数值"
    if isinstance(kind, click.Path):
        return "文件夹" if not kind.file_okay else "文件" if not kind.dir_okay else "路径"
    if isinstance(kind, click.File):
        return "文件"
    return "文字"


class Group(click.Group):
    """A command group whose subcommands (and their usage lines) are in Chinese as well."""
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


Group.group_class = Group
