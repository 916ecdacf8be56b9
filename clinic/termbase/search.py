"""Finding concepts from what an interpreter types.

Order of the evidence, best first: an exact match of a term's search key, then a term
that starts with the query, then a term that contains it (inside unspaced Thai, Lao,
Khmer and Burmese words too), then a near miss (typos), scored with rapidfuzz.
Terms are compared by `clinic.text.search_key` on both sides, and romanisations are
indexed like terms, so 'kan kha manut' finds การค้ามนุษย์.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from clinic.exceptions import ClinicError
from clinic.termbase.index import KIND_ROMAN
from clinic.text import has_myanmar, search_key, unzawgyi

TIERS = ("exact", "prefix", "substring", "fuzzy")
MODES = ("auto", "exact", "fuzzy")
ROW_LIMIT = 400  # key rows ranked per tier, after SQLite has put the best first
BEST_FIRST = "k.kind, k.status, length(k.key)"  # the order _Rank gives within a tier
PREFIX_ROWS = 600
FUZZY_CANDIDATES = 200
MIN_GRAMS = 4  # rare trigrams always used for near-miss candidates
POSTINGS_BUDGET = 1500  # more common trigrams are added only while postings stay under this
FUZZY_CUTOFF = 72.0  # below this a near miss is noise, not a result
SUGGEST_CUTOFF = 50.0


class Hit:
    """One concept found, with the term that matched it and how."""

    __slots__ = ("concept", "tier", "lang", "text", "via_romanisation", "score")

    def __init__(
        self,
        concept: dict[str, Any],
        tier: str,
        lang: str,
        text: str,
        via_romanisation: bool,
        score: float,
    ) -> None:
        self.concept = concept
        self.tier = tier
        self.lang = lang
        self.text = text  # the matched term's text (or its romanisation)
        self.via_romanisation = via_romanisation
        self.score = score  # 100 for exact/prefix/substring; the fuzzy score otherwise

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "lang": self.lang,
            "text": self.text,
            "via_romanisation": self.via_romanisation,
            "score": round(self.score, 1),
        }


class SearchResult:
    __slots__ = ("query", "searched_as", "hits", "zawgyi_converted", "suggestions")

    def __init__(self, query: str, searched_as: str, zawgyi_converted: bool = False) -> None:
        self.query = query
        self.searched_as = searched_as
        self.zawgyi_converted = zawgyi_converted
        self.hits: list[Hit] = []
        self.suggestions: list[str] = []


class _Rank(NamedTuple):
    """Sorts best first: tier, then text before romanisation, preferred before
    admitted before deprecated, then closeness (length difference, or -fuzzy score)."""

    tier: int
    kind: int
    status: int
    extra: float
    concept: int
    lang: str
    term: int
    score: float


def _domain_clause(domains: list[str] | None) -> tuple[str, list[str]]:
    if not domains:
        return "", []
    ors = " OR ".join("c.fields LIKE ?" for _ in domains)
    return f" AND k.concept IN (SELECT c.rowid FROM concepts c WHERE {ors})", [
        f"%|{d}|%" for d in domains
    ]


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _rows(
    db: sqlite3.Connection,
    where: str,
    params: list[Any],
    domains: list[str] | None,
    *,
    join_fts: bool = False,
    order: str = BEST_FIRST,
    limit: int = ROW_LIMIT,
) -> list[tuple[Any, ...]]:
    """Key rows matching `where`, the most promising first (sorted by SQLite, in C)."""
    clause, extra = _domain_clause(domains)
    source = "fts JOIN keys k ON k.rowid = fts.rowid" if join_fts else "keys k"
    sql = (
        f"SELECT k.concept, k.lang, k.term, k.kind, k.status, k.key FROM {source} "
        f"WHERE {where}{clause} ORDER BY {order} LIMIT {int(limit)}"
    )
    return db.execute(sql, [*params, *extra]).fetchall()


def _trigrams(key: str) -> list[str]:
    return list(dict.fromkeys(key[i : i + 3] for i in range(len(key) - 2)))


def _fuzzy_rows(
    db: sqlite3.Connection, key: str, domains: list[str] | None
) -> list[tuple[Any, ...]]:
    """Candidates for near misses: terms sharing the query's rarest trigrams.

    A typo spoils at most three neighbouring trigrams; the rare ones left identify the
    term, and skipping the common ones ('ing', 'tio') keeps the postings to read small.
    """
    grams = _trigrams(key)
    if not grams:
        return []
    marks = ",".join("?" for _ in grams)
    frequency = dict(
        db.execute(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", grams).fetchall()
    )
    chosen: list[str] = []
    postings = 0
    for gram in sorted((g for g in grams if g in frequency), key=frequency.__getitem__):
        if len(chosen) >= MIN_GRAMS and postings + frequency[gram] > POSTINGS_BUDGET:
            break
        chosen.append(gram)
        postings += frequency[gram]
    if not chosen:
        return []
    # Count shared rare trigrams per key in Python: cheaper than FTS5's bm25 ranking
    # over an OR query, and the budget above bounds the postings read.
    shared: dict[int, int] = {}
    for gram in chosen:
        for (rowid,) in db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (_fts_phrase(gram),)):
            shared[rowid] = shared.get(rowid, 0) + 1
    best = sorted(shared, key=shared.__getitem__, reverse=True)[:FUZZY_CANDIDATES]
    if not best:
        return []
    marks = ",".join("?" for _ in best)
    return _rows(
        db, f"k.rowid IN ({marks})", best, domains, order="k.rowid", limit=FUZZY_CANDIDATES
    )


def _fuzzy_score(query: str, key: str) -> float:
    from rapidfuzz import fuzz  # imported only when a near miss is needed

    score = fuzz.ratio(query, key, processor=None)
    if len(query) >= 4 and len(key) > len(query):
        # a query that is a misspelt part of a longer term ("trafficing" in
        # "child trafficking"), weighted below a whole-term match
        score = max(score, 0.9 * fuzz.partial_ratio(query, key, processor=None))
    return float(score)


def search(
    db: sqlite3.Connection,
    query: str,
    *,
    domains: list[str] | None = None,
    mode: str = "auto",
    limit: int = 10,
) -> SearchResult:
    """Concepts matching query, best first. `mode`: auto (fuzzy only when nothing else
    matched), exact (exact matches only), fuzzy (near misses always added)."""
    if mode not in MODES:
        raise ClinicError(f"unknown search mode (use one of {', '.join(MODES)})", field="mode")
    if not query or not query.strip():
        raise ClinicError("the query is empty: type a few letters of a term", field="query")
    searched, converted = unzawgyi(query) if has_myanmar(query) else (query, False)
    key = search_key(searched)
    result = SearchResult(query=query, searched_as=searched, zawgyi_converted=converted)
    if not key:
        raise ClinicError("the query has no letters to search for", field="query")

    ranks: dict[int, _Rank] = {}

    def consider(rows: list[tuple[Any, ...]], tier: int, score_of: Any = None) -> None:
        for concept, lang, term, kind, status, row_key in rows:
            score = 100.0
            if score_of is not None:
                score = score_of(row_key)
                if score < FUZZY_CUTOFF:
                    continue
            rank = _Rank(
                tier,
                kind,
                status,
                -score if score_of else len(row_key) - len(key),
                concept,
                lang,
                term,
                score,
            )
            best = ranks.get(concept)
            if best is None or rank < best:
                ranks[concept] = rank

    # Tiers rank strictly, so once `limit` concepts are found a lower tier cannot
    # change the answer: skipping it keeps common short queries fast.
    consider(_rows(db, "k.key = ?", [key], domains), 0)
    if mode != "exact":
        if len(ranks) < limit:
            upper = key + "\U0010ffff"
            # Read in index order (no sort of every key with this prefix: 'syn' can
            # match 80,000); the shortest completions come early in that order.
            consider(
                _rows(
                    db,
                    "k.key > ? AND k.key < ?",
                    [key, upper],
                    domains,
                    order="k.key",
                    limit=PREFIX_ROWS,
                ),
                1,
            )
        if len(ranks) < limit:
            if len(key) >= 3:
                consider(_rows(db, "fts MATCH ?", [_fts_phrase(key)], domains, join_fts=True), 2)
            else:
                # Too short for the trigram index: a scan, stopped at the first rows
                # found rather than sorted (one or two letters match very many terms).
                consider(_rows(db, "instr(k.key, ?) > 1", [key], domains, order="k.rowid"), 2)
        if mode == "fuzzy" or not ranks:
            fuzzy_rows = _fuzzy_rows(db, key, domains)
            consider(fuzzy_rows, 3, lambda row_key: _fuzzy_score(key, row_key))
            if not ranks:
                result.suggestions = _suggestions(db, key, fuzzy_rows)

    best = sorted(ranks.values())[:limit]
    concepts = _load(db, [r.concept for r in best])
    for rank in best:
        concept = concepts[rank.concept]
        term = concept["terms"][rank.lang][rank.term]
        via_roman = rank.kind == KIND_ROMAN
        result.hits.append(
            Hit(
                concept=concept,
                tier=TIERS[rank.tier],
                lang=rank.lang,
                text=term.get("roman", "") if via_roman else term["text"],
                via_romanisation=via_roman,
                score=rank.score,
            )
        )
    return result


def _suggestions(db: sqlite3.Connection, key: str, rows: list[tuple[Any, ...]]) -> list[str]:
    """'Did you mean': the closest terms under the cutoff, as the user would type them."""
    scored: dict[str, float] = {}
    concept_terms: dict[tuple[int, str, int, int], float] = {}
    for concept, lang, term, kind, _status, row_key in rows:
        score = _fuzzy_score(key, row_key)
        if score >= SUGGEST_CUTOFF:
            concept_terms[(concept, lang, term, kind)] = score
    best = sorted(concept_terms.items(), key=lambda item: -item[1])[:8]
    concepts = _load(db, list({c for (c, _, _, _), _ in best}))
    for (concept, lang, term, kind), score in best:
        entry = concepts[concept]["terms"][lang][term]
        text = entry.get("roman", "") if kind == KIND_ROMAN else entry["text"]
        if text and text not in scored:
            scored[text] = score
    return list(scored)[:3]


def _load(db: sqlite3.Connection, rowids: list[int]) -> dict[int, dict[str, Any]]:
    if not rowids:
        return {}
    marks = ",".join("?" for _ in rowids)
    rows = db.execute(f"SELECT rowid, data FROM concepts WHERE rowid IN ({marks})", rowids)
    return {rowid: json.loads(data) for rowid, data in rows}
