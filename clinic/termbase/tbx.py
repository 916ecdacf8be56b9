"""TBX (ISO 30042), the terminology world's exchange format: write TBX v3 in the
TBX-Basic dialect (DCA style), read TBX v3 and the older v2 (`martif`) layout.

Reading is lenient and lossless: every data category the model knows becomes a model
field, and every other one (IATE's reliabilityCode, transaction histories, images...)
is kept under "extra" so that writing the concept again gives it back. Sources for the
structure and the permitted values: the LTAC TBX-Basic dialect 1.2 (RNG + schematron,
github.com/LTAC-Global/TBX-Basic_dialect) and research notes glossary_anchors.md §1.

How "extra" holds what the model does not know (concept or term level):
- a plain element `<descrip type="reliabilityCode">3</descrip>` becomes
  `{"reliabilityCode": "3"}` (a list when repeated); the element name is part of the key
  (`"admin:foo"`) only when it is not the usual one for that data category;
- anything with more structure (groups, targets, transactions) is kept as an XML
  fragment in the list `extra["xml"]`;
- language-level items go under `extra["langSec"][lang]` on the concept.

Model fields outside TBX-Basic are written as ISO 12620 data categories where one exists
(review state as termNote processStatus, a human-checked romanisation as termNote
transcription, reviewer and date as a transacGrp) and as clinic's own two otherwise
(termNote confidence, concept descrip origin). Automatic romanisations are a search aid
recomputed on import, so they are not written.

Safety: the standard library's expat parser reads the file; any entity declaration
stops it with a clear message (a "billion laughs" bomb, an external entity that would
read a local file or a URL), and expat never fetches external DTDs. Entries are
streamed: each becomes a small ElementTree, is converted, and is dropped, so memory
does not grow with the file (19 MB peak for a 100 MB file, against 890 MB for
ElementTree.parse: bench/bench_tbx_import.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from clinic.exceptions import ValidationError
from clinic.termbase.model import (
    PARTS_OF_SPEECH,
    SUBJECT_FIELDS,
    TERM_TYPES,
    Concept,
    Term,
    concept_label,
)
from clinic.text import normalize

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_PIS = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/'
    'master/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/'
    'master/DCA/TBX-Basic_DCA.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)
CHUNK = 1 << 20

STATUS_TO_TBX = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
}
# administrativeStatus values seen in TBX v2/v3 files and what they mean for us; a
# value that is not one of STATUS_TO_TBX's is kept in extra so that it is written back.
_STATUS_FROM_TBX = {
    **{v.lower(): k for k, v in STATUS_TO_TBX.items()},
    "preferred": "preferred",
    "preferredterm": "preferred",
    "standardizedterm-admn-sts": "preferred",
    "standardizedterm": "preferred",
    "admitted": "admitted",
    "admittedterm": "admitted",
    "legalterm-admn-sts": "admitted",
    "regulatedterm-admn-sts": "admitted",
    "deprecated": "deprecated",
    "deprecatedterm": "deprecated",
    "supersededterm-admn-sts": "deprecated",
    "supersededterm": "deprecated",
    "superseded": "deprecated",
    "obsolete": "deprecated",
    "forbidden": "deprecated",
}
# termNote processStatus (ISO 12620) carries our review state.
REVIEW_TO_TBX = {"draft": "provisionallyProcessed", "reviewed": "finalized"}
_REVIEW_FROM_TBX = {
    "provisionallyprocessed": "draft",
    "unprocessed": "draft",
    "finalized": "reviewed",
}

# The element each data category usually lives in; a category met in another element
# keeps the element in its extra key ("admin:reliabilityCode").
_TERMNOTE_TYPES = {
    "administrativeStatus",
    "partOfSpeech",
    "termType",
    "grammaticalGender",
    "grammaticalNumber",
    "termLocation",
    "geographicalUsage",
    "register",
    "usageNote",
    "normativeAuthorization",
    "pronunciation",
    "transliteration",
    "transcription",
    "processStatus",
    "hyphenation",
    "syllabification",
    "termProvenance",
    "language-planningQualifier",
    "temporalQualifier",
    "timeRestriction",
    "frequency",
    "confidence",
    "animacy",
    "grammaticalValency",
    "transferComment",
}
_ADMIN_TYPES = {
    "source",
    "customerSubset",
    "projectSubset",
    "originatingPerson",
    "originatingInstitution",
    "originatingDatabase",
    "entrySource",
    "sourceIdentifier",
    "conceptOrigin",
    "securitySubset",
    "sortKey",
    "annotatedNote",
    "elementWorkingStatus",
    "environmentSubset",
    "businessUnitSubset",
    "applicationSubset",
    "productSubset",
    "searchTerm",
    "keyword",
    "indexHeading",
    "responsibility",
}
# Keys of "extra" that this module uses for its own bookkeeping, never written as-is.
_CONCEPT_SPECIAL = {"tbxId", "definitionLevel", "langSec"}
_TERM_SPECIAL = {"contextSource"}
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


class UnsafeXML(ValidationError):
    """An XML file that declares entities: refused, never expanded."""


def _default_element(category: str) -> str:
    if category in _TERMNOTE_TYPES:
        return "termNote"
    if category in _ADMIN_TYPES:
        return "admin"
    return "descrip"


def _local(tag: str) -> str:
    """'{namespace}name' or 'prefix:name' -> 'name'."""
    if tag[:1] == "{":
        return tag.rpartition("}")[2]
    return tag.rpartition(":")[2]


def _text(elem: ET.Element) -> str:
    """The element's text with inline markup dropped and whitespace collapsed."""
    text = (elem.text or "") if len(elem) == 0 else "".join(elem.itertext())
    return normalize(" ".join(text.split()))


def _is_simple(elem: ET.Element) -> bool:
    """No children, and no attribute but the data category's type."""
    attrib = elem.attrib
    return len(elem) == 0 and (not attrib or (len(attrib) == 1 and "type" in attrib))


def slugify(text: str) -> str:
    """A concept id (lowercase ascii words joined by '-') made from any text."""
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(text)
    return _SLUG_DROP.sub("-", text.lower()).strip("-")


def entry_id(concept: Concept) -> str:
    """The id a concept's <conceptEntry> gets: its original TBX id if it came with one."""
    extra = concept.get("extra") or {}
    return str(extra.get("tbxId") or _tbx_id(concept["id"]))


def _tbx_id(concept_id: str) -> str:
    """An xs:ID (an NCName, so not starting with a digit) for a concept id."""
    return concept_id if concept_id[:1].isalpha() else f"_{concept_id}"


def normalize_lang(code: str) -> str:
    """BCP 47 case conventions: 'EN-gb' -> 'en-GB', 'my-mymr' -> 'my-Mymr'."""
    parts = code.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


# --- extra: what the model does not know ----------------------------------------


def _add(extras: dict[str, Any], key: str, value: Any) -> None:
    if key not in extras:
        extras[key] = value
    elif isinstance(extras[key], list):
        extras[key].append(value)
    else:
        extras[key] = [extras[key], value]


def _strip_namespaces(elem: ET.Element) -> None:
    """Make a kept element a stand-alone fragment: local names, no layout whitespace."""
    for node in elem.iter():
        node.tag = _local(node.tag)
        for key in list(node.attrib):
            if key == "xmlns" or key.startswith("xmlns:"):
                del node.attrib[key]
            elif ":" in key and not key.startswith("xml:"):
                node.attrib[_local(key)] = node.attrib.pop(key)
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def _keep(extras: dict[str, Any], elem: ET.Element, *, as_xml: bool = False) -> None:
    """Keep an element the model does not know, in the form it can be written back.

    as_xml: keep it as a fragment even when it is simple (a second administrativeStatus,
    say, whose key is taken by the original spelling of the first)."""
    name = _local(elem.tag)
    category = elem.get("type")
    if not as_xml and _is_simple(elem) and (category or name == "note"):
        if category is None:
            key = "note"
        elif name == _default_element(category):
            key = category
        else:
            key = f"{name}:{category}"
        if key not in _CONCEPT_SPECIAL | _TERM_SPECIAL and key != "xml":
            _add(extras, key, _text(elem))
            return
    _strip_namespaces(elem)
    elem.tail = None
    fragments = extras.setdefault("xml", [])
    if not isinstance(fragments, list):
        fragments = extras["xml"] = [fragments]
    fragments.append(ET.tostring(elem, encoding="unicode"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _extra_elements(
    extras: dict[str, Any], skip: set[str]
) -> tuple[list[ET.Element], list[ET.Element]]:
    """Elements for an extra mapping: (termNotes, everything else), in key order."""
    notes: list[ET.Element] = []
    others: list[ET.Element] = []
    for key, value in extras.items():
        if key in skip:
            continue
        if key == "xml":
            for fragment in _as_list(value):
                others.append(_fragment(str(fragment)))
            continue
        if key == "note":
            name, category = "note", None
        elif ":" in key:
            name, _, category = key.partition(":")
        else:
            name, category = _default_element(key), key
        for item in _as_list(value):
            elem = ET.Element(name, {"type": category} if category else {})
            elem.text = str(item)
            (notes if name == "termNote" else others).append(elem)
    return notes, others


def _fragment(text: str) -> ET.Element:
    """Parse a kept XML fragment; one that declares anything (<!...>) is refused."""
    if "<!" in text:
        raise UnsafeXML("an XML fragment kept under 'extra' holds a declaration", field="xml")
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        raise ValidationError(
            f"an XML fragment kept under 'extra' is not XML ({error})", field="xml"
        ) from None


# --- writing ----------------------------------------------------------------------


def _sub(
    parent: ET.Element, name: str, text: str | None = None, attrib: dict[str, str] | None = None
) -> ET.Element:
    elem = ET.SubElement(parent, name, attrib or {})
    if text is not None:
        elem.text = text
    return elem


def _definition_place(concept: Concept) -> str:
    """Where the definition goes: a language's langSec or the conceptEntry ("")."""
    wanted = (concept.get("extra") or {}).get("definitionLevel")
    terms = concept.get("terms", {})
    if wanted == "concept":
        return ""
    if wanted and wanted in terms:
        return str(wanted)
    return "en" if "en" in terms else ""


def _write_definition(parent: ET.Element, definition: dict[str, Any]) -> None:
    if not definition.get("text"):
        return
    if definition.get("source"):
        group = _sub(parent, "descripGrp")
        _sub(group, "descrip", definition["text"], {"type": "definition"})
        _sub(group, "admin", definition["source"], {"type": "source"})
    else:
        _sub(parent, "descrip", definition["text"], {"type": "definition"})


def _coded(extra: dict[str, Any], category: str, value: str) -> str:
    """How to write a model value: the file's original spelling when it still means
    `value` (supersededTerm-admn-sts for deprecated, say), else the canonical one."""
    field, decode = _TERM_NOTES[category]
    original = extra.get(category)
    if isinstance(original, str) and decode is not None:
        meant = decode.get(original.lower(), _UNKNOWN_DEFAULT[field])
        if meant == value or (category == "processStatus" and value == "draft"):
            # A 'finalized' term without a named reviewer was imported as a draft.
            return original
    return _canonical(field, value)


def _term_element(term: Term) -> ET.Element:
    extra = dict(term.get("extra") or {})
    sec = ET.Element("termSec")
    _sub(sec, "term", term["text"])
    for category, field in (
        ("partOfSpeech", "pos"),
        ("administrativeStatus", "status"),
        ("termType", "type"),
        ("processStatus", "review"),
    ):
        value = term.get(field) or _DEFAULTS[field]
        _sub(sec, "termNote", _coded(extra, category, value), {"type": category})
    if term.get("roman") and not term.get("roman_auto"):
        _sub(sec, "termNote", term["roman"], {"type": "transcription"})
    if term.get("confidence"):
        _sub(
            sec, "termNote", _coded(extra, "confidence", term["confidence"]), {"type": "confidence"}
        )
    skip = _TERM_SPECIAL | set(_TERM_NOTES)
    notes, others = _extra_elements(extra, skip)
    sec.extend(notes)
    if term.get("context"):
        if extra.get("contextSource"):
            group = _sub(sec, "descripGrp")
            _sub(group, "descrip", term["context"], {"type": "context"})
            _sub(group, "admin", str(extra["contextSource"]), {"type": "source"})
        else:
            _sub(sec, "descrip", term["context"], {"type": "context"})
    if term.get("source"):
        _sub(sec, "admin", term["source"], {"type": "source"})
    if term.get("note"):
        _sub(sec, "note", term["note"])
    if term.get("reviewed_by") or term.get("reviewed_on"):
        group = _sub(sec, "transacGrp")
        _sub(group, "transac", "modification", {"type": "transactionType"})
        if term.get("reviewed_on"):
            _sub(group, "date", term["reviewed_on"])
        if term.get("reviewed_by"):
            _sub(group, "transacNote", term["reviewed_by"], {"type": "responsibility"})
    sec.extend(others)
    return sec


def concept_element(
    concept: Concept, labels: dict[str, str] | None = None, ids: dict[str, str] | None = None
) -> ET.Element:
    """The <conceptEntry> of a concept.

    labels maps the ids of the concepts in the same file to a label (their preferred
    term): a cross-reference shows its target's label and is kept only when the target
    is in the file (its target must be an id there); with labels None, always kept.
    ids maps concept ids to the TBX ids written for them (an imported entry keeps its
    own, e.g. IATE-2), so that a cross-reference points at the id in the file."""
    extra = dict(concept.get("extra") or {})
    entry = ET.Element("conceptEntry", {"id": entry_id(concept)})
    for field in concept.get("subject_fields", []):
        _sub(entry, "descrip", SUBJECT_FIELDS.get(field, field), {"type": "subjectField"})
    place = _definition_place(concept)
    if not place:
        _write_definition(entry, concept.get("definition") or {})
    if concept.get("origin"):
        _sub(entry, "descrip", concept["origin"], {"type": "origin"})
    for note in concept.get("notes", []):
        _sub(entry, "note", note)
    for target in concept.get("see", []):
        if labels is None or target in labels:
            label = labels.get(target, target) if labels else target
            written = (ids or {}).get(target) or _tbx_id(target)
            _sub(entry, "ref", label, {"type": "crossReference", "target": written})
    _, others = _extra_elements(extra, _CONCEPT_SPECIAL)
    entry.extend(others)
    lang_extra: dict[str, dict[str, Any]] = dict(extra.get("langSec") or {})
    languages = list(concept.get("terms", {}))
    languages += [lang for lang in lang_extra if lang not in languages]
    for lang in languages:
        sec = _sub(entry, "langSec", attrib={XML_LANG: lang})
        if lang == place:
            _write_definition(sec, concept.get("definition") or {})
        _, others = _extra_elements(dict(lang_extra.get(lang) or {}), set())
        sec.extend(others)
        for term in concept.get("terms", {}).get(lang, []):
            sec.append(_term_element(term))
    return entry


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return (
        _escape_text(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
        .replace("\r", "&#13;")
    )


def _attr_name(key: str) -> str:
    if key == XML_LANG:
        return "xml:lang"
    return _local(key)


def serialize(elem: ET.Element, out: list[str], depth: int) -> None:
    """Append elem as indented XML (two spaces a level) to out.

    ElementTree's serializer is generic and slow for 100,000s of small elements; this
    one knows our trees: no namespaces, text only in leaves. An element with mixed
    content (text between children, from a kept fragment) is written as it is."""
    pad = "  " * depth
    attrs = "".join(f' {_attr_name(k)}="{_escape_attr(v)}"' for k, v in elem.attrib.items())
    tag = _local(elem.tag)
    if len(elem) == 0:
        if elem.text:
            out.append(f"{pad}<{tag}{attrs}>{_escape_text(elem.text)}</{tag}>\n")
        else:
            out.append(f"{pad}<{tag}{attrs}/>\n")
        return
    mixed = (elem.text and elem.text.strip()) or any(c.tail and c.tail.strip() for c in elem)
    if mixed:
        out.append(pad + ET.tostring(elem, encoding="unicode").strip() + "\n")
        return
    out.append(f"{pad}<{tag}{attrs}>\n")
    for child in elem:
        serialize(child, out, depth + 1)
    out.append(f"{pad}</{tag}>\n")


def write_tbx(
    concepts: Iterable[Concept],
    handle: BinaryIO,
    *,
    title: str = "clinic termbase",
    description: str = "Exported by clinic",
) -> int:
    """Write concepts as a TBX-Basic v3 (DCA) document; returns the number written."""
    items = list(concepts)
    labels = {c["id"]: concept_label(c) for c in items}
    ids = {c["id"]: entry_id(c) for c in items}
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        SCHEMA_PIS,
        f'<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="{TBX_NS}">\n',
    ]
    header = ET.Element("tbxHeader")
    desc = _sub(header, "fileDesc")
    _sub(_sub(desc, "titleStmt"), "title", title)
    _sub(_sub(desc, "sourceDesc"), "p", description)
    serialize(header, head, 1)
    head.append("  <text>\n    <body>\n")
    handle.write("".join(head).encode("utf-8"))
    batch: list[str] = []
    for i, concept in enumerate(items):
        serialize(concept_element(concept, labels, ids), batch, 3)
        if i % 500 == 499:
            handle.write("".join(batch).encode("utf-8"))
            batch.clear()
    batch.append("    </body>\n  </text>\n</tbx>\n")
    handle.write("".join(batch).encode("utf-8"))
    return len(items)


def tbx_bytes(concepts: Iterable[Concept], **kwargs: Any) -> bytes:
    import io

    out = io.BytesIO()
    write_tbx(concepts, out, **kwargs)
    return out.getvalue()


# --- reading ----------------------------------------------------------------------

_POS_FROM_TBX = {p.lower(): p for p in PARTS_OF_SPEECH}
_TYPE_FROM_TBX = {t.lower(): t for t in TERM_TYPES}
_FIELD_FROM_TBX = {
    **{code: code for code in SUBJECT_FIELDS},
    **{label.lower(): code for code, label in SUBJECT_FIELDS.items()},
    **{code.replace("-", " "): code for code in SUBJECT_FIELDS},
}
_ENTRY_TAGS = {"conceptEntry", "termEntry"}
# Elements that hold only other elements (TBX v3 and v2, core structure and groups).
_STRUCTURE = {
    "conceptEntry",
    "termEntry",
    "langSec",
    "langSet",
    "termSec",
    "tig",
    "ntig",
    "termGrp",
    "descripGrp",
    "adminGrp",
    "transacGrp",
    "termNoteGrp",
    "termCompList",
}
_LANG_TAGS = {"langSec", "langSet"}
_TERM_TAGS = {"termSec", "tig", "ntig"}


def read_tbx(path: Path | str) -> Iterator[tuple[Concept, str]]:
    """Concepts of a TBX file (v3 or v2, with or without namespaces), one at a time.

    Each comes with a 'where' text ('file:line' of its entry). The concepts are raw: they
    carry only what the file says (no defaults filled in); clean them with
    model.clean_concept. Entries without any term are skipped (TbxReader.warnings)."""
    yield from TbxReader(path)


class TbxReader:
    """Streams a TBX file with expat: each entry is built as a small ElementTree,
    converted, and dropped, so memory does not grow with the file.

    expat is used directly (not ElementTree's parser) because it lets us refuse entity
    declarations in the same pass, gives the line of each entry for error messages,
    and costs about the same time as ElementTree's pull parser (measured)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.warnings: list[str] = []
        self.entries = 0
        self.skipped = 0
        self.empty_terms = 0
        self.root: str | None = None

    def __iter__(self) -> Iterator[tuple[Concept, str]]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 (a generator: closed below)
        except OSError as error:
            raise ValidationError(
                f"cannot read the file ({error.strerror})", path=self.path
            ) from None
        with handle:
            yield from self._entries(handle)
        if self.skipped:
            self.warnings.append(
                f"{self.path}: {self.skipped} entr{'y' if self.skipped == 1 else 'ies'} "
                "without any term skipped"
            )
        if self.empty_terms:
            self.warnings.append(
                f"{self.path}: {self.empty_terms} term section(s) with an empty <term> skipped"
            )

    def _entries(self, handle: BinaryIO) -> Iterator[tuple[Concept, str]]:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        path = self.path
        stack: list[ET.Element] = []
        done: list[tuple[Concept, str]] = []
        names: dict[str, str] = {}
        entry_line = 0
        element = ET.Element

        def entity(
            name: str,
            is_parameter: int,
            value: str | None,
            base: str | None,
            system_id: str | None,
            public_id: str | None,
            notation: str | None = None,
        ) -> None:
            if system_id or public_id:
                what = (
                    "declares an external entity, which would read another file or a "
                    "URL; clinic refuses it"
                )
            else:
                what = (
                    "declares XML entities (<!ENTITY>), the makings of an "
                    "entity-expansion bomb; clinic refuses them"
                )
            raise UnsafeXML(
                f"{what}. Remove the DOCTYPE's internal subset and try again",
                path=path,
                line=parser.CurrentLineNumber,
            )

        def unparsed(
            name: str, base: str | None, system_id: str, public_id: str | None, notation: str
        ) -> None:
            entity(name, 0, None, base, system_id, public_id)

        def skipped(name: str, is_parameter: int) -> None:
            raise UnsafeXML(
                f"refers to the entity &{name}; declared outside the file; clinic does not "
                "load external DTDs. Replace it with the character it stands for",
                path=path,
                line=parser.CurrentLineNumber,
            )

        # Text inside the structural elements is only layout whitespace: the text handler
        # is switched off there, which saves a Python call per line of the file.
        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal entry_line
            local = names.get(name)
            if local is None:
                local = names[name] = name.rpartition(":")[2]
            if stack:
                child = element(local, attrs)
                stack[-1].append(child)
                stack.append(child)
                parser.CharacterDataHandler = None if local in _STRUCTURE else chars
            elif local in _ENTRY_TAGS:
                self.entries += 1
                entry_line = parser.CurrentLineNumber
                stack.append(element(local, attrs))
            elif self.root is None:
                self._check_root(local)

        def end(name: str) -> None:
            if stack:
                elem = stack.pop()
                if stack:
                    parser.CharacterDataHandler = None if stack[-1].tag in _STRUCTURE else chars
                else:
                    where = f"{path}:{entry_line}"
                    concept = self._concept(elem, where)
                    if concept is not None:
                        done.append((concept, where))

        def chars(data: str) -> None:
            if stack:
                current = stack[-1]
                if len(current):
                    last = current[-1]
                    last.tail = data if last.tail is None else last.tail + data
                else:
                    current.text = data if current.text is None else current.text + data

        parser.EntityDeclHandler = entity
        parser.UnparsedEntityDeclHandler = unparsed
        parser.SkippedEntityHandler = skipped
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = None
        final = False
        while not final:
            chunk = handle.read(CHUNK)
            final = not chunk
            try:
                parser.Parse(chunk, final)
            except expat.ExpatError as error:
                raise ValidationError(
                    f"not well-formed XML ({expat.ErrorString(error.code)})",
                    path=path,
                    line=error.lineno,
                    column=error.offset + 1,
                ) from None
            except (LookupError, ValueError):
                # an encoding expat does not know (windows-874, Shift_JIS, a typo)
                raise ValidationError(
                    "declares an encoding that cannot be read; save it as UTF-8", path=path
                ) from None
            yield from done
            done.clear()
        if self.root is None:
            raise ValidationError("not a TBX file (no root element)", path=path)

    def _check_root(self, local: str) -> None:
        if local not in ("tbx", "martif"):
            raise ValidationError(
                f"not a TBX file: the root element is <{local}>, expected <tbx> (TBX v3) "
                "or <martif> (TBX v2)",
                path=self.path,
            )
        self.root = local

    # -- one entry --

    def _concept(self, entry: ET.Element, where: str) -> Concept | None:
        raw: Concept = {}
        extra: dict[str, Any] = {}
        terms: dict[str, list[Term]] = {}
        lang_extra: dict[str, dict[str, Any]] = {}
        fields: list[str] = []
        notes: list[str] = []
        see: list[str] = []
        # (level: "" for the conceptEntry or a language, text, source, element)
        definitions: list[tuple[str, str, str | None, ET.Element]] = []
        tbx_id = entry.get("id")
        for child in entry:
            name = child.tag
            category = child.get("type")
            if name in _LANG_TAGS:
                lang = self._lang(child, where)
                here = lang_extra.setdefault(lang, {})
                for item in child:
                    if item.tag in _TERM_TAGS:
                        term = self._term(item)
                        if term is not None:
                            terms.setdefault(lang, []).append(term)
                    elif (definition := _definition_of(item)) is not None:
                        definitions.append((lang, definition[0], definition[1], item))
                    else:
                        _keep(here, item)
            elif name == "descrip" and category == "subjectField" and _is_simple(child):
                unknown = []
                for part in _text(child).split(";"):
                    code = _FIELD_FROM_TBX.get(" ".join(part.lower().split()))
                    if code:
                        fields.append(code)
                    elif part.strip():
                        unknown.append(part.strip())
                if unknown:
                    _add(extra, "subjectField", "; ".join(unknown))
            elif (definition := _definition_of(child)) is not None:
                definitions.append(("", definition[0], definition[1], child))
            elif name == "descrip" and category == "origin" and _is_simple(child):
                if "origin" in raw:
                    _keep(extra, child)
                else:
                    raw["origin"] = _text(child)
            elif name == "note" and _is_simple(child):
                notes.append(_text(child))
            elif (
                name == "ref"
                and category == "crossReference"
                and len(child) == 0
                and set(child.attrib) <= {"type", "target"}
            ):
                target = child.get("target") or _text(child)
                slug = slugify(target)
                if slug:
                    see.append(slug)
                else:
                    _keep(extra, child)
            else:
                _keep(extra, child)
        lang_extra = {lang: items for lang, items in lang_extra.items() if items}
        if not terms:
            self.skipped += 1
            return None
        concept_id = slugify(tbx_id or "")
        if not concept_id:
            concept_id = _id_from_terms(terms) or f"tbx-entry-{self.entries}"
        if tbx_id and tbx_id != _tbx_id(concept_id):
            extra["tbxId"] = tbx_id
        raw["id"] = concept_id
        if fields:
            raw["subject_fields"] = list(dict.fromkeys(fields))
        self._choose_definition(raw, extra, lang_extra, definitions, terms)
        if notes:
            raw["notes"] = notes
        if see:
            raw["see"] = list(dict.fromkeys(see))
        raw["terms"] = terms
        if lang_extra:
            extra["langSec"] = lang_extra
        if extra:
            raw["extra"] = extra
        return raw

    def _choose_definition(
        self,
        raw: Concept,
        extra: dict[str, Any],
        lang_extra: dict[str, dict[str, Any]],
        definitions: list[tuple[str, str, str | None, ET.Element]],
        terms: dict[str, list[Term]],
    ) -> None:
        if not definitions:
            return
        default_place = "en" if "en" in terms else ""
        levels = [level for level, *_ in definitions]
        if default_place in levels:
            chosen = levels.index(default_place)
        elif "" in levels:
            chosen = levels.index("")
        else:
            chosen = 0
        level, text, source, _ = definitions[chosen]
        if level != default_place:
            # "concept" names the conceptEntry; a language code that has no terms here
            # cannot hold the definition on export, so it falls back to the entry.
            extra["definitionLevel"] = level or "concept"
        raw["definition"] = {"text": text, **({"source": source} if source else {})}
        for i, (other_level, _, _, elem) in enumerate(definitions):
            if i != chosen:
                _keep(lang_extra.setdefault(other_level, {}) if other_level else extra, elem)

    def _lang(self, elem: ET.Element, where: str) -> str:
        code = elem.get("xml:lang") or elem.get(XML_LANG) or elem.get("lang") or ""
        if not code.strip():
            raise ValidationError("a language section has no xml:lang", path=where, field=elem.tag)
        return normalize_lang(code)

    def _term(self, elem: ET.Element) -> Term | None:
        children: list[ET.Element] = []
        for child in elem:
            if child.tag == "termGrp":  # TBX v2 ntig: term and termNotes grouped
                children.extend(child)
            else:
                children.append(child)
        term: Term = {}
        extra: dict[str, Any] = {}
        transactions: list[ET.Element] = []
        process: str | None = None
        for child in children:
            name = child.tag
            category = child.get("type")
            if name == "termNote":
                slot = _TERM_NOTES.get(category or "")
                if slot is None or category is None or not _is_simple(child):
                    _keep(extra, child)
                    continue
                field, table = slot
                if field in term or (field == "review" and process is not None):
                    _keep(extra, child, as_xml=True)
                    continue
                value = _text(child)
                if table is None:
                    term[field] = value
                    continue
                mapped = table.get(value.lower())
                if field == "review":
                    process = value
                if mapped is None:
                    mapped = _UNKNOWN_DEFAULT[field]
                if value != _SPELLING[field].get(mapped, mapped):
                    extra[category] = value  # written back as it was spelled
                term[field] = mapped
            elif name == "term" and "text" not in term:
                term["text"] = _text(child)
            elif (
                name == "descrip"
                and category == "context"
                and "context" not in term
                and _is_simple(child)
            ):
                term["context"] = _text(child)
            elif name == "descripGrp" and "context" not in term and _context_group(child):
                context, source = _context_group(child)  # type: ignore[misc]
                term["context"] = context
                if source:
                    extra["contextSource"] = source
            elif (
                name == "admin"
                and category == "source"
                and "source" not in term
                and _is_simple(child)
            ):
                term["source"] = _text(child)
            elif name == "note" and "note" not in term and _is_simple(child):
                term["note"] = _text(child)
            elif name == "transacGrp":
                transactions.append(child)
            else:
                _keep(extra, child)
        if not term.get("text"):
            self.empty_terms += 1
            return None
        review = term.pop("review", None)
        reviewer = None
        if process is not None:
            for i, group in enumerate(transactions):
                found = _review_transaction(group)
                if found:
                    reviewer = found
                    del transactions[i]
                    break
        if reviewer:
            term["reviewed_by"], term["reviewed_on"] = reviewer
        if review == "reviewed" and not reviewer:
            review = "draft"
            extra["processStatus"] = process
        if review == "draft" and process == REVIEW_TO_TBX["draft"]:
            review = None  # the model's default: nothing to keep
        if review:
            term["review"] = review
        for group in transactions:
            _keep(extra, group)
        if extra:
            term["extra"] = extra
        return term


def _definition_of(elem: ET.Element) -> tuple[str, str | None] | None:
    """(text, source) when elem is a definition, alone or in a descripGrp with a source."""
    name = _local(elem.tag)
    if name == "descrip" and elem.get("type") == "definition" and _is_simple(elem):
        return _text(elem), None
    if name == "descripGrp":
        found = _group(elem, "definition")
        if found:
            return found
    return None


def _context_group(elem: ET.Element) -> tuple[str, str | None] | None:
    return _group(elem, "context")


def _group(elem: ET.Element, category: str) -> tuple[str, str | None] | None:
    """A descripGrp holding exactly one descrip of `category` and at most one source."""
    items = list(elem)
    if not items or not all(_is_simple(i) for i in items) or elem.attrib:
        return None
    first = items[0]
    if _local(first.tag) != "descrip" or first.get("type") != category:
        return None
    rest = items[1:]
    if not rest:
        return _text(first), None
    if len(rest) == 1 and _local(rest[0].tag) == "admin" and rest[0].get("type") == "source":
        return _text(first), _text(rest[0])
    return None


def _review_transaction(group: ET.Element) -> tuple[str, str] | None:
    """(reviewer, date) of a transacGrp written for a review, else None."""
    import datetime as dt

    parts = {(_local(c.tag), c.get("type")): c for c in group}
    if len(parts) != len(group) or group.attrib:
        return None
    transac = parts.get(("transac", "transactionType"))
    date = parts.get(("date", None))
    note = parts.get(("transacNote", "responsibility"))
    if transac is None or date is None or note is None or len(parts) != 3:
        return None
    if _text(transac) != "modification" or set(note.attrib) != {"type"}:
        return None
    try:
        day = dt.date.fromisoformat(_text(date)).isoformat()
    except ValueError:
        return None
    if day != _text(date):
        return None
    return _text(note), day


_TERM_NOTES: dict[str, tuple[str, dict[str, str] | None]] = {
    "administrativeStatus": ("status", _STATUS_FROM_TBX),
    "partOfSpeech": ("pos", _POS_FROM_TBX),
    "termType": ("type", _TYPE_FROM_TBX),
    "processStatus": ("review", _REVIEW_FROM_TBX),
    "transcription": ("roman", None),
    "confidence": ("confidence", {"low": "low", "medium": "medium", "high": "high"}),
}
_DEFAULTS = {"pos": "noun", "status": "preferred", "type": "fullForm", "review": "draft"}
_UNKNOWN_DEFAULT = {
    "status": "admitted",
    "pos": "other",
    "type": "fullForm",
    "review": "draft",
    "confidence": "medium",
}


# How the writer spells model values in TBX (values not listed are written as they are).
_SPELLING: dict[str, dict[str, str]] = {
    "status": STATUS_TO_TBX,
    "review": REVIEW_TO_TBX,
    "pos": {},
    "type": {},
    "confidence": {},
}


def _canonical(field: str, value: str) -> str:
    return _SPELLING[field].get(value, value)


def _id_from_terms(terms: dict[str, list[Term]]) -> str:
    for lang in ("en", *terms):
        for term in terms.get(lang, []):
            slug = slugify(term.get("text", ""))
            if slug:
                return slug[:60].strip("-")
    return ""
