"""LibreOffice (headless) as a subprocess: .docx → PDF; PDFium (pypdfium2) for the PDF's text and PNG pages.

Each Office instance runs soffice with its own throwaway user profile
(-env:UserInstallation), so concurrent builds never share, lock or corrupt one profile.
Every call has a timeout; on expiry the whole process group is killed. Office converts with
`soffice --convert-to`; export/uno_office.py drives LibreOffice in one pass where it can.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

from ..errors import ExportError
from .fonts import write_replace_table

CONVERT_TIMEOUT_S = 300          # a 100-page report takes ~10 s; a cold first start of LibreOffice much less than this

SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_PATHS = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
MISSING_SOFFICE = ("未找到 LibreOffice（soffice 命令），无法生成 PDF 或页面预览。"
                   "Debian/Ubuntu 请安装：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk；"
                   "其他系统请安装 LibreOffice，并把 soffice 所在目录加入 PATH（或设置环境变量 REPORTGEN_SOFFICE）")

def find_soffice() -> str:
    override = os.environ.get("REPORTGEN_SOFFICE")
    if override:
        if shutil.which(override):
            return shutil.which(override)
        raise ExportError(f"环境变量 REPORTGEN_SOFFICE 指向的 {override} 不存在或不可执行")
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for path in SOFFICE_PATHS:
        if os.access(path, os.X_OK):
            return path
    raise ExportError(MISSING_SOFFICE)


def have_office() -> bool:
    """Whether LibreOffice can be run on this machine (PDF, page previews)."""
    try:
        find_soffice()
        return True
    except ExportError:
        return False


def run(cmd: list[str], timeout: float, what: str) -> subprocess.CompletedProcess:
    """Run a tool in its own process group; kill the group on timeout."""
    kwargs = {"start_new_session": True} if os.name == "posix" else {}
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ExportError(f"{what}超时（超过 {int(timeout)} 秒），已中止") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


class Office:
    """One private LibreOffice profile under `workdir`, reused for every conversion of a build."""

    def __init__(self, workdir: Path, timeout: float = CONVERT_TIMEOUT_S,
                 font_pairs: list[tuple[str, str]] | None = None):
        self.soffice = find_soffice()
        self.workdir = workdir
        self.profile = workdir / "lo-profile"
        self.timeout = timeout
        self.fonts = list(font_pairs or [])
        if font_pairs:
            write_replace_table(self.profile, font_pairs)

    def to_pdf(self, docx: Path) -> Path:
        outdir = docx.parent
        target = outdir / (docx.stem + ".pdf")
        target.unlink(missing_ok=True)
        cmd = [self.soffice, f"-env:UserInstallation={self.profile.resolve().as_uri()}",
               "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir), str(docx)]
        result = run(cmd, self.timeout, "LibreOffice 转换 PDF ")
        if not target.is_file() or target.stat().st_size == 0:
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ExportError("LibreOffice 未能把文档转换为 PDF" + (f"：{' '.join(detail)}" if detail else "")
                              + f"（退出码 {result.returncode}）")
        return target

    def close(self) -> None:
        """Nothing runs between conversions: each soffice ends with its conversion."""


# PDFium is not thread-safe, and the web page lays out several projects side by side
_PDFIUM = threading.Lock()


def pdf_page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium
    with _PDFIUM:
        doc = _open(pdfium, pdf, "LibreOffice 生成的 PDF")
        try:
            return len(doc)
        finally:
            doc.close()


def pdf_pages_text(pdf: Path) -> list[str]:
    """Each page's text, lines as printed, in page order."""
    import pypdfium2 as pdfium
    with _PDFIUM:
        doc = _open(pdfium, pdf, pdf.name)
        try:
            pages = []
            for page in doc:
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range().replace("\r\n", "\n"))
                textpage.close()
                page.close()
            return pages
        finally:
            doc.close()


def pdf_to_pngs(pdf: Path, folder: Path, dpi: int, prefix: str = "page", pages: list[int] | None = None) -> list[Path]:
    """PNG images of `pages` (1-based; default all) as folder/prefix-NN.png, numbers padded like pdftoppm's."""
    import pypdfium2 as pdfium
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with _PDFIUM:
        doc = _open(pdfium, pdf, pdf.name)
        try:
            width = len(str(len(doc)))
            for n in range(1, len(doc) + 1) if pages is None else pages:
                page = doc[n - 1]
                image = page.render(scale=dpi / 72).to_pil()
                page.close()
                target = folder / f"{prefix}-{n:0{width}d}.png"
                image.save(target, compress_level=1)   # encoding is most of the time: level 6 is 3× slower
                out.append(target)
        finally:
            doc.close()
    return out


def _open(pdfium, pdf: Path | bytes, name: str):
    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as e:
        raise ExportError(f"无法读取 PDF {name}：{e}") from None
