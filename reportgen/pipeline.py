"""load pack → load project → check → compute → render → write. The only module that knows the order."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .check.data import check_project
from .check.files import warn_unread_workbooks
from .check.rules import CheckReport, run_checks
from .compute.aggregates import Aggregates
from .compute.indicators import IndicatorTable, compute_indicators
from .dataset import Dataset, RawProject
from .doc.model import Case, Figure, Heading, Table, iter_blocks
from .errors import Problems, WriteError
from .fileio import guard_output, write_bytes_atomic
from .load.project import BUILD_DIR, draft_name, load_project, read_config, word_sections
from .packs.load import load_project_pack
from .packs.project_indicators import with_project_indicators, with_project_values
from .packs.project_tables import with_project_tables
from .prose.narrative import as_check_results, check_narrative
from .render.report import RenderResult, render_report
from .render.todo import todo_items
from .timing import stage
from .workbook.merge import apply_workbook
from .workbook.returns import apply_returns

if TYPE_CHECKING:
    from .workbook.export import ExportResult


@dataclass
class Prepared:
    """Everything a build needs before writing: the checked data, computed values, the document."""
    dataset: Dataset
    indicators: IndicatorTable
    rendered: RenderResult
    problems: Problems
    checks: CheckReport | None = None
    aggregates: Aggregates | None = None     # the detail tables' counts and totals, as the document printed them


@dataclass
class Summary:
    chapters: int
    tables: int
    cases: int
    figures: int
    placeholders: int              # every 待补充 (render/todo.py), the verdict's count of them
    warnings: int
    output: Path | None = None
    pdf: Path | None = None        # --pdf: the PDF beside the draft
    pages: int | None = None       # its page count
    pdf_fonts: list = field(default_factory=list)   # (official font, installed face) LibreOffice printed with
    rebuild: object = None         # regen.publish.RebuildResult: manifest, changes, protected draft


def prepare(root: Path, problems: Problems | None = None, timings: dict | None = None,
            workbook: Path | None = None) -> Prepared:
    """Run every stage up to the document model; raises CheckFailed with all problems of the run.

    `timings`, when given, receives the seconds spent in each stage (bench/run.py)."""
    problems = problems or Problems()
    dataset, aggregates, indicators, checks = _computed(root, workbook, problems, timings)
    checks.add_to(problems)
    problems.raise_if_errors()
    with stage(timings, "render"):
        rendered = render_report(dataset, indicators, aggregates, problems, checks)
    problems.raise_if_errors()
    return Prepared(dataset, indicators, rendered, problems, checks, aggregates)


def check(root: Path, workbook: Path | None = None) -> tuple[CheckReport, Problems]:
    """Load, type and compute, then run every cross-check (`reportgen check`). The problems returned are
    the data's own (a cell that is not a number …); the checks' results are in the report."""
    problems = Problems()
    *_, checks = _computed(root, workbook, problems)
    return checks, problems


def _computed(root: Path, workbook: Path | None, problems: Problems, timings: dict | None = None):
    """load → check → compute: the dataset, its aggregates, indicator values and cross-check results."""
    with stage(timings, "load"):
        raw = with_workbooks(load_raw(root, problems), problems, workbook)
        warn_unread_workbooks(root, _workbooks_read(raw, workbook), problems)
    return compute(raw, problems, timings)


def compute(raw: RawProject, problems: Problems, timings: dict | None = None, prose: bool = True):
    """check → compute for data already loaded: the one place the stages after loading are put together
    (a build, `reportgen check`, and a department's return tried before it is taken: `prose=False`, the
    narrative's typed numbers are not the data's problems). Returns the dataset, its aggregates, indicator
    values and cross-check results."""
    with stage(timings, "check"):
        dataset = check_project(raw, problems)
    with stage(timings, "compute"):
        aggregates = Aggregates(dataset.tables)
        indicators = compute_indicators(dataset, aggregates, problems)   # formulas compiled when the pack loaded
        checks = run_checks(dataset, indicators)
        if prose:   # narrative as typed: numbers next to data phrases, references to unreported values (prose/)
            found = check_narrative(dataset, indicators, aggregates, problems)
            checks.results.extend(as_check_results(found, dataset, indicators))
            checks.prose = found
    return dataset, aggregates, indicators, checks


def _workbooks_read(raw: RawProject, workbook: Path | None) -> list[Path]:
    named = raw.config.get("workbook")
    return [p for p in (workbook, raw.root / named if named else None) if p is not None]


def load_raw(root: Path, problems: Problems) -> RawProject:
    """load pack → load project, the narrative's Word sections included (as Markdown, load/word)."""
    raw = load_data(root, problems)
    raw.word_sections = word_sections(root, raw.narrative, problems)
    return raw


def load_data(root: Path, problems: Problems) -> RawProject:
    """load pack → load project's data: report.yaml names the pack; the pack is read, inherited and checked
    (packs/load.py) before the project's data is read against it (load/project.py)."""
    config = read_config(root, problems)
    pack = load_project_pack(root, config.plain(), problems)
    pack = with_project_tables(pack, config, problems)       # report.yaml `tables:` aliases/add/drop
    pack = with_project_indicators(pack, config, problems)   # report.yaml `indicators:` the school's own
    return with_project_values(load_project(root, config, pack, problems), config)


def with_workbooks(raw: RawProject, problems: Problems, workbook: Path | None = None,
                   exclude: str | None = None) -> RawProject:
    """The data a build reads: the YAML with a workbook laid over it (`workbook`, else report.yaml's
    `workbook:`, if any), then the workbooks departments returned (`reportgen collect`; `exclude` leaves
    one department's out, to try its new return against the rest)."""
    raw = apply_workbook(raw, workbook, problems)
    return apply_returns(raw, problems, exclude)


def export_workbook(root: Path, output: Path | None = None) -> ExportResult:
    """`reportgen workbook`: the project loaded as a build loads it (its Word sections aside), written as the
    fill-in workbook (workbook/export.py) — cells hold what a build reads, fingerprints the YAML alone."""
    from .workbook.export import write_workbook
    problems = Problems()
    yaml_raw = load_data(root, problems)
    problems.raise_if_errors()
    current = with_workbooks(yaml_raw, problems)
    problems.raise_if_errors()
    return write_workbook(current, yaml_raw, output, problems)


def default_output(ds: Dataset) -> Path:
    return ds.root / BUILD_DIR / draft_name(ds.config, ds.root, ds.pack.subject)


def build(root: Path, output: Path | None = None, timings: dict | None = None,
          workbook: Path | None = None, force: bool = False, pdf: bool = False,
          office=None) -> tuple[Prepared, Summary]:
    """The draft (and with `pdf`, its PDF, laid out by `office` if given — the web page's running one)."""
    if not pdf:
        return _build(root, output, timings, workbook, force, None)
    from .export.pdf import check_tools, started_office
    check_tools()                              # no LibreOffice: say so before any work
    if office is not None:
        return _build(root, output, timings, workbook, force, office)
    with started_office() as office:           # LibreOffice starts while the draft is made
        return _build(root, output, timings, workbook, force, office)


def _build(root: Path, output: Path | None, timings: dict | None, workbook: Path | None, force: bool,
           office) -> tuple[Prepared, Summary]:
    from .regen.publish import publish
    from .regen.trace import absorbed_since_build, record_trace
    prepared = prepare(root, timings=timings, workbook=workbook)
    out = output or default_output(prepared.dataset)
    guard_output(out, root, "输出的初稿", keep=(workbook,) if workbook else ())
    render, made = (lambda: docx_bytes(prepared)), None
    if office is not None:
        from .export.pdf import make_pdf, previous_toc_pages
        from .write.continued import previous_splits
        with stage(timings, "pdf"):
            # LibreOffice lays the report out first, so the draft's 目录 gets the PDF's page numbers and its
            # long tables their 续表; the previous draft's 目录 numbers and 续表 splits are the first guess
            made = make_pdf(prepared.rendered.document, render, prepared.problems, guess=previous_toc_pages(out),
                            office=office, splits=previous_splits(out))
        render = lambda: made.docx             # noqa: E731
    with stage(timings, "write"):
        # draft + manifest; never overwrites a hand-edited draft unless forced (regen/publish.py)
        result = publish(prepared, out, render, force=force)
        if made and not result.written and result.path == out and out.read_bytes() != made.docx:
            # skipped as up to date (so untouched since the last build) but without 目录 page numbers
            result = publish(prepared, out, render, force=True)
    summary = summarize(prepared, result.path)
    summary.rebuild = result
    record_trace(prepared, result.path)        # what this draft says and where from (reportgen absorb)
    result.changes.absorbed = absorbed_since_build(prepared.dataset.root)    # listed in its change report
    if made:
        summary.pdf, summary.pages, summary.pdf_fonts = result.path.with_suffix(".pdf"), made.pages, made.fonts
        write_bytes_atomic(summary.pdf, made.pdf)
    return prepared, summary


def preview(root: Path, folder: Path | None = None, dpi: int = 80) -> tuple[Prepared, list[Path]]:
    """PNG pages of the report as LibreOffice lays it out, into `folder` (default build/preview/)."""
    from .export.office import pdf_to_pngs
    from .export.pdf import check_tools, make_pdf
    check_tools()
    prepared = prepare(root)
    folder = folder or prepared.dataset.root / BUILD_DIR / "preview"
    # old page-NN.png files there are removed: never in an input folder (images/ may hold such names)
    guard_output(folder, root, "预览图片的文件夹", folder=True)
    made = make_pdf(prepared.rendered.document, lambda: docx_bytes(prepared), prepared.problems,
                    for_screen=dpi <= 100)          # pictures at 100 dpi are enough for such pages
    with tempfile.TemporaryDirectory(prefix="reportgen-preview-") as tmp:
        pdf = Path(tmp) / "preview.pdf"
        pdf.write_bytes(made.pdf)
        staging = Path(tmp) / "pages"
        pages = pdf_to_pngs(pdf, staging, dpi)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("page-*.png"):    # a shorter report must not leave stale pages behind
            old.unlink()
        return prepared, [Path(shutil.move(p, folder / p.name)) for p in pages]


def docx_bytes(prepared: Prepared) -> bytes:
    buf = BytesIO()
    _write_docx(prepared, buf)
    return buf.getvalue()


def _write_docx(prepared: Prepared, f) -> None:
    from .write.docx_writer import write_docx  # python-docx is only loaded when writing
    from .write.images import UnreadableImage
    draw_pending_charts(prepared)
    try:
        write_docx(prepared.rendered.document, f)
    except UnreadableImage as e:
        path = Path(e.path)
        shown = path.relative_to(prepared.dataset.root.resolve()) if path.is_relative_to(prepared.dataset.root.resolve()) else path
        raise WriteError(f"图片无法读取（文件可能已损坏或没有传完整，请重新导出或换一张）：{shown.as_posix()}") from None


def draw_pending_charts(prepared: Prepared) -> None:
    """Draw the charts narrative asked for (into build/charts/) before their figures are written."""
    from .chart.cache import draw_charts
    pending = [(d, img) for d, img in prepared.rendered.charts if not img.path]
    draw_charts(pending, prepared.dataset.root, prepared.rendered.document.typography, prepared.problems)


def summarize(prepared: Prepared, out: Path | None) -> Summary:
    doc = prepared.rendered.document
    blocks = list(iter_blocks(doc.blocks))
    return Summary(
        chapters=sum(isinstance(b, Heading) and b.level == 1 for b in blocks),
        tables=sum(isinstance(b, Table) for b in blocks),
        cases=sum(isinstance(b, Case) for b in blocks),
        figures=sum(isinstance(b, Figure) for b in blocks),
        placeholders=len(todo_items(doc, prepared.dataset.root)),
        warnings=len(prepared.problems.warnings),
        output=out,
    )
