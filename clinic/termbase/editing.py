"""Changing one concept: the targeted edits of `glossary edit`, and editing in $EDITOR."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from clinic.exceptions import ClinicError, ValidationError
from clinic.termbase.model import Concept, Term
from clinic.text import normalize


@dataclass
class Changes:
    add: list[tuple[str, str]] = field(default_factory=list)
    prefer: list[tuple[str, str]] = field(default_factory=list)
    deprecate: list[tuple[str, str]] = field(default_factory=list)
    remove: list[tuple[str, str]] = field(default_factory=list)
    definition: str | None = None
    source: str | None = None
    notes: list[str] = field(default_factory=list)
    domains: list[str] | None = None

    def empty(self) -> bool:
        return not (
            self.add
            or self.prefer
            or self.deprecate
            or self.remove
            or self.notes
            or self.definition is not None
            or self.source is not None
            or self.domains is not None
        )


def _find(concept: Concept, lang: str, text: str) -> Term | None:
    text = normalize(text).strip()
    for term in concept["terms"].get(lang, []):
        if term["text"] == text:
            return term
    return None


def _ensure(concept: Concept, lang: str, text: str) -> Term:
    term = _find(concept, lang, text)
    if term is None:
        term = {"text": normalize(text).strip(), "status": "admitted", "review": "draft"}
        concept["terms"].setdefault(lang, []).append(term)
    return term


def apply(concept: Concept, changes: Changes) -> Concept:
    """A new version of concept with the changes made; the original is untouched.

    A term whose status is changed goes back to draft: a reviewer approved the old
    state, not the new one."""
    concept = copy.deepcopy(concept)
    for lang, text in changes.add:
        _ensure(concept, lang, text)
    for lang, text in changes.prefer:
        chosen = _ensure(concept, lang, text)
        for term in concept["terms"][lang]:
            if term is not chosen and term.get("status") == "preferred":
                term["status"] = "admitted"
                term["review"] = "draft"
        if chosen.get("status") != "preferred":
            chosen["status"] = "preferred"
            chosen["review"] = "draft"
    for lang, text in changes.deprecate:
        term = _ensure(concept, lang, text)
        if term.get("status") != "deprecated":
            term["status"] = "deprecated"
            term["review"] = "draft"
    for lang, text in changes.remove:
        term = _find(concept, lang, text)
        if term is None:
            raise ClinicError(f"no {lang} term with that text", field="--remove-term")
        concept["terms"][lang].remove(term)
        if not concept["terms"][lang]:
            del concept["terms"][lang]
    if changes.definition is not None or changes.source is not None:
        definition = dict(concept.get("definition") or {})
        if changes.definition is not None:
            definition["text"] = changes.definition
        if changes.source is not None:
            definition["source"] = changes.source
        concept["definition"] = definition
    if changes.notes:
        concept["notes"] = [*concept.get("notes", []), *changes.notes]
    if changes.domains is not None:
        concept["subject_fields"] = changes.domains
    if not concept["terms"]:
        raise ClinicError("a concept needs at least one term", field="--remove-term")
    return concept


def edit_in_editor(concept: Concept, save: Callable[[Concept], object]) -> None:
    """Open the concept as YAML in $EDITOR and save what comes back. If it cannot be
    saved (invalid, or changed meanwhile), the edited text is kept in a file in the data
    directory and the message names it, so no typing is lost."""
    import click

    from clinic import paths, yamlio
    from clinic.store import atomic_write_bytes
    from clinic.termbase.files import _untext, dump_concepts
    from clinic.termbase.model import clean_concept

    text = click.edit(dump_concepts([concept]), extension=".yaml")
    if text is None:
        raise ClinicError("nothing changed (the editor was closed without saving)")
    try:
        data = yamlio.loads(text, "<editor>")
        items = data.get("concepts") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) != 1:
            raise ValidationError("expected the one concept that was opened", path="<editor>")
        edited = clean_concept(_untext(items[0]), "<editor>")
        if edited["id"] != concept["id"]:
            raise ValidationError("the id cannot be changed here", path="<editor>", field="id")
        save(edited)
    except ClinicError as error:
        kept = paths.home() / f"unsaved-{concept['id']}.yaml"
        atomic_write_bytes(kept, text.encode("utf-8"))
        raise ClinicError(f"{error} (your text is kept in {kept})") from None
