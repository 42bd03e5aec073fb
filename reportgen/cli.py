"""Command line: click commands and the one handler (`main`) that turns errors into messages and exit codes.

No domain logic here; no docx or jinja imports.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__
from .console import Group, report_problems, use_chinese_click_texts
from .errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Problems, ReportgenError
from .packs.commands import pack as pack_commands

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
use_chinese_click_texts()          # before the commands below are declared: usage, help and option errors


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="reportgen %(version)s")
def cli():
    """reportgen：由数据生成年度报告的 Word 初稿（学校、集团、企业等，报告类型由模板包决定）。"""


cli.add_command(pack_commands)          # `reportgen pack …` (packs/commands.py)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pack", default="annual-2024", show_default=True, help="模板包名称")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path),
              help="以去年的报告（.docx）为起点：正文、案例、图片、可转为数据的表都导入新项目")
def init(directory: Path, pack: str, source: Path | None):
    """新建报告项目：report.yaml、带说明的数据文件、每个小节一个正文文件（--pack 决定报告类型）。"""
    from .scaffold import scaffold
    if source is not None:
        return _init_from(directory, pack, source)
    created = scaffold(directory, pack)
    click.echo(f"已在 {directory} 建立项目（模板包 {pack}），共 {len(created)} 个文件。")
    click.echo(f"下一步：填写 {directory}/report.yaml 和 data/ 下的数据，在 narrative/ 下撰写正文，"
               f"然后运行 reportgen build {directory}")


def _init_from(directory: Path, pack: str, source: Path) -> None:
    from .adopt import adopt_report
    from .adopt.summary import summary_lines
    result = adopt_report(source, directory, pack)
    report_problems(result.problems)
    click.echo(f"已由 {source.name} 在 {directory} 建立项目（模板包 {pack}）：")
    for line in summary_lines(result):
        click.echo(line)
    click.echo(f"下一步：更新 data/ 下的数据，把正文中去年的数字改为数据引用，然后运行 reportgen build {directory}")


WORKBOOK_OPTION = click.option(
    "--workbook", type=click.Path(dir_okay=False, path_type=Path),
    help="同时读取的数据填报工作簿（.xlsx），与数据文件合并；默认使用 report.yaml 中 workbook 指定的文件")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@WORKBOOK_OPTION
def validate(directory: Path, workbook: Path | None):
    """校验项目数据与模板，列出所有问题及其位置。"""
    from .pipeline import prepare
    from .departments.assign import check_assignment
    problems = Problems()
    check_assignment(directory, problems)              # report.yaml's departments: ids, what nobody owns
    prepared = prepare(directory, problems, workbook=workbook)
    report_problems(prepared.problems)
    n = len(prepared.problems.warnings)
    click.echo("校验通过" + (f"（{n} 个警告）" if n else "") + "。")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@WORKBOOK_OPTION
@click.option("--final", is_flag=True,
              help="发布前检查：列出所有阻止发布的问题（错误、待补充、正文数字不一致、未交回的部门、未取回的初稿修改等），"
                   "全部解决时退出码为 0")
def check(directory: Path, workbook: Path | None, final: bool):
    """逐项列出交叉校验与办学条件标准的结果、涉及的数值及其来源；有未通过的检查时退出码为 1。"""
    if final:
        from .final import final_check
        report = final_check(directory, workbook)
        for line in report.lines():
            click.echo(line)
        if not report.ready:
            sys.exit(EXIT_PROBLEMS)
        return
    from .pipeline import check as run_check
    report, problems = run_check(directory, workbook=workbook)
    for line in report.lines():
        click.echo(line)
    if problems.errors:
        click.echo("")
        click.echo("数据中还有以下问题（相关数值未能参与检查）：")
        report_problems(problems)
    if report.failed or problems.errors:
        sys.exit(EXIT_PROBLEMS)


@cli.command("fix-numbers")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="不再询问，直接替换（供脚本使用）")
def fix_numbers(directory: Path, yes: bool):
    """把正文中与数据一致的填写数字替换为数据引用（如 {{ ind.生师比 }}）；先列出，确认后才修改。"""
    from .fileio import write_atomic
    from .pipeline import check as run_check
    from .prose.fix import apply, describe, replaceable
    report, _ = run_check(directory)
    found = replaceable(report.prose.mentions)
    if not found:
        click.echo("正文中没有可替换为数据引用的填写数字。")
        return
    click.echo(f"以下 {len(found)} 处填写的数字与数据一致，可替换为数据引用：")
    for m in found:
        click.echo("  " + describe(m))
    if not yes and not click.confirm("替换以上数字？", default=False):
        click.echo("未做任何修改。")
        return
    written = apply(directory, found, write_atomic)
    click.echo(f"已替换 {len(found)} 处，修改了 {len(written)} 个文件。")


def _changes_file(ctx, param, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".md", ".docx"):
        raise click.BadParameter("修改说明文件名应以 .md 或 .docx 结尾", param_hint="--changes")
    return value


CHANGES_OPTION = click.option(
    "--changes", type=click.Path(dir_okay=False, path_type=Path), callback=_changes_file,
    help="把与上次构建相比的变化写成修改说明（.md 或 .docx），供审阅")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="输出的 .docx 文件（默认在项目的 build/ 下）")
@WORKBOOK_OPTION
@click.option("--force", is_flag=True, help="即使初稿在上次构建后被修改过（如在 Word 中编辑），也直接覆盖")
@CHANGES_OPTION
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF（与 .docx 同名），并在目录中填入页码")
def build(directory: Path, output: Path | None, workbook: Path | None, force: bool, changes: Path | None,
          pdf: bool):
    """校验、计算并生成 Word 初稿（.docx），列出与上次构建相比的变化。"""
    from .pipeline import build as run_build
    from .regen.present import draft_line, rebuild_lines
    if output is not None and output.suffix.lower() != ".docx":
        raise click.BadParameter("输出文件名应以 .docx 结尾", param_hint="-o/--output")
    if changes is not None:
        from .fileio import guard_changes
        guard_changes(changes, directory, drafts=(output,))
    prepared, s = run_build(directory, output, workbook=workbook, force=force, pdf=pdf)
    report_problems(prepared.problems)
    click.echo(draft_line(s.rebuild) or f"已生成：{s.output}")
    click.echo(f"  章节 {s.chapters} 个，表格 {s.tables} 张，案例 {s.cases} 个，图片 {s.figures} 幅")
    click.echo(f"  待补充 {s.placeholders} 处，警告 {s.warnings} 个")
    from .final import from_prepared
    verdict = from_prepared(prepared, s.rebuild.target if s.rebuild is not None else s.output)
    click.echo(f"  {verdict.verdict()}" + ("" if verdict.ready else f"（运行 reportgen check --final {directory} 查看）"))
    if s.pdf is not None:
        click.echo(f"已生成 PDF：{s.pdf}" + (f"（共 {s.pages} 页）" if s.pages else ""))
        if s.pdf_fonts:
            from .export.fonts import describe
            click.echo("  " + describe(s.pdf_fonts))
    if s.rebuild is not None:
        for line in rebuild_lines(s.rebuild):
            click.echo(line)
        if changes is not None:
            from .regen.publish import write_changelog
            write_changelog(changes, s.rebuild.changes, prepared, s.rebuild.target, s.rebuild.path)
            click.echo(f"修改说明已写入：{changes}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只列出将收回的修改，不写入任何文件")
def absorb(directory: Path, draft: Path, dry_run: bool):
    """把在 Word/WPS 中修改过的初稿收回项目：文字写回 narrative/ 的正文，数字改动列为冲突，列出批注。"""
    from .absorb import absorb as run_absorb
    from .absorb.take import report_lines
    result = run_absorb(directory, draft, write=not dry_run)
    for line in report_lines(result, planned=dry_run):
        click.echo(line)
    if dry_run:
        click.echo("（--dry-run：未写入任何文件）")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="要对比的初稿 .docx（默认为项目 build/ 下的输出文件）；对比的是它旁边的 .manifest.json")
@WORKBOOK_OPTION
@CHANGES_OPTION
def diff(directory: Path, output: Path | None, workbook: Path | None, changes: Path | None):
    """不生成初稿，只列出与上次构建相比的变化（指标、明细表、正文小节、待补充）。"""
    from .pipeline import default_output, prepare
    from .regen.present import diff_lines
    from .regen.publish import diff_project, write_changelog
    if changes is not None:
        from .fileio import guard_changes
        guard_changes(changes, directory, drafts=(output,))
    prepared = prepare(directory, workbook=workbook)
    report_problems(prepared.problems)
    target = output or default_output(prepared.dataset)
    result = diff_project(prepared, target)
    for line in diff_lines(result):
        click.echo(line)
    if changes is not None:
        write_changelog(changes, result.changes, prepared, target)
        click.echo(f"修改说明已写入：{changes}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="存放页面图片的文件夹（默认为项目 build/preview/）")
@click.option("--dpi", type=click.IntRange(30, 300), default=80, show_default=True, help="图片分辨率")
def preview(directory: Path, folder: Path | None, dpi: int):
    """用 LibreOffice 排版报告，把每一页存为 PNG 图片（page-01.png ……），便于预览。"""
    from .pipeline import preview as run_preview
    prepared, pages = run_preview(directory, folder, dpi)
    report_problems(prepared.problems)
    where = pages[0].parent if pages else folder
    click.echo(f"已生成页面预览 {len(pages)} 页：{where}")


@cli.command("workbook")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 .xlsx 文件（默认为项目 build/ 下的“单位名称数据填报.xlsx”）")
def workbook_cmd(directory: Path, output: Path | None):
    """生成数据填报工作簿（.xlsx）：每张明细表一个工作表，另有“指标”和“说明”，已填入现有数据。"""
    if output is not None and output.suffix.lower() != ".xlsx":
        raise click.BadParameter("输出文件名应以 .xlsx 结尾", param_hint="-o/--output")
    from .pipeline import export_workbook
    r = export_workbook(directory, output)
    report_problems(r.problems)
    click.echo(f"已生成填报工作簿：{r.output}")
    click.echo(f"  明细表 {r.tables} 张（现有 {r.rows} 行），原始指标 {r.indicators} 项 × "
               f"{len(r.years)} 个年度（{'、'.join(map(str, r.years))}）")
    click.echo(f"  填好后运行：reportgen build {directory} --workbook {r.output}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="存放任务包的文件夹（默认为项目 build/任务包/）")
@click.option("--department", "departments", multiple=True, help="只生成这个部门的任务包（可多次使用）")
def kit(directory: Path, output: Path | None, departments: tuple[str, ...]):
    """按 report.yaml 的部门分工，为每个部门生成任务包：撰写任务（Word）、数据填报（Excel）和说明，各一个文件夹和 .zip。"""
    from .departments.kit import make_kits
    r = make_kits(directory, output, list(departments) or None)
    for k in r.kits:
        click.echo(f"  {k.department}：{'、'.join(p.name for p in k.files)}（压缩包 {k.zip.name}）")
    click.echo(f"已生成 {len(r.kits)} 个部门的任务包（版本 {r.version}）：{r.output}")
    click.echo(f"各部门交回后运行：reportgen collect {directory} 交回的文件或文件夹")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--department", help="无法从文件判断部门时，指明这些文件是哪个部门交回的")
def collect(directory: Path, files: tuple[Path, ...], department: str | None):
    """收取各部门交回的文件（任意顺序、任意文件名）：正文小节写入 narrative/，数据并入项目；原文件保存在 returns/。"""
    from .departments.collect import collect as run_collect
    r = run_collect(directory, list(files), department)
    for line in r.lines():
        click.echo(line)
    if any(f.unattributed for f in r.refused):
        click.echo("提示：无法判断部门的文件，可加 --department 部门名 指明后重新收取")
    if r.refused:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供其他工具使用）")
def status(directory: Path, as_json: bool):
    """各部门的任务与交回情况：分到的小节和表格、是否交回及时间、问题、剩余待补充，以及总体进度。"""
    from .departments.status import project_status
    report = project_status(directory)
    if as_json:
        import json
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.argument("directories", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听的地址；不是本机地址时需要启动时显示的访问口令")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, metavar="端口号", help="端口（1～65535）")
def serve(directories: tuple[Path, ...], host: str, port: int):
    """启动本机网页：查看各项目进度与问题、上传部门返回的文件、生成并下载初稿。

    项目文件夹可以逐个列出，也可以是其子文件夹均为项目的上级文件夹（默认为当前文件夹）。"""
    from .web.server import serve as run_server
    run_server(list(directories), host, port, echo=click.echo)


def _jobs_option(f):
    return click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
                        help="同时构建的进程数（默认为 CPU 核数）")(f)


def _run_with_progress(worker, jobs: list[tuple], workers: int, label: str):
    from .batch import run_many
    with click.progressbar(length=len(jobs), label=label, file=sys.stderr, show_pos=True) as bar:
        return run_many(worker, jobs, workers, progress=lambda r: bar.update(1))


@cli.command()
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="把所有初稿集中输出到此文件夹（默认各自输出到项目的 build/ 下）")
@_jobs_option
def batch(directories: tuple[Path, ...], out_dir: Path | None, jobs: int | None):
    """批量生成多所学校的初稿（多进程并行）；某校失败不影响其他学校，最后列出汇总表。

    项目文件夹可以逐个列出，也可以是其子文件夹均为学校项目的上级文件夹。有学校失败时退出码为 1。"""
    from .batch import build_school, default_workers, expand_projects, output_names, summary_table
    roots = expand_projects(directories)
    outputs = output_names(roots, out_dir) if out_dir else {}
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    workers = jobs or default_workers()
    started = time.perf_counter()
    results = _run_with_progress(build_school, [(str(r), str(outputs[r]) if out_dir else None) for r in roots],
                                 workers, f"构建 {len(roots)} 所学校（{workers} 个进程）")
    for line in summary_table(results):
        click.echo(line)
    failed = [r for r in results if not r.ok]
    if failed:
        click.echo("\n失败的学校及其首个错误：")
        for r in failed:
            click.echo(f"  {r.school}（{r.directory}）：{r.first_error}")
        click.echo("")
    click.echo(f"共 {len(results)} 所学校：成功 {len(results) - len(failed)} 所，失败 {len(failed)} 所，"
               f"用时 {time.perf_counter() - started:.1f} 秒。")
    if out_dir:
        click.echo(f"初稿已输出到：{out_dir}")
    if failed:
        click.secho("失败的学校请用 reportgen validate 查看全部问题。", err=True, fg="red")
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出的汇总报告（.docx）")
@click.option("--pack", default="aggregate", show_default=True, help="汇总模板包的名称或文件夹（含 aggregate.yaml，如 pack new 所建）")
@click.option("--title", help="报告标题（默认取汇总模板包的设置）")
@click.option("--org", default="", help="编制单位，显示在封面上（如 某省教育厅）")
@click.option("--date", "date_text", default="", help="封面日期（如 2025年1月）")
@_jobs_option
def aggregate(directories: tuple[Path, ...], output: Path, pack: str, title: str | None, org: str,
              date_text: str, jobs: int | None):
    """汇总多所学校的数据，生成汇总报告：指标合计、平均值、中位数、最值、达标学校数、排名和各校附录。

    每所学校先按自己的模板包校验和计算（与 build 相同）；未通过校验的学校不纳入统计，在附录中列出其首个错误。"""
    from .aggregate.collect import collect_school
    from .aggregate.report import render_aggregate, write_aggregate
    from .packs.aggregate import load_aggregate_pack
    from .batch import default_workers, expand_projects
    if output.suffix.lower() != ".docx":
        raise click.BadParameter("输出文件名应以 .docx 结尾", param_hint="-o/--output")
    agg = load_aggregate_pack(pack)
    roots = expand_projects(directories)
    from .fileio import guard_output
    for root in roots:
        guard_output(output, root, "汇总报告")           # never over a school's own files
    workers = jobs or default_workers()
    results = _run_with_progress(collect_school, [(str(r),) for r in roots], workers,
                                 f"校验并计算 {len(roots)} 所学校（{workers} 个进程）")
    ok = [r for r in results if r.ok]
    if not ok:
        click.secho("没有学校通过校验，未生成汇总报告。", err=True, fg="red")
        for r in results:
            click.echo(f"  {r.school}：{r.first_error}", err=True)
        sys.exit(EXIT_PROBLEMS)
    doc, problems = render_aggregate(agg, results, title=title, org=org, date=date_text)
    report_problems(problems)
    problems.raise_if_errors()
    write_aggregate(doc, output)
    click.echo(f"已生成汇总报告：{output}")
    click.echo(f"  纳入统计 {len(ok)} 所学校，未纳入 {len(results) - len(ok)} 所")
    for r in results:
        if not r.ok:
            click.echo(f"  未纳入：{r.school}（{r.first_error}）")


def _chinese_stops(message: str) -> str:
    """click's own ASCII full stop ("缺少参数 '项目文件夹'.") and the space after a sentence, the Chinese way."""
    message = message.strip().replace("。 ", "。").removesuffix(".")
    return message if message.endswith(("。", "？", "！")) else message + "。"


def main(argv=None) -> int:
    try:
        cli.main(args=argv, prog_name="reportgen", standalone_mode=False)
    except ReportgenError as e:        # the user's input, for every command: messages, never a traceback
        report_problems(e.problems())
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        return EXIT_PROBLEMS
    except click.exceptions.UsageError as e:
        if e.ctx is not None:
            click.echo(e.ctx.get_usage(), err=True)
        click.echo(f"用法错误：{_chinese_stops(e.format_message())}（运行 reportgen --help 查看帮助）", err=True)
        return EXIT_USAGE
    except click.exceptions.ClickException as e:
        click.echo(f"错误：{e.format_message()}", err=True)
        return e.exit_code
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_PROBLEMS
    return EXIT_OK


def entry() -> None:
    sys.exit(main())
