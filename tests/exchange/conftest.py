"""Fixtures of the exchange tests: a termbase seeded from the small fixture glossary
plus a few concepts with a reviewed term, a deprecated term and a phrase."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clinic.termbase.termbase import Termbase

DATA = Path(__file__).parent / "data"
CORE = Path(__file__).parents[1] / "data" / "glossary" / "core.yaml"


@pytest.fixture
def glossary_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "glossary"
    folder.mkdir()
    shutil.copy(CORE, folder / "core.yaml")
    shutil.copy(DATA / "extra" / "labour.yaml", folder / "labour.yaml")
    return folder


@pytest.fixture
def tb(home: Path, glossary_folder: Path) -> Termbase:
    termbase = Termbase(home)
    termbase.seed(glossary_folder)
    return termbase


@pytest.fixture
def empty_tb(home: Path, tmp_path: Path) -> Termbase:
    empty = tmp_path / "empty-glossary"
    empty.mkdir()
    (empty / "none.yaml").write_text("concepts: []\n", encoding="utf-8")
    termbase = Termbase(home)
    termbase.seed(empty)
    return termbase
