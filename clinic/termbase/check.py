"""`clinic glossary check`: the rules that keep the shipped termbase honest.

Beyond the model's own validation (clean_concept), the shipped glossary must give
every concept an English preferred term, a definition with its source, and terms in
th, my, km, lo and vi; write each term in its language's script, NFC, without stray
spaces; keep Burmese, Karen and Shan out of Zawgyi; give every Thai term its RTGS
romanisation; point every cross-reference at a concept that exists; and never drop
or rename a concept id once shipped (ids.lock lists them)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError, ValidationError
from clinic.termbase.files import glossary_files, raw_concepts
from clinic.termbase.model import Concept, clean_concept
from clinic.text import LANGUAGE_SCRIPTS, ZAWGYI_THRESHOLD, scripts_in, zawgyi_probability

REQUIRED_LANGUAGES = ("en", "th", "my", "km", "lo", "vi")
IDS_LOCK = "ids.lock"
MYANMAR_SCRIPT_LANGUAGES = ("my", "ksw", "shn")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


@dataclass
class Problem:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


@dataclass
class Report:
    files: int = 0
    concepts: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(
            f"{self.concepts} concepts in {self.files} files: {len(self.problems)} problem(s)"
        )
        return "\n".join(lines)


def _raw_text_problems(raw: Any, where: str, path: str) -> list[Problem]:
    """NFC and spacing, checked on the text as written (cleaning would hide it)."""
    out = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            out += _raw_text_problems(value, where, f"{path}.{key}" if path else key)
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            out += _raw_text_problems(value, where, f"{path}[{i}]")
    elif isinstance(raw, str):
        if unicodedata.normalize("NFC", raw) != raw:
            out.append(Problem(where, path, "text is not in Unicode NFC"))
        is_term = path.endswith(".text") or re.search(r"terms\.[^.]+(\[\d+\])?$", path)
        if is_term and (raw != raw.strip() or "  " in raw):
            out.append(Problem(where, path, "stray spaces (leading, trailing or double)"))
    return out


def _term_problems(concept: Concept, where: str) -> list[Problem]:
    problems: list[Problem] = []
    cid = concept["id"]
    for lang, terms in concept["terms"].items():
        script = LANGUAGE_SCRIPTS.get(lang)
        texts = [t["text"] for t in terms]
        for text in sorted({t for t in texts if texts.count(t) > 1}):
            problems.append(Problem(where, f"{cid}.terms.{lang}", f"term listed twice: {text}"))
        if sum(t.get("status") == "preferred" for t in terms) > 1:
            problems.append(Problem(where, f"{cid}.terms.{lang}", "more than one preferred term"))
        for i, term in enumerate(terms):
            at = f"{cid}.terms.{lang}[{i}]"
            text = term["text"]
            found = scripts_in(text)
            if script and script != "Latin":
                if script not in found:
                    problems.append(Problem(where, at, f"not written in {script} script"))
                elif found - {script, "Latin"}:
                    others = ", ".join(sorted(found - {script, "Latin"}))
                    problems.append(Problem(where, at, f"mixes {script} with {others} script"))
                if _LATIN_LETTER.search(text):
                    problems.append(Problem(where, at, "Latin letters inside the term"))
            elif script == "Latin" and found - {"Latin"}:
                problems.append(Problem(where, at, "not written in Latin script"))
            roman = term.get("roman")
            if lang == "th" and not roman:
                problems.append(Problem(where, at, "Thai term without RTGS romanisation"))
            if roman and scripts_in(roman) - {"Latin"}:
                problems.append(Problem(where, at, "romanisation not in Latin letters"))
            if lang in MYANMAR_SCRIPT_LANGUAGES and zawgyi_probability(text) > ZAWGYI_THRESHOLD:
                problems.append(Problem(where, at, "looks like Zawgyi, not Unicode"))
            if term.get("confidence") == "low" and not term.get("note"):
                problems.append(Problem(where, at, "low confidence needs a note saying why"))
    return problems


def _content_problems(concept: Concept, where: str) -> list[Problem]:
    cid = concept["id"]
    out = []
    if not concept.get("subject_fields"):
        out.append(Problem(where, f"{cid}.subject_fields", "no subject field"))
    definition = concept.get("definition") or {}
    if not definition.get("text"):
        out.append(Problem(where, f"{cid}.definition.text", "no definition"))
    if not definition.get("source"):
        out.append(Problem(where, f"{cid}.definition.source", "no source for the definition"))
    for lang in REQUIRED_LANGUAGES:
        terms = concept["terms"].get(lang, [])
        if not terms:
            out.append(Problem(where, f"{cid}.terms.{lang}", "no term in this language"))
        elif not any(t.get("status") == "preferred" for t in terms):
            out.append(Problem(where, f"{cid}.terms.{lang}", "no preferred term"))
    if cid.startswith("phrase-"):
        for lang, terms in concept["terms"].items():
            if any(t.get("type") != "phrase" for t in terms):
                out.append(
                    Problem(where, f"{cid}.terms.{lang}", "phrasebook terms need type phrase")
                )
    return out


def check_folder(folder: Path, *, update_ids: bool = False) -> Report:
    report = Report()
    concepts: dict[str, tuple[Concept, str]] = {}
    myanmar_text: dict[tuple[str, str], list[str]] = {}
    for path in glossary_files(folder):
        report.files += 1
        try:
            items = raw_concepts(path)
        except ClinicError as error:
            where = f"{error.path}:{error.line}" if error.line else str(error.path or path)
            report.problems.append(Problem(where, error.field or "file", error.message))
            continue
        for raw, where in items:
            report.concepts += 1
            report.problems += _raw_text_problems(raw, where, "")
            try:
                concept = clean_concept(raw, where)
            except ValidationError as error:
                report.problems.append(Problem(where, error.field or "concept", error.message))
                continue
            if concept["id"] in concepts:
                first = concepts[concept["id"]][1]
                report.problems.append(Problem(where, "id", f"duplicate id (first at {first})"))
                continue
            concepts[concept["id"]] = (concept, where)
            report.problems += _content_problems(concept, where)
            report.problems += _term_problems(concept, where)
            for lang in MYANMAR_SCRIPT_LANGUAGES:
                for term in concept["terms"].get(lang, []):
                    myanmar_text.setdefault((str(path), lang), []).append(term["text"])
    for (path_name, lang), texts in myanmar_text.items():
        # Short strings are ambiguous; a whole column is not (research notes §3.5).
        if zawgyi_probability(" ".join(texts)) > 0.5:
            report.problems.append(
                Problem(path_name, f"terms.{lang}", "this language's terms look Zawgyi-encoded")
            )
    for cid, (concept, where) in concepts.items():
        for target in concept.get("see", []):
            if target not in concepts:
                report.problems.append(
                    Problem(where, f"{cid}.see", f"cross-reference to unknown concept '{target}'")
                )
    report.problems += _id_stability(folder, set(concepts), update_ids)
    return report


def _id_stability(folder: Path, ids: set[str], update: bool) -> list[Problem]:
    lock = folder / IDS_LOCK
    try:
        known = set(lock.read_text(encoding="utf-8").split()) if lock.exists() else set()
    except (OSError, UnicodeDecodeError):
        return [Problem(str(lock), "file", "cannot be read as UTF-8 text")]
    problems = [
        Problem(
            str(lock),
            cid,
            "a shipped concept id disappeared (ids are stable: keep the "
            "concept, or mark it deprecated)",
        )
        for cid in sorted(known - ids)
    ]
    new = ids - known
    if update and not problems and new:
        from clinic.store import atomic_write_bytes

        atomic_write_bytes(lock, ("\n".join(sorted(known | ids)) + "\n").encode(), private=False)
    elif new and lock.exists():
        problems += [
            Problem(str(lock), cid, "new id not recorded: run 'clinic glossary check --update-ids'")
            for cid in sorted(new)
        ]
    return problems
