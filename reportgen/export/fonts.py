"""Which installed face LibreOffice prints for each official Chinese font name.

The .docx names the fonts of GB/T 9704 (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体);
Word and WPS on a school's PC have them. A Linux machine usually has none, and LibreOffice
then falls back to one CJK sans for all of them, so 一、 headings, （一） headings and body
text print in the same face. Here each official name that is not installed is mapped to an
installed face of the same class, written into the conversion profile's font replacement
table (org.openoffice.Office.Common/Font/Substitution); the .docx keeps the official names.
"""
from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from ..doc.model import HEADING_LEVELS, Typography

# Classes of official fonts, recognised by a part of the name, most specific first, each with
# the installed faces that stand in for it, best first (Debian: fonts-noto-cjk,
# fonts-noto-cjk-extra, fonts-arphic-ukai, fonts-arphic-uming).
CLASSES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    # 小标宋: a heavy display serif for titles
    (("小标宋", "标宋", "XBS"), ("Noto Serif CJK SC Black", "Noto Serif CJK SC SemiBold", "Noto Serif CJK SC Bold",
                               "Noto Serif CJK SC", "AR PL UMing CN")),
    # 仿宋: a light serif, lighter than 宋体 as 仿宋 is
    (("仿宋", "FangSong", "STFangsong"), ("Noto Serif CJK SC Light", "Noto Serif CJK SC ExtraLight",
                                         "Noto Serif CJK SC", "AR PL UMing CN")),
    (("楷", "Kai"), ("AR PL UKai CN", "AR PL KaitiM GB", "AR PL UKai TW")),
    # 黑体 is a medium-weight sans
    (("黑", "Hei", "SimHei"), ("Noto Sans CJK SC Medium", "Noto Sans CJK SC Bold", "Noto Sans CJK SC",
                               "WenQuanYi Zen Hei")),
    (("宋", "Song", "SimSun", "Ming"), ("Noto Serif CJK SC", "AR PL UMing CN")),
    # Latin figures: a metric-compatible Times if there is one
    (("Times New Roman",), ("Liberation Serif", "TeX Gyre Termes", "DejaVu Serif")),
]


def official_fonts(t: Typography) -> list[str]:
    """Every font name the writer puts into the .docx, once each, in a stable order."""
    headings = [t.heading(n).font for n in range(1, HEADING_LEVELS + 1)]
    names = [t.body_font, t.title_font, *headings, t.caption_font, t.table_font, t.case_font, t.footer_font,
             t.latin_font]
    return list(dict.fromkeys(n for n in names if n))


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Font family names fontconfig knows (each alias of a face), empty when fc-list is missing."""
    tool = shutil.which("fc-list")
    if not tool:
        return frozenset()
    try:
        out = subprocess.run([tool, ":", "family"], capture_output=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in out.decode("utf-8", "replace").splitlines()
                     for name in line.split(",") if name.strip())


def substitutions(fonts: list[str], installed: frozenset[str]) -> list[tuple[str, str]]:
    """(official name, installed face) for each font that is missing and has an installed stand-in."""
    pairs = []
    for font in fonts:
        if font in installed:
            continue
        for keys, candidates in CLASSES:
            if any(k.lower() in font.lower() for k in keys):
                face = next((c for c in candidates if c in installed), None)
                if face:
                    pairs.append((font, face))
                break
    return pairs


def fonts_for(typography: Typography) -> list[tuple[str, str]]:
    """(official font, installed face) the PDF is printed with, for each official font not installed."""
    return substitutions(official_fonts(typography), installed_families())


def write_replace_table(profile: Path, pairs: list[tuple[str, str]]) -> None:
    """Put the replacement table into a LibreOffice user profile before its first start."""
    nodes = "".join(
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
        f'<node oor:name="_{i}" oor:op="replace">'
        f'<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        f'<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(font)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(face)}</value></prop>'
        f'</node></item>\n' for i, (font, face) in enumerate(pairs))
    xcu = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
           'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
           '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
           f'<prop oor:name="Replacement" oor:op="fuse"><value>{"true" if pairs else "false"}</value></prop></item>\n'
           f'{nodes}</oor:items>\n')
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")


def describe(pairs: list[tuple[str, str]]) -> str:
    """The line the build prints: which face stands in for which official font in the PDF."""
    return "PDF 字体替换（本机未安装的字体）：" + "，".join(f"{a} → {b}" for a, b in pairs)
