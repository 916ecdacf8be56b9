"""Results, cards and help as lines, without a terminal."""

from __future__ import annotations

from types import SimpleNamespace

from clinic.shell.view import (
    card_lines,
    footer,
    header,
    help_lines,
    language_lines,
    pt_style,
    result_lines,
)
from clinic.shell.width import display_width
from clinic.termbase.cards import DRAFT_MARK

CONCEPT = {
    "id": "irregular-migrant",
    "subject_fields": ["immigration"],
    "definition": {"text": "A person who entered without permission. " * 4, "source": "test"},
    "terms": {
        "en": [
            {"text": "illegal migrant", "status": "deprecated", "review": "draft"},
            {"text": "undocumented migrant", "status": "admitted", "review": "reviewed"},
            {"text": "irregular migrant", "status": "preferred", "review": "reviewed"},
        ],
        "th": [
            {"text": "ผู้ย้ายถิ่นที่ไม่ปกติ", "status": "preferred", "review": "draft", "confidence": "low"}
        ],
        "my": [{"text": "တရားမဝင် ရွှေ့ပြောင်းနေထိုင်သူ", "status": "preferred", "review": "reviewed"}],
    },
}


def hit(
    concept: dict, lang: str = "en", text: str = "irregular migrant", tier: str = "prefix"
) -> SimpleNamespace:
    return SimpleNamespace(
        concept=concept, lang=lang, text=text, tier=tier, via_romanisation=False, score=100.0
    )


def plain(line: list) -> str:
    return "".join(text for text, _ in line)


def test_preferred_term_first_then_others_then_do_not_say() -> None:
    lines = [plain(line) for line in language_lines(CONCEPT, "en", 120)]
    assert lines[0].split()[:3] == ["en", "irregular", "migrant"]
    assert DRAFT_MARK not in lines[0]  # reviewed
    assert lines[0].endswith("also: undocumented migrant")  # reviewed: no mark
    assert lines[1].strip() == "do not say: illegal migrant"


def test_unreviewed_alternatives_carry_the_draft_mark_too() -> None:
    concept = {
        **CONCEPT,
        "terms": {
            "th": [
                {"text": "สถานการค้าประเวณี", "status": "preferred", "review": "reviewed"},
                {"text": "ซ่อง", "status": "admitted", "review": "draft"},
            ]
        },
    }
    (line,) = language_lines(concept, "th", 120)
    assert plain(line).split() == ["th", "สถานการค้าประเวณี", "also:", "ซ่อง", DRAFT_MARK]


def test_unreviewed_terms_carry_the_draft_mark() -> None:
    (line,) = language_lines(CONCEPT, "th", 120)
    assert f"ผู้ย้ายถิ่นที่ไม่ปกติ {DRAFT_MARK}" in plain(line)
    assert "low confidence" in plain(line)


def test_a_language_without_terms_shows_a_dash() -> None:
    (line,) = language_lines(CONCEPT, "km", 80)
    assert plain(line).split() == ["km", "—"]


def test_result_lines_follow_the_pair_order_and_fit() -> None:
    lines = result_lines([hit(CONCEPT)], ["my", "th"], 40, 20, 0)
    text = [plain(line) for line in lines]
    assert text[0].startswith("> 1 irregular-migrant")
    assert text[1].split()[0] == "my" and text[2].split()[0] == "th"
    for line in lines:
        assert display_width(plain(line)) <= 40


def test_matching_a_deprecated_term_says_so() -> None:
    lines = result_lines(
        [hit(CONCEPT, text="illegal migrant", tier="exact")], ["my", "th"], 100, 20, 0
    )
    assert "(do not say)" in plain(lines[0])


def test_the_selected_result_stays_visible() -> None:
    hits = [hit({**CONCEPT, "id": f"concept-{i}"}) for i in range(8)]
    lines = result_lines(hits, ["my", "th"], 80, 10, selected=6)
    text = "\n".join(plain(line) for line in lines)
    assert len(lines) <= 10
    assert "> 7 concept-6" in text
    assert "above" in text


def test_card_lines_wrap_to_the_width_and_end_with_the_legend() -> None:
    lines = card_lines(CONCEPT, hit(CONCEPT), ["my", "th"], 50)
    text = [plain(line) for line in lines]
    assert all(display_width(line) <= 50 for line in text)
    languages = [
        line.split()[0]
        for line in text
        if line.startswith("  ") and line.split() and line.split()[0] in ("my", "th", "en")
    ]
    assert languages == ["my", "th", "en"]  # the pair first, then the rest
    assert any("do not say" in line for line in text)
    assert "'do not say'" in " ".join(text[-3:])


def test_header_footer_help_fit_80_columns() -> None:
    assert "my ⇄ th" in plain(header(("my", "th"), ["km"], ["labour"], 79))
    for mode in ("list", "card", "text", "drill-front", "drill-back", "drill-done"):
        assert display_width(plain(footer(mode, 79))) <= 79
    for line in help_lines(79):
        assert display_width(plain(line)) <= 79


def test_pt_style_translates_rich_words() -> None:
    assert pt_style("bold cyan") == "bold fg:ansicyan"
    assert pt_style("strike red") == "strike fg:ansired"
    assert pt_style("") == ""
    assert pt_style("on blue nonsense") == "fg:ansiblue"
