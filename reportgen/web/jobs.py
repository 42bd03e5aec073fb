"""Long work in the background: one thread per job, at most one job per project at a time.

A job records its steps as they finish (the page polls them for its progress bar) and ends done or
failed; a failure keeps the located problems for the page, never a traceback (that goes to the log).
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import Problems, ReportgenError

log = logging.getLogger("reportgen.web")
INTERNAL = "处理时出现程序内部错误（详情已记入服务器日志）。请把服务器窗口中的信息发给维护人员。"


@dataclass
class Job:
    id: int
    project: str
    kind: str                                   # build | preview
    title: str                                  # 生成初稿 …
    steps: list[str]                            # the steps' names in order, for the progress bar
    done: list[str] = field(default_factory=list)
    state: str = "running"                      # running | done | failed
    detail: str = ""                            # the step in progress, in words
    lines: list[str] = field(default_factory=list)      # what the finished job says (Chinese)
    changes: list[str] = field(default_factory=list)    # a build: what it changed since the build before it
    problems: Problems = field(default_factory=Problems)
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def percent(self) -> int:
        if self.state != "running":
            return 100
        return min(99, int(100 * len(set(self.done) & set(self.steps)) / max(1, len(self.steps))))

    def step(self, name: str, detail: str = "") -> None:
        if name not in self.done:
            self.done.append(name)
        self.detail = detail

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "state": self.state,
                "percent": self.percent, "detail": self.detail, "done": self.done, "steps": self.steps}


class Busy(Exception):
    """The project already has a job running; carries it."""

    def __init__(self, job: Job):
        super().__init__(job.title)
        self.job = job


class Jobs:
    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._running: dict[str, Job] = {}
        self._last: dict[tuple[str, str], Job] = {}      # (project, kind) → the latest job of that kind

    def start(self, project: str, kind: str, title: str, steps: list[str],
              work: Callable[[Job], None]) -> Job:
        """Run `work(job)` in a thread; raises Busy when the project has a job running."""
        with self._lock:
            running = self._running.get(project)
            if running is not None:
                raise Busy(running)
            job = Job(next(self._ids), project, kind, title, steps)
            self._running[project] = job
            self._last[(project, kind)] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True, name=f"job-{job.id}").start()
        return job

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        try:
            work(job)
            job.state = "done"
        except ReportgenError as e:
            job.problems = e.problems()
            job.state = "failed"
        except Exception:                 # a bug must not take the server down: log it, tell the page
            log.exception("job %s (%s) failed", job.id, job.title)
            job.problems = Problems()
            job.problems.error(INTERNAL)
            job.state = "failed"
        finally:
            job.finished = time.time()
            with self._lock:
                self._running.pop(job.project, None)

    def running(self, project: str) -> Job | None:
        return self._running.get(project)

    def last(self, project: str, kind: str) -> Job | None:
        return self._last.get((project, kind))

    def find(self, project: str, job_id: int) -> Job | None:
        for job in list(self._last.values()):
            if job.project == project and job.id == job_id:
                return job
        return None

    def wait(self, project: str, timeout: float = 600) -> None:
        """Block until the project has no job running (tests and the bench)."""
        deadline = time.monotonic() + timeout
        while self.running(project) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
