"""`clinic glossary stats`: what is there and what still needs a reviewer."""

from __future__ import annotations

from collections import Counter
from typing import Any

from clinic.termbase.cards import LANGUAGE_ORDER
from clinic.termbase.model import SUBJECT_FIELDS, Concept, is_phrase


def count(concepts: list[Concept]) -> dict[str, Any]:
    by_lang: dict[str, Counter[str]] = {}
    by_field: Counter[str] = Counter()
    phrases = 0
    for concept in concepts:
        phrases += is_phrase(concept)
        for name in concept.get("subject_fields", []):
            by_field[name] += 1
        for lang, terms in concept["terms"].items():
            counter = by_lang.setdefault(lang, Counter())
            counter["concepts"] += 1
            for term in terms:
                counter["terms"] += 1
                counter[term.get("review", "draft")] += 1
                if term.get("confidence") == "low":
                    counter["low confidence"] += 1
                if term.get("status") == "deprecated":
                    counter["deprecated"] += 1
    order = [lang for lang in LANGUAGE_ORDER if lang in by_lang]
    order += sorted(set(by_lang) - set(order))
    return {
        "concepts": len(concepts),
        "phrases": phrases,
        "languages": [
            {
                "lang": lang,
                **{
                    k: by_lang[lang][k]
                    for k in (
                        "concepts",
                        "terms",
                        "draft",
                        "reviewed",
                        "low confidence",
                        "deprecated",
                    )
                },
            }
            for lang in order
        ],
        "subject_fields": {name: by_field[name] for name in SUBJECT_FIELDS if by_field[name]},
    }


def render(table: dict[str, Any]) -> str:
    """A plain-text table (ASCII headers and numbers, so columns align anywhere)."""
    columns = ("lang", "concepts", "terms", "draft", "reviewed", "low confidence", "deprecated")
    widths = [max(len(c), 6) for c in columns]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(columns, widths)))
    ]
    for row in table["languages"]:
        lines.append(
            "  ".join(
                str(row[c]).rjust(w) if i else str(row[c]).ljust(w)
                for i, (c, w) in enumerate(zip(columns, widths))
            )
        )
    lines.append("")
    lines.append(f"{table['concepts']} concepts, of which {table['phrases']} phrasebook entries")
    for name, n in table["subject_fields"].items():
        lines.append(f"  {SUBJECT_FIELDS[name]:<36} {n:>5}")
    return "\n".join(lines)
