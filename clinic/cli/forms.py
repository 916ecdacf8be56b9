"""`clinic forms list|show` and `clinic fill`: thin shells over clinic.forms."""

from __future__ import annotations

import sys
from typing import Any

import click

from clinic.cli.common import echo_json, wants_rich
from clinic.exceptions import ClinicError

LANGS = click.Choice(["en", "th", "my"])


def _label(labels: Any, lang: str) -> str:
    return str(labels.get(lang) or labels.get("en", ""))


@click.group()
def forms() -> None:
    """The forms clinic fills: list them, or show one's fields and templates."""


@forms.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the titles.")
def list_forms(as_json: bool, lang: str) -> None:
    """List the forms, their templates and how many fields they have."""
    from clinic.forms.definitions import form_summary, load_forms

    summaries = [form_summary(f) for f in load_forms().values()]
    if as_json:
        echo_json(summaries)
        return
    width = max((len(s["form"]) for s in summaries), default=10)
    for s in summaries:
        draft = (
            f"  [{', '.join(s['draft_translations'])} labels: draft]"
            if s["draft_translations"]
            else ""
        )
        click.echo(
            f"{s['form']:<{width}}  v{s['version']}  {len(s['templates'])} template(s)  "
            f"{s['fields']:>3} fields  {_label(s['title'], lang)}{draft}"
        )


def _field_lines(fields: list[dict[str, Any]], lang: str, depth: int = 0) -> list[str]:
    lines = []
    for f in fields:
        mark = "*" if f["required"] else " "
        kind = f["type"]
        extra = ""
        if f.get("choices"):
            extra = " (" + ", ".join(c["value"] for c in f["choices"]) + ")"
        if "default" in f:
            extra += f" [default: {f['default']}]"
        lines.append(
            f"{mark} {'  ' * depth}{f['path']:<{40 - 2 * depth}} {kind:<16}"
            f"{_label(f['label'], lang)}{extra}"
        )
        if f.get("fields"):
            lines.extend(_field_lines(f["fields"], lang, depth + 1))
        if f.get("item"):
            item = f["item"]
            if item.get("fields"):
                lines.extend(_field_lines(item["fields"], lang, depth + 1))
            elif item.get("choices"):
                values = ", ".join(c["value"] for c in item["choices"])
                lines.append(f"  {'  ' * (depth + 1)}{f['path']}[] one of: {values}")
    return lines


@forms.command("show")
@click.argument("form")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the labels.")
def show(form: str, as_json: bool, lang: str) -> None:
    """Show a form: its templates, fields (* = required), rules and official codes."""
    from clinic.forms.definitions import form_json, get_form

    data = form_json(get_form(form))
    if as_json:
        echo_json(data)
        return
    out = [f"{data['form']} (v{data['version']}): {_label(data['title'], lang)}"]
    if data["description"]:
        out.append(_label(data["description"], lang))
    for language, info in data["translations"].items():
        out.append(f"{language} labels: {info.get('status', '')}. {info.get('note', '')}")
    out.append("")
    out.append("Templates:")
    for t in data["templates"]:
        when = f"  when: {t['when']}" if t["when"] else ""
        signed = "  (signed by the beneficiary)" if t["signed_by_beneficiary"] else ""
        out.append(f"  {t['name']:<20} {t['file']}{signed}{when}")
    out.append("")
    out.append("Fields (* = required):")
    out.extend(_field_lines(data["fields"], lang))
    if data["derived"]:
        out.append("")
        out.append("Derived values:")
        for d in data["derived"]:
            out.append(f"  {d['name']:<20} {d['type']:<12} {d['expression']}")
    if data["rules"]:
        out.append("")
        out.append("Rules:")
        for r in data["rules"]:
            out.append(f"  {r['field']}: {r['message']}")
    if data["official_codes"]:
        out.append("")
        out.append("Official form codes (to be checked against the current rules):")
        for c in data["official_codes"]:
            out.append(
                f"  {c['code']:<14} {_label(c['name'], lang)}  [{c['status']}]  {c['source']}"
            )
    click.echo("\n".join(out))


def _print_report(report: Any) -> None:
    for result in report.results:
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if result.ok:
            click.echo(f"ok  {result.source}  ({result.case_id})")
            for document in result.documents:
                click.echo(f"    {document.path}")
            if result.skipped:
                click.echo(f"    not needed for this case: {', '.join(result.skipped)}")
        else:
            click.echo(f"FAILED  {result.source}", err=True)
            for error in result.errors:
                click.echo(f"    {error}", err=True)


@click.command()
@click.argument("form")
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the documents (created if needed).",
)
@click.option("--pdf", is_flag=True, help="Also convert each document to PDF (LibreOffice).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Cases filled side by side (worker processes).",
)
@click.option("--force", is_flag=True, help="Replace documents that already exist.")
@click.option(
    "--override",
    metavar="REASON",
    help="Produce a referral that shares what the person did not consent to share; "
    "the override is recorded on the case.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def fill(
    form: str,
    cases: tuple[str, ...],
    output: str,
    pdf: bool,
    jobs: int,
    force: bool,
    override: str | None,
    as_json: bool,
) -> None:
    """Fill every template of FORM for each CASE file, into the -o folder.

    Each case is checked first; a bad case is reported and the others go on. Existing
    documents are never replaced without --force. Every document written is recorded
    (without personal data) in documents.jsonl in the data directory.
    """
    from clinic import paths
    from clinic.cli.case_records import log_filled, refuse_unconsented
    from clinic.forms.fill import fill as fill_cases

    if (paths.home() / "cases").exists():
        # Open the case store first: a wrong passphrase or a damaged store must stop
        # the run before any document is written, not after (when it could not be logged).
        from clinic.cli.case_records import with_store

        with_store(lambda store: store.unlock())
    refused: dict[str, ClinicError] = {}
    if form == "referral":
        # no referral shares what the person did not consent to share
        refused = refuse_unconsented(cases, override)
        cases = tuple(c for c in cases if c not in refused)
    show_bar = len(cases) > 1 and not as_json and wants_rich(sys.stderr)
    if show_bar:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True, force_terminal=True),  # wants_rich() said yes
        )
        with progress:
            task = progress.add_task("filling", total=len(cases))
            report = fill_cases(
                form,
                cases,
                output,
                force=force,
                pdf=pdf,
                jobs=jobs,
                progress=lambda _: progress.advance(task),
            )
    else:
        report = fill_cases(form, cases, output, force=force, pdf=pdf, jobs=jobs)
    try:
        log_filled(report)  # each document logged on its case in the store
    except ClinicError as not_logged:
        click.echo(f"warning: documents not logged on their cases: {not_logged}", err=True)
    for refusal in refused.values():
        click.echo(f"refused: {refusal}", err=True)
    failed = report.failed
    if as_json:
        echo_json(report.to_json())
    else:
        _print_report(report)
        click.echo(
            f"{len(report.results) - len(failed)} of {len(report.results)} case(s) "
            f"filled, {len(report.documents)} file(s) written to {report.out_dir}"
        )
    if refused:
        raise ClinicError(
            f"{len(refused)} referral(s) refused: they share information the person did not "
            "consent to share (see above; --override REASON to proceed)"
        )
    if failed:
        names = ", ".join(str(r.source) for r in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise ClinicError(f"{len(failed)} of {len(report.results)} case(s) failed: {names}{more}")
