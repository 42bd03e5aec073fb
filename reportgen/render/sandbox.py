"""A sandbox with bounded work: templates from another school cannot eat memory or hang a build.

ImmutableSandboxedEnvironment already refuses `_` attributes and mutating methods and caps
`range()`. A hostile or careless template can still explode output with nested loops, build
huge strings with `*`, `~` or `"%999999999d"`, or recurse without end. This subclass bounds
each top-level render:

- every `{% for %}` iterates through `guard_iter` (inserted into the parsed template, not a
  name a template could shadow); all loops of one render share MAX_ITERATIONS, and so does the
  work inside filters (`map`, `select`, `sum`, `join`, `sort` … count every item they go through,
  `map("sum")` the items of each inner list too), every list that `*` or `+` builds and every
  `x in a_list` (a comparison with each item);
- before compiling, tags may nest MAX_NESTING deep, one expression MAX_EXPRESSION_DEPTH deep and a
  template have MAX_TEMPLATE_NODES parts (Python's compiler stops at 20 nested loops or 100
  indentation levels, with a traceback, and runs out of memory on a few hundred thousand parts);
  whatever Python's compiler still refuses becomes a syntax error at the template's line;
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

import contextlib
import functools
import re
from collections.abc import Iterable, Mapping, Sized
from numbers import Number

from jinja2 import TemplateSyntaxError, Undefined, nodes
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
MAX_NESTING = 12                  # tags inside tags ({% for %} in {% if %} …); Python stops at 20 loops
MAX_EXPRESSION_DEPTH = 60         # operators, brackets and filters inside one another in one {{ … }}
MAX_TEMPLATE_NODES = 50_000       # parts of one template (a dense 200 KB chapter has ~10,000): Python's
                                  # compiler needs about 0.5 GB for 100,000

_WIDTH_FILTERS = {"center", "indent", "wordwrap", "truncate", "slice", "batch", "filesizeformat"}
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
# filters that go through their value item by item: each item counts as one iteration
_ITERATING_FILTERS = {"map", "select", "reject", "selectattr", "rejectattr", "sum", "join", "list", "sort",
                      "unique", "batch", "slice", "groupby", "min", "max", "first", "reverse", "dictsort", "items"}
_PRINTING_FILTERS = {"tojson", "pprint", "string"}     # go through everything inside the value
_BLOCK_TAGS = (nodes.For, nodes.If, nodes.With, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.Block,
               nodes.ScopedEvalContextModifier)
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
        self.write("environment.printable(")

    def _output_child_post(self, node, frame, finalize) -> None:
        self.write(")")
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Operand(self, node: nodes.Operand, frame) -> None:
        if node.op not in ("in", "notin"):
            return super().visit_Operand(node, frame)
        self.write(f" {'in' if node.op == 'in' else 'not in'} environment.searched(")     # x in a list: a loop
        self.visit(node.expr, frame)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedTemplate(Template):
    def render(self, *args, **kwargs) -> str:
        with self.environment.budget():
            try:
                return super().render(*args, **kwargs)
            except RecursionError as e:
                raise SandboxLimit("模板递归调用层数过多（宏或 include 可能无限调用自身）").with_traceback(
                    e.__traceback__) from None


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
        self.filters = {name: _bounded_filter(self, name, f) for name, f in self.filters.items()}
        self.tests["in"] = _counted_in(self, self.tests["in"])

    @contextlib.contextmanager
    def budget(self):
        """One top-level render or formula evaluation: the counters start from zero (nested renders,
        includes and macros share the outer one's)."""
        if self.render_depth == 0:
            self.iterations = self.output_chars = 0
        self.render_depth += 1
        try:
            yield
        finally:
            self.render_depth -= 1

    def compile_expression(self, source: str, undefined_to_none: bool = True):
        expression = super().compile_expression(source, undefined_to_none)

        def evaluate(*args, **kwargs):
            with self.budget():
                return expression(*args, **kwargs)
        return evaluate

    # ------------------------------------------------------------ parse: guard every loop
    def _parse(self, source, name, filename):
        try:
            tree = super()._parse(source, name, filename)
        except RecursionError:
            shown = getattr(self.loader, "display", {}).get(filename or "", name or "模板")
            raise SandboxLimit("模板中的表达式或标签嵌套层数过多（括号或 {% if %} 等套得太深），无法读取",
                               Location(shown)) from None
        _check_nesting(tree, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("guard_iter", lineno=loop.lineno), [loop.iter],
                                   [], None, None, lineno=loop.lineno)
        return tree

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        """Python's own compiler has limits the nesting check may not foresee (nested brackets in the
        generated code, its stack): they become a syntax error at the template's line, not a traceback."""
        try:
            return super().compile(source, name, filename, raw, defer_init)
        except SyntaxError as e:             # IndentationError too
            tree = self._parse(source, name, filename) if isinstance(source, str) else source
            line = _template_line(self._generate(tree, name, filename), e.lineno or 0)
            raise TemplateSyntaxError("这里的表达式或标签过于复杂，无法编译：请把它拆成几步（{% set %}）或减少嵌套",
                                      line or 1, name, filename) from None
        except (RecursionError, MemoryError):
            raise TemplateSyntaxError("模板过长或过于复杂，无法编译：请把它拆成几个文件（{% include %}）",
                                      1, name, filename) from None

    def guard_iter(self, iterable):
        for item in iterable:
            self.spend_iterations(1)
            yield item

    def spend_iterations(self, n: int) -> None:
        """Loops, filters going through items and lists being built all count against one budget."""
        self.iterations += n
        if self.iterations > MAX_ITERATIONS:
            raise SandboxLimit(f"模板中的循环次数超过上限（{MAX_ITERATIONS:,} 次，{{% for %}} 循环与 map、select、sum "
                               "等过滤器逐项处理的次数合计）：可能是嵌套循环过多，或对很长的列表反复计算，"
                               "请检查 {% for %} 是否套在另一个循环里")

    # ------------------------------------------------------------ output and values
    def spend_output(self, text: str) -> str:
        self.output_chars += len(text)
        if self.output_chars > MAX_OUTPUT_CHARS:
            raise SandboxLimit(f"模板输出超过上限（{MAX_OUTPUT_CHARS:,} 字符）：可能是循环重复输出了大量内容")
        return text

    def searched(self, container):
        """`x in a_list` compares x with every item: as many iterations as the list is long."""
        if isinstance(container, (list, tuple)):
            self.spend_iterations(len(container))
        return container

    def printable(self, value):
        """A list or mapping about to become text: what str() would go through is counted first."""
        if isinstance(value, (list, tuple, set, frozenset, Mapping)):
            self.spend_iterations(_check_size(_deep_size(value)))
        return value

    def checked_concat(self, parts) -> str:
        texts = [str(self.printable(p)) for p in parts]
        _check_size(sum(map(len, texts)))
        return "".join(texts)

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if _sized(seq) and isinstance(n, int):
                    _check_size(_sized(seq) * n)
                    if not isinstance(seq, str):     # [x] * n: n items built, each as big as x when printed
                        inside = _deep_size(seq)
                        _check_size(inside * n)
                        self.spend_iterations(inside + _sized(seq) * max(n, 0))
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
            if not isinstance(left, str):
                self.spend_iterations(_sized(left) + _sized(right))
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


def _bounded_filter(env, name, f):
    skip = 2 if hasattr(f, "jinja_pass_arg") else 1       # environment/context, then the value

    @functools.wraps(f)
    def bounded(*args, **kwargs):
        if name in _WIDTH_FILTERS:
            _check_widths(args[skip:], kwargs)
        elif name == "format" and len(args) >= skip:
            _check_printf(args[skip - 1])
        if name in _ITERATING_FILTERS and len(args) >= skip:
            args = args[:skip - 1] + (_counted(env, args[skip - 1]),) + args[skip:]
        elif name in _PRINTING_FILTERS and len(args) >= skip:
            env.spend_iterations(_check_size(_deep_size(args[skip - 1])))
        precheck = _PRECHECKS.get(name)
        if precheck is not None and len(args) >= skip:
            args = args[:skip - 1] + (precheck(args[skip - 1], *args[skip:], **kwargs),) + args[skip:]
        result = f(*args, **kwargs)
        _check_size(_sized(result))
        return result
    return bounded


def _counted(env, value):
    """The value a filter goes through, each item counted as it is reached (map stays lazy); a text or
    a mapping counts its length at once (filters keep their own type for those)."""
    if isinstance(value, Undefined):
        return value                         # the filter reports it as it always has
    if isinstance(value, (str, Mapping)):
        env.spend_iterations(len(value))
        return value
    if isinstance(value, Iterable):
        return env.guard_iter(value)
    return value


def _counted_in(env, f):
    """`x is in seq` (and select("in", seq)) goes through the whole sequence for each value."""
    @functools.wraps(f)
    def counted(value, seq):
        if isinstance(seq, Sized):
            env.spend_iterations(len(seq))
        return f(value, seq)
    return counted


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


def _check_size(n: int) -> int:
    if n > MAX_VALUE_CHARS:
        raise SandboxLimit(f"模板中的表达式生成的文本或列表过长（{n:,}，上限 {MAX_VALUE_CHARS:,}）")
    return n


def _deep_size(value, cap: int = MAX_VALUE_CHARS) -> int:
    """Items and characters inside `value`, lists in lists counted through (a number counts as the item
    it is): what printing or flattening the value would go through. Stops past `cap`, so it costs at
    most about `cap` steps itself."""
    total, stack = 0, [value]
    while stack and total <= cap:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, range):
            total += len(v)
        elif isinstance(v, Mapping):
            total += len(v)
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset)):
            total += len(v)
            stack.extend(v)
    return total


def _check_nesting(tree: nodes.Template, name, filename) -> None:
    """Tags nest at most MAX_NESTING deep, one expression at most MAX_EXPRESSION_DEPTH and a template has
    at most MAX_TEMPLATE_NODES parts, checked on the parsed template before Python compiles it
    (iteratively: the check itself cannot overflow the stack)."""
    stack, seen = [(tree, 0, 0)], 0
    while stack:
        node, tags, depth = stack.pop()
        seen += 1
        if seen > MAX_TEMPLATE_NODES:
            raise TemplateSyntaxError(f"模板过长：含有超过 {MAX_TEMPLATE_NODES:,} 个表达式和标签的组成部分，无法编译；"
                                      "请把它拆成几个文件（{% include %}）", node.lineno, name, filename)
        if tags > MAX_NESTING:
            raise TemplateSyntaxError(f"标签嵌套过深：{{% for %}}、{{% if %}} 等在这里套了 {tags} 层，上限 {MAX_NESTING} 层；"
                                      "请减少嵌套（例如把内层拆成单独的模板文件）", node.lineno, name, filename)
        if depth > MAX_EXPRESSION_DEPTH:
            raise TemplateSyntaxError(f"表达式嵌套过深：括号、运算或过滤器在这里套了超过 {MAX_EXPRESSION_DEPTH} 层"
                                      "（上限）；请把表达式拆成几步（{% set %}）",
                                      node.lineno, name, filename)
        for field, value in node.iter_fields():
            for child in value if isinstance(value, list) else [value]:
                if not isinstance(child, nodes.Node):
                    continue
                elif_ = isinstance(node, nodes.If) and field == "elif_"       # elif stays at its if's level
                if isinstance(child, _BLOCK_TAGS) and not elif_:
                    stack.append((child, tags + 1, 0))
                elif isinstance(child, nodes.Expr):
                    stack.append((child, tags, depth + 1))
                else:
                    stack.append((child, tags, 0 if isinstance(child, nodes.Stmt) else depth))


def _template_line(code: str, code_line: int) -> int | None:
    """The template line of a line of generated Python (from the `debug_info` Jinja writes at its end)."""
    m = re.search(r"^debug_info = '([\d=&]*)'$", code, flags=re.M)
    best = None
    for pair in (m.group(1).split("&") if m and m.group(1) else []):
        template_line, generated = map(int, pair.split("="))
        if generated <= code_line:
            best = template_line
    return best


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
