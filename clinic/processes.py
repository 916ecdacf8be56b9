"""Work spread over processes: how many CPUs this process may use, and how to start
the helpers (forked where that is safe: nothing to import again and no data to copy).

Used by bulk work only (a big TBX import, a 10,000-file case import, the search index
of a big import); nothing here is imported when `clinic lookup` starts."""

from __future__ import annotations

import os
from typing import Any


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the OS says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def may_fork() -> bool:
    """fork is safe in a process with one thread (the shell has a worker thread, and a
    lock held by another thread at the fork stays held in the child for good)."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def context() -> Any:
    """A multiprocessing context: fork where may_fork, else spawn."""
    import multiprocessing

    return multiprocessing.get_context("fork" if may_fork() else "spawn")
