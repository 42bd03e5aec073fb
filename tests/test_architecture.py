"""The structure stays as designed (docs/architecture.md): imports run one way, no import circle at all,
no module reaches into another package's private names."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_layers_contract_holds():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency (pyproject.toml [test])"
    r = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


def _circles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                circle = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    circle.append(m)
                    if m == node:
                        break
                if len(circle) > 1:
                    out.append(sorted(circle))
    return out


def test_no_import_circle():
    graph = grimp.build_graph("reportgen", cache_dir=None)     # counts imports inside functions too
    assert _circles(graph) == [], "modules that import each other, directly or round a circle"


def test_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert _circles(graph) == [["p.a", "p.b", "p.c"]]


def _private_imports():
    for path in sorted((ROOT / "reportgen").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        package = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = (package[:len(package) - node.level + 1] if node.level else []) + (node.module or "").split(".")
            target = [t for t in target if t]
            if target[:1] != ["reportgen"] or (target[:len(package)] == package and len(target) <= len(package) + 1):
                continue          # outside reportgen, or a module of the same package
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{path.relative_to(ROOT)}:{node.lineno} imports {'.'.join(target)}.{alias.name}"


def test_no_module_imports_a_private_name_of_another_package():
    assert list(_private_imports()) == []
