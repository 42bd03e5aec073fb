"""Problems, locations and the error types the CLI turns into messages and exit codes.

Every error class lives here, each with its exit code, and exit codes live here and only here: 0 clean,
1 problems in the user's data, templates or packs, 2 usage. `cli.main` catches ReportgenError once for
every command. This module is a leaf: it imports nothing from reportgen and must not import click.
"""
from __future__ import annotations

import difflib
import errno
from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Location:
    """Where a value or a problem comes from: a file, then a line or a sheet › cell or a key path."""
    file: str
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None      # key path inside the file, e.g. "certificates › 第 3 行 › 批准总培训人数"

    def __str__(self) -> str:
        if self.sheet is not None:
            parts = [self.file, self.sheet] + ([self.cell] if self.cell else [])
            return " › ".join(parts)
        text = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            text += f"（{self.path}）"
        return text


@dataclass(frozen=True)
class Problem:
    message: str
    location: Location | None = None
    severity: str = "error"      # error | warning

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        kind = "错误" if self.is_error else "警告"
        where = f"{self.location}：" if self.location else ""
        return f"[{kind}] {where}{self.message}"


@dataclass
class Problems:
    """All problems of a run, collected rather than raised one by one."""
    items: list[Problem] = field(default_factory=list)

    def error(self, message: str, location: Location | None = None) -> None:
        self.items.append(Problem(message, location, "error"))

    def warning(self, message: str, location: Location | None = None) -> None:
        self.items.append(Problem(message, location, "warning"))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CheckFailed(self)


class ReportgenError(Exception):
    """An expected failure caused by the user's input; never shown as a traceback."""
    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.location = location

    def problems(self) -> Problems:
        return Problems([Problem(self.message, self.location)])


class UsageError(ReportgenError):
    """The command was called wrongly (an option that does not fit, a name that is not there)."""
    exit_code = EXIT_USAGE


class CheckFailed(ReportgenError):
    """Validation found errors; carries every problem of the run."""
    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: Problems):
        super().__init__(f"发现 {len(problems.errors)} 个错误")
        self.all = problems

    def problems(self) -> Problems:
        return self.all


# One class per kind of input that can be wrong; the stage that raises it is named in brackets.
class YamlError(ReportgenError):
    """A YAML file that cannot be read or parsed (load)."""
    exit_code = EXIT_PROBLEMS


class PackError(ReportgenError):
    """A template pack that cannot be found, read or inherited (packs)."""
    exit_code = EXIT_PROBLEMS


class PackArchiveError(ReportgenError):
    """A pack archive (.zip) that is unsafe or broken (packs)."""
    exit_code = EXIT_PROBLEMS


class WorkbookError(ReportgenError):
    """The workbook cannot be read at all (workbook)."""
    exit_code = EXIT_PROBLEMS


class UnitError(ReportgenError):
    """Units that cannot be converted into one another, or a unit the table does not know (compute)."""
    exit_code = EXIT_PROBLEMS


class FormulaError(ReportgenError):
    """An indicator or check formula that cannot be compiled or evaluated (compute)."""
    exit_code = EXIT_PROBLEMS


class DataRefError(ReportgenError):
    """A template or formula names a table or column that does not exist (compute)."""
    exit_code = EXIT_PROBLEMS


class TemplateProblem(ReportgenError):
    """A failure inside a template, located at its file and line (render)."""
    exit_code = EXIT_PROBLEMS


class SandboxLimit(ReportgenError):
    """A template exceeded a sandbox bound; the message says which and how to fix it (render)."""
    exit_code = EXIT_PROBLEMS


class WriteError(ReportgenError):
    """An output file that cannot be written (write, fileio)."""
    exit_code = EXIT_PROBLEMS


class ExportError(ReportgenError):
    """PDF or preview could not be made: a missing tool, a failed or timed-out conversion (export)."""
    exit_code = EXIT_PROBLEMS


class WordFileError(ReportgenError):
    """A Word file that cannot be read at all: old .doc/.wps, encrypted, corrupt, a zip bomb, XML entities
    (load/word)."""
    exit_code = EXIT_PROBLEMS


_OS_REASONS = {errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
               errno.ENOSPC: "磁盘空间不足", errno.EROFS: "所在磁盘是只读的", errno.EISDIR: "这是一个文件夹",
               errno.ENOTDIR: "路径中有一段不是文件夹", errno.EBUSY: "文件正被其他程序占用",
               errno.ELOOP: "符号链接形成了循环（链接指向自身）", errno.ENAMETOOLONG: "文件名过长",
               errno.EEXIST: "已有同名的文件或文件夹"}


def did_you_mean(word, choices, otherwise: str = "", *, template: str = "，是否应为“{}”？", cutoff: float = 0.6) -> str:
    """The hint after a name that is not there: the closest of `choices` in `template`, else `otherwise`."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return template.format(close[0]) if close else otherwise


def os_reason(e: OSError) -> str:
    """An operating-system failure in words an office user reads (the English strerror otherwise)."""
    return _OS_REASONS.get(e.errno, e.strerror or str(e))
