"""Filling: the `clinic fill` command and clinic.forms.fill - safe names, no overwrite,
one bad case among good ones, the documents log, parallel jobs and PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import EXAMPLES, MINIMAL, needs

from clinic.exceptions import ClinicError
from clinic.forms import fill as fill_module
from clinic.forms.fill import fill, output_name, slug
from clinic.forms.render import docx_text

Clinic = Callable[..., Result]

REQUEST = "MSL-2026-0147_birth-registration_request.docx"


def test_the_minimal_case_fills(clinic: Clinic, minimal_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = clinic("fill", "birth-registration", str(minimal_case), "-o", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        [
            REQUEST,
            "MSL-2026-0147_birth-registration_declaration.docx",
            "MSL-2026-0147_birth-registration_checklist.docx",
        ]
    )  # on time, notified by the mother: no authorisation, no witness statements
    assert str(out / REQUEST) in result.output  # prints what it wrote
    assert "not needed for this case: authorisation, witness-statements" in result.output
    assert "Hnin Ei Phyu" in docx_text((out / REQUEST).read_bytes())


def test_a_late_registration_by_a_relative_gets_the_whole_pack(tmp_path: Path) -> None:
    report = fill(
        "birth-registration", [EXAMPLES / "birth-registration-late.yaml"], tmp_path / "out"
    )
    (result,) = report.results
    assert result.ok and result.skipped == []
    names = {d.template for d in result.documents}
    assert names == {"request", "declaration", "authorisation", "witness-statements", "checklist"}
    witnesses = next(d for d in result.documents if d.template == "witness-statements")
    text = docx_text(witnesses.path.read_bytes())
    assert "Test Witness One" in text and "Test Witness Two" in text
    assert "I helped with the birth" in text and "The mother and the child were well." in text


def test_documents_log_records_hashes_and_no_personal_data(
    clinic: Clinic, minimal_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert clinic("fill", "birth-registration", str(minimal_case), "-o", str(out)).exit_code == 0
    log = (tmp_path / "home" / "documents.jsonl").read_text("utf-8")
    entries = [json.loads(line) for line in log.splitlines()]
    assert len(entries) == 3
    import hashlib

    for entry in entries:
        assert set(entry) >= {
            "form",
            "template",
            "template_sha256",
            "output",
            "output_sha256",
            "time",
            "user",
            "case_id",
        }
        assert entry["case_id"] == "MSL-2026-0147"
        produced = out / entry["output"]
        assert hashlib.sha256(produced.read_bytes()).hexdigest() == entry["output_sha256"]
        template = Path(fill_module.paths.shipped("templates")) / entry["template_file"]
        assert hashlib.sha256(template.read_bytes()).hexdigest() == entry["template_sha256"]
    for personal in (
        "Hnin",
        "Khin Mar Aye",
        "Aung Ko Ko",
        "0063412345679",
        "MH123456",
        "1998-04-17",
        str(out),
    ):
        assert personal not in log


def test_never_overwrite_without_force(clinic: Clinic, minimal_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert clinic("fill", "birth-registration", str(minimal_case), "-o", str(out)).exit_code == 0
    request = out / REQUEST
    request.write_bytes(b"edited by hand")
    (out / "MSL-2026-0147_birth-registration_checklist.docx").unlink()
    again = clinic("fill", "birth-registration", str(minimal_case), "-o", str(out))
    assert again.exit_code == 2
    assert "already exist" in again.output and "--force" in again.output
    assert request.read_bytes() == b"edited by hand"
    # nothing half-written: the missing document was not written either
    assert not (out / "MSL-2026-0147_birth-registration_checklist.docx").exists()
    forced = clinic("fill", "birth-registration", str(minimal_case), "-o", str(out), "--force")
    assert forced.exit_code == 0
    assert request.read_bytes().startswith(b"PK")


def test_write_new_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    fill_module.write_new(target, b"one")
    with pytest.raises(ClinicError, match="already exists"):
        fill_module.write_new(target, b"two")
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]  # no temporary file left


def test_one_bad_case_does_not_stop_the_others(
    clinic: Clinic, write_case: Callable[..., Path], tmp_path: Path
) -> None:
    good = write_case(MINIMAL, "good.yaml")
    bad = write_case(
        MINIMAL.replace("MSL-2026-0147", "MSL-2026-0148").replace("sex: female", "sex: F"),
        "bad.yaml",
    )
    other = write_case(MINIMAL.replace("MSL-2026-0147", "MSL-2026-0149"), "other.yaml")
    out = tmp_path / "out"
    result = clinic("fill", "birth-registration", str(good), str(bad), str(other), "-o", str(out))
    assert result.exit_code == 2
    assert "1 of 3 case(s) failed" in result.output and "bad.yaml" in result.output
    assert f"{bad}:3:" in result.stderr and "child.sex: expected one of" in result.stderr
    assert len(list(out.glob("MSL-2026-0147_*"))) == 3
    assert len(list(out.glob("MSL-2026-0149_*"))) == 3
    assert not list(out.glob("MSL-2026-0148_*"))


def test_two_cases_with_one_case_number_are_refused(
    write_case: Callable[..., Path], tmp_path: Path
) -> None:
    first = write_case(MINIMAL, "first.yaml")
    second = write_case(MINIMAL, "second.yaml")
    report = fill("birth-registration", [first, second], tmp_path / "out", force=True)
    assert [r.ok for r in report.results] == [True, False]
    assert "same case number" in str(report.results[1].errors[0])


@pytest.mark.parametrize("case_id", ["../../etc/passwd", "..", "a/b", "/tmp/x", "C:\\x"])
def test_path_traversal_in_the_case_id_is_refused(
    write_case: Callable[..., Path], tmp_path: Path, case_id: str
) -> None:
    path = write_case(MINIMAL.replace("case_id: MSL-2026-0147", f"case_id: '{case_id}'"))
    out = tmp_path / "deep" / "out"
    report = fill("birth-registration", [path], out)
    assert not report.results[0].ok
    assert report.results[0].errors[0].field == "case_id"
    assert not list(tmp_path.rglob("*.docx"))


@pytest.mark.parametrize("raw", ["../../etc/passwd", "..", "a/b\\c", ".hidden", "ชื่อ", ""])
def test_output_names_never_leave_the_folder(raw: str, tmp_path: Path) -> None:
    name = output_name(raw, "birth-registration", "request")
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith((".", "-"))
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert slug("MSL-2026-0147") == "MSL-2026-0147"


def test_zawgyi_values_are_converted_and_reported(
    clinic: Clinic, write_case: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_case(
        MINIMAL.replace(
            "mother: {name: Khin Mar Aye,", "mother: {name: Khin Mar Aye, name_my: ခင္မာေအး,"
        )
    )
    checked = clinic("case", "check", str(path))
    assert checked.exit_code == 0
    assert "mother.name_my: Burmese text looked like Zawgyi" in checked.output
    out = tmp_path / "out"
    filled = clinic("fill", "birth-registration", str(path), "-o", str(out))
    assert filled.exit_code == 0 and "Zawgyi" in filled.output
    text = docx_text((out / REQUEST).read_bytes())
    assert "ခင်မာအေး" in text and "ခင္မာေအး" not in text


def test_parallel_jobs_fill_every_case(write_case: Callable[..., Path], tmp_path: Path) -> None:
    cases = [
        write_case(MINIMAL.replace("MSL-2026-0147", f"JOB-{i}"), f"c{i}.yaml") for i in range(4)
    ]
    seen = []
    report = fill(
        "birth-registration",
        cases,
        tmp_path / "out",
        jobs=2,
        progress=lambda r: seen.append(r.source),
    )
    assert all(r.ok for r in report.results)
    assert [r.source for r in report.results] == cases  # reported in the order given
    assert sorted(seen) == sorted(cases)
    assert len(list((tmp_path / "out").glob("*.docx"))) == 12
    log = (tmp_path / "home" / "documents.jsonl").read_text()
    assert len(log.splitlines()) == 12


def test_the_same_case_gives_the_same_files(minimal_case: Path, tmp_path: Path) -> None:
    first = fill("birth-registration", [minimal_case], tmp_path / "a")
    second = fill("birth-registration", [minimal_case], tmp_path / "b")
    assert [d.sha256 for d in first.documents] == [d.sha256 for d in second.documents]
    for doc in first.documents:
        assert doc.path.read_bytes() == (tmp_path / "b" / doc.path.name).read_bytes()


def test_fill_json_output(clinic: Clinic, minimal_case: Path, tmp_path: Path) -> None:
    result = clinic(
        "fill", "birth-registration", str(minimal_case), "-o", str(tmp_path / "out"), "--json"
    )
    data = json.loads(result.stdout)
    assert data["cases"] == 1 and data["failed"] == 0 and data["documents"] == 3
    assert data["results"][0]["skipped_templates"] == ["authorisation", "witness-statements"]


def test_a_case_for_another_form_is_refused(clinic: Clinic, tmp_path: Path) -> None:
    result = clinic("fill", "consent", str(EXAMPLES / "referral.yaml"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "this case is for another form; expected 'consent'" in result.output


# --- PDF -------------------------------------------------------------------------------


def test_pdf_without_libreoffice_says_so_and_writes_nothing(
    clinic: Clinic, minimal_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CLINIC_SOFFICE", raising=False)
    out = tmp_path / "out"
    result = clinic("fill", "birth-registration", str(minimal_case), "-o", str(out), "--pdf")
    assert result.exit_code == 2
    assert "LibreOffice" in result.output and "without --pdf" in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*")) if out.exists() else True


@needs("soffice", "pdftotext")
def test_pdf_is_rendered_and_its_text_checked(
    clinic: Clinic, write_case: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_case(
        MINIMAL.replace(
            "mother: {name: Khin Mar Aye,", "mother: {name: Khin Mar Aye, name_my: ခင်မာအေး,"
        )
    )
    out = tmp_path / "out"
    result = clinic("fill", "birth-registration", str(path), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 3
    pdftotext = shutil.which("pdftotext")
    assert pdftotext
    text = subprocess.run(
        [pdftotext, str(out / REQUEST.replace(".docx", ".pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    squeezed = "".join(text.split())  # pdftotext spaces Burmese clusters apart
    for expected in (
        "คำร้องขอแจ้งการเกิด",
        "เด็กหญิงHninEiPhyu",
        "2พฤศจิกายน2569",
        "0-0634-12345-67-9",
        "ခင်မာအေး",
        "မိခင်",
    ):
        assert expected in squeezed, expected
    log = (tmp_path / "home" / "documents.jsonl").read_text()
    assert sum(json.loads(line)["kind"] == "pdf" for line in log.splitlines()) == 3


def test_many_cases_show_a_progress_bar_on_a_terminal(
    clinic: Clinic,
    write_case: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import clinic.cli.forms as forms_cli

    monkeypatch.setattr(forms_cli, "wants_rich", lambda stream=None: True)
    cases = [
        write_case(MINIMAL.replace("MSL-2026-0147", f"BAR-{i}"), f"b{i}.yaml") for i in range(3)
    ]
    result = clinic("fill", "birth-registration", *map(str, cases), "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert "filling" in result.stderr and "3/3" in result.stderr
    assert "3 of 3 case(s) filled, 9 file(s) written" in result.stdout
