"""`clinic report` (counts only, small counts suppressed) and `clinic case purge`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from clinic.records import report
from clinic.records.casestore import CaseStore

from .conftest import PLANTED, new_case

Run = Callable[..., Result]


def _fill(store: CaseStore) -> None:
    groups = [
        ("MM", 30, "myanmar", dt.date(2026, 10, 5)),
        ("LA", 12, "lao", dt.date(2026, 11, 2)),
        ("KH", 3, "cambodian", dt.date(2026, 11, 3)),
        ("TH", 1, "thai", dt.date(2026, 11, 4)),
    ]
    for prefix, count, nationality, opened in groups:
        store.add(
            [new_case(f"{prefix}-{n:03d}", nationality=nationality) for n in range(count)],
            opened=opened,
        )


def test_small_counts_are_suppressed_and_the_total_does_not_give_them_away(
    store: CaseStore,
) -> None:
    _fill(store)
    result = report.build(store, "nationality", k=11)
    assert result.rows == [(("lao",), 12), (("myanmar",), 30)]
    assert result.suppressed_cells == 2 and result.suppressed_count == 4
    assert result.suppressed_shown is None  # 4 < 11: shown as "<11"
    assert result.total_shown is None  # 46 - 42 would reveal the 4
    data = result.as_dict()
    assert data["suppressed"]["count"] == "<11" and data["total"] == "suppressed"
    by_month = report.build(store, ["month", "nationality"], k=11)
    assert (("2026-10", "myanmar"), 30) in by_month.rows
    assert all(count >= 11 for _, count in by_month.rows)
    assert report.build(store, "nationality", k=1).total_shown == 46


def test_the_report_holds_counts_only(cli_run: Run, home: Path) -> None:
    with CaseStore(home) as store:
        _fill(store)
    outputs = []
    for flag in ("--json", "--csv", None):
        args = ["report", "--by", "month,form,status,nationality"] + ([flag] if flag else [])
        result = cli_run(*args)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    data = json.loads(outputs[0])
    assert data["min_count"] == 11 and data["rows"][0]["count"] == 30
    rows = list(csv.reader(io.StringIO(outputs[1])))
    assert rows[0] == ["month", "form", "status", "nationality", "count"]
    assert ["2026-10", "birth-registration", "intake", "myanmar", "30"] in rows
    for text in outputs:
        for secret in (*PLANTED, "MM-0", "LA-0", "KH-0", "TH-0"):
            assert secret not in text
    assert "CTDC" in outputs[2]
    bad = cli_run("report", "--by", "name")
    assert bad.exit_code == 2 and "cannot report by 'name'" in bad.stderr


def _all_files(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (home / "cases").rglob("*") if p.is_file())


def test_purge_removes_personal_data_of_old_closed_cases_and_keeps_the_counts(
    cli_run: Run, home: Path
) -> None:
    with CaseStore(home) as store:
        store.add(
            [new_case(f"OLD-{n}", nationality="lao") for n in range(12)]
            + [new_case("OPEN-1", nationality="lao")],
            opened=dt.date(2024, 12, 1),
        )
        for n in range(12):
            store.set_status(f"OLD-{n}", "withdrawn", on=dt.date(2025, 1, 10))
        store.update("OLD-0", new_case("OLD-0", nationality="lao", notified_on="2026-11-11"))
    assert b"Test Mother Zyxwv" in _all_files(home)
    dry = cli_run("case", "purge", "--closed-before", "2025-06-01", "--dry-run")
    assert dry.exit_code == 0 and "would purge 12 case(s)" in dry.output
    refused = cli_run("case", "purge", "--closed-before", "2025-06-01")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    done = cli_run("case", "purge", "--closed-before", "2025-06-01", "--yes")
    assert done.exit_code == 0 and "purged 12 case(s)" in done.output
    assert "Backups" in done.stderr
    listed = json.loads(cli_run("case", "list", "--json").output)
    assert [c["case_id"] for c in listed] == ["OPEN-1"]
    assert cli_run("case", "show", "OLD-3").exit_code == 1
    with CaseStore(home) as store:
        tombstones = [d for d in store.all_cases() if d.get("purged")]
        assert len(tombstones) == 12
        assert all(
            set(t) == {"purged", "form", "status", "office", "opened", "closed", "nationality"}
            for t in tombstones
        )
        assert store.versions("OLD-0") == []
        counts = report.build(store, "nationality,status", k=11)
        assert (("lao", "withdrawn"), 12) in counts.rows
    files = _all_files(home)
    # The only remaining personal data is the open case's (the mother's name once in
    # the snapshot and once in the index).
    assert files.count(b"Test Mother Zyxwv") == 2
    assert b"2025-01-10" not in files.replace(b"2025-01-10T", b"")  # exact dates gone
    again = cli_run("case", "purge", "--closed-before", "2025-06-01", "--yes")
    assert "nothing to purge" in again.output
