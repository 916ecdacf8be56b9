"""Rule and derived-value expressions: evaluated in the sandbox, with the short way to a
Record's fields giving exactly what the sandbox's general way gives."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from clinic.forms.expressions import environment, evaluate
from clinic.forms.fields import ChoiceValue, Record, YesNo


def _record() -> Record:
    return Record(
        {
            "name": "Test Mother One",
            "items": "a field named like a dict method",
            "keys": ChoiceValue("female", {"en": "Female"}),
            "answer": YesNo(True),
            "inner": Record({"given_name": "Ma Sample"}),
            "formatter": "{0}".format,  # never in a case; the sandbox wraps it
        }
    )


@pytest.mark.parametrize(
    "attribute",
    ["name", "items", "keys", "answer", "inner", "missing", "_values", "__class__", "__slots__"],
)
def test_reading_a_record_gives_what_the_general_sandbox_gives(attribute: str) -> None:
    env = environment()
    record = _record()
    fast = env.getattr(record, attribute)
    general = ImmutableSandboxedEnvironment.getattr(env, record, attribute)
    if isinstance(general, Undefined):
        assert isinstance(fast, Undefined) and type(fast) is type(general)
        assert fast._undefined_hint == general._undefined_hint
        assert fast._undefined_exception is general._undefined_exception
    else:
        assert fast is general


def test_a_str_format_value_is_still_wrapped_by_the_sandbox() -> None:
    value = environment().getattr(_record(), "formatter")
    assert value is not _record()._values["formatter"]
    assert value.__name__ == "format"


def test_expressions_read_fields_and_are_refused_internals() -> None:
    values: dict[str, Any] = {"mother": _record()}
    assert evaluate("mother.name", values) == "Test Mother One"
    assert evaluate("mother.inner.given_name", values) == "Ma Sample"
    assert evaluate("mother.keys.en", values) == "Female"
    assert evaluate("mother.answer and mother.items", values) == values["mother"].items
    refused = evaluate("mother._values", values)
    with pytest.raises(SecurityError):
        str(refused)
    with pytest.raises(SecurityError):
        str(evaluate("mother.__class__", values))


def test_each_evaluation_sees_only_its_own_values() -> None:
    assert evaluate("a + 1", {"a": 1}) == 2
    assert evaluate("a + 1", {"a": 5}) == 6
    assert evaluate("range(3)|list", {}) == [0, 1, 2]  # the environment's globals
