import inspect
import re
from collections import Counter
import shutil
from pathlib import Path

import pytest

from reportgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "annual-2024-demo"


class Run:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    @property
    def text(self):
        return self.out + self.err


@pytest.fixture
def run(capsys):
    """Run the CLI in-process; returns exit code and output (a traceback would fail the test)."""
    def _run(*args):
        code = main([str(a) for a in args])
        cap = capsys.readouterr()
        assert "Traceback" not in cap.err + cap.out
        return Run(code, cap.out, cap.err)
    return _run


@pytest.fixture
def demo(tmp_path) -> Path:
    """A private copy of the demo project, free to break."""
    dst = tmp_path / "demo"
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns("build"))
    return dst


@pytest.fixture(scope="session")
def demo_docx(tmp_path_factory) -> Path:
    """The demo built once for the whole session."""
    out = tmp_path_factory.mktemp("demo") / "demo.docx"
    assert main(["build", str(DEMO), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> Path:
    """The demo's fill-in workbook, exported once (every `demo` copy has the same data)."""
    out = tmp_path_factory.mktemp("export") / "W.xlsx"
    assert main(["workbook", str(DEMO), "-o", str(out)]) == 0
    return out


@pytest.fixture
def wb_path(exported, tmp_path) -> Path:
    """A private copy of the demo's workbook, free to edit."""
    path = tmp_path / "W.xlsx"
    shutil.copyfile(exported, path)
    return path


# ---------------------------------------------------------------- the quick tier
# `python -m pytest -q -m "not slow"` while working (about 75 s on an idle 2-core machine); CI and the
# README's set-up command run everything. A test is slow when it starts LibreOffice or a browser, runs reportgen
# in another process, builds a whole example project (the demo's 9 chapters and 17 pictures take seconds each
# time), adopts a whole seed report, serves the whole demo through the web page, is property-based (many
# builds), or is one more test over the whole demo in a module that already has one in the quick tier (below).
# Marked here from what the test uses, so a new test of that kind is marked without anyone remembering to.
SLOW_MODULES = {"test_layout", "test_web_browser", "test_web_firefox",   # a PDF laid out, a browser driven
                "test_batch"}                                             # several projects built in worker processes
SLOW_FIXTURES = {"browser", "demo_pdf", "typeset", "corpus", "built",    # browser, PDFs, the hostile corpus, a demo build
                 "client", "app",                                         # the web page over the whole demo
                 "kit", "returned",                                       # department kits of the whole demo
                 "built_and_reviewed"}                                    # a second demo build, reviewed (absorb)
# words in a test's own source that start LibreOffice (directly, through --pdf / preview, or a resave)
OFFICE_WORDS = ("soffice", "--pdf", '"preview"', "make_pdf", "have_office", "UnoOffice", "warm_office=True")
OFFICE_CASE = "libreoffice"      # a parametrized case whose input a fixture saves again with LibreOffice
SUBPROCESS_WORDS = ("sys.executable",)
# department kits of the whole demo; the web page over it, in-process or a real server
WHOLE_DEMO_WORDS = ('"kit"', "/kits", "create_app(", "Served(")
# a whole example: the demo fixtures (copies of examples/) or an example named in the source
EXAMPLE_FIXTURES = {"demo", "project", "light"}
EXAMPLE_WORDS = ("DEMO", "EXAMPLES", "demo_copy", "examples")
# A test over a copy of the whole demo (or its whole workbook) runs the whole pipeline on it: about a second
# each, and some modules have dozens. The quick tier runs the first of them in each module (of a parametrized
# one, its first case): every area is seen working; the full suite runs them all. Working on an area, run its
# module too: `python -m pytest -q tests/test_workbook.py`.
DEMO_FIXTURES = {"demo", "wb_path"}
QUICK_DEMO_TESTS = 1
# a whole seed report adopted by init --from (tests/seeddocs.py, seedtables.seed_000): as large as an example.
# A test that reads a whole seed (the fixture, or seeddocs in its source) is slow, built or not.
SEED_FIXTURES = {"adopted"}
SEED_WORDS = ("seed_000", "seed_001", "seeddocs", 'seed("00', "seed_report(")
BUILD_CALL = re.compile(r"""(?:["']build["']|\bbuild\(|/build"|\bbuild_school\()""")


def _is_slow(item, first_case: bool = True) -> bool:
    if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
        return True
    fixtures = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    if callspec is not None and OFFICE_CASE in callspec.id.lower():
        return True
    if callspec is not None and DEMO_FIXTURES & fixtures and not first_case:
        return True
    if SLOW_FIXTURES & fixtures or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return True
    try:
        source = inspect.getsource(item.function)
    except (OSError, TypeError):
        return False
    if any(word in source for word in OFFICE_WORDS + SUBPROCESS_WORDS):
        return True
    if any(word in source for word in WHOLE_DEMO_WORDS) and bool(EXAMPLE_FIXTURES & fixtures):
        return True
    if SEED_FIXTURES & fixtures or any(word in source for word in SEED_WORDS):
        return True                             # a whole seed report read: as large as an example
    whole_example = bool(EXAMPLE_FIXTURES & fixtures) or any(word in source for word in EXAMPLE_WORDS + SEED_WORDS)
    return whole_example and bool(BUILD_CALL.search(source))


def pytest_collection_modifyitems(config, items):
    seen = set()                                # test functions whose first case has been collected
    over_demo = Counter()                       # quick tests over the whole demo, per module
    for item in items:
        function = (item.parent.nodeid if item.parent else "", getattr(item, "originalname", item.name))
        slow = _is_slow(item, function not in seen)
        seen.add(function)
        if not slow and DEMO_FIXTURES & set(getattr(item, "fixturenames", ())):
            over_demo[item.module.__name__] += 1
            slow = over_demo[item.module.__name__] > QUICK_DEMO_TESTS
        if slow:
            item.add_marker(pytest.mark.slow)
