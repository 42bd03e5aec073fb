"""Draw the charts a rendered report asked for, into the project's build/charts/ folder.

Charts are build products, not sources: they never go into the project's images/. Each PNG
is named by a hash of everything that shapes it (the chart's numbers and labels, its width,
the drawing code), so a rebuild reuses an unchanged chart without loading matplotlib, and a
changed indicator can never leave a stale picture behind.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ..doc.model import Image, Typography
from ..errors import Problems, WriteError, os_reason
from ..load.project import BUILD_DIR
from ..render.charts import ChartData

CHART_DIR = BUILD_DIR / "charts"


def chart_folder(project_root: Path) -> Path:
    folder = project_root / CHART_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:        # a read-only project folder: draw into a per-project temp folder instead
        key = hashlib.sha1(str(project_root.resolve()).encode()).hexdigest()[:12]
        folder = Path(tempfile.gettempdir()) / f"reportgen-charts-{key}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def draw_charts(charts: list[tuple[ChartData, Image]], project_root: Path, typography: Typography,
                problems: Problems) -> list[Path]:
    """Point each chart's Image at its PNG, drawing the ones not already there; returns the files drawn."""
    if not charts:
        return []
    folder = chart_folder(project_root)
    text_width = typography.page_width_mm - typography.margin_left_mm - typography.margin_right_mm
    width = min(typography.image_max_width_mm, text_width)
    pending = []
    for data, image in charts:
        path = folder / f"{data.id}-{_fingerprint(data, width)}.png"
        image.path = str(path)
        if not path.is_file():
            pending.append((data, image, path))
    if pending:
        _draw(pending, width, problems)
    return sorted({Path(image.path) for _, image, _ in pending})


def _draw(pending, width: float, problems: Problems) -> None:
    from .draw import (  # matplotlib: only when drawing
        NO_FONT_WARNING,
        cjk_font,
        draw_chart,
        release_fonts,
    )
    has_font = cjk_font() is not None
    if not has_font and not any(p.message == NO_FONT_WARNING for p in problems.warnings):
        problems.warning(NO_FONT_WARNING)
    for data, _, path in pending:
        for stale in path.parent.glob(f"{data.id}-*.png"):
            stale.unlink(missing_ok=True)
    drawn = set()
    for data, image, path in pending:
        if not has_font:      # never a cache hit: once fonts are installed the chart is redrawn with them
            path = path.with_name(path.stem + "-nocjk.png")
        image.path = str(path)
        if path in drawn:     # the same chart placed twice
            continue
        try:
            draw_chart(data, path, width)
        except OSError as e:
            raise WriteError(f"无法写入图表 {path}：{os_reason(e)}") from None
        drawn.add(path)
    release_fonts()


def _fingerprint(data: ChartData, width: float) -> str:
    """A chart's numbers, labels and width, plus the drawing code."""
    h = hashlib.sha256(repr((data, round(width, 3))).encode("utf-8"))
    h.update(_DRAW_SOURCE)
    return h.hexdigest()[:16]


_DRAW_SOURCE = (Path(__file__).with_name("draw.py")).read_bytes()
