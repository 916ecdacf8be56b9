"""The derived case index: an SQLite file beside the store, for fast cold reads.

`clinic case show ID` and `clinic case list --status S` must answer in well under a
second at 50,000 cases; parsing the store takes longer than that (measurements.md §4:
a full load of 50,000 records is about a second). The index answers from the file
without loading it. The store stays the record of truth: the index carries the store's
signature (and that of the workflow settings and of the key), is updated under the
writers' lock after each change, and is rebuilt whenever it does not match (another
program changed the store, a crash came between the two writes, the file was deleted).

Columns: the case's non-personal facts (id, form, status, office, dates) in the clear
for filtering, and the whole case document in `data`. In an encrypted store `data` is
sealed with the store's key (bound to its case id), and the due date (which would
reveal a date of birth) is left out. `events` holds the audit entries by case, which
carry no personal values.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.exceptions import StoreError
from clinic.records.crypto import Sealer
from clinic.records.files import owner_only

FORMAT = "1"

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE cases(case_id TEXT PRIMARY KEY, doc_id INTEGER NOT NULL, form TEXT NOT NULL,
                   status TEXT NOT NULL, office TEXT NOT NULL, opened TEXT NOT NULL,
                   updated TEXT NOT NULL, closed TEXT, due TEXT, data BLOB NOT NULL);
CREATE INDEX cases_status ON cases(status, form);
CREATE INDEX cases_form ON cases(form);
CREATE INDEX cases_opened ON cases(opened);
CREATE INDEX cases_due ON cases(due);
CREATE TABLE events(id INTEGER PRIMARY KEY, case_id TEXT, data TEXT NOT NULL);
CREATE INDEX events_case ON events(case_id);
"""


def _case_row(r: Any, data: bytes) -> tuple[Any, ...]:
    """A row of the cases table, in its column order."""
    return (
        r.case_id,
        r.doc_id,
        r.form,
        r.status,
        r.office,
        r.opened,
        r.updated,
        r.closed,
        r.due,
        data,
    )


@dataclass
class Row:
    case_id: str
    doc_id: int
    form: str
    status: str
    office: str
    opened: str
    updated: str
    closed: str | None
    due: str | None


def _connect(path: Path) -> sqlite3.Connection:
    with owner_only():
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def encode(doc: dict[str, Any], case_id: str, sealer: Sealer | None) -> bytes:
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if sealer is None:
        return raw
    return sealer.seal(raw, b"clinic-index:" + case_id.encode())


def decode(blob: bytes, case_id: str, sealer: Sealer | None) -> dict[str, Any]:
    if sealer is not None:
        blob = sealer.open(bytes(blob), b"clinic-index:" + case_id.encode())
    data: dict[str, Any] = json.loads(blob)
    return data


def _build_error(error: BaseException, folder: Path) -> StoreError:
    """One line for a failed rebuild (the old index, if any, is left as it was)."""
    full = isinstance(error, sqlite3.OperationalError) and "full" in str(error).lower()
    if full or (isinstance(error, OSError) and error.errno == errno.ENOSPC):
        return StoreError(
            "not enough space to rebuild the case index; free some space and try again "
            "(the store itself is unchanged)",
            path=folder,
        )
    reason = error.strerror if isinstance(error, OSError) else type(error).__name__
    return StoreError(
        f"cannot rebuild the case index ({reason}); the store itself is unchanged",
        path=folder,
    )


class CaseIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._ino: int | None = None

    def connection(self) -> sqlite3.Connection | None:
        """The open index, or None when there is none (or it is unreadable)."""
        try:
            ino = os.stat(self.path).st_ino
        except FileNotFoundError:
            self.close()
            return None
        if self._db is not None and ino == self._ino:
            return self._db
        self.close()
        try:
            db = _connect(self.path)
            db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            return None
        self._db, self._ino = db, ino
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def signature(self) -> str | None:
        db = self.connection()
        if db is None:
            return None
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            return None
        if meta.get("format") != FORMAT:
            return None
        return meta.get("signature")

    # --- writing (callers hold the store's lock) ----------------------------------------

    def build(
        self,
        rows: Iterable[tuple[Row, bytes]],
        events: Iterable[tuple[int, str | None, str]],
        signature: str,
    ) -> None:
        """A fresh index, written beside and renamed into place."""
        self.close()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            db = _connect(tmp)
            try:
                db.execute("PRAGMA journal_mode=OFF")
                db.execute("PRAGMA synchronous=OFF")
                db.execute("BEGIN")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany(
                    "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (_case_row(r, data) for r, data in rows),
                )
                db.executemany("INSERT INTO events VALUES (?,?,?)", events)
                db.executemany(
                    "INSERT INTO meta VALUES (?,?)", [("format", FORMAT), ("signature", signature)]
                )
                db.execute("COMMIT")
            finally:
                db.close()
            # A journal left by a crashed writer of the old file must not be applied
            # to the new one (sqlite.org/howtocorrupt.html §1.3).
            Path(str(self.path) + "-journal").unlink(missing_ok=True)
            os.replace(tmp, self.path)
        except (sqlite3.Error, OSError) as error:
            tmp.unlink(missing_ok=True)
            raise _build_error(error, self.path.parent) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def apply(
        self,
        rows: Sequence[tuple[Row, bytes]],
        removed: Sequence[str],
        events: Sequence[tuple[int, str | None, str]],
        signature: str,
    ) -> None:
        db = self.connection()
        if db is None:
            raise sqlite3.DatabaseError("no index")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM cases WHERE case_id = ?", ((c,) for c in removed))
            db.executemany(
                "INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?)",
                [_case_row(r, data) for r, data in rows],
            )
            db.executemany("INSERT OR REPLACE INTO events VALUES (?,?,?)", events)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (signature,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # --- reading -------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        db = self.connection()
        if db is None:
            raise sqlite3.DatabaseError("no index")
        return db

    def get(self, case_id: str) -> tuple[int, bytes] | None:
        row = (
            self._conn()
            .execute("SELECT doc_id, data FROM cases WHERE case_id = ?", (case_id,))
            .fetchone()
        )
        return (int(row[0]), bytes(row[1])) if row else None

    def existing(self, case_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        db = self._conn()
        for start in range(0, len(case_ids), 500):
            chunk = list(case_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in db.execute(f"SELECT case_id FROM cases WHERE case_id IN ({marks})", chunk)
            )
        return found

    def rows(
        self,
        *,
        form: Sequence[str] = (),
        status: Sequence[str] = (),
        office: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        due_before: str | None = None,
        with_data: bool = False,
    ) -> list[tuple[Row, bytes | None]]:
        sql = (
            "SELECT case_id, doc_id, form, status, office, opened, updated, closed, due"
            + (", data" if with_data else "")
            + " FROM cases WHERE 1=1"
        )
        params: list[Any] = []
        for column, values in (("form", form), ("status", status), ("office", office)):
            if values:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                params += list(values)
        if since:
            sql += " AND opened >= ?"
            params.append(since)
        if until:
            sql += " AND opened <= ?"
            params.append(until)
        if due_before:
            sql += " AND due IS NOT NULL AND due <= ?"
            params.append(due_before)
        sql += " ORDER BY opened, case_id"
        result = []
        for record in self._conn().execute(sql, params):
            row = Row(record[0], int(record[1]), *record[2:9])
            result.append((row, bytes(record[9]) if with_data else None))
        return result

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return [
            json.loads(data)
            for (data,) in self._conn().execute(
                "SELECT data FROM events WHERE case_id = ? ORDER BY id", (case_id,)
            )
        ]

    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM cases").fetchone()[0])


__all__ = ["CaseIndex", "Row", "decode", "encode"]
