"""Import planning and merging: dry runs, unions of terms, conflicts, matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from clinic.exceptions import ValidationErrors
from clinic.termbase import exchange, tbx
from clinic.termbase.termbase import Termbase

from .conftest import DATA


def write_yaml(path: Path, concepts: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump({"concepts": concepts}, allow_unicode=True), encoding="utf-8")
    return path


FORCED = {
    "id": "forced-labour",
    "subject_fields": ["labour", "fisheries"],
    "definition": {
        "text": "A different definition from another glossary.",
        "source": "ILO Forced Labour Convention (1930), art. 2",
    },
    "notes": ["A note from the file."],
    "terms": {
        "en": [
            {"text": "forced labour", "status": "preferred"},
            {"text": "compulsory labour", "status": "admitted"},
        ],
        "th": [{"text": "แรงงานบังคับ", "status": "admitted"}],
        "km": [{"text": "ពលកម្មដោយបង្ខំ", "status": "preferred"}],
    },
}


def test_dry_run_reports_and_writes_nothing(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_yaml(
        tmp_path / "in.yaml",
        [
            FORCED,
            {
                "id": "labour-broker",
                "subject_fields": ["labour"],
                "definition": {"text": "Someone paid to find workers jobs.", "source": "test"},
                "terms": {"en": [{"text": "labour broker"}]},
            },
        ],
    )
    before = tb.store_path.read_bytes()
    result = run("glossary", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 to add, 1 to change" in out and "2 conflict(s)" in out
    assert "+ labour-broker" in out
    assert "~ forced-labour" in out and "+km 'ពលកម្មដោយបង្ខំ'" in out
    assert "! forced-labour definition.text" in out and "kept the termbase's" in out
    assert "dry run: nothing was written" in out
    assert tb.store_path.read_bytes() == before
    report = json.loads(run("glossary", "import", str(path), "--dry-run", "--json").output)
    assert report["dry_run"] is True
    assert report["add"] == ["labour-broker"]
    fields = {c["field"] for c in report["conflicts"]}
    assert fields == {"definition.text", "terms.th['แรงงานบังคับ'].status"}
    assert tb.store_path.read_bytes() == before


def test_merge_keeps_every_term_and_the_termbase_values(tb: Termbase, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "in.yaml", [FORCED])
    plan = exchange.import_file(tb, path)
    assert plan.counts()["change"] == 1
    tb.close()
    merged = Termbase(tb.home).get("forced-labour")
    english = [(t["text"], t["status"]) for t in merged["terms"]["en"]]
    assert english == [
        ("forced labour", "preferred"),
        ("slave labour", "deprecated"),
        ("compulsory labour", "admitted"),
    ]
    assert merged["terms"]["th"][0]["status"] == "preferred"  # conflict: termbase kept
    assert merged["terms"]["th"][0]["review"] == "reviewed"
    assert merged["terms"]["my"][0]["text"] == "အဓမ္မလုပ်အား"  # not in the file: kept
    assert merged["terms"]["km"][0]["text"] == "ពលកម្មដោយបង្ខំ"
    assert merged["definition"]["text"].startswith("Work taken from someone")
    assert merged["subject_fields"] == ["labour", "fisheries"]
    assert merged["notes"] == ["A note from the file."]


def test_prefer_incoming_takes_the_file_values_without_dropping_terms(
    tb: Termbase, tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "in.yaml", [FORCED])
    plan = exchange.import_file(tb, path, prefer="incoming")
    assert {c.kept for c in plan.conflicts} == {"incoming"}
    merged = Termbase(tb.home).get("forced-labour")
    assert merged["definition"]["text"] == "A different definition from another glossary."
    assert merged["terms"]["th"][0]["status"] == "admitted"
    assert "slave labour" in [t["text"] for t in merged["terms"]["en"]]


def test_a_second_preferred_term_is_a_conflict(tb: Termbase, tmp_path: Path) -> None:
    incoming = {
        "id": "debt-bondage",
        "terms": {"en": [{"text": "bonded labour", "status": "preferred"}]},
    }
    path = write_yaml(tmp_path / "in.yaml", [incoming])
    plan = exchange.plan_import(tb.concepts(), exchange.read_incoming(path))
    (conflict,) = plan.conflicts
    assert conflict.field == "terms.en preferred"
    assert (conflict.termbase, conflict.incoming) == ("'debt bondage'", "'bonded labour'")
    (changed,) = plan.changed
    assert [(t["text"], t["status"]) for t in changed["terms"]["en"]] == [
        ("debt bondage", "preferred"),
        ("bonded labour", "admitted"),
    ]
    swapped = exchange.plan_import(
        tb.concepts(), exchange.read_incoming(path), prefer="incoming"
    ).changed[0]
    assert [(t["text"], t["status"]) for t in swapped["terms"]["en"]] == [
        ("debt bondage", "admitted"),
        ("bonded labour", "preferred"),
    ]


def test_unsaid_statuses_are_not_conflicts(tb: Termbase, tmp_path: Path) -> None:
    # An OmegaT pair says nothing about status: its terms join as admitted.
    path = tmp_path / "pairs.txt"
    path.write_text(
        "debt bondage\tการตกเป็นแรงงานขัดหนี้\nforced labour\tแรงงานบังคับ\n", encoding="utf-8"
    )
    plan = exchange.plan_import(tb.concepts(), exchange.read_incoming(path, langs=["en", "th"]))
    assert plan.conflicts == []
    assert plan.unchanged == ["forced-labour"]
    (changed,) = plan.changed
    assert changed["id"] == "debt-bondage"
    assert changed["terms"]["th"] == [
        {
            "text": "การตกเป็นแรงงานขัดหนี้",
            "status": "preferred",
            "type": "fullForm",
            "pos": "noun",
            "review": "draft",
        }
    ]


def test_matching_by_term_and_ambiguity(tb: Termbase, tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "in.yaml",
        [
            {
                "id": "c0001",
                "terms": {"en": [{"text": "Debt Bondage"}], "lo": [{"text": "ແຮງງານຂັດໜີ້"}]},
            },
            {
                "id": "c0002",
                "terms": {"en": [{"text": "drinking water"}], "th": [{"text": "การค้ามนุษย์"}]},
            },
        ],
    )
    plan = exchange.plan_import(tb.concepts(), exchange.read_incoming(path))
    assert plan.matched == {"debt-bondage": "en term 'Debt Bondage'"}
    assert [c["id"] for c in plan.changed] == ["debt-bondage"]
    assert plan.skipped[0]["incoming"] == "c0002"
    assert plan.skipped[0]["candidates"] == ["trafficking-in-persons", "water-and-food"]
    assert plan.added == []
    by_id = exchange.plan_import(tb.concepts(), exchange.read_incoming(path), match_terms=False)
    assert sorted(c["id"] for c in by_id.added) == ["c0001", "c0002"]


def test_tbx_import_into_the_termbase_and_back(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("glossary", "import", str(DATA / "iate_v2.tbx"), "--json")
    report = json.loads(result.output)
    assert report["add"] == ["iate-900001"]
    # The second entry names the fixture's forced labour in English and Thai: merged.
    (change,) = report["change"]
    assert change["id"] == "forced-labour"
    assert change["matched_by"] == "en term 'forced labour'"
    assert any("without any term skipped" in w for w in report["warnings"])
    assert report["counts"]["skipped"] == 0
    termbase = Termbase(tb.home)
    concept = termbase.get("iate-900001")
    assert concept["terms"]["en"][0]["extra"] == {"reliabilityCode": "3"}
    forced = termbase.get("forced-labour")["terms"]
    assert forced["en"][0]["extra"] == {"grammaticalNumber": "singular", "reliabilityCode": "4"}
    assert forced["en"][0]["source"] == "synthetic source C"
    assert forced["th"][0]["context"] == "ตัวอย่างประโยคสังเคราะห์"
    out = tmp_path / "out.tbx"
    result = run("glossary", "export", str(out), "--domain", "legal-process")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert '<descrip type="reliabilityCode">3</descrip>' in text
    assert 'id="IATE-900001"' in text
    again = run("glossary", "import", str(out), "--dry-run", "--json")
    report = json.loads(again.output)
    assert report["counts"]["add"] == 0 and report["counts"]["change"] == 0
    assert "iate-900001" in report["unchanged"]


def test_validation_errors_of_a_file_are_reported_together(
    tb: Termbase,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.tbx"
    entries = "".join(
        f'<conceptEntry id="e{i}"><langSec xml:lang="{lang}"><termSec><term>t</term>'
        "</termSec></langSec></conceptEntry>\n"
        for i, lang in enumerate(["en", "not a tag", "en", "english language"])
    )
    path.write_text(f"<tbx><text><body>\n{entries}</body></text></tbx>", encoding="utf-8")
    with pytest.raises(ValidationErrors) as error:
        exchange.read_incoming(path)
    assert [e.path for e in error.value.errors] == [f"{path}:3", f"{path}:5"]
    before = tb.store_path.read_bytes()
    result = run("glossary", "import", str(path))
    assert result.exit_code == 2 and "bad.tbx:3" in result.output
    assert tb.store_path.read_bytes() == before


def test_yaml_file_and_folder_round_trip(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    single = tmp_path / "all.yaml"
    assert run("glossary", "export", str(single)).exit_code == 0
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run("glossary", "export", str(folder), "--json")
    files = sorted(Path(f).name for f in json.loads(result.output)["files"])
    assert files == [
        "health.yaml",
        "immigration.yaml",
        "labour.yaml",
        "legal-process.yaml",
        "phrasebook.yaml",
    ]
    for source in (single, folder):
        report = json.loads(run("glossary", "import", str(source), "--dry-run", "--json").output)
        assert report["counts"] == {
            "add": 0,
            "change": 0,
            "unchanged": 7,
            "conflict": 0,
            "skipped": 0,
        }


def test_zawgyi_terms_in_a_tbx_file(empty_tb: Termbase, tmp_path: Path) -> None:
    import icu

    zawgyi = icu.Transliterator.createInstance("my-Zawgyi")
    words = ["ကျောင်း", "လူကုန်ကူးမှု", "ကြွေးမြီ"]
    concepts = [
        {
            "id": f"w{i}",
            "terms": {"en": [{"text": f"word {i}"}], "my": [{"text": zawgyi.transliterate(w)}]},
        }
        for i, w in enumerate(words)
    ]
    path = tmp_path / "zawgyi.tbx"
    path.write_bytes(tbx.tbx_bytes(concepts))
    incoming = exchange.read_incoming(path)
    assert [c["terms"]["my"][0]["text"] for c in incoming.concepts] == words
    assert any("Zawgyi" in w for w in incoming.warnings)


def test_a_dry_run_on_a_new_data_directory_creates_nothing(
    home: Path,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = write_yaml(
        tmp_path / "in.yaml",
        [
            {
                "id": "labour-broker",
                "subject_fields": ["labour"],
                "terms": {"en": [{"text": "labour broker"}]},
            }
        ],
    )
    before = sorted(home.iterdir())
    result = run("glossary", "import", str(path), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["add"] == ["labour-broker"]
    assert sorted(home.iterdir()) == before


def test_entries_of_one_file_are_never_merged_into_each_other(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two concepts of one file that share a term stay two concepts."""
    from clinic.termbase.exchange import import_file
    from clinic.termbase.termbase import Termbase

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "none.yaml").write_text("concepts: []\n", encoding="utf-8")
    termbase = Termbase(tmp_path / "home")
    termbase.seed(empty)
    source = tmp_path / "two.yaml"
    source.write_text(
        "concepts:\n"
        "  - {id: bank-money, terms: {en: [bank], th: [ธนาคาร]}}\n"
        "  - {id: bank-river, terms: {en: [bank], th: [ริมฝั่ง]}}\n",
        encoding="utf-8",
    )
    plan = import_file(termbase, source)
    assert sorted(c["id"] for c in plan.added) == ["bank-money", "bank-river"]
    money = termbase.get("bank-money")
    assert [t["text"] for t in money["terms"]["th"]] == ["ธนาคาร"]


def test_two_entries_with_one_id_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from clinic.exceptions import ValidationError
    from clinic.termbase.exchange import import_file
    from clinic.termbase.termbase import Termbase

    source = tmp_path / "dup.yaml"
    source.write_text(
        "concepts:\n  - {id: same, terms: {en: [one]}}\n  - {id: same, terms: {en: [two]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="two entries of the file have this id"):
        import_file(Termbase(tmp_path / "home"), source, dry_run=True)


def test_the_shipped_termbase_survives_a_tbx_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from clinic.termbase.exchange import export_file, import_file
    from clinic.termbase.termbase import Termbase

    full = Termbase(tmp_path / "full")
    full.seed()
    export_file(full.concepts(), tmp_path / "all.tbx")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "none.yaml").write_text("concepts: []\n", encoding="utf-8")
    fresh = Termbase(tmp_path / "fresh")
    fresh.seed(empty)
    import_file(fresh, tmp_path / "all.tbx")
    assert len(fresh.concepts()) == len(full.concepts()) >= 370


def test_an_empty_folder_is_an_error_not_an_empty_import(tmp_path: Path) -> None:
    from clinic.exceptions import ClinicError
    from clinic.termbase.exchange import read_incoming

    folder = tmp_path / "nothing-here"
    folder.mkdir()
    with pytest.raises(ClinicError, match="no glossary files"):
        read_incoming(folder)
