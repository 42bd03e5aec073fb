"""Draw a ChartData as a PNG with matplotlib: the only module that imports it.

Output is deterministic: the Agg backend, no date or software name in the PNG, fixed
size and resolution. Chinese needs a CJK font; we look for one matplotlib can see
(Noto Sans/Serif CJK from Debian's fonts-noto-cjk first) and fall back, with a warning,
to matplotlib's default font, whose missing glyphs show as boxes.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

from ..fileio import write_atomic
from ..render.charts import ChartData

MM_PER_INCH = 25.4
DPI = 250
ASPECT = 0.56                    # height / width
FONT_PT = 10.5                   # 五号, like table text
PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#566573")

# Preferred CJK families, simplified Chinese first.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Source Han Serif SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "Droid Sans Fallback", "AR PL UMing CN",
)
NO_FONT_WARNING = ("未找到中文字体，图表中的汉字可能显示为方框。请安装 Noto CJK 字体"
                   "（Debian/Ubuntu：apt-get install fonts-noto-cjk），然后重新生成")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK font family matplotlib knows, or None."""
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not _has_cjk(names):
        # matplotlib caches its font list on first use and never looks again: fonts installed since
        # (apt-get install fonts-noto-cjk after a first build) would stay invisible to every later build
        names |= _add_system_cjk_fonts(font_manager)
    for want in CJK_FAMILIES:
        if want in names:
            return want
    return next((n for n in sorted(names) if _looks_cjk(n)), None)


def _looks_cjk(name: str) -> bool:
    return "CJK" in name or "Han" in name or "WenQuanYi" in name or name.startswith("AR PL")


def _has_cjk(names: set[str]) -> bool:
    return any(_looks_cjk(n) for n in names)


def _add_system_cjk_fonts(font_manager) -> set[str]:
    """Register the system's CJK font files that matplotlib's cached list does not know."""
    added = set()
    for path in font_manager.findSystemFonts():
        if not re.search(r"cjk|ukai|uming|wqy|sourcehan", Path(path).name, re.IGNORECASE):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):      # an unreadable font file is simply not used
            continue
        added.add(font_manager.FontProperties(fname=path).get_name())
    return added


def draw_chart(chart: ChartData, path: Path, width_mm: float) -> None:
    """Write `chart` as a PNG `width_mm` wide at print size (so 10.5 pt text prints at 10.5 pt)."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    font = cjk_font()
    width_in = width_mm / MM_PER_INCH
    rc = {"font.family": [font] if font else ["DejaVu Sans"], "font.size": FONT_PT,
          "axes.unicode_minus": False, "svg.hashsalt": "reportgen", "path.simplify": False}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")            # "Glyph … missing" floods when there is no CJK font
        fig = Figure(figsize=(width_in, width_in * ASPECT), dpi=DPI)
        ax = fig.add_subplot()
        if chart.kind == "line":
            _line(ax, chart)
        else:
            _bars(ax, chart)
        _style(ax, chart)
        fig.tight_layout(pad=0.6)
        _save(fig, path)


def release_fonts() -> None:
    """Drop matplotlib's cache of loaded font files once the charts are drawn: a CJK font
    collection is tens of MB, and the .docx that is written next needs that memory more."""
    import gc

    from matplotlib import font_manager
    clear = getattr(getattr(font_manager, "_get_font", None), "cache_clear", None)
    if clear is not None:
        clear()
    gc.collect()

def _bars(ax, chart: ChartData) -> None:
    n = len(chart.series)
    width = 0.6 / n if n > 1 else 0.5
    xs = range(len(chart.categories))
    for k, s in enumerate(chart.series):
        offset = (k - (n - 1) / 2) * width
        heights = [v if v is not None else 0 for v in s.values]
        color = PALETTE[k % len(PALETTE)]
        bars = ax.bar([x + offset for x in xs], heights, width=width * 0.92, color=color, label=s.name, zorder=2)
        for bar, v, text in zip(bars, s.values, s.labels):
            ax.annotate("未填报" if v is None else text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                        fontsize=FONT_PT - (1.5 if n > 1 else 0))
    top = max((v for s in chart.series for v in s.values if v is not None), default=1) or 1
    ax.set_ylim(0, top * 1.18)
    ax.set_xticks(list(xs), chart.categories)


def _line(ax, chart: ChartData) -> None:
    xs = list(range(len(chart.categories)))
    values = [v for s in chart.series for v in s.values if v is not None]
    lo, hi = (min(values), max(values)) if values else (0, 1)
    span = (hi - lo) or abs(hi) or 1
    for k, s in enumerate(chart.series):
        points = [(x, v, t) for x, v, t in zip(xs, s.values, s.labels) if v is not None]
        color = PALETTE[k % len(PALETTE)]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=6, linewidth=2,
                color=color, label=s.name, zorder=3)
        for x, v, text in points:
            ax.annotate(text, (x, v), xytext=(0, 7), textcoords="offset points", ha="center", va="bottom")
    bottom = lo - span * 0.6
    ax.set_ylim(max(0, bottom) if lo >= 0 else bottom, hi + span * 0.6)
    ax.set_xlim(-0.4, len(xs) - 0.6)
    ax.set_xticks(xs, chart.categories)


def _style(ax, chart: ChartData) -> None:
    if chart.ylabel:
        ax.set_ylabel(chart.ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    ax.set_axisbelow(True)
    if len(chart.series) > 1:
        ax.legend(frameon=False, loc="upper left", ncols=len(chart.series))


def _save(fig, path: Path) -> None:
    """Atomic and byte-stable: no timestamp or software name in the PNG's metadata."""
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=DPI, metadata={"Software": None},
                                             facecolor="white"))
