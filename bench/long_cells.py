"""Benchmark: `reportgen build --workbook` with long cell text — one cell of 1 MB, one at Excel's limit,
10,000 cells of 1 KB — against the same workbook unchanged.

    python bench/long_cells.py               # 3 runs of each case, writes the figures into BENCHMARKS.md
    python bench/long_cells.py --runs 1 --no-write

The workbook is the demo project's own export (`reportgen workbook`), its sheet 表1 edited: long text
is written straight into the sheet's XML, because openpyxl cuts a cell at 32,767 characters when it
saves (a program, or a paste into a generated file, is how a longer cell arrives). Each build runs as
`python -m reportgen …` in its own process. Reported: median wall and CPU time, exit code, and the
first error line (the 1 MB cell is refused by name; the others build).
"""
from __future__ import annotations

import io
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
START = "<!-- bench/long_cells.py: start -->"
END = "<!-- bench/long_cells.py: end -->"
HEADING = "## 很长的单元格文字（bench/long_cells.py）"
SHEET = "xl/worksheets/sheet3.xml"          # 表1 “1+X”证书制度实施 in the demo's export
PASTE = "这是一段从别处粘贴过来的很长的文字，"


def run(*args: str) -> tuple[float, float, int, str]:
    """One reportgen command in a child process: (wall s, CPU s, exit code, first error line)."""
    wall, cpu, proc = results.timed(*args, accept=(0, 1))
    error = next((line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("[错误]")), "")
    return wall, cpu, proc.returncode, error


def text(chars: int, tag: str = "") -> str:
    return (tag + PASTE * (chars // len(PASTE) + 1))[:chars]


def patch_sheet(src: Path, dest: Path, change) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == SHEET:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    dest.write_bytes(out.getvalue())


def one_cell(chars: int):
    def change(xml: str) -> str:
        assert '<c r="A3"' in xml, "表1 的 A3 不是文字单元格：演示项目的导出变了"
        return re.sub(r'<c r="A3"[^>]*>.*?</c>', lambda m: f'<c r="A3" t="inlineStr"><is><t>{text(chars)}</t></is></c>',
                      xml, count=1)
    return change


def many_rows(rows: int, chars: int):
    """`rows` more data rows in 表1, each with a 证书名称 of `chars` characters (about 1 KB in UTF-8)."""
    def change(xml: str) -> str:
        last = max(int(r) for r in re.findall(r'<row r="(\d+)"', xml))
        added = "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{text(chars, f"第{r}行")}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>某培训评价组织</t></is></c><c r="C{r}" t="n"><v>10</v></c></row>'
            for r in range(last + 1, last + 1 + rows))
        xml = re.sub(r"<dimension[^>]*/>", "", xml)
        return xml.replace("</sheetData>", added + "</sheetData>", 1)
    return change


CASES = {
    "工作簿未改动（对照）": None,
    "一个单元格 1 MB 文字（1,000,000 字，超过上限，指出单元格）": one_cell(1_000_000),
    "一个单元格 32,767 字（Excel 的上限）": one_cell(32_767),
    "10,000 个单元格，每个 1 KB（341 字）": many_rows(10_000, 341),
}


def measure(runs: int) -> list[tuple[str, list[tuple[float, float]], int, str]]:
    out = []
    with tempfile.TemporaryDirectory(prefix="reportgen-cells-") as tmp:
        tmp = Path(tmp)
        project = tmp / "demo"                   # a private copy: builds keep chart caches in the project
        shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("build"))
        base = tmp / "W.xlsx"
        wall, cpu, code, error = run("workbook", str(project), "-o", str(base))
        if code:
            sys.exit(f"导出工作簿失败：{error}")
        for name, change in CASES.items():
            wb = base if change is None else tmp / f"case{len(out)}.xlsx"
            if change is not None:
                patch_sheet(base, wb, change)
            times = []
            for i in range(runs):
                print(f"{name}：第 {i + 1}/{runs} 次", file=sys.stderr)
                wall, cpu, code, error = run("build", str(project), "--workbook", str(wb), "-o", str(tmp / f"d{i}.docx"))
                times.append((wall, cpu))
            out.append((name, times, code, error))
    return out


def table(rows, runs: int, load: float) -> str:
    lines = [
        f"演示项目的填报工作簿（`reportgen workbook` 导出），在“表1”中放入很长的文字后 `reportgen build --workbook`；"
        f"每种情形 {runs} 次取中位数，每次为独立进程。",
        results.environment(load),
        "",
        "| 情形 | 墙钟时间（中位数） | CPU 时间（中位数） | 结果 |",
        "|---|---|---|---|",
    ]
    for name, times, code, error in rows:
        wall, cpu = results.median_times(times)
        result = "生成初稿" if code == 0 else re.sub(r"\s+", " ", error.replace("|", "\\|"))[:120]
        lines.append(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {result} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = results.command_line("测量很长的单元格文字对构建耗时的影响", runs=3)
    load = results.load_now()
    results.report(table(measure(args.runs), args.runs, load), args, RESULTS, START, END, HEADING)


if __name__ == "__main__":
    main()
