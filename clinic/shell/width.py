"""How many terminal columns text takes, and how to cut it to fit, for Thai, Lao, Khmer
and Burmese as much as for English.

Terminals disagree about these scripts. Measured in tmux 3.3 at 80 columns for
ကြွေးမြီနှောင်ဖွဲ့ခံရခြင်း: tmux moved the cursor 17 columns, wcwidth.wcswidth says 14,
and prompt_toolkit (which adds up wcwidth per character) counts 9; rich miscounts
combining marks too (research notes, glossary_anchors.md §3.7; rich issue #3957).
So a width here is the *largest* of two honest measures: wcwidth.wcswidth over the
whole text, and one column for every character that is not a non-spacing mark (what
glibc, and so tmux and most terminals, do with spacing vowel signs). Text cut to that
width fits whichever of them the terminal follows; it may leave a few columns unused
on a terminal that draws the script narrower, which is harmless.

Text is only ever cut between grapheme clusters (a consonant keeps its vowel signs,
tone marks, and the consonant stacked under it by a Khmer coeng or Burmese virama),
and complex-script text is never padded to line up columns after it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

ELLIPSIS = "…"
# Marks that join the next consonant to the current cluster (stacked consonants).
_JOINERS = frozenset("\u1039\u17d2\u1a60\u200d")
# Spacing vowels that Unicode counts as letters (Lo) yet belong to the cluster before
# them (Grapheme_Cluster_Break=SpacingMark): Thai and Lao SARA AM.
_SPACING_LETTERS = frozenset("\u0e33\u0eb3")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

Piece = tuple[str, str]  # (text, style)
Line = list[Piece]


def clean(text: str) -> str:
    """Text safe to draw: control characters (tab, newline, escape...) become spaces or
    U+FFFD, so nothing typed or stored can move the cursor or break a line."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in "\t\n\r\v\f":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co") or char in "\u2028\u2029":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def _cells(char: str) -> int:
    """Columns of one character as glibc-style terminals count them."""
    if char in _INVISIBLE:
        return 0
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def display_width(text: str) -> int:
    """Columns text takes on a terminal (the larger of wcwidth's and glibc's count)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from wcwidth import wcswidth

    measured = wcswidth(text)
    spacing = sum(_cells(char) for char in text)
    if measured < 0:  # a control character: count it as a replacement mark would be
        measured = spacing
    return max(measured, spacing)


def _fallback_clusters(text: str) -> Iterator[str]:
    """Grapheme clusters, roughly UAX #29: a mark or a spacing vowel stays with what
    comes before it."""
    cluster = ""
    for char in text:
        attaches = bool(cluster) and (
            unicodedata.category(char).startswith("M")
            or char in _SPACING_LETTERS
            or char in "\u200c\u200d"
            or "\ufe00" <= char <= "\ufe0f"
        )
        if attaches:
            cluster += char
        else:
            if cluster:
                yield cluster
            cluster = char
    if cluster:
        yield cluster


def clusters(text: str) -> list[str]:
    """The units text may be cut between: grapheme clusters, with a consonant stacked by
    a Khmer coeng or Burmese virama (U+17D2, U+1039) kept with the cluster above it."""
    import wcwidth

    splitter = getattr(wcwidth, "iter_graphemes", None)  # wcwidth >= 0.3
    parts = list(splitter(text)) if splitter is not None else list(_fallback_clusters(text))
    out: list[str] = []
    for part in parts:
        if out and (out[-1][-1] in _JOINERS or part[0] in _SPACING_LETTERS):
            out[-1] += part
        else:
            out.append(part)
    return out


def truncate(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """text cut between clusters so that it (with the ellipsis) fits in width columns."""
    if width <= 0:
        return ""
    if display_width(text) <= width:
        return text
    room = width - display_width(ellipsis)
    if room <= 0:
        return ellipsis if display_width(ellipsis) <= width else ""
    kept = ""
    for cluster in clusters(text):
        if display_width(kept + cluster) > room:
            break
        kept += cluster
    return kept.rstrip() + ellipsis


def line_width(line: Line) -> int:
    return sum(display_width(text) for text, _ in line)


def fit(line: Line, width: int) -> Line:
    """A line of pieces cut to width columns; the piece that overflows ends with '…'."""
    out: Line = []
    used = 0
    for text, style in line:
        size = display_width(text)
        if used + size <= width:
            out.append((text, style))
            used += size
            continue
        cut = truncate(text, width - used)
        if cut:
            out.append((cut, style))
        break
    return out


def _split_words(text: str) -> list[str]:
    """text as words each followed by its spaces, so that joining them gives text back."""
    words: list[str] = []
    current = ""
    for char in text:
        if char == " ":
            current += char
        elif current.endswith(" "):
            words.append(current)
            current = char
        else:
            current += char
    if current:
        words.append(current)
    return words


def wrap(line: Line, width: int, indent: int = 6) -> list[Line]:
    """A line of pieces wrapped at spaces to width columns; continuation lines start
    with `indent` spaces. A word longer than a whole line (an unspaced Thai sentence)
    is broken between clusters."""
    if line_width(line) <= width:
        return [line]
    indent = min(indent, max(width // 3, 0))
    lines: list[Line] = [[]]
    used = start = 0

    def new_line() -> None:
        nonlocal used, start
        lines.append([(" " * indent, "")] if indent else [])
        used = start = indent

    for text, style in line:
        for word in _split_words(text):
            size = display_width(word.rstrip())
            if used + size > width and used > start:
                new_line()
            if used + size <= width:
                lines[-1].append((word, style))
                used += display_width(word)
                continue
            # Longer than a whole line: break it between clusters.
            for cluster in clusters(word):
                size = display_width(cluster)
                if used + size > width and used > start:
                    new_line()
                lines[-1].append((cluster, style))
                used += size
    return [_strip_end(each) for each in lines]


def _strip_end(line: Line) -> Line:
    while line and not line[-1][0].strip():
        line = line[:-1]
    if line:
        text, style = line[-1]
        line = [*line[:-1], (text.rstrip(), style)]
    return line
