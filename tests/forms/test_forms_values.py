"""Field types and Thai/Burmese conventions: conversions, checks and formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinic.forms import thai
from clinic.forms.definitions import get_form
from clinic.forms.fields import (
    Converting,
    Field,
    Problem,
    YesNo,
    check_nrc,
    check_thai_id,
    convert_scalar,
)

# --- Thai dates, digits, titles ------------------------------------------------------


def test_thai_date_uses_the_buddhist_era_and_thai_month_names() -> None:
    day = dt.date(2026, 11, 2)
    assert thai.thai_date(day) == "2 พฤศจิกายน 2569"
    assert thai.thai_date(day, digits=True) == "๒ พฤศจิกายน ๒๕๖๙"
    assert thai.thai_date(day, era=True) == "2 พฤศจิกายน พ.ศ. 2569"
    assert thai.thai_date(day, short=True) == "2 พ.ย. 2569"
    assert thai.thai_date("") == ""  # an optional date left blank prints nothing


def test_buddhist_year_before_1941_starts_in_april() -> None:
    assert thai.buddhist_year(dt.date(1940, 3, 31)) == 2482
    assert thai.buddhist_year(dt.date(1940, 4, 1)) == 2483
    assert thai.buddhist_year(dt.date(1941, 1, 1)) == 2484


def test_burmese_and_english_dates() -> None:
    day = dt.date(2026, 11, 2)
    assert thai.burmese_date(day) == "၂၀၂၆ နိုဝင်ဘာ ၂"
    assert thai.english_date(day) == "2 November 2026"
    assert thai.thai_time(dt.time(8, 30)) == "08.30 น."


def test_digits_follow_a_yes_no_answer() -> None:
    assert thai.digits("0-0634", YesNo(True)) == "๐-๐๖๓๔"
    assert thai.digits("0-0634", YesNo(False)) == "0-0634"
    assert thai.digits("12", "my") == "၁၂"
    assert thai.ascii_digits("๑๒၃4") == "1234"


@pytest.mark.parametrize(
    ("sex", "born", "on", "married", "title"),
    [
        ("female", dt.date(2026, 11, 2), dt.date(2026, 11, 10), False, "เด็กหญิง"),
        ("male", dt.date(2012, 1, 1), dt.date(2026, 12, 31), False, "เด็กชาย"),  # 14
        ("male", dt.date(2011, 1, 1), dt.date(2026, 1, 1), False, "นาย"),  # 15 that day
        ("female", dt.date(1998, 4, 17), dt.date(2026, 11, 10), False, "นางสาว"),
        ("female", dt.date(1998, 4, 17), dt.date(2026, 11, 10), True, "นาง"),
        ("female", "", dt.date(2026, 11, 10), False, "นางสาว"),  # unknown age: adult
        ("", dt.date(1998, 4, 17), dt.date(2026, 11, 10), False, ""),  # never a guess
    ],
)
def test_thai_title_is_computed_from_sex_and_age(sex, born, on, married, title) -> None:  # type: ignore[no-untyped-def]
    assert thai.thai_title(sex, born, on, married) == title


# --- the 13-digit number, with the leading 0 -----------------------------------------


def test_thai_id_accepts_a_leading_zero_with_a_valid_check_digit() -> None:
    assert check_thai_id("0063412345679") == "0063412345679"
    assert check_thai_id("0-0634-12345-67-9") == "0063412345679"
    assert check_thai_id("๐๐๖๓๔๑๒๓๔๕๖๗๙") == "0063412345679"
    assert check_thai_id("3100600445635") == "3100600445635"


def test_thai_id_check_digit_matches_the_published_rule_for_every_prefix() -> None:
    for first in "0123456789":
        body = first + "06341234567"
        digit = thai.thai_id_check_digit(body)
        assert check_thai_id(body + str(digit))
        with pytest.raises(Problem, match="check"):
            check_thai_id(body + str((digit + 1) % 10))


def test_thai_id_checksum_can_be_a_warning_by_definition() -> None:
    conv = Converting()
    assert check_thai_id("0063412345678", "warn", conv) == "0063412345678"
    assert conv.warnings and "check" in conv.warnings[0]


@pytest.mark.parametrize("bad", ["006341234567", "00634123456789", "0063412345O79", ""])
def test_thai_id_refuses_other_lengths_and_letters(bad: str) -> None:
    with pytest.raises(Problem, match="13-digit"):
        check_thai_id(bad)


# --- Myanmar NRC -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "12/OUKAMA(N)123456",
        "12/oukama(n)123456",
        "9/MAHAMA(E)000001",
        "12 / OUKAMA (N) 123456",
        "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆",
        "၁၄/ဘကလ(ပြု)၀၀၀၀၀၁",
    ],
)
def test_nrc_latin_and_burmese_forms_pass(number: str) -> None:
    assert check_nrc(number)


@pytest.mark.parametrize(
    "number", ["15/OUKAMA(N)123456", "12/OKM/123456", "12/OUKAMA(X)123456", "12/OUKAMA(N)12345"]
)
def test_nrc_bad_formats_fail(number: str) -> None:
    with pytest.raises(Problem, match="NRC"):
        check_nrc(number)


# --- conversions by type -------------------------------------------------------------


def _field(kind: str, **extra: object) -> Field:
    return Field(name="x", path="x", type=kind, **extra)  # type: ignore[arg-type]


def test_yaml_1_1_coercions_do_not_happen() -> None:
    """08:30 stays a time (not 510), NO stays text (not false), 0712345 stays text."""
    assert convert_scalar(_field("time"), "08:30") == dt.time(8, 30)
    assert convert_scalar(_field("time"), "8.30") == dt.time(8, 30)
    assert convert_scalar(_field("text"), "NO") == "NO"
    assert convert_scalar(_field("text"), "0712345") == "0712345"
    assert convert_scalar(_field("phone"), "0712345") == "0712345"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2569-11-02", "Buddhist Era"), ("02/11/2026", "ambiguous"), ("2026-02-30", "exist")],
)
def test_date_mistakes_are_explained(raw: str, expected: str) -> None:
    with pytest.raises(Problem, match=expected):
        convert_scalar(_field("date"), raw)


def test_money_and_integer() -> None:
    assert convert_scalar(_field("money_baht"), "1,250.50") == Decimal("1250.50")
    assert convert_scalar(_field("money_baht"), "450 บาท") == Decimal("450")
    with pytest.raises(Problem):
        convert_scalar(_field("money_baht"), "12.345")
    assert convert_scalar(_field("integer", maximum=Decimal(10)), "๗") == 7
    with pytest.raises(Problem, match="at most 10"):
        convert_scalar(_field("integer", maximum=Decimal(10)), "11")


def test_choice_takes_the_value_in_any_case_or_a_label() -> None:
    sex = get_form("birth-registration").field_at("child.sex")
    assert sex is not None
    assert convert_scalar(sex, "Female") == "female"
    assert convert_scalar(sex, "หญิง") == "female"
    value = convert_scalar(sex, "female")
    assert (value.en, value.th, value.my) == ("female", "หญิง", "မ")
    with pytest.raises(Problem, match="one of: female, male"):
        convert_scalar(sex, "F")


def test_bool_is_yes_or_no() -> None:
    assert convert_scalar(_field("bool"), "NO") == YesNo(False)
    yes = convert_scalar(_field("bool"), "yes")
    assert (str(yes), yes.th, yes.yes_box, yes.no_box) == ("yes", "ใช่", "☒", "☐")
    with pytest.raises(Problem, match="yes or no"):
        convert_scalar(_field("bool"), "maybe")


@pytest.mark.parametrize(
    "value",
    [
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{% for x in range(9) %}x{% endfor %}",
        "{# comment #}",
        "{_{ escaped }_}",
        "a }} b",
    ],
)
def test_template_markup_in_a_value_is_refused(value: str) -> None:
    with pytest.raises(Problem, match="template markup"):
        convert_scalar(_field("text"), value)


def test_text_keeps_ampersand_and_angle_brackets_but_not_control_characters() -> None:
    assert convert_scalar(_field("text"), "A & B <ok>") == "A & B <ok>"
    with pytest.raises(Problem, match="control"):
        convert_scalar(_field("text"), "bell\x07")
    with pytest.raises(Problem, match="one line"):
        convert_scalar(_field("text"), "two\nlines")
    assert convert_scalar(_field("text", multiline=True), "two\nlines") == "two\nlines"


def test_zawgyi_is_detected_converted_and_reported() -> None:
    conv = Converting()
    value = convert_scalar(_field("text"), "ခင္မာေအး", conv)
    assert value == "ခင်မာအေး"
    assert len(conv.warnings) == 1 and "Zawgyi" in conv.warnings[0]
    assert "ခင" not in conv.warnings[0]  # the report names no value
    unicode_conv = Converting()
    assert convert_scalar(_field("text"), "ခင်မာအေး", unicode_conv) == "ခင်မာအေး"
    assert unicode_conv.warnings == []
