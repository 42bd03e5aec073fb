"""A warm LibreOffice for the web page: one unoserver kept running, so a preview needs no Office start-up.

unoserver (PyPI) runs inside a Python that can `import uno`: on Debian that is the system python3 with the
python3-uno package, not our virtualenv. We start `python3 -m unoserver.server` with our site-packages on its
path and talk to it over XML-RPC (unoserver.client needs no uno). Where no such Python exists, or the server
fails, conversions fall back to the cold `Office` of export/office.py: slower, never wrong.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..export.office import ExportError, Office, find_soffice

log = logging.getLogger("reportgen.web")
START_TIMEOUT_S = 60
CONVERT_TIMEOUT_S = 300


def uno_python() -> str | None:
    """A Python interpreter that has LibreOffice's `uno` module (REPORTGEN_UNO_PYTHON overrides)."""
    candidates = [os.environ.get("REPORTGEN_UNO_PYTHON"), "/usr/bin/python3", shutil.which("python3")]
    for exe in filter(None, candidates):
        try:
            ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return exe
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WarmOffice:
    """to_pdf() like export.office.Office, served by one long-running LibreOffice; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._port = 0
        self._dir: Path | None = None
        self.warm = False            # whether the last conversion went through the running server
        self.broken = ""             # why the warm server is not used (shown on the page), "" when it is

    def start(self) -> None:
        """Start the server in the background, so the first preview does not wait for it."""
        threading.Thread(target=self._ensure, daemon=True, name="warm-office").start()

    def _ensure(self) -> bool:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return True
            if self.broken:
                return False
            try:
                find_soffice()
            except ExportError as e:
                self.broken = e.message
                return False
            python = uno_python()
            if python is None:
                self.broken = "未找到带 uno 模块的 Python（Debian 请安装 python3-uno），每次预览都会重新启动 LibreOffice"
                return False
            import unoserver
            self._dir = Path(tempfile.mkdtemp(prefix="reportgen-warm-office-"))
            self._port, uno_port = _free_port(), _free_port()
            env = dict(os.environ, PYTHONPATH=str(Path(unoserver.__file__).resolve().parent.parent))
            cmd = [python, "-m", "unoserver.server", "--interface", "127.0.0.1", "--port", str(self._port),
                   "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port),
                   "--user-installation", str(self._dir / "profile"), "--executable", find_soffice()]
            log.info("starting warm LibreOffice: %s", " ".join(cmd))
            self._proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=open(self._dir / "unoserver.log", "wb"), start_new_session=True)
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline and self._proc.poll() is None:
                if self._answers():
                    return True
                time.sleep(0.3)
            self.broken = "LibreOffice 常驻进程未能启动，每次预览都会重新启动 LibreOffice"
            self._stop_locked()
            return False

    def _answers(self) -> bool:
        from xmlrpc.client import ServerProxy
        try:
            with ServerProxy(f"http://127.0.0.1:{self._port}") as proxy:
                proxy.info()            # unoserver answers once LibreOffice is up
            return True
        except Exception:            # not listening yet: any refusal means "try again"
            return False

    def to_pdf(self, docx: Path) -> Path:
        target = docx.with_suffix(".pdf")
        target.unlink(missing_ok=True)
        if self._ensure():
            from unoserver.client import UnoClient
            try:
                UnoClient(port=str(self._port), host_location="local").convert(
                    inpath=str(docx), outpath=str(target), convert_to="pdf", update_index=False)
                if target.is_file() and target.stat().st_size:
                    self.warm = True
                    return target
            except Exception as e:       # the server died or refused: the cold way still gives the pages
                log.warning("warm LibreOffice failed (%s); converting with a fresh soffice", e)
        self.warm = False
        return Office(docx.parent, CONVERT_TIMEOUT_S).to_pdf(docx)

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGTERM)
                self._proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self._proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
