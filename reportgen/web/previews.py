"""Page previews for the web page: laid out by the warm LibreOffice, pages whose text changed drawn first.

After a one-cell correction only a few pages read differently; drawing those first lets them appear in
about the time of one layout. The other pages are drawn right after (a swapped photo changes a page
without changing its text), so the whole preview is always the current report.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..doc.model import Toc
from ..export.office import pdf_pages_text, pdf_to_pngs
from ..export.pdf import PdfResult, check_tools, make_pdf
from ..fileio import write_atomic
from ..pipeline import Prepared, docx_bytes, prepare

FOLDER = Path("build") / "web-preview"
STATE = "pages.json"
DPI = 80


@dataclass
class Pages:
    count: int = 0
    changed: list[int] = field(default_factory=list)   # pages whose text differs from the last preview
    toc: dict[str, int] = field(default_factory=dict)   # 目录 heading → page, to lay out once next time


def folder_of(root: Path) -> Path:
    return root / FOLDER


def page_file(root: Path, n: int) -> Path:
    return folder_of(root) / f"page-{n:03d}.png"


def load_state(root: Path) -> dict:
    try:
        data = json.loads((folder_of(root) / STATE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def page_count(root: Path) -> int:
    n = load_state(root).get("count", 0)
    return n if isinstance(n, int) else 0


def lay_out(root: Path, office, timings: dict | None = None) -> tuple[Prepared, PdfResult]:
    """The report as a PDF, laid out once when the 目录 pages of the last preview still hold."""
    check_tools()
    prepared = prepare(root, timings=timings)
    known = load_state(root).get("toc") or {}
    for block in prepared.rendered.document.blocks:
        if isinstance(block, Toc):
            for entry in block.entries:
                entry.page = known.get(entry.text)
    splits = {int(k): v for k, v in (load_state(root).get("splits") or {}).items() if str(k).isdigit()}
    made = make_pdf(prepared.rendered.document, lambda: docx_bytes(prepared), prepared.problems, office=office,
                    for_screen=True, splits=splits)       # the last preview's 续表 are the first guess
    if made.splits != splits:
        folder_of(root).mkdir(parents=True, exist_ok=True)
        _save_state(root, {**load_state(root), "splits": made.splits})
    return prepared, made


def draw(root: Path, pdf: bytes, texts: list[str] | None, toc: dict[str, int],
         progress: Callable[[str, int, int], None]) -> Pages:
    """PNG pages of `pdf` into build/web-preview/: changed pages first, then all the others.

    `texts` are the pages' texts when the layout already read them (make_pdf does, for the 目录)."""
    folder = folder_of(root)
    folder.mkdir(parents=True, exist_ok=True)
    old = load_state(root).get("pages") or []
    with tempfile.TemporaryDirectory(prefix="reportgen-web-preview-") as tmp:
        src = Path(tmp) / "report.pdf"
        src.write_bytes(pdf)
        texts = texts if texts is not None else pdf_pages_text(src)
        hashes = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        count = len(hashes)
        changed = [n for n in range(1, count + 1)
                   if n > len(old) or old[n - 1] != hashes[n - 1] or not page_file(root, n).is_file()]
        if changed:
            _draw_pages(src, Path(tmp), root, changed)
            progress("changed", len(changed), len(changed))
        for stale in folder.glob("page-*.png"):        # a shorter report leaves no stale pages behind
            if _number(stale) > count:
                stale.unlink(missing_ok=True)
        # the first preview has nothing to differ from: no page is marked as changed
        _save_state(root, {**load_state(root), "count": count, "pages": hashes, "toc": toc,
                           "changed": changed if old else []})
        _draw_pages(src, Path(tmp), root, [n for n in range(1, count + 1) if n not in changed])
        progress("rest", count, count)
    return Pages(count, changed, toc)


def _draw_pages(pdf: Path, tmp: Path, root: Path, pages: list[int]) -> None:
    """Draw `pages` in a staging folder, then move each over its preview image (never a half-written PNG)."""
    for png in pdf_to_pngs(pdf, tmp / "staging", DPI, "p", pages):
        os.replace(png, page_file(root, _number(png)))


def _number(path: Path) -> int:
    try:
        return int(path.stem.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _save_state(root: Path, state: dict) -> None:
    text = json.dumps(state, ensure_ascii=False).encode("utf-8")
    write_atomic(folder_of(root) / STATE, lambda f: f.write(text))


def toc_pages(prepared: Prepared) -> dict[str, int]:
    return {e.text: e.page for b in prepared.rendered.document.blocks if isinstance(b, Toc)
            for e in b.entries if e.page is not None}
