"""LibreOffice driven through its own Python (uno_job.py): the 目录 updated and the PDF exported in one layout.

`soffice --convert-to pdf` prints a TOC field's cached entries as they are, so a PDF with true 目录
page numbers took two conversions (export/pdf.py). Driven through UNO, LibreOffice updates the 目录
itself before it exports, and tells us the numbers for the .docx. The job runs in a Python that has
`uno` (Debian: the system python3 with python3-uno, not our virtualenv); where there is none,
`open_office` gives the two-pass `Office` of export/office.py instead: slower, never wrong.

`UnoOffice` starts LibreOffice in the background as soon as it is made, so its start-up overlaps
with writing the .docx; the web page keeps one running between previews (web/office.py).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..errors import ExportError
from .fonts import write_replace_table
from .office import CONVERT_TIMEOUT_S, Office, find_soffice

START_TIMEOUT_S = 90
# A PDF only drawn on screen at 80 dpi: pictures at 100 dpi and no bookmarks export about 25% faster
SCREEN_PDF = {"ReduceImageResolution": True, "MaxImageResolution": 100, "ExportBookmarks": False}
JOB = Path(__file__).with_name("uno_job.py")


@dataclass
class Layout:
    pdf: Path | None                    # None: the layout was not exported (on_rows said no)
    toc: list[tuple[str, str]] | None   # the 目录 as LibreOffice updated it, (entry, page); None: not updated
    rows: list[list[int]] | None = None  # with on_rows: the page each row of each body-level table starts on


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python interpreter that has LibreOffice's `uno` module (REPORTGEN_UNO_PYTHON overrides)."""
    candidates = [os.environ.get("REPORTGEN_UNO_PYTHON"), "/usr/bin/python3", shutil.which("python3")]
    for exe in dict.fromkeys(filter(None, candidates)):
        try:
            ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return exe
    return None


def open_office(workdir: Path, fonts: list[tuple[str, str]], timeout: float = CONVERT_TIMEOUT_S):
    """The fastest LibreOffice this machine offers: UnoOffice (one pass) or Office (soffice --convert-to)."""
    python = uno_python()
    if python and os.environ.get("REPORTGEN_NO_UNO") != "1":
        return UnoOffice(workdir, fonts, timeout, python)
    return Office(workdir, timeout, fonts)


class UnoOffice:
    """One LibreOffice with its own profile under `workdir`, laying out documents until close()."""

    def __init__(self, workdir: Path, fonts: list[tuple[str, str]], timeout: float = CONVERT_TIMEOUT_S,
                 python: str | None = None):
        self.fonts = list(fonts)
        self.timeout = timeout
        self.profile = workdir / "lo-profile"
        write_replace_table(self.profile, self.fonts)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._ready = False
        self._log = tempfile.TemporaryFile()
        python = python or uno_python()
        if python is None:
            raise ExportError("未找到带 uno 模块的 Python（Debian 请安装 python3-uno）")
        self._proc = subprocess.Popen(
            [python, "-I", str(JOB), find_soffice(), self.profile.resolve().as_uri()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, start_new_session=True)
        threading.Thread(target=self._read, daemon=True, name="uno-job-reader").start()

    def _read(self) -> None:
        for raw in self._proc.stdout:
            self._lines.put(raw.decode("utf-8", "replace"))
        self._lines.put(None)              # the job ended

    def _answer(self, timeout: float, what: str) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self._fail(f"{what}超时（超过 {int(timeout)} 秒），已中止")
        if line is None:
            self._fail(f"LibreOffice 意外退出，{what}未完成")
        return json.loads(line)

    def _fail(self, message: str):
        """Close LibreOffice and raise, with the last lines it wrote (why it died, if it said)."""
        tail = ""
        if not self._log.closed:
            self._log.seek(0)
            tail = " ".join(self._log.read().decode("utf-8", "replace").strip().splitlines()[-2:])
        self.close()
        raise ExportError(message + (f"：{tail}" if tail else ""))

    def lay_out(self, docx: Path, update_index: bool = True, fonts=None, for_screen: bool = False,
                on_toc: Callable[[list[tuple[str, str]]], None] | None = None,
                on_rows: Callable[[list[list[int]]], bool] | None = None,
                row_tables: list[int] | None = None) -> Layout:
        """`docx` as a PDF beside it; with update_index, its 目录 updated by LibreOffice first.

        `on_toc(toc)` is called with the updated 目录 while LibreOffice still writes the PDF.
        `for_screen`: a PDF for page previews only (SCREEN_PDF), never one a person gets.
        `fonts` is what the document needs in the replacement table; this office's table was
        written when it started (web/office.py restarts its warm office when it needs more).
        `on_rows(rows)`, given the page each row of the body-level tables `row_tables` (default all;
        [] for the others) starts on, says whether to export this layout (before on_toc is called);
        when it says no, LibreOffice closes the document unexported."""
        target = docx.with_suffix(".pdf")
        target.unlink(missing_ok=True)
        with self._lock:
            if not self._ready:
                self._answer(START_TIMEOUT_S, "启动 LibreOffice ")
                self._ready = True
            request = {"docx": str(docx.resolve()), "pdf": str(target.resolve()), "update_index": update_index,
                       "pdf_options": SCREEN_PDF if for_screen else {}, "rows": (row_tables if row_tables is not None else True) if on_rows else None}
            self._send(request)
            answer = self._answer(self.timeout, "LibreOffice 转换 PDF ")
            toc = [tuple(e) for e in answer["toc"]] if "toc" in answer and update_index else None
            rows = answer.get("rows")
            export = True
            if "toc" in answer:
                failed = None
                if on_rows is not None:
                    try:
                        export = bool(on_rows(rows or []))
                    except BaseException as e:
                        failed, export = e, False
                    self._send({"export": export})
                if export and failed is None and toc is not None and on_toc is not None:
                    try:
                        on_toc(toc)
                    except BaseException as e:    # still read the export's answer: the next layout needs the line after
                        failed = e
                answer = self._answer(self.timeout, "LibreOffice 转换 PDF ")
                if failed is not None:
                    raise failed
        if answer.get("ok") and answer.get("exported") is False:
            return Layout(None, toc, rows)
        if not answer.get("ok") or not target.is_file() or target.stat().st_size == 0:
            error = answer.get("error", "")
            if "DisposedException" in error:          # LibreOffice crashed; the job has ended, a new one will start
                raise ExportError("LibreOffice 在转换 PDF 时意外退出，请重试；若再次出现，请用 Word/WPS 打开初稿检查")
            raise ExportError("LibreOffice 未能把文档转换为 PDF" + (f"：{error}" if error else ""))
        return Layout(target, toc, rows)

    def _send(self, message: dict) -> None:
        try:
            self._proc.stdin.write((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
        except OSError:             # BrokenPipeError: the job is gone
            self._fail("LibreOffice 意外退出，无法转换 PDF")

    def to_pdf(self, docx: Path) -> Path:
        return self.lay_out(docx, update_index=False).pdf

    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        """End LibreOffice and its whole process group at once: its profile is a throwaway one."""
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            if os.name == "posix":
                os.killpg(self._proc.pid, signal.SIGKILL)     # the job and the soffice it started
            else:
                self._proc.kill()
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
