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

Safety: before anything else, expat reads the prologue (everything before the root
element, the only place a file can declare entities) and any entity declaration stops
the read with a clear message (a "billion laughs" bomb, an external entity that would
read a local file or a URL); external DTDs are never fetched. Entries are then streamed
by lxml with entity resolution, DTD loading and the network off: each becomes a small
tree, is converted and dropped, so memory does not grow with the file (about 30 MB peak
for a 100 MB file, against 890 MB for ElementTree.parse: bench/bench_tbx_import.py).
A file libxml2 refuses is read again by expat callbacks, whose error names the line.
"""

from __future__ import annotations

import os
import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
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
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
XML_LANG = _XML_NS + "lang"
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


_LOCAL_NAMES: dict[str, str] = {}


def _name(elem: Any) -> str:
    """The local name of an element from either reader: lxml gives '{namespace}term',
    the expat reader 'term' or 'tbx:term'. Cached: a file has a few dozen tag names."""
    tag = elem.tag
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _local(tag)
        if len(_LOCAL_NAMES) < 10_000:
            _LOCAL_NAMES[tag] = name
    return name


def _children(elem: Any) -> list[Any]:
    """An element's children as a list: lxml's getchildren() builds it in C, three
    times quicker than iterating (ElementTree has no getchildren any more)."""
    getchildren = getattr(elem, "getchildren", None)
    return getchildren() if getchildren is not None else list(elem)


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


@lru_cache(maxsize=1024)
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
    name = _name(elem)
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
    if not isinstance(elem, ET.Element):
        elem = _from_lxml(elem)
    _strip_namespaces(elem)
    elem.tail = None
    fragments = extras.setdefault("xml", [])
    if not isinstance(fragments, list):
        fragments = extras["xml"] = [fragments]
    fragments.append(ET.tostring(elem, encoding="unicode"))


def _from_lxml(elem: Any) -> ET.Element:
    """An lxml element as an ElementTree one named the way the expat reader names it
    (the xml: prefix spelled out), so that a kept fragment reads the same either way."""
    attrib = {}
    for key, value in elem.attrib.items():
        if key.startswith(_XML_NS):
            key = "xml:" + key[len(_XML_NS) :]
        attrib[key] = value
    out = ET.Element(elem.tag, attrib)
    out.text, out.tail = elem.text, elem.tail
    out.extend(_from_lxml(child) for child in elem)
    return out


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


# Entry start tags, found in the raw bytes so that each entry gets its exact line
# (libxml2 counts lines past 65,535 from an element's first child). The fast scan looks
# for the names; where comments, CDATA or processing instructions could hide a look-alike
# ("<!-- <conceptEntry> -->"), every markup token is read instead.
_ENTRY_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?$")
_ENTRY_FOLLOWS = frozenset(b" \t\r\n/>")
_MARKUP = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>"
    rb"|(?:[A-Za-z_][\w.-]*:)?(?:conceptEntry|termEntry)(?=[\s/>]))",
    re.S,
)


def _plain_entry_offsets(data: Any, start: int) -> Iterator[int]:
    """Offsets of '<conceptEntry', '<termEntry' (or with a prefix) at or after start, in
    a file with no comment, CDATA or processing instruction there. bytes.find is used
    because a regex without a literal start scans 69 MB ten times slower."""
    size = len(data)
    position = data.find(b"Entry", start)
    while position >= 0:
        if position + 5 < size and data[position + 5] in _ENTRY_FOLLOWS:
            for name in (b"concept", b"term"):
                begin = position - len(name)
                if begin > start and data[begin:position] == name:
                    opening = _ENTRY_OPEN.search(data, max(start, begin - 64), begin)
                    if opening:
                        yield opening.start()
                    break
        position = data.find(b"Entry", position + 5)


_RELEASE_EVERY = 4 << 20


def _let_go(data: Any, end: int) -> None:
    """Drop the pages of a mapped file before `end` from this process (they stay in the
    system's file cache): a pass over a 100 MB file would otherwise count 100 MB more
    against the process, and memory must not grow with the file."""
    import mmap

    flag = getattr(mmap, "MADV_DONTNEED", None)
    length = end - end % mmap.PAGESIZE
    if flag is not None and length > 0 and hasattr(data, "madvise"):
        data.madvise(flag, 0, length)


def _windows(data: Any, start: int, end: int) -> Iterator[tuple[int, int]]:
    """[start, end) in slices of a few MB, each let go once it has been looked at."""
    for begin in range(start, end, _RELEASE_EVERY):
        yield begin, min(end, begin + _RELEASE_EVERY)
        _let_go(data, begin)
    _let_go(data, end)


def _line_ends(chunk: bytes) -> int:
    """Line ends as XML counts them: LF, CR LF, and a CR alone."""
    if b"\r" not in chunk:
        return chunk.count(b"\n")
    return chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")


def _newlines(data: Any, start: int, end: int) -> int:
    count = 0
    for a, b in _windows(data, start, end):
        count += _line_ends(data[a:b])
        if b < end and data[b - 1 : b + 1] == b"\r\n":
            count -= 1  # a CR LF across two slices is one line end
    return count


def _holds(data: Any, marks: tuple[bytes, ...], start: int, end: int) -> bool:
    """Whether any of the marks occurs in data[start:end]."""
    longest = max(len(mark) for mark in marks)
    for a, b in _windows(data, start, end):
        stop = min(end, b + longest - 1)  # a mark may straddle two slices
        if any(data.find(mark, a, stop) >= 0 for mark in marks):
            _let_go(data, len(data))
            return True
    return False


def _entry_lines(data: Any, start: int, end: int) -> Generator[int, None, None]:
    """The line of each entry start tag in data[start:end] (start: the root element's
    offset or an entry's)."""
    hidden = _holds(data, (b"<!--", b"<![CDATA[", b"<?"), start, end)
    if hidden:
        offsets: Iterator[int] = (
            m.start()
            for m in _MARKUP.finditer(data, start, end)
            if m.group()[1:2] not in (b"!", b"?")
        )
    else:
        offsets = _plain_entry_offsets(data, start)
    line, position = 1 + _newlines(data, 0, start), start
    released = start
    for offset in offsets:
        if offset >= end:
            break
        line += _line_ends(data[position:offset])
        position = offset
        if position - released > _RELEASE_EVERY:
            _let_go(data, position)
            released = position
        yield line
    _let_go(data, len(data))


@dataclass(frozen=True)
class Part:
    """Whole entries of a TBX file, which a process can read on its own: the file's
    head (XML declaration, DOCTYPE, root, header: everything before the first entry),
    the bytes [begin, end), then the file's tail from tail_start (everything after the
    last entry) unless the part reaches the end of the file already."""

    head_end: int
    begin: int
    end: int
    tail_start: int
    size: int

    def ranges(self) -> list[tuple[int, int]]:
        ranges = [(0, self.head_end), (self.begin, self.end)]
        if self.end < self.size:
            ranges.append((self.tail_start, self.size))
        return ranges


class _Joined:
    """A read-only file over byte ranges of a buffer, one after another (what lxml
    parses for a Part)."""

    def __init__(self, data: Any, ranges: list[tuple[int, int]]) -> None:
        self.data = data
        self.ranges = list(ranges)
        self.released = 0

    def read(self, size: int = -1) -> bytes:
        while self.ranges:
            begin, end = self.ranges[0]
            if begin >= end:
                self.ranges.pop(0)
                continue
            stop = end if size < 0 else min(end, begin + size)
            self.ranges[0] = (stop, end)
            if stop - self.released > _RELEASE_EVERY:
                _let_go(self.data, stop)
                self.released = stop
            return bytes(self.data[begin:stop])
        return b""


def read_tbx(path: Path | str) -> Iterator[tuple[Concept, str]]:
    """Concepts of a TBX file (v3 or v2, with or without namespaces), one at a time.

    Each comes with a 'where' text ('file:line' of its entry). The concepts are raw: they
    carry only what the file says (no defaults filled in); clean them with
    model.clean_concept. Entries without any term are skipped (TbxReader.warnings)."""
    yield from TbxReader(path)


class PartUnreadable(Exception):
    """libxml2 refused a part of a file: read the whole file in one process instead."""


def skip_warnings(path: str, skipped: int, empty_terms: int) -> list[str]:
    """What a reader skipped, as warnings."""
    warnings = []
    if skipped:
        warnings.append(
            f"{path}: {skipped} entr{'y' if skipped == 1 else 'ies'} without any term skipped"
        )
    if empty_terms:
        warnings.append(f"{path}: {empty_terms} term section(s) with an empty <term> skipped")
    return warnings


class _ParserDisagrees(Exception):
    """libxml2 (lxml) refused a file: the expat reader says why, or reads it."""


class _RootReached(Exception):
    """Ends the prologue check at the root element."""


class TbxReader:
    """Streams a TBX file: each entry is converted and dropped, so memory does not grow
    with the file.

    Two parsers, one conversion. lxml (libxml2, which python-docx already brings) builds
    each entry in C and knows its line: the fast path, 4 to 5 times quicker than
    building the entries from Python expat callbacks. Before it runs, expat reads the
    prologue (everything before the root element, the only place an XML file can declare
    entities) and refuses any entity declaration; lxml itself runs with entity
    resolution, DTD loading and the network off. When libxml2 rejects a file, the
    expat reader reads it again: its error names the line and says what is wrong, and a
    file only expat accepts (an undeclared namespace prefix) is still read whole."""

    def __init__(
        self, path: Path | str, *, careful: bool = False, part: Part | None = None
    ) -> None:
        """careful: read with the expat path only (the tests compare the two paths).
        part: read only these entries (TbxReader.split); a part libxml2 refuses raises
        PartUnreadable, and the caller reads the whole file instead."""
        self.path = str(path)
        self.careful = careful
        self.part = part
        self.warnings: list[str] = []
        self.entries = 0
        self.produced = 0  # concepts given so far
        self.generated: list[int] = []  # which of them got an id made up from their number
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
            # a pipe (<(cat file)) cannot be mapped or read twice: expat streams it
            regular = stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
            if (self.careful or not regular) and self.part is None:
                yield from self._entries(handle)
            else:
                yield from self._fast_or_careful(handle, regular)
        self.warnings += skip_warnings(self.path, self.skipped, self.empty_terms)

    def _fast_or_careful(self, handle: BinaryIO, regular: bool) -> Iterator[tuple[Concept, str]]:
        """lxml's entries; when libxml2 refuses the file, expat's, after those given."""
        yielded = 0
        try:
            if self.careful or not regular:
                raise _ParserDisagrees
            for item in self._fast_entries(handle):
                yield item
                yielded += 1
        except _ParserDisagrees:
            if self.part is not None:
                raise PartUnreadable(self.path) from None
            self.entries = self.skipped = self.empty_terms = self.produced = 0
            self.generated = []
            handle.seek(0)
            for i, item in enumerate(self._entries(handle)):
                if i >= yielded:  # the same conversion: the first ones were given
                    yield item

    def split(self, count: int) -> list[Part]:
        """Cut the file into about `count` parts of whole entries, at entry start tags
        (after the same safety checks as a whole read). [] when it cannot be cut: too
        few entries, or no entry end tag found at the end."""
        import mmap

        with open(self.path, "rb") as handle:
            _, root_offset = self._check_prologue(handle)
            if count < 2 or not os.fstat(handle.fileno()).st_size:
                return []
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                first = next(_plain_entry_offsets(data, root_offset), None)
                last_end = data.rfind(b"Entry>")
                if first is None or last_end < first:
                    return []
                tail_start, size = last_end + len(b"Entry>"), len(data)
                if _holds(data, (b"<!--", b"<![CDATA[", b"<?"), first, size):
                    # a cut could fall inside a comment that hides an entry: one process
                    return []
                cuts = [first]
                for k in range(1, count):
                    target = first + (tail_start - first) * k // count
                    cut = next(_plain_entry_offsets(data, target), None)
                    if cut is not None and cuts[-1] < cut < tail_start:
                        cuts.append(cut)
                _let_go(data, size)
        ends = [*cuts[1:], size]
        return [Part(first, begin, end, tail_start, size) for begin, end in zip(cuts, ends)]

    # -- safety, shared by both paths --

    def _guard(self, parser: Any) -> None:
        """Make an expat parser refuse entity declarations and undeclared entities."""
        path = self.path

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
            raise self._undeclared(name, parser.CurrentLineNumber)

        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = entity
        parser.UnparsedEntityDeclHandler = unparsed
        parser.SkippedEntityHandler = skipped

    def _undeclared(self, name: str, line: int | None) -> UnsafeXML:
        return UnsafeXML(
            f"refers to the entity &{name}; declared outside the file; clinic does not "
            "load external DTDs. Replace it with the character it stands for",
            path=self.path,
            line=line,
        )

    def _parse_chunk(self, parser: Any, chunk: bytes, final: bool) -> None:
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise ValidationError(
                f"not well-formed XML ({expat.ErrorString(error.code)})",
                path=self.path,
                line=error.lineno,
                column=error.offset + 1,
            ) from None
        except (LookupError, ValueError):
            # an encoding expat does not know (windows-874, Shift_JIS, a typo)
            raise ValidationError(
                "declares an encoding that cannot be read; save it as UTF-8", path=self.path
            ) from None

    def _check_prologue(self, handle: BinaryIO) -> tuple[bool, int]:
        """Read up to the root element with expat: refuse entity declarations, check
        the root's name. Returns (whether the file has a DOCTYPE, the root's offset)."""
        parser = expat.ParserCreate()
        self._guard(parser)
        doctype = False
        offset = 0

        def start_doctype(
            name: str, system_id: str | None, public_id: str | None, has_internal_subset: int
        ) -> None:
            nonlocal doctype
            doctype = True
            if has_internal_subset:
                # expat stops reporting declarations after a parameter entity reference
                # ('%pe;'), which libxml2 would still act on: whatever the subset holds,
                # clinic does not read a file that declares things of its own.
                def end_doctype() -> None:
                    raise UnsafeXML(
                        "has a DOCTYPE with declarations of its own (an internal subset); "
                        "clinic refuses them. Remove the part between [ and ] and try again",
                        path=self.path,
                        line=parser.CurrentLineNumber,
                    )

                parser.EndDoctypeDeclHandler = end_doctype

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal offset
            self._check_root(name.rpartition(":")[2])
            offset = parser.CurrentByteIndex
            raise _RootReached

        parser.StartDoctypeDeclHandler = start_doctype
        parser.StartElementHandler = start
        final = False
        try:
            while not final:
                chunk = handle.read(1 << 16)
                final = not chunk
                self._parse_chunk(parser, chunk, final)
        except _RootReached:
            return doctype, offset
        raise ValidationError("not a TBX file (no root element)", path=self.path)

    # -- the fast path: lxml --

    def _fast_entries(self, handle: BinaryIO) -> Iterator[tuple[Concept, str]]:
        import mmap

        from lxml import etree

        doctype, root_offset = self._check_prologue(handle)
        handle.seek(0)
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            part = self.part or Part(root_offset, root_offset, len(data), len(data), len(data))
            # A part's entries sit lower in the text lxml reads than in the file.
            shift = _newlines(data, part.head_end, part.begin)
            lines = _entry_lines(data, part.begin, part.end)
            entry_tags = ("{*}conceptEntry", "{*}termEntry")
            events = etree.iterparse(
                _Joined(data, part.ranges()),
                events=("end",),
                tag=entry_tags,
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
                huge_tree=False,
                remove_comments=True,
                remove_pis=True,
            )
            try:
                yield from self._lxml_entries(events, lines, shift, doctype)
            finally:
                lines.close()  # its regex scanner holds the map open until closed

    def _lxml_entries(
        self, events: Any, lines: Generator[int, None, None], shift: int, doctype: bool
    ) -> Iterator[tuple[Concept, str]]:
        from lxml import etree

        path = self.path
        entry_tags = ("{*}conceptEntry", "{*}termEntry")
        nested = 0
        while True:
            try:
                _, entry = next(events)
            except StopIteration:
                break
            except etree.XMLSyntaxError:
                raise _ParserDisagrees from None
            if next(entry.iterancestors(*entry_tags), None) is not None:
                nested += 1  # an entry inside an entry: part of the outer one
                continue
            line = next(lines, None)
            for _ in range(nested):  # their start tags follow the outer one's
                next(lines, None)
            nested = 0
            # libxml2's line is exact below 65,535 (beyond, it is a child's): there the
            # scan must agree with it, else (a start tag over several lines, CR-only line
            # ends) the careful reader reads the file.
            reported = entry.sourceline
            if (
                line is None
                or line - shift > reported
                or (reported < 65_535 and line - shift != reported)
            ):
                raise _ParserDisagrees
            if doctype:
                # With an external DTD (not loaded), libxml2 keeps a reference to an
                # entity it does not know as a node instead of failing.
                for node in entry.iter(etree.Entity):
                    raise self._undeclared(node.text.strip("&;"), self._line(node, shift, line))
            self.entries += 1
            where = f"{path}:{line}"
            concept = self._concept(entry, where)
            entry.clear(keep_tail=False)
            while entry.getprevious() is not None:
                del entry.getparent()[0]
            if concept is not None:
                yield concept, where
        if next(lines, None) is not None:
            raise _ParserDisagrees
        if doctype and events.root is not None:  # the header and what follows the body
            for node in events.root.iter(etree.Entity):
                raise self._undeclared(node.text.strip("&;"), self._line(node, shift, None))

    @staticmethod
    def _line(node: Any, shift: int, fallback: int | None) -> int | None:
        """A node's line in the file, where libxml2 knows it exactly."""
        reported = node.sourceline
        if reported and reported < 65_535:
            return int(reported) + (shift if fallback is not None else 0)
        return fallback

    # -- the careful path: expat callbacks --

    def _entries(self, handle: BinaryIO) -> Iterator[tuple[Concept, str]]:
        """Entries built by expat callbacks: slower, but every error has a line and a
        reason, and it accepts what expat accepts."""
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        self._guard(parser)
        path = self.path
        stack: list[ET.Element] = []
        done: list[tuple[Concept, str]] = []
        names: dict[str, str] = {}
        entry_line = 0
        element = ET.Element

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

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = None
        final = False
        while not final:
            chunk = handle.read(CHUNK)
            final = not chunk
            self._parse_chunk(parser, chunk, final)
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
        names = _LOCAL_NAMES
        for child in _children(entry):
            name = names.get(child.tag) or _name(child)
            if name in _LANG_TAGS:
                lang = self._lang(child, where)
                here = lang_extra.setdefault(lang, {})
                for item in _children(child):
                    if (names.get(item.tag) or _name(item)) in _TERM_TAGS:
                        term = self._term(item)
                        if term is not None:
                            terms.setdefault(lang, []).append(term)
                    elif (definition := _definition_of(item)) is not None:
                        definitions.append((lang, definition[0], definition[1], item))
                    else:
                        _keep(here, item)
                continue
            category = child.get("type")
            if name == "descrip" and category == "subjectField" and _is_simple(child):
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
            concept_id = _id_from_terms(terms)
            if not concept_id:
                # numbered from the file's start: a part renumbers (exchange._read_tbx)
                concept_id = f"tbx-entry-{self.entries}"
                self.generated.append(self.produced)
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
        self.produced += 1
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
        code = elem.get(XML_LANG) or elem.get("xml:lang") or elem.get("lang") or ""
        if not code.strip():
            raise ValidationError(
                "a language section has no xml:lang", path=where, field=_name(elem)
            )
        return normalize_lang(code)

    def _term(self, elem: ET.Element) -> Term | None:
        # The hot loop of a big import (one pass per term): attribute lookups and
        # calls are kept few, as each costs a few hundred ns on an lxml element.
        names = _LOCAL_NAMES
        children: list[tuple[str, Any]] = []
        for child in _children(elem):
            name = names.get(child.tag) or _name(child)
            if name == "termGrp":  # TBX v2 ntig: term and termNotes grouped
                children += [(names.get(c.tag) or _name(c), c) for c in _children(child)]
            else:
                children.append((name, child))
        term: Term = {}
        extra: dict[str, Any] = {}
        transactions: list[ET.Element] = []
        process: str | None = None
        note_values = _NOTE_VALUES
        for name, child in children:
            attrs = child.items()
            if len(attrs) == 1 and attrs[0][0] == "type":
                category: str | None = attrs[0][1]
                simple = not len(child)
            else:
                category = dict(attrs).get("type")
                simple = not attrs and not len(child)
            if name == "termNote":
                slot = _TERM_NOTES.get(category or "")
                if slot is None or category is None or not simple:
                    _keep(extra, child)
                    continue
                field, table = slot
                if field in term or (field == "review" and process is not None):
                    _keep(extra, child, as_xml=True)
                    continue
                if table is None:
                    term[field] = _text(child)
                    continue
                known = note_values.get((category, child.text))
                value, mapped, respelled = known or _note_value(category, child)
                if field == "review":
                    process = value
                if respelled:
                    extra[category] = value  # written back as it was spelled
                term[field] = mapped
            elif name == "term" and "text" not in term:
                term["text"] = _text(child)
            elif name == "descrip" and category == "context" and "context" not in term and simple:
                term["context"] = _text(child)
            elif name == "descripGrp" and "context" not in term and _context_group(child):
                context, source = _context_group(child)  # type: ignore[misc]
                term["context"] = context
                if source:
                    extra["contextSource"] = source
            elif name == "admin" and category == "source" and "source" not in term and simple:
                term["source"] = _text(child)
            elif name == "note" and "note" not in term and simple:
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


_NOTE_VALUES: dict[tuple[str, str | None], tuple[str, str, bool]] = {}


def _note_value(category: str, elem: ET.Element) -> tuple[str, str, bool]:
    """(text, model value, whether the file spells it its own way) of a simple termNote
    with a coded value. Remembered: a file repeats a handful of values 100,000s of times."""
    raw = elem.text
    known = _NOTE_VALUES.get((category, raw))
    if known is not None:
        return known
    field, table = _TERM_NOTES[category]
    value = _text(elem)
    mapped = (table or {}).get(value.lower()) or _UNKNOWN_DEFAULT[field]
    found = (value, mapped, value != _SPELLING[field].get(mapped, mapped))
    if len(_NOTE_VALUES) < 10_000:
        _NOTE_VALUES[(category, raw)] = found
    return found


def _definition_of(elem: ET.Element) -> tuple[str, str | None] | None:
    """(text, source) when elem is a definition, alone or in a descripGrp with a source."""
    name = _name(elem)
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
    if _name(first) != "descrip" or first.get("type") != category:
        return None
    rest = items[1:]
    if not rest:
        return _text(first), None
    if len(rest) == 1 and _name(rest[0]) == "admin" and rest[0].get("type") == "source":
        return _text(first), _text(rest[0])
    return None


def _review_transaction(group: ET.Element) -> tuple[str, str] | None:
    """(reviewer, date) of a transacGrp written for a review, else None."""
    import datetime as dt

    parts = {(_name(c), c.get("type")): c for c in group}
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
