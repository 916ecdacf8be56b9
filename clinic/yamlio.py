"""Reading YAML written by people, without surprises.

- Every scalar is read as text (YAML 1.1 would turn 08:30 into 510, NO into False and
  0712345 into an octal number); the caller converts by the field's type.
- Anchors and aliases are refused (alias bombs), duplicate keys are refused, and files
  over a size limit are refused before parsing.
- Mappings and lists remember where each item was written, so that an error can name
  the file, line and column.
"""

from __future__ import annotations

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


class _TextLoader(_Base):
    def __init__(self, stream: Any, path: str) -> None:
        super().__init__(stream)
        self.path = path

    def construct_mapping(self, node: Any, deep: bool = False) -> YamlDict:
        if not isinstance(node, yaml.MappingNode):
            raise ValidationError(
                "expected a mapping", path=self.path, line=node.start_mark.line + 1
            )
        result = YamlDict()
        result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
        result.positions = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ValidationError(
                    "a key must be plain text",
                    path=self.path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            if key in result:
                raise ValidationError(
                    f"duplicate key {shown_key(key)}",
                    path=self.path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.positions[key] = (
                value_node.start_mark.line + 1,
                value_node.start_mark.column + 1,
            )
        return result

    def construct_sequence(self, node: Any, deep: bool = False) -> YamlList:
        result = YamlList(self.construct_object(child, deep=True) for child in node.value)
        result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
        result.positions = {
            i: (child.start_mark.line + 1, child.start_mark.column + 1)
            for i, child in enumerate(node.value)
        }
        return result


_TextLoader.add_constructor("tag:yaml.org,2002:map", _TextLoader.construct_mapping)
_TextLoader.add_constructor("tag:yaml.org,2002:seq", _TextLoader.construct_sequence)


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,40}$")


def shown_key(key: str) -> str:
    """A key as an error message may show it: quoted when it looks like a field name,
    described otherwise. People sometimes write a name where a key goes ('Khin Mar Aye:'),
    and an error message must never carry a name."""
    return f"'{key}'" if _FIELD_NAME.match(key) else "(a key that is not a field name)"


def _refuse_anchors(text: str, path: str) -> None:
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise ValidationError(
                "anchors and aliases (& and *) are not allowed",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )


def loads(text: str, path: str = "<text>") -> Any:
    """Parse one YAML document as text scalars, mappings and lists (see module doc)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ValidationError(f"file is larger than {MAX_BYTES // 1_000_000} MB", path=path)
    try:
        if "&" in text or "*" in text:  # a second parse only when an anchor is possible
            _refuse_anchors(text, path)
        loader = _TextLoader(text, path)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
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
    too_big = ValidationError(f"file is larger than {MAX_BYTES // 1_000_000} MB", path=path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ValidationError("is a folder, not a file", path=path)
        if not stat.S_ISREG(mode):  # /dev/zero, a pipe: no size to trust
            raise ValidationError("is not a regular file", path=path)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise too_big
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
