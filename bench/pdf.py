"""Benchmark: `reportgen build --pdf` against one plain LibreOffice conversion of the same draft.

    python bench/pdf.py                  # 3 runs of each case, writes the figures into BENCHMARKS.md
    python bench/pdf.py --runs 5 --no-write

Cases, each in its own process as a user runs them, on a private copy of examples/annual-2024-demo:

- 一次普通转换: `soffice --headless --convert-to pdf 初稿.docx` with a fresh profile — the floor
  for any PDF of this draft.
- 首次 build --pdf: no earlier draft. LibreOffice, driven through UNO (export/uno_office.py), starts
  while the project is read, updates the 目录 itself and reports each table row's page; the tables
  that run over a page are split into 续表 and laid out again until the breaks hold (the demo: three
  layouts), the last one exported; the .docx is written again with the 目录 numbers LibreOffice found.
- 再次 build --pdf: the same, the earlier draft's 目录 numbers and 续表 splits already right: one layout,
  the .docx written once.
- 首次 build --pdf without python3-uno (REPORTGEN_NO_UNO=1), for reference: soffice --convert-to
  until the 目录 numbers and 续表 splits read from the PDF hold.

Reported: median wall time per case and its ratio to the plain conversion (target ≤ 1.3).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
START = "<!-- bench/pdf.py: start -->"
END = "<!-- bench/pdf.py: end -->"
HEADING = "## PDF 输出耗时（bench/pdf.py）"
TARGET = 1.3


def timed(cmd: list[str], cwd: Path = REPO) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} 失败（退出码 {proc.returncode}）：\n{proc.stderr}")
    return wall


def build_pdf(project: Path, out: Path, uno: bool = True) -> float:
    if not uno:
        os.environ["REPORTGEN_NO_UNO"] = "1"
    try:
        return timed([sys.executable, "-m", "reportgen", "build", str(project), "--pdf", "-o", str(out)])
    finally:
        os.environ.pop("REPORTGEN_NO_UNO", None)


def plain_conversion(draft: Path, work: Path) -> float:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = Path(tempfile.mkdtemp(dir=work, prefix="profile-"))
    return timed([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                  "--convert-to", "pdf", "--outdir", str(work / "plain"), str(draft)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    first, again, plain, two = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        work = Path(tmp)
        project = work / "demo"
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("build"))
        for n in range(args.runs):
            out = work / f"run{n}" / "初稿.docx"
            first.append(build_pdf(project, out))
            again.append(build_pdf(project, out))
            plain.append(plain_conversion(out, work))
            two.append(build_pdf(project, work / f"two{n}" / "初稿.docx", uno=False))
            print(f"第 {n + 1} 轮：普通转换 {plain[-1]:.2f} s，首次 {first[-1]:.2f} s，再次 {again[-1]:.2f} s，"
                  f"无 UNO {two[-1]:.2f} s", file=sys.stderr)
    p, f, a, t = (statistics.median(x) for x in (plain, first, again, two))
    text = (f"演示项目（examples/annual-2024-demo，约 90 页），每种情形 {args.runs} 次取中位数，每次为独立进程；"
            f"开始时负载 {load:.1f}（2 核，与其他任务共用）。\n\n"
            "| 情形 | 墙钟时间（中位数） | 与一次普通转换之比 |\n|---|---|---|\n"
            f"| 一次普通转换（soffice --convert-to pdf 初稿.docx） | {p:.2f} s | 1.00 |\n"
            f"| 首次 build --pdf（LibreOffice 更新目录；拆出续表后再排版，至换页不动，导出一次） | {f:.2f} s | {f / p:.2f} |\n"
            f"| 再次 build --pdf（沿用上次的目录页码和续表，排版一次，.docx 只写一次） | {a:.2f} s | {a / p:.2f} |\n"
            f"| （参考）首次 build --pdf，无 python3-uno：多次转换 | {t:.2f} s | {t / p:.2f} |\n\n"
            f"目标 ≤ {TARGET}：首次 {'✅ 达到' if f / p <= TARGET else '❌ 未达到'}；"
            f"再次 {'✅ 达到' if a / p <= TARGET else '❌ 未达到'}。\n")
    print(text)
    if not args.no_write:
        results.write_section(RESULTS, START, END, HEADING, text)


if __name__ == "__main__":
    main()
