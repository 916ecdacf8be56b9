"""Display width and truncation with Thai, Burmese, Khmer and Lao samples."""

from __future__ import annotations

import unicodedata

import pytest
from wcwidth import wcswidth

from clinic.shell import width
from clinic.shell.width import (
    ELLIPSIS,
    clean,
    clusters,
    display_width,
    fit,
    truncate,
    wrap,
)

SAMPLES = {
    "th": "ผู้เสียหายจากการค้ามนุษย์ต้องได้รับการคุ้มครองทันที",
    "my": "ကြွေးမြီနှောင်ဖွဲ့ခံရခြင်းနှင့် လူကုန်ကူးမှု တိုက်ဖျက်ရေး",
    "km": "ការជួញដូរមនុស្សនិងពលកម្មជាប់បំណុលក្នុងវិស័យនេសាទ",
    "lo": "ການຄ້າມະນຸດແລະແຮງງານຂັດໜີ້ໃນຂະແໜງການປະມົງ",
}


def _no_orphan_mark(text: str) -> bool:
    """A cut text must not start a cluster with a mark or end on a joiner."""
    return not text or not (
        unicodedata.category(text[0]).startswith("M") or text[-1] in "\u1039\u17d2"
    )


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_width_is_never_less_than_wcwidth(lang: str) -> None:
    text = SAMPLES[lang]
    assert display_width(text) >= wcswidth(text)
    # and never less than one column per character that is not a non-spacing mark
    spacing = sum(1 for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
    assert display_width(text) >= spacing


def test_burmese_counts_its_spacing_vowels() -> None:
    # tmux 3.3 moved the cursor 17 columns for this word; wcwidth says 14
    assert display_width("ကြွေးမြီနှောင်ဖွဲ့ခံရခြင်း") == 17


@pytest.mark.parametrize("lang", sorted(SAMPLES))
@pytest.mark.parametrize("limit", [1, 2, 5, 9, 13, 20])
def test_truncate_fits_and_cuts_between_clusters(lang: str, limit: int) -> None:
    text = SAMPLES[lang]
    cut = truncate(text, limit)
    assert display_width(cut) <= limit
    assert wcswidth(cut) <= limit
    body = cut[: -len(ELLIPSIS)] if cut.endswith(ELLIPSIS) else cut
    assert text.startswith(body)
    # the kept part is made of whole clusters of the original text
    assert body == "".join(clusters(text)[: len(clusters(body))])
    assert _no_orphan_mark(body)


def test_truncate_keeps_what_fits() -> None:
    for text in SAMPLES.values():
        assert truncate(text, 200) == text
    assert truncate("abc", 3) == "abc"
    assert truncate("abcd", 3) == "ab…"
    assert truncate("abcd", 0) == ""


def test_clusters_keep_stacked_consonants_with_their_base() -> None:
    # Khmer coeng (U+17D2) and Burmese virama (U+1039) stack the next consonant
    for text in ("ស្ស", "မ္မ"):
        assert clusters(text) == [text]
    # Thai SARA AM belongs to the consonant before it; tone marks too
    assert clusters("น้ำ") == ["น้ำ"]
    assert "".join(clusters(SAMPLES["my"])) == SAMPLES["my"]


def test_fallback_clusters_agree_on_marks() -> None:
    for text in SAMPLES.values():
        for cluster in width._fallback_clusters(text):
            assert not unicodedata.category(cluster[0]).startswith("M")


def test_fit_cuts_a_line_of_pieces() -> None:
    line = [("     th  ", "magenta"), (SAMPLES["th"], "bold"), (" [draft]", "yellow")]
    cut = fit(line, 30)
    assert sum(display_width(t) for t, _ in cut) <= 30
    assert cut[0] == line[0]
    assert cut[-1][0].endswith(ELLIPSIS)
    assert cut[-1][1] == "bold"  # the piece that overflowed keeps its style
    assert fit(line, 200) == line


def test_wrap_breaks_latin_at_spaces_and_unspaced_scripts_between_clusters() -> None:
    lines = wrap([("  = ", "dim"), ("word " * 30, "")], 40)
    assert len(lines) > 1
    for line in lines:
        assert sum(display_width(t) for t, _ in line) <= 40
    assert "".join(t for t, _ in lines[0]).startswith("  = word")
    thai = wrap([(SAMPLES["th"] * 3, "")], 20)
    assert len(thai) > 1
    rejoined = "".join(t for line in thai for t, _ in line).replace(" ", "")
    assert rejoined == SAMPLES["th"] * 3
    for line in thai:
        assert sum(display_width(t) for t, _ in line) <= 20


def test_clean_removes_control_characters() -> None:
    assert clean("a\tb\nc") == "a b c"
    assert clean("x\x1b[2Jy") == "x\ufffd[2Jy"
    assert clean(SAMPLES["my"]) == SAMPLES["my"]


def test_a_query_starting_with_a_mark_is_drawn_on_a_dotted_circle() -> None:
    from types import SimpleNamespace

    from clinic.shell.app import DottedCircleForLoneMark

    processor = DottedCircleForLoneMark()
    lone = processor.apply_transformation(SimpleNamespace(fragments=[("", "\u1031\u1004")]))
    assert lone.fragments[0][1] == "\u25cc" and lone.source_to_display(0) == 1
    plain = processor.apply_transformation(SimpleNamespace(fragments=[("", "\u1004\u1031")]))
    assert [f[1] for f in plain.fragments] == ["\u1004\u1031"]
