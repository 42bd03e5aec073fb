"""A department's own link and what it may do through it: its tables in a grid, its returns, its state.

Links: the office makes one per department of `departments:`; the token is shown once and stored only as its
SHA-256 (build/web-links/links.json), valid until the department's deadline plus a margin the office sets.
Everything a link does is checked against the assignment, as `reportgen collect` checks a returned file.

Grid saves go into data/tables/<表>.yaml through ruamel's round trip (comments and order kept), only when the
rows pass the same typing checks a workbook's rows pass, and only when the file is still the version the page
saw. Each changed row is recorded (who, when, before, after) in returns/网页修改记录.jsonl, which the next
build lists.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, Problems
from ..fileio import write_atomic
from ..load.project import TABLE_DIR
from ..regen.browser import BROWSER_LOG

LINKS = Path("build") / "web-links" / "links.json"
DEFAULT_MARGIN_DAYS = 7
NO_DEADLINE_DAYS = 30                    # a department without a deadline: its link lasts this long


# ------------------------------------------------------------------ links
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_links(root: Path) -> dict:
    try:
        data = json.loads((root / LINKS).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_links(root: Path, links: dict) -> None:
    text = json.dumps(links, ensure_ascii=False, indent=1)
    write_atomic(root / LINKS, lambda f: f.write(text.encode()))


def make_link(root: Path, department: str, deadline: dt.date | None, margin_days: int) -> str:
    """A new token for `department` (an earlier one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(24)
    last_day = (deadline or dt.date.today() + dt.timedelta(days=NO_DEADLINE_DAYS)) + dt.timedelta(days=margin_days)
    expires = dt.datetime.combine(last_day, dt.time(23, 59, 59)).timestamp()
    links = load_links(root)
    entry = links.get(department) or {}
    entry.update({"hash": token_hash(token), "expires": expires, "margin": margin_days, "made": time.time()})
    links[department] = entry
    _save_links(root, links)
    return token


def revoke_link(root: Path, department: str) -> None:
    links = load_links(root)
    if department in links:
        links[department].pop("hash", None)
        links[department]["revoked"] = time.time()
        _save_links(root, links)


def set_note(root: Path, department: str, note: str) -> None:
    links = load_links(root)
    links.setdefault(department, {})["note"] = note.strip()[:500]
    _save_links(root, links)


def department_of(root: Path, token: str) -> str | None:
    """The department a token admits now (compared in constant time), None for a wrong, revoked or late one."""
    if not token:
        return None
    given = token_hash(token)
    found = None
    for name, entry in load_links(root).items():
        stored = entry.get("hash") or ""
        if stored and hmac.compare_digest(stored, given) and time.time() <= float(entry.get("expires") or 0):
            found = name
    return found


def link_state(entry: dict | None) -> str:
    if not entry or not entry.get("hash"):
        return "已撤销" if entry and entry.get("revoked") else "未生成"
    expires = float(entry.get("expires") or 0)
    if time.time() > expires:
        return "已过期"
    return "有效至 " + time.strftime("%Y-%m-%d", time.localtime(expires))


# ------------------------------------------------------------------ the department's tables
@dataclass
class Grid:
    table: str
    title: str
    columns: list[dict]            # name, type, choices, required
    rows: list[dict]               # {"_i": index in the file, column: text}
    version: str
    problem: str = ""              # why the file cannot be shown (located), the grid then stays empty


def grid_of(root: Path, raw, tid: str) -> Grid:
    from .service import version_of
    tdef = raw.pack.tables[tid]
    path = root / TABLE_DIR / f"{tid}.yaml"
    version = version_of(path)
    key = (str(path), version, tuple(c.name for c in tdef.columns))
    cached = _GRIDS.get(key)
    if cached is not None and cached.title == table_title(raw, tid):
        return dataclasses.replace(cached, rows=[dict(r) for r in cached.rows])
    rows = []
    for i, cells in enumerate(_texts(path)):
        if cells is not None:
            row = {"_i": i}
            for col in tdef.columns:
                row[col.name] = next((v for k, v in cells.items() if tdef.column_named(k) is col), "")
            rows.append(row)
    columns = [{"name": c.name, "type": c.type.value, "choices": list(c.choices or []), "required": bool(c.required),
                "width": float(getattr(c, "width", None) or 2)}
               for c in tdef.columns]
    grid = Grid(tid, table_title(raw, tid), columns, rows, version)
    with _GRIDS_LOCK:
        _GRIDS[key] = grid
        while len(_GRIDS) > 64:
            _GRIDS.pop(next(iter(_GRIDS)))
    return dataclasses.replace(grid, rows=[dict(r) for r in rows])


# (file, version of its bytes) -> its grid: ten departments reloading their pages read each file once per change
_GRIDS: dict[tuple, Grid] = {}
_GRIDS_LOCK = threading.Lock()


def table_title(raw, tid: str) -> str:
    from ..render.env import render_title
    context = {"year": raw.config.get("year"), "school": raw.config.get("school") or {}}
    return render_title(raw.pack.tables[tid].title, context)


def _texts(path: Path) -> list[dict[str, str] | None]:
    """Each row of the file as its cells' text as typed (97.30 stays 97.30), None for what is not a row.

    Read by the project's bounded reader only (PyYAML): the round-trip reader is for writing."""
    from ..errors import YamlError
    from ..load.yaml_source import load_yaml
    if not path.is_file():
        return []
    rel = f"{TABLE_DIR.as_posix()}/{path.name}"
    node = load_yaml(path, rel)
    if node is None or node.value is None:
        return []
    if node.kind != "seq":
        raise YamlError("明细表文件应为列表：每行以“- ”开头，列名: 取值", Location(rel))
    return [{str(k): _text(v) for k, v in item.value.items() if v.kind == "scalar"} if item.kind == "map" else None
            for item in node.value]


def _text(v) -> str:
    if v.value is None:
        return ""
    return v.raw if v.raw is not None else str(v.value)


def _load_seq(path: Path):
    """(ruamel YAML, the file's list), for a file the bounded reader has just read (_texts), as yamledit
    does for a mapping: ruamel has none of that reader's limits."""
    from ruamel.yaml import YAML
    from ..errors import YamlError
    rel = f"{TABLE_DIR.as_posix()}/{path.name}"
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    data = yaml.load(path.read_text(encoding="utf-8-sig"))
    if data is not None and not isinstance(data, list):
        raise YamlError("明细表文件应为列表：每行以“- ”开头，列名: 取值", Location(rel))
    return yaml, data


def check_rows(raw, tid: str, title: str, rows: list[dict]) -> Problems:
    """The rows typed against the pack as a workbook's rows are (check/data), each problem at 表 › 第 N 行 › 列."""
    from ..check.data import check_project
    from ..dataset import RawCell, RawIndicators, RawRow, RawTable
    tdef = raw.pack.tables[tid]
    where = f"{title}（网页表格）"
    raw_rows = []
    for n, row in enumerate(rows, start=1):
        cells = {}
        for col in tdef.columns:
            text = str(row.get(col.name) or "").strip()
            if text:
                cells[col.name] = RawCell(text, Location(where, path=f"第 {n} 行 › {col.name}"), text)
        raw_rows.append(RawRow(cells, Location(where, path=f"第 {n} 行")))
    trial = dataclasses.replace(raw, tables={tid: RawTable(tid, raw_rows, Location(where))},
                                indicators=RawIndicators())
    found, out = Problems(), Problems()
    check_project(trial, found)
    for p in found.items:
        if p.location is not None and p.location.file == where:
            out.items.append(p)
    return out


def save_rows(root: Path, raw, tid: str, rows: list[dict], who: str) -> list[dict]:
    """Write the grid's rows into data/tables/<tid>.yaml keeping the file's comments; returns the changes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from .yamledit import save_round_trip
    tdef = raw.pack.tables[tid]
    path = root / TABLE_DIR / f"{tid}.yaml"
    typed = _texts(path)                    # first: the bounded reader refuses a hostile file, located
    if path.is_file():
        yaml, data = _load_seq(path)
    else:
        from ruamel.yaml import YAML
        yaml, data = YAML(), None
    if data is None:
        data = CommentedSeq()
    kept = {int(r["_i"]) for r in rows if isinstance(r.get("_i"), int) and 0 <= r["_i"] < len(data)}
    changes = [{"before": _plain(data[i]), "after": None} for i in range(len(data)) if i not in kept]
    added = []
    for row in rows:
        i = row.get("_i")
        if isinstance(i, int) and i in kept:
            item, was = data[i], typed[i] if i < len(typed) and typed[i] is not None else {}
            before = _plain(item)
            for col in tdef.columns:
                key = next((k for k in item if tdef.column_named(str(k)) is col), col.name)
                text = str(row.get(col.name) or "").strip()
                if not text:
                    item.pop(key, None)
                elif was.get(str(key), "") != text:         # as typed in the file: 97.30 is not rewritten as 97.3
                    item[key] = _typed(text)
            if _plain(item) != before:
                changes.append({"before": before, "after": _plain(item)})
        else:
            item = CommentedMap((c.name, _typed(str(row.get(c.name) or "").strip())) for c in tdef.columns
                                if str(row.get(c.name) or "").strip())
            if item:
                changes.append({"before": None, "after": _plain(item)})
                added.append(item)
    for i in sorted(set(range(len(data))) - kept, reverse=True):
        del data[i]
    data.extend(added)
    if changes:
        save_round_trip(path, yaml, data)
        record_changes(root, who, f"明细表“{table_title(raw, tid)}”", changes)
    return changes


def _typed(text: str):
    """A number the office typed stays a number in the YAML (as a person writes it), the rest is text."""
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if re.fullmatch(r"-?\d{1,15}\.\d{1,6}", text):
        return float(text)
    return text


def _plain(item) -> dict:
    return {str(k): ("" if v is None else str(v)) for k, v in dict(item).items()} if isinstance(item, dict) else {}


def record_changes(root: Path, who: str, what: str, changes: list[dict]) -> None:
    """Append to the record of changes made in the browser (who, when, before, after), never rewriting it."""
    path = root / BROWSER_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "a", encoding="utf-8") as f:
        for c in changes:
            f.write(json.dumps({"who": who, "when": when, "what": what, **c}, ensure_ascii=False) + "\n")
