"""Checking a batch of case files for the store (clinic.records.intake): the forms are
read once for the whole batch, and each file's outcome is what checking it alone gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clinic.forms import definitions
from clinic.forms.casefile import check_case
from clinic.records import intake
from clinic.records.values import from_case


def test_a_batch_looks_at_the_forms_folder_once(
    write_case: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [write_case(f"ONCE-{n:03d}") for n in range(12)]
    looked = []
    real = definitions._stamp

    def counting(folder: Path) -> Any:
        looked.append(folder)
        return real(folder)

    monkeypatch.setattr(definitions, "_stamp", counting)
    checked = intake.check_files(files, jobs=1)
    assert len(checked.cases) == len(files) and not checked.errors
    assert len(looked) == 1
    assert intake._batch_forms is None  # the next batch reads the forms again
    intake.check_files(files[:2], jobs=1)
    assert len(looked) == 2


def test_a_batch_keeps_what_checking_one_file_keeps(write_case: Callable[..., Path]) -> None:
    path = write_case("SAME-001", extra="witnesses: []\n")
    alone = from_case(check_case(path).case)
    [batch] = intake.check_files([path], jobs=1).cases
    assert (batch.case_id, batch.form, batch.form_version) == (
        alone.case_id,
        alone.form,
        alone.form_version,
    )
    assert batch.values == alone.values and batch.source == path


def test_check_case_uses_the_forms_it_is_given(write_case: Callable[..., Path]) -> None:
    result = check_case(write_case("KNOWN-001"), known={})
    assert not result.ok
    assert [e.message for e in result.errors] == ["unknown form (known forms: )"]


def test_forms_that_do_not_load_are_reported_for_each_file(
    write_case: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic.exceptions import ClinicError

    def broken(folder: Path | None = None) -> Any:
        raise ClinicError("no forms folder")

    monkeypatch.setattr(definitions, "load_forms", broken)
    files = [write_case("BROKEN-001"), write_case("BROKEN-002")]
    checked = intake.check_files(files, jobs=1)
    assert checked.failed_files == 2
    assert all("no forms folder" in error for error in checked.errors)
