"""`clinic report`: aggregate counts of cases, small counts suppressed (clinic.records.report)."""

from __future__ import annotations

import click

from clinic.cli.common import echo_json


@click.command("report")
@click.option(
    "--by",
    "by",
    default="month,form,status",
    show_default=True,
    help="Dimensions, comma-separated: month, year, form, status, office, nationality.",
)
@click.option(
    "--min-count",
    "min_count",
    type=click.IntRange(1, 1000),
    default=11,
    show_default=True,
    help="Counts below this are suppressed (k; CTDC uses 11).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
def report(by: str, min_count: int, as_json: bool, as_csv: bool) -> None:
    """Count cases by month, form, status, office or nationality: no names, ids or free
    text, and counts below --min-count suppressed."""
    from clinic.cli.case_records import with_store
    from clinic.exceptions import ClinicError
    from clinic.records import report as reports

    if as_json and as_csv:
        raise ClinicError("choose --json or --csv")
    dims = reports.parse_by(by)
    result = with_store(lambda store: reports.build(store, dims, min_count))
    if as_json:
        echo_json(result.as_dict())
    elif as_csv:
        click.echo(result.as_csv(), nl=False)
    else:
        click.echo(result.as_text())
