"""docs/architecture.md stays true: every path it names exists (a file or folder of the repository, or of
reportgen/)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
SUFFIXES = (".py", ".md", ".json", ".yaml", ".toml", ".j2")


def named_paths(text: str) -> list[str]:
    """Backticked words that are paths: they hold a "/" or end like a file, and are not commands. A bare file
    name (`find.py`) is read in the last folder named before it (`reportgen/packs/`), as a table row reads."""
    out, folder = [], ""
    for span in re.findall(r"`([^`\n]+)`", text):
        if " " in span or span.startswith(("-", "[", "(")) or "(" in span:
            continue
        if not ("/" in span or span.endswith(SUFFIXES)):
            continue
        path = span.replace("<pack>", "annual-2024")
        if "/" in path.rstrip("/"):
            folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        elif path.endswith(SUFFIXES) and folder and not (ROOT / path).exists():
            path = folder + path
        out.append(path.rstrip("/"))
    return out


def exists(path: str) -> bool:
    bases = (ROOT, ROOT / "reportgen", ROOT / "tests", ROOT / "examples" / "annual-2024-demo")   # a project's files
    return any((base / path).exists() for base in bases)


def test_every_path_the_architecture_names_exists():
    paths = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) > 60
    assert [p for p in paths if not exists(p)] == []


def test_a_missing_path_is_seen():
    assert named_paths("see `reportgen/nowhere.py` and `pack show`") == ["reportgen/nowhere.py"]
    assert not exists("reportgen/nowhere.py")


def test_every_package_of_reportgen_is_named():
    text = DOC.read_text(encoding="utf-8")
    packages = [p.name for p in (ROOT / "reportgen").iterdir() if (p / "__init__.py").is_file() and p.name != "schemas"]
    assert [p for p in packages if f"{p}/" not in text] == []         # absorb/ is named before it lands
