"""Reading YAML written by people, without surprises.

- Every scalar is read as text (YAML 1.1 would turn 08:30 into 510, NO into False and
  0712345 into an octal number); the caller converts by the field's type.
- Anchors and aliases are refused (alias bombs), duplicate keys are refused, files over
  a size limit are refused before parsing, and so is nesting deeper than MAX_DEPTH.
- Mappings and lists remember where each item was written, so that an error can name
  the file, line and column.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

from clinic.exceptions import ValidationError

MAX_BYTES = 5_000_000

try:  # the C parser is much faster; it ships in PyYAML's wheels
    _Base: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.BaseLoader


class Located:
    """Where a value was written: 1-based line and column."""

    line: int = 0
    column: int = 0
    positions: dict[Any, tuple[int, int]]

    def where(self, key: Any = None) -> tuple[int, int]:
        if key is not None and key in self.positions:
            return self.positions[key]
        return self.line, self.column


class YamlDict(dict[Any, Any], Located):
    pass


class YamlList(list[Any], Located):
    pass


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"

# Deeper than this is refused as a file (a case file is a few levels deep). The limit is
# checked while values are built, so the answer never depends on how deep the caller's
# own stack already is.
MAX_DEPTH = 200
# PyYAML's C composer recurses once per level on the C stack and crashes the process
# (segmentation fault) somewhere beyond 20,000 levels, which a 40 kB file of '[' reaches.
# A text that could be nested deeper than this is first measured with the parser's
# events, which keep no stack (see _depth_bound).
_COMPOSE_SAFELY_TO = 5_000


class _Composer(_Base):
    """PyYAML's parser and composer (the C ones when available): nodes with their
    marks. Values are built from the nodes by _build, which is much cheaper than
    PyYAML's general constructor and does only what a text-only reader needs."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # BaseResolver's answer (it has no implicit or path resolvers: every scalar is
        # text), without its general machinery: it runs for every node.
        if kind is yaml.ScalarNode:
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


def _build(node: Any, path: str, depth: int) -> Any:
    """A node as text, YamlDict or YamlList (what PyYAML's BaseConstructor would give,
    with positions). Explicit tags are ignored (`!!int 5` is the text '5'), except
    that a !!map or !!seq tag must be on a mapping or a list."""
    tag = node.tag
    if node.__class__ is yaml.ScalarNode:
        if tag in (_MAP_TAG, _SEQ_TAG):
            raise _wrong_kind(node, tag, path)
        return node.value
    if depth >= MAX_DEPTH:
        raise _too_deep(path)
    depth += 1
    mark = node.start_mark
    if node.__class__ is yaml.MappingNode:
        if tag == _SEQ_TAG:
            raise _wrong_kind(node, tag, path)
        mapping = YamlDict()
        mapping.line, mapping.column = mark.line + 1, mark.column + 1
        mapping.positions = mapped = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path, depth)
            if key.__class__ is not str:
                key_mark = key_node.start_mark
                raise ValidationError(
                    "a key must be plain text",
                    path=path,
                    line=key_mark.line + 1,
                    column=key_mark.column + 1,
                )
            if key in mapping:
                key_mark = key_node.start_mark
                raise ValidationError(
                    f"duplicate key {shown_key(key)}",
                    path=path,
                    line=key_mark.line + 1,
                    column=key_mark.column + 1,
                )
            mapping[key] = _build(value_node, path, depth)
            value_mark = value_node.start_mark
            mapped[key] = (value_mark.line + 1, value_mark.column + 1)
        return mapping
    if tag == _MAP_TAG:
        raise _wrong_kind(node, tag, path)
    items = YamlList()
    items.line, items.column = mark.line + 1, mark.column + 1
    items.positions = listed = {}
    for index, child in enumerate(node.value):
        items.append(_build(child, path, depth))
        child_mark = child.start_mark
        listed[index] = (child_mark.line + 1, child_mark.column + 1)
    return items


def _wrong_kind(node: Any, tag: str, path: str) -> ValidationError:
    expected = "expected a mapping" if tag == _MAP_TAG else "expected a list"
    return ValidationError(expected, path=path, line=node.start_mark.line + 1)


def _too_deep(path: str) -> ValidationError:
    return ValidationError("nested too deeply to be a case or glossary file", path=path)


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,40}$")


def shown_key(key: str) -> str:
    """A key as an error message may show it: quoted when it looks like a field name,
    described otherwise. People sometimes write a name where a key goes ('Khin Mar Aye:'),
    and an error message must never carry a name."""
    return f"'{key}'" if _FIELD_NAME.match(key) else "(a key that is not a field name)"


def _depth_bound(text: str) -> int:
    """An upper bound of how deeply the text can nest collections. Every flow
    collection opens with '[' or '{' (a single-pair mapping inside '[...]' with none,
    hence '[' counted twice), every block sequence has a '-' and every explicit key a
    '?'. Block mappings nested in each other are each indented further than the last
    and start on a line of their own, so m of them need m(m-1)/2 characters."""
    return (
        2 * text.count("[")
        + text.count("{")
        + text.count("-")
        + text.count("?")
        + math.isqrt(2 * len(text))
        + 1
    )


def _scan_events(text: str, path: str) -> None:
    """Refuse anchors, aliases and too deep nesting, from the parser's events."""
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ValidationError(
                "anchors and aliases (& and *) are not allowed",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def loads(text: str, path: str = "<text>") -> Any:
    """Parse one YAML document as text scalars, mappings and lists (see module doc)."""
    # at most 4 bytes a character: a short text needs no encoding to know it is small
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ValidationError(f"file is larger than {MAX_BYTES // 1_000_000} MB", path=path)
    try:
        # a first pass over the events only when an anchor is possible, or nesting deep
        # enough to crash the composer
        if "&" in text or "*" in text or _depth_bound(text) > _COMPOSE_SAFELY_TO:
            _scan_events(text, path)
        composer = _Composer(text)
        try:
            node = composer.get_single_node()
        finally:
            composer.dispose()
        return None if node is None else _build(node, path, 0)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ValidationError(
            f"not valid YAML: {error.problem or error.context}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise ValidationError(f"not valid YAML: {error}", path=path) from None
    except RecursionError:
        # a few hundred nested brackets: refused as a file, never a crash of the batch
        raise ValidationError(
            "nested too deeply to be a case or glossary file", path=path
        ) from None


def load(path: str | Path) -> Any:
    """Read and parse a YAML file; a file that is not UTF-8 gets a clear message."""
    import stat

    path = Path(path)
    try:
        status = os.stat(path)
        mode = status.st_mode
        if stat.S_ISDIR(mode):
            raise ValidationError("is a folder, not a file", path=path)
        if not stat.S_ISREG(mode):  # /dev/zero, a pipe: no size to trust
            raise ValidationError("is not a regular file", path=path)
        with open(path, "rb") as handle:
            # as much as the size says (asking for 5 MB costs a 5 MB buffer for each file),
            # then the rest up to the limit if the file has grown since
            expected = min(status.st_size, MAX_BYTES)
            raw = handle.read(expected + 1)
            if len(raw) > expected:
                raw += handle.read(MAX_BYTES + 1 - len(raw))
        if len(raw) > MAX_BYTES:
            raise ValidationError(f"file is larger than {MAX_BYTES // 1_000_000} MB", path=path)
    except FileNotFoundError:
        raise ValidationError("no such file", path=path) from None
    except PermissionError:
        raise ValidationError("cannot be read (permission denied)", path=path) from None
    except OSError as error:
        raise ValidationError(f"cannot be read ({error.strerror})", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationError("is not UTF-8 text", path=path, line=line) from None
    return loads(text, str(path))
