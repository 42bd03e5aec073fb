"""Lay .docx files out in one LibreOffice and export them as PDF — a script for LibreOffice's own Python.

Run as `python3 -I uno_job.py SOFFICE PROFILE_URL` by a Python that can `import uno` (Debian: the
system python3 with python3-uno), never imported by reportgen: it needs nothing but the standard
library and uno. reportgen.export.uno_office starts it and talks to it over stdin/stdout, one JSON object
per line:

    → {"ready": true}                                   once LibreOffice answers
    ← {"docx": "/…/report.docx", "pdf": "/…/report.pdf", "update_index": true, "pdf_options": {…}, "rows": [3, 5]}
    → {"toc": [["前言", "1"], ["一、人才培养", "4"], …], "rows": [[3, 3, 4], …]}   laid out, before the export
    ← {"export": true}                                  only with "rows": whether to export this layout
    → {"ok": true}                                      the PDF is written (or not: {"ok": true, "exported": false})
    → {"ok": false, "error": "…"}                       instead of either, when this document failed

With update_index, every index of the document (the 目录) is updated in LibreOffice before the
export, so the PDF's 目录 shows the pages LibreOffice laid out, and "toc" gives its entries so the
.docx can carry the same numbers: one layout instead of a second conversion. They come before
the export, so the caller writes its .docx while LibreOffice writes the PDF. With "rows" (the indexes of
the body-level tables to look at, or true), "rows" gives the page each of their rows starts on, and the caller
answers whether this layout is the one to export (export/continued.py splits a table where a page
breaks it and asks for the layout again). End of input closes LibreOffice.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import uno  # noqa: F401  (LibreOffice's Python bridge: only this interpreter has it)
from com.sun.star.beans import PropertyValue

CONNECT_TIMEOUT_S = 60
CELL_NAME = re.compile(r"^([A-Za-z]+)(\d+)$")     # "B12"; a split cell's "B12.1.1" is not a row's own cell


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def say(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def start(soffice: str, profile_url: str):
    pipe = f"reportgen-{os.getpid()}-{time.time_ns()}"
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible", "--norestore", "--nologo",
         "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:           # NoConnectException until soffice listens
            if office.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"LibreOffice did not start (exit {office.poll()})")
            time.sleep(0.05)
    return office, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def toc_entries(doc) -> list[list[str]]:
    """(text, page) of every 目录 line, after the index was updated."""
    out = []
    indexes = doc.getDocumentIndexes()
    for i in range(indexes.getCount()):
        index = indexes.getByIndex(i)
        index.update()
        if not index.supportsService("com.sun.star.text.ContentIndex"):
            continue
        for line in index.getAnchor().getString().splitlines():
            text, tab, page = line.rpartition("\t")
            if tab and text.strip():
                out.append([text.strip(), page.strip()])
    return out


def row_pages(doc, wanted) -> list[list[int]]:
    """The page each row of each body-level table starts on, tables in document order; [] for a table
    not `wanted` (a list of indexes; true: all).

    Rows are looked at by bisection: a table that does not cross a page costs two. A row's page
    is that of a cell holding its own text: a cell covered by a merge above it (RowSpan < 1) is laid
    out with the row the merge starts in."""
    view = doc.getCurrentController().getViewCursor()
    out = []
    paragraphs = doc.getText().createEnumeration()
    while paragraphs.hasMoreElements():
        table = paragraphs.nextElement()
        if not table.supportsService("com.sun.star.text.TextTable"):
            continue
        if wanted is not True and len(out) not in set(wanted):
            out.append([])
            continue
        by_row = {}
        for name in table.getCellNames():
            m = CELL_NAME.match(name)
            if m:
                by_row.setdefault(int(m.group(2)), []).append(name)

        def page(n):
            for name in by_row.get(n, []):
                cell = table.getCellByName(name)
                if cell is not None and cell.getPropertyValue("RowSpan") >= 1:
                    view.gotoRange(cell.getStart(), False)
                    return view.getPage()
            return 0

        count = table.getRows().getCount()
        pages = {1: page(1), count: page(count)}
        between(pages, 1, count, page)
        out.append([pages[n] for n in range(1, count + 1)])
    return out


def between(pages: dict, lo: int, hi: int, page) -> None:
    """Fill in the pages of rows lo+1 … hi-1 from those of lo and hi, asking `page` only where a
    page break lies between them (rows run down the pages in order: a bisection, not every row)."""
    if hi - lo <= 1:
        return
    if pages[lo] and pages[lo] == pages[hi]:
        pages.update((n, pages[lo]) for n in range(lo + 1, hi))
        return
    mid = (lo + hi) // 2
    pages[mid] = page(mid)
    between(pages, lo, mid, page)
    between(pages, mid, hi, page)


def lay_out(desktop, job: dict) -> dict:
    url = uno.systemPathToFileUrl(job["docx"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        return {"ok": False, "error": "LibreOffice 无法打开该文档"}
    try:
        laid_out = {"toc": toc_entries(doc) if job.get("update_index") else []}
        asked = job.get("rows") is not None
        if asked:
            laid_out["rows"] = row_pages(doc, job["rows"])
        say(laid_out)
        if asked and not json.loads(sys.stdin.readline() or "{}").get("export"):
            return {"ok": True, "exported": False}
        args = [prop("FilterName", "writer_pdf_Export")]
        options = job.get("pdf_options") or {}
        if options:                  # the PDF export's FilterData, e.g. smaller pictures for screen previews
            args.append(prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue",
                                                   tuple(prop(k, v) for k, v in options.items()))))
        doc.storeToURL(uno.systemPathToFileUrl(job["pdf"]), tuple(args))
        return {"ok": True}
    finally:
        doc.close(True)


def answers(desktop) -> bool:
    try:
        desktop.getFrames()
        return True
    except Exception:               # DisposedException: the bridge to LibreOffice is dead
        return False


def main() -> None:
    soffice, profile_url = sys.argv[1], sys.argv[2]
    office, desktop = start(soffice, profile_url)
    say({"ready": True})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                say(lay_out(desktop, json.loads(line)))
            except Exception as e:   # one bad document must not end the warm office
                say({"ok": False, "error": f"{type(e).__name__}: {e}"})
                if not answers(desktop):
                    break            # LibreOffice itself is gone: end, so the caller starts a new one
    finally:
        try:
            desktop.terminate()
        except Exception:           # already gone: the bridge closes with it
            pass
        try:
            office.wait(20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
