"""Case values as the store keeps them, and what changed between two versions.

The store keeps what the person wrote, after validation (clinic.forms): dates as
YYYY-MM-DD, choices by value, yes/no as true/false, and nothing for a field left empty.
Derived values (late_registration, titles...) are not stored: the form computes them
again whenever the case is read for a document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError


@dataclass
class NewCase:
    """A checked case ready for the store."""

    case_id: str
    form: str
    form_version: str
    values: dict[str, Any]
    source: Path | None = None
    warnings: list[str] = field(default_factory=list)


def plain_values(case: Any) -> dict[str, Any]:
    """The values of a checked clinic.forms Case, without blanks or derived values."""
    from clinic.forms.fields import to_plain

    return _group(case.form.fields, case.values, to_plain)


def _group(fields: Sequence[Any], record: Any, to_plain: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for f in fields:
        try:
            value = record[f.name]
        except (KeyError, TypeError):
            continue
        if isinstance(value, str) and f.type not in _CONTAINERS:
            if value:  # what _value gives for text, a choice, an id number (most values)
                result[f.name] = str(value)
            continue
        kept = _value(f, value, to_plain)
        if kept is not None:
            result[f.name] = kept
    return result


_CONTAINERS = ("group", "list")


def _value(f: Any, value: Any, to_plain: Any) -> Any:
    if f.type == "group":
        inner = _group(f.fields, value, to_plain)
        return inner or None
    if f.type == "list":
        items = [_value(f.item, item, to_plain) for item in value or ()]
        kept = [item for item in items if item is not None]
        return kept or None
    if isinstance(value, str):  # text, a choice, an id number: most values
        return str(value) or None
    plain = to_plain(value)
    if plain is None or plain == "" or plain == [] or plain == {}:
        return None
    return plain


def from_case(case: Any) -> NewCase:
    """A NewCase from a checked clinic.forms Case."""
    values = plain_values(case)
    return NewCase(
        case_id=str(case.case_id),
        form=str(case.form.name),
        form_version=str(case.form.version),
        values=values,
        source=Path(case.source) if getattr(case, "source", None) else None,
        warnings=[str(w) for w in getattr(case, "warnings", [])],
    )


def leaf_paths(values: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every leaf; list items counted from 1."""
    if isinstance(values, Mapping):
        for key, value in values.items():
            yield from leaf_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(values, list):
        for number, item in enumerate(values, start=1):
            yield from leaf_paths(item, f"{prefix}[{number}]")
    else:
        yield prefix, values


def count_values(values: Any) -> int:
    """How many leaf values (for the audit trail: how much was written, not what)."""
    if isinstance(values, dict):
        return sum(count_values(v) for v in values.values())
    if isinstance(values, list):
        return sum(count_values(v) for v in values)
    return 1


def changed_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The field paths whose value differs (added, removed or changed): never values."""
    before = dict(leaf_paths(old))
    after = dict(leaf_paths(new))
    return sorted(
        path
        for path in before.keys() | after.keys()
        if before.get(path, _MISSING) != after.get(path, _MISSING)
    )


_MISSING = object()


def to_case_yaml(form: str, values: Mapping[str, Any]) -> str:
    """The values as a case file `clinic case update` reads back."""
    import yaml

    def text(value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Mapping):
            return {k: text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [text(v) for v in value]
        return str(value)

    document = {"form": form, **{k: text(v) for k, v in values.items()}}
    dumped: str = yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    return dumped


def check_case_id(case_id: str) -> str:
    """A case id as the shared case_id field allows (it also names files)."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", case_id or ""):
        raise ClinicError(
            "expected a case number of letters, digits, '.', '_' and '-' (no spaces or "
            "slashes), e.g. MSL-2026-0147",
            field="case_id",
        )
    return case_id
