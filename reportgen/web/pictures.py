"""A picture is checked at upload as the build will read it: its pixel count, then every pixel decoded.

A header that opens is not enough: a JPEG cut short or a PNG with a broken stream passes `verify()` and would
only fail at the build, days later and without the office knowing which upload it was."""
from __future__ import annotations

import io

from ..render.report import MAX_IMAGE_PIXELS

DECODE_SIDE = 1600           # a JPEG is decoded at a reduced scale (fast, still reads all of its data)


def picture_format(original: str, data: bytes, refused) -> str:
    """".jpg" or ".png" for a picture the build can use; raises `refused(message)` naming the file and why."""
    import warnings
    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)     # the pixel count is checked below
            im = Image.open(io.BytesIO(data))
        with im:
            fmt = im.format
            w, h = im.size
            if w <= 0 or h <= 0:
                raise refused(f"图片 {original} 已损坏（尺寸为 0），请重新导出后上传")
            if w * h > MAX_IMAGE_PIXELS:
                raise refused(f"图片 {original} 的像素尺寸过大（{w}×{h}，约 {w * h // 1_000_000} 百万像素，"
                              f"最多 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素），疑似异常或恶意构造的文件；"
                              "请缩小后再上传")
            if fmt == "JPEG":
                im.draft("RGB", (DECODE_SIDE, DECODE_SIDE))
            im.load()
    except refused:
        raise
    except Image.DecompressionBombError:
        raise refused(f"图片 {original} 的像素尺寸大得异常，疑似恶意构造的文件，已拒绝") from None
    except Exception:                  # Pillow raises many types for a bad or hostile picture
        raise refused(f"{original} 不是能读取的图片（可能已损坏或没有传完整），请重新导出后上传") from None
    if fmt not in ("JPEG", "PNG"):
        raise refused(f"图片 {original} 是 {fmt} 格式，请另存为 JPG 或 PNG 后上传")
    return ".jpg" if fmt == "JPEG" else ".png"
