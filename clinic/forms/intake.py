"""Writing case files: the commented skeleton of `clinic case new`, and the interview of
`clinic case intake`, which asks for one field at a time (labels in English or Thai),
checks each answer as it is given and writes the YAML.

The interview is a plain function over two callables (ask, say), so that it can be
driven by rich prompts in a terminal and by a list of answers in tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clinic.forms.definitions import FormDefinition
from clinic.forms.fields import (
    Converting,
    Field,
    Problem,
    convert_scalar,
    describe,
    to_plain,
)

UI = {
    "en": {
        "required": "required",
        "optional": "optional, Enter to skip",
        "needed": "An answer is needed.",
        "expected": "Expected",
        "add_group": "Fill in {label}?",
        "add_item": "Add an item to {label}?",
        "add_another": "Add another item to {label}?",
        "yes_no": "yes or no",
        "choices": "Answer with the number or the value",
        "fix": "Please correct: {field} - {message}",
        "default": "default",
    },
    "th": {
        "required": "ต้องกรอก",
        "optional": "ไม่บังคับ กด Enter เพื่อข้าม",
        "needed": "ข้อนี้ต้องตอบ",
        "expected": "ต้องเป็น",
        "add_group": "กรอก {label} หรือไม่?",
        "add_item": "เพิ่มรายการใน {label} หรือไม่?",
        "add_another": "เพิ่มรายการใน {label} อีกหรือไม่?",
        "yes_no": "yes หรือ no",
        "choices": "ตอบเป็นหมายเลขหรือค่า",
        "fix": "โปรดแก้ไข: {field} - {message}",
        "default": "ค่าเริ่มต้น",
    },
}


def _label(labels: Mapping[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("en", "")


# --- writing YAML -------------------------------------------------------------------


def _quote(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no YAML guesswork on read.
    return json.dumps(text, ensure_ascii=False)


def dump_case(form: str, values: Mapping[str, Any]) -> str:
    """Case data (text, mappings, lists) as YAML with every scalar quoted."""
    lines = [f"form: {form}"]

    def emit(key: str, value: Any, column: int, lead: str | None = None) -> None:
        head = (" " * column if lead is None else lead) + f"{key}:"
        if isinstance(value, Mapping):
            if not value:
                lines.append(head + " {}")
                return
            lines.append(head)
            for k, v in value.items():
                emit(k, v, column + 2)
        elif isinstance(value, list):
            if not value:
                lines.append(head + " []")
                return
            lines.append(head)
            dash = " " * (column + 2) + "- "
            for item in value:
                if isinstance(item, Mapping) and item:
                    for index, (k, v) in enumerate(item.items()):
                        emit(k, v, column + 4, dash if index == 0 else None)
                elif isinstance(item, Mapping):
                    lines.append(dash + "{}")
                else:
                    lines.append(dash + _quote(str(item)))
        else:
            lines.append(f"{head} {_quote(str(value))}")

    for key, value in values.items():
        emit(key, value, 0)
    return "\n".join(lines) + "\n"


def _comment(f: Field, lang: str) -> str:
    parts = [_label(f.label, lang)]
    if f.required:
        parts.append("(" + UI[lang]["required"] + ")")
    if f.type == "choice":
        parts.append("[one of: " + ", ".join(c.value for c in f.choices) + "]")
    elif f.type not in ("text", "group", "list"):
        parts.append("[" + describe(f) + "]")
    if f.default is not None:
        parts.append(f"[{UI[lang]['default']}: {f.default}]")
    help_text = _label(f.help, lang)
    if help_text:
        parts.append("- " + help_text)
    if f.example:
        parts.append(f"e.g. {f.example}")
    return " ".join(p for p in parts if p).replace("\n", " ")


def skeleton(form: FormDefinition, lang: str = "en") -> str:
    """A YAML case file with every field, empty, each commented with its label, what it
    takes and its help line. It reads back (`clinic case check` lists what is missing)."""
    title = _label(form.title, lang)
    lines = [
        f"# Case file for form {form.name} ({title}).",
        "# Fill in the values; leave optional ones empty. Dates: YYYY-MM-DD (Common Era);",
        '# times: "HH:MM" in quotes. Check the file with: clinic case check FILE',
        f"form: {form.name}",
    ]

    def emit(f: Field, indent: int) -> None:
        pad = " " * indent
        comment = "  # " + _comment(f, lang)
        if f.type == "group":
            lines.append(f"{pad}{f.name}:{comment}")
            for sub in f.fields:
                emit(sub, indent + 2)
        elif f.type == "list":
            lines.append(f"{pad}{f.name}: []{comment}")
            assert f.item is not None
            lines.append(f"{pad}  # one item each, for example:")
            if f.item.type == "group":
                for index, sub in enumerate(f.item.fields):
                    lead = "- " if index == 0 else "  "
                    lines.append(f'{pad}  # {lead}{sub.name}: ""  # ' + _comment(sub, lang))
            else:
                lines.append(f'{pad}  # - ""  # ' + _comment(f.item, lang))
        else:
            lines.append(f'{pad}{f.name}: ""{comment}')

    for f in form.fields:
        emit(f, 0)
    return "\n".join(lines) + "\n"


# --- the interview ------------------------------------------------------------------


@dataclass
class Question:
    """What the interview asks: shown by the terminal (or a test)."""

    path: str
    label: str
    help: str
    required: bool
    kind: str
    choices: list[tuple[str, str]]
    default: str | None = None


Ask = Callable[[Question], str]
Say = Callable[[str], None]


class Interview:
    def __init__(self, form: FormDefinition, ask: Ask, say: Say, lang: str = "en") -> None:
        self.form = form
        self.ask = ask
        self.say = say
        self.lang = lang if lang in UI else "en"
        self.ui = UI[self.lang]

    def question(self, f: Field, path: str) -> Question:
        choices = [(c.value, _label(c.label, self.lang)) for c in f.choices]
        return Question(
            path,
            _label(f.label, self.lang),
            _label(f.help, self.lang),
            f.required,
            describe(f),
            choices,
            f.default,
        )

    def yes_no(self, text: str, path: str) -> bool:
        probe = Field(name="answer", path=path, type="bool")
        while True:
            answer = self.ask(Question(path, text, "", True, self.ui["yes_no"], []))
            try:
                return bool(convert_scalar(probe, answer))
            except Problem:
                self.say(f"{self.ui['expected']}: {self.ui['yes_no']}")

    def scalar(self, f: Field, path: str, siblings: Mapping[str, Any]) -> tuple[str, Any] | None:
        """(text to store, converted value), or None when an optional field is skipped."""
        while True:
            answer = self.ask(self.question(f, path)).strip()
            if not answer and f.default is not None:
                answer = f.default
            if not answer:
                if f.required:
                    self.say(self.ui["needed"])
                    continue
                return None
            if f.type == "choice" and answer.isdigit() and 1 <= int(answer) <= len(f.choices):
                answer = f.choices[int(answer) - 1].value
            try:
                value = convert_scalar(f, answer, Converting(siblings=siblings))
            except Problem as problem:
                self.say(f"{self.ui['expected']}: {problem.expected}")
                continue
            plain = to_plain(value)
            text = "yes" if plain is True else "no" if plain is False else str(plain)
            return text, value

    def group(self, fields: tuple[Field, ...], prefix: str) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        converted: dict[str, Any] = {}
        for f in fields:
            path = f"{prefix}.{f.name}" if prefix else f.name
            value = self.field(f, path, converted)
            if value is not None:
                raw[f.name] = value[0]
                converted[f.name] = value[1]
        return raw

    def field(self, f: Field, path: str, siblings: Mapping[str, Any]) -> tuple[Any, Any] | None:
        label = _label(f.label, self.lang)
        if f.type == "group":
            if not f.required and not self.yes_no(self.ui["add_group"].format(label=label), path):
                return None
            raw = self.group(f.fields, path)
            return raw, raw
        if f.type == "list":
            assert f.item is not None
            items: list[Any] = []
            while f.max_items is None or len(items) < f.max_items:
                if len(items) >= f.min_items:
                    key = "add_another" if items else "add_item"
                    if not self.yes_no(self.ui[key].format(label=label), path):
                        break
                item_path = f"{path}[{len(items) + 1}]"
                if f.item.type == "group":
                    items.append(self.group(f.item.fields, item_path))
                else:
                    answer = self.scalar(f.item, item_path, {})
                    if answer is not None:
                        items.append(answer[0])
            return (items, items) if items else None
        return self.scalar(f, path, siblings)

    def run(self) -> dict[str, Any]:
        return self.group(self.form.fields, "")

    def fix(self, raw: dict[str, Any], path: str, message: str) -> bool:
        """Ask again for one field named by a cross-field rule; False if it cannot."""
        if "[" in path:
            return False
        target = self.form.field_at(path)
        if target is None:
            return False
        self.say(self.ui["fix"].format(field=path, message=message))
        parent = raw
        parts = path.split(".")
        for part in parts[:-1]:
            parent = parent.setdefault(part, {})
        answer = self.field(target, path, {})
        if answer is None:
            parent.pop(parts[-1], None)
        else:
            parent[parts[-1]] = answer[0]
        return True


def interview(
    form: FormDefinition, ask: Ask, say: Say, lang: str = "en", rounds: int = 3
) -> tuple[str, list[Any]]:
    """Ask every question, then re-ask the fields a cross-field rule rejects (a few
    rounds). (YAML text, problems still left: ClinicErrors)."""
    from clinic import yamlio
    from clinic.forms.casefile import validate

    talk = Interview(form, ask, say, lang)
    raw = talk.run()
    text = dump_case(form.name, raw)
    errors: list[Any] = []
    for _ in range(rounds):
        _, errors, _ = validate(yamlio.loads(text, "<intake>"), form, "<intake>")
        fixable = [e for e in errors if e.field]
        if not errors or not fixable:
            break
        for error in fixable:
            talk.fix(raw, str(error.field), error.message)
        text = dump_case(form.name, raw)
    else:
        _, errors, _ = validate(yamlio.loads(text, "<intake>"), form, "<intake>")
    return text, errors
