"""The document log (`case verify`) and consents (`case consent`, check_referral)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from clinic.exceptions import ClinicError, NothingFound
from clinic.records import consent, documents
from clinic.records.casestore import CaseStore

from .conftest import new_case

Run = Callable[..., Result]


def _docs(tmp_path: Path) -> tuple[Path, list[documents.FilledDocument]]:
    template = tmp_path / "request.docx"
    template.write_bytes(b"template bytes")
    outputs = []
    for name in ("request", "declaration"):
        out = tmp_path / f"DOC-1-{name}.docx"
        out.write_bytes(f"filled {name}".encode())
        outputs.append(
            documents.FilledDocument(name, out, template_file=template, form="birth-registration")
        )
    return template, outputs


def test_filled_documents_are_logged_with_hashes_and_verified(
    cli_run: Run, home: Path, tmp_path: Path
) -> None:
    template, filled = _docs(tmp_path)
    with CaseStore(home) as store:
        store.add([new_case("DOC-1")])
    entries = documents.record("DOC-1", filled)
    assert entries[0]["template_sha256"] == hashlib.sha256(b"template bytes").hexdigest()
    assert entries[0]["output_sha256"] == hashlib.sha256(b"filled request").hexdigest()
    assert entries[0]["by"] and entries[0]["at"]
    ok = cli_run("case", "verify", "DOC-1")
    assert ok.exit_code == 0 and ok.output.count("OK") == 2
    filled[0].output.write_bytes(b"changed after printing")
    filled[1].output.unlink()
    result = cli_run("case", "verify", "DOC-1", "--json")
    assert result.exit_code == 1
    assert {c["template"]: c["status"] for c in json.loads(result.output)} == {
        "request": "changed",
        "declaration": "missing",
    }
    history = cli_run("case", "history", "DOC-1").output
    assert "documents: request " in history


def test_recording_for_a_case_not_in_the_store_says_so(home: Path, tmp_path: Path) -> None:
    _template, filled = _docs(tmp_path)
    with pytest.raises(NothingFound):
        documents.record("NOT-THERE", filled)


def test_consents_are_given_withdrawn_and_shown(cli_run: Run, home: Path) -> None:
    with CaseStore(home) as store:
        store.add([new_case("CON-1")])
    given = cli_run(
        "case",
        "consent",
        "CON-1",
        "--give",
        "data sharing",
        "--recipient",
        "Shelter A",
        "--recipient",
        "District Office",
        "--items",
        "identity,medical",
        "--on",
        "2026-11-01",
    )
    assert given.exit_code == 0, given.output
    assert "data_sharing with Shelter A (identity, medical): given 2026-11-01, in force" in (
        given.output
    )
    assert cli_run("case", "consent", "CON-1", "--give", "photographs").exit_code == 0
    no_recipient = cli_run("case", "consent", "CON-1", "--give", "data_sharing")
    assert no_recipient.exit_code == 2 and "recipient" in no_recipient.stderr
    withdrawn = cli_run(
        "case",
        "consent",
        "CON-1",
        "--withdraw",
        "data_sharing",
        "--recipient",
        "district office",
        "--on",
        "2026-11-15",
    )
    assert (
        "data_sharing with District Office (identity, medical): given 2026-11-01, "
        "withdrawn 2026-11-15" in withdrawn.output
    )
    records = json.loads(cli_run("case", "consent", "CON-1", "--json").output)
    assert [c["kind"] for c in records] == ["data_sharing", "data_sharing", "photographs"]
    unknown = cli_run("case", "consent", "CON-1", "--give", "fingerprints")
    assert unknown.exit_code == 2 and "unknown consent" in unknown.stderr


def test_check_referral_refuses_what_was_not_consented_unless_overridden(home: Path) -> None:
    with CaseStore(home) as store:
        store.add([new_case("REF-1")])
        consent.give(
            store,
            "REF-1",
            "data_sharing",
            recipients=["Shelter A"],
            items=["identity", "medical"],
            given_on=dt.date(2026, 11, 1),
        )
        consent.give(
            store,
            "REF-1",
            "data_sharing",
            recipients=["Legal Aid"],
            items=["all"],
            given_on=dt.date(2026, 11, 1),
        )
        ok = consent.check_referral("REF-1", ["shelter a", "Legal Aid"], ["Identity"], store=store)
        assert ok.ok and not ok.overridden
        with pytest.raises(consent.ConsentMissing) as caught:
            consent.check_referral(
                "REF-1", ["Shelter A", "Shelter B"], ["identity", "address"], store=store
            )
        message = str(caught.value)
        assert "'Shelter A': address" in message
        assert "a recipient not in the consent record: identity, address" in message
        assert "--override" in message
        consent.withdraw(
            store, "REF-1", "data_sharing", recipients=["Legal Aid"], on=dt.date(2026, 11, 10)
        )
        with pytest.raises(consent.ConsentMissing):
            consent.check_referral(
                "REF-1", ["Legal Aid"], ["identity"], store=store, on=dt.date(2026, 11, 12)
            )
        assert consent.check_referral(
            "REF-1", ["Legal Aid"], ["identity"], store=store, on=dt.date(2026, 11, 5)
        ).ok  # before the withdrawal
        result = consent.check_referral(
            "REF-1", ["Shelter B"], ["address"], "urgent medical transfer", store=store
        )
        assert result.overridden and result.missing == {"Shelter B": ["address"]}
        override = store.get("REF-1")["overrides"][-1]
        assert override["reason"] == "urgent medical transfer"
        entry = [e for e in store.audit_entries() if e["action"] == "consent-override"][-1]
        assert entry["case"] == "REF-1" and entry["items"] == ["address"]
        assert "urgent" not in json.dumps(entry)  # the reason stays on the case
        with pytest.raises(consent.ConsentMissing, match="not in the case store"):
            consent.check_referral("REF-404", ["Shelter A"], ["identity"], store=store)
        with pytest.raises(ClinicError):
            consent.check_referral("REF-1", [], ["identity"], store=store)


def test_consent_and_referral_case_files_record_the_consents_they_state(
    cli_run: Run, home: Path, tmp_path: Path
) -> None:
    from clinic.forms.casefile import read_case

    examples = Path(__file__).resolve().parents[2] / "forms" / "examples"
    added = cli_run("case", "add", str(examples / "consent.yaml"), str(examples / "referral.yaml"))
    assert added.exit_code == 0, added.output + added.stderr
    with CaseStore(home) as store:
        stated = store.get("EXAMPLE-2026-0401")["consents"]
        kinds = sorted({c["kind"] for c in stated})
        assert "assistance" in kinds and "data_sharing" in kinds and "medical" in kinds
        assert "hiv_sti_test" not in kinds  # answered no
        referral_case = read_case(examples / "referral.yaml")
        # The referral goes to the receiving organisation, named in the consent: allowed.
        assert consent.check_referral(referral_case, store=store).ok
        # The same information to someone not named: refused.
        with pytest.raises(consent.ConsentMissing, match="a recipient not in the consent"):
            consent.check_referral(referral_case, ["Another Agency"], store=store)
        # Withdrawn in the store: the file's consent no longer counts.
        consent.withdraw(store, "EXAMPLE-2026-0301", "data_sharing")
        with pytest.raises(consent.ConsentMissing):
            consent.check_referral(referral_case, store=store)
    # A referral not in the store is judged by its own file.
    other = tmp_path / "referral.yaml"
    text = (examples / "referral.yaml").read_text(encoding="utf-8")
    other.write_text(text.replace("EXAMPLE-2026-0301", "EXAMPLE-2026-0399"), encoding="utf-8")
    with CaseStore(home) as store:
        assert consent.check_referral(read_case(other), store=store).ok
        with pytest.raises(consent.ConsentMissing, match="judged by the case file"):
            consent.check_referral(read_case(other), ["Another Agency"], store=store)


def test_a_fill_report_is_logged_on_the_cases_and_verified(
    cli_run: Run, home: Path, tmp_path: Path, write_case: Callable[..., Path]
) -> None:
    from clinic.cli.case_records import log_filled, refuse_unconsented
    from clinic.forms.definitions import get_form

    form = get_form("birth-registration")
    if not all(spec.path.exists() for spec in form.templates):
        pytest.skip("the birth-registration templates are not built here")
    from clinic.forms.fill import fill

    in_store = write_case("FILL-1")
    not_in_store = write_case("FILL-2")
    assert cli_run("case", "add", str(in_store)).exit_code == 0
    report = fill("birth-registration", [in_store, not_in_store], tmp_path / "out")
    assert not report.failed
    log_filled(report)
    result = cli_run("case", "verify", "FILL-1", "--json")
    checks = json.loads(result.output)
    assert result.exit_code == 0 and checks and {c["status"] for c in checks} == {"ok"}
    doc = json.loads(cli_run("case", "show", "FILL-1", "--json").output)
    assert {d["template"] for d in doc["documents"]} == {
        d.template for d in report.documents if "FILL-1" in d.path.name
    }
    assert all(len(d["template_sha256"]) == 64 for d in doc["documents"])
    examples = Path(__file__).resolve().parents[2] / "forms" / "examples"
    referral = tmp_path / "referral.yaml"
    referral.write_text(
        (examples / "referral.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "organisation: Example Shelter for Children and Families",
            "organisation: Some Other Shelter",
        ),
        encoding="utf-8",
    )
    refused = refuse_unconsented([str(referral), str(examples / "referral.yaml")], None)
    assert list(refused) == [str(referral)]
    message = str(refused[str(referral)])
    assert "a recipient not in the consent record" in message  # not echoed: may be a name
    assert "Some Other Shelter" not in message and str(referral) in message
    assert refuse_unconsented([str(referral)], "court order") == {}
