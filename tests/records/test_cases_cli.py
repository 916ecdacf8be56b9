"""`clinic case add/list/show/update/status/history` through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from clinic.records.casestore import CaseStore

from .conftest import CHILD, MOTHER

Run = Callable[..., Result]


def test_add_checks_like_case_check_and_adds_many_files_in_one_call(
    cli_run: Run, write_case: Callable[..., Path], home: Path
) -> None:
    files = [write_case(f"MSL-2026-{n:04d}") for n in range(1, 6)]
    result = cli_run("case", "add", *map(str, files), "--office", "mae-sot", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == [f"MSL-2026-{n:04d}" for n in range(1, 6)]
    listed = json.loads(cli_run("case", "list", "--json").output)
    assert [c["case_id"] for c in listed] == [f"MSL-2026-{n:04d}" for n in range(1, 6)]
    assert {c["status"] for c in listed} == {"intake"} and {c["office"] for c in listed} == {
        "mae-sot"
    }


def test_a_folder_of_case_files_is_added(cli_run: Run, write_case: Callable[..., Path]) -> None:
    first = write_case("MSL-2026-0101")
    write_case("MSL-2026-0102")
    result = cli_run("case", "add", str(first.parent))
    assert result.exit_code == 0 and "added 2 case(s)" in result.output


def test_one_invalid_file_stops_the_batch_and_names_file_line_and_field(
    cli_run: Run, write_case: Callable[..., Path], home: Path
) -> None:
    good = write_case("MSL-2026-0201")
    bad = write_case("MSL-2026-0202", born_on="2026-13-45")
    result = cli_run("case", "add", str(good), str(bad))
    assert result.exit_code == 2
    assert f"{bad}:" in result.stderr and "child.born_on" in result.stderr
    assert "nothing was added" in result.stderr
    assert cli_run("case", "list").exit_code == 1  # nothing listed
    skipped = cli_run("case", "add", str(good), str(bad), "--skip-invalid")
    assert skipped.exit_code == 2 and "added 1 case(s)" in skipped.output


def test_a_case_id_already_in_the_store_stops_the_whole_batch(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    assert cli_run("case", "add", str(write_case("MSL-2026-0301"))).exit_code == 0
    again = cli_run(
        "case", "add", str(write_case("MSL-2026-0302")), str(write_case("MSL-2026-0301"))
    )
    assert again.exit_code == 2
    assert "already in the store: MSL-2026-0301" in again.stderr
    assert [c["case_id"] for c in json.loads(cli_run("case", "list", "--json").output)] == [
        "MSL-2026-0301"
    ]


def test_list_filters_by_form_status_office_and_dates(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    cli_run("case", "add", str(write_case("A-1")), "--office", "north", "--opened", "2026-10-01")
    cli_run("case", "add", str(write_case("A-2")), "--office", "south", "--opened", "2026-11-05")
    cli_run("case", "status", "A-2", "documents", "ready")

    def ids(*options: str) -> list[str]:
        result = cli_run("case", "list", "--json", *options)
        assert result.exit_code == 0, result.output
        return [c["case_id"] for c in json.loads(result.output)]

    assert ids() == ["A-1", "A-2"]
    assert ids("--office", "north") == ["A-1"]
    assert ids("--status", "documents ready") == ["A-2"]
    assert ids("--status", "intake", "--status", "documents_ready") == ["A-1", "A-2"]
    assert ids("--since", "2026-11-01") == ["A-2"]
    assert ids("--until", "2026-10-31") == ["A-1"]
    assert ids("--form", "birth-registration", "--office", "south") == ["A-2"]
    assert ids("--form", "emergency-assistance") == []
    text = cli_run("case", "list", "--status", "intake").output
    assert "A-1" in text and "A-2" not in text and MOTHER not in text


def test_show_then_update_keeps_the_previous_version(
    cli_run: Run, write_case: Callable[..., Path], tmp_path: Path, home: Path
) -> None:
    cli_run("case", "add", str(write_case("MSL-2026-0401")))
    shown = cli_run("case", "show", "MSL-2026-0401")
    assert shown.exit_code == 0 and MOTHER in shown.output and "intake" in shown.output
    as_yaml = cli_run("case", "show", "MSL-2026-0401", "--yaml").output
    edited = tmp_path / "edited.yaml"
    edited.write_text(as_yaml.replace("Mae Sot Hospital", "Tak Hospital"), encoding="utf-8")
    updated = cli_run("case", "update", "MSL-2026-0401", str(edited))
    assert updated.exit_code == 0 and "version 2" in updated.output
    doc = json.loads(cli_run("case", "show", "MSL-2026-0401", "--json").output)
    assert doc["version"] == 2 and doc["values"]["child"]["place_of_birth"] == "Tak Hospital"
    with CaseStore(home) as store:
        versions = store.versions("MSL-2026-0401")
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["values"]["child"]["place_of_birth"] == "Mae Sot Hospital"
    first = cli_run("case", "show", "MSL-2026-0401", "--version", "1", "--yaml").output
    assert "Mae Sot Hospital" in first and "Tak Hospital" not in first
    assert cli_run("case", "show", "MSL-2026-0401", "--version", "5").exit_code == 2
    same = cli_run("case", "update", "MSL-2026-0401", str(edited))
    assert "version 2" in same.output  # nothing changed: no new version
    history = cli_run("case", "history", "MSL-2026-0401").output
    assert "update; version 2; fields: child.place_of_birth" in history
    assert "Tak Hospital" not in history and "Mae Sot Hospital" not in history


def test_update_refuses_a_file_for_another_case(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    cli_run("case", "add", str(write_case("MSL-2026-0501")))
    other = write_case("MSL-2026-0502")
    result = cli_run("case", "update", "MSL-2026-0501", str(other))
    assert result.exit_code == 2 and "another case" in result.stderr


def test_status_follows_the_workflow_and_history_shows_who_and_when(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    cli_run("case", "add", str(write_case("MSL-2026-0601")))
    wrong = cli_run("case", "status", "MSL-2026-0601", "certificate", "issued")
    assert wrong.exit_code == 2
    assert "cannot go from 'intake' to 'certificate_issued'" in wrong.stderr
    assert "documents_ready" in wrong.stderr  # says what is allowed
    for state in ("documents ready", "submitted", "certificate-issued", "closed"):
        result = cli_run(
            "case", "status", "MSL-2026-0601", *state.split(), "--note", f"note about {state}"
        )
        assert result.exit_code == 0, result.output
    after = cli_run("case", "status", "MSL-2026-0601", "intake")
    assert after.exit_code == 2 and "final state" in after.stderr
    history = cli_run("case", "history", "MSL-2026-0601").output
    assert history.count("status;") == 4 and "closed" in history
    assert "note: note about submitted" in history
    doc = json.loads(cli_run("case", "show", "MSL-2026-0601", "--json").output)
    assert doc["closed"] is not None and doc["status"] == "closed"


def test_unknown_ids_and_statuses_are_clear_errors(
    cli_run: Run, write_case: Callable[..., Path]
) -> None:
    cli_run("case", "add", str(write_case("MSL-2026-0701")))
    missing = cli_run("case", "show", "MSL-2026-9999")
    assert missing.exit_code == 1 and "no case with this id" in missing.stderr
    bad_id = cli_run("case", "show", "not a case id")
    assert bad_id.exit_code == 2 and "not a case id" not in bad_id.stderr
    status = cli_run("case", "status", "MSL-2026-0701", "flying")
    assert status.exit_code == 2 and "unknown status" in status.stderr
    assert CHILD not in missing.stderr + status.stderr


def test_many_files_are_checked_in_parallel_with_the_same_outcome(
    cli_run: Run, write_case: Callable[..., Path], tmp_path: Path
) -> None:
    from clinic.records.intake import PARALLEL_FROM, check_files, expand

    files = [write_case(f"PAR-{n:04d}") for n in range(PARALLEL_FROM + 10)]
    bad = write_case("PAR-BAD", born_on="2026-02-30")
    serial = check_files(expand([str(files[0].parent)]), jobs=1)
    parallel = check_files(expand([str(files[0].parent)]), jobs=2)
    assert [c.case_id for c in parallel.cases] == [c.case_id for c in serial.cases]
    assert [c.values for c in parallel.cases] == [c.values for c in serial.cases]
    assert parallel.errors == serial.errors and len(parallel.errors) == 1
    assert str(bad) in parallel.errors[0]
    bad.unlink()
    result = cli_run("case", "add", str(files[0].parent), "--jobs", "2")
    assert result.exit_code == 0 and f"added {len(files)} case(s)" in result.output
