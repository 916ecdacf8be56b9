"""What the shell shows, as lines of (text, style) pieces cut to the screen's width.

Styles are rich-like words ("bold", "dim", "red", "reverse"), the same vocabulary as
clinic.termbase.cards; `pt_style` turns them into prompt_toolkit's. Meaning is never
carried by colour alone: deprecated terms say "do not say", drafts carry the
DRAFT_MARK, the chosen concept has a '>' marker, so a terminal without colour
(NO_COLOR) shows everything. One language per line, its code first: complex-script text
always comes after the ASCII that lines up, never before padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinic.shell.commands import HELP
from clinic.shell.drill import DrillSession
from clinic.shell.width import Line, clean, display_width, fit, truncate, wrap
from clinic.termbase.cards import DRAFT_MARK, LEGEND, card, ordered_languages
from clinic.termbase.model import SUBJECT_FIELDS, Concept, Term, preferred
from clinic.text import LANGUAGE_NAMES

DO_NOT_SAY = "do not say: "
ARROWS = "⇄"

_COLOURS = {"red", "green", "yellow", "blue", "magenta", "cyan", "white", "black"}
_ATTRIBUTES = {"bold", "dim", "italic", "underline", "strike", "reverse", "blink"}


def pt_style(style: str) -> str:
    """'bold cyan' -> 'bold fg:ansicyan' (prompt_toolkit's words for rich-like ones)."""
    out = []
    for word in style.split():
        if word in _ATTRIBUTES:
            out.append(word)
        elif word in _COLOURS:
            out.append(f"fg:ansi{word}")
        elif word.startswith("class:"):
            out.append(word)
    return " ".join(out)


def pair_label(pair: tuple[str, str]) -> str:
    return f"{pair[0]} {ARROWS} {pair[1]}"


def shown_languages(pair: tuple[str, str], extras: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*pair, *extras]))


def header(
    pair: tuple[str, str], extras: Sequence[str], domains: Sequence[str], width: int, mode: str = ""
) -> Line:
    names = (
        f"({LANGUAGE_NAMES.get(pair[0], pair[0])} {ARROWS} {LANGUAGE_NAMES.get(pair[1], pair[1])})"
    )
    line: Line = [(" clinic ", "bold"), ("  ", ""), (pair_label(pair), "bold"), (f" {names}", "")]
    more = [lang for lang in extras if lang not in pair]
    if more:
        line.append((f"  +{','.join(more)}", ""))
    line.append((f"  domain: {','.join(domains) if domains else 'all'}", ""))
    if mode:
        line.append((f"  [{mode}]", "bold"))
    return fit(line, width)


FOOTERS = {
    "list": "Enter card  Up/Down choose  Tab swap  F2 pair  :help  Ctrl-D quit",
    "card": "Esc back  PgUp/PgDn scroll  Tab swap  type to search  Ctrl-D quit",
    "text": "Esc back  type to search  :help  Ctrl-D quit",
    "drill-front": "Space/Enter show answer  Esc stop drill  Ctrl-D quit",
    "drill-back": "y knew it  n not yet  Esc stop drill  Ctrl-D quit",
    "drill-done": "Esc or any key: back to search  Ctrl-D quit",
}


def footer(mode: str, width: int) -> Line:
    return fit([(" " + FOOTERS.get(mode, FOOTERS["list"]), "")], width)


# --- results ----------------------------------------------------------------------------


def _marks(term: Term) -> list[tuple[str, str]]:
    pieces = []
    if term.get("review") != "reviewed":
        pieces.append((f" {DRAFT_MARK}", "yellow"))
    if term.get("confidence") == "low":
        pieces.append((" (low confidence)", "yellow dim"))
    return pieces


def language_lines(concept: Concept, lang: str, width: int) -> list[Line]:
    """The preferred term of a language first, other usable ones after it, then the
    deprecated ones as 'do not say'."""
    label = f"     {lang:<4}"
    terms: list[Term] = concept.get("terms", {}).get(lang) or []
    if not terms:
        return [fit([(label, "magenta"), ("—", "dim")], width)]
    first = preferred(concept, lang)
    lines: list[Line] = []
    if first is None:
        lines.append([(label, "magenta"), ("(no usable term)", "dim")])
    else:
        line: Line = [(label, "magenta"), (clean(first["text"]), "bold"), *_marks(first)]
        others = [t for t in terms if t is not first and t.get("status") != "deprecated"]
        for i, other in enumerate(others):
            line.append(("  also: " if i == 0 else ", ", "dim"))
            line.append((clean(other["text"]), ""))
            if other.get("review") != "reviewed":
                line.append((f" {DRAFT_MARK}", "yellow"))
        lines.append(line)
    avoid = [t for t in terms if t.get("status") == "deprecated"]
    if avoid:
        lines.append(
            [
                (" " * len(label) + DO_NOT_SAY, "red"),
                (", ".join(clean(t["text"]) for t in avoid), "strike"),
            ]
        )
    return [fit(each, width) for each in lines]


def _match_note(hit: Any, shown: Sequence[str]) -> list[tuple[str, str]]:
    """How the concept was found, when the lines below do not show it already."""
    terms = hit.concept.get("terms", {}).get(hit.lang) or []
    matched = next((t for t in terms if hit.text in (t.get("text"), t.get("roman"))), None)
    deprecated = matched is not None and matched.get("status") == "deprecated"
    if (
        hit.lang in shown
        and not hit.via_romanisation
        and not deprecated
        and hit.tier != "fuzzy"
        and matched is preferred(hit.concept, hit.lang)
    ):
        return []
    how = "near miss" if hit.tier == "fuzzy" else hit.tier
    pieces = [(f"  {how} {hit.lang}", "dim")]
    if deprecated:
        pieces.append((" (do not say)", "red"))
    pieces.append((": ", "dim"))
    pieces.append((clean(hit.text), "dim"))
    return pieces


def result_block(
    hit: Any, number: int, shown: Sequence[str], width: int, selected: bool
) -> list[Line]:
    concept = hit.concept
    fields = ", ".join(SUBJECT_FIELDS.get(f, f) for f in concept.get("subject_fields", []))
    head: Line = [
        (">" if selected else " ", "bold"),
        (f"{number:>2} ", "dim"),
        (concept["id"], "bold cyan"),
    ]
    head += _match_note(hit, shown)  # before the fields: it matters more
    if fields:
        head.append((f" · {fields}", "dim"))
    head = fit(head, width)
    if selected:
        head = [(text, f"{style} reverse") for text, style in head]
    lines = [head]
    for lang in shown:
        lines += language_lines(concept, lang, width)
    return lines


def result_lines(
    hits: Sequence[Any], shown: Sequence[str], width: int, height: int, selected: int
) -> list[Line]:
    """As many whole result blocks as fit in height rows, the selected one always
    among them; a last line says how many more there are."""
    if height <= 0 or not hits:
        return []
    blocks = [result_block(hit, i + 1, shown, width, i == selected) for i, hit in enumerate(hits)]

    def visible_end(start: int) -> int:
        used, end = 0, start
        while end < len(blocks):
            # keep a row for the "… more" note when some blocks stay hidden
            reserve = 1 if (end + 1 < len(blocks) or start > 0) else 0
            if used + len(blocks[end]) + reserve > height:
                break
            used += len(blocks[end])
            end += 1
        return end

    start = 0
    end = visible_end(start)
    while selected >= end and start < selected:
        start += 1
        end = visible_end(start)
    lines: list[Line] = [line for block in blocks[start : max(end, start + 1)] for line in block]
    lines = lines[:height]
    hidden_above, hidden_below = start, len(blocks) - max(end, start + 1)
    if (hidden_above or hidden_below) and len(lines) < height:
        note = []
        if hidden_above:
            note.append(f"{hidden_above} above")
        if hidden_below:
            note.append(f"{hidden_below} more below")
        lines.append(fit([("   … " + ", ".join(note) + " (Up/Down)", "dim")], width))
    return lines


# --- the full card ----------------------------------------------------------------------


def card_lines(concept: Concept, hit: Any, shown: Sequence[str], width: int) -> list[Line]:
    """The full card (every language, the pair's first), wrapped to width."""
    langs = list(dict.fromkeys([*shown, *ordered_languages(concept, None)]))
    lines = card(concept, langs=langs, match=hit, details=True)
    lines = [[(clean(text), style) for text, style in line] for line in lines]
    lines += [[], [(LEGEND, "dim")]]
    out: list[Line] = []
    for line in lines:
        out += wrap(line, width) if line else [[]]
    return out


# --- help, history, welcome -------------------------------------------------------------


def help_lines(width: int) -> list[Line]:
    key_width = max(len(key) for key, _ in HELP) + 2
    lines: list[Line] = [[("Keys and commands", "bold")], []]
    for key, what in HELP:
        pad = " " * max(key_width - display_width(key), 1)
        lines += wrap([("  " + key, "bold"), (pad + what, "")], width, indent=key_width + 2)
    lines.append([])
    lines += wrap([(LEGEND, "dim")], width, indent=2)
    return lines


def history_lines(queries: Sequence[str], width: int, height: int) -> list[Line]:
    if not queries:
        return [[("No queries in the history.", "dim")]]
    lines: list[Line] = [[("Recent queries (newest first; ':history clear' forgets them)", "bold")]]
    for i, query in enumerate(reversed(queries[-(height - 1) :]), start=1):
        lines.append(fit([(f"{i:>3}  ", "dim"), (clean(query), "")], width))
    return lines


def welcome_lines(width: int, recent: Sequence[str]) -> list[Line]:
    lines: list[Line] = [
        [("Type a term in any language; results appear as you type.", "bold")],
        [
            (
                "English, ไทย, မြန်မာ, ខ្មែរ, ລາວ, Tiếng Việt; typos, Zawgyi and romanised "
                "Thai (kan kha manut) work too.",
                "",
            )
        ],
        [],
        [(f"{DRAFT_MARK} = not yet reviewed;  'do not say' = deprecated term.", "dim")],
        [("Enter opens the full card, Tab swaps the pair, :help lists the commands.", "dim")],
    ]
    if recent:
        lines += [[], [("Recent:", "dim")]]
        for query in list(reversed(recent))[:5]:
            lines.append([("  " + clean(query), "")])
    out: list[Line] = []
    for line in lines:
        out += wrap(line, width, indent=2) if line else [[]]
    return out


def command_hint_lines(entries: Sequence[tuple[str, str]], width: int) -> list[Line]:
    """The help of the commands matching what is typed after ':'."""
    if not entries:
        return [[("no such command; :help lists them", "dim")]]
    lines: list[Line] = []
    for key, what in entries:
        lines += wrap([(key, "bold"), ("   " + what, "")], width, indent=4)
    return lines


def truncate_status(text: str, width: int) -> str:
    return truncate(clean(" ".join(text.split())), width)


def message_lines(text: str, width: int) -> list[Line]:
    out: list[Line] = []
    for paragraph in text.split("\n"):
        out += wrap([(clean(paragraph), "")], width, indent=2) if paragraph else [[]]
    return out


# --- drill ------------------------------------------------------------------------------


def drill_lines(session: DrillSession, width: int, next_due: str | None = None) -> list[Line]:
    card_ = session.current
    if card_ is None:
        lines: list[Line] = [[(session.summary(), "bold")]]
        if next_due:
            lines.append([(f"next review due on {next_due}", "dim")])
        return [fit(line, width) for line in lines]
    total = len(session.cards)
    title: Line = [
        (f"Drill {card_.front} → {card_.back}", "bold"),
        (f"   card {session.position + 1} of {total}", "dim"),
    ]
    record = session.records.get(card_.key)
    title.append((f"   box {record['box']}" if record else "   new", "dim"))
    lines = [fit(title, width), []]
    front = preferred(card_.concept, card_.front)
    front_line: Line = [("   ", ""), (clean(card_.front_text), "bold")]
    if front is not None:
        front_line += _marks(front)
    lines.append(fit(front_line, width))
    lines.append([])
    if not session.revealed:
        lines.append(fit([(f"   Space or Enter: show the {card_.back} term", "dim")], width))
        return lines
    for line in card(card_.concept, langs=[card_.back], details=False)[1:]:
        lines += wrap([(clean(text), style) for text, style in line], width)
    fields = card_.concept.get("subject_fields", [])
    lines.append(
        fit(
            [(f"  ({card_.concept['id']}{' · ' + ', '.join(fields) if fields else ''})", "dim")],
            width,
        )
    )
    lines += [[], [("   Knew it?  y = yes   n = not yet", "bold")]]
    return lines
