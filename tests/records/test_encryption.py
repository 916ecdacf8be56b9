"""Encryption at rest: `clinic store encrypt/decrypt/rekey`, passphrases, no plain names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from clinic.records.casestore import CaseStore
from clinic.records.crypto import PassphraseNeeded, WrongPassphrase

from .conftest import PLANTED, new_case

Run = Callable[..., Result]
SECRET = "correct horse battery staple"


def _disk(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def _planted_on_disk(home: Path) -> list[str]:
    data = _disk(home)
    return [name for name in PLANTED if name.encode() in data]


@pytest.fixture
def encrypted(cli_run: Run, write_case: Callable[..., Path], home: Path) -> Path:
    for n in range(3):
        assert cli_run("case", "add", str(write_case(f"ENC-{n}"))).exit_code == 0
    cli_run("case", "status", "ENC-1", "documents", "ready", "--note", "Test Mother Zyxwv called")
    assert _planted_on_disk(home)  # before: the names are there in the clear
    old_backup = Path(cli_run("store", "backup").output.strip())
    result = cli_run("store", "encrypt", env={"CLINIC_PASSPHRASE": SECRET})
    assert result.exit_code == 0, result.output
    assert "not encrypted" in result.stderr and str(old_backup) in result.stderr
    old_backup.unlink()  # as the note says
    return home


def test_after_encrypt_no_file_holds_a_plain_name(
    encrypted: Path, cli_run: Run, write_case: Callable[..., Path]
) -> None:
    assert _planted_on_disk(encrypted) == []
    env = {"CLINIC_PASSPHRASE": SECRET}
    # Everything keeps working with the passphrase, and still writes nothing in clear.
    assert cli_run("case", "add", str(write_case("ENC-9")), env=env).exit_code == 0
    assert (
        cli_run(
            "case", "status", "ENC-9", "withdrawn", "--note", "Ma Sample Plugh", env=env
        ).exit_code
        == 0
    )
    assert cli_run("store", "compact", env=env).exit_code == 0
    assert cli_run("store", "backup", env=env).exit_code == 0
    assert _planted_on_disk(encrypted) == []
    shown = cli_run("case", "show", "ENC-9", env=env)
    assert shown.exit_code == 0 and "Test Mother Zyxwv" in shown.output
    assert cli_run("store", "check", env=env).exit_code == 0
    history = cli_run("case", "history", "ENC-1", env=env).output
    assert "note: Test Mother Zyxwv called" in history  # the note, decrypted for staff


def test_a_wrong_or_missing_passphrase_is_a_clear_error(encrypted: Path, cli_run: Run) -> None:
    wrong = cli_run("case", "show", "ENC-0", env={"CLINIC_PASSPHRASE": "not the one at all"})
    assert wrong.exit_code == 2 and "wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr and "Test Mother" not in wrong.stderr
    missing = cli_run("case", "show", "ENC-0", env={"CLINIC_PASSPHRASE": ""})
    assert missing.exit_code == 2 and "encrypted" in missing.stderr
    with CaseStore(encrypted, passphrase="nope nope nope") as store, pytest.raises(WrongPassphrase):
        store.all_cases()
    with CaseStore(encrypted) as store, pytest.raises(PassphraseNeeded):
        store.get("ENC-0")
    listed = cli_run("case", "list", "--json", env={"CLINIC_PASSPHRASE": ""})
    assert [c["case_id"] for c in json.loads(listed.output)] == ["ENC-0", "ENC-1", "ENC-2"]


def test_encrypting_twice_is_refused_and_rekey_and_decrypt_work(
    encrypted: Path, cli_run: Run
) -> None:
    again = cli_run("store", "encrypt", env={"CLINIC_PASSPHRASE": SECRET})
    assert again.exit_code == 2 and "already encrypted" in again.stderr
    new = "another long passphrase"
    rekeyed = cli_run(
        "store", "rekey", env={"CLINIC_PASSPHRASE": SECRET, "CLINIC_NEW_PASSPHRASE": new}
    )
    assert rekeyed.exit_code == 0, rekeyed.output
    old = cli_run("case", "show", "ENC-0", env={"CLINIC_PASSPHRASE": SECRET})
    assert old.exit_code == 2 and "wrong passphrase" in old.stderr
    assert cli_run("case", "show", "ENC-0", env={"CLINIC_PASSPHRASE": new}).exit_code == 0
    assert _planted_on_disk(encrypted) == []
    plain = cli_run("store", "decrypt", "--yes", env={"CLINIC_PASSPHRASE": new})
    assert plain.exit_code == 0
    assert cli_run("case", "show", "ENC-0", env={"CLINIC_PASSPHRASE": ""}).exit_code == 0
    audit = cli_run("store", "audit").output
    assert "encrypt" in audit and "rekey" in audit and "decrypt" in audit


def test_due_dates_of_an_encrypted_store_are_not_kept_in_the_clear(home: Path) -> None:
    import datetime as dt

    from clinic.records.crypto import new_sealer

    with CaseStore(home) as store:
        store.add([new_case("DUE-1", born_on="2026-11-10")])
        store.set_encryption(new_sealer(SECRET), action="encrypt")
    with CaseStore(home, passphrase=SECRET) as store:
        assert [c.due for c in store.cases()] == [None]
        due = store.due(on=dt.date(2026, 11, 20))
        assert [d.case_id for d in due] == ["DUE-1"]
    assert b"2026-11-25" not in _disk(home)  # born + 15 days: it would reveal the birth date
