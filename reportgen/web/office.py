"""A warm LibreOffice for the web page: one kept running between previews, so a preview needs no Office start-up.

It is export/uno_office.py's UnoOffice, kept open: LibreOffice driven through its own Python updates
the 目录 and exports in one layout. Its font replacement table (export/fonts.py) is written when it
starts; a project that needs another official font restarts it with both tables. Where no Python
with `uno` exists, or LibreOffice fails, a preview falls back to the cold `Office` of
export/office.py: slower, never wrong.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path

from ..doc.model import Typography
from ..export.fonts import fonts_for
from ..export.office import CONVERT_TIMEOUT_S, ExportError, Office, find_soffice
from ..export.uno_office import Layout, UnoOffice, uno_python

log = logging.getLogger("reportgen.web")


class WarmOffice:
    """lay_out() like UnoOffice, served by one long-running LibreOffice; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._office: UnoOffice | None = None
        self._dir: Path | None = None
        self._fonts: list[tuple[str, str]] = []
        self.warm = False            # whether the last layout went through the running LibreOffice
        self.broken = ""             # why the warm office is not used (shown on the page), "" when it is

    def start(self) -> None:
        """Start LibreOffice in the background, with the replacement table of the default (GB/T 9704) fonts."""
        threading.Thread(target=self._ensure, args=(fonts_for(Typography()),), daemon=True,
                         name="warm-office").start()

    def _ensure(self, fonts: list[tuple[str, str]]) -> UnoOffice | None:
        with self._lock:
            more = [pair for pair in fonts if pair not in self._fonts]
            if self._office is not None and self._office.alive() and not more:
                return self._office
            if self.broken:
                return None
            try:
                find_soffice()
            except ExportError as e:
                self.broken = e.message
                return None
            if uno_python() is None:
                self.broken = "未找到带 uno 模块的 Python（Debian 请安装 python3-uno），每次预览都会重新启动 LibreOffice"
                return None
            self._stop_locked()
            self._fonts += more
            self._dir = Path(tempfile.mkdtemp(prefix="reportgen-warm-office-"))
            log.info("starting warm LibreOffice (fonts: %s)", self._fonts)
            self._office = UnoOffice(self._dir, self._fonts)
            return self._office

    def lay_out(self, docx: Path, update_index: bool = True, fonts=(), for_screen: bool = False,
                on_toc=None, on_rows=None, row_tables=None) -> Layout:
        office = self._ensure(list(fonts))
        if office is not None:
            try:
                layout = office.lay_out(docx, update_index, for_screen=for_screen, on_toc=on_toc,
                                        on_rows=on_rows, row_tables=row_tables)
                self.warm = True
                return layout
            except ExportError as e:     # LibreOffice died or refused: the cold way still gives the pages
                log.warning("warm LibreOffice failed (%s); converting with a fresh soffice", e.message)
        self.warm = False
        with tempfile.TemporaryDirectory(prefix="reportgen-cold-office-") as tmp:
            pdf = Office(Path(tmp), CONVERT_TIMEOUT_S, list(fonts)).to_pdf(docx)
        return Layout(pdf, None)       # 目录 not updated: make_pdf finds its pages in the PDF

    def to_pdf(self, docx: Path) -> Path:
        return self.lay_out(docx, update_index=False).pdf

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        if self._office is not None:
            self._office.close()
            self._office = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
