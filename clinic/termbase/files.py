"""The glossary as text files: one YAML file per subject field (see glossary/README.md).

These are the shipped starter termbase and the `yaml` import/export format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from clinic import yamlio
from clinic.exceptions import ValidationError
from clinic.termbase.model import Concept, clean_concept


def glossary_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def raw_concepts(path: Path) -> list[tuple[Any, str]]:
    """The concepts of one glossary file as written (scalars as text), each with
    'file:line' of where it starts and the file's subject field filled in."""
    data = yamlio.load(path)
    if not isinstance(data, dict) or not isinstance(data.get("concepts"), list):
        raise ValidationError("expected a mapping with a 'concepts' list", path=path)
    default = data.get("subject_field")
    if default is not None and not isinstance(default, str):
        raise ValidationError(
            "must be one subject field",
            path=path,
            field="subject_field",
            line=data.where("subject_field")[0] if isinstance(data, yamlio.YamlDict) else None,
        )
    concepts = data["concepts"]
    out = []
    for i, raw in enumerate(concepts):
        line = concepts.where(i)[0] if isinstance(concepts, yamlio.YamlList) else "?"
        where = f"{path}:{line}"
        if isinstance(raw, dict) and not raw.get("subject_fields") and default:
            raw = {**raw, "subject_fields": [default]}
        out.append((_untext(raw), where))
    return out


def read_file(path: Path) -> Iterator[tuple[Concept, str]]:
    """The validated concepts of one glossary file, each with 'file:line'."""
    for raw, where in raw_concepts(path):
        yield clean_concept(raw, where), where


def read_folder(folder: Path) -> list[tuple[Concept, str]]:
    """Every concept of every file of a folder, in file order; duplicate ids refused."""
    seen: dict[str, str] = {}
    out = []
    for path in glossary_files(folder):
        for concept, where in read_file(path):
            if concept["id"] in seen:
                raise ValidationError(
                    f"duplicate concept id (first at {seen[concept['id']]})",
                    path=where,
                    field="id",
                )
            seen[concept["id"]] = where
            out.append((concept, where))
    return out


def _untext(raw: Any) -> Any:
    """yamlio reads every scalar as text; turn the few boolean keys back."""
    if isinstance(raw, dict):
        return {
            k: (v in ("true", "yes", True) if k == "roman_auto" else _untext(v))
            for k, v in raw.items()
        }
    if isinstance(raw, list):
        return [_untext(v) for v in raw]
    return raw


def dump_concepts(concepts: Iterable[Concept], subject_field: str | None = None) -> str:
    """YAML text in the glossary file layout (block style, UTF-8, keys in model order)."""
    import yaml

    body: dict[str, Any] = {}
    if subject_field:
        body["subject_field"] = subject_field
    body["concepts"] = list(concepts)
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
