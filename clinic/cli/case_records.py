"""`clinic case add/list/show/update/status/history/verify/purge/consent`: the case store.

A thin shell over clinic.records. The commands are plain Click commands: `register(group)`
adds them to the `case` group (clinic.cli.case). Imports stay light at module level: the
store is imported inside each command.

Nothing printed here carries a personal value except `show` and `history`, whose job is
to show a case to the staff member who asked for it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clinic.cli.common import echo_json
from clinic.exceptions import ClinicError

if TYPE_CHECKING:
    from clinic.records.casestore import CaseStore

T = TypeVar("T")


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def with_store(action: Callable[[CaseStore], T], *, passphrase: str | None = None) -> T:
    """Run action on the case store; an encrypted store asks for its passphrase on a
    terminal when CLINIC_PASSPHRASE is not set. For `clinic fill` too:
    `with_store(lambda store: documents.record(case_id, docs, store=store))`."""
    from clinic.records.casestore import CaseStore
    from clinic.records.crypto import PassphraseNeeded, passphrase_from_env

    secret = passphrase if passphrase is not None else passphrase_from_env()
    while True:
        store = CaseStore(passphrase=secret)
        try:
            return action(store)
        except PassphraseNeeded:
            if secret is not None or not _interactive():
                raise
            secret = click.prompt("Passphrase of the case store", hide_input=True, err=True)
        finally:
            store.close()


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    from clinic.records.casestore import parse_date

    return parse_date(value, what)


def _checked(
    files: Sequence[str],
    jobs: int | None,
    skip_invalid: bool,
    outcome: str = "nothing was added (fix them, or use --skip-invalid)",
) -> Any:
    from clinic.records.intake import check_files, expand

    paths = expand(files)
    checked = check_files(paths, jobs)
    for warning in checked.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in checked.errors:
        click.echo(str(error), err=True)
    if checked.errors and not skip_invalid:
        raise ClinicError(
            f"{checked.failed_files} of {len(paths)} case file(s) have errors; " + outcome
        )
    return checked


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--office", help="The office handling the case (default: CLINIC_OFFICE, else 'main')."
)
@click.option("--opened", metavar="DATE", help="Date the case was opened (default: today).")
@click.option("--skip-invalid", is_flag=True, help="Add the valid files, report the others.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes checking the files (default: one per CPU).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the added case ids as JSON.")
def add(
    files: tuple[str, ...],
    office: str | None,
    opened: str | None,
    skip_invalid: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Add case files (or folders of them) to the store, checked as by `case check`.

    All or nothing: a case id already in the store stops the whole batch."""
    opened_on = _date(opened, "opened")
    checked = _checked(files, jobs, skip_invalid)
    added = with_store(lambda store: store.add(checked.cases, office=office, opened=opened_on))
    if as_json:
        echo_json({"added": added, "failed_files": checked.failed_files})
        return
    shown = ", ".join(added[:10]) + (f" and {len(added) - 10} more" if len(added) > 10 else "")
    click.echo(f"added {len(added)} case(s)" + (f": {shown}" if added else ""))
    if checked.failed_files:
        click.echo(f"{checked.failed_files} file(s) with errors were not added", err=True)
        sys.exit(2)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows
    )


@click.command("list")
@click.option("--form", "forms", multiple=True, help="Only this form (repeatable).")
@click.option("--status", "statuses", multiple=True, help="Only this status (repeatable).")
@click.option("--office", "offices", multiple=True, help="Only this office (repeatable).")
@click.option("--since", metavar="DATE", help="Opened on or after DATE.")
@click.option("--until", metavar="DATE", help="Opened on or before DATE.")
@click.option(
    "--due",
    is_flag=True,
    help="Deadlines falling due within --within days, and those already passed.",
)
@click.option(
    "--within",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="Days ahead for --due (7: this week).",
)
@click.option("--today", "today_text", metavar="DATE", hidden=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cases(
    forms: tuple[str, ...],
    statuses: tuple[str, ...],
    offices: tuple[str, ...],
    since: str | None,
    until: str | None,
    due: bool,
    within: int,
    today_text: str | None,
    as_json: bool,
) -> None:
    """List cases (no names: ids, forms, status, office, dates)."""
    since_on, until_on, today_on = (
        _date(since, "since"),
        _date(until, "until"),
        _date(today_text, "today"),
    )
    status_keys = [s.strip().replace(" ", "_").replace("-", "_").lower() for s in statuses]
    if due:
        found = with_store(
            lambda store: store.due(on=today_on, days=within, form=forms, office=offices)
        )
        if as_json:
            echo_json([d.as_dict() for d in found])
            return
        if not found:
            click.echo(f"nothing due within {within} day(s)")
            return
        rows = [["CASE", "FORM", "STATUS", "DUE", "DAYS", "WHAT"]]
        for d in found:
            what = d.label
            if d.late:
                what = f"LATE: {d.late_path}"
                if d.missing:
                    what += f" [no {d.missing} recorded yet]"
            rows.append([d.case_id, d.form, d.status, d.due_on, str(d.days_left), what])
        click.echo(_table(rows))
        return
    found_cases = with_store(
        lambda store: store.cases(
            form=forms, status=status_keys, office=offices, since=since_on, until=until_on
        )
    )
    if as_json:
        echo_json([c.as_dict() for c in found_cases])
        return
    if not found_cases:
        from clinic.exceptions import NothingFound

        raise NothingFound("no cases match")
    rows = [["CASE", "FORM", "STATUS", "OFFICE", "OPENED", "DUE"]]
    rows += [[c.case_id, c.form, c.status, c.office, c.opened, c.due or ""] for c in found_cases]
    click.echo(_table(rows))


def _show_text(doc: dict[str, Any]) -> str:
    from clinic.records.values import leaf_paths

    lines = [
        f"case     {doc['case_id']}",
        f"form     {doc['form']} (version {doc.get('form_version', '?')})",
        f"status   {doc['status']}",
        f"office   {doc.get('office', '')}",
        f"opened   {doc.get('opened', '')}"
        + (f"   closed {doc['closed']}" if doc.get("closed") else ""),
        f"version  {doc.get('version')}   updated {doc.get('updated', '')}",
        "",
    ]
    paths = list(leaf_paths(doc.get("values", {})))
    width = max((len(p) for p, _ in paths), default=0)
    for path, value in paths:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"  {path.ljust(width)}  {value}")
    if doc.get("consents"):
        lines += ["", "consents:"]
        for c in doc["consents"]:
            what = c["kind"] + (f" with {c['recipient']}" if c.get("recipient") else "")
            if c.get("items"):
                what += f" ({', '.join(c['items'])})"
            state = f"withdrawn {c['withdrawn_on']}" if c.get("withdrawn_on") else "in force"
            lines.append(f"  {what}: given {c.get('given_on')}, {state}")
    if doc.get("documents"):
        lines += ["", "documents:"]
        for d in doc["documents"]:
            lines.append(
                f"  {d['template']}: {d['output']} (sha256 {d['output_sha256'][:16]}..., {d['at']})"
            )
    return "\n".join(lines)


@click.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="The whole case record as JSON.")
@click.option(
    "--yaml",
    "as_yaml",
    is_flag=True,
    help="The values as a case file, to edit and give back to `case update`.",
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(1),
    help="An earlier version of the values (kept by `case update`).",
)
def show(case_id: str, as_json: bool, as_yaml: bool, version: int | None) -> None:
    """Show one case."""

    def read(store: CaseStore) -> dict[str, Any]:
        doc = store.get(case_id)
        if version is None or version == doc["version"]:
            return doc
        for earlier in store.versions(case_id):
            if earlier["version"] == version:
                return {
                    **doc,
                    "values": earlier["values"],
                    "version": version,
                    "updated": earlier["replaced"],
                }
        raise ClinicError(
            f"no version {version} (the case is at version {doc['version']})", field="version"
        )

    doc = with_store(read)
    if as_json:
        echo_json(doc)
    elif as_yaml:
        from clinic.records.values import to_case_yaml

        click.echo(to_case_yaml(doc["form"], doc["values"]), nl=False)
    else:
        click.echo(_show_text(doc))


@click.command("update")
@click.argument("case_id")
@click.argument("file", type=click.Path(dir_okay=False))
def update(case_id: str, file: str) -> None:
    """Replace a case's values with those of FILE (checked); the previous version is kept."""
    checked = _checked([file], 1, False, "the case was not changed")
    if len(checked.cases) != 1:
        raise ClinicError(
            f"expected one case in the file, found {len(checked.cases)}; the case was not changed",
            path=file,
        )
    version = with_store(lambda store: store.update(case_id, checked.cases[0]))
    click.echo(f"{case_id}: version {version}")


@click.command("status")
@click.argument("case_id")
@click.argument("state", nargs=-1, required=True)
@click.option("--note", help="A note kept with the status change (shown by `case history`).")
@click.option(
    "--on", "on_text", metavar="DATE", help="Date a final state was reached (default: today)."
)
def status(case_id: str, state: tuple[str, ...], note: str | None, on_text: str | None) -> None:
    """Move a case to STATE along its form's workflow (e.g. `documents ready`)."""
    on = _date(on_text, "on")
    before, after = with_store(
        lambda store: store.set_status(case_id, " ".join(state), note=note, on=on)
    )
    click.echo(f"{case_id}: {before} -> {after}")


@click.command("history")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def history(case_id: str, as_json: bool) -> None:
    """What happened to a case: who, when, what changed (field names, not values)."""
    lines = with_store(lambda store: store.history(case_id))
    if as_json:
        echo_json([line.__dict__ for line in lines])
        return
    for line in lines:
        click.echo(f"{line.at}  {line.who}  {line.text}")
        if line.note:
            click.echo(f"    note: {line.note}")


@click.command("verify")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def verify(case_id: str, as_json: bool) -> None:
    """Hash the documents filled for a case again; exit 1 if any changed or is missing."""
    from clinic.records import documents

    checks = with_store(lambda store: documents.verify(store, case_id))
    if as_json:
        echo_json([c.as_dict() for c in checks])
    elif not checks:
        click.echo("no documents recorded for this case")
    else:
        for c in checks:
            click.echo(f"{c.status.upper():8} {c.template}: {c.output}")
    if any(c.status not in ("ok", "superseded") for c in checks):
        sys.exit(1)


@click.command("purge")
@click.option(
    "--closed-before",
    "closed_before",
    required=True,
    metavar="DATE",
    help="Purge cases that reached a final state before DATE.",
)
@click.option("--dry-run", is_flag=True, help="Only say which cases would be purged.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(closed_before: str, dry_run: bool, yes: bool) -> None:
    """Remove the personal data of old closed cases; anonymous counts stay for reports."""
    cutoff = _date(closed_before, "closed-before")
    assert cutoff is not None

    def run(store: CaseStore) -> Any:
        planned = store.purge(cutoff, dry_run=True)
        if dry_run or not planned.case_ids:
            return planned, False
        if not yes:
            if not _interactive():
                raise ClinicError(
                    f"{len(planned.case_ids)} case(s) would be purged: add --yes to confirm"
                )
            click.confirm(
                f"Purge the personal data of {len(planned.case_ids)} case(s)? This "
                "cannot be undone",
                abort=True,
                err=True,
            )
        return store.purge(cutoff), True

    result, done = with_store(run)
    if not done:
        verb = "would purge" if result.case_ids else "nothing to purge"
        click.echo(f"{verb} {len(result.case_ids)} case(s)" if result.case_ids else verb)
        for case_id in result.case_ids:
            click.echo(f"  {case_id}")
        return
    click.echo(f"purged {len(result.case_ids)} case(s); their anonymous counts remain")
    click.echo("Backups made before now still hold their data: delete old backups too.", err=True)
    if result.documents_on_disk:
        click.echo(
            f"{len(result.documents_on_disk)} filled document(s) of these cases are still on disk:",
            err=True,
        )
        for path in result.documents_on_disk:
            click.echo(f"  {path}", err=True)


@click.command("consent")
@click.argument("case_id")
@click.option(
    "--give",
    "give_kind",
    metavar="KIND",
    help="Record a consent: assistance, data_sharing, medical, photographs.",
)
@click.option("--withdraw", "withdraw_kind", metavar="KIND", help="Record a withdrawal.")
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    help="data_sharing: who may receive the data (repeatable).",
)
@click.option(
    "--items",
    "items",
    multiple=True,
    help="data_sharing: what may be shared, comma-separated, or 'all'.",
)
@click.option(
    "--on", "on_text", metavar="DATE", help="When it was given or withdrawn (default: today)."
)
@click.option("--json", "as_json", is_flag=True)
def consent(
    case_id: str,
    give_kind: str | None,
    withdraw_kind: str | None,
    recipients: tuple[str, ...],
    items: tuple[str, ...],
    on_text: str | None,
    as_json: bool,
) -> None:
    """Show, record or withdraw the consents of a case."""
    from clinic.records import consent as consents

    if give_kind and withdraw_kind:
        raise ClinicError("give either --give or --withdraw")
    on = _date(on_text, "on")

    def run(store: CaseStore) -> list[dict[str, Any]]:
        if give_kind:
            consents.give(
                store, case_id, give_kind, recipients=recipients, items=items, given_on=on
            )
        elif withdraw_kind:
            consents.withdraw(store, case_id, withdraw_kind, recipients=recipients, on=on)
        return list(store.get(case_id).get("consents", []))

    found = with_store(run)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("no consents recorded")
    for c in found:
        what = c["kind"] + (f" with {c['recipient']}" if c.get("recipient") else "")
        if c.get("items"):
            what += f" ({', '.join(c['items'])})"
        state = f"withdrawn {c['withdrawn_on']}" if c.get("withdrawn_on") else "in force"
        click.echo(f"{what}: given {c.get('given_on')}, {state}")


def log_filled(report: Any) -> None:
    """For `clinic fill`: log the documents of a FillReport on their cases in the store,
    and say which cases are not in the store (their documents are not logged there)."""
    from clinic.records.documents import record_fill_report

    _logged, absent = with_store(lambda store: record_fill_report(report, store=store))
    if absent:
        shown = ", ".join(absent[:10]) + (
            f" and {len(absent) - 10} more" if len(absent) > 10 else ""
        )
        click.echo(
            f"note: not in the case store, so not logged on a case: {shown} (add them "
            "with 'clinic case add')",
            err=True,
        )


def refuse_unconsented(files: Sequence[str], override: str | None) -> dict[str, ClinicError]:
    """For `clinic fill referral`: {file: error} for the referrals sharing what the person
    did not consent to share (none with --override REASON, which is logged)."""
    from clinic.records.consent import referral_refusals

    refused = with_store(lambda store: referral_refusals(files, override, store=store))
    return {str(path): error for path, error in refused.items()}


COMMANDS = [add, list_cases, show, update, status, history, verify, purge, consent]


def register(group: click.Group) -> None:
    """Add the case-store commands to the `case` group."""
    for command in COMMANDS:
        if command.name not in group.commands:
            group.add_command(command)


__all__ = ["COMMANDS", "log_filled", "refuse_unconsented", "register", "with_store"]
