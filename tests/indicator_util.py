"""Helpers for the indicator and check tests: small projects on the annual-2024 pack, computed in-process."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from reportgen.check.data import check_project
from reportgen.check.rules import run_checks
from reportgen.compute.aggregates import Aggregates
from reportgen.compute.indicators import compute_indicators
from reportgen.doc.model import Table, iter_blocks
from reportgen.errors import Problems
from reportgen.pack import BUILTIN_PACKS
from reportgen.pipeline import load_raw

ROOT = Path(__file__).resolve().parent.parent
SEED001 = ROOT / "tests" / "data" / "seed001"


def project(root: Path, indicators: str, tables: dict[str, str] | None = None, *, year: int = 2024,
            level: str | None = "高等职业", pack: str = "annual-2024") -> Path:
    """A project folder with report.yaml, data/indicators.yaml (text as given) and table files."""
    root.mkdir(parents=True, exist_ok=True)
    report = {"pack": pack, "school": {"name": "测试学校"}, "year": year}
    if level:
        report["level"] = level
    (root / "report.yaml").write_text(yaml.safe_dump(report, allow_unicode=True), encoding="utf-8")
    (root / "data" / "tables").mkdir(parents=True, exist_ok=True)
    (root / "data" / "indicators.yaml").write_text(indicators, encoding="utf-8")
    for tid, text in (tables or {}).items():
        (root / "data" / "tables" / f"{tid}.yaml").write_text(text, encoding="utf-8")
    return root


def compute(root: Path):
    """(dataset, indicator table, check report, problems) without raising on data errors."""
    problems = Problems()
    ds = check_project(load_raw(root, problems), problems)
    ind = compute_indicators(ds, Aggregates(ds.tables), problems)
    return ds, ind, run_checks(ds, ind), problems


def copy_pack(dst: Path, edit=None) -> Path:
    """A private copy of annual-2024 whose files `edit(folder)` may change."""
    shutil.copytree(BUILTIN_PACKS / "annual-2024", dst)
    if edit:
        edit(dst)
    return dst


def set_indicator(project_root: Path, name: str, values: dict) -> None:
    """Replace (or add) one line of data/indicators.yaml: `name: {year: value, …}`."""
    path = project_root / "data" / "indicators.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    flow = "{" + ", ".join(f"{y}: {v}" for y, v in values.items()) + "}"
    new = f"{name}: {flow}"
    for i, line in enumerate(lines):
        if line.startswith(f"{name}:"):
            lines[i] = new
            break
    else:
        lines.append(new)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if l.startswith(prefix))


def appendix_rows(document, title: str) -> dict[str, list[str]]:
    """An appendix table of the document model as {row label: [cells]}, plus its notes under '注'."""
    for b in iter_blocks(document.blocks):
        if isinstance(b, Table) and b.title == title:
            rows = {r[0].text.strip().removeprefix("其中："): [c.text for c in r[1:]] for r in b.rows}
            rows["注"] = b.notes
            rows["年度"] = [c.name for c in b.columns[2:]]
            return rows
    raise AssertionError(f"no table {title}")
