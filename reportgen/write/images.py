"""Photos made fit for a printed report, in memory.

Phone JPEGs are several MB, 4000×3000 px, and often stored sideways with an EXIF
orientation tag that Word ignores. We rotate the pixels, downscale so the longest side
is at most `max_px`, and re-encode; 46 such photos then cost a few MB, not hundreds.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image as PILImage
from PIL import ImageOps

JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width_px: int
    height_px: int


def prepare_image(path: str, max_px: int) -> PreparedImage:
    try:
        with PILImage.open(path) as src:
            _decode_small(src, max_px)
            src.load()
            fmt = src.format
            img = ImageOps.exif_transpose(src)
    except (OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise ValueError(f"cannot read image {path}: {exc}") from exc
    if max(img.size) > max_px:
        img.thumbnail((max_px, max_px), PILImage.Resampling.LANCZOS)
    return PreparedImage(_encode(img, fmt), img.width, img.height)


def _decode_small(src: PILImage.Image, max_px: int) -> None:
    """Let JPEG decode at 1/2, 1/4 … scale when that still leaves ≥ max_px on the long side."""
    longest = max(src.size)
    if src.format == "JPEG" and longest > max_px:
        scale = max_px / longest
        src.draft(src.mode, (round(src.width * scale), round(src.height * scale)))


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


def fit_box(width_px: int, height_px: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Largest (w, h) with the image's aspect ratio inside box_w × box_h (any unit)."""
    scale = min(box_w / width_px, box_h / height_px)
    return max(1, round(width_px * scale)), max(1, round(height_px * scale))
