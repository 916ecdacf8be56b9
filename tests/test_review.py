"""The review workflow: a sheet out, corrections back, safe to apply twice."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from clinic.termbase.review import COLUMNS
from clinic.termbase.termbase import Termbase


def fill(sheet: Path, edits: dict[str, dict[str, str]]) -> Path:
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    for row in rows:
        if row[COLUMNS["id"]] in edits:
            for key, value in edits[row[COLUMNS["id"]]].items():
                row[COLUMNS[key]] = value
    out = sheet.with_name("filled.csv")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS.values()))
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_sheet_round_trip(termbase: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "sheet.csv"
    result = run("glossary", "review", "--lang", "th", "--out", str(sheet))
    assert result.exit_code == 0, result.output
    text = sheet.read_text(encoding="utf-8-sig")
    assert "การค้ามนุษย์" in text and "ผู้ย้ายถิ่นที่ไม่ปกติ" in text
    filled = fill(
        sheet,
        {
            "trafficking-in-persons": {"approved": "yes"},
            "irregular-migrant": {"correction": "ผู้ย้ายถิ่นแบบไม่ปกติ", "comment": "usual NGO wording"},
        },
    )
    out = run(
        "glossary",
        "review",
        "--apply",
        str(filled),
        "--by",
        "Reviewer Test",
        "--on",
        "2026-11-20",
        "--json",
    )
    report = json.loads(out.output)
    assert len(report["corrected"]) == 1 and len(report["approved"]) == 1
    concept = json.loads(run("glossary", "show", "irregular-migrant", "--json").output)
    th = concept["terms"]["th"][0]
    assert th["text"] == "ผู้ย้ายถิ่นแบบไม่ปกติ"
    assert (th["review"], th["reviewed_by"], th["reviewed_on"]) == (
        "reviewed",
        "Reviewer Test",
        "2026-11-20",
    )
    assert th["extra"]["previous_texts"] == ["ผู้ย้ายถิ่นที่ไม่ปกติ"]
    assert th["roman"] != "phu yai thin thi mai pokati"  # recomputed for the new text
    assert "usual NGO wording" in th["note"]

    # applying the same sheet again changes nothing and loses nothing
    before = termbase.read_store()
    again = json.loads(
        run(
            "glossary",
            "review",
            "--apply",
            str(filled),
            "--by",
            "Reviewer Test",
            "--on",
            "2026-11-20",
            "--json",
        ).output
    )
    assert again["corrected"] == [] and again["approved"] == [] and len(again["unchanged"]) == 2
    assert sorted(map(json.dumps, termbase.read_store())) == sorted(map(json.dumps, before))


def test_apply_to_a_newer_termbase_reports_conflicts(
    termbase: Termbase,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "sheet.csv"
    run("glossary", "review", "--lang", "th", "--out", str(sheet))
    filled = fill(
        sheet,
        {
            "water-and-food": {"correction": "น้ำสะอาด"},
            "trafficking-in-persons": {"approved": "yes"},
        },
    )
    # meanwhile someone changed the Thai term of water-and-food and removed a concept
    run(
        "glossary", "edit", "water-and-food", "--prefer", "th=น้ำดื่มสะอาด", "--remove-term", "th=น้ำดื่ม"
    )
    run("glossary", "rm", "trafficking-in-persons", "--yes")
    report = json.loads(
        run("glossary", "review", "--apply", str(filled), "--by", "R", "--json").output
    )
    assert len(report["conflicts"]) == 2
    concept = json.loads(run("glossary", "show", "water-and-food", "--json").output)
    assert [t["text"] for t in concept["terms"]["th"]] == ["น้ำดื่มสะอาด"]


def test_docx_sheet_and_dry_run(termbase: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.oxml.ns import qn

    sheet = tmp_path / "sheet.docx"
    assert (
        run(
            "glossary", "review", "--lang", "my", "--domain", "labour", "--out", str(sheet)
        ).exit_code
        == 0
    )
    document = Document(str(sheet))
    table = document.tables[0]
    assert table.rows[1].cells[4].text == "ကြွေးမြီနှောင်ဖွဲ့ခံရခြင်း"
    run_fonts = table.rows[1].cells[4].paragraphs[0].runs[0]._r.rPr.rFonts
    assert run_fonts.get(qn("w:cs")) == "Padauk"
    table.rows[1].cells[8].paragraphs[0].add_run("yes")
    document.save(str(sheet))
    before = termbase.read_store()
    dry = run("glossary", "review", "--apply", str(sheet), "--by", "R", "--dry-run")
    assert "1 approved as drafted" in dry.output and "dry run" in dry.output
    assert termbase.read_store() == before
    assert run("glossary", "review", "--out", str(sheet), "--lang", "my").exit_code == 2


def test_comments_unclear_answers_and_other_reviewers(
    termbase: Termbase,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "sheet.csv"
    run("glossary", "review", "--lang", "th", "--out", str(sheet))
    filled = fill(
        sheet,
        {
            "trafficking-in-persons": {"approved": "ใช่"},  # yes, in Thai
            "smuggling-of-migrants": {"comment": "ask the Ranong team"},  # a comment only
            "irregular-migrant": {"approved": "maybe"},  # unclear: skipped and named
            "water-and-food": {"approved": "no", "comment": "too formal"},
        },
    )
    report = json.loads(
        run("glossary", "review", "--apply", str(filled), "--by", "Reviewer A", "--json").output
    )
    assert len(report["approved"]) == 1
    assert len(report["commented"]) == 1
    assert len(report["unclear"]) == 1 and "irregular-migrant" in report["unclear"][0]
    assert len(report["not_approved"]) == 1
    smuggling = json.loads(run("glossary", "show", "smuggling-of-migrants", "--json").output)
    assert "ask the Ranong team" in smuggling["terms"]["th"][0]["note"]
    assert smuggling["terms"]["th"][0]["review"] == "draft"
    water = json.loads(run("glossary", "show", "water-and-food", "--json").output)
    assert "too formal" in water["terms"]["th"][0]["note"]

    # another reviewer applying the same sheet does not take over the review
    again = json.loads(
        run("glossary", "review", "--apply", str(filled), "--by", "Reviewer B", "--json").output
    )
    assert again["approved"] == [] and again["commented"] == []
    concept = json.loads(run("glossary", "show", "trafficking-in-persons", "--json").output)
    assert concept["terms"]["th"][0]["reviewed_by"] == "Reviewer A"


def test_bad_corrections_are_conflicts(termbase: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("glossary", "edit", "trafficking-in-persons", "--add-term", "th=การค้าคน")
    sheet = tmp_path / "sheet.csv"
    run("glossary", "review", "--lang", "th", "--out", str(sheet))
    filled = fill(
        sheet,
        {
            "trafficking-in-persons": {"correction": "การค้าคน"},  # duplicates another term
            "water-and-food": {"correction": "drinking water"},  # not Thai script
            "irregular-migrant": {"correction": "\u200b"},  # invisible
            "smuggling-of-migrants": {"status": "deprecated", "approved": "yes"},
        },
    )
    before = termbase.read_store()
    report = json.loads(
        run("glossary", "review", "--apply", str(filled), "--by", "R", "--json").output
    )
    assert len(report["conflicts"]) == 3
    assert len(report["status_changed"]) == 1 and report["approved"] == []
    after = {c["id"]: c for c in termbase.read_store()}
    assert after["water-and-food"] == next(c for c in before if c["id"] == "water-and-food")
    assert after["smuggling-of-migrants"]["terms"]["th"][0]["status"] == "deprecated"
