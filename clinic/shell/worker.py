"""One thread that owns the termbase for the whole session.

Typing must never wait for a search, so searches run off the screen's thread. They
all run on this *one* thread because the termbase's SQLite connection is opened, used
and closed in the thread that opened it (sqlite3's default check), and because one open
connection reused for every keystroke is what keeps a search in-process and fast.
Every keystroke bumps a generation number: a search that is no longer the latest is
skipped before it starts and its result dropped if it finishes late, so a burst of
typing (or a paste) costs one search, not one per character.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from clinic.termbase.search import SearchResult
from clinic.termbase.termbase import Termbase

T = TypeVar("T")


@dataclass
class Outcome:
    """What one search came to: a result or an error, for one generation."""

    generation: int
    query: str
    result: SearchResult | None
    error: Exception | None
    seconds: float


class TermbaseWorker:
    def __init__(self, termbase: Termbase, *, debounce: float = 0.0) -> None:
        self.termbase = termbase
        self.debounce = debounce
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clinic-termbase")
        self._lock = threading.Lock()
        self._latest = 0
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run fn(termbase, *args) on the termbase thread."""
        return self._executor.submit(fn, self.termbase, *args)

    @property
    def latest(self) -> int:
        return self._latest

    def search(
        self,
        query: str,
        *,
        domains: list[str] | None,
        mode: str,
        limit: int,
        done: Callable[[Outcome], None],
    ) -> Future[Outcome | None]:
        """Search for query unless a newer search is asked for first; `done` gets the
        outcome (on the termbase thread) only while it is still the latest."""
        with self._lock:
            self._latest += 1
            generation = self._latest

        def job(termbase: Termbase) -> Outcome | None:
            if generation != self._latest:
                return None
            if self.debounce:
                time.sleep(self.debounce)
                if generation != self._latest:
                    return None
            start = time.perf_counter()
            result: SearchResult | None = None
            error: Exception | None = None
            try:
                result = termbase.search(query, domains=domains, mode=mode, limit=limit)
            except Exception as caught:  # shown on the status line, never a crash
                error = caught
            outcome = Outcome(generation, query, result, error, time.perf_counter() - start)
            if generation == self._latest:
                done(outcome)
            return outcome

        return self.submit(job)

    def cancel_searches(self) -> None:
        """Make every search asked for so far stale (the query was cleared)."""
        with self._lock:
            self._latest += 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.cancel_searches()
        with contextlib.suppress(Exception):  # closing must not hide why the shell ended
            self._executor.submit(lambda: self.termbase.close()).result(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
