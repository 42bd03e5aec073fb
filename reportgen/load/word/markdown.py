"""Structured Word blocks → the project's Markdown dialect, so Jinja, numbering, captions and cases are shared.

`{{ … }}`, `{% … %}` and 【待补充：…】 are kept whole even when Word split them over runs with
different formatting, and Word's curly quotes and full-width brackets inside `{{ … }}` are made ASCII
(Word's AutoCorrect turns "x" into “x” as people type).
"""
from __future__ import annotations

import re

from .blocks import WCase, WFigure, WHeading, WTable, WText
from .reader import Run

RAW_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|【待补充[：:][^】]*】", re.S)
_ESCAPE = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_LINE_START_NUMBER = re.compile(r"^(\s*\d+)([.)])")
_ASCII_IN_CODE = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "（": "(", "）": ")", "，": ",",
                                "＝": "=", "\u3000": " ", "\xa0": " ", "：": ":"})
TABLE_CONTAINER = "表格"
_OPENING = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def code_to_ascii(code: str) -> str:
    """Word's typographic quotes, brackets and commas in a `{{ … }}` reference made ASCII, except inside
    its quoted names: `{{ ind[“全日制国（境）外留学生人数”] }}` keeps the name's own full-width brackets.
    One character for one, so positions do not move."""
    out, closing = [], None
    for ch in code:
        if closing is None:
            if ch in _OPENING:
                closing = _OPENING[ch]
            out.append(ch.translate(_ASCII_IN_CODE))
        elif ch == closing or ch == '"' and closing == "”" or ch == "'" and closing == "’":
            closing = None
            out.append(ch.translate(_ASCII_IN_CODE))
        else:
            out.append(ch)
    return "".join(out)


def to_markdown(blocks: list, shift: int = 0) -> str:
    return to_markdown_lines(blocks, shift)[0]


def to_markdown_lines(blocks: list, shift: int = 0) -> tuple[str, list[int]]:
    """The Markdown, and for each of its lines the Word paragraph (第 N 段) it came from (0: unknown)."""
    parts: list[str] = []
    paras: list[list[int]] = []
    prev_list = None
    for b in blocks:
        text = block_markdown(b, shift)
        if text is None:
            continue
        lines = _block_paragraphs(b, text)
        kind = b.list_kind if isinstance(b, WText) else None
        if kind and kind == prev_list and parts:
            parts[-1] += "\n" + text         # items of one list stay together
            paras[-1] += lines
        else:
            parts.append(text)
            paras.append(lines)
        prev_list = kind
    line_paras: list[int] = []
    for i, lines in enumerate(paras):
        line_paras += lines + ([0] if i < len(paras) - 1 else [])      # the blank line between blocks
    return "\n\n".join(parts) + "\n", line_paras


def _block_paragraphs(b, text: str) -> list[int]:
    n = text.count("\n") + 1
    if isinstance(b, WCase) and b.blocks:           # title line, the blocks inside, closing line
        inner = to_markdown_lines(b.blocks)[1][:n - 2]
        return [b.para] + [p or b.para for p in inner] + [b.para] * (n - 1 - len(inner))
    para = (b.caption_para or b.para) if isinstance(b, WTable) else b.para
    return [para] * n


def block_markdown(b, shift: int = 0) -> str | None:
    if isinstance(b, WHeading):
        return "#" * min(max(b.level + shift, 1), 4) + " " + escape(b.text.replace("\n", " "))
    if isinstance(b, WText):
        text = inline_markdown(b.runs)
        if not text.strip():
            return None
        if b.list_kind:
            return ("1. " if b.list_kind == "ordered" else "- ") + text.replace("\\\n", " ")
        return text
    if isinstance(b, WFigure):
        return figure_markdown(b)
    if isinstance(b, WTable):
        return table_markdown(b)
    if isinstance(b, WCase):
        inner = to_markdown(b.blocks).strip()
        return f"::: 案例 {escape(b.title)}\n{inner}\n:::"
    return None


def figure_markdown(f: WFigure) -> str:
    kept = [img for img in f.images if img.src]
    lost = [img for img in f.images if not img.src]
    named = f"“{f.caption}”" if f.caption and not kept else ""      # the caption survives its lost picture
    lines = [f"【待补充：图片{named}未能读取（{img.problem}）】" for img in lost]
    caption = f.caption.replace('"', "“")
    if len(kept) == 1:
        lines.append(f"![{escape(caption or kept[0].caption)}]({kept[0].src})")
    elif kept:
        images = [f"![{escape(img.caption)}]({img.src})" for img in kept]
        images[-1] = images[-1][:-1] + f' "{caption}")' if caption else images[-1]
        lines.append(" ".join(images))
    return "\n\n".join(lines)


def table_markdown(t: WTable) -> str:
    lines = [f"::: {TABLE_CONTAINER} {escape(t.caption)}".rstrip()]
    for row in t.table.rows:
        cells = []
        for c in row:
            if c.colspan == 0:
                cells.append("<")
            elif c.rowspan == 0:
                cells.append("^")
            else:
                cells.append(cell_text(c.text))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(":::")
    return "\n".join(lines)


def cell_text(text: str) -> str:
    text = " ".join(text.split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "\\" + text if text in ("^", "<") else text


def inline_markdown(runs: list[Run]) -> str:
    chars = [(ch, r.bold, r.italic) for r in runs for ch in r.text.replace("\t", " ")]
    full = "".join(c for c, _, _ in chars)
    raw = [False] * len(chars)
    for m in RAW_SPAN.finditer(full):
        _, bold, italic = chars[m.start()]
        code = m.group(0)
        if code.startswith("{"):
            code = code_to_ascii(code)
        else:
            bold = italic = False          # a 【待补充】 mark is highlighted by the writer, not bolded
        for k in range(m.start(), m.end()):
            chars[k] = (code[k - m.start()], bold, italic)
            raw[k] = True
    segments: list[tuple[str, bool, bool, bool]] = []     # text, bold, italic, raw
    for (ch, bold, italic), is_raw in zip(chars, raw):
        if segments and segments[-1][1:] == (bold, italic, is_raw):
            segments[-1] = (segments[-1][0] + ch, bold, italic, is_raw)
        else:
            segments.append((ch, bold, italic, is_raw))
    out = []
    for text, bold, italic, is_raw in segments:
        body = text if is_raw else escape(text)
        stripped = body.strip()
        if (bold or italic) and stripped and "\n" not in stripped:
            mark = "**" if bold else "*"
            lead, trail = body[:len(body) - len(body.lstrip())], body[len(body.rstrip()):]
            body = f"{lead}{mark}{stripped}{mark}{trail}"
        out.append(body)
    text = "".join(out)
    lines = [ln.strip(" \u3000\xa0") if i else ln.rstrip(" \u3000\xa0") for i, ln in enumerate(text.split("\n"))]
    lines = [_LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START.sub(r"\1\\\2", ln)) for ln in lines]
    return "\\\n".join(ln for ln in lines if ln) if len(lines) > 1 else lines[0]


def escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)
