"""Benchmark: from a one-cell correction in the web page to its new preview pages.

    python bench/web_preview.py                # 5 runs warm, 3 runs cold; writes BENCHMARKS.md
    python bench/web_preview.py --runs 3 --no-write

What the server does after "保存修改" on the indicator form, in-process as the server runs it, on a private
copy of examples/annual-2024-demo that had one preview drawn before timing: save the value into
data/indicators.yaml (corrections.save), lay the report out (previews.lay_out: load → check → compute →
render → .docx → PDF, once, the 目录 pages known from the last preview), then draw the pages whose text
changed (previews.draw; the other pages are drawn after them and are not part of the figure).

- 常驻 LibreOffice: the PDF comes from the LibreOffice the server keeps running (reportgen/web/office.py),
  driven through UNO: the 目录 updated and the PDF exported in one layout.
- 每次启动 LibreOffice: a fresh `soffice --convert-to` per conversion (the fallback without python3-uno).

Each run alternates 全日制在校生数 2024 between two values, so every run changes the same pages.
matplotlib gets a private, freshly built font list (MPLCONFIGDIR): a font list cached before the CJK fonts
were installed makes every chart "-nocjk", never a cache hit, and redrawn on each run (chart/cache.py).
Reported: median wall time to the changed pages, and its parts. Load average at the start alongside.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
START = "<!-- bench/web_preview.py: start -->"
END = "<!-- bench/web_preview.py: end -->"
HEADING = "## 网页：改正一个数到新预览页出现（bench/web_preview.py）"
NAME, VALUES = "全日制在校生数", ("16300", "16238")


class Timed:
    """The office's conversions, timed: LibreOffice's share of the layout."""

    def __init__(self, office):
        self.office, self.seconds = office, 0.0
        if hasattr(office, "lay_out"):
            self.lay_out = self._lay_out

    def _lay_out(self, docx: Path, **kwargs):
        start = time.perf_counter()
        try:
            return self.office.lay_out(docx, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start

    def to_pdf(self, docx: Path) -> Path:
        start = time.perf_counter()
        try:
            return self.office.to_pdf(docx)
        finally:
            self.seconds += time.perf_counter() - start


def one_run(project: Path, office, value: str) -> dict:
    from reportgen.web import corrections, previews
    office = Timed(office)
    start = time.perf_counter()
    edits, problems = corrections.save(project, 2024, {NAME: value}, [NAME])
    assert edits and not problems.errors, problems.items
    saved = time.perf_counter()
    timings: dict = {}
    prepared, made = previews.lay_out(project, office, timings)
    laid = time.perf_counter()
    shown = {}

    def progress(part, i, n):
        if part == "changed" and i == n:
            shown["at"] = time.perf_counter()
    pages = previews.draw(project, made.pdf, made.texts, previews.toc_pages(prepared), progress)
    shown.setdefault("at", time.perf_counter())
    prepare_s = sum(timings.get(k, 0) for k in ("load", "check", "compute", "render"))
    return {"total": shown["at"] - start, "save": saved - start, "prepare": prepare_s,
            "layout": laid - saved - prepare_s - office.seconds, "convert": office.seconds,
            "draw": shown["at"] - laid, "changed": len(pages.changed),
            "pages": pages.count}


def measure(office, runs: int, label: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-web-") as tmp:
        project = Path(tmp) / "demo"
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("build"))
        from reportgen.web import previews
        prepared, made = previews.lay_out(project, office)            # the preview the office already has
        previews.draw(project, made.pdf, made.texts, previews.toc_pages(prepared), lambda *a: None)
        one_run(project, office, VALUES[0])                            # warms imports and caches
        rows = [one_run(project, office, VALUES[(i + 1) % 2]) for i in range(runs)]
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"{label}: {med['total']:.2f} s（保存 {med['save']:.2f}，校验到排版正文 {med['prepare']:.2f}，"
          f"写 Word {med['layout']:.2f}，转 PDF {med['convert']:.2f}，画改动页 {med['draw']:.2f}；改动 {med['changed']:.0f} 页 / "
          f"共 {med['pages']:.0f} 页）")
    return med | {"runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="reportgen-bench-mpl-")
    from reportgen.doc.model import Typography
    from reportgen.export.office import Office
    from reportgen.export.fonts import fonts_for
    from reportgen.web.office import WarmOffice
    load = os.getloadavg()[0]
    warm = WarmOffice()
    try:
        if not warm._ensure(fonts_for(Typography())):
            sys.exit(f"常驻 LibreOffice 无法启动：{warm.broken}")
        rows = [("常驻 LibreOffice（UNO）", measure(warm, args.runs, "常驻"))]
    finally:
        warm.stop()

    class Cold:
        def to_pdf(self, docx: Path) -> Path:
            return Office(docx.parent, font_pairs=fonts_for(Typography())).to_pdf(docx)
    rows.append(("每次启动 LibreOffice", measure(Cold(), args.cold_runs, "每次启动")))
    lines = [f"演示项目（examples/annual-2024-demo，{rows[0][1]['pages']:.0f} 页）：在指标表单中改一个数"
             f"（{NAME}），到改动的 {rows[0][1]['changed']:.0f} 页预览图画好；其余页面随后在后台更新，不计入。",
             f"环境：Python {platform.python_version()}，{platform.system()} {platform.machine()}，"
             f"{os.cpu_count()} 核，开始时负载 {load:.1f}；{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}。",
             "", "| LibreOffice | 改正到新预览页（中位数） | 保存 | 校验到排版正文 | 写 Word | 转 PDF | 画改动页 | 次数 |",
             "|---|---|---|---|---|---|---|---|"]
    for label, m in rows:
        lines.append(f"| {label} | **{m['total']:.2f} s** | {m['save']:.2f} s | {m['prepare']:.2f} s | "
                     f"{m['layout']:.2f} s | {m['convert']:.2f} s | {m['draw']:.2f} s | {m['runs']} |")
    lines += ["", "“画改动页”之后，其余页面在后台重画（不计入）；页面上改动的缩略图先换成新图。"
              "“转 PDF”含 LibreOffice 更新目录（常驻时经 UNO，一次排版；每次启动时为 soffice --convert-to，"
              "沿用上次预览的目录页码）；“画改动页”含用 pypdfium2 读出各页文字、找出改动的页。"
              "照片在服务器进程中按内容只缩放一次（write/images.py），图表按内容缓存（chart/cache.py）。",
              f"目标是改正后 3 s 内出现新预览页；本表测得时机器开始负载为 {load:.1f}（2 核），"
              "各项按负载相应变慢，空闲机器上请重跑 `python bench/web_preview.py` 核对。"]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        results.write_section(RESULTS, START, END, HEADING, text)
        print(f"已写入 {RESULTS}")


if __name__ == "__main__":
    main()
