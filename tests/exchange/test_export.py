"""Export filters and the Anki deck."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from clinic.exceptions import ClinicError
from clinic.termbase import anki, exchange
from clinic.termbase.termbase import Termbase


def test_select_filters(tb: Termbase) -> None:
    concepts = tb.concepts()
    only = exchange.select(concepts, langs=["th", "en"], domains=["labour"])
    assert [c["id"] for c in only] == ["debt-bondage", "forced-labour"]
    assert list(only[1]["terms"]) == ["th", "en"]  # the order asked for
    usable = exchange.select(concepts, statuses=["preferred", "admitted"])
    assert all(
        t["status"] != "deprecated" for c in usable for ts in c["terms"].values() for t in ts
    )
    assert "illegal migrant" not in json.dumps(usable)
    reviewed = exchange.select(concepts, statuses=["reviewed"])
    assert [(c["id"], list(c["terms"])) for c in reviewed] == [("forced-labour", ["th"])]
    assert [c["id"] for c in exchange.select(concepts, phrases=True)] == ["phrase-are-you-safe"]
    with pytest.raises(ClinicError, match="unknown status"):
        exchange.select(concepts, statuses=["approved"])
    with pytest.raises(ClinicError, match="unknown subject field"):
        exchange.select(concepts, domains=["law"])


def test_cli_export_filters(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "labour.csv"
    result = run(
        "glossary",
        "export",
        str(out),
        "--lang",
        "en,th",
        "--domain",
        "labour",
        "--status",
        "preferred",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["concepts"] == 2
    text = out.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("id,domain,status,en,th,th roman,definition")
    assert "slave labour" not in text and "debt bondage" in text
    nothing = run("glossary", "export", str(tmp_path / "none.tbx"), "--lang", "ksw")
    assert nothing.exit_code == 1 and not (tmp_path / "none.tbx").exists()
    bad = run("glossary", "export", str(tmp_path / "x.doc"))
    assert bad.exit_code == 2 and "cannot tell the format" in bad.output


def read_apkg(path: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(path) as archive:
        archive.extract("collection.anki2", tmp_path)
    return sqlite3.connect(tmp_path / "collection.anki2")


def test_anki_deck_one_note_per_concept_both_directions(
    tb: Termbase,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    out = tmp_path / "cards.apkg"
    result = run("glossary", "export", str(out), "--lang", "th,my", "--domain", "labour", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["notes"] == 1
    db = read_apkg(out, tmp_path)
    notes = db.execute("SELECT id, guid, flds, tags FROM notes").fetchall()
    (note,) = notes  # forced-labour is the labour concept with th and my
    fields = note[2].split("\x1f")
    assert fields[0] == "forced-labour"
    assert "แรงงานบังคับ" in fields[2] and "အဓမ္မလုပ်အား" in fields[4]
    assert "labour" in note[3]
    cards = db.execute("SELECT nid, ord FROM cards").fetchall()
    assert sorted(cards) == [(note[0], 0), (note[0], 1)]  # both directions
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    (model,) = models.values()
    assert [t["name"] for t in model["tmpls"]] == ["A to B", "B to A"]
    assert int(model["id"]) == anki.MODEL_ID
    db.close()

    again = tmp_path / "again.apkg"
    run("glossary", "export", str(again), "--lang", "th,my", "--domain", "labour")
    second = read_apkg(again, tmp_path / "second")
    assert second.execute("SELECT guid FROM notes").fetchall() == [(note[1],)]
    decks = json.loads(second.execute("SELECT decks FROM col").fetchone()[0])
    assert anki.stable_id(f"deck {anki.deck_name(['th', 'my'], ['labour'])}") in {
        int(k) for k in decks
    }


def test_anki_needs_two_languages(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("glossary", "export", str(tmp_path / "c.apkg"), "--lang", "th")
    assert result.exit_code == 2 and "two languages" in result.output
    assert not (tmp_path / "c.apkg").exists()


def test_anki_cards_mark_drafts_and_deprecated_terms(tb: Termbase) -> None:
    concept = tb.get("forced-labour")
    deck, count = anki.build_deck([concept], ["en", "th"])
    assert count == 1
    (note,) = deck.notes
    english, thai = note.fields[2], note.fields[4]
    assert '<s class="lang-en">slave labour</s> avoid' in english
    assert anki.DRAFT_MARK in english  # draft English term
    assert anki.DRAFT_MARK not in thai  # the Thai term is reviewed
    assert "(raeng ngan bangkhap)" in thai


def test_language_level_data_follows_the_language_filter(empty_tb: Termbase) -> None:
    from clinic.termbase.tbx import tbx_bytes

    concept = {
        "id": "c1",
        "terms": {"en": [{"text": "one"}], "fr": [{"text": "un"}]},
        "extra": {"langSec": {"fr": {"note": "a French note"}}, "reliability": "9"},
    }
    (kept,) = exchange.select([concept], langs=["en"])
    assert kept["extra"] == {"reliability": "9"}
    assert b"French" not in tbx_bytes([kept])
    (both,) = exchange.select([concept], langs=["fr", "en"])
    assert both["extra"]["langSec"] == {"fr": {"note": "a French note"}}
