import math
import unicodedata

import pytest

from clinic.text import (
    has_myanmar,
    normalize,
    scripts_in,
    search_key,
    unzawgyi,
    zawgyi_probability,
)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("\u0e19\u0e49\u0e4d\u0e32", "น้ำ"),  # Thai NIKHAHIT + SARA AA, tone first
        ("\u0e19\u0e4d\u0e49\u0e32", "น้ำ"),  # tone mark typed between the two
        ("\u0e99\u0ec9\u0ecd\u0eb2", "ນ້ຳ"),  # Lao AM typed in two parts
    ],
)
def test_sara_am_forms_are_unified(typed: str, stored: str) -> None:
    assert typed != stored
    assert normalize(typed) == stored
    assert search_key(typed) == search_key(stored)


def test_vietnamese_and_latin_fold_accents_and_case() -> None:
    assert search_key("Buôn bán người") == search_key("buon ban nguoi") == "buonbannguoi"
    assert search_key("Đường dây nóng") == "duongdaynong"
    # decomposed input (macOS file names, some keyboards) lands on the same key
    assert search_key(unicodedata.normalize("NFD", "người")) == "nguoi"


@pytest.mark.parametrize("text", ["การค้ามนุษย์", "ການຄ້າມະນຸດ", "ការជួញដូរមនុស្ស", "လူကုန်ကူးမှု"])
def test_marks_of_other_scripts_are_kept(text: str) -> None:
    key = search_key(text)
    marks = [c for c in text if unicodedata.category(c).startswith("M")]
    assert marks, "the sample must carry combining marks"
    assert all(mark in key for mark in marks)


def test_spaces_and_punctuation_do_not_matter() -> None:
    assert search_key("kan kha manut") == search_key("kankhamanut")
    assert search_key("work-permit") == search_key("work permit")
    assert search_key("လူကုန်ကူးမှု\u200b") == search_key("လူကုန်ကူးမှု")  # zero-width space


def test_scripts_in() -> None:
    assert scripts_in("การค้ามนุษย์") == {"Thai"}
    assert scripts_in("buôn bán") == {"Latin"}
    assert scripts_in("IOM ສປປ") == {"Latin", "Lao"}


def test_zawgyi_probability_is_myanmartools_own_to_the_bit() -> None:
    """clinic scores in one pass what myanmartools scores in two: for random texts of
    the model's characters, foreign ones and spaces, the same float, -inf included."""
    import random

    from myanmartools import ZawgyiDetector

    stock = ZawgyiDetector()
    rng = random.Random(7)
    alphabet = stock._chars + "abc 123\u0e01\u1780\u1040\u1049\u200b"
    texts = ["\u1040\u1041", "\u1000", "a\u1000", "\u1000 ", *_SAMPLE_BURMESE]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 30))) for _ in range(3000)]
    compared = 0
    for text in texts:
        if not has_myanmar(text):
            continue
        ours, theirs = zawgyi_probability(text), stock.get_zawgyi_probability(text)
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), text
        compared += 1
    assert compared > 2500
    assert zawgyi_probability("\u1040\u1041") == -math.inf  # digits: outside the model


_SAMPLE_BURMESE = ["ေက်ာင္း", "ကျောင်း", "လူကုန်ကူးမှု", "အဓမ္မလုပ်အား", "ျမန္မာ"]


def test_zawgyi_detected_and_converted() -> None:
    zawgyi = "ေက်ာင္း"  # 'school' typed in Zawgyi
    assert zawgyi_probability(zawgyi) > 0.95
    assert zawgyi_probability("ကျောင်း") < 0.05
    assert unzawgyi(zawgyi) == ("ကျောင်း", True)
    assert unzawgyi("ကျောင်း") == ("ကျောင်း", False)
    assert unzawgyi("school") == ("school", False)


def test_digits_of_every_script_and_full_width_letters_fold() -> None:
    assert search_key("สายด่วน ๑๓๐๐") == search_key("สายด่วน 1300")
    assert search_key("ＭＯＵ") == search_key("MOU") == "mou"
    assert search_key("၁၂") == search_key("១២") == search_key("໑໒") == "12"


def test_canonical_language_codes() -> None:
    from clinic.text import canonical_language

    assert canonical_language("TH") == "th"
    assert canonical_language("my_mm") == "my-MM"
    assert canonical_language("sr-latn-rs") == "sr-Latn-RS"


def test_khmer_vowels_typed_in_two_parts_match() -> None:
    assert search_key("\u1780\u17c1\u17b8") == search_key("\u1780\u17be")  # ក + OE
    assert search_key("\u1780\u17c1\u17b6") == search_key("\u1780\u17c4")  # ក + OO
