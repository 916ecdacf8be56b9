"""Flashcards: an Anki deck (genanki) so that an interpreter can learn a domain's terms
before an assignment.

One note per concept that has terms in both languages, and two cards per note, one
for each direction. The note type, the deck and every note carry ids derived from
stable names, so exporting the same selection again and importing it into Anki
updates the cards already there instead of adding copies (and keeps the learner's
review history).
"""

from __future__ import annotations

import hashlib
import html
import os
import tempfile
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.termbase.model import SUBJECT_FIELDS, Concept, Term
from clinic.text import LANGUAGE_NAMES

MODEL_NAME = "clinic glossary term (2 directions) v1"
DRAFT_MARK = "\u2020"  # † as in the handouts


def stable_id(name: str) -> int:
    """An Anki id (a positive 31-bit-range integer) that depends only on name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


MODEL_ID = stable_id(MODEL_NAME)

_CARD = """<div class="lang">{{%(lang)s}}</div>
<div class="term">{{%(side)s}}</div>"""
_ANSWER = """{{FrontSide}}
<hr id="answer">
<div class="lang">{{%(lang)s}}</div>
<div class="term">{{%(side)s}}</div>
{{#Definition}}<div class="definition">{{Definition}}</div>{{/Definition}}
{{#Notes}}<div class="notes">{{Notes}}</div>{{/Notes}}
<div class="legend">%(mark)s not yet reviewed &middot; <s>struck</s> = avoid</div>"""


def _css() -> str:
    from clinic.termbase.fonts import DEFAULT_FONTS, font_for

    rules = [
        ".card { font-family: sans-serif; font-size: 22px; text-align: center; }",
        ".lang { font-size: 13px; color: #777; }",
        ".term .also { font-size: 18px; }",
        ".avoid { color: #b00; font-size: 15px; }",
        ".draft { color: #a60; font-size: 14px; }",
        ".roman { color: #777; font-size: 15px; }",
        ".definition, .notes { font-size: 15px; text-align: left; margin-top: 1em; }",
        ".legend { font-size: 11px; color: #999; margin-top: 1.5em; }",
    ]
    for lang in sorted(DEFAULT_FONTS):
        rules.append(f'.lang-{lang} {{ font-family: "{font_for(lang)}", sans-serif; }}')
    return "\n".join(rules)


def _model() -> Any:
    import genanki

    fields = ["Concept", "LanguageA", "TermsA", "LanguageB", "TermsB", "Definition", "Notes"]
    templates = [
        {
            "name": "A to B",
            "qfmt": _CARD % {"lang": "LanguageA", "side": "TermsA"},
            "afmt": _ANSWER % {"lang": "LanguageB", "side": "TermsB", "mark": DRAFT_MARK},
        },
        {
            "name": "B to A",
            "qfmt": _CARD % {"lang": "LanguageB", "side": "TermsB"},
            "afmt": _ANSWER % {"lang": "LanguageA", "side": "TermsA", "mark": DRAFT_MARK},
        },
    ]
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": f} for f in fields],
        templates=templates,
        css=_css(),
        sort_field_index=2,
    )


def _terms_html(terms: list[Term], lang: str) -> str:
    """Usable terms first (the first one large), then the deprecated ones struck."""
    usable = sorted(
        (t for t in terms if t.get("status") != "deprecated"),
        key=lambda t: t.get("status") != "preferred",
    )
    avoid = [t for t in terms if t.get("status") == "deprecated"]
    parts = []
    for i, term in enumerate(usable):
        text = html.escape(term["text"])
        piece = f'<span class="lang-{lang}">{text}</span>'
        if term.get("roman") and (lang == "th" or not term.get("roman_auto")):
            piece += f' <span class="roman">({html.escape(term["roman"])})</span>'
        if term.get("review") != "reviewed":
            piece += f' <span class="draft">{DRAFT_MARK}</span>'
        parts.append(piece if i == 0 else f'<div class="also">{piece}</div>')
    for term in avoid:
        parts.append(
            f'<div class="avoid"><s class="lang-{lang}">{html.escape(term["text"])}</s> avoid</div>'
        )
    return "".join(parts)


def deck_name(langs: list[str], domains: list[str] | None) -> str:
    fields = ", ".join(SUBJECT_FIELDS.get(d, d) for d in domains or []) or "all fields"
    names = " - ".join(LANGUAGE_NAMES.get(lang, lang) for lang in langs)
    return f"clinic glossary::{names}::{fields}"


def build_deck(
    concepts: list[Concept],
    langs: list[str],
    title: str | None = None,
    domains: list[str] | None = None,
) -> tuple[Any, int]:
    """The genanki Deck and the number of notes in it."""
    import genanki

    if len(langs) != 2:
        raise ClinicError(
            "an Anki deck pairs two languages: give --lang A,B (e.g. th,my)", field="--lang"
        )
    first, second = langs
    name = title or deck_name(langs, domains)
    deck = genanki.Deck(stable_id(f"deck {name}"), name)
    model = _model()
    count = 0
    for concept in concepts:
        terms = concept.get("terms", {})
        if not terms.get(first) or not terms.get(second):
            continue
        definition = concept.get("definition") or {}
        note = genanki.Note(
            model=model,
            fields=[
                html.escape(concept["id"]),
                LANGUAGE_NAMES.get(first, first),
                _terms_html(terms[first], first),
                LANGUAGE_NAMES.get(second, second),
                _terms_html(terms[second], second),
                html.escape(definition.get("text", "")),
                "<br>".join(html.escape(n) for n in concept.get("notes", [])),
            ],
            guid=genanki.guid_for("clinic", concept["id"], first, second),
            tags=["clinic", *concept.get("subject_fields", [])],
        )
        deck.add_note(note)
        count += 1
    return deck, count


def write_deck(
    concepts: list[Concept],
    path: Path | str,
    *,
    langs: list[str],
    title: str | None = None,
    domains: list[str] | None = None,
) -> int:
    """Write an .apkg (atomically: a temporary file renamed); returns the note count."""
    import genanki

    path = Path(path)
    if domains is None:
        seen: dict[str, None] = {}
        for concept in concepts:
            seen.update(dict.fromkeys(concept.get("subject_fields", [])))
        domains = list(seen) if len(seen) <= 3 else None
    deck, count = build_deck(concepts, langs, title, domains)
    if not count:
        raise ClinicError(f"no concept has terms in both {langs[0]} and {langs[1]}", field="--lang")
    from clinic.store import atomic_write_bytes

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        genanki.Package(deck).write_to_file(tmp)  # genanki writes only to a path
        atomic_write_bytes(path, Path(tmp).read_bytes(), private=False)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return count
