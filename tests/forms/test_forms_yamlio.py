"""clinic.yamlio: the values and positions it builds from PyYAML's nodes, and what it
refuses (explicit tags of the wrong kind, nesting too deep, files over the limit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BAD_CASES, EXAMPLES

from clinic import paths, yamlio
from clinic.exceptions import ValidationError

SHIPPED_YAML = sorted(
    [*paths.shipped("forms").glob("*.yaml"), *EXAMPLES.glob("*.yaml")]
    + [*paths.shipped("glossary").glob("*.yaml")]
)


def _positions(node: yaml.Node) -> Any:
    """What yamlio should give, from PyYAML's own (pure Python) composer: each value
    with the 1-based line and column where it was written."""
    if isinstance(node, yaml.MappingNode):
        return {
            k.value: (_positions(v), (v.start_mark.line + 1, v.start_mark.column + 1))
            for k, v in node.value
        }
    if isinstance(node, yaml.SequenceNode):
        return [
            (_positions(v), (v.start_mark.line + 1, v.start_mark.column + 1)) for v in node.value
        ]
    return node.value


def _located(value: Any) -> Any:
    if isinstance(value, dict):
        assert isinstance(value, yamlio.YamlDict)
        return {k: (_located(v), value.where(k)) for k, v in value.items()}
    if isinstance(value, list):
        assert isinstance(value, yamlio.YamlList)
        return [(_located(v), value.where(i)) for i, v in enumerate(value)]
    return value


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: p.name)
def test_values_are_what_pyyaml_reads_as_text(path: Path) -> None:
    text = path.read_text("utf-8")
    assert yamlio.loads(text, str(path)) == yaml.load(text, Loader=yaml.BaseLoader)


@pytest.mark.parametrize("path", SHIPPED_YAML[:6], ids=lambda p: p.name)
def test_every_value_knows_its_line_and_column(path: Path) -> None:
    text = path.read_text("utf-8")
    node = yaml.compose(text, Loader=yaml.BaseLoader)
    assert _located(yamlio.loads(text, str(path))) == _positions(node)


def test_a_mapping_and_a_list_know_where_they_start() -> None:
    data = yamlio.loads("a:\n  b: [x, {c: d}]\n")
    assert (data["a"].line, data["a"].column) == (2, 3)
    assert data["a"]["b"].where(1) == (2, 10)
    assert data["a"]["b"][1].where("c") == (2, 14)


def test_explicit_tags_never_change_a_value() -> None:
    data = yamlio.loads("a: !!int 5\nb: !!bool yes\nc: !!str [x]\nd: !custom {e: f}\n")
    assert data == {"a": "5", "b": "yes", "c": ["x"], "d": {"e": "f"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!map text", "expected a mapping"),
        ("a: !!map [x]", "expected a mapping"),
        ("a: !!seq text", "expected a list"),  # was an AttributeError: a crash of the batch
        ("a: !!seq {x: y}", "expected a list"),
    ],
)
def test_a_map_or_seq_tag_on_the_wrong_kind_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        yamlio.loads(text, "t.yaml")
    assert str(caught.value) == f"t.yaml:1: {message}"


def test_nesting_up_to_the_limit_is_read_and_deeper_is_refused() -> None:
    depth = yamlio.MAX_DEPTH - 1  # the top-level mapping is one level
    deep = yamlio.loads("a: " + "[" * depth + "]" * depth)
    assert _value_depth(deep) == yamlio.MAX_DEPTH
    with pytest.raises(ValidationError, match="nested too deeply"):
        yamlio.loads("a: " + "[" * (depth + 1) + "]" * (depth + 1))


def _value_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_value_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_value_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize(
    "expression",
    [
        "'a: ' + '[' * 100_000 + ']' * 100_000",  # crashed the C composer (segfault)
        "'- ' * 100_000 + 'x'",
        "'? ' * 100_000 + 'x'",
        "'a: ' + '[a: ' * 50_000 + ']' * 50_000",
        "''.join(' ' * i + 'k:' + chr(10) for i in range(2_500))",
    ],
)
def test_very_deep_nesting_is_refused_without_crashing(expression: str) -> None:
    # In a process of its own: a crash of the parser must fail the test, not end the run.
    code = (
        "from clinic import yamlio\n"
        "from clinic.exceptions import ValidationError\n"
        "try:\n"
        f"    yamlio.loads({expression}, 'deep.yaml')\n"
        "except ValidationError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "deep.yaml: nested too deeply to be a case or glossary file"


def test_depth_bound_is_an_upper_bound() -> None:
    texts = [
        "a: [[[x]]]",
        "- - - x",
        "? ? x\n: y",
        "a:\n  b:\n    c:\n      d: x\n",
        "[a: [b: [c: x]]]",
        "- a:\n  - b:\n    - c: x\n",
    ]
    for text in texts:
        node = yaml.compose(text, Loader=yaml.BaseLoader)
        assert _depth(node) <= yamlio._depth_bound(text), text


def _depth(node: yaml.Node) -> int:
    if isinstance(node, yaml.MappingNode):
        return 1 + max((max(_depth(k), _depth(v)) for k, v in node.value), default=0)
    if isinstance(node, yaml.SequenceNode):
        return 1 + max((_depth(v) for v in node.value), default=0)
    return 0


def test_anchors_are_still_refused_with_their_position() -> None:
    with pytest.raises(ValidationError) as caught:
        yamlio.loads("a: &x b\nc: *x\n", "t.yaml")
    assert str(caught.value) == "t.yaml:1:4: anchors and aliases (& and *) are not allowed"


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlio, "MAX_BYTES", 1_000)
    at_limit = tmp_path / "at.yaml"
    at_limit.write_text("a: " + "x" * 996 + "\n")
    assert len(at_limit.read_bytes()) == 1_000
    assert yamlio.load(at_limit) == {"a": "x" * 996}
    over = tmp_path / "over.yaml"
    over.write_text("a: " + "x" * 997 + "\n")
    with pytest.raises(ValidationError, match="file is larger than"):
        yamlio.load(over)


def test_bad_cases_still_parse_or_fail_cleanly() -> None:
    for path in sorted(BAD_CASES.glob("*.yaml")):
        try:
            yamlio.load(path)
        except ValidationError as error:
            assert str(error).startswith(str(path))
