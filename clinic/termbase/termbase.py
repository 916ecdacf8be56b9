"""The termbase as the rest of clinic uses it: open, search, read and change concepts.

The TinyDB store (`termbase.json` in the data directory) is the record of truth, opened
only through clinic.store. The search index beside it (`termbase.index.sqlite`) is
derived: updated with every change made here, and rebuilt whenever it does not match
the store (another program changed the store, a crash came between the two writes, or
the index was deleted). On first use the shipped glossary is loaded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from clinic import paths
from clinic.exceptions import ClinicError, NothingFound, StoreDamaged
from clinic.termbase import index
from clinic.termbase.model import Concept, clean_concept
from clinic.termbase.search import SearchResult, search

STORE_KIND = "termbase"
STORE_FORMAT = 1
TABLE = "concepts"


class Termbase:
    def __init__(self, home: Path | None = None) -> None:
        self.home = home or paths.home()
        self.store_path = self.home / "termbase.json"
        self.index_path = self.home / "termbase.index.sqlite"
        self._db: sqlite3.Connection | None = None

    # --- reading -------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """The search index, made ready first (seeded, rebuilt if stale)."""
        if self._db is not None:
            return self._db
        if not self.store_path.exists():
            self.seed()
        db = self._open_index()
        if db is None:
            self.rebuild_index()
            db = self._open_index()
            if db is None:
                raise ClinicError("the search index could not be rebuilt", path=self.index_path)
        self._db = db
        return db

    def _open_index(self) -> sqlite3.Connection | None:
        if not self.index_path.exists():
            return None
        try:
            db = index.open_readonly(self.index_path)
            meta = index.meta(db)
        except sqlite3.DatabaseError:
            return None
        if meta.get("format") != index.FORMAT or meta.get("signature") != index.store_signature(
            self.store_path
        ):
            db.close()
            return None
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def search(
        self, query: str, *, domains: list[str] | None = None, mode: str = "auto", limit: int = 10
    ) -> SearchResult:
        return search(self.connection(), query, domains=domains, mode=mode, limit=limit)

    def languages(self) -> list[str]:
        import json

        return list(json.loads(index.meta(self.connection()).get("languages", "[]")))

    def get(self, concept_id: str) -> Concept:
        import json

        row = (
            self.connection()
            .execute("SELECT data FROM concepts WHERE id = ?", (concept_id,))
            .fetchone()
        )
        if row is None:
            raise NothingFound(f"no concept with id '{concept_id}'", field="id")
        concept: Concept = json.loads(row[0])
        return concept

    def concepts(
        self, *, domains: list[str] | None = None, phrases: bool | None = None
    ) -> list[Concept]:
        """Every concept (optionally of some subject fields; phrases only / none)."""
        import json

        sql = "SELECT data FROM concepts WHERE 1=1"
        params: list[Any] = []
        if domains:
            sql += " AND (" + " OR ".join("fields LIKE ?" for _ in domains) + ")"
            params += [f"%|{d}|%" for d in domains]
        if phrases is not None:
            sql += " AND phrase = ?"
            params.append(int(phrases))
        rows = self.connection().execute(sql + " ORDER BY id", params)
        return [json.loads(data) for (data,) in rows]

    def read_store(self) -> list[Concept]:
        """The concepts as the store holds them (the truth, slower than the index)."""
        from clinic.store import reading

        with reading(self.store_path, kind=STORE_KIND, version=STORE_FORMAT) as db:
            return [dict(doc) for doc in db.table(TABLE).all()]

    # --- writing -------------------------------------------------------------------

    def seed(self, folder: Path | None = None) -> int:
        """Load the shipped glossary into a new store (no-op if one appeared meanwhile)."""
        from clinic.store import locked
        from clinic.termbase.files import read_folder

        with locked(self.store_path):
            if self.store_path.exists():
                return 0
            concepts = [c for c, _ in read_folder(folder or paths.shipped("glossary"))]
            self._write(lambda table: _insert_all(table, concepts), changed=None)
            return len(concepts)

    def rebuild_index(self) -> None:
        from clinic.store import locked

        with locked(self.store_path):
            concepts = self.read_store()
            index.build(self.index_path, concepts, index.store_signature(self.store_path))

    def add(self, concept: Concept) -> Concept:
        """Add a new concept; its id must be free."""
        concept = prepare(concept)

        def insert(table: Any) -> None:
            from tinydb import Query

            if table.contains(Query().id == concept["id"]):
                raise ClinicError(
                    "a concept with this id exists already (use 'glossary edit')",
                    field=f"id {concept['id']}",
                )
            table.insert(concept)

        self._change(insert, [concept], [])
        return concept

    def replace(self, concept: Concept) -> Concept:
        """Replace an existing concept (same id) with a new version."""
        concept = prepare(concept)

        def swap(table: Any) -> None:
            from tinydb import Query

            if not table.update(_replace_all(concept), Query().id == concept["id"]):
                raise NothingFound(f"no concept with id '{concept['id']}'", field="id")

        self._change(swap, [concept], [])
        return concept

    def remove(self, concept_id: str) -> None:
        def drop(table: Any) -> None:
            from tinydb import Query

            if not table.remove(Query().id == concept_id):
                raise NothingFound(f"no concept with id '{concept_id}'", field="id")

        self._change(drop, [], [concept_id])

    def upsert_many(self, concepts: Iterable[Concept]) -> tuple[int, int]:
        """Add or replace many concepts in one write; returns (added, replaced)."""
        prepared = [prepare(c) for c in concepts]
        counts = [0, 0]

        def apply(table: Any) -> None:
            by_id = {doc["id"]: doc.doc_id for doc in table.all()}
            new = []
            for concept in prepared:
                if concept["id"] in by_id:
                    table.update(_replace_all(concept), doc_ids=[by_id[concept["id"]]])
                    counts[1] += 1
                else:
                    new.append(concept)
            table.insert_multiple(new)
            counts[0] += len(new)

        self._change(apply, prepared, [], incremental=len(prepared) <= 200)
        return counts[0], counts[1]

    def _change(
        self,
        fn: Callable[[Any], None],
        changed: list[Concept],
        removed: list[str],
        incremental: bool = True,
    ) -> None:
        from clinic.store import locked

        self.connection()  # seeds the store on first use
        self.close()
        with locked(self.store_path):
            self._write(fn, changed=(changed, removed) if incremental else None)

    def _write(
        self, fn: Callable[[Any], None], changed: tuple[list[Concept], list[str]] | None
    ) -> None:
        """Change the store under the caller's lock, then bring the index up to date."""
        from clinic.store import writing

        stale = not self._index_matches_store()
        with writing(self.store_path, kind=STORE_KIND, version=STORE_FORMAT, lock=False) as db:
            fn(db.table(TABLE))
        signature = index.store_signature(self.store_path)
        if changed is None or stale or not self.index_path.exists():
            index.build(self.index_path, self.read_store(), signature)
        else:
            index.update(self.index_path, changed[0], changed[1], signature)

    def _index_matches_store(self) -> bool:
        db = self._open_index()
        if db is None:
            return False
        db.close()
        return True


def _insert_all(table: Any, concepts: list[Concept]) -> None:
    table.insert_multiple(prepare(c) for c in concepts)


def _replace_all(concept: Concept) -> Callable[[dict[str, Any]], None]:
    """A TinyDB update operation that makes a document equal to concept."""

    def transform(doc: dict[str, Any]) -> None:
        doc.clear()
        doc.update(concept)

    return transform


def prepare(concept: Concept) -> Concept:
    """Validate a concept and compute the romanisations its terms lack."""
    from clinic.romanize import romanize

    concept = clean_concept(concept, where=f"concept {concept.get('id', '?')}")
    for lang, terms in concept["terms"].items():
        for term in terms:
            if not term.get("roman"):
                roman = romanize(term["text"], lang)
                if roman:
                    term["roman"] = roman
                    term["roman_auto"] = True
    return concept


def check_store(store_path: Path) -> None:
    """Raise StoreDamaged with a clear message if the store cannot be read."""
    from clinic.store import reading

    try:
        with reading(store_path, kind=STORE_KIND, version=STORE_FORMAT) as db:
            db.table(TABLE).all()
    except StoreDamaged:
        raise
