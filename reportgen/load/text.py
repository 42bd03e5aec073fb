"""The one text sanitiser: characters a Word document cannot hold, removed where text is read.

Text pasted out of Word or WPS brings invisible characters: a vertical tab (U+000B) for each manual
line break (Shift+Enter), a form feed for a page break, U+0001 for fields and footnote marks, U+FFFE
from broken conversions. XML (so .docx and .xlsx) cannot contain them, and bidirectional overrides
(U+202E …) and zero-width spaces make a file or school name read differently from what it is.

Decision: a vertical tab or form feed becomes a line break where a line break means something (the
narrative), a space in a value (YAML scalars, workbook cells); everything else listed here is deleted.
The narrative and YAML readers warn with file and line, so nothing disappears unannounced; text a
template builds (`{{ "\x0b" }}`) is cleaned the same way, silently, before the document is made.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LINE_BREAKS = "\x0b\x0c"
# C0 controls except tab, newline and carriage return; DEL and C1 controls; lone surrogates;
# noncharacters; bidi embeddings, overrides and isolates; zero-width space and a stray BOM.
_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\u200b\ufeff]|[\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")
_ANY = re.compile(_REMOVED.pattern + f"|[{LINE_BREAKS}]")


@dataclass(frozen=True)
class Cleaned:
    text: str
    lines: tuple[int, ...] = ()        # 1-based lines where something was removed or replaced
    chars: tuple[str, ...] = ()        # what, as U+XXXX, for the warning

    def warning(self, line_break: str = "换行") -> str:
        shown = "、".join(self.chars[:4]) + ("等" if len(self.chars) > 4 else "")
        return f"含有不可见的控制字符（{shown}，常见于从 Word 粘贴的文字），已删除（手动换行符改为{line_break}）"


def clean_text(text: str, line_break: str = "\n") -> Cleaned:
    """`text` without the characters above; vertical tabs and form feeds become `line_break`."""
    if not _ANY.search(text):
        return Cleaned(text)
    lines, chars = [], []
    for m in _ANY.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if not lines or lines[-1] != line:
            lines.append(line)
        code = f"U+{ord(m.group(0)):04X}"
        if code not in chars:
            chars.append(code)
    out = _REMOVED.sub("", text)
    out = re.sub(f"[{LINE_BREAKS}]", line_break, out)
    return Cleaned(out, tuple(lines), tuple(chars))


def clean(text: str, line_break: str = "\n") -> str:
    """Just the cleaned text (for values whose origin already warned, or that a template made)."""
    return clean_text(text, line_break).text
