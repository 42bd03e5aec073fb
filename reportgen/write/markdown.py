"""A document model as pandoc Markdown: the change log's .md (regen/present.py) and the benchmark's
reference input (bench/run.py) — the same blocks the .docx writer gets.

Headings keep their labels, paragraphs their bold leads and 【待补充】 marks; tables become pipe
tables with their 序号 column and caption, figures images with captions, cases block quotes.
Pandoc embeds the original photos as they are (it does not rotate or downscale them).
"""
from __future__ import annotations

from ..doc import model as m


def document_markdown(doc: m.Document) -> str:
    out: list[str] = []
    if doc.cover:
        out.append(f"---\ntitle: \"{_esc_yaml(doc.cover.title)}\"\nauthor: \"{_esc_yaml(doc.cover.school)}\"\n"
                   f"date: \"{_esc_yaml(doc.cover.date)}\"\n---\n")
    _blocks(doc.blocks, out, quote=False)
    return "\n".join(out) + "\n"


def _blocks(blocks, out: list[str], quote: bool) -> None:
    for b in blocks:
        text = _block(b)
        if text is None:
            continue
        if quote:
            text = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
        out.append(text + "\n")


def _block(b) -> str | None:
    if isinstance(b, m.Heading):
        return f"{'#' * b.level} {b.label}{_esc(b.text)}"
    if isinstance(b, m.Paragraph):
        return "".join(_inline(x) for x in b.inlines)
    if isinstance(b, m.Table):
        return _table(b)
    if isinstance(b, m.Figure):
        return _figure(b)
    if isinstance(b, m.Case):
        inner: list[str] = [f"**{b.label}：{_esc(b.title)}**\n"]
        _blocks(b.blocks, inner, quote=False)
        return "\n".join("\n".join(f"> {line}" if line else ">" for line in part.splitlines()) for part in inner)
    if isinstance(b, m.KeyValue):
        return "\n".join(f"{_esc(k)}：{_esc(v)}  " for k, v in b.items)
    return None        # Toc (pandoc makes its own with --toc), PageBreak


def _inline(x) -> str:
    if isinstance(x, m.Placeholder):
        return f"**{_esc(x.text)}**"
    text = _esc(x.text).replace("\n", "\\\n")
    if x.bold and text.strip():
        text = f"**{text}**"
    if x.italic and text.strip():
        text = f"*{text}*"
    return text


def _table(t: m.Table) -> str:
    head = ["序号"] + [c.name for c in t.columns]
    rule = {"left": ":--", "center": ":-:", "right": "--:"}
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |",
             "|" + "|".join([":-:"] + [rule.get(c.align, "---") for c in t.columns]) + "|"]
    for i, row in enumerate(t.rows, start=1):
        lines.append("| " + " | ".join([str(i)] + [_cell(c.text) for c in row]) + " |")
    if t.total_row:
        lines.append("| " + " | ".join(["合计"] + [_cell(c.text) for c in t.total_row]) + " |")
    if not t.rows:
        lines.append("| " + " | ".join([_cell(t.empty_text)] + [""] * len(t.columns)) + " |")
    caption = f"Table: {t.label} {_esc(t.title)}".rstrip()
    notes = "".join(f"\n\n{_esc(n)}" for n in t.notes)
    return caption + "\n\n" + "\n".join(lines) + notes


def _figure(f: m.Figure) -> str:
    if len(f.images) == 1:
        return f"![{f.label} {_esc(f.caption)}]({_path(f.images[0].path)})"
    imgs = " ".join(f"![{_esc(i.caption)}]({_path(i.path)}){{width=48%}}" for i in f.images)
    return imgs + f"\n\n{f.label} {_esc(f.caption)}"


def _path(p: str) -> str:
    return "<" + p + ">"


def _cell(text: str) -> str:
    return _esc(text).replace("|", "\\|").replace("\n", " ")


def _esc(text: str) -> str:
    for ch in "\\*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def _esc_yaml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
