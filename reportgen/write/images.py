"""Photos made fit for a printed report, in memory.

Phone JPEGs are several MB, 4000×3000 px, and often stored sideways with an EXIF
orientation tag that Word ignores. We rotate the pixels, downscale so the longest side
is at most `max_px`, and re-encode; 46 such photos then cost a few MB, not hundreds.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from dataclasses import dataclass
from io import BytesIO
from typing import Iterable

from PIL import Image as PILImage
from PIL import ImageOps

JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width_px: int
    height_px: int


_AHEAD: ContextVar[dict[tuple[str, int], Future] | None] = ContextVar("images_ahead", default=None)


def prepare_image(path: str, max_px: int) -> PreparedImage:
    ahead = _AHEAD.get()
    future = ahead.pop((path, max_px), None) if ahead is not None else None
    if future is not None:
        return future.result()
    return _prepare(path, max_px)


@contextmanager
def prepared_ahead(paths: Iterable[str], max_px: int, workers: int | None = None):
    """Prepare these images on worker threads while the document is being written.

    Decoding, resizing and encoding run in Pillow's C code without the GIL, so on n cores the
    photos of a report take about 1/n of the time; prepare_image() then picks up the result.
    Two workers keep at most two full-size photos decoded at once (memory stays bounded).
    """
    unique = list(dict.fromkeys(p for p in paths if p))
    if not unique:
        yield
        return
    n = workers or max(1, min(2, os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="reportgen-image")
    token = _AHEAD.set({(p, max_px): pool.submit(_prepare, p, max_px) for p in unique})
    try:
        yield
    finally:
        _AHEAD.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)


class UnreadableImage(ValueError):
    """An image file that exists but cannot be decoded (truncated, corrupt, not really an image)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"cannot read image {path}: {reason}")
        self.path, self.reason = path, reason


# A long-running process (the web page's server) writes the same photos build after build: each is
# prepared once per content (path, size, mtime), not again for every preview after a one-cell correction.
_DONE: "OrderedDict[tuple, PreparedImage]" = OrderedDict()
_DONE_MAX = 128
_DONE_LOCK = threading.Lock()


def _prepare(path: str, max_px: int) -> PreparedImage:
    try:
        st = os.stat(path)
        key = (os.path.abspath(path), max_px, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    with _DONE_LOCK:
        if key in _DONE:
            _DONE.move_to_end(key)
            return _DONE[key]
    prepared = _prepare_now(path, max_px)
    if key is not None:
        with _DONE_LOCK:
            _DONE[key] = prepared
            while len(_DONE) > _DONE_MAX:
                _DONE.popitem(last=False)
    return prepared


def _prepare_now(path: str, max_px: int) -> PreparedImage:
    try:
        with PILImage.open(path) as src:
            _decode_small(src, max_px)
            src.load()
            fmt = src.format
            # shrink first, then apply the EXIF rotation: rotating (a copy of) the full-size
            # photo costs time and ~24 MB per photo; the square bound is rotation-invariant
            if max(src.size) > max_px:
                src.thumbnail((max_px, max_px), PILImage.Resampling.LANCZOS)
            img = ImageOps.exif_transpose(src)
    except (OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise UnreadableImage(path, str(exc)) from exc
    return PreparedImage(_encode(img, fmt), img.width, img.height)


# A JPEG decoded at 1/2, 1/4 … scale (in the DCT, ~7× cheaper than a full decode plus a
# Lanczos resize) may come out a little under max_px: down to this share of it (1500 px for
# 1600, ≥ 250 dpi at 150 mm) is kept as it is rather than decoded in full and resized.
DRAFT_MIN_SHARE = 0.9


def _decode_small(src: PILImage.Image, max_px: int) -> None:
    """Let JPEG decode at the smallest 1/2, 1/4 … scale that leaves ≥ DRAFT_MIN_SHARE × max_px."""
    longest = max(src.size)
    if src.format == "JPEG" and longest > max_px:
        scale = max_px * DRAFT_MIN_SHARE / longest
        src.draft(src.mode, (max(1, round(src.width * scale)), max(1, round(src.height * scale))))


def _encode(img: PILImage.Image, source_format: str | None) -> bytes:
    buf = BytesIO()
    icc = img.info.get("icc_profile")   # keep it: phone photos are often Display P3
    if source_format == "PNG" or _has_alpha(img):
        # charts and screenshots: lossless, and JPEG would blacken transparency
        img.save(buf, "PNG", icc_profile=icc)
    else:
        if img.mode not in ("RGB", "L"):
            img, icc = img.convert("RGB"), None    # a CMYK profile would be wrong on RGB pixels
        img.save(buf, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    return buf.getvalue()


def _has_alpha(img: PILImage.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def is_portrait(path: str) -> bool:
    """Taller than wide as printed (EXIF rotation counted); reads the header only, no pixels."""
    try:
        return _is_portrait(path, os.stat(path).st_mtime_ns)
    except OSError:
        return False


@lru_cache(maxsize=1024)
def _is_portrait(path: str, mtime_ns: int) -> bool:
    try:
        with PILImage.open(path) as img:
            w, h = img.size
            if img.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):     # stored sideways
                w, h = h, w
    except (OSError, ValueError, PILImage.DecompressionBombError):
        return False              # prepare_image reports the unreadable file where it is used
    return h > w


EXIF_ORIENTATION = 0x0112


def fit_box(width_px: int, height_px: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Largest (w, h) with the image's aspect ratio inside box_w × box_h (any unit)."""
    scale = min(box_w / width_px, box_h / height_px)
    return max(1, round(width_px * scale)), max(1, round(height_px * scale))
