"""Between the routes and the pipeline: the worker pool, the locks, the caches and the jobs.

Routes stay thin: they parse the request, call one method here and render the answer. Everything that reads
workbooks or Word files, checks, builds or writes runs here in a bounded pool of worker threads, never on the
event loop, so one office's 20,000-row workbook does not freeze every other page.

Writes that read, change and write a file hold that file's lock; a save made from a page that showed an older
version of the file is refused (Stale) with the current content to reload, never merged silently.
"""
from __future__ import annotations

import contextlib
import functools
from concurrent.futures import ThreadPoolExecutor
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import logging

import anyio
import anyio.to_thread

from ..errors import ReportgenError
from .jobs import Jobs
from .office import WarmOffice
from .projects import Overview, Registry, snapshot

T = TypeVar("T")
log = logging.getLogger("reportgen.web")
WORKERS = 3                 # long work at once; more would only share the same 2–4 cores more thinly
PROCESSES = 2               # processes for returns a department uploads (see in_process)
QUICK_WORKERS = 8           # short work (a page's grid, a row's save): its own lane, never queued behind uploads


class Stale(ReportgenError):
    """A save based on an older version of the file: `current` is what the page should reload."""

    def __init__(self, message: str, current=None):
        super().__init__(message)
        self.current = current


def version_of(path: Path) -> str:
    """A short fingerprint of the file's bytes ("" when it does not exist): what a page saw."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return ""


@dataclass
class _Fresh:
    stamp: tuple
    value: object
    at: float


class Service:
    def __init__(self, registry: Registry, jobs: Jobs, office: WarmOffice, workers: int = WORKERS):
        self.registry, self.jobs, self.office = registry, jobs, office
        self.limiter = anyio.CapacityLimiter(workers)
        self.quick_limiter = anyio.CapacityLimiter(QUICK_WORKERS)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._cached: dict[tuple[str, str], _Fresh] = {}
        self._refreshing: set[tuple[str, str]] = set()
        self._pool = None                       # processes for pure-Python long work, started when first needed
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="refresh")   # stale-while-refresh

    # ------------------------------------------------------------------ the pool
    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """`fn(*args, **kwargs)` in a worker thread; waits for a free worker, the event loop stays free."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.limiter)

    async def in_process(self, fn: Callable[..., T], *args, lock: threading.Lock | None = None) -> T:
        """`fn(*args)` in a separate Python process of a small pool (fn and its arguments picklable).

        Reading and checking a workbook is pure Python: in a thread it would hold the interpreter's lock and
        slow every page of the server; in its own process it only shares the CPU. `lock` is held meanwhile."""
        def call():
            with lock or contextlib.nullcontext():
                return self._processes().submit(fn, *args).result()
        return await anyio.to_thread.run_sync(call, limiter=self.limiter)

    def _processes(self):
        with self._locks_lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                self._pool = ProcessPoolExecutor(max_workers=PROCESSES,
                                                 mp_context=multiprocessing.get_context("forkserver"))
            return self._pool

    async def quick(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Like run, in the lane of short work (reading or saving one file), so it never waits for an upload."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.quick_limiter)

    # ------------------------------------------------------------------ locks
    def lock(self, name: str) -> threading.Lock:
        """The lock of one file (its resolved path) or one project's shared record ("returns:<root>")."""
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def file_lock(self, path: Path) -> threading.Lock:
        return self.lock(str(path.resolve()))

    def returns_lock(self, root: Path) -> threading.Lock:
        """Held while returns are taken in: collect reads and rewrites the project's record of returns."""
        return self.lock(f"returns:{root.resolve()}")

    def save_versioned(self, path: Path, seen: str, change: Callable[[], T], reload: Callable[[], object]) -> T:
        """Run `change()` (which rewrites `path`) only if the file is still the version the page saw.

        Raises Stale with `reload()` when someone saved in between."""
        with self.file_lock(path):
            if version_of(path) != seen:
                raise Stale("保存未执行：这份数据在您打开页面后已被别人修改。下面是现在的内容，"
                            "请在此基础上重新修改后再保存。", reload())
            return change()

    # ------------------------------------------------------------------ caches
    async def overview(self, key: str) -> Overview:
        """The project's overview (a full check of the project), computed in the pool, one at a time per project."""
        return await self.run(self._overview, key)

    def _overview(self, key: str) -> Overview:
        with self.lock(f"overview:{key}"):           # ten pages asking at once compute it once
            return self.registry.overview(key)

    async def latest(self, key: str, what: str, root: Path, compute: Callable[[Path], T],
                     wait: bool = True) -> tuple[T | None, bool]:
        """(value, fresh): `compute(root)` cached until a file of the project changes.

        When it is stale and a value exists, that value is answered at once and a refresh runs in the
        background (fresh=False: the page says it is being updated). With nothing cached yet, the first
        asker computes it while others asking at the same time wait for that one result; with wait=False
        nobody waits (None, False) and it is computed in the background for the next ask."""
        slot = (key, what)
        stamp = await self.quick(snapshot, root)
        cached = self._cached.get(slot)
        if cached is not None and cached.stamp == stamp:
            return cached.value, True
        if cached is not None or not wait:
            if slot not in self._refreshing:
                self._refreshing.add(slot)
                self._background.submit(self._refresh, slot, root, compute)
            return (cached.value if cached is not None else None), False
        return await self.quick(self._first, slot, stamp, root, compute), True

    def _first(self, slot, stamp: tuple, root: Path, compute):
        with self.lock(f"first:{slot}"):             # ten pages opened at once compute it once
            cached = self._cached.get(slot)
            if cached is not None and cached.stamp == stamp:
                return cached.value
            value = compute(root)
            self._cached[slot] = _Fresh(stamp, value, time.time())
            return value

    def elsewhere(self, compute: Callable[[Path], T]) -> Callable[[Path], T]:
        """`compute` run in the process pool (for `latest`): a picklable function returning picklable data."""
        return functools.partial(_in_pool, self, compute)

    def prefetch(self, key: str, what: str, root: Path, compute: Callable[[Path], T]) -> None:
        """Compute `latest`'s value in the background now (at start-up), so the first page does not wait."""
        def work():
            try:
                self._first((key, what), snapshot(root), root, compute)
            except Exception:              # e.g. a project without departments: the page says so when asked
                pass
        self._background.submit(work)

    def close(self) -> None:
        """Stop the background refreshes (the server is stopping)."""
        self._background.shutdown(wait=True, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _refresh(self, slot, root: Path, compute) -> None:
        try:
            stamp = snapshot(root)
            value = compute(root)
            self._cached[slot] = _Fresh(stamp, value, time.time())
        except Exception:                 # the page keeps the last value; the next ask tries again
            log.exception("refreshing %s failed", slot)
        finally:
            self._refreshing.discard(slot)

    def forget(self, key: str) -> None:
        self.registry.forget(key)

    # ------------------------------------------------------------------ the office's work
    async def take_upload(self, key: str, root: Path, received: list[tuple[str, bytes]]):
        """Keep the uploaded files and take them in (intake.py), all in the pool; returns the Intake."""
        result = await self.run(self._take_upload, root, received)
        self.forget(key)
        return result

    def _take_upload(self, root: Path, received: list[tuple[str, bytes]]):
        from . import intake, sections
        result = intake.Intake()
        if not received:
            result.problems.error("没有选择文件：请先选择要上传的文件，再点“上传”。")
        saved = []
        for name, data in received:
            try:
                saved.append(intake.save_upload(root, name, data))
            except intake.UploadRefused as e:
                result.problems.error(e.message)
        if not saved:
            return result
        with self.returns_lock(root), self.file_lock(root / "report.yaml"):
            taken = intake.take_in(root, saved)
        for s in taken.unplaced:
            sections.ask(root, s, taken)
        taken.problems.extend(result.problems)
        return taken

    async def save_indicators(self, root: Path, year: int, typed: dict[str, str]):
        from . import corrections
        from ..load.project import INDICATOR_FILE

        def save():
            # a value from a workbook is saved as a corrected copy under returns/, named in report.yaml or the record
            with self.returns_lock(root), self.file_lock(root / "report.yaml"), self.file_lock(root / INDICATOR_FILE):
                return corrections.save(root, year, typed)
        return await self.run(save)

    async def workbook_bytes(self, root: Path) -> tuple[str, bytes]:
        """The fill-in workbook as `reportgen workbook` makes it, written outside the project: a GET changes nothing."""
        return await self.run(self._workbook_bytes, root)

    @staticmethod
    def _workbook_bytes(root: Path) -> tuple[str, bytes]:
        import tempfile
        from ..batch import peek_config
        from ..fileio import safe_file_name
        from ..pipeline import export_workbook
        school = peek_config(root).get("school")
        name = safe_file_name(f"{school.get('name') if isinstance(school, dict) else root.name}数据填报") + ".xlsx"
        with tempfile.TemporaryDirectory(prefix="reportgen-workbook-") as tmp:
            result = export_workbook(root, Path(tmp) / name)
            return name, result.output.read_bytes()


def _in_pool(service: Service, compute, root: Path):
    return service._processes().submit(compute, root).result()
