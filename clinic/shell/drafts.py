"""Terms improvised in the booth, saved on the spot as drafts to be reviewed later.

Interpreters coin terms during an assignment ("an interpreter's terminology is meant
for the moment", research notes glossary_anchors.md §2.3), and most booth notes hold
one language only. So `:add` accepts one language or more, never asks for a definition,
and marks every term `review: draft` with the session's date in its source and note,
so that `clinic glossary review` can find it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable

from clinic.shell.commands import CommandError
from clinic.termbase.model import Concept, Term
from clinic.text import search_key

SOURCE = "clinic shell session {date}"
NOTE = "improvised in the shell on {date}; not yet reviewed"


def unicode_terms(terms: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool]:
    """The terms with any Burmese typed in Zawgyi converted to Unicode (the termbase
    stores Unicode only), and whether one was converted."""
    from clinic.text import has_myanmar, unzawgyi

    out, converted = [], False
    for lang, text in terms:
        if has_myanmar(text):
            text, was_zawgyi = unzawgyi(text)
            converted = converted or was_zawgyi
        out.append((lang, text))
    return out, converted


def draft_term(text: str, date: dt.date, status: str = "preferred") -> Term:
    return {
        "text": text,
        "status": status,
        "review": "draft",
        "source": SOURCE.format(date=date.isoformat()),
        "note": NOTE.format(date=date.isoformat()),
    }


def slug(text: str, limit: int = 48) -> str:
    """A concept id from a term: 'Debt trap (fishing)' -> 'debt-trap-fishing'."""
    from anyascii import anyascii

    words = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    return words.strip("-")


def new_id(terms: list[tuple[str, str]], taken: Callable[[str], bool]) -> str:
    """An unused concept id from the English term if there is one, else from the
    romanisation of the Thai term or of the first one."""
    from clinic.romanize import romanize

    english = [text for lang, text in terms if lang == "en"]
    if english:
        base = slug(english[0])
    else:  # Thai has a standard romanisation (RTGS); the others only a rough one
        lang, text = next(((lang, text) for lang, text in terms if lang == "th"), terms[0])
        base = slug(romanize(text, lang) or text)
    base = base or "draft-term"
    candidate, number = base, 2
    while taken(candidate):
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def new_concept(
    terms: list[tuple[str, str]], date: dt.date, *, domains: list[str], taken: Callable[[str], bool]
) -> Concept:
    by_lang: dict[str, list[Term]] = {}
    for lang, text in terms:
        by_lang.setdefault(lang, []).append(draft_term(text, date))
    return {"id": new_id(terms, taken), "subject_fields": list(domains), "terms": by_lang}


def add_terms(concept: Concept, terms: list[tuple[str, str]], date: dt.date) -> Concept:
    """A copy of concept with the draft terms added: preferred in a language that had no
    usable term, admitted otherwise. A term the concept has already is refused."""
    changed = copy.deepcopy(concept)
    for lang, text in terms:
        existing = changed["terms"].setdefault(lang, [])
        if any(search_key(t["text"]) == search_key(text) for t in existing):
            raise CommandError(f"{concept['id']} has this {lang} term already")
        usable = any(t.get("status") != "deprecated" for t in existing)
        existing.append(draft_term(text, date, "admitted" if usable else "preferred"))
    return changed
