"""What the commands print about problems: shared by cli.py and the command modules below it."""
from __future__ import annotations

import click

from .errors import Problems


def report_problems(problems: Problems) -> None:
    for p in problems.errors + problems.warnings:
        click.echo(str(p), err=True)
    if problems.errors:
        click.secho(f"共 {len(problems.errors)} 个错误、{len(problems.warnings)} 个警告。", err=True, fg="red")
