"""Problems a review found in the case store, each tried for real."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from clinic.exceptions import ClinicError, StoreDamaged
from clinic.records import consent, documents
from clinic.records.casestore import CaseStore

from .conftest import MOTHER, new_case

Run = Callable[..., Result]


def _journal(home: Path) -> Path:
    return home / "cases" / "cases.journal"


def _store_files(home: Path) -> dict[str, bytes]:
    folder = home / "cases"
    return {name: (folder / name).read_bytes() for name in ("cases.json", "cases.journal")}


@pytest.fixture
def two_cases(cli_run: Run, write_case: Callable[..., Path], home: Path) -> Path:
    added = cli_run("case", "add", str(write_case("RV-1")), str(write_case("RV-2")))
    assert added.exit_code == 0, added.output + added.stderr
    return home


# --- 1. a journal cut short: refused, and never "repaired" by a read ------------------


def test_a_journal_cut_in_half_is_refused_and_no_read_changes_it(
    two_cases: Path, cli_run: Run
) -> None:
    journal = _journal(two_cases)
    journal.write_bytes(journal.read_bytes()[: journal.stat().st_size // 2])
    before = _store_files(two_cases)
    checked = cli_run("store", "check")
    assert checked.exit_code == 2
    assert "shorter than what was saved" in checked.stderr and "restore a backup" in checked.stderr
    for command in (["case", "list"], ["case", "show", "RV-1"], ["case", "history", "RV-1"]):
        result = cli_run(*command)
        assert result.exit_code == 2, command
        assert "saved change(s) missing" in result.stderr
    added = cli_run("case", "status", "RV-1", "documents ready")  # nor a writer
    assert added.exit_code == 2
    assert _store_files(two_cases) == before  # the evidence is still there


def test_whole_lines_cut_off_the_end_are_detected(
    cli_run: Run, write_case: Callable[..., Path], home: Path
) -> None:
    for n in range(3):
        assert cli_run("case", "add", str(write_case(f"RL-{n}"))).exit_code == 0
    journal = _journal(home)
    lines = journal.read_bytes().split(b"\n")
    journal.write_bytes(b"\n".join(lines[:-2]) + b"\n")  # the last record gone, cleanly
    before = _store_files(home)
    listed = cli_run("case", "list")
    assert listed.exit_code == 2 and "1 saved change(s) missing" in listed.stderr
    assert cli_run("store", "check").exit_code == 2
    assert _store_files(home) == before


def test_a_torn_tail_is_read_without_writing_and_a_writer_keeps_its_bytes(
    store: CaseStore, home: Path
) -> None:
    store.add([new_case("RT-1"), new_case("RT-2")])
    journal = _journal(home)
    torn = b'[["p","cases",3,{"case_id":"RT-3","values":{"x'  # a crash mid-append
    with open(journal, "ab") as handle:
        handle.write(torn)
    before = _store_files(home)
    with CaseStore(home) as reader:
        assert [c.case_id for c in reader.cases()] == ["RT-1", "RT-2"]  # index rebuilt
        from clinic.records.backup import check

        result = check(reader)
        assert result.ok and any("cut short by a crash" in n for n in result.notes)
    assert _store_files(home) == before  # the reads left the files alone
    with CaseStore(home) as writer:
        writer.add([new_case("RT-4")])
    assert torn not in journal.read_bytes()
    kept = list((home / "cases").glob("cases.journal.torn-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == torn
    assert kept[0].stat().st_mode & 0o777 == 0o600
    with CaseStore(home) as reopened:
        assert {c.case_id for c in reopened.cases()} == {"RT-1", "RT-2", "RT-4"}


def test_a_restore_replaces_a_truncated_store(
    two_cases: Path, cli_run: Run, tmp_path: Path
) -> None:
    made = cli_run("store", "backup", "--to", str(tmp_path / "backups"))
    assert made.exit_code == 0
    assert cli_run("case", "status", "RV-1", "documents ready").exit_code == 0
    journal = _journal(two_cases)
    journal.write_bytes(journal.read_bytes()[: journal.stat().st_size // 2])
    assert cli_run("case", "list").exit_code == 2
    restored = cli_run("store", "restore", made.output.strip(), "--yes")
    assert restored.exit_code == 0, restored.stderr
    listed = cli_run("case", "list", "--json")
    assert listed.exit_code == 0 and "RV-2" in listed.output
    assert cli_run("store", "check").exit_code == 0


# --- 2. backup into a folder that cannot be one -------------------------------------


@pytest.mark.parametrize("where", ["/proc/nope", "file/sub"])
def test_backup_to_an_impossible_folder_is_a_clear_error(
    two_cases: Path, cli_run: Run, tmp_path: Path, where: str
) -> None:
    (tmp_path / "file").write_text("not a folder")
    target = where if where.startswith("/") else str(tmp_path / where)
    result = cli_run("store", "backup", "--to", target)
    assert result.exit_code == 2
    assert target in result.stderr and "cannot use this folder" in result.stderr


# --- 3. a damaged encryption header ---------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"n": 131071}, {"n": 2**30}, {"n": 2**14, "r": 10**6}, {"p": 0}, {"n": "16384"}],
)
def test_impossible_scrypt_parameters_are_damage(changes: dict[str, Any]) -> None:
    from clinic.records.crypto import KDF, unlock

    salt = base64.b64encode(b"0123456789abcdef").decode()
    header = {"cipher": "AES-256-GCM", "kdf": {**KDF, "salt": salt, **changes}, "check": "x"}
    with pytest.raises(StoreDamaged, match="encryption header is damaged"):
        unlock(header, "a long enough passphrase")


# --- 4. no space to rebuild the index -----------------------------------------------


def test_no_space_for_the_index_is_one_line_and_leaves_nothing_behind(
    two_cases: Path, cli_run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic.records import index

    real = index._connect

    def tiny_disk(path: Path) -> sqlite3.Connection:
        db = real(path)
        if path.name.endswith(".tmp"):
            db.execute("PRAGMA max_page_count=2")  # SQLITE_FULL, as on a full disk
        return db

    folder = two_cases / "cases"
    (folder / "cases.index.sqlite").unlink()
    monkeypatch.setattr(index, "_connect", tiny_disk)
    for command in (["case", "list"], ["case", "status", "RV-1", "documents ready"]):
        result = cli_run(*command)
        assert result.exit_code == 2, command
        assert "not enough space to rebuild the case index" in result.stderr
        assert str(folder) in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir() if "index" in p.name) == []
    monkeypatch.setattr(index, "_connect", real)
    assert cli_run("case", "list").exit_code == 0


# --- 5. update takes one file ----------------------------------------------------------


def test_update_refuses_a_folder(two_cases: Path, cli_run: Run, tmp_path: Path) -> None:
    result = cli_run("case", "update", "RV-1", str(tmp_path / "cases-in"))
    assert result.exit_code == 2
    with CaseStore(two_cases) as store:
        assert store.get("RV-1")["version"] == 1


# --- 6. dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["20261102", "2026-W45-1", "2026-11-2", "2026-02-30", "0999-01-01"]
)
def test_only_yyyy_mm_dd_dates_are_taken(
    cli_run: Run, write_case: Callable[..., Path], text: str
) -> None:
    result = cli_run("case", "add", str(write_case("RD-1")), "--opened", text)
    assert result.exit_code == 2
    assert "expected the opened date as YYYY-MM-DD" in result.stderr
    assert cli_run("case", "list", "--since", text).exit_code == 2


def test_a_buddhist_era_year_is_refused_with_a_hint(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    result = cli_run("case", "add", str(write_case("RD-2")), "--opened", "2569-11-01")
    assert result.exit_code == 2 and "Buddhist Era" in result.stderr and "2026" in result.stderr
    purge = cli_run("case", "purge", "--closed-before", "2569-01-01", "--dry-run")
    assert purge.exit_code == 2 and "closed-before" in purge.stderr


def test_a_status_date_in_the_future_or_before_opening_is_refused(
    cli_run: Run, write_case: Callable[..., Path], home: Path
) -> None:
    opened = dt.date.today() - dt.timedelta(days=10)
    path = write_case("RD-3")
    assert cli_run("case", "add", str(path), "--opened", opened.isoformat()).exit_code == 0
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    early = (opened - dt.timedelta(days=1)).isoformat()
    for on, why in ((tomorrow, "in the future"), (early, "before the case was opened")):
        result = cli_run("case", "status", "RD-3", "withdrawn", "--on", on)
        assert result.exit_code == 2 and why in result.stderr
    with CaseStore(home) as store:
        assert store.get("RD-3")["status"] == "intake"
    fine = cli_run("case", "status", "RD-3", "withdrawn", "--on", opened.isoformat())
    assert fine.exit_code == 0


# --- 7. error messages name the file, never free text ------------------------------------


def test_already_in_the_store_names_the_file_and_line(
    two_cases: Path, cli_run: Run, tmp_path: Path
) -> None:
    again = cli_run("case", "add", str(tmp_path / "cases-in" / "RV-2.yaml"))
    assert again.exit_code == 2
    assert "RV-2.yaml:" in again.stderr and "already in the store: RV-2" in again.stderr
    assert MOTHER not in again.stderr


def test_consent_errors_name_only_recipients_from_the_consent_record(store: CaseStore) -> None:
    store.add([new_case("RC-1")])
    consent.give(
        store,
        "RC-1",
        "data_sharing",
        recipients=["Example Shelter"],
        items=["identity"],
        given_on=dt.date(2026, 11, 1),
    )
    person = "Test Uncle Frobozz"
    with pytest.raises(consent.ConsentMissing) as caught:
        consent.check_referral(
            "RC-1", ["example shelter", person], ["identity", "address", "his diary"], store=store
        )
    message = str(caught.value)
    assert "'Example Shelter': address, another item" in message
    assert "a recipient not in the consent record: identity, address" in message
    assert person not in message and "diary" not in message


def test_a_consent_error_for_a_case_file_names_the_file(
    home: Path, store: CaseStore, tmp_path: Path
) -> None:
    from clinic.forms.casefile import read_case

    examples = Path(__file__).resolve().parents[2] / "forms" / "examples"
    source = tmp_path / "referral.yaml"
    source.write_text((examples / "referral.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(consent.ConsentMissing) as caught:
        consent.check_referral(read_case(source), ["Test Aunt Xyzzy"], store=store)
    assert str(source) in str(caught.value) and "Xyzzy" not in str(caught.value)


# --- 8. verify after a legitimate refill ----------------------------------------------


def test_verify_checks_only_the_latest_fill_of_each_file(
    store: CaseStore, cli_run: Run, tmp_path: Path
) -> None:
    store.add([new_case("RF-1")])
    output = tmp_path / "out" / "RF-1-request.docx"
    output.parent.mkdir()
    output.write_bytes(b"first fill")
    documents.record("RF-1", [documents.FilledDocument("request", output)], store=store)
    output.write_bytes(b"second fill, --force")
    documents.record("RF-1", [documents.FilledDocument("request", output)], store=store)
    checks = documents.verify(store, "RF-1")
    assert [c.status for c in checks] == ["superseded", "ok"]
    assert cli_run("case", "verify", "RF-1").exit_code == 0
    output.write_bytes(b"changed by hand")
    assert [c.status for c in documents.verify(store, "RF-1")] == ["superseded", "changed"]
    result = cli_run("case", "verify", "RF-1")
    assert result.exit_code == 1 and "CHANGED" in result.output


def test_clinic_error_is_what_the_date_parser_raises() -> None:
    from clinic.records.casestore import parse_date

    assert parse_date(" 2026-11-02 ", "on") == dt.date(2026, 11, 2)
    with pytest.raises(ClinicError, match="expected the on date"):
        parse_date("2026-11-02T00:00", "on")
