"""The query history file and the drafts made by :add."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from clinic.shell.commands import CommandError
from clinic.shell.drafts import add_terms, new_concept, slug
from clinic.shell.history import HistoryError, QueryHistory
from clinic.termbase.model import clean_concept

DAY = dt.date(2030, 3, 4)


def test_history_keeps_newest_last_without_duplicates(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "h.json", limit=3)
    for query in ["debt", "การค้า", "debt", "  boat   crew ", "ကြွေး"]:
        history.add(query)
    assert history.entries() == ["debt", "boat crew", "ကြွေး"]
    assert QueryHistory(tmp_path / "h.json").entries() == history.entries()
    assert stat.S_IMODE((tmp_path / "h.json").stat().st_mode) == 0o600


def test_history_merges_two_sessions_and_clears(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    one, two = QueryHistory(path), QueryHistory(path)
    one.add("first")
    two.add("second")
    assert QueryHistory(path).entries() == ["first", "second"]
    one.clear()
    assert not path.exists()
    assert one.entries() == []
    assert QueryHistory(path).entries() == []


def test_history_in_home_lives_in_the_data_directory(home: Path) -> None:
    history = QueryHistory.in_home(home)
    history.add("Test Mother One")
    assert history.path.parent == home
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600


def test_a_damaged_history_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text("[1, 2")
    with pytest.raises(HistoryError, match="damaged"):
        QueryHistory(path).entries()
    with pytest.raises(HistoryError):
        QueryHistory(path).add("x")
    assert path.read_text() == "[1, 2"
    path.write_text('["a list, not ours"]')
    with pytest.raises(HistoryError, match="not a clinic shell history"):
        QueryHistory(path).entries()


def test_slug() -> None:
    assert slug("Debt trap (fishing)") == "debt-trap-fishing"
    assert slug("!!!") == ""
    assert len(slug("word " * 40)) <= 48


def test_new_concept_is_a_valid_dated_draft() -> None:
    taken = {"debt-trap"}
    concept = new_concept(
        [("th", "กับดักหนี้"), ("en", "debt trap")], DAY, domains=["labour"], taken=taken.__contains__
    )
    assert concept["id"] == "debt-trap-2"  # from the English term, made unique
    clean_concept(concept, "test")  # the termbase accepts it
    for terms in concept["terms"].values():
        assert terms[0]["review"] == "draft"
        assert terms[0]["status"] == "preferred"
        assert "2030-03-04" in terms[0]["source"] and "2030-03-04" in terms[0]["note"]
    assert concept["subject_fields"] == ["labour"]


def test_new_concept_id_without_english_uses_the_thai_romanisation() -> None:
    concept = new_concept([("my", "ကြွေး"), ("th", "หนี้")], DAY, domains=[], taken=lambda _: False)
    assert concept["id"] == "ni"
    only_burmese = new_concept([("my", "ကြွေး")], DAY, domains=[], taken=lambda _: False)
    assert only_burmese["id"] and only_burmese["id"].isascii()


def test_add_terms_to_an_existing_concept() -> None:
    concept = {
        "id": "debt-bondage",
        "subject_fields": [],
        "terms": {"en": [{"text": "debt bondage", "status": "preferred"}]},
    }
    changed = add_terms(concept, [("en", "bonded labour"), ("th", "แรงงานขัดหนี้")], DAY)
    assert concept["terms"].keys() == {"en"}  # the original is not changed
    assert changed["terms"]["en"][1]["status"] == "admitted"
    assert changed["terms"]["th"][0]["status"] == "preferred"
    with pytest.raises(CommandError, match="already"):
        add_terms(changed, [("en", "Debt Bondage")], DAY)


def test_burmese_typed_in_zawgyi_is_stored_as_unicode() -> None:
    import icu

    from clinic.shell.drafts import unicode_terms

    unicode_text = "လူကုန်ကူးမှု"
    zawgyi = icu.Transliterator.createInstance("my-Zawgyi").transliterate(unicode_text)
    terms, converted = unicode_terms([("my", zawgyi), ("th", "การค้ามนุษย์")])
    assert converted
    assert terms == [("my", unicode_text), ("th", "การค้ามนุษย์")]
    assert unicode_terms([("my", unicode_text)]) == ([("my", unicode_text)], False)
