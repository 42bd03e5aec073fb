"""One chapter assembly for every report a pack renders (a school's draft, the aggregate report).

Each chapter's Markdown becomes blocks: sections left empty marked 【待补充】, bold lead sentences and labels
numbered, the 目录's levels limited; then the pack's options place the 目录, the cover and the running header.
What differs between reports (their context, tables, cover wording) comes in as `Parts`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..doc.model import Block, Cover, Document, Heading, PageBreak, Paragraph, Placeholder, Toc, TocEntry
from ..errors import Problems
from ..load.text import clean
from ..pack import ChapterDef, Pack
from .extras import limit_toc, number_leads
from .markdown import Resolver, parse_markdown
from .numbering import Numberer


@dataclass
class Parts:
    """How one kind of report renders the pieces the assembly puts together."""
    chapter: Callable[[ChapterDef], str | None]     # a chapter's template as Markdown; None: it failed (said)
    resolver: Callable[[], Resolver]                 # the tables, pictures and charts its Markdown names
    cover: Callable[[], Cover]
    header: Callable[[str], str]                     # the pack's running header, rendered
    properties: Callable[[Cover | None, list[Block]], dict]
    after_chapters: Callable[[], None] = lambda: None   # what can be said only once every chapter is rendered


@dataclass
class Assembled:
    document: Document
    sources: dict[str, str]          # chapter id -> its rendered Markdown


def assemble(pack: Pack, env, problems: Problems, parts: Parts) -> Assembled:
    """The document of `pack`'s chapters; `env`'s template loader reports what it cleaned up while reading."""
    blocks, sources = _chapters(pack, parts)
    parts.after_chapters()
    for w in env.loader.warnings:
        problems.warning(w.message, w.location)
    return Assembled(_document(pack, blocks, parts), sources)


def _chapters(pack: Pack, parts: Parts) -> tuple[list[Block], dict[str, str]]:
    numberer = Numberer(pack.numbering)
    blocks: list[Block] = []
    sources = {}
    for ch in pack.chapters:
        text = parts.chapter(ch)
        if text is None:
            continue
        sources[ch.id] = text = clean(text)      # characters a template made ("\x0b") that no document can hold
        chapter_blocks = _chapter(ch, parse_markdown(text, parts.resolver(), pack.file_label(ch.template)), numberer)
        if blocks and ch.page_break:
            blocks.append(PageBreak())
        blocks.extend(chapter_blocks)
    return blocks, sources


def _chapter(ch: ChapterDef, blocks: list[Block], numberer: Numberer) -> list[Block]:
    _mark_empty_sections(blocks)
    if ch.lead_numbers:
        number_leads(blocks)
    numberer.chapter(blocks, ch.numbered)
    limit_toc(blocks, ch.toc_levels)
    return blocks


def _document(pack: Pack, blocks: list[Block], parts: Parts) -> Document:
    toc = Toc(entries=[TocEntry(b.level, b.label + b.text) for b in blocks
                       if isinstance(b, Heading) and b.level <= 2 and b.in_toc])
    front = [toc, PageBreak()] if pack.toc else []                      # pack options cover: false, toc: false
    cover = parts.cover() if pack.cover is not False else None
    header = pack.typography.running_header
    return Document(cover=cover, blocks=front + blocks, typography=pack.typography,
                    properties=parts.properties(cover, blocks),
                    header=parts.header(header).strip() if header else "")


def _mark_empty_sections(blocks: list[Block]) -> None:
    """A heading with nothing under it (a section, or a chapter of no sections such as an empty 前言) gets a
    highlighted 【待补充】 paragraph: counted, listed, and never a blank page in the draft."""
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Heading):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is None or (isinstance(nxt, Heading) and nxt.level <= b.level):
                blocks.insert(i + 1, Paragraph([Placeholder(f"【待补充：{b.text}】")]))
        i += 1
