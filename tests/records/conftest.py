"""Fixtures for the case store: synthetic case files, a store, and the CLI with the
case-store commands wired in (until clinic.cli.case and the root table carry them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from clinic.records.casestore import CaseStore
from clinic.records.values import NewCase

# Clearly synthetic people: tests grep every output for these to prove nothing leaks.
MOTHER = "Test Mother Zyxwv"
FATHER = "Test Father Qwerty"
CHILD = "Ma Sample Plugh"
PLANTED = (MOTHER, FATHER, CHILD, "Xyzzy Street 7", "0063412345679", "MH987654")


def case_yaml(
    case_id: str,
    *,
    born_on: str = "2026-11-02",
    notified_on: str = "2026-11-10",
    mother: str = MOTHER,
    extra: str = "",
) -> str:
    return f"""form: birth-registration
case_id: {case_id}
child: {{given_name: {CHILD}, sex: female, born_on: {born_on}, born_at_time: "08:30",
        place_of_birth: Mae Sot Hospital, district: Mae Sot, province: Tak}}
mother: {{name: {mother}, nationality: Myanmar, born_on: 1998-04-17, address: Xyzzy Street 7,
         document: {{type: pink_card, number: "0063412345679"}}}}
father: {{name: {FATHER}, nationality: Myanmar, document: {{type: passport, number: MH987654}}}}
informant: {{relationship: mother}}
notified_on: {notified_on}
{extra}"""


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    folder = tmp_path / "cases-in"
    folder.mkdir(exist_ok=True)

    def write(case_id: str, **options: Any) -> Path:
        path = folder / f"{case_id}.yaml"
        path.write_text(case_yaml(case_id, **options), encoding="utf-8")
        return path

    return write


def new_case(
    case_id: str,
    *,
    form: str = "birth-registration",
    born_on: str = "2026-11-02",
    nationality: str = "myanmar",
    **values: Any,
) -> NewCase:
    """A checked case without going through the forms (for library tests)."""
    if form == "birth-registration":
        base: dict[str, Any] = {
            "case_id": case_id,
            "child": {"given_name": CHILD, "sex": "female", "born_on": born_on},
            "mother": {
                "name": MOTHER,
                "nationality": nationality,
                "document": {"type": "pink_card", "number": "0063412345679"},
            },
            "informant": {"relationship": "mother"},
            "notified_on": "2026-11-10",
        }
    else:
        base = {
            "case_id": case_id,
            "requested_on": "2026-11-12",
            "beneficiary": {"name": MOTHER, "sex": "female", "nationality": nationality},
        }
    base.update(values)
    return NewCase(case_id, form, "1", base)


@pytest.fixture
def store(home: Path) -> Iterator[CaseStore]:
    with CaseStore(home) as opened:
        yield opened


@pytest.fixture
def cli_run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the root CLI with the case-store commands available under `case`, `report`
    and `store` (the lead wires them in clinic.cli; this does it for the tests)."""
    from clinic.cli import COMMANDS, cli
    from clinic.cli.case_records import COMMANDS as CASE_COMMANDS

    monkeypatch.setitem(COMMANDS, "report", "clinic.cli.report:report")
    monkeypatch.setitem(COMMANDS, "store", "clinic.cli.store:store")
    group: click.Group | None = None
    try:
        from clinic.cli import case as case_module

        found = getattr(case_module, "case", None)
        group = found if isinstance(found, click.Group) else None
    except Exception:
        group = None
    if group is None:
        group = click.Group("case")
        monkeypatch.setitem(COMMANDS, "case", "clinic.cli.case_records:__missing__")
        monkeypatch.setitem(cli.commands, "case", group)
    for command in CASE_COMMANDS:
        assert command.name is not None
        if command.name not in group.commands:
            monkeypatch.setitem(group.commands, command.name, command)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            cli, ["--home", str(home), *args], input=input, env=env, catch_exceptions=False
        )

    return invoke


def days_ago(days: int, today: dt.date | None = None) -> str:
    return ((today or dt.date.today()) - dt.timedelta(days=days)).isoformat()
