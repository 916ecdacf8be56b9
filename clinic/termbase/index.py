"""The derived search index: an SQLite file beside the store, rebuilt when the store
changes. The TinyDB store stays the record of truth; this file can always be deleted.

Why SQLite: a cold `clinic lookup` must not parse the whole store (about 100 ms at
20,000 concepts, research notes measurements.md §2). SQLite answers from the file
without loading it, and its FTS5 trigram tokenizer gives substring search inside
Thai, Lao, Khmer and Burmese words, which carry no spaces between words.

Tables: concepts (the JSON of each concept, for display), keys (one search key per term
text and per romanisation), fts (trigram index over keys.key), meta (format and the
signature of the store file the index was built from).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from clinic.termbase.model import Concept, is_phrase
from clinic.text import search_key

FORMAT = "5"
STATUS_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2}
KIND_TEXT, KIND_ROMAN = 0, 1

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE concepts(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,
                      fields TEXT NOT NULL, phrase INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE keys(rowid INTEGER PRIMARY KEY, concept INTEGER NOT NULL, lang TEXT NOT NULL,
                  term INTEGER NOT NULL, kind INTEGER NOT NULL, status INTEGER NOT NULL,
                  key TEXT NOT NULL);
CREATE INDEX keys_key ON keys(key);
CREATE INDEX keys_concept ON keys(concept);
CREATE VIRTUAL TABLE fts USING fts5(key, content='keys', content_rowid='rowid',
                                    tokenize='trigram case_sensitive 1');
CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, row);
"""


def store_signature(store_path: Path) -> str:
    """Changes whenever the store file is replaced (atomic writes give a new inode)."""
    try:
        st = os.stat(store_path)
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _fields_column(concept: Concept) -> str:
    return "|" + "|".join(concept.get("subject_fields", [])) + "|"


def _insert(db: sqlite3.Connection, concepts: Iterable[Concept]) -> None:
    """Insert concepts and their search keys, in two batched statements."""
    first = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM concepts").fetchone()[0] + 1
    concept_rows = []
    key_rows = []
    for rowid, concept in enumerate(concepts, start=first):
        concept_rows.append(
            (
                rowid,
                concept["id"],
                _fields_column(concept),
                int(is_phrase(concept)),
                json.dumps(concept, ensure_ascii=False, separators=(",", ":")),
            )
        )
        for lang, terms in concept.get("terms", {}).items():
            for position, term in enumerate(terms):
                status = STATUS_RANK.get(term.get("status", "preferred"), 1)
                text_key = search_key(term["text"])
                if text_key:
                    key_rows.append((rowid, lang, position, KIND_TEXT, status, text_key))
                roman = _searchable_roman(term, lang)
                roman_key = search_key(roman) if roman else ""
                if roman_key and roman_key != text_key:
                    key_rows.append((rowid, lang, position, KIND_ROMAN, status, roman_key))
    db.executemany(
        "INSERT INTO concepts(rowid, id, fields, phrase, data) VALUES (?, ?, ?, ?, ?)",
        concept_rows,
    )
    db.executemany(
        "INSERT INTO keys(concept, lang, term, kind, status, key) VALUES (?, ?, ?, ?, ?, ?)",
        key_rows,
    )


def _searchable_roman(term: dict[str, object], lang: str) -> str | None:
    """A romanisation worth searching: RTGS for Thai, or one a person wrote. The rough
    computed ones for Lao, Khmer and Burmese only add noise ('NRM' finding Burmese
    terms whose transliteration happens to contain those letters)."""
    roman = term.get("roman")
    if not isinstance(roman, str) or (term.get("roman_auto") and lang != "th"):
        return None
    return roman


def _languages(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT DISTINCT lang FROM keys ORDER BY lang")]


def _set_meta(db: sqlite3.Connection, signature: str) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [("format", FORMAT), ("signature", signature), ("languages", json.dumps(_languages(db)))],
    )


def build(index_path: Path, concepts: Iterable[Concept], signature: str) -> None:
    """Write a fresh index beside index_path and rename it into place."""
    tmp = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA cache_size=-262144")  # 256 MB while building: no page churn
            db.executescript(SCHEMA)
            _insert(db, concepts)
            db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
            _set_meta(db, signature)
            db.commit()
        finally:
            db.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, index_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def update(
    index_path: Path, changed: Iterable[Concept], removed: Iterable[str], signature: str
) -> None:
    """Apply a few changes in place, in one SQLite transaction."""
    db = sqlite3.connect(index_path, timeout=30)
    try:
        with db:
            ids = [c["id"] for c in changed]
            for cid in [*ids, *removed]:
                row = db.execute("SELECT rowid FROM concepts WHERE id = ?", (cid,)).fetchone()
                if row is None:
                    continue
                for key_row in db.execute(
                    "SELECT rowid, key FROM keys WHERE concept = ?", (row[0],)
                ).fetchall():
                    db.execute("INSERT INTO fts(fts, rowid, key) VALUES ('delete', ?, ?)", key_row)
                db.execute("DELETE FROM keys WHERE concept = ?", (row[0],))
                db.execute("DELETE FROM concepts WHERE rowid = ?", (row[0],))
            first_new_key = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM keys").fetchone()[0]
            _insert(db, changed)
            db.execute(
                "INSERT INTO fts(rowid, key) SELECT rowid, key FROM keys WHERE rowid > ?",
                (first_new_key,),
            )
            _set_meta(db, signature)
    finally:
        db.close()


def open_readonly(index_path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True, timeout=30)
    return db


def meta(db: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return {}
