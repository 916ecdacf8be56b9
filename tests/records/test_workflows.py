"""Status workflows and deadlines, from forms/_workflows.yaml."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from clinic.exceptions import ClinicError, ValidationError
from clinic.records import workflows
from clinic.records.casestore import CaseStore

from .conftest import new_case

TODAY = dt.date(2026, 11, 20)


def test_assistance_forms_follow_requested_approved_delivered_closed(store: CaseStore) -> None:
    store.add([new_case("EA-1", form="emergency-assistance")])
    assert store.get("EA-1")["status"] == "requested"
    with pytest.raises(ClinicError, match="cannot go from 'requested' to 'delivered'"):
        store.set_status("EA-1", "delivered")
    for state in ("approved", "delivered", "closed"):
        store.set_status("EA-1", state)
    with pytest.raises(ClinicError, match="final state"):
        store.set_status("EA-1", "approved")
    assert store.get("EA-1")["closed"] == dt.date.today().isoformat()


def test_birth_registration_can_be_referred_or_withdrawn_from_an_open_state(
    store: CaseStore,
) -> None:
    store.add([new_case("BR-1"), new_case("BR-2")], opened=TODAY)
    assert store.set_status("BR-1", "referred") == ("intake", "referred")
    store.set_status("BR-2", "documents_ready")
    assert store.set_status("BR-2", "withdrawn", on=TODAY) == ("documents_ready", "withdrawn")
    assert store.get("BR-2")["closed"] == TODAY.isoformat()
    with pytest.raises(ClinicError, match="already"):
        store.set_status("BR-1", "referred")


def test_a_form_without_settings_uses_the_default_workflow(store: CaseStore) -> None:
    store.add([new_case("OT-1", form="interpreter-record")])
    assert store.get("OT-1")["status"] == "requested"


def _born(days_before_today: int) -> str:
    return (TODAY - dt.timedelta(days=days_before_today)).isoformat()


def test_due_lists_this_weeks_deadlines_and_late_ones_with_the_late_path(store: CaseStore) -> None:
    store.add(
        [
            new_case("DUE-SOON", born_on=_born(10)),  # due in 5 days
            new_case("DUE-LATER", born_on=_born(2)),  # due in 13 days: not this week
            new_case("LATE", born_on=_born(20)),  # 5 days late, no witness
            new_case(
                "LATE-WITNESSED",
                born_on=_born(30),
                witnesses=[{"name": "Test Witness", "connection": "resident"}],
            ),
            new_case("SUBMITTED", born_on=_born(12)),  # submitted: the deadline is met
            new_case("EA-1", form="emergency-assistance"),  # no deadline
        ]
    )
    store.set_status("SUBMITTED", "documents_ready")
    store.set_status("SUBMITTED", "submitted")
    due = {d.case_id: d for d in store.due(on=TODAY)}
    assert set(due) == {"DUE-SOON", "LATE", "LATE-WITNESSED"}
    assert due["DUE-SOON"].days_left == 5 and not due["DUE-SOON"].late
    assert due["LATE"].late and due["LATE"].days_left == -5
    assert "witnesses" in due["LATE"].late_path and due["LATE"].missing == "witnesses"
    assert due["LATE-WITNESSED"].late and due["LATE-WITNESSED"].missing is None
    assert [d.case_id for d in store.due(on=TODAY)][0] == "LATE-WITNESSED"  # oldest first
    assert "DUE-LATER" in {d.case_id for d in store.due(on=TODAY, days=14)}


def test_list_due_through_the_cli(
    cli_run: Callable[..., Result], write_case: Callable[..., Path]
) -> None:
    cli_run(
        "case", "add", str(write_case("LATE-1", born_on="2026-10-01", notified_on="2026-10-10"))
    )
    cli_run(
        "case", "add", str(write_case("SOON-1", born_on="2026-11-10", notified_on="2026-11-12"))
    )
    text = cli_run("case", "list", "--due", "--today", "2026-11-20")
    assert text.exit_code == 0
    late_line = next(line for line in text.output.splitlines() if line.startswith("LATE-1"))
    assert "LATE" in late_line and "witness" in late_line
    data = json.loads(cli_run("case", "list", "--due", "--today", "2026-11-20", "--json").output)
    assert {d["case_id"]: d["late"] for d in data} == {"LATE-1": True, "SOON-1": False}
    assert cli_run("case", "list", "--due", "--today", "2026-09-01").output.startswith(
        "nothing due"
    )


def test_the_settings_file_is_checked_with_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "_workflows.yaml"
    bad.write_text(
        "workflows:\n  w:\n    states: [a, b]\n    transitions:\n      a: [c]\n"
        "forms: {}\ndefault: {workflow: w}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        workflows.load(bad)
    assert str(bad) in str(caught.value) and "unknown state 'c'" in str(caught.value)
    assert ":5:" in str(caught.value)


def test_the_shipped_settings_cover_the_birth_deadline() -> None:
    settings = workflows.load()
    birth = settings.for_form("birth-registration")
    assert birth.workflow.start == "intake"
    assert [d.days for d in birth.deadlines] == [15]
    assert settings.for_form("emergency-assistance").workflow.states[:4] == (
        "requested",
        "approved",
        "delivered",
        "closed",
    )
