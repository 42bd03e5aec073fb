"""The hostile corpus (tests/hostile_corpus.py): every case run as `python -m reportgen …` in its own
process under resource limits, so a regression fails instead of taking the machine down.

Every case must end with exit 0, 1 or 2 within the limits; print no traceback; when it fails, say
what is wrong in Chinese with a location; write nothing outside its output folder; change no input.

The classes (Case.cls): reading outside the project (extends, include, symlinks, image paths);
overwriting inputs or kept drafts (--changes, -o, report.yaml output, batch and aggregate names);
concurrent builds and installs; templates that exhaust resources (loops, recursive loops, joins,
indent, replace, integer growth, recursion, nesting, size, pack formulas); template errors; sandbox
escapes; YAML that exhausts resources (aliases, merge keys, nesting) or is odd (duplicates, tags,
encodings); abnormal numbers (.inf, .nan, hundreds of digits); control and invisible characters;
files that are not what they seem (pipes, folders, symlink loops, pixel and decompression bombs);
oversized files; hostile workbooks (merged ranges, zip entries, bombs, entities, rows, a Word file);
formula injection into the exported workbook; hostile pack archives; odd names and paths.
"""
from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile_corpus import CASES, Case, Ctx, make_base

MEMORY_BYTES = 1 << 30          # address space of one run
CPU_SECONDS = 30
WALL_SECONDS = 60               # CPU time is the limit that counts; this catches a blocked read
PARALLEL = 3
CJK = re.compile(r"[\u4e00-\u9fff]")
LOCATED = re.compile(r"(\[错误\] \S.*：|用法错误：|错误：)")


@dataclass
class Outcome:
    codes: list[int | None]
    output: str
    before: dict
    after: dict
    seconds: float
    dir: Path


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _env(ctx: Ctx) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN")}
    env.update(REPORTGEN_PACKS=str(ctx.packs), HOME=str(ctx.dir / "home"), XDG_DATA_HOME=str(ctx.dir / "home"),
               PYTHONIOENCODING="utf-8", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MPLCONFIGDIR=str(ctx.dir / "home" / "mpl"))
    return env


def _start(argv: list[str], ctx: Ctx) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reportgen", *argv], cwd=ctx.dir, env=_env(ctx),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            preexec_fn=_limits, start_new_session=True)


def _finish(proc: subprocess.Popen) -> tuple[int | None, str]:
    try:
        out, _ = proc.communicate(timeout=WALL_SECONDS)
        return proc.returncode, out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out.decode("utf-8", "replace") + f"\n[timed out after {WALL_SECONDS} s]"


def snapshot(folder: Path, skip: list[Path]) -> dict[str, str]:
    """Every entry below `folder` except the output folders: file hashes, link targets, kinds."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        d = Path(dirpath)
        dirnames[:] = [n for n in dirnames if d / n not in skip]
        for name in dirnames + filenames:
            p = d / name
            if p in skip:
                continue
            st = p.lstat()
            rel = p.relative_to(folder).as_posix()
            if stat.S_ISLNK(st.st_mode):
                seen[rel] = "link:" + os.readlink(p)
            elif stat.S_ISDIR(st.st_mode):
                seen[rel] = "dir"
            elif stat.S_ISREG(st.st_mode):
                seen[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                seen[rel] = f"special:{stat.S_IFMT(st.st_mode)}"
    return seen


def run_case(c: Case, base: Path, work: Path) -> Outcome:
    import time
    ctx = Ctx(work / c.name)
    shutil.copytree(base, ctx.project, symlinks=True)
    (ctx.dir / "home").mkdir()
    argvs = c.setup(ctx)
    argvs = argvs if c.concurrent else [argvs]
    skip = [ctx.dir / o for o in c.outputs] + [ctx.dir / "home"]
    before = snapshot(ctx.dir, skip)
    started = time.monotonic()
    procs = [_start(a, ctx) for a in argvs]
    done = [_finish(p) for p in procs]
    seconds = time.monotonic() - started
    after = snapshot(ctx.dir, skip)
    return Outcome([d[0] for d in done], "\n".join(d[1] for d in done), before, after, seconds, ctx.dir)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Outcome]:
    """All cases at once, a few processes in parallel (each case is mostly one short subprocess)."""
    work = tmp_path_factory.mktemp("hostile")
    base = make_base(work / "_base")
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = {c.name: pool.submit(run_case, c, base, work) for c in CASES}
    return {name: _result(f) for name, f in futures.items()}


def _result(future):
    try:
        return future.result()
    except Exception as e:  # noqa: BLE001 - a case that cannot be set up fails alone
        return e


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_hostile_case(c: Case, corpus):
    r = corpus[c.name]
    if isinstance(r, Exception):
        raise r
    shown = f"exit {r.codes}, {r.seconds:.1f} s\n{r.output[-3000:]}"
    assert all(code is not None for code in r.codes), "did not finish in time\n" + shown
    assert all(code in c.codes for code in r.codes), shown
    assert "Traceback" not in r.output, shown
    assert "内部错误" not in r.output, shown
    if any(code != 0 for code in r.codes):
        assert CJK.search(r.output) and LOCATED.search(r.output), "no located Chinese message\n" + shown
    if c.says:
        assert re.search(c.says, r.output, flags=re.S), f"expected /{c.says}/\n" + shown
    if c.not_says:
        assert not re.search(c.not_says, r.output), f"misleading /{c.not_says}/\n" + shown
    changed = {k for k in r.before.keys() | r.after.keys() if r.before.get(k) != r.after.get(k)}
    assert not changed, f"written or changed outside the output folder: {sorted(changed)[:10]}\n" + shown
    if c.verify:
        c.verify(Ctx(r.dir), r)


# ---------------------------------------------------------------- the shared mechanisms, directly
def test_snapshot_sees_every_kind_of_change(tmp_path):
    """The harness itself can fail: a changed, added or removed file or link is seen."""
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "out").mkdir()
    before = snapshot(tmp_path, [tmp_path / "out"])
    (tmp_path / "out" / "ok.docx").write_text("allowed")
    assert snapshot(tmp_path, [tmp_path / "out"]) == before
    (tmp_path / "a.txt").write_text("2")
    (tmp_path / "link").symlink_to(tmp_path / "a.txt")
    after = snapshot(tmp_path, [tmp_path / "out"])
    assert after["a.txt"] != before["a.txt"] and "link" in after


def test_text_sanitiser_maps_manual_line_breaks_and_drops_the_rest():
    from reportgen.load.text import clean_text
    c = clean_text("第一行\x0b第二行\n第三\x01行\ufffe\u202e\u200b")
    assert c.text == "第一行\n第二行\n第三行"
    assert c.lines == (1, 2) and "U+000B" in c.chars and "U+0001" in c.chars
    assert clean_text("普通文字\t制表符\n").lines == ()


def test_safe_file_names_cannot_climb_or_hide():
    from reportgen.fileio import plain_file_name, safe_file_name
    assert "/" not in safe_file_name("../../etc/x") and not safe_file_name("../../etc/x").startswith(".")
    assert safe_file_name("NUL.docx") == "_NUL.docx"
    assert safe_file_name("学院\u202e. .") == "学院"
    assert len(safe_file_name("长" * 300).encode()) <= 200
    assert plain_file_name("a/b.docx") and plain_file_name("..") and plain_file_name("学院.docx") is None


@pytest.mark.parametrize("source, word", [
    ('{{ range(50000) | join("x" * 100) }}', "过长"),
    ('{{ ("a" * 500000).replace("a", "bbb") }}', "过长"),
    ('{{ ("a\\n" * 300000) | indent(10) }}', "过长"),
    ("{% set n = 7 ** 4000 %}{{ n * n }}", "数值过大"),
    ("{% for x in range(100) recursive %}{% if loop.depth < 4 %}{{ loop(range(100)) }}{% endif %}{% endfor %}",
     "循环次数"),
])
def test_sandbox_refuses_before_building(source, word):
    from reportgen.errors import SandboxLimit
    from reportgen.render.env import make_env
    with pytest.raises(SandboxLimit) as e:
        make_env({}).from_string(source).render()
    assert word in e.value.message


def test_builds_of_one_project_wait_for_each_other_and_trust_each_others_draft(demo, tmp_path):
    """The lock, made to matter: two builds prepared at the same time publish one after the other, and the
    second takes the draft the first has just written as reportgen's own, not as edited by hand."""
    import time
    from reportgen.fileio import exclusive
    out = tmp_path / "draft.docx"
    argv = [sys.executable, "-m", "reportgen", "build", str(demo), "-o", str(out)]
    assert subprocess.run(argv, capture_output=True).returncode == 0
    (demo / "narrative" / "preface" / "01-overview.md").write_text("改过的前言。\n", encoding="utf-8")
    with exclusive(demo):                       # both builds get as far as writing, then must wait
        builds = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        time.sleep(15)
        assert all(b.poll() is None for b in builds), "a build did not wait for the project lock"
    texts = [b.communicate(timeout=120)[0].decode("utf-8") for b in builds]
    assert [b.returncode for b in builds] == [0, 0], texts
    assert all("等待" in t for t in texts)
    assert not any("被修改过" in t or "另存为" in t for t in texts), texts


# ---------------------------------------------------------------- issue 29: filters, nesting, compile limits
@pytest.mark.parametrize("source", [
    '{% set r = range(100000) %}{{ [r, r, r] | map("sum") | sum }}',               # map runs a filter per item
    '{% set r = range(100000) %}{{ [r, r, r] | map("list") | map("length") | sum }}',
    '{{ range(100000) | list | select("in", range(100000) | list) | list }}',       # `in` goes through its list
    "{{ [0] * 300000 }}",                                                          # a list built by `*`
    '{% set r = range(90000) | list %}{{ (r + r + r) | length }}',                  # and by `+`
    '{% for i in range(1000) %}{{ range(1000) | sort | first }}{% endfor %}',       # a loop of cheap-looking sorts
    '{% set big = range(100000) | list %}{% for x in range(1000) %}{{ x in big }}{% endfor %}',   # `in` a list
])
def test_filters_count_against_the_loop_budget(source):
    import time
    from reportgen.errors import SandboxLimit
    from reportgen.render.env import make_env
    started = time.monotonic()
    with pytest.raises(SandboxLimit) as e:
        make_env({}).from_string(source).render()
    assert "循环次数超过上限" in e.value.message and time.monotonic() - started < 5


def test_printing_a_list_of_lists_is_refused_before_it_is_built():
    from reportgen.errors import SandboxLimit
    from reportgen.render.env import make_env
    with pytest.raises(SandboxLimit) as e:
        make_env({}).from_string("{% set a = [[0] * 100000] * 1999 %}{{ a }}").render()
    assert "过长" in e.value.message


def test_the_budget_holds_per_render_and_per_formula_not_per_process():
    """Ordinary work inside the limits passes however often it is repeated: each render and each formula
    evaluation starts from zero."""
    from reportgen.render.env import make_env
    env = make_env({})
    template = env.from_string('{{ rows | map(attribute="n") | sum }} {{ rows | sort(attribute="n") | first }}')
    rows = [{"n": i} for i in range(50_000)]
    for _ in range(6):
        assert template.render(rows=rows).startswith(str(sum(range(50_000))))
    formula = env.compile_expression("xs | sum")
    assert all(formula(xs=list(range(100_000))) == 4_999_950_000 for _ in range(5))


def test_nesting_limit_is_checked_before_compiling():
    from jinja2 import TemplateSyntaxError
    from reportgen.render.env import make_env
    from reportgen.render.sandbox import MAX_EXPRESSION_DEPTH, MAX_NESTING
    env = make_env({})
    deepest = "{% for x in [1] %}\n" * MAX_NESTING + "{{ x }}" + "{% else %}-{% endfor %}" * MAX_NESTING
    assert env.from_string(deepest).render() == "1"
    assert env.from_string("{% if 0 %}" + "{% elif 0 %}" * 60 + "{% else %}y{% endif %}").render() == "y"
    assert env.from_string("{{ " + " + ".join(["1"] * MAX_EXPRESSION_DEPTH) + " }}").render() == str(MAX_EXPRESSION_DEPTH)
    for source, line in [("\n" + "{% for x in [1] %}\n" * 25 + "{% endfor %}" * 25, 14),
                         ("{% if 1 %}\n" * 200 + "{% endif %}" * 200, 13),
                         ("{% with a = 1 %}{% macro m() %}\n" * 7 + "{% endmacro %}{% endwith %}" * 7, 7),
                         ("\n\n{{ " + " + ".join(["1"] * 300) + " }}", 3)]:
        with pytest.raises(TemplateSyntaxError) as e:
            env.from_string(source)
        assert e.value.lineno == line and "嵌套过深" in e.value.message


def test_what_pythons_compiler_refuses_is_a_syntax_error_at_the_template_line(monkeypatch):
    """Should the nesting check ever let through what Python cannot compile (here: with the limit lifted),
    Python's SyntaxError becomes a template syntax error at the template's own line, not a traceback."""
    from jinja2 import TemplateSyntaxError
    from reportgen.render import errors, sandbox
    from reportgen.render.env import make_env
    monkeypatch.setattr(sandbox, "MAX_NESTING", 1000)
    source = "第一段\n\n" + "{% for x in [1] %}\n" * 25 + "x" + "{% endfor %}" * 25
    with pytest.raises(TemplateSyntaxError) as e:
        make_env({}).from_string(source)
    assert e.value.lineno == 3 + 20 and "过于复杂，无法编译" in e.value.message    # Python stops at the 21st loop
    problem = errors.locate(e.value, {})
    assert problem.location.line == 23


# ---------------------------------------------------------------- issue 29: long cell text
def test_column_widths_take_no_longer_for_a_longer_cell():
    """Allotting a table's column widths went through a long cell once per line it could save (a 1 MB cell:
    hundreds of thousands of steps, each over the whole cell): now a cell's length past a page of text
    changes nothing. Run in a child process with a CPU limit, so the old behaviour fails instead of hanging."""
    code = """if True:
        import resource, time
        resource.setrlimit(resource.RLIMIT_CPU, (20, 20))
        from reportgen.write import colwidths as cw
        headers = ["序号", "证书名称", "等级", "培训人数"]
        def widths(long_cell):
            cols = [[str(i) for i in range(40)], ["工业机器人应用编程职业技能等级证书"] * 40, ["中级"] * 40, ["120"] * 40]
            cols[1][0] = "长" * long_cell
            cells = [[cw.text_em(c) for c in col] for col in cols]
            start = time.process_time()
            result = cw.allot(40, cw.measure(headers, cols), [1] * 4, cells)
            return time.process_time() - start, [round(w, 2) for w in result]
        times, results = zip(*(widths(n) for n in (2_000, 32_767, 1_000_000)))
        assert len(set(map(tuple, results))) == 1, results
        print(max(times))
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout) < 2, done.stdout


def test_a_cell_over_excels_limit_is_refused_by_name_and_the_rest_is_read(tmp_path):
    import openpyxl
    from reportgen.value_kinds import Unreadable
    from reportgen.workbook.sheet import MAX_CELL_CHARS, Sheet
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "说明"])
    wb.active.append(["甲", "短"])
    wb.save(path)
    from hostile_corpus import _patch_zip_member, _replace_once
    _patch_zip_member(path, "xl/worksheets/sheet1.xml", lambda xml: _replace_once(
        r'<c r="B2"[^>]*>.*?</c>', f'<c r="B2" t="inlineStr"><is><t>{"长" * (MAX_CELL_CHARS + 1)}</t></is></c>', xml))
    sheet = Sheet(openpyxl.load_workbook(path).active, None, "w.xlsx")
    long_cell = sheet.get(2, 2)
    assert isinstance(long_cell, Unreadable) and "32,768 个字符" in long_cell.reason
    assert str(sheet.loc(2, 2)).endswith("B2") and sheet.get(2, 1) == "甲" and sheet.get(1, 2) == "说明"
