"""Each language sorts in its own order (word lists from the research notes, §3.2)."""

from __future__ import annotations

import random

import pytest

from clinic.termbase import collation

# The expected orders: dictionary order of each language, as ICU's tailored collators
# give it (and as printed dictionaries do).
THAI = ["กา", "กาง", "ก้าง", "กิน", "เก่ง", "แกง", "โกง", "ไก่", "ขา"]
LAO = ["ກາ", "ກິນ", "ເກັ່ງ", "ແກງ", "ໂກງ", "ໄກ່", "ຂາ"]
VIETNAMESE = ["an", "ăn", "âm", "ba", "dê", "đi", "e", "ê", "o", "ô", "Ông", "ơn", "uống", "ưa"]
BURMESE = ["က", "ကာ", "ကံ", "ကို", "ကင်း", "ကိုယ်", "ကျ", "ကြက်", "ကျွန်"]
KHMER = ["ក", "កា", "កុំ", "ខ", "ខ្មែរ", "គោ"]
ENGLISH = ["a", "Abc", "résumé", "resume2", "Zebra"]


def shuffled(words: list[str]) -> list[str]:
    out = list(words)
    random.Random(4).shuffle(out)
    return out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("th", THAI),
        ("lo", LAO),
        ("vi", VIETNAMESE),
        ("my", BURMESE),
        ("km", KHMER),
        ("en", ENGLISH),
    ],
)
def test_icu_sorts_each_language(lang: str, words: list[str]) -> None:
    assert collation.collation_backend() == "icu"
    assert collation.sorted_texts(shuffled(words), lang) == words


def test_code_point_order_is_wrong_for_these_languages() -> None:
    # What the collators fix: leading vowels, Vietnamese letters, Burmese medials.
    assert sorted(THAI) != THAI
    assert sorted(LAO) != LAO
    assert sorted(VIETNAMESE) != VIETNAMESE
    assert sorted(BURMESE) != BURMESE


def test_leading_vowels_are_not_the_first_letter() -> None:
    key = collation.sort_key("th")
    assert key("ไก่") < key("ขา") < key("เขา")
    key = collation.sort_key("lo")
    assert key("ໄກ່") < key("ຂາ")


def test_vietnamese_letters_of_their_own() -> None:
    key = collation.sort_key("vi")
    for before, after in (
        ("az", "ă"),
        ("ăz", "â"),
        ("dz", "đ"),
        ("ez", "ê"),
        ("oz", "ô"),
        ("ôz", "ơ"),
        ("uz", "ư"),
    ):
        assert key(before) < key(after), (before, after)


@pytest.mark.parametrize(("lang", "words"), [("th", THAI), ("lo", LAO), ("vi", VIETNAMESE)])
def test_fallback_without_icu(lang: str, words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collation, "_icu", lambda: None)
    collation.sort_key.cache_clear()
    try:
        assert collation.collation_backend() == "fallback"
        assert collation.sorted_texts(shuffled(words), lang) == words
    finally:
        collation.sort_key.cache_clear()
