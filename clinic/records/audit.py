"""The audit trail: who changed what, when, never the personal values themselves.

Entries live in the store's `audit` table, written in the same journal line as the
change they describe (so a change is never saved without its entry, nor the other way
round). They are only ever added. Each entry carries the hash of the one before and its
own SHA-256 over its canonical JSON: changing, removing or reordering an entry breaks
the chain, which `clinic store check` verifies (a hash chain as in tamper-evident logs;
docs_anchors.md §7 lists it as what none of the anchors has).

An entry: at (local time with offset), who (the operating-system user), action, case,
and the non-personal facts of the change: form, status from/to, changed field paths,
counts, document hashes. Free text (status notes, override reasons) stays in the case
record, which encryption covers; the entry records only that it exists.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

TABLE = "audit"
GENESIS = "0" * 64
HEAD_KEY = "audit"  # the chain's head, kept in the journal's meta


def who() -> str:
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no login name in this environment (containers, services)
        return "unknown"


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def entry_hash(entry: Mapping[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain(entries: Iterable[dict[str, Any]], head: str) -> tuple[list[dict[str, Any]], str]:
    """Link new entries after head: each gets `prev` and `hash`. Returns (entries, head)."""
    linked = []
    for entry in entries:
        entry = {**entry, "prev": head}
        entry["hash"] = entry_hash(entry)
        head = entry["hash"]
        linked.append(entry)
    return linked, head


def make(
    action: str, case: str | None, *, by: str | None = None, at: str | None = None, **facts: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {"at": at or now(), "who": by or who(), "action": action}
    if case is not None:
        entry["case"] = case
    entry.update({k: v for k, v in facts.items() if v is not None})
    return entry


def verify(entries: Iterable[Mapping[str, Any]]) -> tuple[int, str | None, str]:
    """(entries checked, the first problem or None, head hash)."""
    head = GENESIS
    count = 0
    for count, entry in enumerate(entries, start=1):
        if entry.get("prev") != head:
            return count, f"entry {count} does not follow the one before it", head
        if entry_hash(entry) != entry.get("hash"):
            return count, f"entry {count} was changed after it was written", head
        head = str(entry["hash"])
    return count, None, head


def describe(entry: Mapping[str, Any]) -> str:
    """One line for `clinic case history`: the facts, no values."""
    action = entry.get("action", "")
    parts = [str(action)]
    if entry.get("form"):
        parts.append(f"form {entry['form']}")
    if entry.get("from") or entry.get("to"):
        parts.append(f"{entry.get('from') or '-'} -> {entry.get('to') or '-'}")
    if entry.get("version"):
        parts.append(f"version {entry['version']}")
    fields = entry.get("fields")
    if fields:
        shown = ", ".join(fields[:8]) + (f" (+{len(fields) - 8})" if len(fields) > 8 else "")
        parts.append(f"fields: {shown}")
    if entry.get("filled"):
        parts.append(f"{entry['filled']} value(s)")
    for key in ("kind", "recipients", "items", "documents", "missing", "changed", "note"):
        if entry.get(key) not in (None, "", [], 0):
            value = entry[key]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            parts.append(f"{key}: {value}")
    return "; ".join(parts)
