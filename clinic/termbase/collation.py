"""Sorting the way each language sorts.

Python's sorted() compares code points, which is wrong for Thai and Lao (words that
start with a leading vowel เ แ โ ใ ไ / ເ ແ ໂ ໃ ໄ go to the end), for Vietnamese (ă â ê
ô ơ ư đ are letters of their own, tones are a secondary difference) and for Burmese
(vowels, then finals, then medials). ICU's collator tailored per locale gets all of
them right (research notes, glossary_anchors.md §3.2, verified on word lists), and
pyicu-wheels installs it from wheels.

If `import icu` fails, a small fallback takes over: Thai and Lao leading vowels are
moved after their consonant and tone marks compared last, Vietnamese uses its own
alphabet with tones compared last, other scripts compare code points. Burmese and
Khmer order is then only approximate (collation_backend() says which one is in use).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

SortKey = Callable[[str], Any]

# Locales whose tailoring we rely on; any other BCP 47 tag is passed to ICU as it is
# (ICU falls back to the root collation when it has no data for a language).
LOCALES = {"th": "th", "lo": "lo", "vi": "vi", "my": "my", "km": "km", "en": "en"}


@lru_cache(maxsize=1)
def _icu() -> Any:
    try:
        import icu  # pyicu-wheels
    except ImportError:
        return None
    return icu


def collation_backend() -> str:
    return "icu" if _icu() is not None else "fallback"


@lru_cache(maxsize=32)
def sort_key(lang: str) -> SortKey:
    """A key function that sorts texts of `lang` in that language's order."""
    icu = _icu()
    base = lang.split("-")[0]
    if icu is not None:
        collator = icu.Collator.createInstance(icu.Locale(LOCALES.get(base, lang)))
        get = collator.getSortKey
        return lambda text: get(text)
    return fallback_key(base)


def sorted_texts(texts: Iterable[str], lang: str) -> list[str]:
    return sorted(texts, key=sort_key(lang))


# --- the fallback -----------------------------------------------------------------

_THAI_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44")
_LAO_LEADING = set("\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
_THAI_TONES = set("\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c")
_LAO_TONES = set("\u0ec8\u0ec9\u0eca\u0ecb\u0ecc")
# Vietnamese letters in dictionary order; the vowel shapes (breve, circumflex, horn)
# and the stroke of đ make letters, the five tone marks are compared afterwards.
_VI_LETTERS = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_VI_RANK = {letter: i for i, letter in enumerate(_VI_LETTERS)}
_VI_SHAPES = {"\u0306", "\u0302", "\u031b"}
_VI_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def fallback_key(lang: str) -> SortKey:
    if lang in ("th", "lo"):
        return _thai_lao_key
    if lang == "vi":
        return _vietnamese_key
    return _plain_key


def _thai_lao_key(text: str) -> tuple[str, str, str]:
    chars = list(unicodedata.normalize("NFC", text))
    i = 0
    while i < len(chars) - 1:
        if chars[i] in _THAI_LEADING or chars[i] in _LAO_LEADING:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            i += 1  # the vowel now follows its consonant; go on after it
        i += 1
    tones = _THAI_TONES | _LAO_TONES
    primary = "".join(c for c in chars if c not in tones)
    secondary = "".join(c if c in tones else "\u0000" for c in chars)
    return primary, secondary, text


def _vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    primary: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char.casefold())
        base = "".join(c for c in decomposed if not unicodedata.combining(c) or c in _VI_SHAPES)
        letter = unicodedata.normalize("NFC", base)
        tone = next((_VI_TONES[c] for c in decomposed if c in _VI_TONES), 0)
        if letter in _VI_RANK:
            primary.append(_VI_RANK[letter])
        elif letter.isspace():
            primary.append(-1)
        else:
            primary.append(1000 + ord(letter[:1] or " "))
        tones.append(tone)
    return tuple(primary), tuple(tones), text


def _plain_key(text: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in folded if not _is_latin_mark(c, folded)), text


def _is_latin_mark(char: str, _context: str) -> bool:
    # Marks below U+0370 are the Latin combining diacritics; other scripts' marks are
    # letters' vowels and stay.
    return unicodedata.combining(char) > 0 and ord(char) < 0x0370
