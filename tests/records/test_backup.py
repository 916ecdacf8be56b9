"""`clinic store check/backup/restore`, and damaged stores through the CLI."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]


@pytest.fixture
def three_cases(cli_run: Run, write_case: Callable[..., Path], home: Path) -> Path:
    for n in range(3):
        assert cli_run("case", "add", str(write_case(f"BK-{n}"))).exit_code == 0
    return home


def _files(home: Path) -> dict[str, bytes]:
    folder = home / "cases"
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and p.name in ("cases.json", "cases.journal")
    }


def test_check_reports_a_healthy_store(three_cases: Path, cli_run: Run) -> None:
    result = cli_run("store", "check")
    assert result.exit_code == 0 and "3 case(s)" in result.output and "ok" in result.output
    assert "audit" in result.output


def test_backup_then_restore_after_damage(three_cases: Path, cli_run: Run, tmp_path: Path) -> None:
    made = cli_run("store", "backup", "--to", str(tmp_path / "backups"))
    assert made.exit_code == 0
    backup = Path(made.output.strip())
    assert backup.is_file() and (backup.stat().st_mode & 0o777) == 0o600
    with tarfile.open(backup) as tar:
        assert sorted(tar.getnames()) == ["MANIFEST.json", "cases.journal", "cases.json"]
    cli_run("case", "status", "BK-0", "withdrawn")
    journal = three_cases / "cases" / "cases.journal"
    lines = journal.read_bytes().split(b"\n")
    lines[1] = b"garbage that is not a record"
    journal.write_bytes(b"\n".join(lines))
    damaged = _files(three_cases)
    for args in (
        ("case", "list"),
        ("case", "show", "BK-1"),
        ("store", "check"),
        ("case", "add", str(tmp_path / "missing.yaml")),
        ("store", "backup"),
    ):
        result = cli_run(*args)
        assert result.exit_code in (1, 2), args
        assert _files(three_cases) == damaged, f"{args} wrote to a damaged store"
    listed = cli_run("case", "list")
    assert "damaged" in listed.stderr and "cases.journal:2" in listed.stderr
    assert "store check" in listed.stderr and "Traceback" not in listed.stderr
    refused = cli_run("store", "restore", str(backup))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    restored = cli_run("store", "restore", str(backup), "--yes")
    assert restored.exit_code == 0 and "restored 3 case(s)" in restored.output
    kept = next((three_cases / "cases").glob("replaced-*"))
    assert (kept / "cases.journal").read_bytes() == damaged["cases.journal"]
    assert cli_run("case", "show", "BK-0").exit_code == 0
    assert cli_run("store", "check").exit_code == 0
    assert cli_run("case", "status", "BK-0", "documents", "ready").exit_code == 0


def test_a_tampered_backup_is_refused(three_cases: Path, cli_run: Run, tmp_path: Path) -> None:
    backup = Path(cli_run("store", "backup", "--to", str(tmp_path)).output.strip())
    with tarfile.open(backup) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    tampered = {
        name: data.replace(b"BK-1", b"BK-7")
        for name, data in members.items()
        if name != "MANIFEST.json"
    }
    assert tampered != {n: d for n, d in members.items() if n != "MANIFEST.json"}
    members.update(tampered)
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as tar:
        import io

        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = _files(three_cases)
    result = cli_run("store", "restore", str(forged), "--yes")
    assert result.exit_code == 2 and "checksum" in result.stderr
    assert _files(three_cases) == before
    not_a_backup = tmp_path / "x.tar"
    not_a_backup.write_bytes(b"hello")
    assert cli_run("store", "restore", str(not_a_backup), "--yes").exit_code == 2


def test_a_store_of_a_newer_format_is_refused_with_a_clear_message(
    three_cases: Path, cli_run: Run
) -> None:
    cli_run("store", "compact")
    snapshot = three_cases / "cases" / "cases.json"
    snapshot.write_bytes(snapshot.read_bytes().replace(b'"format":1}', b'"format":7}', 1))
    before = _files(three_cases)
    result = cli_run("case", "status", "BK-0", "withdrawn")
    assert result.exit_code == 2 and "newer than this clinic understands" in result.stderr
    assert _files(three_cases) == before


def test_every_file_and_folder_the_store_creates_is_owner_only(
    three_cases: Path, cli_run: Run
) -> None:
    backup = cli_run("store", "backup").output.strip()
    cli_run("store", "restore", backup, "--yes")
    cli_run("case", "status", "BK-1", "withdrawn")
    cli_run("store", "compact")
    created = [p for p in three_cases.rglob("*")]
    assert any(p.name.endswith(".sqlite") for p in created)
    assert any(p.suffix == ".tar" for p in created)
    for path in created:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"
