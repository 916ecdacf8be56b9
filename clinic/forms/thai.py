"""Thai (and Burmese) conventions for documents: Buddhist Era dates, month names, digits,
titles computed from sex and age.

Facts used here (research notes domain.md §2-3):
- B.E. = C.E. + 543 from 1 January 1941 (B.E. 2484). Before that the Thai year began on
  1 April, so 1 January - 31 March of earlier years take 542
  (https://simple.wikipedia.org/wiki/Thai_solar_calendar).
- Month names and the Burmese long-date order (year month day) are CLDR's, checked
  against ICU 77 (`icu.DateFormatSymbols(icu.Locale("th"/"my")).getMonths()`).
- Titles: เด็กชาย / เด็กหญิง under 15 full years; นาย for men from 15; นางสาว for women
  from 15, or นาง when the woman chooses it (Women's Title Act B.E. 2551)
  (https://www.gotoknow.org/posts/644021).
Dates are stored in C.E. (ISO) and converted only when a document is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
BURMESE_MONTHS = (
    "ဇန်နဝါရီ", "ဖေဖော်ဝါရီ", "မတ်", "ဧပြီ", "မေ", "ဇွန်",
    "ဇူလိုင်", "ဩဂုတ်", "စက်တင်ဘာ", "အောက်တိုဘာ", "နိုဝင်ဘာ", "ဒီဇင်ဘာ",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_BURMESE = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")
# Any decimal digit a person may type (Thai, Burmese, Lao, Khmer, full-width...) -> ASCII.
_DIGIT_RANGES = (0x0E50, 0x0ED0, 0x1040, 0x1090, 0x17E0, 0xFF10, 0x0660, 0x06F0, 0x0966)
_TO_ASCII = {start + i: ord("0") + i for start in _DIGIT_RANGES for i in range(10)}

ADULT_AGE = 15


def thai_digits(value: Any) -> str:
    """'2569' -> '๒๕๖๙' (any text: only ASCII digits change)."""
    return str(value).translate(_TO_THAI)


def burmese_digits(value: Any) -> str:
    """'2026' -> '၂၀၂၆'."""
    return str(value).translate(_TO_BURMESE)


def ascii_digits(value: str) -> str:
    """Thai, Burmese, Lao, Khmer, Arabic-Indic and full-width digits -> 0-9."""
    return value.translate(_TO_ASCII)


def buddhist_year(day: dt.date) -> int:
    """The Buddhist Era year of a date, with the pre-1941 New Year on 1 April."""
    if day.year < 1941 and day.month < 4:
        return day.year + 542
    return day.year + 543


def digits(value: Any, which: Any = True) -> str:
    """Write the ASCII digits of a value in Thai digits (which: true, 'th' or 'thai') or
    Burmese digits ('my'); a false `which` (a yes/no field answered no) leaves them."""
    text = "" if value is None else str(value)
    if isinstance(which, str):
        if which in ("th", "thai"):
            return thai_digits(text)
        if which in ("my", "burmese"):
            return burmese_digits(text)
        return text
    return thai_digits(text) if which else text


_digits = digits


def thai_date(value: Any, digits: Any = False, era: bool = False, short: bool = False) -> str:
    """2026-11-02 -> '2 พฤศจิกายน 2569' ('๒ พฤศจิกายน ๒๕๖๙' with digits=True;
    'พ.ศ.' before the year with era=True; abbreviated month with short=True).
    An empty value gives an empty text, so optional dates leave a blank."""
    if not isinstance(value, dt.date):
        return ""
    month = (THAI_MONTHS_SHORT if short else THAI_MONTHS)[value.month - 1]
    year = f"พ.ศ. {buddhist_year(value)}" if era else str(buddhist_year(value))
    return _digits(f"{value.day} {month} {year}", digits)


def thai_year(value: Any, digits: Any = False) -> str:
    """The Buddhist Era year alone: 2026-11-02 -> '2569'."""
    if not isinstance(value, dt.date):
        return ""
    return _digits(str(buddhist_year(value)), digits)


def english_date(value: Any) -> str:
    """2026-11-02 -> '2 November 2026'."""
    if not isinstance(value, dt.date):
        return ""
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def burmese_date(value: Any, digits: Any = "my") -> str:
    """2026-11-02 -> '၂၀၂၆ နိုဝင်ဘာ ၂' (CLDR's Burmese long-date order: year month day)."""
    if not isinstance(value, dt.date):
        return ""
    return _digits(f"{value.year} {BURMESE_MONTHS[value.month - 1]} {value.day}", digits)


def thai_time(value: Any, digits: Any = False) -> str:
    """08:30 -> '08.30 น.' (the way Thai documents write the time)."""
    if not isinstance(value, dt.time):
        return ""
    return _digits(f"{value.hour:02d}.{value.minute:02d} น.", digits)


def age_on(born_on: Any, on: Any) -> int | None:
    """Full years between two dates; None when either is unknown."""
    if not isinstance(born_on, dt.date) or not isinstance(on, dt.date):
        return None
    years = on.year - born_on.year
    if (on.month, on.day) < (born_on.month, born_on.day):
        years -= 1
    return years


def thai_title(sex: Any, born_on: Any = None, on: Any = None, married_title: bool = False) -> str:
    """The Thai title for a person: เด็กชาย/เด็กหญิง under 15 full years on `on`,
    นาย / นางสาว (or นาง when married_title) from 15. An unknown age is taken as adult:
    the forms ask for the date of birth of every child, and parents' ages are often
    unknown. An unknown sex gives no title at all (never a guess)."""
    sex = str(sex)
    age = age_on(born_on, on)
    child = age is not None and age < ADULT_AGE
    if sex == "male":
        return "เด็กชาย" if child else "นาย"
    if sex == "female":
        if child:
            return "เด็กหญิง"
        return "นาง" if married_title else "นางสาว"
    return ""


def format_thai_id(digits: str) -> str:
    """'0063412345679' -> '0-0634-12345-67-9' (the layout printed on Thai cards)."""
    if len(digits) != 13:
        return digits
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def thai_id_check_digit(first12: str) -> int:
    """The mod-11 check digit of the 13-digit number (weights 13..2). The same rule
    holds for numbers starting with 0 (non-Thai persons), which python-stdnum refuses."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10
