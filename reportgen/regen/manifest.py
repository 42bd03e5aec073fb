"""The build manifest: what one build read and produced, written beside its draft as JSON.

`OUT.docx` gets `OUT.manifest.json`. It holds the input files with their SHA-256, every indicator
value (raw and derived, every year), each detail table's rows and totals, the sections of the
document with a hash of each, the 【待补充】 placeholders, and the hash of the draft. It carries no
timestamps or absolute paths: the same inputs give the same manifest, byte for byte.

Sections are the chapter introductions (一、… up to its first （一）) and the （一） sections with
everything under them, keyed by their titles without numbering, so inserting a section does not
make every later one look changed. Auto-numbered labels (表 N, 图 N, 案例 N, （三）) are left out
of a section's hash for the same reason; they are kept in the text shown to reviewers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..compute.aggregates import column_total
from ..doc.model import (
    Case,
    Figure,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Placeholder,
    Table,
    Toc,
    iter_blocks,
)
from ..render.display import format_value
from ..render.tables import cell_text
from ..value_kinds import NotReported, is_number
from ..render.env import render_title
from ..workbook.returns import REPLACED_DIR, manifest_entry as department_returns
from .trace import ABSORBED_DIR

FORMAT = 1
CONTENT_KEYS = ("project", "indicators", "tables", "sections", "placeholders")   # what a reader sees
SUFFIX = ".manifest.json"
PACK_PREFIX = "pack:"
SEP = " › "

# files in a project folder that are never inputs: outputs, Office lock files, caches
_OUTPUT_SUFFIXES = (".docx", ".doc", ".wps", ".pdf", SUFFIX)
_SKIP_DIRS = {"build", "__pycache__"}
_DEPENDENCIES = ("python-docx", "Pillow", "jinja2", "PyYAML", "markdown-it-py", "mdit-py-plugins", "openpyxl",
                 "lxml")


def manifest_path(output: Path) -> Path:
    """`build/报告.docx` → `build/报告.manifest.json`."""
    return output.with_name(output.stem + SUFFIX)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- making a manifest
def make_manifest(prepared, output: Path) -> dict:
    """Everything about a build except where its draft went (`output` / `target`, set by publish)."""
    ds = prepared.dataset
    root = ds.root
    files = _Inputs(root, ds.pack.search_path)
    # a chart is drawn from the data (recorded above), and only when the draft is written (or laid out for
    # --pdf): naming its file would make the same report differ with and without drawing
    files.charts = {id(image) for _, image in prepared.rendered.charts}
    sections = _sections(prepared.rendered.document, files)
    manifest = {
        "format": FORMAT,
        "reportgen": tool_fingerprint(),
        "project": {"school": ds.config["school"]["name"], "year": ds.year, "pack": ds.pack.name},
        "inputs": files.hashes,
        "indicators": _indicators(prepared.indicators),
        "tables": _tables(ds.tables, {"year": ds.year, "school": ds.config.get("school", {})}),
        "sections": [{"key": s.key, "title": s.title, "sha256": s.sha256, "text": s.lines} for s in sections],
        "placeholders": [{"section": s.title, "key": s.key, "text": t} for s in sections for t in s.placeholders],
    }
    returned = department_returns(root)
    if returned:
        manifest["departments"] = returned          # who returned what (reportgen collect): changes name them
    manifest["fingerprint"] = sha256_bytes(_dumps({k: manifest[k] for k in ("format", "reportgen", "inputs")}))
    return json.loads(dumps(manifest))       # exactly what a later build will read back


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def load_manifest(path: Path) -> dict | None:
    """The manifest of the last build, or None when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def tool_fingerprint() -> dict:
    """reportgen's version, a hash of its code and its libraries' versions: a change may change the output."""
    return {"version": __version__, "code": _code_hash(), "libraries": _library_versions()}


_CODE_HASH: str | None = None


def _code_hash() -> str:
    global _CODE_HASH
    if _CODE_HASH is None:
        pkg = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for path in sorted(p for p in pkg.rglob("*") if p.suffix in (".py", ".json") and p.is_file()):
            h.update(path.relative_to(pkg).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _CODE_HASH = h.hexdigest()
    return _CODE_HASH


def _library_versions() -> dict:
    out = {}
    for name in _DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


# ---------------------------------------------------------------- inputs
class _Inputs:
    """SHA-256 of every file of the project (relative path) and of every pack layer it uses (`pack:<name>/<path>`).

    A project that extends a pack depends on the parents too: an edit there must count as a change.
    """

    def __init__(self, root: Path, pack_layers: list[Path]):
        self.root = root.resolve()
        self.by_path: dict[Path, str] = {}
        hashes = {}
        for path in _walk(self.root, top_level=True):
            hashes[path.relative_to(self.root).as_posix()] = self._hash(path)
        for layer in (p.resolve() for p in pack_layers):
            if layer.is_relative_to(self.root):
                continue     # the project's own pack/ folder is hashed above, as project files
            for path in _walk(layer, top_level=False):
                hashes[f"{PACK_PREFIX}{layer.name}/{path.relative_to(layer).as_posix()}"] = self._hash(path)
        self.hashes = dict(sorted(hashes.items()))
        self.charts: set[int] = set()     # ids of the Image objects that are charts

    def _hash(self, path: Path) -> str:
        if path not in self.by_path:
            self.by_path[path] = sha256_file(path)
        return self.by_path[path]

    def image(self, path: str) -> str:
        """How a section names an image: its path in the project and the start of its hash."""
        if not path:
            return "（图表，由数据绘制）"      # a chart not drawn yet: its data is in the manifest
        p = Path(path).resolve()
        try:
            shown = p.relative_to(self.root).as_posix()
        except ValueError:
            shown = p.name
        try:
            digest = self._hash(p)[:12]
        except OSError:
            digest = "?"
        return f"{shown} {digest}"


def _walk(folder: Path, top_level: bool):
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith((".", "~$")) or name in _SKIP_DIRS and (top_level or name == "__pycache__") \
                or name in (REPLACED_DIR, ABSORBED_DIR):   # narrative replaced by a return or absorb: kept, not read
            continue
        if path.is_symlink() and path.is_dir():
            continue        # a linked folder is not followed: links back up would make the walk endless
        if path.is_dir():
            yield from _walk(path, False)
        elif path.is_file() and not name.endswith(_OUTPUT_SUFFIXES) and not (top_level and path.suffix == ".md"):
            yield path          # (a change log written into the project folder is not an input either)


# ---------------------------------------------------------------- indicators and tables
def _indicators(table) -> dict:
    out = {}
    for name, d in table.definitions.items():
        values = table.values.get(name, {})
        years = sorted(set(values) | set(table.years))
        out[name] = {
            "kind": d.kind, "unit": d.unit,
            "values": {str(y): _json_value(values.get(y, NotReported())) for y in years},
            "text": {str(y): format_value(d, values.get(y, NotReported())) for y in years},
        }
    return out


def _json_value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v
    if is_number(v):                 # Decimal: exact, as text
        return str(v)
    return "-" if isinstance(v, NotReported) or v is None else str(v)


def _tables(tables: dict, context: dict) -> dict:
    out = {}
    for tid, data in tables.items():
        cols = data.definition.columns
        out[tid] = {
            "title": render_title(data.definition.title, context),      # "{{ year }} 年度…" as printed
            "columns": [c.name for c in cols],
            "count": len(data.rows),
            "totals": {c.name: cell_text(c, column_total(data, c.name)) for c in cols if c.summable},
            "rows": [[cell_text(c, r.get(c.name)) for c in cols] for r in data.rows],
        }
    return out


# ---------------------------------------------------------------- sections
@dataclass
class _Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    sha256: str = ""
    placeholders: list[str] = field(default_factory=list)


def _sections(doc, files: _Inputs) -> list[_Section]:
    sections: list[_Section] = []
    chapter: Heading | None = None
    if doc.cover is not None:
        c = doc.cover
        cover = _Section("封面", "封面")
        cover.lines = [x for x in (c.school, c.title, c.subtitle, c.date, *c.lines) if x]
        sections.append(cover)
    current: _Section | None = None
    for b in doc.blocks:
        if isinstance(b, (Toc, PageBreak)):
            continue          # the 目录 repeats the headings; page breaks carry no text
        if isinstance(b, Heading) and b.level == 1:
            chapter = b
            current = _Section(b.text, b.label + b.text)
            sections.append(current)
        elif isinstance(b, Heading) and b.level == 2:
            parent_key = chapter.text + SEP if chapter else ""
            parent_title = chapter.label + chapter.text + SEP if chapter else ""
            current = _Section(parent_key + b.text, parent_title + b.label + b.text)
            sections.append(current)
        elif current is None:
            current = _Section("（正文开头）", "（正文开头）")
            sections.append(current)
        current.blocks.append(b)
    # a chapter whose text starts straight with （一） has only its heading: not a section of its own
    sections = [s for s in sections if not (len(s.blocks) == 1 and isinstance(s.blocks[0], Heading)
                                             and s.blocks[0].level == 1)]
    seen: dict[str, int] = {}
    for s in sections:
        n = seen[s.key] = seen.get(s.key, 0) + 1
        if n > 1:                               # two sections with the same title: tell them apart
            s.key = f"{s.key} #{n}"
        if s.blocks:
            s.lines = [line for b in s.blocks for line in _lines(b, files, True)]
            plain = [line for b in s.blocks for line in _lines(b, files, False)]
        else:
            plain = s.lines
        s.sha256 = sha256_bytes("\n".join(plain).encode("utf-8"))
        s.placeholders = [i.text for b in iter_blocks(s.blocks) if isinstance(b, Paragraph)
                          for i in b.inlines if isinstance(i, Placeholder)]
    return sections


def _lines(b, files: _Inputs, labels: bool) -> list[str]:
    """The text a reader sees in one block, a line per paragraph or table row."""
    def label(text: str, sep: str = " ") -> str:
        return f"{text}{sep}" if labels and text else ""
    if isinstance(b, Heading):
        return [label(b.label, "") + b.text]
    if isinstance(b, Paragraph):
        return ["".join(i.text for i in b.inlines)]
    if isinstance(b, Table):
        out = [label(b.label) + b.title, "\t".join(c.name for c in b.columns)]
        out += ["\t".join(c.text for c in row) for row in b.rows] or [b.empty_text]
        if b.total_row:
            out.append("合计\t" + "\t".join(c.text for c in b.total_row))
        return out + list(b.notes)
    if isinstance(b, Figure):
        out = [label(b.label) + b.caption]
        return out + [f"[图片 {files.image('' if id(i) in files.charts else i.path)}] {i.caption}".rstrip()
                      for i in b.images]
    if isinstance(b, Case):
        out = [label(b.label, "：") + b.title]
        return out + [line for inner in b.blocks for line in _lines(inner, files, labels)]
    if isinstance(b, KeyValue):
        return [f"{k}：{v}" for k, v in b.items]
    return [str(b)]
