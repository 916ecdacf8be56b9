"""The derived search index: an SQLite file beside the store, rebuilt when the store
changes. The TinyDB store stays the record of truth; this file can always be deleted.

Why SQLite: a cold `clinic lookup` must not parse the whole store (about 100 ms at
20,000 concepts, research notes measurements.md §2). SQLite answers from the file
without loading it, and its FTS5 trigram tokenizer gives substring search inside
Thai, Lao, Khmer and Burmese words, which carry no spaces between words.

Tables: concepts (the JSON of each concept, for display), keys (one search key per term
text and per romanisation), fts (trigram index over keys.key; no column sizes, as
nothing ranks by them, which makes it 15% quicker to build), meta (format and the
signature of the store file the index was built from).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clinic.termbase.model import Concept, is_phrase
from clinic.text import forget_search_keys, search_key

FORMAT = "6"
STATUS_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2}
KIND_TEXT, KIND_ROMAN = 0, 1

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE concepts(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,
                      fields TEXT NOT NULL, phrase INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE keys(rowid INTEGER PRIMARY KEY, concept INTEGER NOT NULL, lang TEXT NOT NULL,
                  term INTEGER NOT NULL, kind INTEGER NOT NULL, status INTEGER NOT NULL,
                  key TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(key, content='keys', content_rowid='rowid',
                                    columnsize=0, tokenize='trigram case_sensitive 1');
CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, row);
"""
# Created after the trigram index is filled: with keys_key in place, FTS5's rebuild
# reads the keys through it, in key order rather than rowid order, and takes three
# times as long (3.4 s against 1.0 s for 168,000 keys, bench/bench_tbx_import.py).
KEY_INDEXES = """
CREATE INDEX keys_key ON keys(key);
CREATE INDEX keys_concept ON keys(concept);
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
    items = list(concepts)
    _insert_concepts(db, _concept_rows(items, first))
    _insert_keys(db, _key_rows(items, first))


def _concept_rows(concepts: list[Concept], first: int = 1) -> list[tuple[Any, ...]]:
    from clinic.store import compact_json

    return [
        (
            rowid,
            concept["id"],
            _fields_column(concept),
            int(is_phrase(concept)),
            compact_json(concept).decode(),
        )
        for rowid, concept in enumerate(concepts, start=first)
    ]


def _key_rows(concepts: list[Concept], first: int = 1) -> list[tuple[Any, ...]]:
    rows = []
    for rowid, concept in enumerate(concepts, start=first):
        for lang, terms in concept.get("terms", {}).items():
            for position, term in enumerate(terms):
                status = STATUS_RANK.get(term.get("status", "preferred"), 1)
                text_key = search_key(term["text"])
                if text_key:
                    rows.append((rowid, lang, position, KIND_TEXT, status, text_key))
                roman = _searchable_roman(term, lang)
                roman_key = search_key(roman) if roman else ""
                if roman_key and roman_key != text_key:
                    rows.append((rowid, lang, position, KIND_ROMAN, status, roman_key))
    return rows


def _insert_concepts(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO concepts(rowid, id, fields, phrase, data) VALUES (?, ?, ?, ?, ?)", rows
    )


def _insert_keys(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO keys(concept, lang, term, kind, status, key) VALUES (?, ?, ?, ?, ?, ?)", rows
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


def _open_for_building(path: Path, *, cache_mb: int = 256) -> sqlite3.Connection:
    """A connection for filling a fresh file: no journal, no waiting for the disk, and a
    page cache of cache_mb (the trigram index is built in memory without churn)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
    return db


def _fill_keys(path: Path, concepts: list[Concept]) -> None:
    """A new index file with every table, and the search keys with their trigram index;
    the concepts table stays empty (PendingBuild fills it)."""
    db = _open_for_building(path)
    try:
        db.executescript(SCHEMA)
        _insert_keys(db, _key_rows(concepts))
        db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
        db.executescript(KEY_INDEXES)
        db.commit()
    finally:
        db.close()


def _fill_keys_and_exit(path: Path, concepts: list[Concept]) -> None:
    """The forked builder's whole life: any failure is a non-zero exit code, and the
    parent builds the keys itself (and meets the error, if it is real)."""
    try:
        _fill_keys(path, concepts)
    except BaseException:
        os._exit(1)
    os._exit(0)


class PendingBuild:
    """A fresh index being written beside index_path while the caller writes the store.

    For a big import the two take seconds each (bench/bench_tbx_import.py), so where the
    platform and the caller allow it a forked process builds the search keys and their
    trigram index meanwhile; the concepts table (each concept's JSON) is made here.
    `finish` signs the index with the new store's signature and renames it into place;
    `abandon` drops it."""

    def __init__(self, index_path: Path, concepts: list[Concept], *, background: bool) -> None:
        self.index_path = index_path
        self.concepts = concepts
        self.tmp = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
        self.tmp.unlink(missing_ok=True)
        self.process: Any = None
        from clinic import processes

        if background and processes.may_fork():
            import multiprocessing
            import sys

            for stream in (sys.stdout, sys.stderr):  # or the child would flush them again
                stream.flush()
            context = multiprocessing.get_context("fork")
            self.process = context.Process(
                target=_fill_keys_and_exit, args=(self.tmp, concepts), daemon=True
            )
            self.process.start()
            # The child took its copy of the search keys a big import computed ahead
            # (text.remember_search_keys): here they are 50 MB (100 MB file) not needed.
            forget_search_keys()

    def finish(self, signature: str) -> None:
        try:
            rows = _concept_rows(self.concepts)
            built = False
            if self.process is not None:
                self.process.join()
                built = self.process.exitcode == 0
                self.process = None
            if not built:
                self.tmp.unlink(missing_ok=True)
                _fill_keys(self.tmp, self.concepts)
            # Rows appended in order need no big cache, which would hold them all
            # (75 MB more at the peak of a 100 MB import).
            db = _open_for_building(self.tmp, cache_mb=4)
            try:
                _insert_concepts(db, rows)
                _set_meta(db, signature)
                db.commit()
            finally:
                db.close()
            os.chmod(self.tmp, 0o600)
            os.replace(self.tmp, self.index_path)
        except BaseException:
            self.abandon()
            raise

    def abandon(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
        self.tmp.unlink(missing_ok=True)


def build(index_path: Path, concepts: Iterable[Concept], signature: str) -> None:
    """Write a fresh index beside index_path and rename it into place."""
    PendingBuild(index_path, list(concepts), background=False).finish(signature)


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
