"""Bad input and a failing disk never crash a batch, leak a name or leave half a pack."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinic.cli import cli
from clinic.forms import fill as fill_module

EXAMPLE = Path(__file__).resolve().parents[2] / "forms" / "examples" / "birth-registration.yaml"


def clinic(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_deeply_nested_file_is_a_problem_of_its_own(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("form: birth-registration\ncase_id: X\nchild: " + "[" * 400 + "]" * 400)
    result = clinic(
        tmp_path / "home",
        "fill",
        "birth-registration",
        str(EXAMPLE),
        str(deep),
        "-o",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 2
    assert "deep.yaml: nested too deeply" in result.output
    assert len(list((tmp_path / "out").glob("*.docx"))) == 3  # the good case was filled


def test_device_files_and_folders_are_refused(tmp_path: Path) -> None:
    result = clinic(tmp_path / "home", "case", "check", "/dev/zero")
    assert result.exit_code == 2 and "is not a regular file" in result.output


def test_a_name_written_as_a_key_is_never_echoed(tmp_path: Path) -> None:
    case = tmp_path / "named.yaml"
    case.write_text(
        "form: birth-registration\ncase_id: X-1\nTest Person Zzyzx: mother\n"
        "Test Person Zzyzx: again\n"
    )
    result = clinic(tmp_path / "home", "case", "check", str(case))
    assert result.exit_code == 2
    assert "Zzyzx" not in result.output
    assert "named.yaml:4:1: duplicate key (a key that is not a field name)" in result.output


def test_a_full_disk_leaves_no_half_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = fill_module.write_new
    calls = []

    def failing(path: Path, data: bytes, force: bool = False) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, force)

    monkeypatch.setattr(fill_module, "write_new", failing)
    out = tmp_path / "out"
    result = clinic(tmp_path / "home", "fill", "birth-registration", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.output and "nothing was kept" in result.output
    assert list(out.glob("*.docx")) == []  # the first document was removed again
    log = tmp_path / "home" / "documents.jsonl"
    assert not log.exists() or log.read_text() == ""
    monkeypatch.setattr(fill_module, "write_new", real)
    again = clinic(tmp_path / "home", "fill", "birth-registration", str(EXAMPLE), "-o", str(out))
    assert again.exit_code == 0, again.output  # nothing left behind blocks a second run
