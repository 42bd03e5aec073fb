"""Pictures taken out of a .docx into a folder of the project, shrunk for print like the project's photos.

EMF/WMF (drawings pasted from Visio or old Office) cannot go into the report as they are: they
are converted to PNG with LibreOffice when it is installed, otherwise a 【待补充】 says why.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from ...fileio import write_bytes_atomic
from .blocks import WImage
from .reader import BodyReader, Picture

MAX_PX = 1600                 # the writer's default longest side (doc.model.Typography.image_max_px)
KEPT = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "gif": "png", "bmp": "png", "tif": "png", "tiff": "png"}
VECTOR = {"emf", "wmf"}
CONVERT_SECONDS = 60


class Media:
    """Saves each picture once as `<folder>/<stem>-<n>.<ext>`; returns its path relative to the project."""

    def __init__(self, reader: BodyReader, folder: Path, rel_folder: str, stem: str):
        self.reader, self.folder, self.rel_folder, self.stem = reader, folder, rel_folder.rstrip("/"), stem
        self.saved: dict[str, WImage] = {}
        self.count = 0

    def __call__(self, pic: Picture, para: int) -> WImage:
        if pic.linked or not pic.rid:
            return WImage("", problem="图片是指向其他文件的链接，没有嵌入文档")
        if pic.rid in self.saved:
            done = self.saved[pic.rid]
            return WImage(done.src, problem=done.problem)
        found = self.reader.image(pic.rid)
        if found is None:
            image = WImage("", problem="文档中找不到这张图片")
        else:
            image = self._keep(*found)
        self.saved[pic.rid] = image
        return WImage(image.src, problem=image.problem)

    def _keep(self, data: bytes, ext: str) -> WImage:
        if ext in VECTOR:
            data, reason = _convert_vector(data, ext)
            if data is None:
                return WImage("", problem=f"{ext.upper()} 格式的图片{reason}；"
                                          "请在 Word/WPS 中将其另存为 PNG/JPG 图片后重新插入")
            ext = "png"
        if ext not in KEPT:
            return WImage("", problem=f"不支持的图片格式 .{ext}")
        try:
            data, ext = _shrink(data, KEPT[ext])
        except (OSError, ValueError, PILImage.DecompressionBombError):
            return WImage("", problem="图片已损坏，无法读取")
        self.count += 1
        name = f"{self.stem}-{self.count}.{ext}"
        path = self.folder / name
        if not (path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data):
            write_bytes_atomic(path, data)          # every build reads the section again: rewrite only a change
        return WImage(f"{self.rel_folder}/{name}")


def _shrink(data: bytes, ext: str) -> tuple[bytes, str]:
    with PILImage.open(BytesIO(data)) as img:
        img.load()
        if max(img.size) <= MAX_PX and ext in ("jpg", "png") and img.format in ("JPEG", "PNG"):
            return data, ext
        img = ImageOps.exif_transpose(img)
        img.thumbnail((MAX_PX, MAX_PX), PILImage.Resampling.LANCZOS)
        buf = BytesIO()
        if ext == "jpg":
            img.convert("RGB").save(buf, "JPEG", quality=85)
        else:
            img.save(buf, "PNG")
        return buf.getvalue(), ext


def _convert_vector(data: bytes, ext: str) -> tuple[bytes | None, str]:
    """PNG bytes, or None and why not. LibreOffice converts pictures with its Draw component."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None, "需要安装 LibreOffice 才能转换"
    with tempfile.TemporaryDirectory(prefix="reportgen-emf-") as tmp:
        src = Path(tmp) / f"picture.{ext}"
        src.write_bytes(data)
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                            "--convert-to", "png", "--outdir", tmp, str(src)],
                           capture_output=True, timeout=CONVERT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None, "未能用 LibreOffice 转换（转换超时或无法运行）"
        out = Path(tmp) / "picture.png"
        if out.is_file():
            return out.read_bytes(), ""
        return None, "未能用 LibreOffice 转换（图片已损坏，或 LibreOffice 未安装 Draw 组件）"

