"""Benchmark: build the demo and a 10× project, compare with pandoc, write BENCHMARKS.md.

    python bench/run.py                 # 3 rounds, writes the results into BENCHMARKS.md
    python bench/run.py --repeat 5 --scale 10 --no-write

Every measured build runs in its own child process (`python bench/run.py --child …`), the way a
user runs `reportgen build`: the wall time includes interpreter start-up and imports, and the
peak memory is the child's own maximum resident set size (os.wait4 → ru_maxrss). The child
also reports the time of each pipeline stage (pipeline.build(timings=…)).

The pandoc reference gets the same content as Markdown (reportgen/write/markdown.py, produced from
our rendered document model in a separate process, not timed) and converts it to .docx.
Our builds and pandoc's alternate within each round; the medians are reported.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import results  # bench/results.py: the shared BENCHMARKS.md writer (bench/ is on sys.path)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = REPO / "examples" / "annual-2024-demo"
RESULTS = REPO / "BENCHMARKS.md"
STAGES = ("load", "check", "compute", "render", "write")
START = "<!-- bench/run.py: start -->"
END = "<!-- bench/run.py: end -->"
HEADING = "## 构建速度、内存与 pandoc 对比（bench/run.py）"

TARGET_RATIO = 1.0
TARGET_SCALING = 10.0
TARGET_MEMORY_MB = 300


# ---------------------------------------------------------------- child modes
def child_build(project: Path, output: Path, result: Path) -> None:
    """One build, as `reportgen build` does it; stage times and totals go to `result` (JSON)."""
    t0 = time.perf_counter()
    from reportgen import pipeline
    t_import = time.perf_counter() - t0
    timings: dict[str, float] = {}
    t1 = time.perf_counter()
    prepared, summary = pipeline.build(project, output, timings=timings)
    total = time.perf_counter() - t1
    doc_stats = {k: getattr(summary, k) for k in ("chapters", "tables", "cases", "figures", "warnings")}
    result.write_text(json.dumps({"import": t_import, "stages": timings, "in_process": total,
                                  "summary": doc_stats, "size": output.stat().st_size}))


def child_markdown(project: Path, output: Path) -> None:
    """Write the pandoc reference input for `project` (same content as our build)."""
    sys.path.insert(0, str(BENCH))
    from reportgen import pipeline
    from reportgen.write.markdown import document_markdown
    prepared = pipeline.prepare(project)
    if hasattr(pipeline, "draw_pending_charts"):
        pipeline.draw_pending_charts(prepared)        # charts are drawn at write time
    output.write_text(document_markdown(prepared.rendered.document), encoding="utf-8")


# ---------------------------------------------------------------- measuring
def run_measured(cmd: list[str], **kw) -> tuple[float, float, float]:
    """Run `cmd`; (wall seconds, CPU seconds (user + system), peak RSS in MB) of that process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} 失败（退出码 {proc.returncode}）：\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024      # Linux: kilobytes


def measure_ours(project: Path, work: Path) -> dict:
    out, res = work / "ours.docx", work / "ours.json"
    wall, cpu, rss = run_measured([sys.executable, str(Path(__file__).resolve()), "--child", str(project), str(out), str(res)])
    data = json.loads(res.read_text())
    data.update(wall=wall, cpu=cpu, rss_mb=rss)
    return data


def measure_pandoc(markdown: Path, work: Path) -> dict:
    out = work / "pandoc.docx"
    wall, cpu, rss = run_measured(["pandoc", str(markdown), "-f", "markdown", "-t", "docx", "--toc", "-o", str(out)])
    return {"wall": wall, "cpu": cpu, "rss_mb": rss, "size": out.stat().st_size}


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cores": os.cpu_count()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", cpu, re.M)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
    except OSError:
        info["cpu"] = platform.processor() or "?"
    try:
        kb = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
        info["memory"] = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        info["memory"] = "?"
    try:
        info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    libs = {}
    for name in ("python-docx", "Jinja2", "markdown-it-py", "PyYAML", "Pillow", "lxml", "matplotlib", "click"):
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    try:
        import yaml
        libs["PyYAML"] = libs.get("PyYAML", "?") + (" (libyaml)" if yaml.__with_libyaml__ else " (pure Python)")
    except ImportError:
        pass
    info["libs"] = libs
    pandoc = shutil.which("pandoc")
    if pandoc:
        first = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()
        info["pandoc"] = first[0] if first else "pandoc"
    return info


# ---------------------------------------------------------------- report
def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def stage_medians(rows: list[dict]) -> dict[str, float]:
    return {s: statistics.median(r["stages"].get(s, 0.0) for r in rows) for s in STAGES}


def summarize(results: dict, info: dict, repeat: int, large_info: dict) -> tuple[str, list[str]]:
    demo, large = results["demo"], results["large"]
    d_wall, l_wall = median(demo["ours"], "wall"), median(large["ours"], "wall")
    d_cpu, l_cpu = median(demo["ours"], "cpu"), median(large["ours"], "cpu")
    d_rss, l_rss = max(r["rss_mb"] for r in demo["ours"]), max(r["rss_mb"] for r in large["ours"])
    scale = large_info["scale"]
    verdicts, lines = [], []
    mark = lambda ok: "✅ 达到" if ok else "❌ 未达到"          # noqa: E731
    lines.append(f"_最近一次运行：{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}，每项 {repeat} 轮取中位数"
                 "（峰值内存取最大值）；我们的构建与 pandoc 在同一轮中交替运行。_\n")
    lines.append("**机器**：" + "；".join([
        f"CPU {info['cpu']}", f"{info['cores']} 核", f"内存 {info['memory']}", f"Python {info['python']}",
        info["platform"]] + ([f"开始时的系统负载 {info['load']}"] if "load" in info else [])) + "  ")
    lines.append("**库版本**：" + "，".join(f"{k} {v}" for k, v in info["libs"].items())
                 + (f"；{info['pandoc']}" if "pandoc" in info else "；未安装 pandoc") + "\n")
    lines.append(f"{scale}× 项目由 bench/make_large.py 生成：明细表 {large_info['rows']} 行（示例 {large_info['rows'] // scale} 行），"
                 f"案例 {large_info['cases']} 个，图片 {large_info['images']} 幅（每幅照片都是像素不同的独立文件，"
                 "不会被去重）。\n")

    head = "| 构建 | 墙钟时间 | CPU 时间 | 峰值内存 | " + " | ".join(STAGES) + " | 输出大小 |"
    lines += [head, "|" + "---|" * (len(STAGES) + 5)]
    for label, key in (("示例项目：reportgen build", "demo"), (f"{scale}× 项目：reportgen build", "large")):
        rows = results[key]["ours"]
        st = stage_medians(rows)
        lines.append(f"| {label} | {median(rows, 'wall'):.2f} s | {median(rows, 'cpu'):.2f} s | "
                     f"{max(r['rss_mb'] for r in rows):.0f} MB | " + " | ".join(f"{st[s]:.2f}" for s in STAGES)
                     + f" | {rows[-1]['size'] / 1e6:.1f} MB |")
        if results[key].get("pandoc"):
            p = results[key]["pandoc"]
            lines.append(f"| 同内容：pandoc Markdown → .docx | {median(p, 'wall'):.2f} s | {median(p, 'cpu'):.2f} s | "
                         f"{max(r['rss_mb'] for r in p):.0f} MB | " + " | ".join("" for _ in STAGES)
                         + f" | {p[-1]['size'] / 1e6:.1f} MB |")
    imp = statistics.median(r["import"] for r in demo["ours"])
    lines.append(f"\n阶段时间为构建子进程内各阶段的秒数（write 含图表绘制、图片缩放与打包）；墙钟时间另含 Python 启动与导入"
                 f"（约 {imp:.2f} s）。pandoc 原样嵌入照片（不旋转、不缩小），所以它的输出大得多。\n")

    lines.append("| 目标 | 结果 | 是否达到 |")
    lines.append("|---|---|---|")
    if demo.get("pandoc"):
        p_wall, p_cpu = median(demo["pandoc"], "wall"), median(demo["pandoc"], "cpu")
        ratio, cpu_ratio = d_wall / p_wall, d_cpu / p_cpu
        ok = ratio <= TARGET_RATIO
        verdicts.append(f"pandoc 比值 {ratio:.2f}（CPU 时间 {cpu_ratio:.2f}；目标 ≤ {TARGET_RATIO}）：{'达到' if ok else '未达到'}")
        lines.append(f"| 示例项目构建 ≤ 同内容 pandoc（比值 ≤ {TARGET_RATIO}） | 墙钟 {d_wall:.2f} s ÷ {p_wall:.2f} s = "
                     f"**{ratio:.2f}**；CPU {d_cpu:.2f} s ÷ {p_cpu:.2f} s = {cpu_ratio:.2f} | {mark(ok)} |")
        if large.get("pandoc"):
            lp, lpc = median(large["pandoc"], "wall"), median(large["pandoc"], "cpu")
            lines.append(f"| （参考）{scale}× 项目与 pandoc 之比 | 墙钟 {l_wall / lp:.2f}；CPU {l_cpu / lpc:.2f} | — |")
    else:
        lines.append("| 示例项目构建 ≤ 同内容 pandoc | 未安装 pandoc，未测 | — |")
    scaling, cpu_scaling = l_wall / d_wall, l_cpu / d_cpu
    ok = scaling <= TARGET_SCALING
    verdicts.append(f"{scale}× 内容耗时 {scaling:.1f} 倍（CPU {cpu_scaling:.1f} 倍；目标 ≤ {TARGET_SCALING:g}）："
                    f"{'达到' if ok else '未达到'}")
    lines.append(f"| {scale}× 内容耗时 ≤ {TARGET_SCALING:g}× | 墙钟 {l_wall:.2f} s ÷ {d_wall:.2f} s = **{scaling:.1f}×**；"
                 f"CPU {cpu_scaling:.1f}× | {mark(ok)} |")
    ok = l_rss <= TARGET_MEMORY_MB
    verdicts.append(f"{scale}× 构建峰值内存 {l_rss:.0f} MB（目标 ≤ {TARGET_MEMORY_MB} MB）：{'达到' if ok else '未达到'}")
    lines.append(f"| {scale}× 构建峰值内存 ≤ {TARGET_MEMORY_MB} MB | **{l_rss:.0f} MB**（示例项目 {d_rss:.0f} MB） | {mark(ok)} |")
    return "\n".join(lines) + "\n", verdicts


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace our marked block in BENCHMARKS.md (other sections are left alone)."""
    results.write_section(path, START, END, HEADING, text)


# ---------------------------------------------------------------- main
def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child_build(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    if argv and argv[0] == "--markdown":
        child_markdown(Path(argv[1]), Path(argv[2]))
        return 0
    ap = argparse.ArgumentParser(description="性能测试：构建示例项目与 10 倍规模项目，并与 pandoc 对比")
    ap.add_argument("--repeat", type=int, default=3, help="每项测量的轮数（取中位数）")
    ap.add_argument("--scale", type=int, default=10, help="大型项目是示例内容的多少倍")
    ap.add_argument("--no-pandoc", action="store_true", help="不与 pandoc 对比")
    ap.add_argument("--no-write", action="store_true", help="只打印结果，不写 BENCHMARKS.md")
    ap.add_argument("--keep", type=Path, help="把生成的大型项目和输出保留在此文件夹")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(BENCH))
    from make_large import make_large
    use_pandoc = not args.no_pandoc and shutil.which("pandoc") is not None
    if not args.no_pandoc and not use_pandoc:
        print("未找到 pandoc（apt-get install pandoc），跳过对比。", file=sys.stderr)

    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        projects = {"demo": work / "demo", "large": work / "large"}
        if projects["demo"].exists():
            shutil.rmtree(projects["demo"])
        shutil.copytree(DEMO, projects["demo"], ignore=shutil.ignore_patterns("build"))
        print(f"生成 {args.scale}× 项目……", file=sys.stderr)
        large_info = make_large(projects["large"], args.scale)
        results = {k: {"ours": [], "pandoc": []} for k in projects}
        md = {}
        if use_pandoc:
            for key, project in projects.items():
                md[key] = work / f"{key}.md"
                run_measured([sys.executable, str(Path(__file__).resolve()), "--markdown", str(project), str(md[key])])
        for r in range(args.repeat):
            for key, project in projects.items():
                out_dir = work / f"out-{key}-{r}"      # a fresh folder: every build is a first build
                shutil.rmtree(out_dir, ignore_errors=True)
                out_dir.mkdir()
                ours = measure_ours(project, out_dir)
                results[key]["ours"].append(ours)
                line = f"第 {r + 1} 轮 {key}: reportgen {ours['wall']:.2f} s, {ours['rss_mb']:.0f} MB"
                if use_pandoc:
                    p = measure_pandoc(md[key], out_dir)
                    results[key]["pandoc"].append(p)
                    line += f"; pandoc {p['wall']:.2f} s, {p['rss_mb']:.0f} MB"
                print(line, file=sys.stderr)
        text, verdicts = summarize(results, machine(), args.repeat, large_info)
        print(text)
        for v in verdicts:
            print("· " + v, file=sys.stderr)
        if not args.no_write:
            write_section(text)
            print(f"已写入 {RESULTS}", file=sys.stderr)
        (work / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
