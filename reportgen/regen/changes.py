"""What changed between two builds, computed from their manifests (no documents are opened)."""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

MAX_ROWS_SHOWN = 5


@dataclass
class IndicatorChange:
    name: str
    year: str
    old: str            # display text, with unit ("16238 人", "17.6:1", "-")
    new: str
    derived: bool
    note: str = ""      # e.g. "显示均为 0.62 个": the value moved, the printed figure did not


@dataclass
class TableChange:
    id: str
    title: str
    old_count: int
    new_count: int
    added: list[str] = field(default_factory=list)      # a short description of each row
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)    # "row label：列 old → new"
    totals: list[tuple[str, str, str]] = field(default_factory=list)   # column, old, new


@dataclass
class SectionChange:
    title: str
    hunks: list[tuple[list[str], list[str]]] = field(default_factory=list)   # (lines before, lines after)


@dataclass
class AbsorbedEdits:
    """What one `reportgen absorb` wrote into the sources since the last build (regen/trace.py)."""
    file: str                             # the edited draft absorbed
    at: str                               # when (returns/<时间>/)
    written: list[str] = field(default_factory=list)     # the sources changed
    taken: list[str] = field(default_factory=list)       # "章节，第 N 段：改为：…"
    conflicts: int = 0                    # numbers left as they were (listed by absorb)


@dataclass
class Changes:
    baseline: bool = True                 # False: no earlier build to compare with
    tool: str = ""                        # "0.1.0 → 0.2.0" or "程序已更新"; "" when the same
    inputs_added: list[str] = field(default_factory=list)
    inputs_removed: list[str] = field(default_factory=list)
    inputs_modified: list[str] = field(default_factory=list)
    indicators: list[IndicatorChange] = field(default_factory=list)
    tables: list[TableChange] = field(default_factory=list)
    sections_changed: list[SectionChange] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    placeholders_filled: list[tuple[str, str]] = field(default_factory=list)    # section, text
    placeholders_added: list[tuple[str, str]] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)    # departments whose returns came in since (collect)
    absorbed: list[AbsorbedEdits] = field(default_factory=list)   # review edits absorb brought in since
    browser: list[str] = field(default_factory=list)    # rows departments changed in the browser since (regen/browser.py)

    @property
    def raw(self) -> list[IndicatorChange]:
        return [c for c in self.indicators if not c.derived]

    @property
    def derived(self) -> list[IndicatorChange]:
        return [c for c in self.indicators if c.derived]

    @property
    def content_changed(self) -> bool:
        """Anything a reader of the report would see."""
        return bool(self.indicators or self.tables or self.sections_changed or self.sections_added
                    or self.sections_removed or self.placeholders_filled or self.placeholders_added)

    @property
    def inputs_changed(self) -> bool:
        return bool(self.inputs_added or self.inputs_removed or self.inputs_modified)

    @property
    def empty(self) -> bool:
        return self.baseline and not (self.content_changed or self.inputs_changed or self.tool or self.absorbed
                                    or self.browser)


def compare(old: dict | None, new: dict) -> Changes:
    if old is None:
        return Changes(baseline=False)
    ch = Changes()
    ch.tool = _tool(old.get("reportgen", {}), new["reportgen"])
    _inputs(ch, old.get("inputs", {}), new["inputs"])
    ch.indicators = _indicators(old.get("indicators", {}), new["indicators"])
    ch.tables = [t for t in (_table(tid, old.get("tables", {}).get(tid), new["tables"].get(tid))
                             for tid in _union(new["tables"], old.get("tables", {}))) if t]
    _sections(ch, old.get("sections", []), new["sections"])
    _placeholders(ch, old.get("placeholders", []), new["placeholders"])
    before = old.get("departments", {})
    ch.departments = [d for d, h in new.get("departments", {}).items() if before.get(d) != h]
    return ch


def _union(first: dict, second: dict) -> list:
    return list(first) + [k for k in second if k not in first]


def _tool(old: dict, new: dict) -> str:
    if old.get("version") != new.get("version"):
        return f"{old.get('version', '?')} → {new.get('version')}"
    if old.get("code") != new.get("code") or old.get("libraries") != new.get("libraries"):
        return "程序或依赖库已更新"
    return ""


def _inputs(ch: Changes, old: dict, new: dict) -> None:
    ch.inputs_added = [p for p in new if p not in old]
    ch.inputs_removed = [p for p in old if p not in new]
    ch.inputs_modified = [p for p in new if p in old and old[p] != new[p]]


# ---------------------------------------------------------------- indicators
def _indicators(old: dict, new: dict) -> list[IndicatorChange]:
    out = []
    for name in _union(new, old):
        o, n = old.get(name) or {}, new.get(name) or {}
        derived = (n or o).get("kind") == "derived"
        unit = (n or o).get("unit", "")
        years = sorted(set(o.get("values", {})) | set(n.get("values", {})))
        for y in years:
            ov, nv = o.get("values", {}).get(y, "-"), n.get("values", {}).get(y, "-")
            if ov == nv and (o.get("text", {}).get(y) == n.get("text", {}).get(y)):
                continue
            ot, nt = o.get("text", {}).get(y, "-"), n.get("text", {}).get(y, "-")
            note = ""
            if ot == nt:            # a change the display rounds away: show more digits
                note = f"显示均为 {_with_unit(ot, unit)}"
                ot, nt = _precise(ov), _precise(nv)
            out.append(IndicatorChange(name, y, _with_unit(ot, unit), _with_unit(nt, unit), derived, note))
    return out


def _precise(v) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _with_unit(text: str, unit: str) -> str:
    if text in ("-", "") or not unit or text.endswith(unit) or ":" in text:
        return text
    return f"{text} {unit}"


# ---------------------------------------------------------------- tables
def _table(tid: str, old: dict | None, new: dict | None) -> TableChange | None:
    o = old or {"rows": [], "count": 0, "totals": {}, "columns": []}
    n = new or {"rows": [], "count": 0, "totals": {}, "columns": [], "title": o.get("title", tid)}
    if o.get("rows") == n.get("rows") and o.get("totals") == n.get("totals") and o.get("columns") == n.get("columns"):
        return None
    tc = TableChange(tid, n.get("title") or o.get("title") or tid, o.get("count", 0), n.get("count", 0))
    ocols, ncols = o.get("columns", []), n.get("columns", [])
    orows = [dict(zip(ocols, r)) for r in o.get("rows", [])]
    nrows = [dict(zip(ncols, r)) for r in n.get("rows", [])]
    okeys = [tuple(sorted(r.items())) for r in orows]
    nkeys = [tuple(sorted(r.items())) for r in nrows]
    sm = difflib.SequenceMatcher(None, okeys, nkeys, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        olds, news = orows[i1:i2], nrows[j1:j2]
        pairs = _pair_rows(olds, news)
        paired_o = {i for i, _ in pairs}
        paired_n = {j for _, j in pairs}
        for i, j in pairs:
            tc.changed.append(_row_change(olds[i], news[j], ncols or ocols))
        tc.removed += [_row_text(r, ocols) for i, r in enumerate(olds) if i not in paired_o]
        tc.added += [_row_text(r, ncols) for j, r in enumerate(news) if j not in paired_n]
    ot, nt = o.get("totals", {}), n.get("totals", {})
    tc.totals = [(c, ot.get(c, "-"), nt.get(c, "-")) for c in _union(nt, ot) if ot.get(c) != nt.get(c)]
    return tc


def _pair_rows(olds: list[dict], news: list[dict]) -> list[tuple[int, int]]:
    """Old and new rows that are the same record edited: at least half their cells agree."""
    pairs, taken = [], set()
    for i, o in enumerate(olds):
        best, best_score = None, 0
        for j, n in enumerate(news):
            if j in taken:
                continue
            same = sum(1 for k in set(o) | set(n) if o.get(k) == n.get(k) and o.get(k))
            if same > best_score:
                best, best_score = j, same
        filled = max(1, sum(1 for v in o.values() if v))
        if best is not None and best_score * 2 >= filled:
            pairs.append((i, best))
            taken.add(best)
    return pairs


def _row_label(row: dict, cols: list[str]) -> str:
    for c in cols:
        v = row.get(c, "")
        if v and not _numeric(v):
            return v
    return next((row[c] for c in cols if row.get(c)), "（空行）")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def _row_text(row: dict, cols: list[str]) -> str:
    return "，".join(f"{c} {row[c]}" for c in cols if row.get(c))


def _row_change(o: dict, n: dict, cols: list[str]) -> str:
    diffs = [f"{c} {o.get(c) or '（空）'} → {n.get(c) or '（空）'}" for c in cols if o.get(c) != n.get(c)]
    return f"{_row_label(n, cols)}：" + "；".join(diffs)


# ---------------------------------------------------------------- sections and placeholders
def _sections(ch: Changes, old: list, new: list) -> None:
    o = {s["key"]: s for s in old}
    n = {s["key"]: s for s in new}
    for key, s in n.items():
        if key not in o:
            ch.sections_added.append(s["title"])
        elif o[key]["sha256"] != s["sha256"]:
            ch.sections_changed.append(_section_change(s["title"], o[key].get("text", []), s.get("text", [])))
    ch.sections_removed = [s["title"] for key, s in o.items() if key not in n]


def _section_change(title: str, old: list[str], new: list[str]) -> SectionChange:
    sc = SectionChange(title)
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            sc.hunks.append((old[i1:i2], new[j1:j2]))
    return sc


def _placeholders(ch: Changes, old: list, new: list) -> None:
    o = Counter((p["key"], p["text"]) for p in old)
    n = Counter((p["key"], p["text"]) for p in new)
    titles = {p["key"]: p["section"] for p in old + new}
    ch.placeholders_filled = [(titles[k], t) for (k, t) in (o - n).elements()]
    ch.placeholders_added = [(titles[k], t) for (k, t) in (n - o).elements()]
