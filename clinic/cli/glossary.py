"""`clinic glossary ...`: read and change the termbase, check and count it."""

from __future__ import annotations

from typing import Any

import click

from clinic.cli.common import (
    LazyGroup,
    echo_json,
    parse_domains,
    parse_languages,
    wants_rich,
)
from clinic.exceptions import ClinicError

SUBCOMMANDS = {
    "import": "clinic.cli.glossary_exchange:import_command",
    "export": "clinic.cli.glossary_exchange:export_command",
    "handout": "clinic.cli.glossary_exchange:handout_command",
    "review": "clinic.cli.glossary_review:review",
}


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def glossary() -> None:
    """Show, list, add, edit, remove, check and count termbase concepts."""


def _termbase() -> Any:
    from clinic.termbase.termbase import Termbase

    return Termbase()


@glossary.command()
@click.argument("concept_id")
@click.option("--lang", "-l", "langs", metavar="CODES", help="Languages to show.")
@click.option("--json", "as_json", is_flag=True)
def show(concept_id: str, langs: str | None, as_json: bool) -> None:
    """Show one concept: every term, its status, review state and notes."""
    from clinic.termbase.cards import card, concept_json, print_cards, term_details

    termbase = _termbase()
    lang_list = parse_languages(langs, termbase) or None
    concept = termbase.get(concept_id)
    if as_json:
        echo_json(concept_json(concept, lang_list))
        return
    print_cards(
        [card(concept, langs=lang_list) + term_details(concept, lang_list)], styled=wants_rich()
    )


@glossary.command("list")
@click.option("--domain", "-d", "domains", metavar="FIELDS", help="Subject fields to list.")
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="CODES",
    help="Languages whose preferred term is shown (default: en,th,my; with --json, all).",
)
@click.option("--phrases/--terms", default=None, help="Only phrasebook entries / only terms.")
@click.option("--json", "as_json", is_flag=True)
def list_command(
    domains: str | None, langs: str | None, phrases: bool | None, as_json: bool
) -> None:
    """List concepts, one a line: id and preferred terms."""
    from clinic.termbase.cards import concept_json
    from clinic.termbase.model import preferred

    termbase = _termbase()
    lang_list = parse_languages(langs, termbase)
    concepts = termbase.concepts(domains=parse_domains(domains) or None, phrases=phrases)
    if as_json:
        echo_json([concept_json(c, lang_list or None) for c in concepts])
        return
    lang_list = lang_list or ["en", "th", "my"]
    for concept in concepts:
        shown = []
        for lang in lang_list:
            term = preferred(concept, lang)
            shown.append(term["text"] if term else "-")
        click.echo(f"{concept['id']}\t" + "\t".join(shown))
    if not concepts:
        from clinic.exceptions import NothingFound

        raise NothingFound("no concepts match")


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep or not lang.strip() or not text.strip():
            raise ClinicError("expected LANG=TEXT, e.g. th=การค้ามนุษย์", field=option)
        out.append((parse_languages(lang, None)[0], text.strip()))
    return out


def _concept_from_file(path: str) -> dict[str, Any]:
    from pathlib import Path

    from clinic.termbase.files import read_file

    concepts = [c for c, _ in read_file(Path(path))]
    if len(concepts) != 1:
        raise ClinicError(f"expected exactly one concept, found {len(concepts)}", path=path)
    return concepts[0]


@glossary.command()
@click.argument("concept_id")
@click.option("--domain", "-d", "domains", metavar="FIELDS", help="Subject field(s).")
@click.option(
    "--term",
    "-t",
    "terms",
    multiple=True,
    metavar="LANG=TEXT",
    help="A term (the first of a language is preferred). Repeatable.",
)
@click.option(
    "--deprecated",
    multiple=True,
    metavar="LANG=TEXT",
    help="A term to avoid ('do not say'). Repeatable.",
)
@click.option("--definition", help="Definition, in your own words.")
@click.option("--source", help="Where the definition comes from.")
@click.option("--note", "notes", multiple=True, help="A note (false friend, usage). Repeatable.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    help="Read the concept from a YAML file in the glossary layout instead.",
)
def add(
    concept_id: str,
    domains: str | None,
    terms: tuple[str, ...],
    deprecated: tuple[str, ...],
    definition: str | None,
    source: str | None,
    notes: tuple[str, ...],
    from_file: str | None,
) -> None:
    """Add a concept. New terms are drafts until reviewed."""
    if from_file:
        concept = _concept_from_file(from_file)
        if concept["id"] != concept_id:
            raise ClinicError("the file's concept id differs from the one given", field="id")
    else:
        if not terms:
            raise ClinicError("give at least one --term LANG=TEXT", field="--term")
        by_lang: dict[str, list[dict[str, Any]]] = {}
        for lang, text in _pairs(terms, "--term"):
            status = "admitted" if lang in by_lang else "preferred"
            by_lang.setdefault(lang, []).append({"text": text, "status": status})
        for lang, text in _pairs(deprecated, "--deprecated"):
            by_lang.setdefault(lang, []).append({"text": text, "status": "deprecated"})
        concept = {"id": concept_id, "subject_fields": parse_domains(domains), "terms": by_lang}
        if source and not definition:
            raise ClinicError("--source belongs to a --definition: give both", field="--source")
        if definition:
            concept["definition"] = {"text": definition, "source": source or ""}
        if notes:
            concept["notes"] = list(notes)
    added = _termbase().add(concept)
    click.echo(f"added {added['id']}")


@glossary.command()
@click.argument("concept_id")
@click.option("--add-term", multiple=True, metavar="LANG=TEXT", help="Add an admitted term.")
@click.option(
    "--prefer",
    multiple=True,
    metavar="LANG=TEXT",
    help="Make this term the preferred one of its language (added if new).",
)
@click.option(
    "--deprecate",
    multiple=True,
    metavar="LANG=TEXT",
    help="Mark a term 'do not say' (added if new).",
)
@click.option("--remove-term", multiple=True, metavar="LANG=TEXT", help="Remove a term.")
@click.option("--definition", help="Replace the definition text.")
@click.option("--source", help="Replace the definition source.")
@click.option("--add-note", multiple=True, help="Add a note.")
@click.option("--domain", "domains", metavar="FIELDS", help="Replace the subject fields.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    help="Replace the whole concept with the one in this YAML file.",
)
def edit(
    concept_id: str,
    add_term: tuple[str, ...],
    prefer: tuple[str, ...],
    deprecate: tuple[str, ...],
    remove_term: tuple[str, ...],
    definition: str | None,
    source: str | None,
    add_note: tuple[str, ...],
    domains: str | None,
    from_file: str | None,
) -> None:
    """Change a concept. With no option, opens it in your editor as YAML."""
    from clinic.termbase import editing

    termbase = _termbase()
    if from_file:
        concept = _concept_from_file(from_file)
        if concept["id"] != concept_id:
            raise ClinicError("the file's concept id differs from the one edited", field="id")
        termbase.modify(concept_id, lambda _current: concept)
    else:
        changes = editing.Changes(
            add=_pairs(add_term, "--add-term"),
            prefer=_pairs(prefer, "--prefer"),
            deprecate=_pairs(deprecate, "--deprecate"),
            remove=_pairs(remove_term, "--remove-term"),
            definition=definition,
            source=source,
            notes=list(add_note),
            domains=parse_domains(domains) if domains else None,
        )
        if changes.empty():
            # The editor stays open as long as the person needs: no lock is held, and
            # the write is refused if someone else changed the concept meanwhile.
            original = termbase.get(concept_id)
            editing.edit_in_editor(
                original, lambda edited: termbase.replace(edited, expected=original)
            )
        else:
            termbase.modify(concept_id, lambda current: editing.apply(current, changes))
    click.echo(f"changed {concept_id}")


@glossary.command()
@click.argument("concept_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rm(concept_id: str, yes: bool) -> None:
    """Remove a concept."""
    termbase = _termbase()
    termbase.get(concept_id)  # a clear "no such concept" before asking
    if not yes:
        click.confirm(f"Remove {concept_id}?", abort=True)
    termbase.remove(concept_id)
    click.echo(f"removed {concept_id}")


@glossary.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, exists=True),
    help="Glossary folder to check (default: the shipped glossary).",
)
@click.option(
    "--update-ids", is_flag=True, help="Record new concept ids in ids.lock (after adding concepts)."
)
def check(folder: str | None, update_ids: bool) -> None:
    """Check glossary files: parse, ids, required content, scripts, Zawgyi, links."""
    from pathlib import Path

    from clinic import paths
    from clinic.termbase.check import check_folder

    target = Path(folder) if folder else paths.shipped("glossary")
    report = check_folder(target, update_ids=update_ids)
    click.echo(report.summary())
    if report.problems:
        raise ClinicError(
            f"the glossary has {len(report.problems)} problem(s), listed above", path=target
        )


@glossary.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, exists=True),
    help="Count a glossary folder instead of the termbase in the store.",
)
@click.option("--json", "as_json", is_flag=True)
def stats(folder: str | None, as_json: bool) -> None:
    """Terms per language and review state, concepts per subject field."""
    from pathlib import Path

    from clinic.termbase import stats as stats_module
    from clinic.termbase.files import read_folder

    concepts = [c for c, _ in read_folder(Path(folder))] if folder else _termbase().concepts()
    table = stats_module.count(concepts)
    if as_json:
        echo_json(table)
    else:
        click.echo(stats_module.render(table))


@glossary.command()
@click.option("--dry-run", is_flag=True, help="Show what would be added or changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def update(dry_run: bool, as_json: bool) -> None:
    """Merge the glossary shipped with this version of clinic into your termbase.

    After an upgrade: new concepts and terms are added; your own changes are kept
    (where the two differ, yours win and the difference is reported).
    """
    from clinic import paths
    from clinic.termbase.exchange import import_file

    plan = import_file(
        _termbase(),
        paths.shipped("glossary"),
        dry_run=dry_run,
        prefer="termbase",
        match_terms=False,
        one_shot=True,  # a command: the process ends after it
    )
    if as_json:
        echo_json({**plan.as_dict(), "dry_run": dry_run})
        return
    click.echo(plan.render(limit=20, dry_run=dry_run))
