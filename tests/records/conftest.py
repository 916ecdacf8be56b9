"""Fixtures for the case store: synthetic case files, a store, and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
def cli_run(home: Path) -> Callable[..., Result]:
    """Run the root CLI in-process with this test's data directory."""
    from clinic.cli import cli

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            cli, ["--home", str(home), *args], input=input, env=env, catch_exceptions=False
        )

    return invoke


def days_ago(days: int, today: dt.date | None = None) -> str:
    return ((today or dt.date.today()) - dt.timedelta(days=days)).isoformat()
