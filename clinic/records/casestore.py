"""The case store: cases, their versions, status, documents, consents and audit trail.

Everything lives in one TinyDB database (clinic.records.journal) in DATA/cases/:

- `cases`: one document per case: case_id, form, status, office, opened (date),
  created/updated (time), closed (date, in a final state), version, values (what the
  case file holds, checked), status_history, documents, consents, overrides. A purged
  case keeps only anonymous facts (form, status, office, month opened and closed,
  nationality) for the reports.
- `versions`: earlier values of a case, kept by `update`.
- `audit`: the hash-chained audit trail (clinic.records.audit), written in the same
  journal line as each change.

Reads that must be fast cold (show, list) go through the derived SQLite index
(clinic.records.index); writes take the writers' lock, make sure the index matches the
store, append one journal line and update the index.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic import paths
from clinic.exceptions import ClinicError, NothingFound, StoreError
from clinic.records import audit
from clinic.records import workflows as wf
from clinic.records.crypto import SealBroken, Sealer
from clinic.records.files import private_folder
from clinic.records.index import CaseIndex, Row, decode, encode
from clinic.records.journal import JournalDB, JournalTransaction, open_journal_db
from clinic.records.values import NewCase, changed_paths, check_case_id, count_values

FOLDER = "cases"
KIND = "cases"
FORMAT = 1
CASES, VERSIONS = "cases", "versions"
OFFICE_ENV = "CLINIC_OFFICE"
DEFAULT_OFFICE = "main"
_OFFICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")
NOT_FOUND = "no case with this id in the store ('clinic case list' shows them)"


@dataclass
class CaseSummary:
    case_id: str
    form: str
    status: str
    office: str
    opened: str
    updated: str
    closed: str | None
    due: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DueCase:
    case_id: str
    form: str
    status: str
    office: str
    deadline: str
    label: str
    due_on: str
    days_left: int
    late: bool
    late_path: str
    missing: str | None  # the field late registration needs, when it is empty

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class HistoryLine:
    at: str
    who: str
    text: str
    note: str | None = None


@dataclass
class PurgeResult:
    case_ids: list[str]
    documents_on_disk: list[str] = field(default_factory=list)


def today() -> dt.date:
    return dt.date.today()


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2400
BUDDHIST_ERA_OFFSET = 543  # B.E. year = C.E. year + 543 (the Thai calendar)


def parse_date(text: str, what: str = "date") -> dt.date:
    """A date given as YYYY-MM-DD with a Common Era year. date.fromisoformat alone
    would also take 20261102 or 2026-W45-1, and a Buddhist Era year (2569-11-01) as if
    it were C.E.: refused, with a hint."""
    expected = f"expected the {what} date as YYYY-MM-DD, e.g. 2026-11-02"
    found = _ISO_DATE.fullmatch((text or "").strip()) if isinstance(text, str) else None
    if found is None:
        raise ClinicError(expected, field=what)
    year = int(found.group(1))
    if year > LATEST_YEAR:
        raise ClinicError(
            f"{expected}: {year} looks like a Buddhist Era year; give the Common Era "
            f"year ({year} - {BUDDHIST_ERA_OFFSET} = {year - BUDDHIST_ERA_OFFSET})",
            field=what,
        )
    if year < EARLIEST_YEAR:
        raise ClinicError(f"{expected} (a year from {EARLIEST_YEAR})", field=what)
    try:
        return dt.date(year, int(found.group(2)), int(found.group(3)))
    except ValueError:
        raise ClinicError(f"{expected} (no such day)", field=what) from None


def _line_of_case_id(source: Path | None) -> int | None:
    """The line of `case_id:` in a case file, for an error message (None if unknown)."""
    if source is None:
        return None
    try:
        with open(source, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.lstrip().startswith("case_id:"):
                    return number
    except OSError:
        return None
    return None


def check_office(office: str | None) -> str:
    office = (office or os.environ.get(OFFICE_ENV) or DEFAULT_OFFICE).strip()
    if not _OFFICE.fullmatch(office):
        raise ClinicError(
            "expected an office name of letters, digits, spaces, '.', '_' or '-' (at most 40)",
            field="office",
        )
    return office


class _Write:
    """One change under the writers' lock: journal operations, audit entries, index rows."""

    def __init__(self, store: CaseStore, tx: JournalTransaction) -> None:
        self.store = store
        self.tx = tx
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.removed: list[str] = []
        self.entries: list[dict[str, Any]] = []

    def log(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)

    def put(self, doc_id: int, doc: dict[str, Any]) -> None:
        self.store.db.table(CASES).put(doc_id, doc)  # type: ignore[attr-defined]
        self.rows.append((doc_id, doc))

    def insert_all(self, docs: list[dict[str, Any]]) -> list[int]:
        doc_ids = self.store.db.table(CASES).insert_multiple(docs)
        self.rows.extend(zip(doc_ids, docs))
        return doc_ids

    def finish(self) -> None:
        store = self.store
        head = self.tx.meta.get(audit.HEAD_KEY, audit.GENESIS)
        linked, head = audit.chain(self.entries, head)
        ids = store.db.table(audit.TABLE).insert_multiple(linked) if linked else []
        self.tx.meta[audit.HEAD_KEY] = head
        self.tx.commit()
        sealer = store._sealer_if_encrypted()
        rows = [
            store._row(doc_id, doc, sealer) for doc_id, doc in self.rows if not doc.get("purged")
        ]
        events = [(doc_id, e.get("case"), audit_json(e)) for doc_id, e in zip(ids, linked)]
        try:
            store.index.apply(rows, self.removed, events, store._signature())
        except sqlite3.DatabaseError:
            store.index.close()
            store.index.path.unlink(missing_ok=True)  # rebuilt on the next read
        if store.storage.compaction_due():
            store.storage.compact_locked()
            store._resign_index()


def audit_json(entry: Mapping[str, Any]) -> str:
    import json

    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


class CaseStore:
    """The case store of one data directory. Cheap to open: nothing is read until used."""

    def __init__(
        self,
        home: Path | None = None,
        *,
        passphrase: str | None = None,
        settings: wf.Settings | None = None,
    ) -> None:
        self.home = Path(home) if home else paths.home()
        self.folder = self.home / FOLDER
        self.path = self.folder / "cases.json"
        self.db: JournalDB = open_journal_db(
            self.path, kind=KIND, version=FORMAT, passphrase=passphrase
        )
        self.storage = self.db.journal
        self.index = CaseIndex(self.folder / "cases.index.sqlite")
        self.settings = settings or wf.load()

    def close(self) -> None:
        self.index.close()
        self.db.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    # --- the index ---------------------------------------------------------------

    def _signature(self) -> str:
        enc = self.storage.encryption_header()
        check = enc.get("check", "?") if enc else "plain"
        return f"{self.storage.signature()}|{self.settings.digest}|{check}"

    def unlock(self) -> None:
        """Check now that an encrypted store opens with the passphrase given (raises
        PassphraseNeeded or WrongPassphrase), before work that would need it later."""
        self._sealer_if_encrypted()

    def _sealer_if_encrypted(self) -> Sealer | None:
        return self.storage.sealer if self.storage.encryption_header() else None

    def _row(self, doc_id: int, doc: Mapping[str, Any], sealer: Sealer | None) -> tuple[Row, bytes]:
        due = None
        if sealer is None:
            dues = self.settings.deadlines(doc["form"], doc["status"], doc.get("values", {}))
            if dues:
                due = min(d.due_on for d in dues).isoformat()
        row = Row(
            doc["case_id"],
            doc_id,
            doc["form"],
            doc["status"],
            doc.get("office", ""),
            doc.get("opened", ""),
            doc.get("updated", ""),
            doc.get("closed"),
            due,
        )
        return row, encode(dict(doc), doc["case_id"], sealer)

    def _rebuild_index(self) -> None:
        """From the store itself (a full load), under the writers' lock."""
        sealer = self._sealer_if_encrypted()
        table = self.db.table(CASES)
        rows = [self._row(doc.doc_id, doc, sealer) for doc in table.all() if not doc.get("purged")]
        events = [
            (entry.doc_id, entry.get("case"), audit_json(entry))
            for entry in self.db.table(audit.TABLE).all()
        ]
        private_folder(self.folder)
        self.index.build(rows, events, self._signature())

    def _resign_index(self) -> None:
        db = self.index.connection()
        if db is not None:
            try:
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (self._signature(),)
                )
            except sqlite3.DatabaseError:  # e.g. a full disk: rebuilt on the next read
                self.index.close()
                self.index.path.unlink(missing_ok=True)

    def _fresh_index_locked(self) -> None:
        if self.index.signature() != self._signature():
            self._rebuild_index()

    def _ready_index(self) -> CaseIndex | None:
        """The index, matching the store (rebuilt under the lock if needed); None when
        there is no store yet."""
        if not self.storage.exists():
            return None
        if self.index.signature() == self._signature():
            return self.index
        # The lock alone, not a write: a reader never repairs, compacts or otherwise
        # touches the journal and the snapshot (damage must stay as evidence).
        with self.storage.reading():
            self._fresh_index_locked()
        return self.index

    @contextmanager
    def _writing(self) -> Iterator[_Write]:
        with self.storage.transaction(compact=False) as tx:
            self._fresh_index_locked()
            write = _Write(self, tx)
            yield write
            write.finish()

    def _current(self, case_id: str) -> tuple[int, dict[str, Any]]:
        check_case_id(case_id)
        index = self._ready_index()
        found = index.get(case_id) if index is not None else None
        if found is None:
            raise NothingFound(NOT_FOUND, field="case_id")
        doc_id, blob = found
        try:
            return doc_id, decode(blob, case_id, self._sealer_if_encrypted())
        except (SealBroken, ValueError):
            raise StoreError(
                "the index does not decode; run 'clinic store check'", path=self.index.path
            ) from None

    # --- adding and reading ---------------------------------------------------------

    def add(
        self,
        cases: Sequence[NewCase],
        *,
        office: str | None = None,
        opened: dt.date | None = None,
        by: str | None = None,
    ) -> list[str]:
        """Add checked cases, all or none. A case id already in the store (or twice in
        the batch) is an error naming the id."""
        office = check_office(office)
        seen: set[str] = set()
        twice = []
        for case in cases:
            check_case_id(case.case_id)
            if case.case_id in seen:
                twice.append(case.case_id)
            seen.add(case.case_id)
        if twice:
            raise ClinicError(
                f"case id(s) given twice: {', '.join(sorted(set(twice))[:20])}; nothing was added",
                field="case_id",
            )
        if not cases:
            return []
        opened_on = (opened or today()).isoformat()
        with self._writing() as write:
            present = self.index.existing([c.case_id for c in cases])
            if present:
                # Case ids only (checked identifiers, never free text), and the file
                # of the first one, so that the line can be found.
                shown = ", ".join(sorted(present)[:20])
                more = f" (and {len(present) - 20} more)" if len(present) > 20 else ""
                first = next(c for c in cases if c.case_id in present)
                raise ClinicError(
                    f"case id already in the store: {shown}{more}; nothing was added (use "
                    "'clinic case update ID FILE' to change a case)",
                    path=first.source,
                    line=_line_of_case_id(first.source),
                    field="case_id",
                )
            from clinic.records.consent import stated_in

            now = audit.now()
            user = by or audit.who()
            docs: list[dict[str, Any]] = []
            for case in cases:
                workflow = self.settings.for_form(case.form).workflow
                doc = {
                    "case_id": case.case_id,
                    "form": case.form,
                    "form_version": case.form_version,
                    "status": workflow.start,
                    "office": office,
                    "opened": opened_on,
                    "created": now,
                    "updated": now,
                    "closed": None,
                    "version": 1,
                    "values": case.values,
                    "status_history": [{"status": workflow.start, "at": now, "by": user}],
                    "documents": [],
                    "consents": stated_in(case.form, case.values, by=user, at=now),
                    "overrides": [],
                }
                docs.append(doc)
                write.log(
                    audit.make(
                        "add",
                        case.case_id,
                        by=user,
                        at=now,
                        form=case.form,
                        to=workflow.start,
                        version=1,
                        filled=count_values(case.values),
                    )
                )
            write.insert_all(docs)
        return [c.case_id for c in cases]

    def get(self, case_id: str) -> dict[str, Any]:
        """The case document (values, status, history, documents, consents)."""
        return self._current(case_id)[1]

    def exists(self, case_id: str) -> bool:
        check_case_id(case_id)
        index = self._ready_index()
        return index is not None and index.get(case_id) is not None

    def cases(
        self,
        *,
        form: Sequence[str] = (),
        status: Sequence[str] = (),
        office: Sequence[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[CaseSummary]:
        index = self._ready_index()
        if index is None:
            return []
        rows = index.rows(
            form=form,
            status=status,
            office=office,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
        )
        return [
            CaseSummary(r.case_id, r.form, r.status, r.office, r.opened, r.updated, r.closed, r.due)
            for r, _ in rows
        ]

    def due(
        self,
        *,
        on: dt.date | None = None,
        days: int = 7,
        form: Sequence[str] = (),
        office: Sequence[str] = (),
    ) -> list[DueCase]:
        """Deadlines that fall within `days` from `on` (today), and those already past."""
        index = self._ready_index()
        if index is None:
            return []
        on = on or today()
        horizon = on + dt.timedelta(days=days - 1)
        sealer = self._sealer_if_encrypted()
        if sealer is None:
            rows = index.rows(
                form=form, office=office, due_before=horizon.isoformat(), with_data=True
            )
        else:  # no due dates in the clear: look at the cases that can have one
            forms = [name for name, s in self.settings.forms.items() if s.deadlines]
            if form:
                forms = [f for f in forms if f in form]
            states = sorted(
                {
                    s
                    for name in forms
                    for d in self.settings.forms[name].deadlines
                    for s in d.while_in
                }
            )
            rows = (
                index.rows(form=forms, status=states, office=office, with_data=True)
                if forms
                else []
            )
        result = []
        for row, blob in rows:
            assert blob is not None
            doc = decode(blob, row.case_id, sealer)
            for due in self.settings.deadlines(doc["form"], doc["status"], doc["values"]):
                if due.due_on > horizon:
                    continue
                late = due.late(on)
                missing = None
                needs = due.deadline.late_needs
                if late and needs and not wf.value_at(doc["values"], needs):
                    missing = needs
                result.append(
                    DueCase(
                        case_id=row.case_id,
                        form=row.form,
                        status=row.status,
                        office=row.office,
                        deadline=due.deadline.name,
                        label=due.deadline.label.get("en", ""),
                        due_on=due.due_on.isoformat(),
                        days_left=(due.due_on - on).days,
                        late=late,
                        late_path=due.deadline.late.get("en", "") if late else "",
                        missing=missing,
                    )
                )
        result.sort(key=lambda d: (d.due_on, d.case_id))
        return result

    # --- changing -------------------------------------------------------------------

    def update(self, case_id: str, case: NewCase, *, by: str | None = None) -> int:
        """Replace a case's values; the previous version is kept. Returns the new version
        (the same one when nothing changed)."""
        check_case_id(case_id)
        if case.case_id != case_id:
            raise ClinicError(
                "the file is for another case (its case_id differs from the id given)",
                path=case.source,
                field="case_id",
            )
        with self._writing() as write:
            doc_id, doc = self._current(case_id)
            if case.form != doc["form"]:
                raise ClinicError(
                    f"this case is a {doc['form']} case; the file is for form {case.form}",
                    path=case.source,
                    field="form",
                )
            fields = changed_paths(doc["values"], case.values)
            if not fields:
                return int(doc["version"])
            now = audit.now()
            user = by or audit.who()
            self.db.table(VERSIONS).insert(
                {
                    "case_id": case_id,
                    "version": doc["version"],
                    "form_version": doc.get("form_version"),
                    "values": doc["values"],
                    "replaced": now,
                    "by": user,
                }
            )
            from clinic.records.consent import merge_stated, stated_in

            version = int(doc["version"]) + 1
            stated = stated_in(case.form, case.values, by=user, at=now)
            write.put(
                doc_id,
                {
                    **doc,
                    "values": case.values,
                    "version": version,
                    "form_version": case.form_version,
                    "updated": now,
                    "consents": merge_stated(doc.get("consents", []), stated),
                },
            )
            write.log(
                audit.make("update", case_id, by=user, at=now, version=version, fields=fields)
            )
        return version

    def set_status(
        self,
        case_id: str,
        state: str,
        *,
        note: str | None = None,
        by: str | None = None,
        on: dt.date | None = None,
    ) -> tuple[str, str]:
        """Move a case along its form's workflow. Returns (from, to)."""
        if on is not None and on > today():
            raise ClinicError("the --on date is in the future", field="on")
        with self._writing() as write:
            doc_id, doc = self._current(case_id)
            if on is not None and on.isoformat() < str(doc.get("opened") or ""):
                raise ClinicError(
                    f"the --on date is before the case was opened ({doc['opened']})",
                    field="on",
                )
            workflow = self.settings.for_form(doc["form"]).workflow
            target = workflow.state(state)
            current = doc["status"]
            workflow.check_move(current, target)
            now = audit.now()
            user = by or audit.who()
            step: dict[str, Any] = {"status": target, "at": now, "by": user}
            if note:
                step["note"] = note.strip()
            closed = (on or today()).isoformat() if target in workflow.final else None
            write.put(
                doc_id,
                {
                    **doc,
                    "status": target,
                    "updated": now,
                    "closed": closed,
                    "status_history": [*doc.get("status_history", []), step],
                },
            )
            write.log(
                audit.make(
                    "status",
                    case_id,
                    by=user,
                    at=now,
                    **{"from": current},
                    to=target,
                    note="yes" if note else None,
                )
            )
        return current, target

    def change(
        self,
        case_id: str,
        action: str,
        changes: Mapping[str, Any],
        facts: Mapping[str, Any],
        *,
        by: str | None = None,
    ) -> dict[str, Any]:
        """Replace some top-level parts of a case (documents, consents, overrides) and log
        `action` with `facts` (which must hold no personal values)."""
        with self._writing() as write:
            doc_id, doc = self._current(case_id)
            now = audit.now()
            new = {**doc, **changes, "updated": now}
            write.put(doc_id, new)
            write.log(audit.make(action, case_id, by=by or audit.who(), at=now, **facts))
        return new

    def history(self, case_id: str) -> list[HistoryLine]:
        """The case's audit entries, with the notes written on status changes."""
        doc = self.get(case_id)
        index = self._ready_index()
        assert index is not None
        notes = {
            (step.get("at"), step.get("status")): step.get("note")
            for step in doc.get("status_history", [])
            if step.get("note")
        }
        lines = []
        for entry in index.events(case_id):
            note = (
                notes.get((entry.get("at"), entry.get("to")))
                if entry.get("action") == "status"
                else None
            )
            lines.append(
                HistoryLine(
                    str(entry.get("at")), str(entry.get("who")), audit.describe(entry), note
                )
            )
        return lines

    def versions(self, case_id: str) -> list[dict[str, Any]]:
        """Earlier versions of a case's values (a full load)."""
        from tinydb import Query

        check_case_id(case_id)
        found = self.db.table(VERSIONS).search(Query().case_id == case_id)
        return sorted((dict(v) for v in found), key=lambda v: v["version"])

    # --- retention ----------------------------------------------------------------

    def purge(
        self, closed_before: dt.date, *, dry_run: bool = False, by: str | None = None
    ) -> PurgeResult:
        """Remove the personal data of cases that reached a final state before the date;
        keep anonymous facts for the reports. Then compact, so that the data is gone
        from the journal and the index files too (not from backups: see the CLI)."""
        from tinydb import Query

        final = sorted(self.settings.final_states())
        index = self._ready_index()
        if index is None:
            return PurgeResult([])
        cutoff = closed_before.isoformat()
        candidates = [
            r.case_id for r, _ in index.rows(status=final) if r.closed and r.closed < cutoff
        ]
        if dry_run or not candidates:
            return PurgeResult(candidates)
        result = PurgeResult([])
        with self._writing() as write:
            sealer = self._sealer_if_encrypted()
            rows = {
                r.case_id: (r, blob) for r, blob in self.index.rows(status=final, with_data=True)
            }
            now = audit.now()
            user = by or audit.who()
            purged = []
            for case_id in candidates:
                if case_id not in rows:
                    continue
                row, blob = rows[case_id]
                assert blob is not None
                doc = decode(blob, case_id, sealer)
                if not doc.get("closed") or doc["closed"] >= cutoff:
                    continue
                result.documents_on_disk += [
                    d["output"] for d in doc.get("documents", []) if Path(d["output"]).exists()
                ]
                write.put(row.doc_id, self._tombstone(doc))
                write.removed.append(case_id)
                write.log(audit.make("purge", case_id, by=user, at=now, form=doc["form"]))
                purged.append(case_id)
            versions = self.db.table(VERSIONS)
            for version in versions.search(Query().case_id.one_of(purged)):
                versions.delete(version.doc_id)  # type: ignore[attr-defined]
            result.case_ids = purged
        if purged:
            self.storage.compact()
            with self.storage.transaction(compact=False):
                self._rebuild_index()
        return result

    def _tombstone(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "purged": True,
            "form": doc["form"],
            "status": doc["status"],
            "office": doc.get("office", ""),
            "opened": str(doc.get("opened", ""))[:7],
            "closed": str(doc.get("closed") or "")[:7],
            "nationality": self.nationality(doc),
        }

    def nationality(self, doc: Mapping[str, Any]) -> str:
        """The report dimension: a choice value, never free text."""
        if doc.get("purged"):
            return str(doc.get("nationality") or "unknown")
        for path in self.settings.for_form(doc["form"]).nationality:
            value = wf.value_at(doc.get("values", {}), path)
            if value:
                text = str(value)
                return text if re.fullmatch(r"[a-z][a-z0-9_]{0,30}", text) else "other"
        return "unknown"

    # --- whole-store work ----------------------------------------------------------

    def all_cases(self) -> list[dict[str, Any]]:
        """Every case document, purged ones included (a full load)."""
        if not self.storage.exists():
            return []
        return [dict(doc) for doc in self.db.table(CASES).all()]

    def audit_entries(self) -> list[dict[str, Any]]:
        if not self.storage.exists():
            return []
        table = self.db.table(audit.TABLE)
        return [dict(e) for e in sorted(table.all(), key=lambda e: e.doc_id)]

    def compact(self) -> None:
        if not self.storage.exists():
            raise NothingFound("there is no case store yet")
        self.storage.compact()
        with self.storage.transaction(compact=False):
            self._rebuild_index()

    def rebuild_index(self) -> None:
        with self.storage.reading():
            self._rebuild_index()

    def set_encryption(self, sealer: Sealer | None, *, action: str, by: str | None = None) -> None:
        """Rewrite the whole store with a new key (or none), then a new index."""
        from clinic.records.journal import JournalTransaction

        with self.storage.transaction(compact=False) as tx:
            assert isinstance(tx, JournalTransaction)
            self.storage.load_locked()
            entry = audit.make(action, None, by=by)
            head = tx.meta.get(audit.HEAD_KEY, audit.GENESIS)
            linked, head = audit.chain([entry], head)
            self.db.table(audit.TABLE).insert_multiple(linked)
            tx.meta[audit.HEAD_KEY] = head
            tx.commit()
            self.storage.compact_locked(sealer)
            self._rebuild_index()

    def log_only(
        self, action: str, case_id: str | None, facts: Mapping[str, Any], *, by: str | None = None
    ) -> None:
        """An audit entry without a change to a case (e.g. a backup was taken)."""
        with self._writing() as write:
            write.log(audit.make(action, case_id, by=by, **facts))
