"""Which keystrokes start a search, and how.

One letter is not a query: 's' matches a large share of 20,000 concepts and costs the
search several times its budget (bench/bench_shell.py measured about 70 ms against
15 ms), for results nobody reads before the next key arrives. So the shell searches as
you type from the second character of the search key on (two code points: 'ID', ยา,
ငါး already count), and Enter searches a single character on request.
A leading '/' asks for near misses too (the sdcv convention, research notes
glossary_anchors.md §2.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic.text import search_key

MIN_LIVE_KEY = 2


@dataclass(frozen=True)
class LiveQuery:
    query: str
    mode: str  # a Termbase.search mode: auto or fuzzy


def live_query(text: str, *, forced: bool = False) -> LiveQuery | None:
    """The search to run for what is typed, or None (nothing to search for yet)."""
    mode = "auto"
    query = text
    if text.startswith("/"):
        mode, query = "fuzzy", text[1:]
    if not query.strip():
        return None
    key = search_key(query)
    if not key:
        return LiveQuery(query, mode)  # the search explains there are no letters
    if len(key) < MIN_LIVE_KEY and not forced:
        return None
    return LiveQuery(query, mode)
