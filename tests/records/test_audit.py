"""The audit trail: who, when, what (field paths), hash-chained, checked by `store check`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from clinic.records import audit
from clinic.records.casestore import CaseStore

from .conftest import MOTHER, new_case

Run = Callable[..., Result]


def test_every_change_leaves_an_entry_with_who_when_and_field_paths(store: CaseStore) -> None:
    store.add([new_case("AU-1")])
    changed = new_case("AU-1", notified_on="2026-11-12")
    changed.values["mother"]["name"] = "Test Mother Renamed"
    store.update("AU-1", changed, by="staff-a")
    store.set_status("AU-1", "documents_ready", note="private note", by="staff-b")
    entries = store.audit_entries()
    assert [e["action"] for e in entries] == ["add", "update", "status"]
    update = entries[1]
    assert update["who"] == "staff-a" and update["fields"] == ["mother.name", "notified_on"]
    assert update["at"][:4].isdigit() and "T" in update["at"]
    text = json.dumps(entries)
    assert "Renamed" not in text and MOTHER not in text and "private note" not in text
    assert entries[2]["from"] == "intake" and entries[2]["to"] == "documents_ready"
    count, problem, head = audit.verify(entries)
    assert (count, problem) == (3, None) and head == entries[-1]["hash"]


def test_the_chain_shows_a_changed_removed_or_reordered_entry(store: CaseStore) -> None:
    store.add([new_case(f"AU-{n}") for n in range(4)])
    for n in range(4):
        store.set_status(f"AU-{n}", "withdrawn")
    entries = store.audit_entries()
    assert audit.verify(entries)[1] is None
    changed = [dict(e) for e in entries]
    changed[2]["who"] = "someone else"
    assert "changed" in (audit.verify(changed)[1] or "")
    assert "does not follow" in (audit.verify(entries[:3] + entries[4:])[1] or "")
    assert audit.verify([entries[1], entries[0], *entries[2:]])[1] is not None


def test_store_check_notices_entries_removed_through_the_database(cli_run: Run, home: Path) -> None:
    with CaseStore(home) as store:
        store.add([new_case("AU-1"), new_case("AU-2")])
        store.set_status("AU-1", "withdrawn")
    assert cli_run("store", "check").exit_code == 0
    with CaseStore(home) as store:
        last = max(e.doc_id for e in store.db.table("audit").all())
        store.db.table("audit").remove(doc_ids=[last])  # tampering via TinyDB itself
    result = cli_run("store", "check")
    assert result.exit_code == 2 and "audit trail" in result.stderr
    audit_listing = cli_run("store", "audit")
    assert "chain of 2 entries: ok" in audit_listing.output  # the rest still links up
