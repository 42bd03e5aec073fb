"""A narrative Markdown file as blocks of source lines, and a block's text edited the way a reviewer
edited its printed form.

A block's source is read as tokens: a character (what it prints), markup that prints nothing (`**`, a
line break, a Jinja comment) and a data reference `{{ … }}` (prints a value). Matching the tokens against
the printed text tells which printed span each reference made. A character diff of printed text and
edited text is then applied to the source: characters as edited, markup kept, a reference kept where its
printed value was left as it was, dropped when deleted with the words around it. An edit that changes a
printed value is not applied: it is a conflict (the number comes from the data). A block with template
logic (`{% … %}`) is not edited: nothing guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..load.word.review import SAME_QUOTES

_TODO = re.compile(r"\{\{-?\s*todo\(")          # a 【待补充】 mark: the text typed over it is the school's
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_ESCAPABLE = set("\\`*_{}[]()#+-.!<>|\"'~")
_HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*?)([ \t]+#+[ \t]*)?$")
_CASE = re.compile(r"^(:::[ \t]*案例[ \t]+)(.*?)[ \t]*$")
_FIGURE = re.compile(r"^(!\[)([^\]]*)(\]\([^)]*\))[ \t]*$")
_FENCE = re.compile(r"^:::")
_DIRECTIVE = re.compile(r"^\s*(\{\{\s*(table|appendix_table|chart)\(|\{%|<!--)")
_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s")


@dataclass
class Chunk:
    kind: str                    # para | heading | case | figure | other
    start: int                   # first line (0-based)
    end: int                     # one past its last line
    prefix: str = ""             # markup before the text on the first line ("## ", "::: 案例 ", "![")
    text: str = ""               # the source of what it prints (lines joined by \n)
    suffix: str = ""             # markup after it ("](images/x.jpg)")
    close: int | None = None     # a case: the line of its closing :::


def chunks(lines: list[str]) -> list[Chunk]:
    out: list[Chunk] = []
    open_cases: list[Chunk] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        m = _CASE.match(line)
        if m:
            c = Chunk("case", i, i + 1, m.group(1), m.group(2))
            out.append(c)
            open_cases.append(c)
            i += 1
            continue
        if _FENCE.match(line):
            if line.strip() == ":::" and open_cases:
                open_cases.pop().close = i
            elif line.strip() != ":::":
                open_cases.append(Chunk("other", i, i + 1))    # another container: its ::: closes it
            i += 1
            continue
        m = _HEADING.match(line)
        if m:
            out.append(Chunk("heading", i, i + 1, m.group(1), m.group(2), m.group(3) or ""))
            i += 1
            continue
        m = _FIGURE.match(line)
        if m:
            out.append(Chunk("figure", i, i + 1, m.group(1), m.group(2), m.group(3)))
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip() and not _FENCE.match(lines[j]) and not _HEADING.match(lines[j]):
            j += 1
        kind = "other" if _DIRECTIVE.match(line) or _LIST.match(line) or line.startswith(("|", ">", "    ")) else "para"
        out.append(Chunk(kind, i, j, text="\n".join(lines[i:j])))
        i = j
    return out


# ---------------------------------------------------------------- tables typed in the narrative
def grid_rows(lines: list[str], start: int) -> list[int] | None:
    """The lines of the rows (header first) of the `::: 表格` opened at line `start`; None when there is no
    such table there or its rows come from template logic (`{% for %}`: a row is not a line)."""
    if not 0 <= start < len(lines) or not re.match(r"^:::\s*表格", lines[start]):
        return None
    rows = []
    for i in range(start + 1, len(lines)):
        line = lines[i].strip()
        if line == ":::":
            return rows
        if "{%" in line:
            return None
        if line.startswith("|"):
            rows.append(i)
    return None


def grid_cells(line: str) -> list[tuple[int, int]]:
    """Each cell's text in a `| a | b |` line as a [start, end) span (spaces around it left out). A `|` is a
    border unless escaped (`\\|`) or inside a data reference (`{{ x | round }}`)."""
    bars, i = [], 0
    while i < len(line):
        m = _JINJA.match(line, i)
        if m:
            i = m.end()
        elif line[i] == "\\":
            i += 2
        else:
            if line[i] == "|":
                bars.append(i)
            i += 1
    if line.rstrip().endswith("|") and len(bars) > 1 and bars[-1] == len(line.rstrip()) - 1:
        ends = bars
    else:
        ends = bars + [len(line.rstrip())]
    out = []
    for a, b in zip(ends, ends[1:]):
        text = line[a + 1:b]
        lead = len(text) - len(text.lstrip())
        out.append((a + 1 + lead, a + 1 + lead + len(text.strip())))
    return out


def grid_cell(source: str) -> str:
    """A cell's new source as a `::: 表格` row holds it: one line; in the typed text (not in a data
    reference) a `|`, a backslash, a lone ^ or < and a Jinja opening are escaped."""
    parts = []
    last = 0
    for m in _JINJA.finditer(source):
        parts += [_grid_typed(source[last:m.start()]), m.group()]
        last = m.end()
    parts.append(_grid_typed(source[last:]))
    text = " ".join("".join(parts).split())
    return "\\" + text if text in ("^", "<") else text


def _grid_typed(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return re.sub(r"\{(?=[{%#])", "{{ '{' }}", text)


# ---------------------------------------------------------------- tokens
@dataclass
class Token:
    kind: str                    # char | markup | ref
    src: str
    shows: str = ""              # what a char prints
    start: int = 0               # printed span [start, end)
    end: int = 0


def tokens(source: str, markdown: bool = True) -> list[Token] | None:
    """None when the source has template logic ({% … %}): its printed text cannot be mapped back.
    `markdown=False`: a Word paragraph's text, where only Jinja is not printed as typed."""
    out: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        m = _JINJA.match(source, i)
        if m:
            if m.group().startswith("{%"):
                return None
            kind = "markup" if not m.group().startswith("{{") else "todo" if _TODO.match(m.group()) else "ref"
            out.append(Token(kind, m.group()))
            i = m.end()
            continue
        ch = source[i]
        if not markdown:                           # (a typed tab prints as a space)
            out.append(Token("char", ch, " " if ch == "\t" else ch))
            i += 1
        elif ch == "\\" and i + 1 < n and source[i + 1] in _ESCAPABLE:
            out.append(Token("char", source[i:i + 2], source[i + 1]))
            i += 2
        elif source.startswith("**", i) or ch == "*":
            run = "**" if source.startswith("**", i) else "*"
            out.append(Token("markup", run))
            i += len(run)
        elif ch == "\n":                           # a soft line break: Chinese lines join without a space
            while out and out[-1].kind == "char" and out[-1].shows in " \t":
                out[-1].kind = "markup"
            j = i + 1
            while j < n and source[j] in " \t":
                j += 1
            out.append(Token("markup", source[i:j]))
            i = j
        else:
            out.append(Token("char", ch, ch))
            i += 1
    return out


def place(toks: list[Token], printed: str) -> bool:
    """Give each token its printed span in `printed`; False when the source does not print it."""
    pattern = "".join("(.*?)" if t.kind in ("ref", "todo") else re.escape(t.shows.translate(SAME_QUOTES))
                      if t.kind == "char" else "" for t in toks)
    m = re.fullmatch(pattern, printed.translate(SAME_QUOTES), re.S)
    if m is None:
        return False
    pos, group = 0, 0
    for t in toks:
        if t.kind in ("ref", "todo"):
            group += 1
            t.start, t.end = m.span(group)
        elif t.kind == "char":
            t.start, t.end = pos, pos + 1
        else:
            t.start = t.end = pos
        pos = t.end
    return True


# ---------------------------------------------------------------- editing
@dataclass
class Conflict:
    ref: str                     # the {{ … }} in the source
    printed: str                 # what it printed
    edited: str                  # what the editor made of that span


@dataclass
class Edited:
    source: str
    conflicts: list[Conflict] = field(default_factory=list)
    refs_kept: int = 0


def edit(toks: list[Token], printed: str, edited: str, markdown: bool = True) -> Edited:
    """The source with the edits of `printed` → `edited` applied (see the module docstring)."""
    refs = [t for t in toks if t.kind == "ref"]
    kept = [True] * len(printed)
    inserts: dict[int, str] = {}
    conflicts: list[Conflict] = []
    ops = SequenceMatcher(None, printed.translate(SAME_QUOTES), edited.translate(SAME_QUOTES),
                          autojunk=False).get_opcodes()
    marks = {t.start for t in toks if t.kind == "markup"}
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        if tag == "delete":
            i1, i2 = _slide(printed, i1, i2, ops[k + 1] if k + 1 < len(ops) else None, marks)
        hit = [r for r in refs if _touches(tag, i1, i2, r)]
        if hit:
            conflicts += [Conflict(r.src, printed[r.start:r.end], _edited_span(ops, edited, r))
                          for r in hit if all(c.ref is not r.src or c.printed != printed[r.start:r.end]
                                              for c in conflicts)]
            continue
        for k in range(i1, i2):
            kept[k] = False
        if j2 > j1:
            inserts[i1] = inserts.get(i1, "") + edited[j1:j2]
    for t in (t for t in toks if t.kind == "todo"):      # a 【待补充】 typed over: the new text, whole
        if not all(kept[t.start:t.end]) or any(p in inserts for p in range(t.start + 1, t.end)):
            text = _edited_span(ops, edited, t, "")
            for p in range(t.start + 1, t.end):
                inserts.pop(p, None)
            kept[t.start:t.end] = [False] * (t.end - t.start)
            typed_before = "".join(edited[j1:j2] for tag, i1, _, j1, j2 in ops if tag == "insert" and i1 == t.start)
            inserts[t.start] = typed_before + text
    out: list[str] = []
    emitted: set[int] = set()

    def insert_at(pos: int) -> None:
        if pos in inserts and pos not in emitted:
            emitted.add(pos)
            out.append(escape(inserts[pos]) if markdown else inserts[pos])

    refs_kept = 0
    for t in toks:
        if t.kind != "markup":
            insert_at(t.start)
        if t.kind == "char":
            out.append(t.src if kept[t.start] else "")
        elif t.kind == "ref":
            if t.start == t.end or any(kept[t.start:t.end]):
                out.append(t.src)
                refs_kept += 1
        elif t.kind == "todo":                     # filled in (or cut): the typed text replaces the mark
            if all(kept[t.start:t.end]):
                out.append(t.src)
        else:
            out.append(t.src)
        for pos in range(t.start + 1, t.end):      # text typed inside a mark's span
            insert_at(pos)
    insert_at(len(printed))
    for pos in sorted(set(inserts) - emitted):     # (a position inside a deleted run)
        out.append(escape(inserts[pos]) if markdown else inserts[pos])
    return Edited(_tidy("".join(out)) if markdown else "".join(out), conflicts, refs_kept)


def _slide(printed: str, i1: int, i2: int, following, marks: set[int]) -> tuple[int, int]:
    """A deletion the diff may place either side of a bold mark ("。**学校…评价" or "学校…评价。") is
    moved off the mark, so the words left keep their bold."""
    limit = following[2] if following and following[0] == "equal" else i2
    while i2 < limit and printed[i1] == printed[i2] and any(i1 < m < i2 + 1 for m in marks):
        i1, i2 = i1 + 1, i2 + 1
    return i1, i2


def _touches(tag: str, i1: int, i2: int, ref: Token) -> bool:
    """Does this edit change the value `ref` printed (not just delete it with the words around it)?"""
    a, b = ref.start, ref.end
    if tag == "insert":
        return a < i1 < b
    if not (i1 < b and a < i2) and not (a == b and i1 < a < i2):
        return False
    return not (tag == "delete" and i1 <= a and b <= i2 and i2 - i1 > b - a)


def _edited_span(ops, edited: str, ref: Token, empty: str = "（删去）") -> str:
    """What the editor made of the span the reference printed."""
    def at(pos: int, end: bool) -> int:
        for tag, i1, i2, j1, j2 in ops:
            if i1 <= pos < i2 or (end and pos == i2 and i1 < i2):
                return j1 + (pos - i1) if tag == "equal" else (j2 if end else j1)
        return len(edited)
    text = edited[at(ref.start, False):at(ref.end, True)]
    return text or empty


def escape(text: str) -> str:
    """Typed text as Markdown that prints it: marks Markdown or Jinja would read are escaped."""
    out = []
    for i, ch in enumerate(text):
        if ch in "\\*_`[]<":
            out.append("\\" + ch)
        elif ch == "{" and text[i + 1:i + 2] in ("{", "%", "#"):
            out.append("{{ '{' }}")
        elif ch == "\n":
            out.append("  \n")
        else:
            out.append(ch)
    return "".join(out)


def _tidy(source: str) -> str:
    source = re.sub(r"\n[ \t]*(?=\n)", "", source)         # a line emptied by the edit: no paragraph break
    source = source.replace("****", "")                     # bold whose words were all deleted
    return source.strip("\n")


def new_paragraph(text: str) -> str:
    return escape(text.strip())
