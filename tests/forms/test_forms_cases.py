"""Reading case files: the issue's minimal case, the corpus of bad cases (each with its
expected messages), and the form definitions themselves."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BAD_CASES, EXAMPLES, MINIMAL

from clinic import yamlio
from clinic.exceptions import ClinicError, ValidationError, ValidationErrors
from clinic.forms.casefile import check_case, read_case
from clinic.forms.definitions import get_form, load_forms
from clinic.forms.fields import to_plain

EXPECT = re.compile(r"^# expect: (?P<line>\d+|-)(?::(?P<column>\d+))? (?P<field>\S+): (?P<msg>.*)$")
CHECK_AS = re.compile(r"^# check-as: (\S+)$", re.M)


def test_the_issue_minimal_case_reads_with_its_values_intact(minimal_case: Path) -> None:
    case = read_case(minimal_case)
    values = to_plain(case.values)
    assert case.case_id == "MSL-2026-0147"
    assert values["child"]["born_at_time"] == "08:30"  # not 510
    assert values["mother"]["document"]["number"] == "0063412345679"  # leading 0 kept
    assert values["father"]["document"]["number"] == "MH123456"
    assert values["late_registration"] is False and values["days_to_notify"] == 8
    assert values["child_title_th"] == "เด็กหญิง"


def test_every_example_case_is_valid() -> None:
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert {p.stem.split("-late")[0] for p in examples} >= set(load_forms())
    for path in examples:
        result = check_case(path)
        assert result.ok, [str(e) for e in result.errors]


def test_all_errors_of_a_file_come_at_once(write_case: Callable[..., Path]) -> None:
    path = write_case(
        MINIMAL.replace("sex: female", "sex: girl")
        .replace('"08:30"', '"25:00"')
        .replace("0063412345679", "0063412345678")
    )
    with pytest.raises(ValidationErrors) as caught:
        read_case(path)
    fields = [e.field for e in caught.value.errors]
    assert fields == ["child.sex", "child.born_at_time", "mother.document.number"]
    text = str(caught.value)
    assert text.count(str(path)) == 3
    assert all(e.line and e.column for e in caught.value.errors)


def _bad_cases() -> list[Any]:
    return [pytest.param(path, id=path.stem) for path in sorted(BAD_CASES.glob("*.yaml"))]


def _check_as(path: Path) -> str | None:
    found = CHECK_AS.search(path.read_bytes().decode("utf-8", "replace"))
    return found.group(1) if found else None


def test_the_bad_case_corpus_is_large_enough() -> None:
    assert len(list(BAD_CASES.glob("*.yaml"))) >= 30


def _scalars(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scalars(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("path", _bad_cases())
def test_bad_case_gives_exactly_its_expected_messages(path: Path) -> None:
    raw = path.read_bytes().decode("utf-8", "replace")
    expected = [EXPECT.match(line) for line in raw.splitlines() if line.startswith("# expect:")]
    assert expected and all(expected), f"{path.name} needs '# expect:' lines"
    result = check_case(path, _check_as(path))
    assert not result.ok
    got = [
        (str(e.line) if e.line else "-", e.column, e.field or "-", e.message) for e in result.errors
    ]
    want = [
        (m["line"], int(m["column"]) if m["column"] else None, m["field"], m["msg"])
        for m in expected
        if m
    ]
    assert got == want
    for error in result.errors:
        assert str(error).startswith(f"{path}:"), "every message names the file"


@pytest.mark.parametrize("path", _bad_cases())
def test_bad_case_messages_never_quote_the_values(path: Path) -> None:
    try:
        data = yamlio.load(path)
    except ClinicError:
        return  # not even YAML: there are no values to leak
    form = load_forms().get(data.get("form", "")) if isinstance(data, dict) else None
    harmless = {"form"} | set(load_forms())
    if form is not None:
        for f in form.walk():
            harmless |= {f.name} | {c.value for c in f.choices}
            harmless |= {c.value for c in (f.item.choices if f.item else ())}
    result = check_case(path, _check_as(path))
    messages = " ".join(e.message for e in result.errors)
    for value in _scalars(data):
        if len(value) >= 4 and value not in harmless and value.lower() not in harmless:
            assert value not in messages, f"a message of {path.name} quotes a value"


# --- definitions -----------------------------------------------------------------------


def test_the_six_forms_are_defined_with_templates_and_labels() -> None:
    forms = load_forms()
    assert set(forms) == {
        "birth-registration",
        "emergency-assistance",
        "voluntary-return",
        "referral",
        "consent",
        "interpreter-record",
    }
    for form in forms.values():
        assert form.templates
        assert form.translations["my"]["status"] == "draft"  # Burmese labels are drafts
        for f in form.walk():
            assert f.label.get("en") and f.label.get("th"), f.path


def test_official_codes_live_in_the_definition_and_are_marked_unchecked() -> None:
    codes = {c.code: c for c in get_form("birth-registration").official_codes}
    assert "ท.ร.1/1" in codes and "ท.ร.3" in codes
    assert all(c.status == "unchecked" and c.source for c in codes.values())


def test_a_broken_definition_names_file_line_and_key(tmp_path: Path) -> None:
    shipped = Path(load_forms()["consent"].source).parent
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "_shared.yaml").write_bytes((shipped / "_shared.yaml").read_bytes())
    text = (shipped / "consent.yaml").read_text("utf-8")
    broken = text.replace(
        "    type: bool\n    required: yes\n    label: {en: The person is a child",
        "    type: boolean\n    required: yes\n    label: {en: The person is a child",
        1,
    )
    assert broken != text
    (folder / "consent.yaml").write_text(broken, "utf-8")
    with pytest.raises(ValidationError) as caught:
        load_forms(folder)
    line = broken[: broken.index("type: boolean")].count("\n") + 1
    assert f"consent.yaml:{line}:" in str(caught.value)
    assert "is_child" in str(caught.value) and "unknown type 'boolean'" in str(caught.value)


def test_case_without_form_key_can_be_checked_against_a_named_form(
    write_case: Callable[..., Path],
) -> None:
    path = write_case(MINIMAL.replace("form: birth-registration\n", ""))
    assert not check_case(path).ok
    assert check_case(path, "birth-registration").ok
