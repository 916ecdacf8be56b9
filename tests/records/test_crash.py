"""What must never happen to the store, tried for real with processes.

- SIGKILL the writer at random moments during 200 adds and updates (compactions
  included): the store always opens, and every change reported as saved is there.
- Four processes adding 100 cases each at the same time: 400 cases, none lost, none
  twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic.records import audit
from clinic.records.backup import check
from clinic.records.casestore import CaseStore

WORKER = Path(__file__).with_name("_worker.py")


def _start(
    home: Path, prefix: str, start: int, count: int, *flags: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(home), prefix, str(start), str(count), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _verify(home: Path, added: set[str], versions: dict[str, int]) -> int:
    """Open the store as a new process would and check every reported change."""
    with CaseStore(home) as store:
        if not store.storage.exists():  # killed before its first write
            assert not added
            return 0
        docs = {d["case_id"]: d for d in store.all_cases()}  # full load: every line checked
        for case_id in added:
            assert case_id in docs, f"{case_id} was reported added but is missing"
        for case_id, version in versions.items():
            assert docs[case_id]["version"] >= version, f"update of {case_id} lost"
        listed = {c.case_id for c in store.cases()}  # through the index
        assert listed == set(docs), "the index does not match the store"
        assert len(docs) == len(store.all_cases())
    with CaseStore(home) as store:
        result = check(store)
        assert result.ok, result.problems
    return len(docs)


def _round(
    home: Path,
    rng: random.Random,
    start: int,
    flags: list[str],
    added: set[str],
    versions: dict[str, int],
) -> tuple[int, bool]:
    """One writer killed at a random moment; returns (changes it reported, killed)."""
    env = {**os.environ, "CLINIC_COMPACT_BYTES": "30000", "CLINIC_JOURNAL_CHUNK_BYTES": "8192"}
    worker = _start(home, "K", start, 400, *flags, env=env)
    time.sleep(rng.uniform(0.2, 1.2))
    worker.send_signal(signal.SIGKILL)
    out, _err = worker.communicate()
    reported = 0
    for line in out.decode().splitlines():
        parts = line.split()
        if parts[:1] == ["added"]:
            added.add(parts[1])
            reported += 1
        elif parts[:1] == ["updated"]:
            versions[parts[1]] = max(versions.get(parts[1], 0), int(parts[2]))
            reported += 1
    return reported, worker.returncode == -signal.SIGKILL


def _torn(home: Path) -> bool:
    from clinic.records.journal import open_journal_db

    db = open_journal_db(home / "cases" / "cases.json")
    if not db.journal.exists():
        return False
    db.table("cases").all()
    return db.journal.report.torn_tail or bool(db.journal.report.needs_repair)


def test_sigkill_at_random_moments_loses_no_reported_change(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rng = random.Random(int(os.environ.get("CLINIC_KILL_SEED", "20261123")))
    added: set[str] = set()
    versions: dict[str, int] = {}
    reported = kills = 0
    start = 0
    # 200 single adds and updates, the writer killed again and again (compactions too).
    while reported < 200 or kills < 5:
        done, killed = _round(home, rng, start, ["--updates"], added, versions)
        reported, kills, start = reported + done, kills + killed, start + 1000
        _verify(home, added, versions)
    assert versions, "updates were exercised"
    # Large lines written in pieces: kills that cut a line short (as a power cut would).
    cut_short = 0
    for _ in range(30):
        _round(home, rng, start, ["--batch", "300"], added, versions)
        start += 1000
        cut_short += _torn(home)
        _verify(home, added, versions)
        if cut_short >= 2:
            break
    assert cut_short >= 1, "no kill landed inside a write: the torn-line path was not tried"


@pytest.mark.parametrize("compact_bytes", [None, "20000"], ids=["journal", "compacting"])
def test_four_processes_adding_at_once_lose_and_double_nothing(
    tmp_path: Path, compact_bytes: str | None
) -> None:
    home = tmp_path / "home"
    env = dict(os.environ)
    if compact_bytes:  # compactions by one writer while the others append
        env["CLINIC_COMPACT_BYTES"] = compact_bytes
    workers = [
        _start(home, f"P{n}", 0, 100, *(["--reopen"] if n % 2 else []), env=env) for n in range(4)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err.decode()[-2000:]
    expected = {f"P{n}-{i:05d}" for n in range(4) for i in range(100)}
    with CaseStore(home) as store:
        docs = store.all_cases()
        ids = [d["case_id"] for d in docs]
        assert len(ids) == 400 and set(ids) == expected
        assert len({d["case_id"] for d in docs}) == len(docs)
        entries = store.audit_entries()
        assert len([e for e in entries if e["action"] == "add"]) == 400
        assert audit.verify(entries)[1] is None
        assert {c.case_id for c in store.cases()} == expected
        if compact_bytes:
            assert store.storage.report.snapshot_seq > 0, "no compaction happened"
