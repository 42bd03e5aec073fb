"""Markdown (after Jinja) → document model blocks, keeping which file and line each came from.

Our additions to Markdown are containers (mdit-py-plugins): `::: 案例 标题` … `:::` for cases,
and `::: table ID` / `::: appendix ID` emitted by the template functions table()/appendix_table().
A paragraph holding only images is a figure. This module knows nothing about .docx.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from ..doc.model import Block, Case, Figure, Heading, Image, Inline, Origin, Paragraph, Placeholder, Table, Text
from ..errors import Location, Problems
from .extras import CONTAINERS as EXTRA_CONTAINERS, container_blocks
from .grid import grid_table

SOURCE_MARK = re.compile(r"<!--\s*reportgen-source:\s*(.+?)\s*-->")
PLACEHOLDER = re.compile(r"【待补充[：:][^】]*】")
# **bold** is paired left to right before markdown-it sees it: CommonMark's flanking rules fail next to
# CJK punctuation ("**第一。**文字**第二**文字" would bold 文字), so pairs become private-use marks it
# leaves alone, read back in _inlines. A pair stays inside one paragraph; \* stays a literal star.
STRONG_OPEN, STRONG_CLOSE = "\ue000", "\ue001"
_MARKS = re.compile(f"([{STRONG_OPEN}{STRONG_CLOSE}])")
CONTAINERS = ("案例", "table", "appendix", "chart", "表格")


def source_marker(name: str) -> str:
    return f"\n<!-- reportgen-source: {name} -->\n\n"


@dataclass
class Resolver:
    """What the Markdown stage needs from the outside, as plain callbacks."""
    table: Callable[[str, Location], Table | None]
    appendix: Callable[[str, Location], Table | None]
    image: Callable[[str, Location], str | None]
    problems: Problems
    chart: Callable[[str, str, Location], Figure | None] | None = None   # id, caption override


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    for name in CONTAINERS + EXTRA_CONTAINERS:
        md.use(container_plugin, name=name)
    return md


_MD = _parser()


def parse_markdown(text: str, resolver: Resolver, default_source: str) -> list[Block]:
    tokens = _MD.parse(pair_strong(text))
    state = _State(resolver, default_source)
    return state.blocks(tokens, 0, len(tokens))[0]


class _State:
    def __init__(self, resolver: Resolver, source: str):
        self.r = resolver
        self.source = source
        self.offset = 0          # rendered line of the current source's first line

    def loc(self, token) -> Location:
        line = token.map[0] - self.offset + 1 if token.map else None
        return Location(self.source, line)

    def blocks(self, tokens, i: int, end: int, closing: str | None = None):
        out: list[Block] = []
        while i < end:
            t = tokens[i]
            if closing and t.type == closing:
                return out, i + 1
            first = len(out)
            if t.type == "html_block":
                m = SOURCE_MARK.search(t.content)
                if m:
                    self.source, self.offset = m.group(1), t.map[1] + 1
                elif t.content.strip() and not t.content.strip().startswith("<!--"):
                    self.r.problems.warning("正文中的 HTML 代码不会显示", self.loc(t))
                i += 1
            elif t.type == "heading_open":
                level = int(t.tag[1])
                out.append(Heading(level=min(level, 4), label="", text=_plain(tokens[i + 1])))
                i += 3
            elif t.type == "paragraph_open":
                out.extend(self.paragraph(tokens[i + 1]))
                i += 3
            elif t.type.startswith("container_") and t.type.endswith("_open"):
                block, i = self.container(tokens, i, end)
                if isinstance(block, list):          # keyvalue and paragraph-style containers (render/extras.py)
                    out.extend(block)
                elif block is not None:
                    out.append(block)
            elif t.type in ("bullet_list_open", "ordered_list_open"):
                items, i = self.list_items(tokens, i, end, ordered=t.type.startswith("ordered"))
                out.extend(items)
            elif t.type in ("fence", "code_block"):
                out.extend(Paragraph([Text(unmark(line))]) for line in t.content.splitlines() if line.strip())
                i += 1
            else:
                i += 1    # hr, blockquote markers etc.: their inner paragraphs are handled as they come
            self.mark_origins(out, first, t)
        return out, i

    def mark_origins(self, out: list[Block], first: int, token) -> None:
        """Blocks made from `token` remember its file and line (reportgen absorb takes edits back there)."""
        loc = self.loc(token)
        for b in out[first:]:
            if hasattr(b, "origin") and (b.origin is None or not b.origin.file):
                b.origin = replace(b.origin or Origin(), file=loc.file, line=loc.line)

    def container(self, tokens, i, end):
        t = tokens[i]
        kind = t.type[len("container_"):-len("_open")]
        closing = f"container_{kind}_close"
        arg = unmark(t.info).strip()[len(kind):].strip()
        loc = self.loc(t)
        if kind == "表格":           # rows are read from the source lines, not as Markdown paragraphs
            j = i + 1
            while j < end and tokens[j].type != closing:
                j += 1
            source = unmark("\n".join(x.content for x in tokens[i + 1:j] if x.type == "inline"))
            return grid_table(arg, source, loc, self.r.problems), j + 1
        inner, i = self.blocks(tokens, i + 1, end, closing)
        if kind == "案例":
            if not arg:
                self.r.problems.error("案例缺少标题：应写作“::: 案例 标题”", loc)
            return Case(label="", title=arg, blocks=[b for b in inner if isinstance(b, (Paragraph, Figure))]), i
        if kind in EXTRA_CONTAINERS:
            return container_blocks(kind, arg, inner, loc, self.r.problems), i
        if kind == "chart":
            caption = "".join(x.text for b in inner if isinstance(b, Paragraph) for x in b.inlines).strip()
            if self.r.chart is None:
                self.r.problems.error("此处不能插入图表", loc)
                return None, i
            return self.r.chart(arg, caption, loc), i
        make = self.r.table if kind == "table" else self.r.appendix
        return make(arg, loc), i

    def list_items(self, tokens, i, end, ordered: bool):
        close = "ordered_list_close" if ordered else "bullet_list_close"
        out, n = [], 0
        i += 1
        while i < end and tokens[i].type != close:
            if tokens[i].type == "list_item_open":
                n += 1
            if tokens[i].type == "paragraph_open":
                for p in self.paragraph(tokens[i + 1]):
                    if isinstance(p, Paragraph):
                        p.inlines.insert(0, Text(f"{n}. " if ordered else "· "))
                    out.append(p)
                self.mark_origins(out, len(out) - 1, tokens[i])     # each item its own line
                i += 3
                continue
            i += 1
        return out, i + 1

    def paragraph(self, inline) -> list[Block]:
        children = inline.children or []
        images = [c for c in children if c.type == "image"]
        rest = [c for c in children if c.type not in ("image", "softbreak") and not (c.type == "text" and not c.content.strip())]
        if images and not rest:
            return [self.figure(images, inline)]
        blocks: list[Block] = []
        inlines = _inlines([c for c in children if c.type != "image"])
        if inlines:
            blocks.append(Paragraph(inlines))
        if images:
            blocks.append(self.figure(images, inline))
        return blocks

    def figure(self, images, inline) -> Figure:
        loc = self.loc(inline)
        parts, caption = [], ""
        for img in images:
            # markdown-it percent-encodes the link: images/照片.jpg arrives as images/%E7%85%A7…
            path = self.r.image(unquote(img.attrs.get("src", "")), loc)
            alt = unmark(img.content).strip()
            caption = caption or unmark(img.attrs.get("title") or "").strip()
            if path:
                parts.append(Image(path=path, caption=alt if len(images) > 1 else ""))
        if not caption:
            caption = unmark(images[0].content).strip() if len(images) == 1 else ""
        if not caption:
            self.r.problems.warning("图片缺少图注（写在 ![ ] 的方括号里）", loc)
        return Figure(label="", caption=caption, images=parts)


def pair_strong(text: str) -> str:
    """Each `**` … `**` pair (not escaped, not part of `***`, not across a blank line) → private-use marks."""
    out: list[str] = []
    opener = None                   # index in `out` of the pending opening `**`
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "\n" and text[i + 1:].lstrip(" \t").startswith("\n"):
            opener = None            # a blank line ends the paragraph: an unpaired ** stays as typed
        if ch == "*":
            j = i
            while j < n and text[j] == "*":
                j += 1
            run = text[i:j]
            if run == "**":
                before = out[-1][-1:] if out else ""
                if opener is not None and before and not before.isspace():
                    out[opener] = STRONG_OPEN
                    out.append(STRONG_CLOSE)
                    opener = None
                    i = j
                    continue
                if j < n and not text[j].isspace():
                    opener = len(out)
            out.append(run)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unmark(text: str) -> str:
    return text.replace(STRONG_OPEN, "").replace(STRONG_CLOSE, "")


def _plain(inline) -> str:
    return unmark("".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline")).strip()
                  or inline.content.strip())


def _inlines(children) -> list[Inline]:
    out: list[Inline] = []
    bold = italic = marked = False
    for c in children:
        if c.type == "strong_open":
            bold = True
        elif c.type == "strong_close":
            bold = False
        elif c.type == "em_open":
            italic = True
        elif c.type == "em_close":
            italic = False
        elif c.type in ("text", "code_inline"):
            for piece in _MARKS.split(c.content):
                if piece in (STRONG_OPEN, STRONG_CLOSE):
                    marked = piece == STRONG_OPEN
                elif piece:
                    out.extend(_placeholders(piece, bold or marked, italic))
        elif c.type == "hardbreak":
            out.append(Text("\n", bold or marked, italic))
        # softbreak: Chinese text joins lines without a space; links keep only their text
    return _merge(out)


def _placeholders(text: str, bold: bool, italic: bool) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos:m.start()], bold, italic))
        out.append(Placeholder(m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:], bold, italic))
    return out


def _merge(inlines: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for x in inlines:
        if out and isinstance(x, Text) and isinstance(out[-1], Text) and \
                (out[-1].bold, out[-1].italic) == (x.bold, x.italic):
            out[-1] = Text(out[-1].text + x.text, x.bold, x.italic)
        else:
            out.append(x)
    return out
