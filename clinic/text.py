"""Text handling for the scripts clinic serves: normalisation, script detection, the
search key, and Zawgyi detection for Burmese.

Two rules shape this module (see glossary_anchors.md §3 in the research notes and
Unicode TR15):
- NFC alone does not unify Thai/Lao SARA AM typed as NIKHAHIT + SARA AA, so we compose
  it ourselves on both sides of every comparison;
- accents are folded only on Latin letters (Vietnamese included). Stripping combining
  marks from Thai, Lao, Khmer or Burmese deletes their vowels and tone marks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

# Thai: SARA AM may arrive as NIKHAHIT (U+0E4D) + SARA AA (U+0E32), with a tone mark
# typed before or between them. Lao has the same pair (U+0ECD + U+0EB2).
_THAI_AM = re.compile("([\u0e48-\u0e4b]?)\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_LAO_AM = re.compile("([\u0ec8-\u0ecb]?)\u0ecd([\u0ec8-\u0ecb]?)\u0eb2")
# The search key's character map, made once: spaces, punctuation, symbols and
# invisible characters (zero-width spaces and joiners, soft hyphen, BOM) of the blocks
# clinic's languages use are dropped; Thai, Lao, Burmese and Khmer digits become ASCII
# ('สายด่วน ๑๓๐๐' = '1300'), and so do full-width letters and digits.
_KEY_TRANSLATION: dict[int, int | None] = {}
for _low, _high in (
    (0x0000, 0x00FF),
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2E00, 0x2E7F),
    (0x3000, 0x303F),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFF00, 0xFF0F),
    (0xFF1A, 0xFF20),
):
    for _code in range(_low, _high + 1):
        if unicodedata.category(chr(_code))[0] in "ZPCS":
            _KEY_TRANSLATION[_code] = None
for _zero in (0x0E50, 0x0ED0, 0x1040, 0x17E0, 0xFF10):
    _KEY_TRANSLATION.update({_zero + n: ord("0") + n for n in range(10)})
_KEY_TRANSLATION.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF5B)})

SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latin"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x1000, 0x109F, "Myanmar"),
    (0x1780, 0x17FF, "Khmer"),
    (0x19E0, 0x19FF, "Khmer"),
    (0x1E00, 0x1EFF, "Latin"),
    (0xA9E0, 0xA9FF, "Myanmar"),
    (0xAA60, 0xAA7F, "Myanmar"),
)

# The script each language is written in, for the checks and the handout fonts.
LANGUAGE_SCRIPTS: dict[str, str] = {
    "en": "Latin",
    "vi": "Latin",
    "th": "Thai",
    "lo": "Lao",
    "km": "Khmer",
    "my": "Myanmar",
    "ksw": "Myanmar",
    "shn": "Myanmar",
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "th": "Thai",
    "my": "Burmese",
    "km": "Khmer",
    "lo": "Lao",
    "vi": "Vietnamese",
    "ksw": "S'gaw Karen",
    "shn": "Shan",
}

_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$")


def is_language_code(code: str) -> bool:
    """A well-formed BCP 47 tag of the shapes we use (language, script, region, variant)."""
    return bool(_BCP47.match(code))


def canonical_language(code: str) -> str:
    """BCP 47 tags are case-insensitive: 'TH' -> 'th', 'my-mm' -> 'my-MM'."""
    parts = code.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(
            part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower()
        )
    return "-".join(out)


def normalize(text: str) -> str:
    """NFC plus the SARA AM composition: the form every stored text is kept in."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\u0e4d" in text:
        text = _THAI_AM.sub("\\1\\2\u0e33", text)
    if "\u0ecd" in text:
        text = _LAO_AM.sub("\\1\\2\u0eb3", text)
    return text


def script_of(char: str) -> str | None:
    """The script of one character, among those clinic knows; None for the rest."""
    code = ord(char)
    for low, high, name in SCRIPT_RANGES:
        if low <= code <= high:
            return name
    return None


@lru_cache(maxsize=1)
def _script_patterns() -> dict[str, re.Pattern[str]]:
    """One character class per script (Latin: letters only, not × ÷ or digits);
    compiled on first use, as a lookup never needs them."""
    return {
        "Latin": re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"),
        "Thai": re.compile("[\u0e00-\u0e7f]"),
        "Lao": re.compile("[\u0e80-\u0eff]"),
        "Myanmar": re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]"),
        "Khmer": re.compile("[\u1780-\u17ff\u19e0-\u19ff]"),
    }


def scripts_in(text: str) -> set[str]:
    """The scripts of the letters in text (marks and digits count with their block)."""
    return {name for name, pattern in _script_patterns().items() if pattern.search(text)}


_LATIN_ACCENTS = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")


def _fold_latin_marks(text: str) -> str:
    """Drop combining marks that sit on a Latin base letter; keep every other mark."""
    out: list[str] = []
    base_is_latin = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if base_is_latin:
                continue
        else:
            base_is_latin = "A" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


# Keys computed ahead by the processes that read a big import (remember_search_keys).
_KNOWN_KEYS: dict[str, str] = {}


def remember_search_keys(keys: dict[str, str]) -> None:
    """Take search keys computed in other processes (the texts and their search_key),
    so that building the index of a big import does not compute them again; until
    forget_search_keys."""
    _KNOWN_KEYS.update(keys)


def forget_search_keys() -> None:
    _KNOWN_KEYS.clear()


def search_key(text: str) -> str:
    """The form a term and a query are compared in.

    Case-folded, Latin accents removed (đ becomes d), spaces, punctuation and invisible
    characters removed, so that 'buon ban nguoi' equals 'buôn bán người' and
    'kan kha manut' equals 'kankhamanut'. Marks of the other scripts are kept.
    """
    known = _KNOWN_KEYS.get(text)
    if known is not None:
        return known
    text = normalize(text).translate(_KEY_TRANSLATION).casefold()
    if "\u17c1" in text:
        # Khmer two-part vowels typed as their parts: E + II for OE, E + AA for OO
        text = text.replace("\u17c1\u17b8", "\u17be").replace("\u17c1\u17b6", "\u17c4")
    if not text.isascii() and _LATIN_ACCENTS.search(text):
        text = _fold_latin_marks(text.replace("đ", "d"))
    return text


# --- Burmese: Zawgyi --------------------------------------------------------------

# Above this probability a Myanmar-script text is taken as Zawgyi. Short strings are
# ambiguous (myanmartools' maintainers say so), so we stay high and report what we did.
ZAWGYI_THRESHOLD = 0.95


def has_myanmar(text: str) -> bool:
    return any("\u1000" <= c <= "\u109f" or "\uaa60" <= c <= "\uaa7f" for c in text)


@lru_cache(maxsize=1)
def _zawgyi_detector() -> Any:
    from myanmartools import ZawgyiDetector  # heavy (45 ms): only for Burmese input

    return ZawgyiDetector()


@lru_cache(maxsize=1)
def _zawgyi_model() -> tuple[dict[str, int], Any, int] | None:
    """myanmartools' model as one pass needs it: each character's state (asked of the
    detector itself, so each is what it computes), the pair weights, the row size.
    None if a release of myanmartools keeps them elsewhere: then it scores alone."""
    detector = _zawgyi_detector()
    try:
        chars, weights, state = detector._chars, detector._params, detector._state
    except AttributeError:
        return None
    return {char: state(char) for char in chars}, weights, len(chars) + 1


def zawgyi_probability(text: str) -> float:
    """Probability that Myanmar-script text is Zawgyi-encoded (0.0 when it has none).

    myanmartools' own arithmetic in one pass: it adds up a weight for each pair of
    neighbouring characters (the ends paired with a state of their own) and looks each
    character's state up by bisecting a list, twice over; a dict lookup and one pass
    make it four to five times quicker (24,000 Burmese terms: 0.15 s, not 0.55-0.86 s).
    The same weights added in the same order give the same probability, to the last
    bit (tests/test_text.py compares the two). From Python 3.12 the library's sum()
    compensates for rounding, which changes nothing here: the weights are 32-bit floats
    that a 64-bit total holds exactly for texts of thousands of characters."""
    if not has_myanmar(text):
        return 0.0
    model = _zawgyi_model()
    if model is None:
        return float(_zawgyi_detector().get_zawgyi_probability(text))
    states, weights, size = model
    total = 0.0
    judged = False  # the library's "only foreign characters": all pairs weigh NaN
    previous = 0
    for char in text:
        state = states.get(char, 0)
        weight = weights[previous * size + state]
        if weight == weight:  # not NaN: a pair the model knows
            total += weight
            judged = True
        previous = state
    weight = weights[previous * size]
    if weight == weight:
        total += weight
        judged = True
    if not judged:
        return -math.inf
    if total >= 0:
        z = math.exp(-total)
        return z / (z + 1)
    return 1 / (1 + math.exp(total))


def combined_zawgyi_probability(probabilities: list[float]) -> float | None:
    """The Zawgyi probability of texts joined with spaces, from each text's own.

    myanmartools scores a text by adding up a log-likelihood ratio for each pair of
    neighbouring characters, and a space is outside its model, like the ends of a text:
    so the joined text's ratio is the sum of the texts' ratios, each recovered from its
    probability (p = 1 / (1 + e^r)). This saves a second pass over a whole column. None
    when a probability is 0 or 1 exactly (a ratio too large to recover): then judge the
    joined text itself. A text of letters the model does not know (-inf) adds nothing."""
    total = 0.0
    judged = False
    for p in probabilities:
        if p == -math.inf:
            continue
        if not 0.0 < p < 1.0:
            return None
        judged = True
        total += math.log1p(-p) - math.log(p)
    if not judged:  # only letters the model does not know (Myanmar digits, say)
        return -math.inf
    if total >= 0:
        z = math.exp(-total)
        return z / (z + 1)
    return 1 / (1 + math.exp(total))


@lru_cache(maxsize=1)
def _zawgyi_converter() -> Any:
    import icu  # pyicu-wheels

    return icu.Transliterator.createInstance("Zawgyi-my")


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded text to Unicode Burmese with ICU's Zawgyi-my transform."""
    return str(_zawgyi_converter().transliterate(text))


def unzawgyi(text: str) -> tuple[str, bool]:
    """(text in Unicode, whether it was converted from Zawgyi)."""
    if has_myanmar(text) and zawgyi_probability(text) > ZAWGYI_THRESHOLD:
        return normalize(zawgyi_to_unicode(text)), True
    return text, False
