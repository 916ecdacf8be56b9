"""`clinic glossary import | export | handout`: exchange with other terminology tools,
and print handouts. A thin shell over clinic.termbase.exchange and .handout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from clinic.cli.common import echo_json, split_csv
from clinic.exceptions import ClinicError


def _termbase() -> Any:
    from clinic.termbase.termbase import Termbase

    return Termbase()


@click.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tbx", "csv", "tsv", "yaml"]),
    help="File format (default: from the file name; a folder is YAML).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would be added, changed and in conflict; write nothing.",
)
@click.option(
    "--prefer",
    type=click.Choice(["termbase", "incoming"]),
    default="termbase",
    show_default=True,
    help="Whose value a conflict keeps. Terms are never dropped either way.",
)
@click.option(
    "--match",
    "match",
    type=click.Choice(["terms", "id"]),
    default="terms",
    show_default=True,
    help="Match file entries to concepts by id, then by a shared term ('terms'), or by id only.",
)
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="SOURCE,TARGET",
    help="The two languages of an OmegaT glossary (tab-separated, no header).",
)
@click.option(
    "--layout",
    type=click.Choice(["omegat", "wide"]),
    help="CSV/TSV layout (default: 'wide' when the first row names languages).",
)
@click.option(
    "--domain", "-d", metavar="FIELD", help="Subject field for imported concepts that have none."
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="Encoding of a CSV/TSV that is not UTF-8 (e.g. cp874 for old Thai files).",
)
@click.option(
    "--zawgyi",
    type=click.Choice(["auto", "convert", "keep"]),
    default="auto",
    show_default=True,
    help="Burmese in the Zawgyi encoding: convert when clear ('auto', stops when "
    "unsure), always convert, or keep as it is.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    help="Added and changed concepts listed in the text report.",
)
def import_command(
    file: Path,
    fmt: str | None,
    dry_run: bool,
    prefer: str,
    match: str,
    langs: str | None,
    layout: str | None,
    domain: str | None,
    encoding: str | None,
    zawgyi: str,
    as_json: bool,
    limit: int,
) -> None:
    """Import a glossary file (TBX v2/v3, CSV/TSV, YAML) into the termbase.

    Terms are merged per language and never dropped; where the file and the termbase
    disagree (a definition, a status), the conflict is reported. Use --dry-run first.
    """
    from clinic.termbase.exchange import import_file

    plan = import_file(
        _termbase(),
        file,
        dry_run=dry_run,
        prefer=prefer,
        match_terms=match == "terms",
        fmt=fmt,
        langs=split_csv(langs) or None,
        layout=layout,
        domain=domain,
        encoding=encoding,
        zawgyi=zawgyi,
        one_shot=True,  # a command: the process ends after it
    )
    if as_json:
        echo_json({**plan.as_dict(), "dry_run": dry_run})
        return
    click.echo(plan.render(limit=limit, dry_run=dry_run))
    if not dry_run:
        counts = plan.counts()
        click.echo(f"imported: {counts['add']} added, {counts['change']} changed")


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    """A folder that cannot be written is the user's to fix: one line, not a crash."""
    try:
        yield
    except OSError as error:
        raise ClinicError(
            f"cannot be written ({error.strerror or type(error).__name__})", path=target
        ) from None


@click.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tbx", "csv", "tsv", "yaml", "apkg"]),
    help="File format (default: from the file name; an existing folder is YAML, "
    "one file per subject field).",
)
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="CODES",
    help="Languages to export, in this order (an Anki deck takes two).",
)
@click.option("--domain", "-d", "domains", metavar="FIELDS", help="Subject fields to export.")
@click.option(
    "--status",
    "statuses",
    metavar="STATES",
    help="Term states to keep: preferred, admitted, deprecated, draft, reviewed.",
)
@click.option("--phrases/--terms", default=None, help="Only phrasebook entries / no phrases.")
@click.option(
    "--layout",
    type=click.Choice(["omegat", "wide"]),
    help="CSV/TSV layout (default: wide; OmegaT for .txt and .utf8).",
)
@click.option("--title", help="Title of a TBX file or name of an Anki deck.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def export_command(
    file: Path,
    fmt: str | None,
    langs: str | None,
    domains: str | None,
    statuses: str | None,
    phrases: bool | None,
    layout: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Export the termbase, or part of it: TBX (TBX-Basic v3), CSV/TSV, YAML, or an Anki
    deck (.apkg) to learn a domain's terms, both directions."""
    from clinic.exceptions import NothingFound
    from clinic.termbase.exchange import check_filters, export_file, select

    domain_list = split_csv(domains) or None
    status_list = split_csv(statuses) or None
    check_filters(domain_list, status_list)
    lang_list = split_csv(langs) or None
    concepts = select(
        _termbase().concepts(domains=domain_list),
        langs=lang_list,
        domains=domain_list,
        statuses=status_list,
        phrases=phrases,
    )
    if not concepts:
        raise NothingFound("no concepts match the filters; nothing was written")
    with _writing(file):
        summary = export_file(
            concepts,
            file,
            fmt=fmt,
            langs=lang_list,
            layout=layout,
            title=title,
            domains=domain_list,
        )
    if summary["format"] in ("csv", "tsv"):
        summary["note"] = (
            "a table keeps terms, statuses, definitions and domains only (not review "
            "state, notes, context or confidence); use .tbx or .yaml for a full copy"
        )
    if as_json:
        echo_json(summary)
        return
    what = (
        f"{summary['notes']} notes (both directions)"
        if "notes" in summary
        else f"{summary['concepts']} concepts ({summary['terms']} terms)"
    )
    click.echo(f"exported {what} as {summary['format']}: {', '.join(summary['files'])}")
    if "note" in summary:
        click.echo(f"note: {summary['note']}", err=True)


@click.command("handout")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="CODES",
    default="en,th,my",
    show_default=True,
    help="The columns, in this order (landscape pages above three columns).",
)
@click.option(
    "--domain",
    "-d",
    "domains",
    metavar="FIELDS",
    help="Subject fields, one section each, in this order (default: all).",
)
@click.option(
    "--sort-by",
    metavar="LANG",
    help="Sort each section by this language's terms (default: the first).",
)
@click.option("--definitions", is_flag=True, help="Add a column with definitions and notes.")
@click.option("--phrases", is_flag=True, help="Add the phrasebook entries, in a section.")
@click.option("--title", default="Glossary", show_default=True)
@click.option("--date", metavar="YYYY-MM-DD", help="Date printed on the handout (default: today).")
@click.option(
    "--font",
    "fonts",
    multiple=True,
    metavar="LANG=FONT[:SIZE]",
    help="Font of a language, e.g. my=Pyidaungsu or th='TH Sarabun PSK:16'. Repeatable.",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def handout_command(
    out: Path,
    langs: str,
    domains: str | None,
    sort_by: str | None,
    definitions: bool,
    phrases: bool,
    title: str,
    date: str | None,
    fonts: tuple[str, ...],
    pdf: bool,
    as_json: bool,
) -> None:
    """Write a Word handout of the termbase for a workshop (and a PDF with --pdf)."""
    import datetime as dt

    from clinic.termbase.handout import (
        HandoutOptions,
        check_options,
        convert_to_pdf,
        parse_font_options,
        write_handout,
    )

    options = HandoutOptions(
        langs=split_csv(langs),
        domains=split_csv(domains) or None,
        sort_by=sort_by,
        definitions=definitions,
        phrases=phrases,
        title=title,
        date=date or dt.date.today().isoformat(),
        fonts=parse_font_options(list(fonts)),
    )
    check_options(options)
    concepts = _termbase().concepts(domains=options.domains)
    with _writing(out):
        count = write_handout(concepts, out, options)
        files = [str(out)]
        if pdf:
            files.append(str(convert_to_pdf(out)))
    if as_json:
        echo_json({"files": files, "concepts": count})
    else:
        click.echo(f"wrote {count} concepts: {', '.join(files)}")
