"""`clinic fill` through the root CLI: referrals without consent are refused, and every
document filled is logged on its case and can be verified."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clinic.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "forms" / "examples" / "referral.yaml"


def clinic(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def test_referral_without_consent_is_refused_unless_overridden(tmp_path: Path) -> None:
    home = tmp_path / "home"
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "organisation: Example Shelter for Children and Families",
        "organisation: Example Shelter Not Consented",
    )
    case = tmp_path / "referral.yaml"
    case.write_text(text, encoding="utf-8")
    assert clinic(home, "case", "add", str(case)).exit_code == 0

    refused = clinic(home, "fill", "referral", str(case), "-o", str(tmp_path / "out"))
    assert refused.exit_code == 2
    assert "did not consent" in refused.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())

    allowed = clinic(
        home,
        "fill",
        "referral",
        str(case),
        "-o",
        str(tmp_path / "out"),
        "--override",
        "urgent medical transfer agreed by the MDT",
    )
    assert allowed.exit_code == 0, allowed.output
    shown = json.loads(clinic(home, "case", "show", "EXAMPLE-2026-0301", "--json").output)
    assert shown["overrides"][-1]["reason"].startswith("urgent medical transfer")
    assert shown["documents"], "the filled document is logged on its case"

    verified = clinic(home, "case", "verify", "EXAMPLE-2026-0301")
    assert verified.exit_code == 0, verified.output
    document = next((tmp_path / "out").glob("*.docx"))
    document.write_bytes(document.read_bytes() + b"tampered")
    changed = clinic(home, "case", "verify", "EXAMPLE-2026-0301")
    assert changed.exit_code != 0 and "CHANGED" in changed.output
