"""Form definitions: forms/*.yaml, read and checked.

A definition names a form's fields (type, required, allowed values, format rules, labels
in English, Thai and Burmese, a help line), the values derived from them, the rules
that tie them together, the templates it fills and the official form codes the
documents refer to. `forms/_shared.yaml` holds what several forms use: lists of choices
(sex, nationality, document types...) and groups of fields (person, id_document...),
pulled into a form with `use: NAME`. Other files whose name starts with '_' are not
forms and are left to their own readers (e.g. _workflows.yaml). Definitions are data a
clinic may edit, so they are read with clinic.yamlio and every mistake names the file,
line and key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from clinic import paths, yamlio
from clinic.exceptions import ClinicError, ValidationError
from clinic.forms.fields import (
    ALL_TYPES,
    LANGUAGES,
    VALUE_ATTRIBUTES,
    Choice,
    Derived,
    Field,
    NumberRule,
)

SHARED_FILE = "_shared.yaml"
FORM_NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")

_FIELD_KEYS = {
    "type", "required", "label", "help", "choices", "fields", "item", "derived",
    "pattern", "expected", "max_length", "min", "max", "min_items", "max_items",
    "multiline", "script", "default", "checksum", "example", "notes", "use", "require",
    "number_of",
}  # fmt: skip
_FORM_KEYS = {
    "form", "version", "title", "description", "translations", "official_codes",
    "templates", "fields", "derived", "rules", "notes", "statements", "checklist",
}  # fmt: skip
_TEMPLATE_KEYS = {"name", "file", "title", "when", "signed_by_beneficiary", "notes"}
_CODE_KEYS = {"code", "name", "source", "status", "note"}
_RULE_KEYS = {"check", "field", "message"}
_DERIVED_KEYS = {"type", "expression", "label", "help"}
_TRUE = {"yes", "true"}
_FALSE = {"no", "false"}


@dataclass(frozen=True)
class OfficialCode:
    code: str
    name: Mapping[str, str]
    source: str
    status: str
    note: str


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    file: str
    title: Mapping[str, str]
    when: str | None
    signed_by_beneficiary: bool

    @property
    def path(self) -> Path:
        return paths.shipped("templates") / self.file


@dataclass(frozen=True)
class Rule:
    check: str
    field: str
    message: str


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a checklist document: shown when `when` holds (or always)."""

    label: Mapping[str, str]
    code: str
    when: str | None


@dataclass(eq=False)
class FormDefinition:
    name: str
    version: str
    source: Path
    title: Mapping[str, str]
    description: Mapping[str, str]
    translations: Mapping[str, Mapping[str, str]]
    official_codes: tuple[OfficialCode, ...]
    templates: tuple[TemplateSpec, ...]
    fields: tuple[Field, ...]
    derived: tuple[Derived, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = ()
    # Texts the templates print (declarations, pledges), in en/th/my: read by
    # templates/build.py, kept here so that reviewers find every wording in one file.
    statements: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    checklist: tuple[ChecklistItem, ...] = ()
    type: str = field(default="group", init=False)  # the form is the root group

    def field_at(self, dotted: str) -> Field | None:
        """The field at a dotted path (items[] or items.quantity for a list's items)."""
        node: Any = self
        for part in dotted.replace("[]", "").split("."):
            if node is None:
                return None
            if getattr(node, "type", None) == "list":
                node = node.item
            node = next((f for f in node.fields if f.name == part), None)
        return node if isinstance(node, Field) else None

    def walk(self) -> Iterator[Field]:
        for f in self.fields:
            yield from f.walk()

    def template(self, name: str) -> TemplateSpec:
        for spec in self.templates:
            if spec.name == name:
                return spec
        known = ", ".join(t.name for t in self.templates)
        raise ClinicError(f"form '{self.name}' has no template '{name}' (it has: {known})")


# --- reading ------------------------------------------------------------------------


class _Reader:
    """Turns one definition file (with the shared parts) into dataclasses."""

    def __init__(self, source: Path, shared: Mapping[str, Any]) -> None:
        self.source = source
        self.shared = shared

    def fail(self, message: str, node: Any = None, key: Any = None, where: str = "") -> None:
        line = column = None
        if isinstance(node, yamlio.Located):
            line, column = node.where(key)
        source = getattr(node, "source_file", None) or self.source
        raise ValidationError(message, path=source, line=line, column=column, field=where or None)

    def keys(self, spec: Any, allowed: set[str], where: str) -> None:
        if not isinstance(spec, Mapping):
            self.fail("expected a mapping", spec, where=where)
        for key in spec:
            if key not in allowed:
                self.fail(
                    f"unknown key '{key}' (expected one of: {', '.join(sorted(allowed))})",
                    spec,
                    key,
                    where,
                )

    def flag(self, spec: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        raw = spec.get(key)
        if raw is None or raw == "":
            return default
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.fail(f"'{key}' must be yes or no", spec, key, where)
        return default

    def number(self, spec: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        raw = spec.get(key)
        if raw is None or raw == "":
            return None
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            self.fail(f"'{key}' must be a number", spec, key, where)
        return None

    def labels(self, spec: Any, key: str, where: str, required: bool = True) -> dict[str, str]:
        raw = spec.get(key) if isinstance(spec, Mapping) else None
        if raw is None:
            if required:
                self.fail(f"missing '{key}' (with en and th)", spec, where=where)
            return {}
        if isinstance(raw, str):
            return {"en": raw}
        if not isinstance(raw, Mapping):
            self.fail(f"'{key}' must map languages (en, th, my) to text", spec, key, where)
        for lang, text in raw.items():
            if lang not in LANGUAGES or not isinstance(text, str):
                self.fail(
                    f"'{key}' takes en, th and my as text, not '{lang}' (a comma in "
                    "{...} needs quotes)",
                    raw,
                    lang,
                    where,
                )
        if required and not (raw.get("en") and raw.get("th")):
            self.fail(f"'{key}' needs at least en and th", spec, key, where)
        return dict(raw)

    # choices

    def choices(self, raw: Any, spec: Any, where: str) -> tuple[Choice, ...]:
        if isinstance(raw, str):
            named = self.shared.get("choices", {}).get(raw)
            if named is None:
                self.fail(f"no shared list of choices named '{raw}'", spec, "choices", where)
            raw = named
        if not isinstance(raw, list) or not raw:
            self.fail(
                "'choices' must be a non-empty list or the name of a shared list",
                spec,
                "choices",
                where,
            )
        result = []
        for item in raw:
            self.keys(item, {"value", "label", "number"}, where)
            value = item.get("value")
            if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9_]{1,40}", value):
                self.fail(
                    "a choice needs a 'value' in lower case letters, digits and _",
                    item,
                    "value",
                    where,
                )
            number = None
            if "number" in item:
                number = self.number_rule(item["number"], where)
            result.append(Choice(value, self.labels(item, "label", where), number))
        values = [c.value for c in result]
        if len(set(values)) != len(values):
            self.fail("duplicate choice values", spec, "choices", where)
        return tuple(result)

    def number_rule(self, spec: Any, where: str) -> NumberRule:
        self.keys(spec, {"format", "pattern", "expected"}, where)
        fmt = spec.get("format", "pattern" if "pattern" in spec else "text")
        if fmt not in ("text", "thai_id", "myanmar_nrc", "pattern", "none"):
            self.fail(
                "'format' must be text, thai_id, myanmar_nrc, pattern or none",
                spec,
                "format",
                where,
            )
        pattern = self.regex(spec, where) if fmt == "pattern" else None
        return NumberRule(fmt, pattern, spec.get("expected", ""))

    def regex(self, spec: Mapping[str, Any], where: str) -> re.Pattern[str] | None:
        raw = spec.get("pattern")
        if raw is None:
            return None
        try:
            return re.compile(str(raw))
        except re.error:
            self.fail("'pattern' is not a valid regular expression", spec, "pattern", where)
        return None

    # fields

    def resolve_use(self, spec: Mapping[str, Any], where: str) -> Mapping[str, Any]:
        if "use" not in spec:
            return spec
        base = self.shared.get("groups", {}).get(spec["use"])
        if base is None:
            self.fail(f"no shared group named '{spec['use']}'", spec, "use", where)
        merged = yamlio.YamlDict(base)
        merged.line, merged.column, merged.positions = spec.line, spec.column, {}  # type: ignore[attr-defined]
        merged.positions.update(getattr(base, "positions", {}))
        for key, value in spec.items():
            if key not in ("use", "require"):
                merged[key] = value
                merged.positions[key] = spec.where(key)  # type: ignore[attr-defined]
        merged.setdefault("type", "group")
        required = spec.get("require") or []
        if required:
            if not isinstance(required, list):
                self.fail("'require' must be a list of field names", spec, "require", where)
            sub = yamlio.YamlDict(merged.get("fields", {}))
            sub.line, sub.column = spec.line, spec.column  # type: ignore[attr-defined]
            sub.positions = dict(getattr(merged.get("fields"), "positions", {}))
            for name in required:
                if name not in sub:
                    self.fail(
                        f"'require' names '{name}', which the group does not have",
                        spec,
                        "require",
                        where,
                    )
                entry = yamlio.YamlDict(sub[name])
                entry.line, entry.column = (
                    getattr(sub[name], "line", 0),
                    getattr(sub[name], "column", 0),
                )
                entry.positions = dict(getattr(sub[name], "positions", {}))
                entry["required"] = "yes"
                sub[name] = entry
            merged["fields"] = sub
        return merged

    def field(self, name: str, spec: Any, path: str) -> Field:
        if not FIELD_NAME.fullmatch(name):
            self.fail(
                "a field name is lower case letters, digits and _ (starting with a letter)",
                spec,
                where=path,
            )
        if not isinstance(spec, Mapping):
            self.fail("a field is a mapping (type, label, help...)", spec, where=path)
        spec = self.resolve_use(spec, path)
        self.keys(spec, _FIELD_KEYS, path)
        kind = spec.get("type", "text")
        if kind not in ALL_TYPES:
            self.fail(f"unknown type '{kind}' (known: {', '.join(ALL_TYPES)})", spec, "type", path)
        sub_fields: tuple[Field, ...] = ()
        item = None
        derived: tuple[Derived, ...] = ()
        if kind == "group":
            sub_fields = self.fields(spec.get("fields"), spec, path)
            derived = self.derived(spec.get("derived"), spec, path)
        elif kind == "list":
            item_spec = spec.get("item")
            if not isinstance(item_spec, Mapping):
                self.fail("a list needs an 'item' (the field each item is)", spec, "item", path)
            item = self.field("item", item_spec, path + "[]")
        elif "fields" in spec:
            self.fail("only a group has 'fields'", spec, "fields", path)
        choices: tuple[Choice, ...] = ()
        if kind == "choice":
            choices = self.choices(spec.get("choices"), spec, path)
        checksum = spec.get("checksum", "required")
        if checksum not in ("required", "warn"):
            self.fail("'checksum' must be required or warn", spec, "checksum", path)
        max_length = self.number(spec, "max_length", path)
        min_items = self.number(spec, "min_items", path)
        max_items = self.number(spec, "max_items", path)
        result = Field(
            name=name,
            path=path,
            type=kind,
            required=self.flag(spec, "required", path),
            label=self.labels(spec, "label", path),
            help=self.labels(spec, "help", path, required=False),
            choices=choices,
            fields=sub_fields,
            item=item,
            derived=derived,
            pattern=self.regex(spec, path),
            expected=str(spec.get("expected", "")),
            max_length=int(max_length) if max_length is not None else None,
            minimum=self.number(spec, "min", path),
            maximum=self.number(spec, "max", path),
            min_items=int(min_items) if min_items is not None else 0,
            max_items=int(max_items) if max_items is not None else None,
            multiline=self.flag(spec, "multiline", path),
            script=spec.get("script") or None,
            default=spec.get("default") if spec.get("default") not in (None, "") else None,
            checksum=checksum,
            example=spec.get("example") or None,
            notes=self.labels(spec, "notes", path, required=False),
        )
        if result.default is not None:
            from clinic.forms.fields import Problem, convert_scalar

            try:
                convert_scalar(result, result.default)
            except Problem as problem:
                self.fail(
                    f"'default' does not fit the field: expected {problem.expected}",
                    spec,
                    "default",
                    path,
                )
        if result.script and result.script not in ("Latin", "Thai", "Myanmar"):
            self.fail("'script' must be Latin, Thai or Myanmar", spec, "script", path)
        return result

    def fields(self, raw: Any, spec: Any, path: str) -> tuple[Field, ...]:
        if not isinstance(raw, Mapping) or not raw:
            self.fail("a group needs 'fields'", spec, where=path)
        result = []
        for name, sub in raw.items():
            result.append(self.field(name, sub, f"{path}.{name}" if path else name))
        # A document number is checked by the type chosen next to it.
        by_name = {f.name: f for f in result}
        for index, f in enumerate(result):
            if f.type != "document_number":
                continue
            owner_name = (
                raw[f.name].get("number_of", "type") if isinstance(raw[f.name], Mapping) else "type"
            )
            owner = by_name.get(owner_name)
            if owner is None or owner.type != "choice":
                self.fail(
                    f"a document_number needs a choice field '{owner_name}' next to it",
                    raw,
                    f.name,
                    f.path,
                )
                continue
            rules = {c.value: c.number for c in owner.choices if c.number is not None}
            result[index] = _replace(f, number_rules=rules, number_of=owner_name)
        return tuple(result)

    def derived(self, raw: Any, spec: Any, path: str) -> tuple[Derived, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, Mapping):
            self.fail("'derived' maps names to {type, expression, label}", spec, "derived", path)
        result = []
        for name, item in raw.items():
            where = f"{path}.{name}" if path else name
            self.keys(item, _DERIVED_KEYS, where)
            kind = item.get("type", "text")
            if kind not in ("text", "integer", "money_baht", "bool", "date"):
                self.fail(
                    "a derived value is text, integer, money_baht, bool or date",
                    item,
                    "type",
                    where,
                )
            expression = item.get("expression")
            if not isinstance(expression, str) or not expression.strip():
                self.fail("a derived value needs an 'expression'", item, where=where)
            result.append(Derived(name, kind, str(expression), self.labels(item, "label", where)))
        return tuple(result)


def _replace(f: Field, **changes: Any) -> Field:
    import dataclasses

    return dataclasses.replace(f, **changes)


def _mark_source(node: Any, source: Path) -> None:
    """Remember which file shared parts come from, for messages about them."""
    if isinstance(node, yamlio.YamlDict | yamlio.YamlList):
        node.source_file = source  # type: ignore[union-attr]
        for child in node.values() if isinstance(node, dict) else node:
            _mark_source(child, source)


def _read_yaml(path: Path) -> Any:
    data = yamlio.load(path)
    if not isinstance(data, Mapping):
        raise ValidationError("a definition file is a mapping", path=path, line=1)
    return data


def _load_definition(path: Path, shared: Mapping[str, Any]) -> FormDefinition:
    data = _read_yaml(path)
    reader = _Reader(path, shared)
    reader.keys(data, _FORM_KEYS, "")
    name = data.get("form")
    if not isinstance(name, str) or not FORM_NAME.fullmatch(name):
        reader.fail("'form' must name the form in lower case letters, digits and -", data, "form")
    if path.stem != name:
        reader.fail(f"the file of form '{name}' must be named {name}.yaml", data, "form")
    builtin = shared.get("fields", {})
    fields_spec = data.get("fields")
    if not isinstance(fields_spec, Mapping):
        reader.fail("missing 'fields'", data)
    for key in builtin:
        if key in fields_spec:
            reader.fail(
                f"'{key}' is defined for every form in {SHARED_FILE}", fields_spec, key, key
            )
    fields = reader.fields(builtin, shared, "") + reader.fields(fields_spec, data, "")
    derived = reader.derived(data.get("derived"), data, "")
    templates = []
    for item in data.get("templates") or []:
        reader.keys(item, _TEMPLATE_KEYS, "templates")
        tname = item.get("name", "")
        if not TEMPLATE_NAME.fullmatch(tname):
            reader.fail(
                "a template needs a 'name' in lower case letters, digits and -",
                item,
                "name",
                "templates",
            )
        tfile = item.get("file", "")
        if not tfile.endswith(".docx") or ".." in Path(tfile).parts or Path(tfile).is_absolute():
            reader.fail(
                "'file' must be a .docx path inside templates/", item, "file", f"templates.{tname}"
            )
        templates.append(
            TemplateSpec(
                name=tname,
                file=tfile,
                title=reader.labels(item, "title", f"templates.{tname}"),
                when=item.get("when") or None,
                signed_by_beneficiary=reader.flag(item, "signed_by_beneficiary", "templates"),
            )
        )
    if not templates:
        reader.fail("a form needs at least one template", data, "templates")
    if len({t.name for t in templates}) != len(templates):
        reader.fail("two templates share a name", data, "templates")
    rules = []
    for item in data.get("rules") or []:
        reader.keys(item, _RULE_KEYS, "rules")
        if not item.get("check") or not item.get("field") or not item.get("message"):
            reader.fail("a rule needs 'check', 'field' and 'message'", item, where="rules")
        rules.append(Rule(item["check"], item["field"], item["message"]))
    codes = []
    for item in data.get("official_codes") or []:
        reader.keys(item, _CODE_KEYS, "official_codes")
        codes.append(
            OfficialCode(
                code=item.get("code", ""),
                name=reader.labels(item, "name", "official_codes"),
                source=item.get("source", ""),
                status=item.get("status", "unchecked"),
                note=item.get("note", ""),
            )
        )
    translations = data.get("translations") or {}
    notes = data.get("notes") or []
    statements = {}
    for key in data.get("statements") or {}:
        statements[key] = reader.labels(data["statements"], key, f"statements.{key}")
    checklist = []
    for item in data.get("checklist") or []:
        reader.keys(item, {"label", "code", "when"}, "checklist")
        checklist.append(
            ChecklistItem(
                reader.labels(item, "label", "checklist"),
                item.get("code", ""),
                item.get("when") or None,
            )
        )
    form = FormDefinition(
        name=name,
        version=str(data.get("version", "1")),
        source=path,
        title=reader.labels(data, "title", "title"),
        description=reader.labels(data, "description", "description", required=False),
        translations={k: dict(v) for k, v in translations.items()},
        official_codes=tuple(codes),
        templates=tuple(templates),
        fields=fields,
        derived=derived,
        rules=tuple(rules),
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (str(notes),),
        statements=statements,
        checklist=tuple(checklist),
    )
    _check_expressions(form, reader, data)
    return form


def _check_expressions(form: FormDefinition, reader: _Reader, data: Mapping[str, Any]) -> None:
    """Derived values, rules and template conditions may only read the form's fields."""
    from jinja2 import TemplateSyntaxError

    from clinic.forms.expressions import check_paths, expression_references

    def check(expression: str, root: Any, where: str, node: Any, key: Any) -> None:
        try:
            refs = expression_references(expression)
        except TemplateSyntaxError as error:
            reader.fail(f"expression does not parse: {error.message}", node, key, where)
            return
        problems = check_paths(root, refs)
        if problems:
            reader.fail("expression reads " + "; ".join(problems), node, key, where)

    for d in form.derived:
        check(d.expression, form, d.name, data.get("derived"), d.name)
    for f in form.walk():
        if f.type == "list" and f.item is not None:
            for d in f.item.derived:
                check(d.expression, f.item, f"{f.path}[].{d.name}", None, None)
    for index, rule in enumerate(form.rules):
        check(rule.check, form, f"rules[{index}]", data.get("rules"), index)
        if form.field_at(rule.field) is None:
            reader.fail(
                f"rule names field '{rule.field}', which the form does not have",
                data.get("rules"),
                index,
                f"rules[{index}]",
            )
    for index, spec in enumerate(form.templates):
        if spec.when:
            check(spec.when, form, f"templates.{spec.name}.when", data.get("templates"), index)
    for index, item in enumerate(form.checklist):
        if item.when:
            check(item.when, form, f"checklist[{index + 1}].when", data.get("checklist"), index)


# --- the registry -------------------------------------------------------------------

_cache: dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, FormDefinition]] = {}


def _stamp(folder: Path) -> tuple[tuple[str, int], ...]:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.yaml")))
    except OSError:
        return ()


def load_forms(folder: Path | None = None) -> dict[str, FormDefinition]:
    """Every form definition in the folder (default: the shipped forms/), by name."""
    folder = folder or paths.shipped("forms")
    key = (str(folder), _stamp(folder))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    if not folder.is_dir():
        raise ClinicError("no forms folder", path=folder)
    shared_path = folder / SHARED_FILE
    shared: Mapping[str, Any] = _read_yaml(shared_path) if shared_path.exists() else {}
    _mark_source(shared, shared_path)
    result = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        form = _load_definition(path, shared)
        result[form.name] = form
    _cache.clear()
    _cache[key] = result
    return result


def get_form(name: str, folder: Path | None = None) -> FormDefinition:
    known = load_forms(folder)
    if name not in known:
        names = ", ".join(sorted(known)) or "none"
        raise ClinicError(f"unknown form '{name}' (known forms: {names})")
    return known[name]


def value_attributes(kind: str) -> frozenset[str]:
    return VALUE_ATTRIBUTES.get(kind, frozenset())


# --- descriptions (for `clinic forms show` and --json) ------------------------------


def field_json(f: Field) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": f.path,
        "type": f.type,
        "required": f.required,
        "label": dict(f.label),
    }
    if f.help:
        data["help"] = dict(f.help)
    if f.choices:
        data["choices"] = [{"value": c.value, "label": dict(c.label)} for c in f.choices]
    if f.default is not None:
        data["default"] = f.default
    if f.expected:
        data["expected"] = f.expected
    if f.type == "group":
        data["fields"] = [field_json(sub) for sub in f.fields]
        if f.derived:
            data["derived"] = [
                {"name": d.name, "type": d.type, "expression": d.expression} for d in f.derived
            ]
    if f.type == "list" and f.item is not None:
        data["item"] = field_json(f.item)
    if f.notes:
        data["notes"] = dict(f.notes)
    return data


def form_summary(form: FormDefinition) -> dict[str, Any]:
    return {
        "form": form.name,
        "version": form.version,
        "title": dict(form.title),
        "templates": [t.name for t in form.templates],
        "fields": sum(1 for _ in form.walk()),
        "draft_translations": sorted(
            lang for lang, info in form.translations.items() if info.get("status") == "draft"
        ),
    }


def form_json(form: FormDefinition) -> dict[str, Any]:
    data = form_summary(form)
    data.update(
        {
            "description": dict(form.description),
            "source": str(form.source),
            "translations": {k: dict(v) for k, v in form.translations.items()},
            "templates": [
                {
                    "name": t.name,
                    "file": t.file,
                    "title": dict(t.title),
                    "when": t.when,
                    "signed_by_beneficiary": t.signed_by_beneficiary,
                }
                for t in form.templates
            ],
            "fields": [field_json(f) for f in form.fields],
            "derived": [
                {"name": d.name, "type": d.type, "expression": d.expression, "label": dict(d.label)}
                for d in form.derived
            ],
            "rules": [
                {"check": r.check, "field": r.field, "message": r.message} for r in form.rules
            ],
            "official_codes": [
                {
                    "code": c.code,
                    "name": dict(c.name),
                    "source": c.source,
                    "status": c.status,
                    "note": c.note,
                }
                for c in form.official_codes
            ],
            "notes": list(form.notes),
        }
    )
    return data
