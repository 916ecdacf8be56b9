"""Shared fixtures. Every test gets its own data directory: nothing touches the real one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clinic import paths
from clinic.cli import cli
from clinic.termbase.termbase import Termbase

FIXTURE_GLOSSARY = Path(__file__).parent / "data" / "glossary"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CLINIC_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    paths.set_home(None)
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    return _isolated_home


@pytest.fixture
def termbase(home: Path) -> Termbase:
    """A termbase seeded from the small fixture glossary (real script samples)."""
    tb = Termbase(home)
    tb.seed(FIXTURE_GLOSSARY)
    return tb


@pytest.fixture
def run(home: Path):  # type: ignore[no-untyped-def]
    """Run the CLI in-process: run("lookup", "trafficking") -> click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(
            cli, ["--home", str(home), *args], input=input, env=env, catch_exceptions=False
        )

    return invoke
