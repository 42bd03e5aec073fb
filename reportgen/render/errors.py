"""Turn any failure inside a template into a located, Chinese TemplateProblem.

Jinja rewrites tracebacks so frames of compiled templates carry the template's filename and
line (jinja.debug.rewrite_traceback_stack); we pick the innermost such frame.
"""
from __future__ import annotations

import re
import traceback

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateRuntimeError

from ..errors import Location, ReportgenError, TemplateProblem


def locate(exc: BaseException, display: dict[str, str]) -> TemplateProblem:
    if isinstance(exc, ReportgenError) and exc.location is not None:
        return TemplateProblem(exc.message, exc.location)      # already says where (a file too large …)
    if isinstance(exc, TemplateSyntaxError):
        # Jinja's lexer passes the file name as `name` for some errors (a raw block left open)
        name = display.get(exc.filename or "") or display.get(exc.name or "") or exc.name or exc.filename or "模板"
        return TemplateProblem(f"模板语法错误：{syntax_message(exc.message or '')}", Location(name, exc.lineno))
    loc = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in display:
            loc = Location(display[frame.filename], frame.lineno)
    return TemplateProblem(_message(exc), loc)


def _message(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return "模板试图访问受保护的内部属性或方法，出于安全原因已禁止（模板只能使用报告数据）"
    if isinstance(exc, UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(exc))
        if m:
            return f"未定义的变量“{m.group(1)}”（请检查拼写，或该数据是否存在）"
        m = re.search(r"has no attribute '([^']+)'", str(exc))
        if m:
            return f"没有名为“{m.group(1)}”的数据项（请检查拼写）"
        return f"引用了不存在的数据：{exc}"
    if isinstance(exc, TemplateNotFound):
        return f"找不到模板文件“{exc.name}”"
    m = re.search(r"No (filter|test) named '([^']+)'", str(exc))
    if isinstance(exc, TemplateRuntimeError) and m:
        return unknown_name_message(m.group(1), m.group(2))
    if isinstance(exc, ReportgenError):
        return exc.message
    if isinstance(exc, (TypeError, ValueError, ZeroDivisionError, KeyError, IndexError, OverflowError)):
        return f"模板中的表达式无法计算（{type(exc).__name__}: {exc}）"
    raise exc   # anything else is our bug: let it show as a traceback


def unknown_name_message(kind: str, name: str) -> str:
    """An unknown filter or test, written after | or is, or named in map(…), select(…), reject(…)."""
    what = "过滤器（| 之后或 map(…) 中的名称）" if kind == "filter" else "判断（is 之后或 select(…)、reject(…) 中的名称）"
    return f"没有名为“{name}”的{what}，请检查拼写"


def syntax_message(message: str) -> str:
    if "Missing end of raw directive" in message:
        return "{% raw %} 没有对应的 {% endraw %}"
    m = re.search(r"No (filter|test) named '([^']+)'", message)
    if m:
        return unknown_name_message(m.group(1), m.group(2))
    known = {
        "unexpected end of template": "模板意外结束（可能缺少 {% endfor %} 或 {% endif %}）",
        "unexpected '}'": "多了一个“}”",
        "expected token": "表达式不完整",
        "unexpected char": "含有无法识别的字符（变量和函数调用中的括号、引号请用英文半角）",
    }
    for key, text in known.items():
        if key in message:
            return f"{text}（{message}）"
    return message


def render_file(env, name: str, ctx: dict, problems) -> str | None:
    """Render one template file; a failure becomes a located problem and None."""
    try:
        return env.get_template(name).render(ctx)
    except Exception as e:  # noqa: BLE001 - locate() re-raises anything that is not the template's fault
        p = locate(e, env.loader.display)
        problems.error(p.message, p.location)
        return None


def render_text(env, source: str, ctx: dict, problems, what: str, where: Location) -> str:
    """Render a short template string from a settings file (a title, a cover line); "" on failure."""
    try:
        return env.from_string(source).render(ctx)
    except Exception as e:  # noqa: BLE001
        p = locate(e, {})
        problems.error(f"{what}：{p.message}", where)
        return ""
