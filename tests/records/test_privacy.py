"""Personal data never reaches an error message, a listing, a report, the audit trail or
a traceback. Synthetic names are planted in cases, notes and override reasons; every
output that is not a deliberate display of one case is searched for them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from clinic.records import consent
from clinic.records.casestore import CaseStore

from .conftest import PLANTED, case_yaml

Run = Callable[..., Result]


def _assert_clean(text: str, where: str) -> None:
    for name in PLANTED:
        assert name not in text, f"{name!r} leaked into {where}"


def test_no_output_error_report_or_audit_entry_carries_a_planted_value(
    cli_run: Run, write_case: Callable[..., Path], tmp_path: Path, home: Path
) -> None:
    files = [write_case(f"PII-{n}") for n in range(12)]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        case_yaml("PII-BAD")
        .replace("sex: female", "sex: Test Mother Zyxwv")
        .replace("born_on: 2026-11-02", "born_on: Ma Sample Plugh"),
        encoding="utf-8",
    )
    outputs: list[tuple[str, Result]] = []

    def run(*args: str) -> Result:
        result = cli_run(*args)
        outputs.append((" ".join(args), result))
        return result

    run("case", "add", *map(str, files), "--office", "mae-sot")
    run("case", "add", str(bad))  # errors name file, line and field, never the value
    run("case", "add", str(files[0]))  # duplicate
    run("case", "status", "PII-1", "documents", "ready", "--note", "Test Mother Zyxwv phoned")
    run("case", "status", "PII-1", "closed")  # not allowed
    run("case", "status", "PII-2", "withdrawn", "--note", "Test Father Qwerty moved")
    run(
        "case",
        "consent",
        "PII-3",
        "--give",
        "data_sharing",
        "--recipient",
        "Shelter A",
        "--items",
        "identity",
    )
    run("case", "consent", "PII-3", "--withdraw", "medical")  # nothing to withdraw
    run("case", "update", "PII-4", str(files[5]))  # a file for another case
    run("case", "show", "Test Mother Zyxwv")  # a name typed where an id goes
    run("case", "list")
    run("case", "list", "--json")
    run("case", "list", "--due", "--today", "2026-12-01")
    run("case", "list", "--due", "--json", "--today", "2026-12-01")
    run("report", "--by", "month,form,status,nationality,office", "--min-count", "1")
    run("report", "--by", "nationality", "--json", "--min-count", "1")
    run("report", "--by", "form,status", "--csv", "--min-count", "1")
    run("store", "check")
    run("store", "audit")
    run("store", "audit", "--json")
    run("case", "verify", "PII-1")
    with CaseStore(home) as store:
        with pytest.raises(consent.ConsentMissing) as refused:
            consent.check_referral("PII-5", ["Shelter B"], ["identity", "medical"], store=store)
        _assert_clean(str(refused.value), "the consent error")
        consent.check_referral(
            "PII-5", ["Shelter B"], ["medical"], "Ma Sample Plugh's aunt asked for it", store=store
        )
    run("store", "audit", "--json")
    for command, result in outputs:
        _assert_clean(result.output, f"the output of `{command}`")
        _assert_clean(result.stderr, f"the errors of `{command}`")
    assert any(r.exit_code == 2 for _, r in outputs), "error paths were exercised"
    entries = json.loads(outputs[-1][1].output)["entries"]
    assert {e["action"] for e in entries} >= {"add", "status", "consent", "consent-override"}
    # The note and the override reason are kept on the case, for the staff who open it.
    shown = cli_run("case", "history", "PII-1").output
    assert "Test Mother Zyxwv phoned" in shown
    with CaseStore(home) as store:
        assert "aunt" in store.get("PII-5")["overrides"][0]["reason"]


def test_an_unexpected_error_shows_no_traceback_and_no_value(
    cli_run: Run, write_case: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_run("case", "add", str(write_case("PII-9")))
    from clinic.records import casestore

    def broken(self: object, case_id: str) -> None:
        raise KeyError("Test Mother Zyxwv")

    monkeypatch.setattr(casestore.CaseStore, "get", broken)
    monkeypatch.delenv("CLINIC_DEBUG", raising=False)
    result = cli_run("case", "show", "PII-9")
    assert result.exit_code == 3
    assert "internal error (KeyError)" in result.stderr
    _assert_clean(result.output + result.stderr, "an internal error")
    assert "Traceback" not in result.stderr
