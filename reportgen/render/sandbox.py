"""A sandbox with bounded work: templates from another school cannot eat memory or hang a build.

ImmutableSandboxedEnvironment already refuses `_` attributes and mutating methods and caps
`range()`. A hostile or careless template can still explode output with nested loops, build
huge strings with `*`, `~` or `"%999999999d"`, or recurse without end. This subclass bounds
each top-level render:

- every `{% for %}` iterates through `guard_iter` (inserted into the parsed template, not a
  name a template could shadow); all loops of one render share MAX_ITERATIONS;
- every piece of output, yielded or buffered (`{% set %}` blocks, macros, filters), is counted
  against MAX_OUTPUT_CHARS, so a template fails long before its output fills memory;
- `*`, `**`, `%`, `+` and `~` check the size of what they would build before building it;
  string methods and filters that pad to a width refuse absurd widths;
- runaway recursion becomes a located error instead of a traceback.

The limits are far above what a report needs (a long chapter is ~100,000 characters).
"""
from __future__ import annotations

import functools
import re
from numbers import Number

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.environment import Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import SandboxLimit

MAX_ITERATIONS = 200_000          # loop iterations per render, all loops together
MAX_OUTPUT_CHARS = 2_000_000      # characters output per render, all pieces counted
MAX_VALUE_CHARS = 1_000_000       # the longest string or list one expression may build
MAX_WIDTH = 10_000                # widths for padding, wrapping, slicing
MAX_EXPONENT = 4_096

_WIDTH_FILTERS = {"center", "indent", "wordwrap", "truncate", "slice", "batch", "filesizeformat"}
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*\d{5,}")     # {:>99999}
_FORMAT_NESTED = re.compile(r"\{[^{}]*:[^{}]*\{")          # {:>{width}}


def _sized(value) -> int:
    try:
        return len(value) if isinstance(value, (str, list, tuple)) else 0
    except TypeError:
        return 0


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with every output expression and `~` routed through the budget."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        self.write("environment.spend_output(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedTemplate(Template):
    def render(self, *args, **kwargs) -> str:
        env = self.environment
        outermost = env.render_depth == 0
        if outermost:
            env.iterations = env.output_chars = 0
        env.render_depth += 1
        try:
            try:
                return super().render(*args, **kwargs)
            except RecursionError as e:
                raise SandboxLimit("模板递归调用层数过多（宏或 include 可能无限调用自身）").with_traceback(
                    e.__traceback__) from None
        finally:
            env.render_depth -= 1


class BoundedSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.render_depth = 0
        self.iterations = 0
        self.output_chars = 0
        self.globals.pop("lipsum", None)       # generates text on demand: nothing a report needs
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    # ------------------------------------------------------------ parse: guard every loop
    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("guard_iter", lineno=loop.lineno), [loop.iter],
                                   [], None, None, lineno=loop.lineno)
        return tree

    def guard_iter(self, iterable):
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise SandboxLimit(f"模板中的循环次数超过上限（{MAX_ITERATIONS:,} 次）：可能是嵌套循环过多，"
                                   "请检查 {% for %} 是否套在另一个循环里")
            yield item

    # ------------------------------------------------------------ output and values
    def spend_output(self, text: str) -> str:
        self.output_chars += len(text)
        if self.output_chars > MAX_OUTPUT_CHARS:
            raise SandboxLimit(f"模板输出超过上限（{MAX_OUTPUT_CHARS:,} 字符）：可能是循环重复输出了大量内容")
        return text

    def checked_concat(self, parts) -> str:
        texts = [str(p) for p in parts]
        _check_size(sum(map(len, texts)))
        return "".join(texts)

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if _sized(seq) and isinstance(n, int):
                    _check_size(_sized(seq) * n)
        elif operator == "**":
            if isinstance(right, Number) and isinstance(left, Number) and abs(right) > MAX_EXPONENT and \
                    abs(left) not in (0, 1):
                raise SandboxLimit(f"乘方的指数过大（{right}），超过上限 {MAX_EXPONENT}")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        elif operator == "+" and _sized(left) and _sized(right):
            _check_size(_sized(left) + _sized(right))
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        fmt = getattr(value, "__self__", None)
        if isinstance(fmt, str) and getattr(value, "__name__", "") in ("format", "format_map") and \
                (_FORMAT_WIDTH.search(fmt) or _FORMAT_NESTED.search(fmt)):
            raise SandboxLimit("格式字符串中的宽度或精度过大")
        return super().wrap_str_format(value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if isinstance(getattr(__obj, "__self__", None), str) and getattr(__obj, "__name__", "") in _WIDTH_METHODS:
            _check_widths(args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(_sized(result))
        return result


def _bounded_filter(name, f):
    skip = 2 if hasattr(f, "jinja_pass_arg") else 1       # environment/context, then the value

    @functools.wraps(f)
    def bounded(*args, **kwargs):
        if name in _WIDTH_FILTERS:
            _check_widths(args[skip:], kwargs)
        elif name == "format" and len(args) >= skip:
            _check_printf(args[skip - 1])
        result = f(*args, **kwargs)
        _check_size(_sized(result))
        return result
    return bounded


def _check_size(n: int) -> None:
    if n > MAX_VALUE_CHARS:
        raise SandboxLimit(f"模板中的表达式生成的文本或列表过长（{n:,}，上限 {MAX_VALUE_CHARS:,}）")


def _check_widths(args, kwargs) -> None:
    for v in list(args) + list(kwargs.values()):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_WIDTH:
            raise SandboxLimit(f"模板中的宽度或长度参数过大（{v}，上限 {MAX_WIDTH}）")


def _check_printf(fmt) -> None:
    if not isinstance(fmt, str):
        return
    for m in _PRINTF_WIDTH.finditer(fmt):
        for part in m.groups():
            if part == "*" or (part and int(part) > MAX_WIDTH):
                raise SandboxLimit("格式字符串中的宽度或精度过大")
