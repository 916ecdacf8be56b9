"""Field types: what a case file may hold, how text read from YAML becomes a value, and
the values templates see.

Every scalar arrives as text (clinic.yamlio never lets YAML 1.1 guess types), and is
converted here by the field's declared type. A conversion that fails raises `Problem`
with what was expected, never with the value: messages may be shown, logged or pasted
into a ticket, and the value is personal data.

Values given to templates:
- text, phone, myanmar_nrc: `str` (NFC; Burmese in Zawgyi converted to Unicode)
- date: `datetime.date`; time: `datetime.time`; integer: `int`; money_baht: `Decimal`
- choice: `ChoiceValue`, a `str` (the value) whose `.en` / `.th` / `.my` give its labels
- bool: `YesNo`, true or false in `{% if %}`, with `.en` / `.th` / `.my` words and
  `.yes_box` / `.no_box` tick boxes
- thai_id: `ThaiId`, the 13 digits, with `.formatted` (0-0634-12345-67-9)
- group: `Record` (fields as attributes); list: a tuple
An optional value that was not given is an empty value of its type ("" when printed),
so a template prints a blank instead of failing or printing "None".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from clinic.forms import thai
from clinic.text import (
    ZAWGYI_THRESHOLD,
    has_myanmar,
    normalize,
    zawgyi_probability,
    zawgyi_to_unicode,
)

SCALAR_TYPES = (
    "text",
    "date",
    "time",
    "choice",
    "integer",
    "money_baht",
    "thai_id",
    "myanmar_nrc",
    "phone",
    "bool",
    "document_number",
)
CONTAINER_TYPES = ("group", "list")
ALL_TYPES = SCALAR_TYPES + CONTAINER_TYPES

# Attributes a template may read on a value of each type (besides the value itself).
VALUE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "choice": frozenset({"en", "th", "my"}),
    "bool": frozenset({"en", "th", "my", "yes_box", "no_box"}),
    "thai_id": frozenset({"formatted"}),
}

LANGUAGES = ("en", "th", "my")
DEFAULT_MAX_LENGTH = 200
MULTILINE_MAX_LENGTH = 4000
EMPTY_MARKERS = frozenset({"~", "null", "Null", "NULL"})

# Jinja delimiters (and docxtpl's escaped forms): a value must never carry template
# syntax, whatever the renderer does with it (docs_anchors.md §0.2, docxtpl #632).
_TEMPLATE_MARKUP = re.compile(r"\{[{%#_]|[}%#_]\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

_NRC_LATIN = re.compile(r"^(1[0-4]|[1-9])/([A-Z]{3,9})\((N|E|P|T|TH|S|NAING)\)([0-9]{6})$")
_NRC_BURMESE = re.compile(
    r"^(1[0-4]|[1-9]|၁[၀-၄]|[၁-၉])/([\u1000-\u103f]+)"
    r"\((နိုင်|ဧည့်|ပြု|သာ|သီ|စ)\)([0-9]{6}|[၀-၉]{6})$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*[0-9]$")
_MONEY = re.compile(r"^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DMY = re.compile(r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}$")
_TIME = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")
_BOOL = {
    "yes": True, "y": True, "true": True, "ใช่": True, "ဟုတ်": True,
    "no": False, "n": False, "false": False, "ไม่ใช่": False, "ไม่": False, "မဟုတ်": False,
}  # fmt: skip


class Problem(Exception):
    """A value does not fit its field; `expected` says what would (never the value)."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


# --- definitions of fields ------------------------------------------------------


@dataclass(frozen=True)
class NumberRule:
    """How a document number is checked, by document type."""

    format: str = "text"  # text | thai_id | myanmar_nrc | pattern | none (no number)
    pattern: re.Pattern[str] | None = None
    expected: str = ""


@dataclass(frozen=True)
class Choice:
    value: str
    label: Mapping[str, str]
    number: NumberRule | None = None


@dataclass(frozen=True)
class Derived:
    """A value computed from others by a (sandboxed) Jinja expression."""

    name: str
    type: str
    expression: str
    label: Mapping[str, str]


@dataclass(eq=False)
class Field:
    name: str
    path: str
    type: str
    required: bool = False
    label: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    fields: tuple[Field, ...] = ()
    item: Field | None = None
    derived: tuple[Derived, ...] = ()
    pattern: re.Pattern[str] | None = None
    expected: str = ""
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_items: int = 0
    max_items: int | None = None
    multiline: bool = False
    script: str | None = None
    default: str | None = None
    checksum: str = "required"
    example: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    # document_number: how the number is checked, by the value of the sibling 'type'
    number_rules: Mapping[str, NumberRule] = field(default_factory=dict)
    number_of: str = "type"

    def child(self, name: str) -> Field | None:
        for sub in self.fields:
            if sub.name == name:
                return sub
        return None

    def choice(self, value: str) -> Choice | None:
        """The choice a written value means: its value (any case) or one of its labels."""
        wanted = normalize(value).strip().casefold()
        for choice in self.choices:
            if choice.value.casefold() == wanted:
                return choice
        for choice in self.choices:
            if any(label.casefold() == wanted for label in choice.label.values() if label):
                return choice
        return None

    def walk(self) -> Iterator[Field]:
        """This field and every field below it."""
        yield self
        for sub in self.fields:
            yield from sub.walk()
        if self.item is not None:
            yield from self.item.walk()


# --- values -------------------------------------------------------------------------


class Record:
    """A group's values, read as attributes (`child.given_name`) or items.

    Not a dict: a field named `items` or `keys` must not turn into a dict method inside
    a template. It has no public attribute of its own for the same reason."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __bool__(self) -> bool:
        return any(bool(value) for value in self._values.values())

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:  # never the values: they are personal data
        return f"Record({', '.join(self._values)})"


class ChoiceValue(str):
    """A choice's value (e.g. 'female'), with its labels as `.en`, `.th`, `.my`."""

    _labels: Mapping[str, str]

    def __new__(cls, value: str, labels: Mapping[str, str] | None = None) -> ChoiceValue:
        obj = super().__new__(cls, value)
        obj._labels = labels or {}
        return obj

    @property
    def en(self) -> str:
        return self._labels.get("en", "")

    @property
    def th(self) -> str:
        return self._labels.get("th", "")

    @property
    def my(self) -> str:
        return self._labels.get("my", "")


class YesNo:
    """A yes/no answer; None when it was not given (both boxes stay empty)."""

    __slots__ = ("value",)
    WORDS = {
        "en": ("yes", "no"),
        "th": ("ใช่", "ไม่ใช่"),
        "my": ("ဟုတ်", "မဟုတ်"),
    }

    def __init__(self, value: bool | None) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, YesNo):
            return self.value == other.value
        if isinstance(other, bool):
            return self.value is other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def _word(self, language: str) -> str:
        if self.value is None:
            return ""
        return self.WORDS[language][0 if self.value else 1]

    def __str__(self) -> str:
        return self._word("en")

    def __repr__(self) -> str:
        return f"YesNo({self.value!r})"

    @property
    def en(self) -> str:
        return self._word("en")

    @property
    def th(self) -> str:
        return self._word("th")

    @property
    def my(self) -> str:
        return self._word("my")

    @property
    def yes_box(self) -> str:
        return "☒" if self.value is True else "☐"

    @property
    def no_box(self) -> str:
        return "☒" if self.value is False else "☐"


class ThaiId(str):
    """The 13 digits of a Thai identification number, with `.formatted`."""

    @property
    def formatted(self) -> str:
        return thai.format_thai_id(str(self))


def blank(f: Field | Derived) -> Any:
    """The empty value of a field's type (what a template sees for an absent value)."""
    if f.type == "choice":
        return ChoiceValue("")
    if f.type == "bool":
        return YesNo(None)
    if f.type == "thai_id":
        return ThaiId("")
    if isinstance(f, Field):
        if f.type == "group":
            return Record({sub.name: blank(sub) for sub in f.fields} | derived_blanks(f))
        if f.type == "list":
            return ()
    return ""


def derived_blanks(f: Field) -> dict[str, Any]:
    return {d.name: blank(d) for d in f.derived}


def is_blank(value: Any) -> bool:
    if isinstance(value, YesNo):
        return value.value is None
    if isinstance(value, Record):
        return not value
    return isinstance(value, str | tuple) and len(value) == 0


def to_plain(value: Any) -> Any:
    """A value as JSON-friendly data (for --json output and tests)."""
    if isinstance(value, Record):
        return {k: to_plain(v) for k, v in value._values.items()}
    if isinstance(value, tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, YesNo):
        return value.value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat(timespec="minutes") if isinstance(value, dt.time) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return value


# --- Zawgyi -------------------------------------------------------------------------


def unzawgyi(text: str) -> tuple[str, float | None]:
    """(Unicode text, the Zawgyi probability when the text was converted, else None)."""
    probability = zawgyi_probability(text)
    if probability > ZAWGYI_THRESHOLD:
        return normalize(zawgyi_to_unicode(text)), probability
    return text, None


# --- conversion ---------------------------------------------------------------------


@dataclass
class Converting:
    """What a conversion may need besides the value: the already converted siblings
    (a document number is checked by its document type) and a place for warnings."""

    siblings: Mapping[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _text(raw: str, f: Field, conv: Converting) -> str:
    value = normalize(raw).strip()
    if _TEMPLATE_MARKUP.search(value):
        raise Problem("template markup ({{, {%, {#) is not allowed in a value")
    if "\n" in value and not f.multiline:
        raise Problem("one line of text (this field does not take line breaks)")
    if _CONTROL.search(value.replace("\n", "")) or "\t" in value:
        raise Problem("printable text (control characters and tabs are not allowed)")
    limit = f.max_length or (MULTILINE_MAX_LENGTH if f.multiline else DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        raise Problem(f"at most {limit} characters")
    if not value.isascii() and has_myanmar(value):  # isascii: a flag, not a scan
        value, probability = unzawgyi(value)
        if probability is not None:
            conv.warnings.append(
                f"Burmese text looked like Zawgyi (probability {probability:.2f}) and was "
                "converted to Unicode; check it in the document"
            )
    if f.script and not _has_script(value, f.script):
        raise Problem(f"text in {f.script} script")
    if f.pattern is not None and not f.pattern.fullmatch(value):
        raise Problem(f.expected or f"text matching {f.pattern.pattern}")
    return value


def _has_script(text: str, script: str) -> bool:
    from clinic.text import scripts_in

    return script in scripts_in(text)


def _date(raw: str, f: Field, conv: Converting) -> dt.date:
    text = thai.ascii_digits(raw.strip())
    match = _DATE.fullmatch(text)
    if not match:
        if _DMY.fullmatch(text):
            raise Problem("a date as YYYY-MM-DD (day/month/year order is ambiguous)")
        raise Problem("a date as YYYY-MM-DD, e.g. 2026-11-02")
    year, month, day = (int(part) for part in match.groups())
    if year >= 2400:
        raise Problem(
            "a date in the Common Era as YYYY-MM-DD: this year looks like a Buddhist Era "
            "year (subtract 543)"
        )
    if not 1880 <= year <= 2100:
        raise Problem("a date between 1880 and 2100")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Problem("a real calendar date (this day does not exist)") from None


def _time(raw: str, f: Field, conv: Converting) -> dt.time:
    match = _TIME.fullmatch(thai.ascii_digits(raw.strip().removesuffix("น.").strip()))
    if not match:
        raise Problem('a time as HH:MM (24-hour clock), e.g. "08:30"')
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise Problem("a time between 00:00 and 23:59")
    return dt.time(hour, minute)


def _choice(raw: str, f: Field, conv: Converting) -> ChoiceValue:
    choice = f.choice(raw)
    if choice is None:
        values = ", ".join(c.value for c in f.choices)
        raise Problem(f"one of: {values}")
    return ChoiceValue(choice.value, choice.label)


def _bounds(number: Decimal | int, f: Field) -> None:
    if f.minimum is not None and number < f.minimum:
        raise Problem(f"a number of at least {f.minimum}")
    if f.maximum is not None and number > f.maximum:
        raise Problem(f"a number of at most {f.maximum}")


def _integer(raw: str, f: Field, conv: Converting) -> int:
    text = thai.ascii_digits(raw.strip())
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise Problem("a whole number written with digits, e.g. 2")
    number = int(text)
    _bounds(number, f)
    return number


def _money(raw: str, f: Field, conv: Converting) -> Decimal:
    text = thai.ascii_digits(raw.strip())
    for suffix in ("บาท", "baht", "THB", "฿"):
        text = text.removesuffix(suffix).strip()
    text = text.removeprefix("฿").strip()
    if not _MONEY.fullmatch(text):
        raise Problem("an amount in baht, e.g. 1250 or 1,250.50 (at most 2 decimals)")
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise Problem("an amount in baht") from None
    _bounds(amount, f)
    return amount


def check_thai_id(raw: str, checksum: str = "required", conv: Converting | None = None) -> str:
    text = thai.ascii_digits(raw.strip()).replace("-", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]{13}", text):
        raise Problem("a 13-digit identification number (digits only, a leading 0 is fine)")
    if thai.thai_id_check_digit(text[:12]) != int(text[12]):
        message = "a 13-digit number whose last (check) digit matches the others"
        if checksum == "warn" and conv is not None:
            conv.warnings.append(f"expected {message}; check the number on the card")
        else:
            raise Problem(message + "; check the number on the card")
    return text


def _thai_id(raw: str, f: Field, conv: Converting) -> ThaiId:
    return ThaiId(check_thai_id(raw, f.checksum, conv))


def check_nrc(raw: str) -> str:
    text = re.sub(r"\s+", "", normalize(raw))
    latin = text.upper()
    if _NRC_LATIN.fullmatch(latin):
        return latin
    if _NRC_BURMESE.fullmatch(text):
        return text
    raise Problem(
        "a Myanmar NRC number such as 12/OUKAMA(N)123456 or ၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆ "
        "(state 1-14 / township (type) 6 digits)"
    )


def _nrc(raw: str, f: Field, conv: Converting) -> str:
    return check_nrc(raw)


def _phone(raw: str, f: Field, conv: Converting) -> str:
    text = thai.ascii_digits(raw.strip())
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE.fullmatch(text) or not 6 <= digits <= 15:
        raise Problem("a phone number: digits, spaces, +, - and brackets, 6 to 15 digits")
    return text


def _bool(raw: str, f: Field, conv: Converting) -> YesNo:
    answer = _BOOL.get(raw.strip().casefold())
    if answer is None:
        raise Problem("yes or no")
    return YesNo(answer)


def _document_number(raw: str, f: Field, conv: Converting) -> str:
    kind = conv.siblings.get(f.number_of)
    rule: NumberRule | None = None
    if isinstance(kind, ChoiceValue) and kind:
        rule = f.number_rules.get(str(kind))
    if rule is None or rule.format in ("text", "none"):
        text = _text(raw, f, conv)
        return text
    if rule.format == "thai_id":
        return check_thai_id(raw, f.checksum, conv)
    if rule.format == "myanmar_nrc":
        return check_nrc(raw)
    text = re.sub(r"\s+", "", normalize(raw))
    if rule.pattern is not None and not rule.pattern.fullmatch(text):
        raise Problem(rule.expected or "a document number in the format of its type")
    return text


CONVERTERS: dict[str, Callable[[str, Field, Converting], Any]] = {
    "text": _text,
    "date": _date,
    "time": _time,
    "choice": _choice,
    "integer": _integer,
    "money_baht": _money,
    "thai_id": _thai_id,
    "myanmar_nrc": _nrc,
    "phone": _phone,
    "bool": _bool,
    "document_number": _document_number,
}


def convert_scalar(f: Field, raw: Any, conv: Converting | None = None) -> Any:
    """Convert one written value (text from YAML or from a prompt) by the field's type.

    Raises Problem. An empty text means "not given": the caller decides whether that is
    allowed (required fields) and uses `blank(f)` otherwise."""
    conv = conv or Converting()
    if not isinstance(raw, str):
        if isinstance(raw, Mapping):
            raise Problem(f"{describe(f)}, not a mapping")
        if isinstance(raw, list):
            raise Problem(f"{describe(f)}, not a list")
        raise Problem(describe(f))  # pragma: no cover - yamlio only yields text
    if raw.strip() in EMPTY_MARKERS:
        raise Problem('a value, or nothing at all for "not given" (~ and null are not used)')
    return CONVERTERS[f.type](raw, f, conv)


def describe(f: Field) -> str:
    """What a field's type expects, in words, for messages and prompts."""
    return {
        "text": "text",
        "date": "a date as YYYY-MM-DD",
        "time": "a time as HH:MM",
        "choice": "one of: " + ", ".join(c.value for c in f.choices),
        "integer": "a whole number",
        "money_baht": "an amount in baht",
        "thai_id": "a 13-digit identification number",
        "myanmar_nrc": "a Myanmar NRC number",
        "phone": "a phone number",
        "bool": "yes or no",
        "document_number": "a document number",
        "group": "a mapping of fields",
        "list": "a list",
    }[f.type]
