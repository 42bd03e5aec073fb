"""Draw the charts a rendered report asked for, into the project's build/charts/ folder.

Charts are build products, not sources: they never go into the project's images/. A chart
is redrawn on every build (it takes a fraction of a second and the bytes are stable), so
a changed indicator can never leave a stale picture behind.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ..compute.charts import ChartData
from ..doc.model import Image, Typography
from ..errors import Problems, WriteError

CHART_DIR = Path("build") / "charts"


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
    """Draw each pending chart and point its Image at the PNG; returns the files written."""
    if not charts:
        return []
    from .draw import NO_FONT_WARNING, cjk_font, draw_chart, release_fonts  # matplotlib: only with charts
    if cjk_font() is None and not any(p.message == NO_FONT_WARNING for p in problems.warnings):
        problems.warning(NO_FONT_WARNING)
    folder = chart_folder(project_root)
    text_width = typography.page_width_mm - typography.margin_left_mm - typography.margin_right_mm
    width = min(typography.image_max_width_mm, text_width)
    written = []
    for data, image in charts:
        path = folder / f"{data.id}.png"
        try:
            draw_chart(data, path, width)
        except OSError as e:
            raise WriteError(f"无法写入图表 {path}：{e.strerror or e}") from None
        image.path = str(path)
        written.append(path)
    release_fonts()
    return written
