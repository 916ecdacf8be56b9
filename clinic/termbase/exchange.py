"""Import and export: read a glossary file in any supported format, compare it with the
termbase, and merge it in without ever dropping a term silently; write a selection of
the termbase in any supported format.

A merge keeps the union of the terms of each language. Where the file and the
termbase say different things about the same thing (a definition, a term's status, a
romanisation...), that is a conflict: it is reported, and the termbase's value is kept
unless the caller prefers the file's. `plan_import` only compares; `apply_plan` writes.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic import processes
from clinic.exceptions import ClinicError, ValidationError, ValidationErrors
from clinic.termbase.model import (
    REVIEW_STATES,
    STATUSES,
    SUBJECT_FIELDS,
    Concept,
    clean_concept,
    is_phrase,
)
from clinic.text import (
    LANGUAGE_SCRIPTS,
    forget_search_keys,
    normalize,
    remember_search_keys,
    search_key,
)

FORMATS = ("tbx", "csv", "tsv", "yaml", "apkg")
_SUFFIXES = {
    ".tbx": "tbx",
    ".xml": "tbx",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".tab": "tsv",
    ".utf8": "tsv",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".apkg": "apkg",
}
PREFER = ("termbase", "incoming")
MAX_ERRORS = 20

# Term keys a file "provides" are compared; the others are defaults clean_concept filled.
Provided = dict[str, list[frozenset[str]]]


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in FORMATS:
            raise ClinicError(f"must be one of {', '.join(FORMATS)}", field="--format")
        return given
    if path.is_dir():
        return "yaml"
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ClinicError(
            "cannot tell the format from the file name; name it .tbx, .csv, .tsv, .txt, "
            ".yaml or .apkg, or give --format",
            path=path,
        )
    return found


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load.

    Reading 20,000 concepts allocates millions of small objects, and each collection
    walks them all: this made the import several times slower (bench_tbx_import.py).
    The data built here holds no reference cycles, so nothing is lost by waiting.

    freeze: for a process about to end (a CLI command, a reading process), the objects
    alive are then frozen (gc.freeze): the first collection afterwards would otherwise
    walk all of them once more, a quarter of a second at 20,000 concepts. Frozen
    objects are still freed when their last reference goes, but a cycle among them
    would be kept for good: not for a long-lived process."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


# --- reading ----------------------------------------------------------------------


@dataclass
class Incoming:
    """What a file holds: clean concepts, what each term said explicitly, warnings."""

    source: str
    format: str
    concepts: list[Concept]
    provided: list[Provided]
    warnings: list[str] = field(default_factory=list)


def read_incoming(
    path: Path | str,
    *,
    fmt: str | None = None,
    langs: list[str] | None = None,
    layout: str | None = None,
    domain: str | None = None,
    encoding: str | None = None,
    zawgyi: str = "auto",
) -> Incoming:
    """Read and validate a glossary file (TBX, CSV/TSV, YAML file or folder).

    Every entry is checked; the errors of the whole file are reported together and
    nothing is returned when there is any."""
    path = Path(path)
    if not path.exists():
        raise ClinicError("no such file", path=path)
    kind = detect_format(path, fmt)
    if domain is not None and domain not in SUBJECT_FIELDS:
        raise ClinicError(
            f"unknown subject field (known: {', '.join(SUBJECT_FIELDS)})", field="--domain"
        )
    warnings: list[str] = []
    scores: list[float | None] | None = None
    if kind == "apkg":
        raise ClinicError("Anki decks can be exported, not imported", path=path)
    if kind == "tbx":
        concepts, provided, errors, tbx_warnings, scores = _read_tbx(path, domain)
        warnings += tbx_warnings
    else:
        if kind == "yaml":
            raws = _read_yaml(path)
        else:
            from clinic.termbase.tabular import read_table

            raws, table_warnings = read_table(
                path, layout=layout, langs=langs, encoding=encoding, zawgyi=zawgyi
            )
            warnings += table_warnings
        concepts, provided, errors = _clean_all(raws, domain)
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], ValidationError("more errors not shown", path=path)]
        raise ValidationErrors(errors)
    if kind != "csv" and kind != "tsv":  # a table's columns are judged as it is read
        warnings += fix_zawgyi(concepts, mode=zawgyi, path=str(path), scores=scores)
    return Incoming(str(path), kind, concepts, provided, warnings)


# A TBX file this large is cut into runs of whole entries (tbx.TbxReader.split), read
# by this process and helpers (_shared_out): reading and checking 20,000 concepts is
# CPU-bound Python, about 5 s on one core (bench/bench_tbx_import.py). Below this size
# starting the processes costs more than it saves. Several parts per process even out
# the work at the end: the last part taken is the only one anybody waits for.
PARALLEL_FROM = 4 << 20
PARTS_PER_PROCESS = 4


def _read_tbx(
    path: Path, domain: str | None
) -> tuple[list[Concept], list[Provided], list[ClinicError], list[str], list[float | None] | None]:
    """(concepts, provided, errors, warnings, Zawgyi scores or None) of a TBX file."""
    from concurrent.futures.process import BrokenProcessPool

    from clinic.termbase.tbx import PartUnreadable, TbxReader, skip_warnings

    jobs = processes.usable_cpus()
    if jobs > 1 and path.stat().st_size >= PARALLEL_FROM:
        parts = TbxReader(path).split(jobs * PARTS_PER_PROCESS)
        if len(parts) > 1:
            try:
                results = _shared_out(
                    _read_tbx_part,
                    [(str(path), p, domain) for p in parts],
                    helpers=min(jobs, len(parts)) - 1,
                )
            except PartUnreadable:
                pass  # libxml2 refused a part: one process, whose reader says why
            except BrokenProcessPool:
                pass  # a helper was killed (out of memory, say): this process alone
            else:
                whole = _PartRead()
                for part in results:
                    whole.append(part)
                warnings = skip_warnings(str(path), whole.skipped, whole.empty_terms)
                return whole.concepts, whole.provided, whole.errors, warnings, whole.scores
    reader = TbxReader(path)
    raws = list(reader)
    concepts, provided, errors = _clean_all(raws, domain)
    return concepts, provided, errors, reader.warnings, None


@dataclass
class _PartRead:
    """What one process read of a TBX file (or, appended in order, the whole file)."""

    concepts: list[Concept] = field(default_factory=list)
    provided: list[Provided] = field(default_factory=list)
    errors: list[ClinicError] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)  # Zawgyi, of the Burmese terms
    keys: dict[str, str] = field(default_factory=dict)  # search_key of each text
    entries: int = 0
    skipped: int = 0
    empty_terms: int = 0
    generated: list[int] = field(default_factory=list)  # concepts given a made-up id

    def append(self, part: _PartRead) -> None:
        for index in part.generated:  # made-up ids number the entries from the file's start
            number = int(part.concepts[index]["id"].rpartition("-")[2])
            part.concepts[index]["id"] = f"tbx-entry-{self.entries + number}"
        self.concepts += part.concepts
        self.provided += part.provided
        self.errors += part.errors
        self.scores += part.scores
        remember_search_keys(part.keys)  # for the index build, in this process
        self.entries += part.entries
        self.skipped += part.skipped
        self.empty_terms += part.empty_terms


def _read_tbx_part(
    path: str, part: Any, domain: str | None, *, in_helper: bool = True
) -> _PartRead:
    """One process's share of a TBX file: its entries read and checked, their Burmese
    scored for Zawgyi, and the search keys of their texts computed for the index."""
    from clinic.termbase.tbx import TbxReader

    with gc_paused(freeze=in_helper):  # a helper process ends after its part
        reader = TbxReader(path, part=part)
        raws = list(reader)
        concepts, provided, errors = _clean_all(raws, domain)
        read = _PartRead(
            concepts,
            provided,
            errors,
            entries=reader.entries,
            skipped=reader.skipped,
            empty_terms=reader.empty_terms,
        )
        if not errors:  # else nothing is imported: no need to score or index
            read.scores = zawgyi_scores(concepts)
            read.keys = {
                text: search_key(text)
                for concept in concepts
                for terms in concept["terms"].values()
                for term in terms
                for text in (term["text"], term.get("roman"))
                if text
            }
            read.generated = reader.generated
        return read


def _shared_out(function: Any, calls: list[tuple[Any, ...]], helpers: int) -> list[Any]:
    """function(*call) for each call, results in order, shared between this process and
    `helpers` helper processes (forked where that is safe, else spawned).

    Each takes the next call when it is free, so nobody sits waiting while work is left,
    however the processes' speeds vary (on a shared machine they vary by a third); the
    result a helper sends back is read while the others go on. Once a call fails on
    either side no more are begun, and the failure is raised."""
    import threading
    from concurrent.futures import Future, ProcessPoolExecutor

    lock = threading.Lock()  # the executor's thread hands out calls too (done callbacks)
    left = iter(range(len(calls)))
    futures: dict[int, Future[Any]] = {}
    done_here: dict[int, Any] = {}
    failed = False

    def take() -> int | None:
        return None if failed else next(left, None)

    try:
        with ProcessPoolExecutor(max_workers=helpers, mp_context=processes.context()) as pool:

            def hand_out(finished: Future[Any] | None = None) -> None:
                nonlocal failed
                with lock:
                    if finished is not None and finished.exception() is not None:
                        failed = True
                    i = take()
                    if i is None:
                        return
                    try:
                        futures[i] = pool.submit(function, *calls[i])
                    except Exception as error:  # the pool broke: a helper died, say
                        failed = True
                        futures[i] = Future()
                        futures[i].set_exception(error)
                        return
                futures[i].add_done_callback(hand_out)

            for _ in range(helpers):
                hand_out()
            while True:
                with lock:
                    i = take()
                if i is None:
                    break
                try:
                    done_here[i] = function(*calls[i], in_helper=False)
                except BaseException:
                    with lock:
                        failed = True
                    raise
        # The pool has shut down: every call handed to it has ended.
        for _, future in sorted(futures.items()):
            future.result()  # raises the first failure
        return [done_here[i] if i in done_here else futures[i].result() for i in range(len(calls))]
    finally:
        # The futures and the callback refer to each other: with the collector paused
        # (gc_paused), what they hold would outlive the import unless let go here.
        futures.clear()
        done_here.clear()


def _read_yaml(path: Path) -> list[tuple[Concept, str]]:
    """Raw concepts of a YAML file or folder, validated first by files.read_file."""
    from clinic import yamlio
    from clinic.termbase.files import glossary_files, read_file

    files = glossary_files(path) if path.is_dir() else [path]
    if not files:
        raise ClinicError("no glossary files (*.yaml) in this folder", path=path)
    out: list[tuple[Concept, str]] = []
    for name in files:
        list(read_file(name))  # the glossary's own checks, with line numbers
        data = yamlio.load(name)
        for i, raw in enumerate(data["concepts"]):
            line, _ = data["concepts"].where(i)
            raw = _plain(raw)
            if not raw.get("subject_fields") and data.get("subject_field"):
                raw["subject_fields"] = [data["subject_field"]]
            out.append((raw, f"{name}:{line}"))
    return out


def _plain(value: Any) -> Any:
    """yamlio's containers as plain dicts and lists; roman_auto back to a boolean."""
    if isinstance(value, dict):
        return {
            str(k): (v in ("true", "yes", True) if k == "roman_auto" else _plain(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _clean_all(
    raws: list[tuple[Concept, str]], domain: str | None
) -> tuple[list[Concept], list[Provided], list[ClinicError]]:
    """Clean concepts, what each provided, and the errors (stopping after MAX_ERRORS + 1:
    the caller says that more were not shown)."""
    concepts: list[Concept] = []
    provided: list[Provided] = []
    errors: list[ClinicError] = []
    for raw, where in raws:
        if domain and not raw.get("subject_fields"):
            raw = {**raw, "subject_fields": [domain]}
        try:
            concept = clean_concept(raw, where)
        except ValidationError as error:
            errors.append(error)
            if len(errors) > MAX_ERRORS:
                break
            continue
        concepts.append(concept)
        provided.append(_provided(raw))
    return concepts, provided, errors


def _provided(raw: Concept) -> Provided:
    """The keys each term gave. A file's terms give a handful of different key sets,
    so each set is kept once (_KEY_SETS): a 100 MB file has 200,000 terms, and a set
    apiece held 45 MB and a sixth of what reading processes send back."""
    out: Provided = {}
    for lang, items in (raw.get("terms") or {}).items():
        if isinstance(items, (str, dict)):
            items = [items]
        out[str(lang)] = [
            _key_set(item.keys() if isinstance(item, dict) else ("text",)) for item in items
        ]
    return out


_KEY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _key_set(keys: Iterable[str]) -> frozenset[str]:
    found = frozenset(keys)
    return _KEY_SETS.setdefault(found, found) if len(_KEY_SETS) < 1_000 else found


def _myanmar_terms(concepts: list[Concept]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(language, term) of every term in a Myanmar-script language, in a fixed order."""
    myanmar = {lang for lang, script in LANGUAGE_SCRIPTS.items() if script == "Myanmar"}
    for concept in concepts:
        for lang, items in concept["terms"].items():
            if lang.split("-")[0] in myanmar:
                for item in items:
                    yield lang, item


def zawgyi_scores(concepts: list[Concept]) -> list[float | None]:
    """The Zawgyi probability of each Myanmar-script term (None: no Burmese letters)."""
    from clinic.text import has_myanmar, zawgyi_probability

    return [
        zawgyi_probability(term["text"]) if has_myanmar(term["text"]) else None
        for _, term in _myanmar_terms(concepts)
    ]


def fix_zawgyi(
    concepts: list[Concept],
    *,
    mode: str,
    path: str,
    scores: list[float | None] | None = None,
) -> list[str]:
    """Zawgyi detection for concept files: each Myanmar-script language's terms are
    judged together, like a table column (tabular.fix_zawgyi_columns). `scores`: the
    terms' probabilities (zawgyi_scores), when already computed."""
    from clinic.termbase.tabular import fix_zawgyi_columns

    terms = list(_myanmar_terms(concepts))
    if not terms or mode == "keep":
        return fix_zawgyi_columns({}, mode=mode, path=path)
    if scores is None:
        scores = zawgyi_scores(concepts)
    columns: dict[str, list[str]] = {}
    places: dict[str, list[dict[str, Any]]] = {}
    column_scores: dict[str, list[float | None]] = {}
    for (lang, term), score in zip(terms, scores, strict=True):
        name = f"the '{lang}' terms"
        columns.setdefault(name, []).append(term["text"])
        places.setdefault(name, []).append(term)
        column_scores.setdefault(name, []).append(score)
    warnings = fix_zawgyi_columns(columns, mode=mode, path=path, scores=column_scores)
    for name, texts in columns.items():
        for term, text in zip(places[name], texts, strict=True):
            if text != term["text"]:
                term["text"] = normalize(text).strip()
    return warnings


# --- planning ---------------------------------------------------------------------


@dataclass
class Conflict:
    concept: str
    field: str
    termbase: str
    incoming: str
    kept: str  # "termbase" or "incoming"

    def as_dict(self) -> dict[str, str]:
        return {
            "concept": self.concept,
            "field": self.field,
            "termbase": self.termbase,
            "incoming": self.incoming,
            "kept": self.kept,
        }


@dataclass
class Plan:
    """What an import would do. Nothing is written until apply_plan."""

    source: str
    format: str
    added: list[Concept] = field(default_factory=list)
    changed: list[Concept] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)
    matched: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "add": len(self.added),
            "change": len(self.changed),
            "unchanged": len(self.unchanged),
            "conflict": len(self.conflicts),
            "skipped": len(self.skipped),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "counts": self.counts(),
            "add": [c["id"] for c in self.added],
            "change": [
                {
                    "id": c["id"],
                    "changes": self.details.get(c["id"], []),
                    **({"matched_by": self.matched[c["id"]]} if c["id"] in self.matched else {}),
                }
                for c in self.changed
            ],
            "unchanged": self.unchanged,
            "conflicts": [c.as_dict() for c in self.conflicts],
            "skipped": self.skipped,
            "warnings": self.warnings,
        }

    def render(self, *, limit: int = 50, dry_run: bool = False) -> str:
        counts = self.counts()
        head = (
            f"{self.source} ({self.format}): {counts['add']} to add, {counts['change']} "
            f"to change, {counts['unchanged']} unchanged, {counts['conflict']} conflict(s)"
        )
        if counts["skipped"]:
            head += f", {counts['skipped']} skipped"
        lines = [head]
        lines += [f"warning: {w}" for w in self.warnings]
        lines += _capped([f"  + {c['id']}" for c in self.added], limit)
        changed = []
        for concept in self.changed:
            matched = self.matched.get(concept["id"])
            how = f" (matched by {matched})" if matched else ""
            changed.append(
                f"  ~ {concept['id']}{how}: " + "; ".join(self.details.get(concept["id"], []))
            )
        lines += _capped(changed, limit)
        for c in self.conflicts:
            lines.append(
                f"  ! {c.concept} {c.field}: termbase {c.termbase} / file "
                f"{c.incoming} (kept the {c.kept}'s)"
            )
        for s in self.skipped:
            lines.append(f"  ? {s['incoming']}: {s['reason']} (not imported)")
        if dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _capped(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"  ... and {len(lines) - limit} more (--json lists them all)"]


def _match_key(text: str) -> str:
    return " ".join(normalize(text).casefold().split())


def plan_import(
    existing: Iterable[Concept],
    incoming: Incoming,
    *,
    prefer: str = "termbase",
    match_terms: bool = True,
) -> Plan:
    """Compare a file's concepts with the termbase's and say what a merge would do.

    An incoming concept is the termbase concept with the same id; failing that (with
    match_terms), the one concept sharing one of its non-deprecated terms in the same
    language. Several such concepts make it ambiguous: it is skipped and reported."""
    if prefer not in PREFER:
        raise ClinicError(f"must be one of {', '.join(PREFER)}", field="--prefer")
    plan = Plan(incoming.source, incoming.format, warnings=list(incoming.warnings))
    state: dict[str, Concept] = {}
    originals: dict[str, Concept] = {}
    by_term: dict[tuple[str, str], set[str]] = {}

    def index(concept: Concept) -> None:
        for lang, terms in concept.get("terms", {}).items():
            for term in terms:
                if term.get("status") != "deprecated":
                    by_term.setdefault((lang, _match_key(term["text"])), set()).add(concept["id"])

    for concept in existing:
        originals[concept["id"]] = concept
        state[concept["id"]] = concept
        if match_terms:
            index(concept)
    # Two entries of one file with one id would be merged into each other silently.
    seen: set[str] = set()
    for concept in incoming.concepts:
        if concept["id"] in seen:
            raise ValidationError(
                "two entries of the file have this id (after it was made a clinic id); "
                "give them different ids",
                path=incoming.source,
                field=f"id {concept['id']}",
            )
        seen.add(concept["id"])
    new_ids: list[str] = []
    for concept, given in zip(incoming.concepts, incoming.provided, strict=True):
        # Matched against the termbase only: two entries of the same file that share
        # a term are two concepts (bank the institution, bank of a river).
        target = concept["id"] if concept["id"] in originals else None
        if target is None and match_terms:
            candidates: set[str] = set()
            first_hit: dict[str, str] = {}
            for lang, terms in concept["terms"].items():
                for term in terms:
                    if term.get("status") == "deprecated":
                        continue
                    for hit in by_term.get((lang, _match_key(term["text"])), ()):
                        candidates.add(hit)
                        first_hit.setdefault(hit, f"{lang} term '{term['text']}'")
            if len(candidates) > 1:
                plan.skipped.append(
                    {
                        "incoming": concept["id"],
                        "reason": "its terms match several concepts: "
                        + ", ".join(sorted(candidates)),
                        "candidates": sorted(candidates),
                    }
                )
                continue
            if candidates:
                target = candidates.pop()
                if target in originals:
                    plan.matched.setdefault(target, first_hit[target])
        if target is None:
            state[concept["id"]] = concept
            new_ids.append(concept["id"])
            continue
        merged, details, conflicts = merge(state[target], concept, given, prefer=prefer)
        state[target] = merged
        if target in originals and details:
            plan.details.setdefault(target, []).extend(details)
        plan.conflicts.extend(conflicts)
        if match_terms:
            index(merged)
    plan.added = [state[i] for i in new_ids]
    # Termbase concepts the file spoke about (by id, or matched by a term).
    touched = {c["id"] for c in incoming.concepts} | set(plan.matched)
    for concept_id, original in originals.items():
        if state[concept_id] is not original and state[concept_id] != original:
            plan.changed.append(state[concept_id])
        elif concept_id in touched:
            plan.unchanged.append(concept_id)
    return plan


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    import json

    return json.dumps(value, ensure_ascii=False)


def merge(
    current: Concept, incoming: Concept, given: Provided, *, prefer: str = "termbase"
) -> tuple[Concept, list[str], list[Conflict]]:
    """The union of two versions of a concept, what changed, and the conflicts.

    No term of `current` is ever dropped. A value both sides hold and disagree on is a
    conflict: the termbase's value is kept (prefer="incoming" takes the file's)."""
    out = copy.deepcopy(current)
    cid = out["id"]
    details: list[str] = []
    conflicts: list[Conflict] = []

    def disagree(where: str, old: Any, new: Any) -> bool:
        take = prefer == "incoming"
        conflicts.append(
            Conflict(cid, where, _show(old), _show(new), "incoming" if take else "termbase")
        )
        return take

    fields = out.setdefault("subject_fields", [])
    added_fields = [f for f in incoming.get("subject_fields", []) if f not in fields]
    if added_fields:
        fields.extend(added_fields)
        details.append("subject field " + ", ".join(added_fields))
    new_def = incoming.get("definition") or {}
    definition = dict(out.get("definition") or {})
    for key in ("text", "source"):
        new, old = new_def.get(key), definition.get(key)
        if not new or new == old:
            continue
        if not old:
            definition[key] = new
            details.append(f"definition {key} added")
        elif disagree(f"definition.{key}", old, new):
            definition[key] = new
            details.append(f"definition {key} replaced")
    if definition:
        out["definition"] = definition
    for key, label in (("notes", "note"), ("see", "cross-reference")):
        have = out.get(key, [])
        extra_items = [n for n in incoming.get(key, []) if n not in have]
        if extra_items:
            out[key] = have + extra_items
            details.append(f"{len(extra_items)} {label}(s) added")
    if incoming.get("origin") and incoming["origin"] != out.get("origin"):
        if not out.get("origin"):
            out["origin"] = incoming["origin"]
            details.append("origin added")
        elif disagree("origin", out["origin"], incoming["origin"]):
            out["origin"] = incoming["origin"]
    if incoming.get("extra"):
        extra = out.setdefault("extra", {})
        _merge_extra(extra, incoming["extra"], "extra", details, disagree)
    for lang, terms in incoming["terms"].items():
        have = out["terms"].setdefault(lang, [])
        keys = given.get(lang) or [frozenset(t) for t in terms]
        for term, said in zip(terms, keys, strict=False):
            same = next((t for t in have if t["text"] == term["text"]), None)
            if same is None:
                _add_term(have, term, said, lang, details, disagree)
            else:
                _merge_term(same, term, said, f"terms.{lang}['{term['text']}']", details, disagree)
        if not have:
            del out["terms"][lang]
    for key in ("subject_fields", "extra"):
        if not out.get(key):
            out.pop(key, None)
    return out, details, conflicts


def _add_term(
    have: list[dict[str, Any]],
    term: dict[str, Any],
    said: frozenset[str],
    lang: str,
    details: list[str],
    disagree: Any,
) -> None:
    new = dict(term)
    current = next((t for t in have if t.get("status") == "preferred"), None)
    if new.get("status") == "preferred" and current is not None:
        if "status" not in said:
            new["status"] = "admitted"  # the file did not say; keep the termbase's choice
        elif disagree(f"terms.{lang} preferred", current["text"], new["text"]):
            current["status"] = "admitted"
        else:
            new["status"] = "admitted"
    have.append(new)
    details.append(f"+{lang} '{new['text']}' ({new['status']})")


def _merge_term(
    same: dict[str, Any],
    term: dict[str, Any],
    said: frozenset[str],
    where: str,
    details: list[str],
    disagree: Any,
) -> None:
    for key in sorted(
        said - {"text", "extra", "roman_auto", "review", "reviewed_by", "reviewed_on"}
    ):
        new, old = term.get(key), same.get(key)
        if new in (None, "") or new == old:
            continue
        if key == "roman" and same.get("roman_auto"):
            same["roman"] = new
            same.pop("roman_auto", None)
            details.append(f"{where}.roman checked")
        elif old in (None, ""):
            same[key] = new
            details.append(f"{where}.{key} added")
        elif disagree(f"{where}.{key}", old, new):
            same[key] = new
            details.append(f"{where}.{key} replaced")
    if term.get("review") == "reviewed" and "review" in said:
        if same.get("review") != "reviewed":
            for key in ("review", "reviewed_by", "reviewed_on"):
                same[key] = term[key]
            details.append(f"{where} reviewed")
        else:
            for key in ("reviewed_by", "reviewed_on"):
                if term.get(key) != same.get(key) and disagree(
                    f"{where}.{key}", same.get(key), term.get(key)
                ):
                    same[key] = term[key]
    if term.get("extra"):
        extra = same.setdefault("extra", {})
        _merge_extra(extra, term["extra"], f"{where}.extra", details, disagree)
        if not extra:
            same.pop("extra")


def _merge_extra(
    have: dict[str, Any], new: dict[str, Any], where: str, details: list[str], disagree: Any
) -> None:
    for key, value in new.items():
        old = have.get(key)
        if old is None:
            have[key] = copy.deepcopy(value)
            details.append(f"{where}.{key} added")
        elif old == value:
            continue
        elif isinstance(old, dict) and isinstance(value, dict):
            _merge_extra(old, value, f"{where}.{key}", details, disagree)
        elif isinstance(old, list) and isinstance(value, list):
            missing = [v for v in value if v not in old]
            if missing:
                old.extend(copy.deepcopy(missing))
                details.append(f"{where}.{key}: {len(missing)} added")
        elif disagree(f"{where}.{key}", old, value):
            have[key] = copy.deepcopy(value)


def apply_plan(termbase: Any, plan: Plan) -> tuple[int, int]:
    """Write a plan's added and changed concepts in one store write: (added, changed)."""
    from clinic.termbase.termbase import prepare

    if not plan.added and not plan.changed:
        return 0, 0
    # New concepts were validated when read; merged ones are validated again here.
    concepts = plan.added + [prepare(c) for c in plan.changed]
    added, replaced = termbase.upsert_many(concepts, validated=True)
    return int(added), int(replaced)


def _current(termbase: Any, dry_run: bool) -> list[Concept]:
    """The termbase's concepts. A dry run before the store exists reads the shipped
    glossary instead of seeding the store from it: a dry run creates no file."""
    if dry_run and not termbase.store_path.exists():
        from clinic import paths
        from clinic.termbase.files import read_folder
        from clinic.termbase.termbase import prepare

        return [prepare(c) for c, _ in read_folder(paths.shipped("glossary"))]
    concepts: list[Concept] = termbase.concepts()
    return concepts


def import_file(
    termbase: Any,
    path: Path | str,
    *,
    dry_run: bool = False,
    prefer: str = "termbase",
    match_terms: bool = True,
    one_shot: bool = False,
    **read_options: Any,
) -> Plan:
    """Read a file, plan the merge and (unless dry_run) write it. Returns the plan.
    one_shot: the process ends soon after (the CLI): see gc_paused(freeze=)."""
    try:
        with gc_paused(freeze=one_shot):
            return _import_file(termbase, path, dry_run, prefer, match_terms, read_options)
    finally:
        forget_search_keys()


def _import_file(
    termbase: Any,
    path: Path | str,
    dry_run: bool,
    prefer: str,
    match_terms: bool,
    read_options: dict[str, Any],
) -> Plan:
    incoming = read_incoming(path, **read_options)
    if dry_run:
        return plan_import(
            _current(termbase, dry_run), incoming, prefer=prefer, match_terms=match_terms
        )
    plans: list[Plan] = []

    def planned(current: dict[str, Concept]) -> list[Concept]:
        # Planned again under the writers' lock, from the store as it is now: an
        # edit made by someone else while the file was read is merged, not lost.
        from clinic.termbase.termbase import prepare

        plan = plan_import(list(current.values()), incoming, prefer=prefer, match_terms=match_terms)
        plans.append(plan)
        return plan.added + [prepare(c) for c in plan.changed]

    termbase.connection()  # seeds the store on first use, before the lock is taken
    termbase.transform(planned, validated=True)
    return plans[0]


# --- exporting --------------------------------------------------------------------


def check_filters(domains: list[str] | None, statuses: list[str] | None) -> None:
    for name in domains or []:
        if name not in SUBJECT_FIELDS:
            raise ClinicError(
                f"unknown subject field '{name}' (known: {', '.join(SUBJECT_FIELDS)})",
                field="--domain",
            )
    for name in statuses or []:
        if name not in STATUSES and name not in REVIEW_STATES:
            raise ClinicError(
                f"unknown status '{name}' (known: {', '.join(STATUSES + REVIEW_STATES)})",
                field="--status",
            )


def select(
    concepts: Iterable[Concept],
    *,
    langs: list[str] | None = None,
    domains: list[str] | None = None,
    statuses: list[str] | None = None,
    phrases: bool | None = None,
) -> list[Concept]:
    """The concepts and terms an export keeps.

    langs keeps those languages (in that order); domains keeps concepts of any of those
    subject fields; statuses keeps terms whose status (preferred, admitted, deprecated)
    or review state (draft, reviewed) is listed. A concept left without terms is left
    out."""
    check_filters(domains, statuses)
    wanted_status = {s for s in statuses or [] if s in STATUSES}
    wanted_review = {s for s in statuses or [] if s in REVIEW_STATES}
    out = []
    for concept in concepts:
        if domains and not set(concept.get("subject_fields", [])) & set(domains):
            continue
        if phrases is not None and is_phrase(concept) != phrases:
            continue
        terms = concept.get("terms", {})
        order = [lang for lang in langs if lang in terms] if langs else list(terms)
        kept = {}
        for lang in order:
            items = [
                t
                for t in terms[lang]
                if (not wanted_status or t.get("status", "preferred") in wanted_status)
                and (not wanted_review or t.get("review", "draft") in wanted_review)
            ]
            if items:
                kept[lang] = items
        if not kept:
            continue
        selected = {**concept, "terms": kept}
        lang_extra = (concept.get("extra") or {}).get("langSec")
        if lang_extra and langs:
            # Language-level data kept from a TBX import goes with its language.
            extra = dict(concept["extra"])
            extra["langSec"] = {k: v for k, v in lang_extra.items() if k in kept}
            if not extra["langSec"]:
                del extra["langSec"]
            selected["extra"] = extra
            if not extra:
                del selected["extra"]
        out.append(selected)
    return out


def export_bytes(
    concepts: list[Concept],
    fmt: str,
    *,
    langs: list[str] | None = None,
    layout: str | None = None,
    title: str | None = None,
) -> bytes:
    """The file contents of an export in a text format (tbx, csv, tsv, yaml)."""
    if fmt == "tbx":
        from clinic.termbase.tbx import tbx_bytes

        return tbx_bytes(concepts, title=title or "clinic termbase")
    if fmt in ("csv", "tsv"):
        from clinic.termbase.tabular import WIDE, write_table

        return write_table(
            concepts,
            layout=layout or WIDE,
            langs=langs or [],
            delimiter="," if fmt == "csv" else "\t",
        )
    if fmt == "yaml":
        from clinic.termbase.files import dump_concepts

        return dump_concepts(concepts).encode("utf-8")
    raise ClinicError(f"cannot write {fmt} as text", field="--format")


def export_file(
    concepts: list[Concept],
    path: Path | str,
    *,
    fmt: str | None = None,
    langs: list[str] | None = None,
    layout: str | None = None,
    title: str | None = None,
    domains: list[str] | None = None,
) -> dict[str, Any]:
    """Write an export atomically; returns a summary (files, format, concepts, terms)."""
    from clinic.store import atomic_write_bytes

    path = Path(path)
    kind = detect_format(path, fmt)
    if path.is_dir() and kind != "yaml":
        raise ClinicError("is a folder; only a YAML export writes into a folder", path=path)
    if layout is None and path.suffix.lower() in (".txt", ".utf8"):
        layout = "omegat"
    if not path.parent.is_dir():
        raise ClinicError("the folder does not exist", path=path.parent)
    files: list[str] = []
    notes: dict[str, int] = {}
    if kind == "apkg":
        from clinic.termbase.anki import write_deck

        notes["notes"] = write_deck(concepts, path, langs=langs or [], title=title, domains=domains)
        files.append(str(path))
    elif kind == "yaml" and path.is_dir():
        files += _export_yaml_folder(concepts, path)
    else:
        atomic_write_bytes(
            path,
            export_bytes(concepts, kind, langs=langs, layout=layout, title=title),
            private=False,
        )
        files.append(str(path))
    return {
        "files": files,
        "format": kind,
        "concepts": len(concepts),
        "terms": sum(len(ts) for c in concepts for ts in c.get("terms", {}).values()),
        **notes,
    }


def _export_yaml_folder(concepts: list[Concept], folder: Path) -> list[str]:
    """One file per subject field (the first of each concept), like the shipped glossary;
    phrasebook entries in phrasebook.yaml."""
    from clinic.store import atomic_write_bytes
    from clinic.termbase.files import dump_concepts

    groups: dict[str, list[Concept]] = {}
    for concept in concepts:
        fields = concept.get("subject_fields") or ["other"]
        name = "phrasebook" if is_phrase(concept) else fields[0]
        groups.setdefault(name, []).append(concept)
    written = []
    for name, items in sorted(groups.items()):
        field_name = "interpreting" if name == "phrasebook" else name
        text = dump_concepts(items, field_name if field_name in SUBJECT_FIELDS else None)
        target = folder / f"{name}.yaml"
        atomic_write_bytes(target, text.encode("utf-8"), private=False)
        written.append(str(target))
    return written
