"""Reading a case file: YAML written by a person, checked against its form.

Every problem of a file is reported at once, each with file:line:column, the field path
(list items counted from 1) and what was expected; never the value, which is personal
data. Warnings (a Burmese value converted from Zawgyi, a check digit accepted under a
`checksum: warn` rule) are reported the same way but do not stop a document.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from clinic import yamlio
from clinic.exceptions import ClinicError, ValidationError, ValidationErrors
from clinic.forms.definitions import FormDefinition, get_form
from clinic.forms.fields import (
    Converting,
    Derived,
    Field,
    Problem,
    Record,
    YesNo,
    blank,
    convert_scalar,
    describe,
)

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")

# Keys of a case file that are not fields of the form.
RESERVED_KEYS = ("form",)


@dataclass
class Case:
    """A case file read and checked: its values, ready for the templates."""

    source: Path
    form: FormDefinition
    values: Record
    warnings: list[ClinicError] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        return str(self.values.case_id)

    def context(self) -> dict[str, Any]:
        """What templates see: every field and derived value by name, and `form`."""
        context = dict(self.values._values)
        context["form"] = self.form.name
        return context


@dataclass
class CaseCheck:
    """The outcome of checking one case file (for batches that must not stop)."""

    source: Path
    case: Case | None
    errors: list[ClinicError]
    warnings: list[ClinicError]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Checker:
    def __init__(self, form: FormDefinition, source: str) -> None:
        self.form = form
        self.source = source
        self.errors: list[ClinicError] = []
        self.warnings: list[ClinicError] = []
        self.positions: dict[str, tuple[int, int]] = {}
        self.failed: set[str] = set()
        self.converting: Converting | None = None

    def error(self, message: str, where: tuple[int, int] | None, path: str) -> None:
        line, column = where if where else (None, None)
        self.errors.append(
            ValidationError(message, path=self.source, line=line, column=column, field=path or None)
        )
        self.failed.add(path)

    def warn(self, message: str, where: tuple[int, int] | None, path: str) -> None:
        line, column = where if where else (None, None)
        self.warnings.append(
            ClinicError(message, path=self.source, line=line, column=column, field=path or None)
        )

    # groups and lists

    def group(
        self,
        fields: Sequence[Field],
        derived: Sequence[Derived],
        raw: Mapping[str, Any],
        prefix: str,
        skip: Sequence[str] = (),
    ) -> Record:
        plan = _plan(tuple(fields))
        known = plan.known
        for key in raw:
            if key in known or key in skip:
                continue
            if not _FIELD_NAME.match(str(key)):
                # a name written where a key goes ('Khin Mar Aye: mother'): never echoed
                self.error(
                    "a key that is not a field name (a value written as a key?)",
                    _where(raw, key),
                    prefix or "(top level)",
                )
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            hint = difflib.get_close_matches(str(key), sorted(known), n=1)
            expected = (
                f"did you mean '{hint[0]}'?"
                if hint
                else ("known fields: " + ", ".join(sorted(known)))
            )
            self.error(f"unknown field ({expected})", _where(raw, key), path)
        # where each field was written (what _where gives, looked up once per group)
        at: Mapping[Any, tuple[int, int]]
        if isinstance(raw, yamlio.Located):
            at, own = raw.positions, (raw.line, raw.column)
        else:
            at, own = _NOWHERE, (1, 1)
        positions = self.positions
        values: dict[str, Any] = {}
        for f, name, optional_group, absent_checked, empty in plan.entries:
            path = f"{prefix}.{name}" if prefix else name
            if name in raw:
                item = raw[name]
                where = at.get(name, own)
                given = not _empty(item)
                if given and optional_group and _all_empty(item):
                    given = False  # an optional group left blank (as `case new` writes it)
            else:
                item, where, given = None, own, False
            if given:
                positions[path] = where
                values[name] = self.value(f, item, where, path, values)
            elif absent_checked:
                values[name] = self.absent(f, raw, path, where)
            else:  # optional, no default: what absent() gives, without its checks
                positions.setdefault(path, where)
                values[name] = blank(f) if empty is _MAKE_BLANK else empty
        for f in plan.numbers:
            if values[f.name] == "":
                self.number_needed(f, values, raw, prefix)
        record = Record(values)
        if derived:
            self.derive(derived, values, prefix)
        return record

    def number_needed(
        self, f: Field, values: Mapping[str, Any], raw: Mapping[str, Any], prefix: str
    ) -> None:
        """A document number is needed unless its document type has none ('none')."""
        kind = values.get(f.number_of)
        path = _join(prefix, f.name)
        if not kind or f.required or {path, _join(prefix, f.number_of)} & self.failed:
            return
        rule = f.number_rules.get(str(kind))
        if rule is not None and rule.format == "none":
            return
        where = _where(raw, f.name) if f.name in raw else _where(raw, None)
        self.error(f"is required for this document type ({f.number_of}: {kind})", where, path)

    def absent(
        self,
        f: Field,
        parent: Mapping[str, Any],
        path: str,
        where: tuple[int, int] | None = None,
    ) -> Any:
        if where is None:
            where = _where(parent, f.name) if f.name in parent else _where(parent, None)
        self.positions.setdefault(path, where)
        if f.required:
            label = f.label.get("en", "")
            what = describe(f)
            missing = "is required but empty" if f.name in parent else "is required but missing"
            self.error(
                f"{missing} ({label}: {what})" if label else f"{missing} ({what})", where, path
            )
            return blank(f)
        if f.default is not None:
            return convert_scalar(f, f.default)
        return blank(f)

    def value(
        self, f: Field, raw: Any, where: tuple[int, int], path: str, siblings: Mapping[str, Any]
    ) -> Any:
        """A given value (`where` it was written) checked and converted by its field."""
        if f.type == "group":
            if not isinstance(raw, Mapping):
                self.error(
                    f"expected a mapping of fields ({', '.join(s.name for s in f.fields)})",
                    where,
                    path,
                )
                return blank(f)
            return self.group(f.fields, f.derived, raw, path)
        if f.type == "list":
            return self.list(f, raw, where, path)
        conv = self.converting
        if conv is None or conv.siblings is not siblings:  # one per group, not per value
            conv = self.converting = Converting(siblings=siblings)
        try:
            value = convert_scalar(f, raw, conv)
        except Problem as problem:
            conv.warnings.clear()  # those of a value that failed are not given
            self.error(f"expected {problem.expected}", where, path)
            return blank(f)
        if conv.warnings:
            for warning in conv.warnings:
                self.warn(warning, where, path)
            conv.warnings.clear()
        return value

    def list(self, f: Field, raw: Any, where: tuple[int, int], path: str) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            self.error(
                f"expected a list (items starting with '-'), {describe(f.item)} each"
                if f.item
                else "expected a list",
                where,
                path,
            )
            return ()
        if len(raw) < f.min_items:
            self.error(f"expected at least {f.min_items} item(s)", where, path)
        if f.max_items is not None and len(raw) > f.max_items:
            self.error(f"expected at most {f.max_items} item(s)", where, path)
        assert f.item is not None
        items = []
        for index, item in enumerate(raw):
            item_path = f"{path}[{index + 1}]"
            item_where = _where(raw, index)
            self.positions[item_path] = item_where
            if _empty(item):
                self.error(
                    f"expected an item ({describe(f.item)}), found an empty one",
                    item_where,
                    item_path,
                )
                continue
            items.append(self.value(f.item, item, item_where, item_path, {}))
        return tuple(items)

    # derived values and rules

    def derive(self, derived: Sequence[Derived], values: dict[str, Any], prefix: str) -> None:
        from clinic.forms.expressions import evaluate, expression_references

        for d in derived:
            refs = expression_references(d.expression)
            if not self._computable(refs, prefix):
                values[d.name] = blank(d)
                continue
            try:
                result = evaluate(d.expression, values)
            except Exception as error:  # a definition mistake: name it, never the values
                self.error(
                    f"derived value could not be computed ({type(error).__name__}); "
                    "check the form definition",
                    None,
                    _join(prefix, d.name),
                )
                values[d.name] = blank(d)
                continue
            values[d.name] = _as_type(d, result)

    def _computable(self, refs: Any, prefix: str) -> bool:
        """False when a value the expression reads failed its own check (its error is
        already reported). Blank values are passed on: expressions handle them."""
        if not self.failed:
            return True
        for ref in refs:
            dotted = _join(prefix, ref.dotted.replace("[]", ""))
            for failed in self.failed:
                if (
                    failed == dotted
                    or failed.startswith((dotted + ".", dotted + "["))
                    or dotted.startswith(failed + ".")
                ):
                    return False
        return True

    def rules(self, record: Record) -> None:
        from clinic.forms.expressions import evaluate, expression_references

        values = record._values
        for rule in self.form.rules:
            refs = expression_references(rule.check)
            if not self._computable(refs, ""):
                continue
            try:
                ok = evaluate(rule.check, values)
            except Exception as error:
                self.error(
                    f"rule could not be checked ({type(error).__name__}); check the "
                    "form definition",
                    None,
                    rule.field,
                )
                continue
            if not ok:
                self.error(f"expected {rule.message}", self.positions.get(rule.field), rule.field)


_NOWHERE: Mapping[Any, tuple[int, int]] = {}


@dataclass(frozen=True)
class _Plan:
    """What checking a group needs to know of its fields, worked out once per group of
    a form rather than for every case."""

    known: frozenset[str]
    # (field, name, optional group?, absent needs absent()'s checks (required or default),
    # its blank when that is immutable ('' or ()) else _MAKE_BLANK: blank(f) makes one)
    entries: tuple[tuple[Field, str, bool, bool, Any], ...]
    numbers: tuple[Field, ...]  # document_number fields, in order


@lru_cache(maxsize=256)
def _plan(fields: tuple[Field, ...]) -> _Plan:
    return _Plan(
        known=frozenset(f.name for f in fields),
        entries=tuple(
            (
                f,
                f.name,
                f.type == "group" and not f.required,
                f.required or f.default is not None,
                _shared_blank(f),
            )
            for f in fields
        ),
        numbers=tuple(f for f in fields if f.type == "document_number"),
    )


_MAKE_BLANK = object()


def _shared_blank(f: Field) -> Any:
    empty = blank(f)
    return empty if empty.__class__ in (str, tuple) else _MAKE_BLANK


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _as_type(d: Derived, value: Any) -> Any:
    if d.type == "bool":
        return YesNo(bool(value))
    if value is None or value == "":
        return blank(d)
    if d.type == "integer" and not isinstance(value, int):
        return int(value)
    return value


def _empty(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip() == ""


def _all_empty(raw: Any) -> bool:
    """A mapping or list holding nothing but empty values."""
    if isinstance(raw, Mapping):
        return all(_all_empty(value) for value in raw.values())
    if isinstance(raw, list):
        return all(_all_empty(value) for value in raw)
    return _empty(raw)


def _where(node: Any, key: Any) -> tuple[int, int]:
    if isinstance(node, yamlio.Located):
        return node.where(key)
    return (1, 1)


def validate(
    data: Any, form: FormDefinition, source: str
) -> tuple[Record | None, list[ClinicError], list[ClinicError]]:
    """Check parsed case data against a form: (values or None, errors, warnings)."""
    checker = _Checker(form, source)
    if not isinstance(data, Mapping):
        checker.error(
            "a case file is a mapping of fields (form: ..., case_id: ..., ...)", (1, 1), ""
        )
        return None, checker.errors, checker.warnings
    record = checker.group(form.fields, form.derived, data, "", skip=RESERVED_KEYS)
    checker.rules(record)
    errors = sorted(checker.errors, key=lambda e: (e.line or 0, e.column or 0))
    return (None if errors else record), errors, checker.warnings


def check_case(
    path: str | Path,
    form: FormDefinition | str | None = None,
    known: Mapping[str, FormDefinition] | None = None,
) -> CaseCheck:
    """Read and check one case file without raising for its mistakes.

    `known`: the forms a case may name (default: load_forms(), which looks at the forms
    folder again); a batch passes the forms it read once."""
    source = Path(path)
    try:
        data = yamlio.load(source)
    except ClinicError as error:
        return CaseCheck(source, None, [error], [])
    try:
        definition = _form_for(data, form, source, known)
    except ClinicError as error:
        return CaseCheck(source, None, [error], [])
    record, errors, warnings = validate(data, definition, str(source))
    case = Case(source, definition, record, warnings) if record is not None else None
    return CaseCheck(source, case, errors, warnings)


def read_case(path: str | Path, form: FormDefinition | str | None = None) -> Case:
    """Read one case file; ValidationErrors lists every problem at once."""
    result = check_case(path, form)
    if result.case is None:
        if len(result.errors) == 1:
            raise result.errors[0]
        raise ValidationErrors(result.errors)
    return result.case


def _form_for(
    data: Any,
    form: FormDefinition | str | None,
    source: Path,
    known: Mapping[str, FormDefinition] | None = None,
) -> FormDefinition:
    if data is None:
        raise ValidationError("the file is empty", path=source, line=1, column=1)
    if not isinstance(data, Mapping):
        raise ValidationError(
            "a case file is a mapping of fields (form: ..., case_id: ..., ...), not a list "
            "or a single value",
            path=source,
            line=1,
            column=1,
        )
    written = data.get("form") if isinstance(data, Mapping) else None
    where = _where(data, "form") if isinstance(data, Mapping) and "form" in data else (1, 1)
    if isinstance(form, str):
        form = get_form(form)
    if written is None or written == "":
        if form is not None:
            return form
        raise ValidationError(
            "missing 'form: NAME' (which form this case is for)",
            path=source,
            line=1,
            column=1,
            field="form",
        )
    if not isinstance(written, str):
        raise ValidationError(
            "expected the name of a form", path=source, line=where[0], column=where[1], field="form"
        )
    if form is not None and written != form.name:
        raise ValidationError(
            f"this case is for another form; expected '{form.name}'",
            path=source,
            line=where[0],
            column=where[1],
            field="form",
        )
    if form is not None:
        return form
    if known is None:
        from clinic.forms.definitions import load_forms

        known = load_forms()
    if written not in known:
        raise ValidationError(
            f"unknown form (known forms: {', '.join(sorted(known))})",
            path=source,
            line=where[0],
            column=where[1],
            field="form",
        )
    return known[written]
