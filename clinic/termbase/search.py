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
from clinic.text import (
    ZAWGYI_THRESHOLD,
    has_myanmar,
    normalize,
    scripts_in,
    search_key,
    zawgyi_probability,
    zawgyi_to_unicode,
)

TIERS = ("exact", "prefix", "substring", "fuzzy")
MODES = ("auto", "exact", "fuzzy")
ROW_LIMIT = 400  # key rows ranked per tier, after SQLite has put the best first
BEST_FIRST = "k.kind, k.status, length(k.key)"  # the order _Rank gives within a tier
PREFIX_ROWS = 600
FUZZY_CANDIDATES = 200
MIN_GRAMS = 4  # rare trigrams always used for near-miss candidates
POSTINGS_BUDGET = 1500  # more common trigrams are added only while postings stay under this
FUZZY_CUTOFF = 75.0  # below this a near miss is noise, not a result
PARTIAL_MIN = 84.0  # a part of a longer term must align at least this well
ZAWGYI_MAYBE = 0.5  # between this and ZAWGYI_THRESHOLD both readings are searched
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
    """Sorts best first. Tiers exact, prefix, substring: text before romanisation,
    preferred before admitted before deprecated, then the closest length. Near misses:
    the score first (in steps of 5, so that a clearly better match wins over a better
    status), then as above."""

    tier: int
    first: float
    second: float
    third: float
    fourth: float
    concept: int
    lang: str
    term: int
    score: float
    kind: int


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
    if len(query) >= 5 and len(key) > len(query):
        # A misspelt part of a longer term ("traficking" in "child trafficking") counts
        # only when it aligns almost whole, and below a whole-term match.
        partial = fuzz.partial_ratio(query, key, processor=None)
        if partial >= PARTIAL_MIN:
            score = max(score, 0.9 * partial)
    return float(score)


def search(
    db: sqlite3.Connection,
    query: str,
    *,
    domains: list[str] | None = None,
    mode: str = "auto",
    limit: int = 10,
) -> SearchResult:
    """Concepts matching query, best first. `mode`: auto (near misses only when nothing
    else matched), exact (exact matches only), fuzzy (near misses always added).

    Burmese typed in Zawgyi is converted first. A short fragment can be ambiguous
    between the two encodings: then both readings are searched and the better kept."""
    if mode not in MODES:
        raise ClinicError(f"unknown search mode (use one of {', '.join(MODES)})", field="mode")
    if not query or not query.strip():
        raise ClinicError("the query is empty: type a few letters of a term", field="query")
    readings = [(query, False)]
    if has_myanmar(query):
        probability = zawgyi_probability(query)
        if probability > ZAWGYI_THRESHOLD:
            readings = [(normalize(zawgyi_to_unicode(query)), True)]
        elif probability > ZAWGYI_MAYBE:
            readings.append((normalize(zawgyi_to_unicode(query)), True))
    outcomes = [
        _search_reading(db, query, text, converted, domains, mode, limit)
        for text, converted in readings
    ]
    return min(outcomes, key=lambda outcome: outcome[0])[1]


def _search_reading(
    db: sqlite3.Connection,
    query: str,
    text: str,
    converted: bool,
    domains: list[str] | None,
    mode: str,
    limit: int,
) -> tuple[tuple[float, ...], SearchResult]:
    """One reading of the query: (how good its best hit is, the result)."""
    key = search_key(text)
    if not key:
        raise ClinicError("the query has no letters to search for", field="query")
    result = SearchResult(query=query, searched_as=text, zawgyi_converted=converted)
    ranks: dict[int, _Rank] = {}

    def consider(rows: list[tuple[Any, ...]], tier: int, fuzzy: bool = False) -> None:
        for concept, lang, term, kind, status, row_key in rows:
            if fuzzy:
                score = _fuzzy_score(key, row_key)
                if score < FUZZY_CUTOFF:
                    continue
                rank = _Rank(
                    tier, -(score // 5), kind, status, -score, concept, lang, term, score, kind
                )
            else:
                rank = _Rank(
                    tier, kind, status, len(row_key) - len(key), 0, concept, lang, term, 100.0, kind
                )
            best = ranks.get(concept)
            if best is None or rank < best:
                ranks[concept] = rank

    # Tiers rank strictly, so once `limit` concepts are found a lower tier cannot
    # change the answer: skipping it keeps common short queries fast.
    consider(_rows(db, "k.key = ?", [key], domains), 0)
    if mode != "exact" and len(ranks) < limit:
        # Read in index order, not sorted by length (a common prefix can match tens of
        # thousands of keys); the rows read are then ranked like the others.
        upper = key + "\U0010ffff"
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
    if mode != "exact" and len(ranks) < limit:
        if len(key) >= 3:
            consider(_rows(db, "fts MATCH ?", [_fts_phrase(key)], domains, join_fts=True), 2)
        else:
            # Too short for the trigram index: a scan, stopped at the first rows
            # found rather than sorted (one or two letters match very many terms).
            consider(_rows(db, "instr(k.key, ?) > 1", [key], domains, order="k.rowid"), 2)
    fuzzy_rows: list[tuple[Any, ...]] = []
    if mode == "fuzzy" or (mode == "auto" and not ranks):
        fuzzy_rows = _fuzzy_rows(db, key, domains)
        consider(fuzzy_rows, 3, fuzzy=True)
    if not ranks:
        result.suggestions = _suggestions(db, key, fuzzy_rows or _fuzzy_rows(db, key, domains))

    ordered = sorted(ranks.values())
    typed = _with_latin_accents(text)
    best = ordered[: limit * 4 if typed else limit]
    concepts = _load(db, [r.concept for r in best])
    if typed:
        # 'nợ' typed with its marks: within a tier, terms written that way first
        # ('nợ lương' before 'non-punishment', which only matches once accents fold)
        def as_typed(rank: _Rank) -> bool:
            term = concepts[rank.concept]["terms"][rank.lang][rank.term]
            return typed in normalize(term["text"]).casefold()

        best = sorted(best, key=lambda rank: (rank.tier, not as_typed(rank)))[:limit]
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
    quality = (best[0].tier, best[0].first) if best else (9.0, 0.0)
    return (*quality, float(converted)), result


def _with_latin_accents(text: str) -> str | None:
    """The query, case-folded, when it is Latin script typed with accents."""
    import unicodedata

    folded = normalize(text).casefold()
    if folded.isascii() or scripts_in(folded) != {"Latin"}:
        return None
    return folded if unicodedata.normalize("NFD", folded) != folded else None


def _suggestions(db: sqlite3.Connection, key: str, rows: list[tuple[Any, ...]]) -> list[str]:
    """'Did you mean': the closest terms under the cutoff, as the user would type them."""
    scored = []
    for concept, lang, term, kind, _status, row_key in rows:
        score = _fuzzy_score(key, row_key)
        if score >= SUGGEST_CUTOFF:
            scored.append((score, concept, lang, term, kind))
    scored.sort(key=lambda item: -item[0])
    concepts = _load(db, list({item[1] for item in scored[:8]}))
    out: list[str] = []
    for _score, concept, lang, term, kind in scored[:8]:
        entry = concepts[concept]["terms"][lang][term]
        text = entry.get("roman", "") if kind == KIND_ROMAN else entry["text"]
        if text and text not in out:
            out.append(text)
    return out[:3]


def _load(db: sqlite3.Connection, rowids: list[int]) -> dict[int, dict[str, Any]]:
    if not rowids:
        return {}
    marks = ",".join("?" for _ in rowids)
    rows = db.execute(f"SELECT rowid, data FROM concepts WHERE rowid IN ({marks})", rowids)
    return {rowid: json.loads(data) for rowid, data in rows}
