"""Concept cards: what an interpreter sees, per language, at a glance.

    trafficking-in-persons · legal process, identification        exact: en
      en  trafficking in persons
          also: human trafficking
          do not say: human smuggling
      th  การค้ามนุษย์ (kan kha manut)  [draft]
      = The recruitment, transport ... (Palermo Protocol, art. 3)
      ! Not the same as smuggling of migrants ...

Each card is a list of lines made of (text, style) pieces, so the same layout prints as
plain text (pipes, NO_COLOR, tests) or with rich styles on a terminal. One language a
line, never columns: padding cannot be trusted with Thai, Khmer or Burmese combining
marks (research notes, glossary_anchors.md §3.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinic.termbase.model import SUBJECT_FIELDS, Concept, Term

Piece = tuple[str, str]  # (text, rich style)
Line = list[Piece]

DRAFT_MARK = "[draft]"
LANGUAGE_ORDER = ("en", "th", "my", "km", "lo", "vi", "ksw", "shn")
LEGEND = (
    f"{DRAFT_MARK} = translation not yet reviewed by a certified interpreter; "
    "'do not say' = deprecated term"
)


def ordered_languages(concept: Concept, wanted: list[str] | None) -> list[str]:
    present = list(concept.get("terms", {}))
    if wanted:
        return [lang for lang in wanted if lang in present]
    known = [lang for lang in LANGUAGE_ORDER if lang in present]
    return known + sorted(lang for lang in present if lang not in known)


def _term_pieces(term: Term, lang: str, show_roman: bool) -> list[Piece]:
    deprecated = term.get("status") == "deprecated"
    pieces: list[Piece] = [(term["text"], "strike red" if deprecated else "bold")]
    if show_roman and term.get("roman") and (lang == "th" or not term.get("roman_auto")):
        pieces.append((f" ({term['roman']})", "dim"))
    if term.get("review") != "reviewed":
        pieces.append((f" {DRAFT_MARK}", "yellow"))
    if term.get("confidence") == "low":
        pieces.append((" low confidence", "yellow dim"))
    return pieces


def card(
    concept: Concept, *, langs: list[str] | None = None, match: Any = None, details: bool = True
) -> list[Line]:
    """The lines of one concept's card."""
    fields = ", ".join(SUBJECT_FIELDS.get(f, f) for f in concept.get("subject_fields", []))
    head: Line = [(concept["id"], "bold cyan"), (f" · {fields}", "dim")]
    if match is not None:
        how = f"{match.tier}: {match.lang}"
        if match.via_romanisation:
            how += " romanisation"
        head.append((f"   {how}", "dim"))
    lines = [head]
    for lang in langs or ordered_languages(concept, None):
        terms = concept["terms"].get(lang, [])
        if not terms:  # asked for, but nobody has drafted it yet
            lines.append([(f"  {lang:<3} ", "magenta"), ("(no term yet)", "dim")])
            continue
        usable = [t for t in terms if t.get("status") != "deprecated"]
        avoid = [t for t in terms if t.get("status") == "deprecated"]
        usable.sort(key=lambda t: t.get("status") != "preferred")
        label = f"  {lang:<3} "
        if usable:
            lines.append([(label, "magenta"), *_term_pieces(usable[0], lang, True)])
            for term in usable[1:]:
                lines.append([("      also: ", "dim"), *_term_pieces(term, lang, True)])
        else:
            lines.append([(label, "magenta"), ("(no usable term)", "dim")])
        for term in avoid:
            lines.append([("      do not say: ", "red"), *_term_pieces(term, lang, False)])
    if details:
        definition = concept.get("definition") or {}
        if definition.get("text"):
            source = f" ({definition['source']})" if definition.get("source") else ""
            lines.append([("  = ", "dim"), (definition["text"], ""), (source, "dim")])
        for note in concept.get("notes", []):
            lines.append([("  ! ", "yellow"), (note, "")])
        if concept.get("see"):
            lines.append([("  see: ", "dim"), (", ".join(concept["see"]), "cyan")])
    return lines


def plain(lines: list[Line]) -> str:
    return "\n".join("".join(text for text, _ in line) for line in lines)


def print_cards(cards: list[list[Line]], *, styled: bool, notices: Sequence[str] = ()) -> None:
    """Print cards (and notices, then the legend), styled on a terminal."""
    if styled:
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False)
        for notice in notices:
            console.print(Text(notice, style="yellow"))
        for lines in cards:
            for line in lines:
                # Wrap at word boundaries with a hanging indent under the line's label,
                # so a long definition reads as a paragraph, not a broken line.
                hang = min(len(line[0][0]), 12)
                wrapped = Text.assemble(*line).wrap(console, max(console.width - hang, 20))
                for i, part in enumerate(wrapped):
                    console.print(Text(" " * hang) + part if i else part, soft_wrap=True)
            console.print()
        console.print(Text(LEGEND, style="dim"))
    else:
        out = list(notices)
        for lines in cards:
            out.append(plain(lines))
            out.append("")
        out.append(LEGEND)
        print("\n".join(out))


def concept_json(concept: Concept, langs: list[str] | None) -> dict[str, Any]:
    """A concept for --json output, its terms limited to the languages asked for."""
    out = dict(concept)
    if langs:
        out["terms"] = {lang: concept["terms"][lang] for lang in langs if lang in concept["terms"]}
    return out


def term_details(concept: Concept, langs: list[str] | None = None) -> list[Line]:
    """Every term with its data categories, for `glossary show`."""
    lines: list[Line] = [[("  terms:", "dim")]]
    for lang in ordered_languages(concept, langs):
        for term in concept["terms"][lang]:
            review = term.get("review", "draft")
            if review == "reviewed":
                review = f"reviewed by {term.get('reviewed_by')} on {term.get('reviewed_on')}"
            facts = [term.get("status", ""), term.get("type", ""), term.get("pos", ""), review]
            if term.get("confidence"):
                facts.append(f"confidence {term['confidence']}")
            lines.append(
                [
                    (f"    {lang:<3} ", "magenta"),
                    (term["text"], "bold"),
                    (f"  {', '.join(f for f in facts if f)}", "dim"),
                ]
            )
            if term.get("roman"):
                auto = " (computed)" if term.get("roman_auto") else ""
                lines.append([("        romanisation: ", "dim"), (term["roman"] + auto, "")])
            for key in ("context", "source", "note"):
                if term.get(key):
                    lines.append([(f"        {key}: ", "dim"), (term[key], "")])
    return lines
