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
  so do `join`, `indent` and `replace` (filters and string methods), from their arguments;
  string methods and filters that pad to a width refuse absurd widths;
- integers stay below MAX_INT_BITS: a product or power is refused before it is computed, so
  repeated squaring cannot make a number of a billion digits;
- `loop(...)` in a recursive `{% for %}` goes through the same iteration count as the loop itself;
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
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Location, SandboxLimit

MAX_ITERATIONS = 200_000          # loop iterations per render, all loops together
MAX_OUTPUT_CHARS = 2_000_000      # characters output per render, all pieces counted
MAX_VALUE_CHARS = 1_000_000       # the longest string or list one expression may build
MAX_WIDTH = 10_000                # widths for padding, wrapping, slicing
MAX_EXPONENT = 4_096
MAX_INT_BITS = 4_096              # about 1,200 digits: far beyond any amount a report states

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
    intercepted_binops = frozenset({"*", "**", "%", "+", "-", "//"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.render_depth = 0
        self.iterations = 0
        self.output_chars = 0
        self.globals.pop("lipsum", None)       # generates text on demand: nothing a report needs
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    # ------------------------------------------------------------ parse: guard every loop
    def _parse(self, source, name, filename):
        try:
            tree = super()._parse(source, name, filename)
        except RecursionError:
            shown = getattr(self.loader, "display", {}).get(filename or "", name or "模板")
            raise SandboxLimit("模板中的表达式或标签嵌套层数过多（括号或 {% if %} 等套得太深），无法读取",
                               Location(shown)) from None
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
            if _is_int(left) and _is_int(right):
                _check_bits(_bits(left) + _bits(right))
        elif operator == "**":
            if isinstance(right, Number) and isinstance(left, Number) and abs(right) > MAX_EXPONENT and \
                    abs(left) not in (0, 1):
                raise SandboxLimit(f"乘方的指数过大（{right}），超过上限 {MAX_EXPONENT}")
            if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
                _check_bits(_bits(left) * right)
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        elif operator == "+" and _sized(left) and _sized(right):
            _check_size(_sized(left) + _sized(right))
        result = super().call_binop(context, operator, left, right)
        if _is_int(result):
            _check_bits(_bits(result))
        return result

    def wrap_str_format(self, value):
        fmt = getattr(value, "__self__", None)
        if isinstance(fmt, str) and getattr(value, "__name__", "") in ("format", "format_map") and \
                (_FORMAT_WIDTH.search(fmt) or _FORMAT_NESTED.search(fmt)):
            raise SandboxLimit("格式字符串中的宽度或精度过大")
        return super().wrap_str_format(value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if isinstance(__obj, LoopContext) and args:
            # loop(children) in a recursive for: the children are iterations of the same loop
            args = (__self.guard_iter(args[0]),) + args[1:]
        owner, method = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if method in _WIDTH_METHODS:
                _check_widths(args, kwargs)
            elif method == "replace" and len(args) >= 2:
                _check_size(_replaced_size(owner, args[0], args[1]))
            elif method == "join" and args:
                items = [str(x) for x in __self.guard_iter(args[0])]
                _check_size(_joined_size(items, owner))
                args = (items,) + args[1:]
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
        precheck = _PRECHECKS.get(name)
        if precheck is not None and len(args) >= skip:
            args = args[:skip - 1] + (precheck(args[skip - 1], *args[skip:], **kwargs),) + args[skip:]
        result = f(*args, **kwargs)
        _check_size(_sized(result))
        return result
    return bounded


def _join_first(value, d="", attribute=None):
    """The items `join` would join, as strings, after checking the size of the result."""
    if isinstance(value, str) or attribute is not None:
        return value
    items = list(value)
    _check_size(_joined_size([str(x) for x in items], str(d)))
    return items


def _indent_first(s, width=4, first=False, blank=False):
    text = str(s)
    w = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _check_size(len(text) + (text.count("\n") + 1) * max(w, 0))
    return s


def _replace_first(s, old, new, count=None):
    if isinstance(s, str):
        _check_size(_replaced_size(s, old, new, count))
    return s


_PRECHECKS = {"join": _join_first, "indent": _indent_first, "replace": _replace_first}


def _joined_size(items: list[str], sep: str) -> int:
    return sum(map(len, items)) + len(sep) * max(len(items) - 1, 0)


def _replaced_size(s: str, old, new, count=None) -> int:
    old, new = str(old), str(new)
    n = len(s) + 1 if not old else s.count(old)
    if isinstance(count, int) and 0 <= count < n:
        n = count
    return len(s) + n * (len(new) - len(old))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _bits(n: int) -> int:
    return abs(n).bit_length()


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxLimit(f"模板或公式中的数值过大（约 {int(bits * 0.30103):,} 位数字，上限约 "
                           f"{int(MAX_INT_BITS * 0.30103):,} 位）：请检查乘法或乘方")


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
