"""`clinic glossary show/list/add/edit/rm/check/stats`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from clinic import paths
from clinic.termbase.check import check_folder
from clinic.termbase.termbase import Termbase

FIXTURE = Path(__file__).parent / "data" / "glossary"


def test_show_and_list(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    out = run("glossary", "show", "irregular-migrant").output
    assert "illegal migrant  deprecated" in out
    assert "romanisation: phu yai thin thi mai pokati" in out
    assert "note: literal draft" in out
    data = json.loads(run("glossary", "show", "irregular-migrant", "--json").output)
    assert data["id"] == "irregular-migrant"
    listing = run("glossary", "list", "--domain", "immigration", "--lang", "en").output
    assert listing.splitlines() == [
        "irregular-migrant\tirregular migrant",
        "smuggling-of-migrants\tsmuggling of migrants",
    ]
    missing = run("glossary", "show", "no-such-thing")
    assert missing.exit_code == 1 and "no concept with id" in missing.output


def test_add_edit_rm(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "glossary",
        "add",
        "crew-list",
        "--domain",
        "fisheries",
        "--term",
        "en=crew list",
        "--term",
        "th=บัญชีรายชื่อลูกเรือ",
        "--deprecated",
        "en=crew sheet",
        "--definition",
        "List of people aboard.",
        "--source",
        "ILO C188",
    )
    assert result.exit_code == 0, result.output
    concept = json.loads(run("lookup", "crew list", "--json").output)[0]
    assert concept["terms"]["th"][0]["review"] == "draft"
    assert concept["terms"]["th"][0]["roman"]  # computed on the way in
    assert concept["terms"]["en"][1]["status"] == "deprecated"

    again = run("glossary", "add", "crew-list", "--term", "en=x")
    assert again.exit_code == 2 and "exists already" in again.output

    run(
        "glossary",
        "edit",
        "crew-list",
        "--prefer",
        "en=vessel crew list",
        "--deprecate",
        "th=รายชื่อ",
        "--add-note",
        "Kept at the PIPO centre.",
    )
    edited = json.loads(run("glossary", "show", "crew-list", "--json").output)
    en = {t["text"]: t["status"] for t in edited["terms"]["en"]}
    assert en == {
        "crew list": "admitted",
        "crew sheet": "deprecated",
        "vessel crew list": "preferred",
    }
    assert edited["notes"] == ["Kept at the PIPO centre."]
    assert run("lookup", "vessel crew", "--json").exit_code == 0

    assert run("glossary", "rm", "crew-list", "--yes").exit_code == 0
    assert run("lookup", "crew list", "--exact").exit_code == 1


def test_edit_from_file_and_bad_file(termbase: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "c.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "concepts": [
                    {
                        "id": "debt-bondage",
                        "subject_fields": ["labour"],
                        "terms": {
                            "en": [
                                {"text": "debt bondage"},
                                {"text": "bonded labour", "status": "admitted"},
                            ]
                        },
                    }
                ]
            }
        )
    )
    assert run("glossary", "edit", "debt-bondage", "--from", str(good)).exit_code == 0
    assert json.loads(run("lookup", "bonded labour", "--json").output)[0]["id"] == "debt-bondage"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "concepts:\n  - id: debt-bondage\n    terms:\n      en:\n"
        "        - {text: x, status: favourite}\n"
    )
    result = run("glossary", "edit", "debt-bondage", "--from", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:2" in result.output and "status" in result.output
    assert "must be one of preferred, admitted, deprecated" in result.output


def test_check_reports_each_rule(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    decomposed = "\u0e19\u0e4d\u0e49\u0e32"  # not what NFC + sara am composition gives
    (folder / "a.yaml").write_text(
        "subject_field: labour\nconcepts:\n"
        "  - id: one\n    definition: {text: d, source: s}\n    see: [nowhere]\n"
        "    terms:\n"
        "      en: [{text: 'one '}]\n"
        "      th: [{text: hello, roman: x}, {text: การค้า}]\n"
        '      my: [{text: "\u1031\u1082\u1000\u103c\u1038\u107f\u1019\u102e"}]\n'
        "      km: [{text: ការ, confidence: low}]\n"
        "      lo: [{text: ການ}]\n"
        f'      vi: [{{text: "{decomposed}"}}]\n',
        encoding="utf-8",
    )
    report = check_folder(folder)
    messages = {(p.field, p.message) for p in report.problems}
    expected = {
        ("en[0].text", "stray spaces (leading, trailing or double)"),
        ("one.terms.th[0]", "not written in Thai script"),
        ("one.terms.th[1]", "Thai term without RTGS romanisation"),
        ("one.terms.my[0]", "looks like Zawgyi, not Unicode"),
        ("one.terms.km[0]", "low confidence needs a note saying why"),
        ("one.terms.vi[0]", "not written in Latin script"),
        ("one.see", "cross-reference to unknown concept 'nowhere'"),
    }
    found = {(f.split("terms.", 1)[-1] if f.endswith(".text") else f, m) for f, m in messages}
    assert expected <= found | messages, messages


def test_ids_are_stable(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        (FIXTURE / "core.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "ids.lock").write_text("trafficking-in-persons\nretired-concept\n")
    problems = {p.field for p in check_folder(folder).problems}
    assert "retired-concept" in problems  # a shipped id disappeared
    assert "debt-bondage" in problems  # a new id not recorded yet


def test_shipped_glossary_passes_its_checks(run) -> None:  # type: ignore[no-untyped-def]
    result = run("glossary", "check")
    assert result.exit_code == 0, result.output[-3000:]
    report = check_folder(paths.shipped("glossary"))
    assert report.concepts >= 250 + 60
    phrases = [f for f in paths.shipped("glossary").glob("phrasebook.yaml")]
    assert phrases


def test_stats_table(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("glossary", "stats", "--json").output)
    en = next(row for row in data["languages"] if row["lang"] == "en")
    assert en["terms"] == 8 and en["draft"] == 8 and en["reviewed"] == 0
    assert en["deprecated"] == 1
    text = run("glossary", "stats").output
    assert text.splitlines()[0].split() == [
        "lang",
        "concepts",
        "terms",
        "draft",
        "reviewed",
        "low",
        "confidence",
        "deprecated",
    ]


def test_shipped_phrasebook_has_sixty_phrases_in_six_languages() -> None:
    from clinic.termbase.files import read_file
    from clinic.termbase.model import is_phrase

    phrases = [c for c, _ in read_file(paths.shipped("glossary") / "phrasebook.yaml")]
    assert len(phrases) >= 60 and all(is_phrase(c) for c in phrases)
    for concept in phrases:
        assert {"en", "th", "my", "km", "lo", "vi"} <= set(concept["terms"])


def test_check_catches_mixed_scripts_duplicates_and_bad_romanisation(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "subject_field: labour\nconcepts:\n"
        "  - id: two\n    definition: {text: d, source: s}\n    terms:\n"
        "      en: ['two  words', {text: two}, {text: two}]\n"
        "      th: [{text: การค้າມະນຸດ, roman: x}, {text: ค้า, roman: ค้า}]\n"
        "      my: [{text: ကုန်}, {text: ကူး}]\n"
        "      km: [{text: ការ}]\n      lo: [{text: ການ}]\n      vi: [{text: buôn}]\n",
        encoding="utf-8",
    )
    messages = {p.message for p in check_folder(folder).problems}
    assert "stray spaces (leading, trailing or double)" in messages  # a shorthand term
    assert "term listed twice: two" in messages
    assert "more than one preferred term" in messages  # every shorthand term is preferred
    assert "mixes Thai with Lao script" in messages
    assert "romanisation not in Latin letters" in messages


@pytest.mark.parametrize(
    "concept_yaml, field",
    [
        ("    extra: hello\n", "one.extra"),
        ("    see: [[a]]\n", "one.see"),
        ("    origin: [TH]\n", "one.origin"),
        ("    definition: {text: d, sourse: s}\n", "one.definition"),
    ],
)
def test_malformed_concepts_are_user_errors(
    run,
    tmp_path: Path,
    termbase: Termbase,  # type: ignore[no-untyped-def]
    concept_yaml: str,
    field: str,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "concepts:\n  - id: one\n    terms: {en: [one]}\n" + concept_yaml, encoding="utf-8"
    )
    result = run("glossary", "add", "one", "--from", str(bad))
    assert result.exit_code == 2, result.output
    assert f"bad.yaml:2: {field}" in result.output


def test_edits_made_meanwhile_are_not_lost(termbase: Termbase) -> None:
    from clinic.exceptions import ClinicError

    original = termbase.get("debt-bondage")
    # a colleague adds a term while the editor is open
    termbase.modify("debt-bondage", lambda c: {**c, "notes": ["added meanwhile"]})
    edited = {**original, "subject_fields": ["labour", "fisheries"]}
    with pytest.raises(ClinicError, match="someone changed this concept"):
        termbase.replace(edited, expected=original)
    assert termbase.get("debt-bondage")["notes"] == ["added meanwhile"]
    # targeted edits read the concept as stored under the lock: both land
    from clinic.termbase.editing import Changes, apply

    termbase.modify("debt-bondage", lambda c: apply(c, Changes(notes=["second"])))
    assert termbase.get("debt-bondage")["notes"] == ["added meanwhile", "second"]


def test_update_merges_the_shipped_glossary_and_keeps_local_changes(run) -> None:  # type: ignore[no-untyped-def]
    import json as json_module

    assert run("lookup", "trafficking").exit_code == 0  # first use: the store is seeded
    run("glossary", "rm", "debt-bondage", "--yes")  # as if seeded by an older version
    run("glossary", "edit", "passport", "--add-note", "Local note kept.")
    dry = json_module.loads(run("glossary", "update", "--dry-run", "--json").output)
    assert dry["dry_run"] is True
    assert run("lookup", "debt bondage", "--exact").exit_code == 1  # nothing written
    assert run("glossary", "update").exit_code == 0
    assert run("lookup", "debt bondage", "--exact").exit_code == 0
    passport = json_module.loads(run("glossary", "show", "passport", "--json").output)
    assert "Local note kept." in passport["notes"]
