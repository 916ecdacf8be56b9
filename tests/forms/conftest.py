"""Fixtures for the forms tests: synthetic case files and an in-process CLI runner.

Every person here is invented; the document numbers only pass their format checks."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clinic import paths
from clinic.cli import cli

EXAMPLES = paths.shipped("forms") / "examples"
BAD_CASES = Path(__file__).parent / "bad_cases"

# The minimal case of issue 5, with its invented names.
MINIMAL = """\
form: birth-registration
case_id: MSL-2026-0147
child: {given_name: Hnin Ei Phyu, sex: female, born_on: 2026-11-02, born_at_time: "08:30",
        place_of_birth: Mae Sot Hospital, district: Mae Sot, province: Tak}
mother: {name: Khin Mar Aye, nationality: Myanmar, born_on: 1998-04-17,
         document: {type: pink_card, number: "0063412345679"}}
father: {name: Aung Ko Ko, nationality: Myanmar, document: {type: passport, number: MH123456}}
informant: {relationship: mother}
notified_on: 2026-11-10
"""


@pytest.fixture(autouse=True)
def _forms_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Library calls write their documents log here, never in the real data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLINIC_HOME", str(home))
    paths.set_home(None)
    return home


def needs(*programs: str) -> pytest.MarkDecorator:
    """Skip, with the reason shown, when an outside program is not installed."""
    missing = [p for p in programs if shutil.which(p) is None]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"needs {', '.join(missing)} (apt-get install "
        "libreoffice-writer-nogui poppler-utils fonts-tlwg-laksaman fonts-sil-padauk)",
    )


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """write_case(text, name="case.yaml") -> the path of a case file in tmp_path."""

    def write(text: str, name: str = "case.yaml") -> Path:
        path = tmp_path / "cases" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal_case(write_case: Callable[..., Path]) -> Path:
    return write_case(MINIMAL, "minimal.yaml")


@pytest.fixture
def clinic(tmp_path: Path) -> Callable[..., Result]:
    """clinic("fill", ...) -> click Result, run in-process with a temporary --home."""
    runner = CliRunner()
    home = tmp_path / "home"

    def invoke(*args: str, input: str | None = None) -> Result:
        try:
            return runner.invoke(cli, ["--home", str(home), *args], input=input)
        finally:
            paths.set_home(None)

    return invoke
