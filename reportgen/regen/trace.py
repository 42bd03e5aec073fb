"""What each built draft says and where each piece came from, for `reportgen absorb`.

After a build writes a draft, `build/.absorb/<hash>.json` holds the draft read back as units
(`load/word/review.read_units`: paragraphs, table rows) and, for each, its source: a narrative file and
line, a department's Word section (第 N 段), a pack template, or the data (a detail-table cell's file ›
sheet › cell, an appendix figure's indicator). The places of every indicator and detail table are kept
too, for conflicts about numbers a narrative printed. One file per draft: a draft edited from an older
build still finds what that build said. The most recent KEEP traces are kept.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path

from ..doc.model import Case, Figure, Heading, KeyValue, Paragraph, Table
from ..fileio import write_bytes_atomic
from .changes import AbsorbedEdits

BUILD_DIR = "build"                  # = load.project.BUILD_DIR, not imported: absorb starts faster without
TRACE_DIR = ".absorb"                # the YAML schema stack (tests/test_absorb.py checks they agree)
ABSORB_RECORD = "absorbed.json"      # what each reportgen absorb wrote; the next build lists it
ABSORBED_DIR = "修改前"              # returns/<时间>/修改前/: sources as they were before absorb (not inputs)
KEEP = 30
CAPTION_SEP, CASE_SEP = "\u3000", "："       # as write/blocks.py joins a label and its title


def trace_folder(root: Path) -> Path:
    return root / BUILD_DIR / TRACE_DIR


def record_trace(prepared, draft: Path) -> Path | None:
    """Write the trace of the draft at `draft` unless it exists. Never fails a build: None if unreadable."""
    from ..load.word.review import draft_units
    try:
        data = draft.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    folder = trace_folder(prepared.dataset.root)
    path = folder / f"{digest[:16]}.json"
    if path.is_file():
        return path
    units = [_unit_json(u) for u in draft_units(data)]
    _attach_sources(units, _model_units(prepared))
    trace = {"draft": draft.name, "sha256": digest, "built": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
             "units": units, "places": _places(prepared)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, json.dumps(trace, ensure_ascii=False).encode("utf-8"))
        traces = [p for p in folder.glob("*.json") if p.name != ABSORB_RECORD]
        for old in sorted(traces, key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:          # a read-only project folder: the draft is written, absorb will say there is no record
        return None
    return path


def absorbed_since_build(root: Path, mark: bool = True) -> list[AbsorbedEdits]:
    """What absorb took back since the last build, for this build's change report. `mark`: said once —
    the next build no longer lists it (`reportgen diff` only looks)."""
    path = trace_folder(root) / ABSORB_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(record, list):
        return []
    out = []
    for entry in record:
        if not isinstance(entry, dict) or entry.get("reported", True):
            continue
        entry["reported"] = True
        out.append(AbsorbedEdits(str(entry.get("file", "")), str(entry.get("at", "")),
                                 [str(x) for x in entry.get("written", [])], [str(x) for x in entry.get("taken", [])],
                                 int(entry.get("conflicts") or 0)))
    if out and mark:
        try:
            write_bytes_atomic(path, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError:
            pass             # said again next time: nothing lost
    return out


def load_traces(root: Path) -> list[dict]:
    out = []
    for path in sorted(trace_folder(root).glob("*.json")):
        if path.name == ABSORB_RECORD:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("units"), list):
            out.append(data)
    return out


def _unit_json(u) -> dict:
    out = {"kind": u.kind, "text": u.text, "no": u.no, "bold": u.bold, "style": u.style, "looks": u.looks}
    if u.kind == "row":
        out.update(cells=u.cells, table=u.table, row=u.row)
    return out


# ---------------------------------------------------------------- sources
@dataclass
class _ModelUnit:
    text: str
    source: dict
    table: Table | None = None


def _model_units(prepared) -> list[_ModelUnit]:
    ds = prepared.dataset
    narrative = {p.relative_to(ds.root).as_posix() for files in ds.narrative.values() for p in files}
    doc = prepared.rendered.document
    out: list[_ModelUnit] = []
    if doc.cover is not None:
        c = doc.cover
        out += [_ModelUnit(x, {"kind": "template", "file": "封面（模板包 pack.yaml 或 report.yaml）"})
                for x in (c.title, c.subtitle, c.school, c.date, *c.lines) if x]

    def src(b, block: str, label: str = "") -> dict:
        o = getattr(b, "origin", None)
        file = o.file if o else ""
        kind = "word" if file in ds.word_sections else "narrative" if file in narrative else "template"
        s = {"kind": kind, "file": file or "模板包", "line": o.line if o else None, "block": block, "label": label}
        if kind == "word":           # the Word paragraph (第 N 段) this line of its Markdown came from
            paras = ds.word_sections[file].paragraphs
            s["para"] = paras[o.line - 1] if o.line and 0 < o.line <= len(paras) else 0
            s["place"] = str(ds.word_sections[file].location(o.line))
        return s

    for b in doc.blocks:
        for x in ([b] if not isinstance(b, Case) else [b, *b.blocks]):
            if isinstance(x, Heading):
                out.append(_ModelUnit(x.label + x.text, src(x, "heading", x.label)))
            elif isinstance(x, Paragraph):
                text = "".join(i.text for i in x.inlines).strip()
                if text:
                    out.append(_ModelUnit(text, src(x, "para")))
            elif isinstance(x, Case):
                label = x.label + CASE_SEP if x.label else ""
                out.append(_ModelUnit(label + x.title, src(x, "case", label)))
            elif isinstance(x, Figure) and x.caption:
                label = x.label + CAPTION_SEP if x.label else ""
                out.append(_ModelUnit(label + x.caption, src(x, "figure", label)))
            elif isinstance(x, KeyValue):
                out += [_ModelUnit(f"{k}{'' if k.endswith(('：', ':')) else '：'}{v}", src(x, "para"))
                        for k, v in x.items]
            elif isinstance(x, Table):
                label = x.label + CAPTION_SEP if x.label and x.title else x.label
                s = src(x, "caption", label)
                if x.origin and x.origin.data:       # a pack table's title comes from the pack
                    s.update(kind="template", data=x.origin.data)
                out.append(_ModelUnit(label + x.title, s, x))
                out += [_ModelUnit(n, {"kind": "template", "file": "模板包", "block": "note"}) for n in x.notes]
    return out


def _attach_sources(units: list[dict], model: list[_ModelUnit]) -> None:
    """Each unit read back gets the source of the model's unit with the same text (in order)."""
    from ..load.word.review import compare_key
    paras = [i for i, u in enumerate(units) if u["kind"] == "p"]
    sm = SequenceMatcher(None, [compare_key(units[i]["text"]) for i in paras], [compare_key(m.text) for m in model],
                         autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2)):
                units[paras[i]]["source"] = model[j].source
                if model[j].table is not None:
                    _table_rows(units, paras[i] + 1, model[j])
    for u in units:
        u.setdefault("source", {"kind": "template", "file": "模板包"})


def _table_rows(units: list[dict], start: int, m: _ModelUnit) -> None:
    """The rows read back after a table's caption: the header, the data rows, the 合计."""
    table = m.table
    data = table.origin.data if table.origin else ""
    kind = "data" if data else "narrative-table"
    n = len(table.rows)
    i = start
    while i < len(units) and units[i]["kind"] == "row" and units[i]["table"] == units[start]["table"]:
        u = units[i]
        r = u["row"] - 1
        offset = len(u["cells"]) - len(table.columns)
        if r < 0 and data:
            u["source"] = {"kind": "template", "file": "模板包", "block": "header", "data": data}
        else:                        # a narrative table's header is typed too: its index is -1
            u["source"] = {"kind": kind, "file": m.source.get("file", ""), "block": "row", "data": data,
                           "index": r if r < n else -1, "offset": max(offset, 0)}
            if not data:             # the `::: 表格` line: its rows follow it
                u["source"]["line"] = m.source.get("line")
        i += 1


def _places(prepared) -> dict:
    """Where each number can be changed: every indicator (this year) and every detail table, every cell."""
    ds, ind = prepared.dataset, prepared.indicators
    indicators = {}
    for name in ind.definitions:
        where = "、".join(dict.fromkeys(s.where() for s in ind.sources_of(name, ds.year)))
        formula = ind.formulas.get(name)
        if formula is not None:
            where = f"由公式 {formula.text} 计算" + (f"（{where}）" if where else "")
        indicators[name] = where or "indicators 数据"
    tables = {}
    for tid, data in ds.tables.items():
        cols = data.definition.columns
        tables[tid] = {
            "file": str(data.loc) if data.loc else tid,
            "cells": [[str(locs.get(c.name, rloc)) for c in cols] for locs, rloc in zip(data.locs, data.row_locs)],
            "columns": [c.heading for c in cols],
        }
    appendix = {a.id: list(a.rows) for a in ds.pack.appendix}
    return {"indicators": indicators, "tables": tables, "appendix": appendix, "year": ds.year}

