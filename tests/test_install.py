"""A plain (non-editable) install carries the data folders and works from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_data_and_runs_from_another_directory(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next((tmp_path / "dist").glob("clinic-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("glossary", "forms", "templates"):
        shipped = {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert shipped, folder
        assert {f"clinic/_data/{name}" for name in shipped} <= set(names), folder

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "CLINIC_HOME": str(tmp_path / "home")}
    where = subprocess.run(
        [sys.executable, "-c", "import clinic; print(clinic.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))
    result = subprocess.run(
        [sys.executable, "-m", "clinic", "lookup", "trafficking", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert any(
        "trafficking" in t["text"] for c in json.loads(result.stdout) for t in c["terms"]["en"]
    )
