"""Glossaries as tables: CSV and TSV, in two layouts.

- omegat: OmegaT's glossary file, one pair a line, `source<TAB>target<TAB>comment`, no
  header, lines starting with '#' are comments. It does not say its languages, so the
  caller names them. Rows with the same source term are one concept.
- wide: a header row; one column per language (a BCP 47 code such as `th`, or an
  English language name), `<lang> roman` for a checked romanisation, and the concept
  columns `id`, `domain`, `status`, `definition`, `source` (of the definition),
  `notes`, `see`. The status column gives the status of every term in the row, so a
  concept with synonyms or deprecated terms takes several rows sharing one id.
  Columns the layout does not know are kept under the concept's "extra".

Files are UTF-8, with or without a BOM (UTF-16 with a BOM, as Excel's "Unicode text"
writes it, is read too, with a warning). Another encoding gets a message naming the
line, unless the caller names the encoding. Burmese typed in Zawgyi is detected per
column, on the whole column at once (short strings are ambiguous: research notes,
glossary_anchors.md §3.5), and converted with a warning.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError, ValidationError
from clinic.termbase.model import STATUSES, SUBJECT_FIELDS, Concept, Term
from clinic.termbase.tbx import normalize_lang, slugify
from clinic.text import (
    LANGUAGE_NAMES,
    has_myanmar,
    is_language_code,
    normalize,
    zawgyi_probability,
    zawgyi_to_unicode,
)

OMEGAT = "omegat"
WIDE = "wide"
LAYOUTS = (OMEGAT, WIDE)
ZAWGYI_MODES = ("auto", "convert", "keep")
# Below this probability a Myanmar column is taken as Unicode; between it and
# text.ZAWGYI_THRESHOLD the detector cannot tell and the user must say.
UNICODE_BELOW = 0.05

_CONCEPT_COLUMNS = {
    "id": "id",
    "concept": "id",
    "domain": "domain",
    "domains": "domain",
    "subject field": "domain",
    "subject fields": "domain",
    "subject_field": "domain",
    "subject_fields": "domain",
    "status": "status",
    "definition": "definition",
    "source": "source",
    "definition source": "source",
    "definition_source": "source",
    "note": "notes",
    "notes": "notes",
    "comment": "notes",
    "see": "see",
    "see also": "see",
}
_LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
_STATUS_WORDS = {
    **{s: s for s in STATUSES},
    "preferredterm-admn-sts": "preferred",
    "admittedterm-admn-sts": "admitted",
    "deprecatedterm-admn-sts": "deprecated",
    "avoid": "deprecated",
    "do not say": "deprecated",
}


@dataclass
class Table:
    """A decoded table: its rows (with their line numbers) and what happened on the way."""

    path: str
    rows: list[tuple[int, list[str]]]
    warnings: list[str] = field(default_factory=list)


# --- decoding ---------------------------------------------------------------------


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, list[str]]:
    """The text of a file and any warning about its encoding.

    UTF-8 (BOM or not) is expected; UTF-16 with a BOM is accepted; anything else is an
    error naming the line, unless `encoding` is given."""
    warnings: list[str] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise ClinicError(f"unknown encoding '{encoding}'", field="--encoding") from None
        except UnicodeDecodeError as error:
            line, column = _position(data, error.start)
            raise ValidationError(
                f"cannot be read as {encoding} (byte 0x{data[error.start]:02x})",
                path=path,
                line=line,
                column=column,
            ) from None
        if encoding.lower().replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
            warnings.append(f"{path}: read as {encoding} and converted to UTF-8")
        return text.lstrip("\ufeff"), warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        warnings.append(f"{path}: read as UTF-16 (it has a UTF-16 byte order mark)")
        try:
            return data.decode("utf-16"), warnings
        except UnicodeDecodeError:
            raise ValidationError("is not valid UTF-16", path=path) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise ValidationError(
            "looks like UTF-16 without a byte order mark; save it as 'CSV UTF-8' or name "
            "its encoding with --encoding utf-16-le",
            path=path,
        )
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        raise ValidationError(
            f"is not UTF-8 (byte 0x{data[error.start]:02x}). Save it as 'CSV UTF-8', or "
            "name its encoding with --encoding (Thai files from older Windows programs are "
            "often cp874)",
            path=path,
            line=line,
            column=column,
        ) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def delimiter_for(path: Path | str, text: str) -> str:
    """Tab for .tsv/.txt/.tab/.utf8 (OmegaT's names), else sniffed among , ; and tab."""
    suffix = Path(path).suffix.lower()
    if suffix in (".tsv", ".txt", ".tab", ".utf8"):
        return "\t"
    sample = "\n".join(
        line for line in text[:8192].splitlines() if line and not line.startswith("#")
    )
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def decode_file(path: Path | str, encoding: str | None = None) -> tuple[str, list[str]]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError(f"cannot read the file ({error.strerror})", path=path) from None
    return decode(data, str(path), encoding)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not tab or line breaks


def split_rows(
    text: str, path: str, *, delimiter: str, quoting: bool = True
) -> list[tuple[int, list[str]]]:
    """Rows of stripped, NFC cells with the line each starts on; blank rows and rows
    starting with '#' left out."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
        # an unterminated quote must not swallow the rows after it (CSV; a TSV glossary
        # may hold a bare quote inside a cell)
        strict=quoting and delimiter == ",",
    )
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            cleaned = [normalize(c).strip() for c in cells]
            for column, cell in enumerate(cleaned, start=1):
                if _CONTROL.search(cell):
                    raise ValidationError(
                        "a cell holds control characters (binary data, or not a text table)",
                        path=path,
                        line=line,
                        column=column,
                    )
            if any(cleaned) and not cleaned[0].startswith("#"):
                rows.append((line, cleaned))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ValidationError(
            f"is not a readable table ({error})", path=path, line=reader.line_num
        ) from None
    return rows


# --- Zawgyi -----------------------------------------------------------------------


def fix_zawgyi_columns(
    columns: dict[str, list[str]],
    *,
    mode: str,
    path: str,
    scores: dict[str, list[float | None]] | None = None,
) -> list[str]:
    """Convert, in place, the columns whose Burmese is Zawgyi; return the warnings.

    A column is judged as a whole: the detector is unreliable on a single short term.
    mode 'auto' converts clear Zawgyi and stops on a column it cannot judge; 'convert'
    converts every column not clearly Unicode; 'keep' changes nothing. `scores`: each
    cell's Zawgyi probability (None: no Burmese letters), when already computed."""
    if mode not in ZAWGYI_MODES:
        raise ClinicError(f"must be one of {', '.join(ZAWGYI_MODES)}", field="--zawgyi")
    warnings: list[str] = []
    if mode == "keep":
        return warnings
    from clinic.text import ZAWGYI_THRESHOLD, combined_zawgyi_probability

    for name, cells in columns.items():
        given = (scores or {}).get(name)
        cell_scores = (
            given
            if given is not None
            else [zawgyi_probability(c) if c and has_myanmar(c) else None for c in cells]
        )
        judged = [p for p in cell_scores if p is not None]
        if not judged:
            continue
        probability = combined_zawgyi_probability(judged)
        if probability is None:  # a cell too long to combine: judge the joined text
            joined = " ".join(c for c, p in zip(cells, cell_scores, strict=True) if p is not None)
            probability = zawgyi_probability(joined)
        if probability <= UNICODE_BELOW:
            # A Unicode column can still hold a cell typed in Zawgyi: name it, unchanged.
            odd = [
                i + 1 for i, p in enumerate(cell_scores) if p is not None and p > ZAWGYI_THRESHOLD
            ]
            if odd:
                warnings.append(
                    f"{path}: {name} is Unicode Burmese, but entr(y/ies) "
                    f"{', '.join(map(str, odd))} (counting from the first) look like "
                    "Zawgyi: check them"
                )
            continue
        if mode == "auto" and probability <= ZAWGYI_THRESHOLD:
            raise ValidationError(
                f"the Burmese in {name} may be Zawgyi (probability {probability:.2f}); "
                "check it and run again with --zawgyi convert or --zawgyi keep",
                path=path,
            )
        converted = 0
        for i, (cell, score) in enumerate(zip(cells, cell_scores, strict=True)):
            # a cell long enough to judge and clearly Unicode already is left alone:
            # converting it again would corrupt it (short cells cannot be judged alone)
            clearly_unicode = len(cell) >= 5 and score is not None and score <= UNICODE_BELOW
            if score is not None and not clearly_unicode:
                cells[i] = normalize(zawgyi_to_unicode(cell))
                converted += 1
        warnings.append(
            f"{path}: {name} looked like Zawgyi (probability {probability:.2f}); "
            f"{converted} cell(s) converted to Unicode Burmese: check them"
        )
    return warnings


# --- reading ----------------------------------------------------------------------


def _language_of(header: str) -> str | None:
    """The language a column header names: a BCP 47 code in any case ('TH', 'en-gb') or
    an English language name ('Thai'); None for anything else."""
    name = header.strip()
    if name.lower() in _LANGUAGE_BY_NAME:
        return _LANGUAGE_BY_NAME[name.lower()]
    code = normalize_lang(name)
    if is_language_code(code) and name.lower() not in _CONCEPT_COLUMNS:
        return code
    return None


def read_table(
    path: Path | str,
    *,
    layout: str | None = None,
    langs: list[str] | None = None,
    encoding: str | None = None,
    zawgyi: str = "auto",
) -> tuple[list[tuple[Concept, str]], list[str]]:
    """Raw concepts (only what the file says), each with 'file:line', and warnings."""
    if layout not in (None, *LAYOUTS):
        raise ClinicError(f"must be one of {', '.join(LAYOUTS)}", field="--layout")
    text, warnings = decode_file(path, encoding)
    name = str(path)
    delimiter = delimiter_for(path, text)
    rows = split_rows(text, name, delimiter=delimiter)
    if layout is None:
        layout = WIDE if _has_language_header(rows) else OMEGAT
    if layout == OMEGAT and delimiter == "\t":
        # OmegaT's tab-separated glossaries are not quoted: a quote is a character.
        rows = split_rows(text, name, delimiter=delimiter, quoting=False)
    table = Table(name, rows, warnings)
    if not rows:
        return [], warnings
    concepts = _read_wide(table, zawgyi) if layout == WIDE else _read_omegat(table, langs, zawgyi)
    return [(c, f"{name}:{c.pop('_line')}") for c in concepts], table.warnings


def _has_language_header(rows: list[tuple[int, list[str]]]) -> bool:
    """A first row naming languages and columns (two or more), at least one language."""
    if not rows:
        return False
    cells = [c for c in rows[0][1] if c]
    known = [
        c
        for c in cells
        if _language_of(c) or c.lower() in _CONCEPT_COLUMNS or c.lower().endswith(" roman")
    ]
    return len(known) >= 2 and any(_language_of(c) for c in cells)


def _read_omegat(table: Table, langs: list[str] | None, zawgyi: str) -> list[Concept]:
    if not langs or len(langs) != 2:
        raise ClinicError(
            "an OmegaT glossary does not say its languages: give --lang SOURCE,TARGET "
            "(for example --lang en,th)",
            path=table.path,
            field="--lang",
        )
    source_lang, target_lang = langs
    rows = table.rows
    columns = {
        f"the {source_lang} column (1)": [c[0] if c else "" for _, c in rows],
        f"the {target_lang} column (2)": [c[1] if len(c) > 1 else "" for _, c in rows],
        "the comment column (3)": [" ".join(c[2:]) if len(c) > 2 else "" for _, c in rows],
    }
    table.warnings += fix_zawgyi_columns(columns, mode=zawgyi, path=table.path)
    sources, targets, comments = columns.values()
    by_source: dict[str, Concept] = {}
    used_ids: set[str] = set()
    for (line, _), source, target, comment in zip(rows, sources, targets, comments, strict=True):
        if not source:
            raise ValidationError("the source term (column 1) is empty", path=table.path, line=line)
        concept = by_source.get(source)
        if concept is None:
            concept = {
                "id": _unique_id(source, used_ids, line),
                "terms": {source_lang: [{"text": source}]},
            }
            concept["_line"] = line
            by_source[source] = concept
        if target:
            terms = concept["terms"].setdefault(target_lang, [])
            if not any(t["text"] == target for t in terms):
                terms.append({"text": target, **({"status": "admitted"} if terms else {})})
        for note in _notes(comment):
            if note not in concept.setdefault("notes", []):
                concept["notes"].append(note)
    return list(by_source.values())


def _unique_id(text: str, used: set[str], line: int) -> str:
    base = slugify(text)[:60].strip("-") or f"row-{line}"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


@dataclass
class _Column:
    index: int
    kind: str  # "lang", "roman", a concept column, or "extra"
    name: str
    lang: str | None = None


def _wide_columns(header: list[str], path: str, line: int) -> list[_Column]:
    columns: list[_Column] = []
    seen: set[tuple[str, str | None]] = set()
    for i, cell in enumerate(header):
        name = cell.strip()
        lowered = name.lower()
        if not name:
            continue
        if lowered in _CONCEPT_COLUMNS:
            column = _Column(i, _CONCEPT_COLUMNS[lowered], name)
        elif lowered.endswith(" roman") and _language_of(name[: -len(" roman")]):
            column = _Column(i, "roman", name, _language_of(name[: -len(" roman")]))
        elif (lang := _language_of(name)) is not None:
            column = _Column(i, "lang", name, lang)
        else:
            column = _Column(i, "extra", name)
        key = (column.kind, column.lang if column.kind in ("lang", "roman") else column.name)
        if key in seen:
            raise ValidationError(
                f"the column '{name}' appears twice", path=path, line=line, column=i + 1
            )
        seen.add(key)
        columns.append(column)
    return columns


def _read_wide(table: Table, zawgyi: str) -> list[Concept]:
    rows = table.rows
    header_line, header = rows[0]
    body = rows[1:]
    for line, cells in body:
        if any(cells[len(header) :]):  # a comma inside a term, most often
            raise ValidationError(
                f"this row has {len(cells)} cells but the header has {len(header)}; "
                "quote a cell that holds the delimiter",
                path=table.path,
                line=line,
                column=len(header) + 1,
            )
    columns = _wide_columns(header, table.path, header_line)
    values = {
        f"the column '{col.name}'": [
            cells[col.index] if col.index < len(cells) else "" for _, cells in body
        ]
        for col in columns
    }
    table.warnings += fix_zawgyi_columns(values, mode=zawgyi, path=table.path)
    cells_by_column = dict(zip([c.name for c in columns], values.values(), strict=True))
    has_id = any(c.kind == "id" for c in columns)
    concepts: dict[str, Concept] = {}
    used_ids: set[str] = set()
    for r, (line, _) in enumerate(body):
        cell = {c.name: cells_by_column[c.name][r] for c in columns}
        by_kind: dict[str, str] = {}
        for col in columns:
            if col.kind not in ("lang", "roman", "extra") and cell[col.name]:
                by_kind[col.kind] = cell[col.name]
        status = _status(by_kind.get("status"), table.path, line)
        concept_id = by_kind.get("id") if has_id else None
        if concept_id is not None and concept_id in concepts:
            concept = concepts[concept_id]
        else:
            first = next((cell[c.name] for c in columns if c.kind == "lang" and cell[c.name]), "")
            if concept_id is None:
                concept_id = _unique_id(first, used_ids, line)
            else:
                used_ids.add(concept_id)
            concept = {"id": concept_id, "terms": {}, "_line": line}
            concepts[concept_id] = concept
        _concept_cells(concept, by_kind, table.path, line)
        for col in columns:
            text = cell[col.name]
            if col.kind == "extra" and text:
                extra = concept.setdefault("extra", {})
                if col.name in extra and extra[col.name] != text:
                    raise ValidationError(
                        f"the rows of concept '{concept['id']}' disagree on '{col.name}'",
                        path=table.path,
                        line=line,
                    )
                extra[col.name] = text
            if col.kind != "lang" or not text:
                continue
            assert col.lang is not None
            terms = concept["terms"].setdefault(col.lang, [])
            term: Term = {"text": text}
            if status:
                term["status"] = status
            elif terms:
                term["status"] = "admitted"
            roman = next(
                (
                    cell[c.name]
                    for c in columns
                    if c.kind == "roman" and c.lang == col.lang and cell[c.name]
                ),
                "",
            )
            if roman:
                term["roman"] = roman
            terms.append(term)
    return list(concepts.values())


def _status(value: str | None, path: str, line: int) -> str | None:
    if not value:
        return None
    status = _STATUS_WORDS.get(value.lower())
    if status is None:
        raise ValidationError(
            f"unknown status (expected {', '.join(STATUSES)})",
            path=path,
            line=line,
            field="status",
        )
    return status


def _concept_cells(concept: Concept, cells: dict[str, str], path: str, line: int) -> None:
    """Fill a concept's own fields from a row; rows of one concept may not disagree."""

    def put(key: str, value: Any) -> None:
        if key in concept and concept[key] != value:
            raise ValidationError(
                f"the rows of concept '{concept['id']}' disagree on {key}",
                path=path,
                line=line,
            )
        concept[key] = value

    if "domain" in cells:
        fields = [_field(part, path, line) for part in _split(cells["domain"])]
        put("subject_fields", fields)
    if "definition" in cells or "source" in cells:
        definition = {}
        if "definition" in cells:
            definition["text"] = cells["definition"]
        if "source" in cells:
            definition["source"] = cells["source"]
        put("definition", definition)
    if "notes" in cells:
        put("notes", _notes(cells["notes"]))
    if "see" in cells:
        put("see", _split(cells["see"]))


def _notes(value: str) -> list[str]:
    """Notes share one cell, separated by ' | ' (as the writers join them)."""
    return [part.strip() for part in value.split(" | ") if part.strip()]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def _field(value: str, path: str, line: int) -> str:
    lowered = " ".join(value.lower().replace("_", " ").split())
    for code, label in SUBJECT_FIELDS.items():
        if lowered in (code, code.replace("-", " "), label):
            return code
    raise ValidationError(
        f"unknown subject field (known: {', '.join(SUBJECT_FIELDS)})",
        path=path,
        line=line,
        field="domain",
    )


# --- writing ----------------------------------------------------------------------


def write_table(
    concepts: Iterable[Concept], *, layout: str, langs: list[str], delimiter: str
) -> bytes:
    """A CSV/TSV glossary; wide files start with a BOM so that Excel reads them as UTF-8."""
    out = io.StringIO(newline="")
    if layout == OMEGAT:
        if len(langs) != 2:
            raise ClinicError(
                "an OmegaT glossary holds two languages: give --lang SOURCE,TARGET",
                field="--lang",
            )
        _write_omegat(concepts, out, langs[0], langs[1], delimiter)
        return out.getvalue().encode("utf-8")
    if layout != WIDE:
        raise ClinicError(f"must be one of {', '.join(LAYOUTS)}", field="--layout")
    _write_wide(list(concepts), out, langs, delimiter)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _flat(text: str) -> str:
    """Tab-separated cells cannot hold tabs or line breaks."""
    return " ".join(text.split())


def _write_omegat(
    concepts: Iterable[Concept], out: io.StringIO, source: str, target: str, delimiter: str
) -> None:
    from clinic.termbase.model import preferred

    tab = delimiter == "\t"
    writer = None if tab else csv.writer(out, delimiter=delimiter, lineterminator="\n")
    out.write(f"# clinic glossary, {source} -> {target} (OmegaT glossary layout)\n")
    for concept in concepts:
        head = preferred(concept, source)
        if head is None:
            continue
        comment = " | ".join(concept.get("notes", []))
        for term in concept.get("terms", {}).get(target, []):
            if term.get("status") == "deprecated":
                continue  # OmegaT would suggest it
            row = [head["text"], term["text"], comment]
            if writer is None:
                # OmegaT reads tab-separated files without quoting: flatten instead.
                out.write("\t".join(_flat(c) for c in row).rstrip("\t") + "\n")
            else:
                writer.writerow(row)


def _write_wide(
    concepts: list[Concept], out: io.StringIO, langs: list[str], delimiter: str
) -> None:
    if not langs:
        seen: dict[str, None] = {}
        for concept in concepts:
            seen.update(dict.fromkeys(concept.get("terms", {})))
        langs = list(seen)
    romans = [
        lang
        for lang in langs
        if any(
            t.get("roman") and not t.get("roman_auto")
            for c in concepts
            for t in c.get("terms", {}).get(lang, [])
        )
    ]
    extras: dict[str, None] = {}
    for concept in concepts:
        extras.update(
            dict.fromkeys(
                key
                for key, value in (concept.get("extra") or {}).items()
                if isinstance(value, str)
                and key.lower() not in _CONCEPT_COLUMNS
                and not _language_of(key)
                and not key.lower().endswith(" roman")
            )
        )
    header = [
        "id",
        "domain",
        "status",
        *langs,
        *(f"{lang} roman" for lang in romans),
        "definition",
        "source",
        "notes",
        "see",
        *extras,
    ]
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    flat = _flat if delimiter == "\t" else (lambda s: s)
    for concept in concepts:
        first = True
        for status in STATUSES:
            by_lang = {
                lang: [
                    t
                    for t in concept.get("terms", {}).get(lang, [])
                    if t.get("status", "preferred") == status
                ]
                for lang in langs
            }
            for i in range(max((len(v) for v in by_lang.values()), default=0)):
                terms = [by_lang[lang][i] if i < len(by_lang[lang]) else None for lang in langs]
                row = [concept["id"], "", status]
                row += [t["text"] if t else "" for t in terms]
                row += [
                    (
                        by_lang[lang][i].get("roman", "")
                        if i < len(by_lang[lang]) and not by_lang[lang][i].get("roman_auto")
                        else ""
                    )
                    for lang in romans
                ]
                if first:
                    definition = concept.get("definition") or {}
                    row[1] = "; ".join(concept.get("subject_fields", []))
                    row += [
                        definition.get("text", ""),
                        definition.get("source", ""),
                        " | ".join(concept.get("notes", [])),
                        "; ".join(concept.get("see", [])),
                    ]
                    row += [str((concept.get("extra") or {}).get(k, "")) for k in extras]
                    first = False
                else:
                    row += [""] * (4 + len(extras))
                writer.writerow([flat(c) for c in row])
