"""Status workflows, deadlines and report settings of each form (forms/_workflows.yaml).

A workflow is a set of states, the moves allowed from each, and the final states. A
deadline is a number of days from a date of the case (e.g. 15 days from the child's
birth), which runs while the case is in some states. Both are data a clinic may edit,
read with clinic.yamlio: a mistake names the file, line and key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from clinic import paths, yamlio
from clinic.exceptions import ClinicError, ValidationError

FILE = "_workflows.yaml"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Workflow:
    name: str
    label: Mapping[str, str]
    states: tuple[str, ...]
    labels: Mapping[str, Mapping[str, str]]
    transitions: Mapping[str, tuple[str, ...]]
    final: frozenset[str]

    @property
    def start(self) -> str:
        return self.states[0]

    def state(self, written: str) -> str:
        """The state a person typed ('documents ready', 'documents-ready', ...)."""
        key = re.sub(r"[\s-]+", "_", written.strip().casefold())
        if key in self.states:
            return key
        for state in self.states:
            if any(
                key == re.sub(r"[\s-]+", "_", text.casefold())
                for text in self.labels.get(state, {}).values()
            ):
                return state
        raise ClinicError(
            f"unknown status '{written}' for the {self.name} workflow (known: "
            f"{', '.join(self.states)})",
            field="status",
        )

    def allowed(self, state: str) -> tuple[str, ...]:
        return self.transitions.get(state, ())

    def check_move(self, current: str, wanted: str) -> None:
        if wanted == current:
            raise ClinicError(f"the case is already '{current}'", field="status")
        allowed = self.allowed(current)
        if wanted not in allowed:
            nexts = ", ".join(allowed) if allowed else "none: it is a final state"
            raise ClinicError(
                f"cannot go from '{current}' to '{wanted}' in the {self.name} workflow "
                f"(next allowed: {nexts})",
                field="status",
            )


@dataclass(frozen=True)
class Deadline:
    name: str
    start: str  # dotted path of a date in the case
    days: int
    while_in: frozenset[str]
    label: Mapping[str, str]
    late: Mapping[str, str]
    late_needs: str | None  # a list field that must not be empty once late


@dataclass(frozen=True)
class FormSettings:
    form: str
    workflow: Workflow
    nationality: tuple[str, ...]
    deadlines: tuple[Deadline, ...]


@dataclass(frozen=True)
class Due:
    """A deadline of one case: when it falls, and whether it has passed."""

    deadline: Deadline
    due_on: dt.date

    def late(self, today: dt.date) -> bool:
        return today > self.due_on


@dataclass(frozen=True)
class Settings:
    source: Path
    digest: str
    workflows: Mapping[str, Workflow]
    forms: Mapping[str, FormSettings]
    default: FormSettings

    def for_form(self, form: str) -> FormSettings:
        found = self.forms.get(form)
        if found is not None:
            return found
        return FormSettings(
            form, self.default.workflow, self.default.nationality, self.default.deadlines
        )

    def deadlines(self, form: str, status: str, values: Mapping[str, Any]) -> list[Due]:
        result = []
        for deadline in self.for_form(form).deadlines:
            if status not in deadline.while_in:
                continue
            start = value_at(values, deadline.start)
            try:
                start_date = dt.date.fromisoformat(str(start)) if start else None
            except ValueError:
                start_date = None
            if start_date is not None:
                result.append(Due(deadline, start_date + dt.timedelta(days=deadline.days)))
        return result

    def final_states(self) -> frozenset[str]:
        states: set[str] = set()
        for workflow in self.workflows.values():
            states |= workflow.final
        return frozenset(states)


def value_at(values: Mapping[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


class _Reader:
    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, message: str, node: Any = None, key: Any = None, where: str = "") -> None:
        line = column = None
        if isinstance(node, yamlio.Located):
            line, column = node.where(key)
        raise ValidationError(
            message, path=self.source, line=line, column=column, field=where or None
        )

    def mapping(
        self, node: Any, where: str, parent: Any = None, key: Any = None
    ) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            self.fail("expected a mapping", parent, key, where)
        return node

    def labels(self, node: Any, where: str) -> dict[str, str]:
        if node is None:
            return {}
        if isinstance(node, str):
            return {"en": node}
        if not isinstance(node, Mapping) or not all(isinstance(v, str) for v in node.values()):
            self.fail("expected labels by language ({en: ..., th: ...})", node, where=where)
        return dict(node)

    def names(self, node: Any, where: str, parent: Any, key: Any) -> list[str]:
        if isinstance(node, str):
            node = [node]
        if not isinstance(node, list) or not all(isinstance(n, str) for n in node):
            self.fail("expected a list of names", parent, key, where)
        return list(node)

    def workflow(self, name: str, spec: Any) -> Workflow:
        spec = self.mapping(spec, f"workflows.{name}")
        states: list[str] = []
        labels: dict[str, dict[str, str]] = {}
        for item in spec.get("states") or []:
            if isinstance(item, str):
                item = {"name": item}
            item = self.mapping(item, f"workflows.{name}.states")
            state = item.get("name")
            if not isinstance(state, str) or not _NAME.fullmatch(state):
                self.fail(
                    "a state needs a 'name' of lower case letters, digits and _",
                    item,
                    "name",
                    f"workflows.{name}.states",
                )
            state = str(state)
            states.append(state)
            labels[state] = self.labels(item.get("label"), f"workflows.{name}.{state}")
        if not states:
            self.fail("a workflow needs 'states'", spec, where=f"workflows.{name}")
        if len(set(states)) != len(states):
            self.fail("two states share a name", spec, "states", f"workflows.{name}")
        transitions: dict[str, tuple[str, ...]] = {}
        moves = self.mapping(spec.get("transitions") or {}, f"workflows.{name}.transitions")
        for source, targets in moves.items():
            where = f"workflows.{name}.transitions.{source}"
            listed = self.names(targets, where, moves, source)
            for state in [source, *listed]:
                if state not in states:
                    self.fail(f"unknown state '{state}'", moves, source, where)
            transitions[source] = tuple(listed)
        final = self.names(spec.get("final") or [], f"workflows.{name}.final", spec, "final")
        for state in final:
            if state not in states:
                self.fail(f"unknown state '{state}'", spec, "final", f"workflows.{name}.final")
            if state in transitions and transitions[state]:
                self.fail(f"final state '{state}' has moves", moves, state, f"workflows.{name}")
        return Workflow(
            name,
            self.labels(spec.get("label"), f"workflows.{name}"),
            tuple(states),
            labels,
            transitions,
            frozenset(final),
        )

    def form(self, form: str, spec: Any, workflows: Mapping[str, Workflow]) -> FormSettings:
        where = f"forms.{form}" if form != "default" else "default"
        spec = self.mapping(spec, where)
        workflow_name = spec.get("workflow")
        if workflow_name not in workflows:
            self.fail(
                f"unknown workflow '{workflow_name}' (known: {', '.join(workflows)})",
                spec,
                "workflow",
                where,
            )
        nationality = self.names(spec.get("nationality") or [], where, spec, "nationality")
        for path in nationality:
            if not _PATH.fullmatch(path):
                self.fail("expected dotted field paths", spec, "nationality", where)
        deadlines = []
        for item in spec.get("deadlines") or []:
            item = self.mapping(item, f"{where}.deadlines")
            name = str(item.get("name") or "")
            start = item.get("from")
            if not isinstance(start, str) or not _PATH.fullmatch(start):
                self.fail(
                    "a deadline needs 'from': the dotted path of a date field",
                    item,
                    "from",
                    f"{where}.deadlines",
                )
            days = str(item.get("days", ""))
            if not days.isdigit():
                self.fail("'days' must be a whole number", item, "days", f"{where}.deadlines")
            while_in = self.names(item.get("while") or [], f"{where}.deadlines", item, "while")
            for state in while_in:
                if state not in workflows[str(workflow_name)].states:
                    self.fail(f"unknown state '{state}'", item, "while", f"{where}.deadlines")
            needs = item.get("late_needs")
            deadlines.append(
                Deadline(
                    name=name or "deadline",
                    start=str(start),
                    days=int(days),
                    while_in=frozenset(while_in),
                    label=self.labels(item.get("label"), f"{where}.deadlines"),
                    late=self.labels(item.get("late"), f"{where}.deadlines"),
                    late_needs=str(needs) if needs else None,
                )
            )
        return FormSettings(
            form, workflows[str(workflow_name)], tuple(nationality), tuple(deadlines)
        )


def load(source: Path | None = None) -> Settings:
    """The settings in forms/_workflows.yaml (or another file), checked."""
    source = source or paths.shipped("forms") / FILE
    return _load(source, source.stat().st_mtime_ns if source.exists() else 0)


@lru_cache(maxsize=4)
def _load(source: Path, _stamp: int) -> Settings:
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise ClinicError(
            f"cannot read the workflow settings ({error.strerror})", path=source
        ) from None
    data = yamlio.loads(raw.decode("utf-8"), str(source))
    reader = _Reader(source)
    data = reader.mapping(data, "")
    workflows = {
        str(name): reader.workflow(str(name), spec)
        for name, spec in reader.mapping(
            data.get("workflows"), "workflows", data, "workflows"
        ).items()
    }
    forms = {
        str(name): reader.form(str(name), spec, workflows)
        for name, spec in reader.mapping(data.get("forms") or {}, "forms").items()
    }
    default = reader.form("default", data.get("default") or {}, workflows)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return Settings(source, digest, workflows, forms, default)
