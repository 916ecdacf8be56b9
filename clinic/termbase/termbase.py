"""The termbase as the rest of clinic uses it: open, search, read and change concepts.

The TinyDB store (`termbase.json` in the data directory) is the record of truth, opened
only through clinic.store. The search index beside it (`termbase.index.sqlite`) is
derived: updated with every change made here, and rebuilt whenever it does not match
the store (another program changed the store, a crash came between the two writes, or
the index was deleted). On first use the shipped glossary is loaded.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from clinic import paths
from clinic.exceptions import ClinicError, NothingFound
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
        self._signature = ""

    # --- reading -------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """The search index, made ready first (seeded, rebuilt if stale). A long-lived
        Termbase (the shell) notices when another process changed the store."""
        if self._db is not None:
            if index.store_signature(self.store_path) == self._signature:
                return self._db
            self.close()
        if not self.store_path.exists():
            self.seed()
        db = self._open_index()
        if db is None:
            self.rebuild_index()
            db = self._open_index()
            if db is None:
                raise ClinicError("the search index could not be rebuilt", path=self.index_path)
        self._db = db
        self._signature = index.store_signature(self.store_path)
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
        from clinic.termbase.files import glossary_files, read_folder

        folder = folder or paths.shipped("glossary")
        if not glossary_files(folder):
            # A broken install must not leave an empty store behind for good.
            raise ClinicError("no glossary files to load (is clinic installed whole?)", path=folder)
        with locked(self.store_path):
            if self.store_path.exists():
                return 0
            concepts = [prepare(c) for c, _ in read_folder(folder)]
            self._write(
                lambda table: (table.insert_multiple(concepts), ([], []))[1], incremental=False
            )
            return len(concepts)

    def rebuild_index(self) -> None:
        """Rebuild the search index from the store. In a data directory that cannot be
        written (a read-only copy), the index is built in a private temporary folder."""
        from clinic.store import locked

        try:
            with locked(self.store_path):
                concepts = self.read_store()
                index.build(self.index_path, concepts, index.store_signature(self.store_path))
        except OSError:
            import tempfile

            concepts = self.read_store()
            self.index_path = Path(tempfile.mkdtemp(prefix="clinic-index-")) / "index.sqlite"
            index.build(self.index_path, concepts, index.store_signature(self.store_path))

    def add(self, concept: Concept) -> Concept:
        """Add a new concept; its id must be free."""
        concept = prepare(concept)

        def insert(table: Any) -> Changes:
            if table.contains(_by_id(concept["id"])):
                raise ClinicError(
                    "a concept with this id exists already (use 'glossary edit')",
                    field=f"id {concept['id']}",
                )
            table.insert(concept)
            return [concept], []

        self._change(insert)
        return concept

    def modify(self, concept_id: str, change: Callable[[Concept], Concept]) -> Concept:
        """Change a concept as the store holds it now: read, changed and written under
        the writers' lock, so that two people editing at once lose nothing."""
        done: list[Concept] = []

        def apply(table: Any) -> Changes:
            doc = table.get(_by_id(concept_id))
            if doc is None:
                raise NothingFound(f"no concept with id '{concept_id}'", field="id")
            new = prepare(change(copy.deepcopy(dict(doc))))
            if new["id"] != concept_id:
                raise ClinicError("the id of a concept cannot be changed", field="id")
            table.update(_replace_all(new), doc_ids=[doc.doc_id])
            done.append(new)
            return [new], []

        self._change(apply)
        return done[0]

    def replace(self, concept: Concept, *, expected: Concept | None = None) -> Concept:
        """Replace a concept with a new version. With `expected` (the version the new one
        was made from), refuse if someone changed it meanwhile."""

        def swap(current: Concept) -> Concept:
            if expected is not None and prepare(current) != prepare(expected):
                raise ClinicError(
                    "someone changed this concept while you were editing it; "
                    "nothing was written: open it again",
                    field=f"id {concept['id']}",
                )
            return concept

        return self.modify(concept["id"], swap)

    def remove(self, concept_id: str) -> None:
        def drop(table: Any) -> Changes:
            if not table.remove(_by_id(concept_id)):
                raise NothingFound(f"no concept with id '{concept_id}'", field="id")
            return [], [concept_id]

        self._change(drop)

    def transform(
        self,
        change: Callable[[dict[str, Concept]], list[Concept]],
        *,
        validated: bool = False,
    ) -> list[Concept]:
        """Change many concepts in one write, computed from the store as it is under
        the writers' lock: `change` gets every concept by id, returns those it changed
        (`validated`: they come from clean_concept already)."""
        done: list[Concept] = []

        def apply(table: Any) -> Changes:
            docs = {doc["id"]: doc for doc in table.all()}
            current = {k: dict(v) for k, v in docs.items()}
            changed = [prepare(c, validated=validated) for c in change(current)]
            _store_all(table, changed, {k: doc.doc_id for k, doc in docs.items()})
            done.extend(changed)
            return changed, []

        self._change(apply)
        return done

    def upsert_many(
        self, concepts: Iterable[Concept], *, validated: bool = False
    ) -> tuple[int, int]:
        """Add or replace many concepts in one write; returns (added, replaced).
        `validated`: the concepts come from clean_concept already (an import)."""
        prepared = [prepare(c, validated=validated) for c in concepts]
        counts = [0, 0]

        def apply(table: Any) -> Changes:
            by_id = {doc["id"]: doc.doc_id for doc in table.all()}
            counts[:] = _store_all(table, prepared, by_id)
            return prepared, []

        self._change(apply)
        return counts[0], counts[1]

    def _change(self, fn: Callable[[Any], Changes]) -> None:
        from clinic.store import locked

        self.connection()  # seeds the store on first use
        self.close()
        with locked(self.store_path):
            self._write(fn)

    def _write(self, fn: Callable[[Any], Changes], incremental: bool = True) -> None:
        """Change the store under the caller's lock, then bring the index up to date:
        in place for a few concepts, rebuilt for many or when it was stale."""
        from clinic.store import writing

        stale = not self._index_matches_store()
        pending: index.PendingBuild | None = None
        try:
            with writing(self.store_path, kind=STORE_KIND, version=STORE_FORMAT, lock=False) as db:
                table = db.table(TABLE)
                changed, removed = fn(table)
                if not incremental or stale or len(changed) > 200:
                    # Built from what is about to be written, while the store is written.
                    everything = [dict(doc) for doc in table.all()]
                    pending = index.PendingBuild(self.index_path, everything, background=True)
            signature = index.store_signature(self.store_path)
            if pending is not None:
                pending.finish(signature)
            else:
                index.update(self.index_path, changed, removed, signature)
        except BaseException:
            if pending is not None:
                pending.abandon()  # no temporary index or builder process left behind
            raise

    def _index_matches_store(self) -> bool:
        db = self._open_index()
        if db is None:
            return False
        db.close()
        return True


Changes = tuple[list[Concept], list[str]]  # (concepts added or changed, ids removed)


def _by_id(concept_id: str) -> Any:
    from tinydb import Query

    return Query().id == concept_id


def _store_all(table: Any, concepts: list[Concept], doc_ids: dict[str, int]) -> list[int]:
    """Insert the new concepts and replace the others, in two table operations: TinyDB
    reads and rewrites its whole table on each insert or update call, so one call per
    concept made an import of 20,000 take minutes. Returns [added, replaced]."""
    new = [c for c in concepts if c["id"] not in doc_ids]
    replacing = {c["id"]: c for c in concepts if c["id"] in doc_ids}
    if new:
        table.insert_multiple(new)
    if replacing:

        def replace(doc: dict[str, Any]) -> None:
            _replace_all(replacing[doc["id"]])(doc)

        table.update(replace, doc_ids=[doc_ids[k] for k in replacing])
    return [len(new), len(replacing)]


def _replace_all(concept: Concept) -> Callable[[dict[str, Any]], None]:
    """A TinyDB update operation that makes a document equal to concept."""

    def transform(doc: dict[str, Any]) -> None:
        doc.clear()
        doc.update(concept)

    return transform


def prepare(concept: Concept, *, validated: bool = False) -> Concept:
    """Validate a concept and compute the romanisations its terms lack."""
    from clinic.romanize import romanize

    if not validated:
        concept = clean_concept(concept, where=f"concept {concept.get('id', '?')}")
    for lang, terms in concept["terms"].items():
        for term in terms:
            if not term.get("roman"):
                roman = romanize(term["text"], lang)
                if roman:
                    term["roman"] = roman
                    term["roman_auto"] = True
    return concept
