"""Optional wall-clock timing of pipeline stages (used by bench/run.py; a no-op otherwise)."""
from __future__ import annotations

from contextlib import contextmanager
from time import perf_counter


@contextmanager
def stage(timings: dict[str, float] | None, name: str):
    """Add the time spent in the block to timings[name]; does nothing when timings is None."""
    if timings is None:
        yield
        return
    start = perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + perf_counter() - start
