"""Load a school project folder into raw records with locations. No business rules here.

report.yaml is read first (`read_config`): it names the pack, which packs/load.py loads; the project's
tables and narrative are then read against that pack (`load_project`)."""
from __future__ import annotations

import os
from pathlib import Path

from ..dataset import RawCell, RawIndicators, RawProject, RawRow, RawTable
from ..fileio import safe_file_name
from ..errors import Location, Problems, UsageError, YamlError, did_you_mean
from ..pack import Pack, Subject
from .schema import validate_node
from .yaml_source import YNode, load_yaml

REPORT_FILE = "report.yaml"
INDICATOR_FILE = Path("data") / "indicators.yaml"
TABLE_DIR = Path("data") / "tables"
NARRATIVE_DIR = Path("narrative")
BUILD_DIR = Path("build")          # where outputs go unless told otherwise: draft, workbook, charts, preview


def draft_name(config: dict, folder: Path, subject: Subject) -> str:
    """The draft's file name: report.yaml's `output`, else <name><the pack's report name><year>.docx
    (the folder's name when report.yaml names no school, group or enterprise)."""
    school = config.get("school") if isinstance(config.get("school"), dict) else {}
    if config.get("output"):
        return str(config["output"])          # a plain file name: schemas/report.json
    # a name may hold anything ("/", "..", CON, invisible characters): made a safe file name
    return safe_file_name(subject.titled(school.get('name') or folder.name, config.get('year', ''))) + ".docx"


def read_config(root: Path, problems: Problems) -> YNode:
    """report.yaml, checked against its schema; raises when the project cannot be read at all."""
    if not root.is_dir():
        if root.exists():
            raise UsageError("这是一个文件，不是项目文件夹（请给出含有 report.yaml 的文件夹）", Location(str(root)))
        raise UsageError(f"项目文件夹不存在：{root}")
    if not (root / REPORT_FILE).is_file():
        raise UsageError(f"{root} 不是 reportgen 项目（缺少 {REPORT_FILE}；可用 reportgen init 新建）")
    config_node = _read(root, Path(REPORT_FILE), problems)
    if config_node is None or not validate_node(config_node, "report", REPORT_FILE, problems):
        problems.raise_if_errors()
    return config_node


def load_project(root: Path, config: YNode, pack: Pack, problems: Problems) -> RawProject:
    """Read the project's data and narrative for `pack`; collect data problems in `problems`."""
    return RawProject(
        root=root, config=config.plain(), config_loc=config.loc, pack=pack,
        tables=_tables(root, pack.tables, problems),
        indicators=_indicators(root, problems),
        narrative=_narrative(root, pack, problems),
    )


def _read(root: Path, rel: Path, problems: Problems) -> YNode | None:
    try:
        node = load_yaml(root / rel, rel.as_posix())
    except YamlError as e:
        problems.error(e.message, e.location)
        return None
    for w in node.warnings if node is not None else ():
        problems.warning(w.message, w.location)
    return node


def _tables(root: Path, defs: dict, problems: Problems) -> dict[str, RawTable]:
    out: dict[str, RawTable] = {}
    folder = root / TABLE_DIR
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        rel = (TABLE_DIR / path.name).as_posix()
        if path.stem not in defs:
            hint = did_you_mean(path.stem, defs, template="，是否应为 {}.yaml？")
            problems.warning(f"模板包中没有 id 为“{path.stem}”的明细表，此文件未使用{hint}", Location(rel))
            continue
        node = _read(root, TABLE_DIR / path.name, problems)
        if node is None:
            out[path.stem] = RawTable(path.stem, [], Location(rel))
            continue
        if node.kind != "seq":
            problems.error("明细表文件应为列表：每行以“- ”开头，列名: 取值", node.loc)
            continue
        out[path.stem] = _table(path.stem, node, rel, defs[path.stem], problems)
    return out


def _table(tid: str, node: YNode, rel: str, tdef, problems: Problems) -> RawTable:
    """Rows keyed by the pack's column names (a header alias counts as its column); other keys are kept
    as extra columns for check/data.py to report once per table."""
    rows, extra, total = [], {}, None
    for i, rnode in enumerate(node.value, start=1):
        if rnode.kind != "map":
            problems.error(f"第 {i} 行应为“列名: 取值”的映射", rnode.loc)
            continue
        if is_total_row(rnode):
            if total is not None:
                problems.error(f"本表有多个“合计”行（第一个在第 {total.loc.line} 行），请只保留一个", rnode.loc)
                continue
            total = RawRow({col.name: RawCell(v.value, v.loc, v.raw if v.value is not None else None)
                            for k, v in rnode.value.items() if (col := tdef.column_named(k)) and v.kind == "scalar"},
                           rnode.loc)
            continue
        cells, serial = {}, None
        for key, vnode in rnode.value.items():
            col = tdef.column_named(key)
            if col is None:
                if key == SERIAL and vnode.kind == "scalar":
                    serial = RawCell(vnode.value, vnode.loc)   # the tool numbers rows; a typed one is only checked
                if key in (SERIAL, "合计"):
                    continue
                extra.setdefault(key, vnode.loc)
                continue
            if vnode.kind != "scalar":
                problems.error(f"“{key}”应为单个取值", vnode.loc)
                continue
            cells[col.name] = RawCell(vnode.value, vnode.loc, vnode.raw if vnode.value is not None else None)
        rows.append(RawRow(cells, rnode.loc, serial))
    return RawTable(tid, rows, Location(rel), extra, total)


SERIAL = "序号"
TOTAL_WORDS = {"合计", "总计"}     # a 合计 row the school typed, in YAML or a workbook


def is_total_row(rnode: YNode) -> bool:
    """A row the school typed as the table's 合计 (序号 or a text cell reads 合计): checked, not data."""
    return any(v.kind == "scalar" and isinstance(v.value, str) and
               "".join(v.value.split()) in TOTAL_WORDS for v in rnode.value.values())


def _indicators(root: Path, problems: Problems) -> RawIndicators:
    out = RawIndicators()
    if not os.path.lexists(root / INDICATOR_FILE):
        return out                      # a folder or a pipe of that name is reported by the reader
    node = _read(root, INDICATOR_FILE, problems)
    if node is None:
        return out
    if node.kind != "map":
        problems.error("指标文件应为“指标名称: {年度: 数值}”的映射", node.loc)
        return out
    for name, vnode in node.value.items():
        out.name_locs[name] = vnode.loc
        if vnode.kind != "map":
            problems.error(f"指标“{name}”应按年度给出，如 {{2023: 100, 2024: 120}}", vnode.loc)
            continue
        years = {}
        for ykey, ynode in vnode.value.items():
            year = str(ykey).strip().removesuffix("年")
            if not year.isdigit() or not 1990 <= int(year) <= 2100:
                problems.error(f"指标“{name}”的年度“{ykey}”应为四位年份", ynode.loc)
                continue
            years[int(year)] = RawCell(ynode.value, ynode.loc, ynode.raw if ynode.value is not None else None)
        out.cells[name] = years
    return out


def _narrative(root: Path, pack, problems: Problems) -> dict[str, list[Path]]:
    folder = root / NARRATIVE_DIR
    out = {}
    ids = {c.id for c in pack.chapters}
    if folder.is_dir():
        for sub in sorted(folder.iterdir()):
            if sub.is_dir() and sub.name not in ids:
                hint = did_you_mean(sub.name, ids, template="，是否应为 {}？")
                problems.warning(f"模板包没有 id 为“{sub.name}”的章节，此文件夹未使用{hint}",
                                 Location((NARRATIVE_DIR / sub.name).as_posix()))
    for ch in pack.chapters:
        d = folder / ch.id
        for other in sorted(d.glob("*")) if d.is_dir() else []:
            if other.name.startswith(("~$", ".")) or other.suffix in NARRATIVE_TYPES:
                continue
            where = Location(other.relative_to(root).as_posix())
            if other.suffix.lower() in OLD_WORD_TYPES:
                from .word.package import SAVE_AS_DOCX
                problems.error(f"旧版 {other.suffix} 格式无法读取；{SAVE_AS_DOCX}", where)
            elif other.is_file():             # a section nobody would see in the draft: say so
                problems.warning(f"此文件未使用（章节文件夹中只读取 .md 和 .docx 文件）{_rename_hint(other)}", where)
        # not only regular files: a folder, a pipe or a link named 01.md is reported by its reader
        out[ch.id] = sorted(p for p in d.iterdir() if p.suffix in NARRATIVE_TYPES
                            and not p.name.startswith((".", "~$"))) if d.is_dir() else []   # ~$: Word's lock file
    return out


NARRATIVE_TYPES = (".md", ".docx")


def _rename_hint(path: Path) -> str:
    """What the name most likely should be: Notepad adds .txt, Windows hides it; a trailing dot; capitals."""
    name = path.name
    for wanted in NARRATIVE_TYPES:
        for extra in (".txt", "."):
            if name.lower().endswith(wanted + extra):
                stem = name[:-len(wanted + extra)]
                return f"；看来是保存时多了“{name[-len(extra):]}”，请改名为“{stem}{wanted}”"
        if path.suffix.lower() == wanted:
            return f"；扩展名请用小写，改名为“{path.stem}{wanted}”"
    return ""
OLD_WORD_TYPES = (".doc", ".wps", ".wpt", ".dot")
WORD_IMAGES = Path("build") / "word-images"      # pictures taken out of Word sections; images/ is the school's


def word_sections(root: Path, narrative: dict[str, list[Path]], problems: Problems) -> dict:
    """Each Word section as Markdown (load/word.WordSection), so the rest of the pipeline treats it like a .md file."""
    from .word import WordFileError, read_word_section
    out = {}
    for chapter, paths in narrative.items():
        for path in paths:
            if path.suffix != ".docx":
                continue
            rel = path.relative_to(root).as_posix()
            try:
                out[rel] = read_word_section(path, problems, label=rel, media_dir=root / WORD_IMAGES / chapter,
                                        media_rel=(WORD_IMAGES / chapter).as_posix())
            except WordFileError as e:
                problems.error(e.message, e.location)
    for chapter in narrative:         # a file that could not be read is left out, after its error
        narrative[chapter] = [p for p in narrative[chapter]
                              if p.suffix != ".docx" or p.relative_to(root).as_posix() in out]
    return out
