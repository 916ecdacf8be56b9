"""Romanisations, computed when a term is stored (never per query) so that an
interpreter can type 'kan kha manut' and find การค้ามนุษย์.

Thai uses RTGS (the Royal Institute system) through pythainlp's 'royin' engine, word by
word. There is no equally good open tool for Lao, Khmer or Burmese (research notes,
glossary_anchors.md §3.6): those are romanised only where a person wrote one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from clinic.text import scripts_in


@lru_cache(maxsize=1)
def _thai_tools() -> Any:
    from pythainlp.tokenize import word_tokenize
    from pythainlp.transliterate import romanize

    return word_tokenize, romanize


def thai_rtgs(text: str) -> str:
    """RTGS romanisation of Thai text, words separated by spaces."""
    word_tokenize, romanize = _thai_tools()
    words = [w for w in word_tokenize(text, keep_whitespace=False) if w.strip()]
    out = []
    for word in words:
        roman = romanize(word, engine="royin")
        # royin leaves Thai letters in about one term in twenty (e.g. 'oeiื'): those
        # words get the rough transliteration instead, so the result is Latin throughout
        out.append(rough(word) if scripts_in(roman) - {"Latin"} else roman)
    return " ".join(out).strip()


def rough(text: str) -> str:
    """A rough Latin transliteration (anyascii) for scripts without a good standard tool."""
    from anyascii import anyascii

    return " ".join(anyascii(text).split())


def romanize(text: str, lang: str) -> str | None:
    """The romanisation computed for a new term: RTGS for Thai; None for the rest.

    Rough transliterations of Lao, Khmer and Burmese matched unrelated queries ('NRM'
    inside a Burmese transliteration) and read as nonsense in 'did you mean', so they
    are not computed; a person may still write a romanisation for any term."""
    if lang != "th" or "Thai" not in scripts_in(text):
        return None
    return thai_rtgs(text) or None
