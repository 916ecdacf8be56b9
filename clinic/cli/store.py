"""`clinic store check/backup/restore/compact/encrypt/decrypt/rekey/audit`: looking after
the case store (clinic.records)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from clinic.cli.common import echo_json


@click.group("store")
def store() -> None:
    """Look after the case store: check it, back it up, restore it, encrypt it."""


def _new_passphrase(env: str) -> str:
    value = os.environ.get(env)
    if value:
        return value
    from clinic.cli.case_records import _interactive
    from clinic.exceptions import ClinicError

    if not _interactive():
        raise ClinicError(f"give the new passphrase in {env}, or run in a terminal to be asked")
    secret: str = click.prompt(
        "New passphrase", hide_input=True, confirmation_prompt=True, err=True
    )
    return secret


@store.command("check")
@click.option("--json", "as_json", is_flag=True)
def check(as_json: bool) -> None:
    """Read the whole store and check it (journal, snapshot, audit trail, index)."""
    from clinic.cli.case_records import with_store
    from clinic.records import backup

    result = with_store(backup.check)
    if as_json:
        echo_json(result.as_dict())
    else:
        state = "encrypted" if result.encrypted else "not encrypted"
        click.echo(
            f"{result.cases} case(s), {result.purged} purged, {result.versions} earlier "
            f"version(s), {result.audit_entries} audit entries; {state}"
        )
        for note in result.notes:
            click.echo(f"note: {note}")
        for problem in result.problems:
            click.echo(f"problem: {problem}", err=True)
        click.echo("ok" if result.ok else "PROBLEMS FOUND")
    if not result.ok:
        raise SystemExit(2)


@store.command("backup")
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False),
    help="Folder for the backup (default: DATA/backups).",
)
def backup_command(destination: str | None) -> None:
    """Copy the store into one checked backup file (encrypted if the store is)."""
    from clinic.cli.case_records import with_store
    from clinic.records import backup

    target = with_store(lambda s: backup.backup(s, Path(destination) if destination else None))
    click.echo(str(target))


@store.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: str, yes: bool) -> None:
    """Replace the store with a backup (the current files are moved aside, not deleted)."""
    from clinic.cli.case_records import _interactive, with_store
    from clinic.exceptions import ClinicError
    from clinic.records import backup

    if not yes:
        if not _interactive():
            raise ClinicError("restoring replaces the current store: add --yes to confirm")
        click.confirm("Replace the current case store with this backup?", abort=True, err=True)
    count, moved = with_store(lambda s: backup.restore(s, Path(file)))
    click.echo(f"restored {count} case(s)")
    if moved is not None:
        click.echo(f"the replaced files were kept in {moved}", err=True)


@store.command("compact")
def compact() -> None:
    """Fold the journal into a fresh snapshot now (it also happens by itself)."""
    from clinic.cli.case_records import with_store

    with_store(lambda s: s.compact())
    click.echo("compacted")


@store.command("encrypt")
def encrypt() -> None:
    """Encrypt the store with a passphrase (CLINIC_PASSPHRASE, or asked twice).

    Files already deleted from the disk may still hold old unencrypted data: encrypt
    before entering cases where you can."""
    from clinic.cli.case_records import with_store
    from clinic.exceptions import ClinicError
    from clinic.records.crypto import PASSPHRASE_ENV, new_sealer

    def run(s: Any) -> list[Path]:
        if s.storage.encrypted:
            raise ClinicError(
                "the store is already encrypted (use 'clinic store rekey' to change the passphrase)"
            )
        sealer = new_sealer(_new_passphrase(PASSPHRASE_ENV))
        s.set_encryption(sealer, action="encrypt")
        # Copies made before now are not encrypted: say where they are.
        return sorted((s.home / "backups").glob("*.tar")) + sorted(s.folder.glob("replaced-*"))

    plain_copies = with_store(run, passphrase="")
    click.echo("encrypted; keep the passphrase safe: without it the cases cannot be read")
    if plain_copies:
        click.echo(
            f"note: {len(plain_copies)} backup(s) or replaced store(s) made before now are "
            "not encrypted; delete them once you have a new backup:",
            err=True,
        )
        for path in plain_copies:
            click.echo(f"  {path}", err=True)


@store.command("decrypt")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def decrypt(yes: bool) -> None:
    """Remove the encryption (the passphrase is needed)."""
    from clinic.cli.case_records import _interactive, with_store
    from clinic.exceptions import ClinicError

    if not yes:
        if not _interactive():
            raise ClinicError("decrypting writes the cases unencrypted: add --yes to confirm")
        click.confirm("Write the case store unencrypted?", abort=True, err=True)

    def run(s: Any) -> None:
        if not s.storage.encrypted:
            raise ClinicError("the store is not encrypted")
        s.storage.sealer  # noqa: B018  (checks the passphrase before anything is written)
        s.set_encryption(None, action="decrypt")

    with_store(run)
    click.echo("decrypted")


@store.command("rekey")
def rekey() -> None:
    """Change the passphrase (current: CLINIC_PASSPHRASE or asked; new:
    CLINIC_NEW_PASSPHRASE or asked twice)."""
    from clinic.cli.case_records import with_store
    from clinic.exceptions import ClinicError
    from clinic.records.crypto import new_sealer

    def run(s: Any) -> None:
        if not s.storage.encrypted:
            raise ClinicError("the store is not encrypted (use 'clinic store encrypt')")
        s.storage.sealer  # noqa: B018  (checks the current passphrase first)
        s.set_encryption(new_sealer(_new_passphrase("CLINIC_NEW_PASSPHRASE")), action="rekey")

    with_store(run)
    click.echo("passphrase changed")


@store.command("audit")
@click.option("--case", "case_id", help="Only the entries of this case.")
@click.option("--json", "as_json", is_flag=True)
def audit_command(case_id: str | None, as_json: bool) -> None:
    """The audit trail (who, when, what; never values), and whether its chain holds."""
    from clinic.cli.case_records import with_store
    from clinic.records import audit

    entries = with_store(lambda s: s.audit_entries())
    count, problem, _head = audit.verify(entries)
    if case_id:
        entries = [e for e in entries if e.get("case") == case_id]
    if as_json:
        echo_json({"entries": entries, "chain": problem or "ok"})
    else:
        for entry in entries:
            case = entry.get("case") or "-"
            click.echo(f"{entry.get('at')}  {entry.get('who')}  {case}  {audit.describe(entry)}")
        click.echo(f"chain of {count} entries: {problem or 'ok'}")
    if problem:
        raise SystemExit(2)
