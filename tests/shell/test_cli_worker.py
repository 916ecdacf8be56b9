"""`clinic shell` as a command, and the termbase worker on its own."""

from __future__ import annotations

import threading
from pathlib import Path

from clinic.shell.worker import Outcome, TermbaseWorker
from clinic.termbase.termbase import Termbase


def test_shell_needs_a_terminal(run) -> None:
    result = run("shell")
    assert result.exit_code == 2
    assert "needs a terminal" in result.output
    assert "clinic lookup" in result.output


def test_shell_checks_its_options_first(run) -> None:
    result = run("shell", "--pair", "my")
    assert result.exit_code == 2
    assert "--pair" in result.output and "two language codes" in result.output
    result = run("shell", "--domain", "nowhere")
    assert result.exit_code == 2
    assert "unknown subject field" in result.output


def test_shell_is_listed_in_the_help(run) -> None:
    result = run("--help")
    assert "shell" in result.output


def test_worker_runs_searches_on_one_thread_and_drops_stale_ones(
    termbase: Termbase, home: Path
) -> None:
    worker = TermbaseWorker(Termbase(home))
    threads: set[str] = set()
    shown: list[Outcome] = []
    try:
        # hold the thread busy so that the searches below queue up behind it
        gate = threading.Event()
        worker.submit(lambda tb: gate.wait(5))
        futures = [
            worker.search(
                q,
                domains=None,
                mode="auto",
                limit=5,
                done=lambda o: (shown.append(o), threads.add(threading.current_thread().name)),
            )
            for q in ("d", "de", "deb", "debt")
        ]
        gate.set()
        outcomes = [f.result(5) for f in futures]
        assert outcomes[:3] == [None, None, None]  # skipped before they started
        assert outcomes[3] is not None and outcomes[3].query == "debt"
        assert [o.query for o in shown] == ["debt"]
        assert outcomes[3].result.hits[0].concept["id"] == "debt-bondage"
        assert len(threads) == 1 and next(iter(threads)).startswith("clinic-termbase")
        # an error comes back as an outcome, not as an exception in the thread
        error = worker.search("?!", domains=None, mode="auto", limit=5, done=lambda o: None).result(
            5
        )
        assert error.result is None and "no letters" in str(error.error)
    finally:
        worker.close()
