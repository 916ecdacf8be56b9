"""The one Jinja environment clinic uses, its filters, and the static check of what a
template or an expression asks for.

- Sandboxed (`ImmutableSandboxedEnvironment`, a `SandboxedEnvironment` that also refuses
  to modify lists and dicts): docxtpl's default Jinja runs templates unsandboxed, and
  `{{ cycler.__init__.__globals__.os.popen('id').read() }}` in a .docx runs a command
  (docs_anchors.md §0.2; python-docx-template issue #632).
- Autoescaped: with autoescape off, a value such as `A & B <ok>` breaks the XML and
  docxtpl's recovering parser silently drops paragraphs (docs_anchors.md §0.1).
- StrictUndefined: a missing value is an error, never an empty string (docxtpl #79).
- Before anything is rendered, every name a template reads is checked against the
  form's fields (`check_paths`), so a misspelt or unknown field names the template and
  the variable instead of failing halfway, or printing nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, nodes
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from clinic.forms import thai
from clinic.forms.fields import VALUE_ATTRIBUTES, Derived, Field, Record, YesNo

if TYPE_CHECKING:
    from clinic.forms.definitions import FormDefinition

# Names a template may use besides the form's fields.
ALLOWED_GLOBALS = frozenset({"range", "namespace", "dict", "true", "false", "none"})
LIST_ITEM = "[]"


# --- filters ------------------------------------------------------------------------


def _baht(value: Any, digits: Any = False) -> str:
    """1250 -> '1,250.00'."""
    if value in ("", None):
        return ""
    return thai.digits(f"{Decimal(value):,.2f}", digits)


def _bahttext(value: Any) -> str:
    """1250.50 -> 'หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์' (amount in Thai words)."""
    if value in ("", None):
        return ""
    from pythainlp.util import bahttext  # heavy: only when a template asks for it

    return str(bahttext(float(Decimal(value))))


def _id_number(value: Any) -> str:
    """A 13-digit number in the card's layout (0-0634-12345-67-9); others unchanged."""
    text = str(value)
    return thai.format_thai_id(text) if len(text) == 13 and text.isdigit() else text


def _finalize(value: Any) -> Any:
    """How a value prints when a template gives no filter."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, YesNo):
        return str(value)
    return value


FILTERS = {
    "thai_date": thai.thai_date,
    "thai_year": thai.thai_year,
    "thai_time": thai.thai_time,
    "thai_digits": thai.thai_digits,
    "digits": thai.digits,
    "thai_title": thai.thai_title,
    "en_date": thai.english_date,
    "my_date": thai.burmese_date,
    "my_digits": thai.burmese_digits,
    "age": thai.age_on,
    "baht": _baht,
    "bahttext": _bahttext,
    "id_number": _id_number,
}


class ClinicEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with a cache of compiled sources: docxtpl compiles the whole
    document XML on every render, which is the same text for every case."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
        self.filters.update(FILTERS)
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self._compiled: dict[str, Any] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A field of a Record (`mother.name`), read for every rule of every case, without
        # the sandbox's general path, which gives the same answer: a Record has no
        # attribute of its own outside '_' names (those still go the general way and are
        # refused), it is no known mutable type, and the value is returned as it is unless
        # it is a str.format method (wrapped by the general path).
        if obj.__class__ is Record and attribute[:1] != "_":
            value = obj._values.get(attribute, _NOT_A_FIELD)
            if value is not _NOT_A_FIELD and self.wrap_str_format(value) is None:
                return value
        return super().getattr(obj, attribute)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is None and template_class is None and isinstance(source, str):
            cached = self._compiled.get(source)
            if cached is None:
                if len(self._compiled) > 64:
                    self._compiled.clear()
                cached = self._compiled[source] = super().from_string(source)
            return cached
        return super().from_string(source, globals, template_class)


_NOT_A_FIELD = object()


@lru_cache(maxsize=1)
def environment() -> ClinicEnvironment:
    return ClinicEnvironment()


# --- what a template reads ----------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A dotted path a template or expression reads (items[] = one item of a list)."""

    path: tuple[str, ...]
    line: int
    printed: bool = False

    @property
    def dotted(self) -> str:
        return ".".join(self.path).replace(".[]", "[]")


_OPAQUE: tuple[str, ...] = ()


def _chain(node: nodes.Node) -> tuple[nodes.Node, list[str]] | None:
    """Name.attr['key'][0] -> (Name node, ['attr', 'key', '[]']); None for other shapes."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem):
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                parts.append(arg.value)
            elif isinstance(arg, nodes.Const) and isinstance(arg.value, int):
                parts.append(LIST_ITEM)
            else:
                return None
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.reverse()
            return node, parts
        else:
            return None


class _Walker:
    def __init__(self) -> None:
        self.references: list[Reference] = []
        self.forbidden: list[tuple[str, int]] = []

    def visit(self, node: nodes.Node, scope: dict[str, tuple[str, ...]]) -> None:
        if isinstance(node, nodes.Import | nodes.FromImport | nodes.Include | nodes.Extends):
            self.forbidden.append(("include/import/extends", node.lineno))
            return
        if isinstance(node, nodes.Output):
            for printed in node.nodes:
                self.expression(printed, scope, printed=True)
            return
        if isinstance(node, nodes.For):
            self.expression(node.iter, scope)
            inner = dict(scope)
            bound = self._resolve(node.iter, scope)
            self._bind(node.target, inner, bound + (LIST_ITEM,) if bound else _OPAQUE)
            inner["loop"] = _OPAQUE
            if node.test is not None:
                self.expression(node.test, inner)
            for statement in node.body:
                self.visit(statement, inner)
            for statement in node.else_:
                self.visit(statement, scope)
            return
        if isinstance(node, nodes.Assign):
            self.expression(node.node, scope)
            self._bind(node.target, scope, _OPAQUE)
            return
        if isinstance(node, nodes.AssignBlock):
            self._bind(node.target, scope, _OPAQUE)
            for statement in node.body:
                self.visit(statement, scope)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for value in node.values:
                self.expression(value, scope)
            for target in node.targets:
                self._bind(target, inner, _OPAQUE)
            for statement in node.body:
                self.visit(statement, inner)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = _OPAQUE
            for default in node.defaults:
                self.expression(default, scope)
            if isinstance(node, nodes.CallBlock):
                self.expression(node.call, scope)
            else:
                scope[node.name] = _OPAQUE
            inner["caller"] = _OPAQUE
            for statement in node.body:
                self.visit(statement, inner)
            return
        if isinstance(node, nodes.Expr):
            self.expression(node, scope)
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.expression(child, scope)
            else:
                self.visit(child, scope)

    def _bind(self, target: nodes.Node, scope: Any, path: tuple[str, ...]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = path
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, scope, _OPAQUE)

    def _resolve(self, node: nodes.Node, scope: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        chain = _chain(node)
        if chain is None:
            return _OPAQUE
        name_node, parts = chain
        assert isinstance(name_node, nodes.Name)
        if name_node.name in scope:
            base = scope[name_node.name]
            return base + tuple(parts) if base else _OPAQUE
        return (name_node.name, *parts)

    def expression(
        self, node: nodes.Node, scope: Mapping[str, tuple[str, ...]], printed: bool = False
    ) -> None:
        if isinstance(node, nodes.TemplateData | nodes.Const):
            return
        chain = _chain(node)
        if chain is not None:
            name_node, parts = chain
            assert isinstance(name_node, nodes.Name)
            if name_node.name in scope:
                base = scope[name_node.name]
                if base:
                    self.references.append(Reference(base + tuple(parts), node.lineno, printed))
            else:
                path = (name_node.name, *parts)
                self.references.append(Reference(path, node.lineno, printed))
            # subscripts with variable keys are expressions of their own
            current = node
            while isinstance(current, nodes.Getattr | nodes.Getitem):
                if isinstance(current, nodes.Getitem) and not isinstance(current.arg, nodes.Const):
                    self.expression(current.arg, scope)
                current = current.node
            return
        for child in node.iter_child_nodes():
            self.expression(child, scope)


def references(
    source: str, env: ClinicEnvironment | None = None
) -> tuple[list[Reference], list[tuple[str, int]]]:
    """The paths a template source reads, and any forbidden statements in it.

    Raises jinja2.TemplateSyntaxError for a template that does not parse."""
    env = env or environment()
    walker = _Walker()
    tree = env.parse(source)
    walker.visit(tree, {})
    # Python internals are reached through names starting with '_' (no field has one),
    # whatever the expression starts from: a name, a literal ('', []) or a built-in.
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            name = node.arg.value
        else:
            continue
        if name.startswith("_"):
            walker.forbidden.append((f"the attribute '{name}'", node.lineno))
    for const in tree.find_all(nodes.Const):  # e.g. x|attr('__class__')
        if isinstance(const.value, str) and const.value.startswith("__"):
            walker.forbidden.append((f"the name '{const.value}'", const.lineno))
    return walker.references, walker.forbidden


@lru_cache(maxsize=512)
def expression_references(expression: str) -> tuple[Reference, ...]:
    """The paths a definition's expression reads (cached: read for every case)."""
    refs, _ = references("{{ " + expression + " }}")
    return tuple(Reference(r.path, r.line, False) for r in refs)


# --- checking paths against a form --------------------------------------------------


def _member(node: Any, name: str) -> Field | Derived | None:
    for sub in getattr(node, "fields", ()):
        if sub.name == name:
            return sub
    for derived in getattr(node, "derived", ()):
        if derived.name == name:
            return derived
    return None


def resolve(
    root: FormDefinition | Field, path: tuple[str, ...], extra: Iterable[str] = ()
) -> tuple[str | None, str]:
    """(problem or None, the kind of thing the path names: a field type, 'attribute' or
    'global'). `root` is a form or a group (its fields and derived values are the
    names); `extra` are top-level names the caller provides besides fields."""
    if not path:
        return None, "global"
    head = path[0]
    if head in ALLOWED_GLOBALS or head in extra:
        if len(path) > 1:
            return f"'{head}' is a built-in, with nothing to read from it", ""
        return None, "global"
    node: Any = root
    walked: list[str] = []
    for index, segment in enumerate(path):
        kind = node.type
        if kind == "group":
            member = _member(node, segment)
            if member is None:
                where = ".".join(walked).replace(".[]", "[]") or "the form"
                return f"no field '{segment}' in {where}", ""
            node = member
        elif kind == "list":
            if segment != LIST_ITEM:
                return (
                    f"'{'.'.join(walked)}' is a list: loop over it "
                    "({% for x in ... %}) or use a filter such as |length",
                    "",
                )
            node = node.item
        else:
            allowed = VALUE_ATTRIBUTES.get(kind, frozenset())
            if segment in allowed and index == len(path) - 1:
                return None, "attribute"
            return (
                f"'{'.'.join(walked)}' is a {kind} value"
                + (f" (it has only: {', '.join(sorted(allowed))})" if allowed else "")
                + f"; '{segment}' is not part of the form",
                "",
            )
        walked.append(segment)
    return None, node.type


def check_paths(
    root: FormDefinition | Field, refs: Iterable[Reference], extra: Iterable[str] = ()
) -> list[str]:
    """Problems with the paths a template or an expression reads, one line each."""
    extra = frozenset(extra)
    problems: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for ref in refs:
        if ref.path in seen and not ref.printed:
            continue
        seen.add(ref.path)
        problem, kind = resolve(root, ref.path, extra)
        if problem:
            problems.append(f"'{ref.dotted}' ({problem})")
        elif ref.printed and kind in ("group", "list"):
            problems.append(f"'{ref.dotted}' is a whole {kind}; print one of its fields")
    return list(dict.fromkeys(problems))


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """Evaluate a definition's expression (derived value, rule, template condition).

    What jinja2's TemplateExpression.__call__ does, with one copy of the context instead
    of two, and the template's globals read once per expression instead of on every
    call (a dozen rules run for every case of a 10,000-case import)."""
    template, template_globals = _compiled_expression(expression)
    ctx = new_context(
        template.environment,
        template.name,
        template.blocks,
        {**template_globals, **context},
        shared=True,
        globals=template_globals,
    )
    for _ in template.root_render_func(ctx):
        pass
    return ctx.vars["result"]


@lru_cache(maxsize=512)
def _compiled_expression(expression: str) -> tuple[Any, dict[str, Any]]:
    """The compiled template of an expression, and its globals as a plain dict (they are
    a ChainMap over the environment's, slow to copy; nothing changes them once the
    environment is made)."""
    template = environment().compile_expression(expression, undefined_to_none=False)._template
    return template, dict(template.globals)


def is_record(value: Any) -> bool:
    return isinstance(value, Record)
