"""The termbase model, concept-oriented as TBX (ISO 30042) is.

A concept is a plain dict, the same shape in the glossary YAML files, in the store and
in `--json` output, so no layer translates between three models:

    {"id": "debt-bondage", "subject_fields": ["labour"],
     "definition": {"text": ..., "source": ...}, "notes": [...], "see": [...],
     "terms": {"en": [term, ...], "th": [...]}}

A term: {"text", "status", "type", "pos", "roman", "roman_auto", "context", "source",
"review", "reviewed_by", "reviewed_on", "confidence", "note"}. Data categories the
model does not know (from a TBX import, say) are kept under "extra" on either level.
"""

from __future__ import annotations

import re
from typing import Any

from clinic.exceptions import ValidationError
from clinic.text import is_language_code, normalize

Concept = dict[str, Any]
Term = dict[str, Any]

SUBJECT_FIELDS: dict[str, str] = {
    "legal-process": "legal process",
    "identification": "identification",
    "referral": "referral",
    "labour": "labour",
    "fisheries": "fisheries",
    "sexual-exploitation": "sexual exploitation",
    "forced-criminality": "forced criminality",
    "health": "health",
    "civil-status": "civil status and birth registration",
    "immigration": "immigration and documents",
    "return": "return and reintegration",
    "children": "children",
    "interpreting": "interpreting",
    "organisations": "organisations and acronyms",
}
STATUSES = ("preferred", "admitted", "deprecated")
TERM_TYPES = ("fullForm", "abbreviation", "acronym", "shortForm", "variant", "phrase")
PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "properNoun", "other")
REVIEW_STATES = ("draft", "reviewed")
CONFIDENCES = ("low", "medium", "high")

CONCEPT_KEYS = ("id", "subject_fields", "definition", "notes", "see", "origin", "terms", "extra")
TERM_KEYS = (
    "text",
    "status",
    "type",
    "pos",
    "roman",
    "roman_auto",
    "context",
    "source",
    "review",
    "reviewed_by",
    "reviewed_on",
    "confidence",
    "note",
    "extra",
)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TERM_KEY_SET = frozenset(TERM_KEYS)
_CONCEPT_KEY_SET = frozenset(CONCEPT_KEYS)


def _text(
    value: Any, where: str, field: str, key: str = "", *, required: bool = True
) -> str | None:
    """Normalised text; `field` and `key` name it in an error (joined only then, as
    this runs for every term of a 20,000-concept import)."""
    if type(value) is str and value:
        if value.isascii():
            return value.strip()  # NFC already, and nothing to encode
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            pass  # reported below
        else:
            return normalize(value).strip()
    if key:
        field = f"{field}.{key}"
    if value is None or value == "":
        if required:
            raise ValidationError("is required", path=where, field=field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"must be text, not {type(value).__name__}", path=where, field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # bytes a terminal could not decode (a wrong locale), smuggled in as surrogates
        raise ValidationError(
            "holds characters that are not valid text (check the terminal's encoding)",
            path=where,
            field=field,
        ) from None
    return normalize(value).strip()


def _extra(value: Any, where: str, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError("must be a mapping of data categories", path=where, field=field)
    return dict(value)


def _text_list(value: Any, where: str, field: str) -> list[str]:
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValidationError("must be a list of text", path=where, field=field)
    return [str(_text(item, where, field)) for item in items]


def _choice(
    value: Any, choices: tuple[str, ...], where: str, field: str, key: str, default: str
) -> str:
    if value is None:
        return default
    if value not in choices:
        raise ValidationError(
            f"must be one of {', '.join(choices)}", path=where, field=f"{field}.{key}"
        )
    return str(value)


def clean_term(raw: Any, where: str, field: str) -> Term:
    """A validated, normalised term; ValidationError names the field that is wrong."""
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict):
        raise ValidationError(
            "a term must be a mapping with at least 'text'", path=where, field=field
        )
    unknown = raw.keys() - _TERM_KEY_SET
    if unknown:
        raise ValidationError(
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", path=where, field=field
        )
    term: Term = {"text": _text(raw.get("text"), where, field, "text")}
    term["status"] = _choice(raw.get("status"), STATUSES, where, field, "status", "preferred")
    term["type"] = _choice(raw.get("type"), TERM_TYPES, where, field, "type", "fullForm")
    term["pos"] = _choice(raw.get("pos"), PARTS_OF_SPEECH, where, field, "pos", "noun")
    for key in ("roman", "context", "source", "note", "reviewed_by"):
        if key in raw:
            value = _text(raw[key], where, field, key, required=False)
            if value:
                term[key] = value
    if raw.get("roman_auto") and term.get("roman"):
        term["roman_auto"] = True
    term["review"] = _choice(raw.get("review"), REVIEW_STATES, where, field, "review", "draft")
    reviewed_on = raw.get("reviewed_on")
    if reviewed_on is not None:
        import datetime as dt  # only here: keeps `clinic lookup` start-up lean

        if isinstance(reviewed_on, dt.date):
            reviewed_on = reviewed_on.isoformat()
        try:
            dt.date.fromisoformat(str(reviewed_on))
        except ValueError:
            raise ValidationError(
                "must be a date YYYY-MM-DD", path=where, field=f"{field}.reviewed_on"
            ) from None
        term["reviewed_on"] = str(reviewed_on)
    if term["review"] == "reviewed" and not (term.get("reviewed_by") and term.get("reviewed_on")):
        raise ValidationError(
            "a reviewed term needs reviewed_by and reviewed_on", path=where, field=field
        )
    if raw.get("confidence") is not None:
        term["confidence"] = _choice(
            raw.get("confidence"), CONFIDENCES, where, field, "confidence", "medium"
        )
    if raw.get("extra"):
        term["extra"] = _extra(raw["extra"], where, f"{field}.extra")
    return term


def clean_concept(raw: Any, where: str) -> Concept:
    """A validated, normalised concept (the model's rules, not the content checks)."""
    if not isinstance(raw, dict):
        raise ValidationError("a concept must be a mapping", path=where)
    unknown = raw.keys() - _CONCEPT_KEY_SET
    if unknown:
        raise ValidationError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", path=where)
    cid = raw.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        raise ValidationError(
            "must be a lowercase slug such as 'debt-bondage'", path=where, field="id"
        )
    fields = raw.get("subject_fields") or []
    if isinstance(fields, str):
        fields = [fields]
    for name in fields:
        if name not in SUBJECT_FIELDS:
            raise ValidationError(
                f"unknown subject field (known: {', '.join(SUBJECT_FIELDS)})",
                path=where,
                field=f"{cid}.subject_fields",
            )
    concept: Concept = {"id": cid, "subject_fields": list(dict.fromkeys(fields))}
    definition = raw.get("definition")
    if isinstance(definition, str):
        definition = {"text": definition}
    if definition:
        if not isinstance(definition, dict) or set(definition) - {"text", "source"}:
            raise ValidationError(
                "must be a mapping with just text and source",
                path=where,
                field=f"{cid}.definition",
            )
        concept["definition"] = {
            key: value
            for key in ("text", "source")
            if (
                value := _text(
                    definition.get(key), where, f"{cid}.definition.{key}", required=False
                )
            )
        }
    notes = _text_list(raw.get("notes"), where, f"{cid}.notes")
    if notes:
        concept["notes"] = notes
    see = _text_list(raw.get("see"), where, f"{cid}.see")
    if see:
        concept["see"] = see
    origin = _text(raw.get("origin"), where, f"{cid}.origin", required=False)
    if origin:
        concept["origin"] = origin
    terms = raw.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise ValidationError(
            "needs terms in at least one language", path=where, field=f"{cid}.terms"
        )
    concept["terms"] = {}
    for lang, items in terms.items():
        if not isinstance(lang, str) or not is_language_code(lang):
            raise ValidationError(
                "is not a BCP 47 language code", path=where, field=f"{cid}.terms.{lang}"
            )
        if isinstance(items, (str, dict)):
            items = [items]
        if not isinstance(items, list) or not items:
            raise ValidationError("needs a list of terms", path=where, field=f"{cid}.terms.{lang}")
        concept["terms"][lang] = [
            clean_term(item, where, f"{cid}.terms.{lang}[{i}]") for i, item in enumerate(items)
        ]
    if raw.get("extra"):
        concept["extra"] = _extra(raw["extra"], where, f"{cid}.extra")
    return concept


def preferred(concept: Concept, lang: str) -> Term | None:
    """The preferred term of a language (else the first term that is not deprecated)."""
    terms = concept.get("terms", {}).get(lang) or []
    for term in terms:
        if term.get("status") == "preferred":
            return term
    for term in terms:
        if term.get("status") != "deprecated":
            return term
    return None


def is_phrase(concept: Concept) -> bool:
    return any(t.get("type") == "phrase" for ts in concept.get("terms", {}).values() for t in ts)


def concept_label(concept: Concept) -> str:
    """The English preferred term, else any preferred term, else the id."""
    term = preferred(concept, "en")
    if term is None:
        for lang in concept.get("terms", {}):
            term = preferred(concept, lang)
            if term:
                break
    return term["text"] if term else str(concept.get("id"))
