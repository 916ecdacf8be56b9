"""`clinic glossary review`: sheets for reviewers, and their corrections back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from clinic.cli.common import echo_json
from clinic.exceptions import ClinicError, NothingFound


@click.command()
@click.option("--lang", "-l", metavar="CODE", help="Language to review (for a new sheet).")
@click.option("--domain", "-d", "domains", metavar="FIELDS", help="Subject fields to include.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write a sheet: .csv or .docx.")
@click.option(
    "--apply",
    "apply_path",
    type=click.Path(dir_okay=False),
    help="Apply a filled sheet (.csv or .docx).",
)
@click.option("--by", "reviewer", help="The reviewer's name (with --apply).")
@click.option("--on", "on", help="Review date YYYY-MM-DD (default: today).")
@click.option("--dry-run", is_flag=True, help="With --apply: report, change nothing.")
@click.option("--force", is_flag=True, help="Overwrite an existing sheet.")
@click.option("--json", "as_json", is_flag=True, help="With --apply: print the report as JSON.")
def review(
    lang: str | None,
    domains: str | None,
    out: str | None,
    apply_path: str | None,
    reviewer: str | None,
    on: str | None,
    dry_run: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Write a review sheet of draft terms, or apply a filled one.

    \b
    clinic glossary review --lang my --domain labour --out sheet.docx
    clinic glossary review --apply sheet.csv --by "Reviewer Name"
    """
    from clinic.cli.common import parse_domains, parse_languages
    from clinic.store import atomic_write_bytes
    from clinic.termbase import review as reviewing
    from clinic.termbase.termbase import Termbase

    termbase = Termbase()
    if bool(out) == bool(apply_path):
        raise ClinicError("give either --out SHEET (to write) or --apply SHEET (to apply)")
    if out:
        if not lang:
            raise ClinicError("give the language to review", field="--lang")
        path = Path(out)
        if path.suffix.lower() not in (".csv", ".docx"):
            raise ClinicError("the sheet must be .csv or .docx", path=path)
        if path.exists() and not force:
            raise ClinicError("exists already (use --force to overwrite)", path=path)
        if not path.parent.is_dir():
            raise ClinicError("the folder for the sheet does not exist", path=path.parent)
        lang = parse_languages(lang, termbase)[0]
        concepts = termbase.concepts(domains=parse_domains(domains) or None)
        rows = reviewing.sheet_rows(concepts, lang)
        if not rows:
            raise NothingFound(f"no draft {lang} terms to review")
        title = f"Review sheet: {lang} terms" + (f" ({domains})" if domains else "")
        data = (
            reviewing.write_docx(rows, lang, title)
            if path.suffix.lower() == ".docx"
            else reviewing.write_csv(rows)
        )
        atomic_write_bytes(path, data, private=False)
        click.echo(f"wrote {path}: {len(rows)} draft term(s) to review")
        return
    assert apply_path is not None
    if not reviewer:
        raise ClinicError("give the reviewer's name", field="--by")
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise ClinicError("must be a date YYYY-MM-DD", field="--on") from None
    sheet = Path(apply_path)
    rows = reviewing.read_sheet(sheet)
    reports: list[reviewing.ApplyReport] = []

    def apply(current: dict[str, Any]) -> list[Any]:
        changed, report = reviewing.apply_rows(
            current, rows, reviewer=reviewer, on=day, sheet=sheet
        )
        reports.append(report)
        return changed

    if dry_run:
        apply({c["id"]: c for c in termbase.concepts()})
    else:
        # computed from the store under the writers' lock: nobody's edit is lost
        termbase.transform(apply)
    report = reports[0]
    if as_json:
        echo_json({**report.to_json(), "dry_run": dry_run})
    else:
        click.echo(report.summary() + (" (dry run: nothing written)" if dry_run else ""))
