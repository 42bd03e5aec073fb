"""Do two versions of reportgen write the same reports? The examples' drafts compared by text and tables.

    python scripts/compare_drafts.py OLD_REV [NEW_REV]

Each revision is taken from git (`git archive`, NEW_REV defaults to the working tree), each example it has is
built by that revision's own code from that revision's own example folder, and the drafts are read back with
python-docx: every body paragraph (its text and style name) and every table (its cells' text), in document
order. Bytes are not compared: a draft's zip, ids and timestamps differ between any two builds.

Prints, per example, "same" or the differing lines (unified diff, at most --context lines around each), and exits 1
when any example differs. A refactoring that should not change any report is checked with it, e.g. before merging.
"""
from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = ("annual-2024-demo", "zhongzhi-2022-demo", "jituan-demo", "qiye-demo")


def checkout(rev: str | None, into: Path) -> Path:
    """The tree of `rev` (None: the working tree as it is) at `into`."""
    if rev is None:
        shutil.copytree(REPO, into, ignore=shutil.ignore_patterns(".git", ".venv", "build", "__pycache__", "*.egg-info"))
        return into
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into


def build(tree: Path, example: str, work: Path) -> Path | None:
    """The example's draft, built by the tree's own reportgen; None when the tree has no such example."""
    source = tree / "examples" / example
    if not (source / "report.yaml").is_file():
        return None
    project = work / example
    shutil.copytree(source, project)
    out = work / f"{example}.docx"
    env = {**os.environ, "PYTHONPATH": str(tree), "REPORTGEN_PACKS": str(work / "no-user-packs")}
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", str(project), "-o", str(out)],
                         cwd=tree, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{example}: build failed in {tree}\n{run.stdout}\n{run.stderr}")
    return out


def lines(path: Path) -> list[str]:
    """The draft as text: one line per paragraph ("style | text"), one per table row ("| cell | cell |")."""
    document = docx.Document(str(path))
    out = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            out.append(f"{item.style.name} | {item.text}")
        elif isinstance(item, Table):
            out.append(f"[table {len(item.rows)}×{len(item.columns)}]")
            out.extend("| " + " | ".join(c.text.replace("\n", "⏎") for c in row.cells) + " |" for row in item.rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", help="the revision to compare against (e.g. main~3, a commit)")
    ap.add_argument("new", nargs="?", help="the revision to check (default: the working tree)")
    ap.add_argument("--context", type=int, default=1)
    ap.add_argument("--examples", nargs="*", default=list(EXAMPLES))
    args = ap.parse_args()
    differs = False
    with tempfile.TemporaryDirectory(prefix="compare-drafts-") as tmp:
        tmp = Path(tmp)
        trees = {side: checkout(rev, tmp / side / "tree") for side, rev in (("old", args.old), ("new", args.new))}
        for example in args.examples:
            drafts = {side: build(tree, example, tmp / side) for side, tree in trees.items()}
            if drafts["old"] is None or drafts["new"] is None:
                print(f"{example}: only in the {'new' if drafts['old'] is None else 'old'} revision")
                continue
            old, new = lines(drafts["old"]), lines(drafts["new"])
            if old == new:
                tables = sum(line.startswith("[table ") for line in new)
                print(f"{example}: same ({len(new) - tables} paragraph and row lines, {tables} tables)")
                continue
            differs = True
            diff = list(difflib.unified_diff(old, new, args.old, args.new or "working tree", n=args.context, lineterm=""))
            changed = sum(d.startswith(("+", "-")) and not d.startswith(("+++", "---")) for d in diff)
            print(f"{example}: {changed} lines differ")
            print("\n".join(diff))
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
