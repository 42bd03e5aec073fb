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
