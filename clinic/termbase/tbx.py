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

Safety: XML entity declarations are refused before the document is parsed (a
"billion laughs" bomb, or an external entity that would read a local file or a URL);
expat never fetches external DTDs. Entries are streamed with XMLPullParser and
cleared once converted, so memory does not grow with the file.
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
_REVIEW_FROM_TBX = {"provisionallyprocessed": "draft", "unprocessed": "draft", "finalized": "reviewed"}

# The element each data category usually lives in; a category met in another element
# keeps the element in its extra key ("admin:reliabilityCode").
_TERMNOTE_TYPES = {
    "administrativeStatus", "partOfSpeech", "termType", "grammaticalGender",
    "grammaticalNumber", "termLocation", "geographicalUsage", "register", "usageNote",
    "normativeAuthorization", "pronunciation", "transliteration", "transcription",
    "processStatus", "hyphenation", "syllabification", "termProvenance",
    "language-planningQualifier", "temporalQualifier", "timeRestriction", "frequency",
    "confidence", "animacy", "grammaticalValency", "transferComment",
}
_ADMIN_TYPES = {
    "source", "customerSubset", "projectSubset", "originatingPerson",
    "originatingInstitution", "originatingDatabase", "entrySource", "sourceIdentifier",
    "conceptOrigin", "securitySubset", "sortKey", "annotatedNote", "elementWorkingStatus",
    "environmentSubset", "businessUnitSubset", "applicationSubset", "productSubset",
    "searchTerm", "keyword", "indexHeading", "responsibility",
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
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def _text(elem: ET.Element) -> str:
    """The element's text with inline markup dropped and whitespace collapsed."""
    return normalize(" ".join("".join(elem.itertext()).split()))


def _is_simple(elem: ET.Element) -> bool:
    return len(elem) == 0 and set(elem.attrib) <= {"type"}


def slugify(text: str) -> str:
    """A concept id (lowercase ascii words joined by '-') made from any text."""
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(text)
    return _SLUG_DROP.sub("-", text.lower()).strip("-")


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
    for node in elem.iter():
        node.tag = _local(node.tag)
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def _keep(extras: dict[str, Any], elem: ET.Element) -> None:
    """Keep an element the model does not know, in the form it can be written back."""
    name = _local(elem.tag)
    category = elem.get("type")
    if _is_simple(elem) and (category or name == "note"):
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
    _add(extras, "xml", ET.tostring(elem, encoding="unicode"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _extra_elements(extras: dict[str, Any], skip: set[str]) -> tuple[list[ET.Element],
                                                                      list[ET.Element]]:
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
        raise ValidationError(f"an XML fragment kept under 'extra' is not XML ({error})",
                              field="xml") from None


# --- writing ----------------------------------------------------------------------


def _sub(parent: ET.Element, name: str, text: str | None = None,
         attrib: dict[str, str] | None = None) -> ET.Element:
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


def _coded(extra: dict[str, Any], key: str, value: str, decode: dict[str, str],
           encoded: str) -> str:
    """The value to write: the file's original spelling when it still means `value`."""
    original = extra.get(key)
    if isinstance(original, str) and decode.get(original.lower(), original) == value:
        return original
    return encoded


def _term_element(term: Term) -> ET.Element:
    extra = dict(term.get("extra") or {})
    sec = ET.Element("termSec")
    _sub(sec, "term", term["text"])
    pos = term.get("pos", "noun")
    _sub(sec, "termNote", _coded(extra, "partOfSpeech", pos, _POS_FROM_TBX, pos),
         {"type": "partOfSpeech"})
    status = term.get("status", "preferred")
    _sub(sec, "termNote",
         _coded(extra, "administrativeStatus", status, _STATUS_FROM_TBX, STATUS_TO_TBX[status]),
         {"type": "administrativeStatus"})
    kind = term.get("type", "fullForm")
    _sub(sec, "termNote", _coded(extra, "termType", kind, _TYPE_FROM_TBX, kind),
         {"type": "termType"})
    review = term.get("review", "draft")
    _sub(sec, "termNote",
         _coded(extra, "processStatus", review, _REVIEW_FROM_TBX, REVIEW_TO_TBX[review]),
         {"type": "processStatus"})
    if term.get("roman") and not term.get("roman_auto"):
        _sub(sec, "termNote", term["roman"], {"type": "transcription"})
    if term.get("confidence"):
        _sub(sec, "termNote", term["confidence"], {"type": "confidence"})
    skip = _TERM_SPECIAL | {"partOfSpeech", "administrativeStatus", "termType", "processStatus"}
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


def concept_element(concept: Concept, known_ids: set[str] | None = None) -> ET.Element:
    """The <conceptEntry> of a concept (cross-references kept when their target is
    among known_ids, or always when known_ids is None)."""
    extra = dict(concept.get("extra") or {})
    entry = ET.Element("conceptEntry", {"id": str(extra.get("tbxId") or _tbx_id(concept["id"]))})
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
        if known_ids is None or target in known_ids:
            _sub(entry, "ref", target, {"type": "crossReference", "target": _tbx_id(target)})
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


def write_tbx(concepts: Iterable[Concept], handle: BinaryIO, *,
              title: str = "clinic termbase", description: str = "Exported by clinic") -> int:
    """Write concepts as a TBX-Basic v3 (DCA) document; returns the number written."""
    items = list(concepts)
    known = {c["id"] for c in items}
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + SCHEMA_PIS
        + f'<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="{TBX_NS}">\n'
    )
    header = ET.Element("tbxHeader")
    desc = _sub(header, "fileDesc")
    _sub(_sub(desc, "titleStmt"), "title", title)
    _sub(_sub(desc, "sourceDesc"), "p", description)
    ET.indent(header, space="  ", level=1)
    handle.write(head.encode())
    handle.write(b"  " + ET.tostring(header, encoding="utf-8", xml_declaration=False) + b"\n")
    handle.write(b"  <text>\n    <body>\n")
    for concept in items:
        entry = concept_element(concept, known)
        ET.indent(entry, space="  ", level=3)
        handle.write(b"      " + ET.tostring(entry, encoding="utf-8", xml_declaration=False)
                     + b"\n")
    handle.write(b"    </body>\n  </text>\n</tbx>\n")
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
_LANG_TAGS = {"langSec", "langSet"}
_TERM_TAGS = {"termSec", "tig", "ntig"}


class _EntityGuard:
    """Reads the prolog with expat and refuses any entity declaration.

    Entities can only be declared in the DTD, which comes before the root element, so
    once the root element starts the rest of the file cannot declare any."""

    class _RootSeen(Exception):
        pass

    def __init__(self, path: str) -> None:
        self.path = path
        self.done = False
        self.root: str | None = None
        self.parser = expat.ParserCreate()
        self.parser.EntityDeclHandler = self._entity
        self.parser.UnparsedEntityDeclHandler = self._unparsed
        self.parser.StartElementHandler = self._start

    def _entity(self, name: str, is_parameter: int, value: str | None, base: str | None,
                system_id: str | None, public_id: str | None,
                notation: str | None) -> None:
        if system_id or public_id:
            what = ("declares an external entity, which would read another file or a URL; "
                    "clinic refuses it")
        else:
            what = ("declares XML entities (<!ENTITY>), the makings of an entity-expansion "
                    "bomb; clinic refuses them")
        raise UnsafeXML(f"{what}. Remove the DOCTYPE's internal subset and try again",
                        path=self.path, line=self.parser.CurrentLineNumber)

    def _unparsed(self, name: str, base: str | None, system_id: str, public_id: str | None,
                  notation: str) -> None:
        self._entity(name, 0, None, base, system_id, public_id, notation)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.root = _local(name.rpartition(" ")[2] if " " in name else name)
        raise self._RootSeen

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except self._RootSeen:
            self.done = True
        except expat.ExpatError:
            self.done = True  # the main parser reports syntax errors with their position


def _syntax_error(error: ET.ParseError, path: str) -> ValidationError:
    line, column = getattr(error, "position", (None, None))
    message = str(error).split(":")[0]
    return ValidationError(f"not well-formed XML ({message})", path=path, line=line,
                           column=column)


def read_tbx(path: Path | str) -> Iterator[tuple[Concept, str]]:
    """Concepts of a TBX file (v3 or v2, with or without namespaces), one at a time.

    Each comes with a 'where' text naming the file and the entry. The concepts are raw:
    they carry only what the file says (no defaults filled in); clean them with
    model.clean_concept. Entries without any term are skipped (with a warning, see
    TbxReader.warnings)."""
    reader = TbxReader(path)
    yield from reader


class TbxReader:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.warnings: list[str] = []
        self.entries = 0
        self.skipped = 0
        self.root: str | None = None

    def __iter__(self) -> Iterator[tuple[Concept, str]]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 (closed below, generator)
        except OSError as error:
            raise ValidationError(f"cannot read the file ({error.strerror})",
                                  path=self.path) from None
        with handle:
            yield from self._entries(handle)
        if self.skipped:
            self.warnings.append(
                f"{self.path}: {self.skipped} entr{'y' if self.skipped == 1 else 'ies'} "
                "without any term skipped"
            )

    def _entries(self, handle: BinaryIO) -> Iterator[tuple[Concept, str]]:
        guard = _EntityGuard(self.path)
        parser = ET.XMLPullParser(events=("start", "end"))
        body: ET.Element | None = None
        locals_: dict[str, str] = {}
        started = False
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            if not guard.done:
                guard.feed(chunk)
            try:
                parser.feed(chunk)
                events = list(parser.read_events())
            except ET.ParseError as error:
                raise _syntax_error(error, self.path) from None
            for event, elem in events:
                tag = elem.tag  # type: ignore[union-attr]
                local = locals_.get(tag)
                if local is None:
                    local = locals_[tag] = _local(tag)
                if event == "start":
                    if not started:
                        started = True
                        self._check_root(local)
                    elif local == "body":
                        body = elem  # type: ignore[assignment]
                    continue
                if local in _ENTRY_TAGS:
                    self.entries += 1
                    concept = self._concept(elem)  # type: ignore[arg-type]
                    elem.clear()  # type: ignore[union-attr]
                    if body is not None:
                        body.clear()  # drop the cleared entries: memory stays flat
                    if concept is not None:
                        yield concept, f"{self.path}: entry {self.entries}"
        try:
            parser.close()
        except ET.ParseError as error:
            raise _syntax_error(error, self.path) from None
        if not started:
            raise ValidationError("not a TBX file (no root element)", path=self.path)

    def _check_root(self, local: str) -> None:
        if local not in ("tbx", "martif"):
            raise ValidationError(
                f"not a TBX file: the root element is <{local}>, expected <tbx> (TBX v3) "
                "or <martif> (TBX v2)",
                path=self.path,
            )
        self.root = local

    # -- one entry --

    def _concept(self, entry: ET.Element) -> Concept | None:
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
            name = _local(child.tag)
            category = child.get("type")
            if name in _LANG_TAGS:
                lang = self._lang(child)
                here = lang_extra.setdefault(lang, {})
                for item in child:
                    item_name = _local(item.tag)
                    if item_name in _TERM_TAGS:
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
            elif (name == "ref" and category == "crossReference" and len(child) == 0
                  and set(child.attrib) <= {"type", "target"}):
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

    def _choose_definition(self, raw: Concept, extra: dict[str, Any],
                           lang_extra: dict[str, dict[str, Any]],
                           definitions: list[tuple[str, str, str | None, ET.Element]],
                           terms: dict[str, list[Term]]) -> None:
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

    def _lang(self, elem: ET.Element) -> str:
        code = elem.get(XML_LANG) or elem.get("lang") or ""
        if not code.strip():
            raise ValidationError(
                f"a language section has no xml:lang (entry {self.entries})", path=self.path
            )
        return normalize_lang(code)

    def _term(self, elem: ET.Element) -> Term | None:
        children: list[ET.Element] = []
        for child in elem:
            if _local(child.tag) == "termGrp":  # TBX v2 ntig: term and termNotes grouped
                children.extend(child)
            else:
                children.append(child)
        term: Term = {}
        extra: dict[str, Any] = {}
        transactions: list[ET.Element] = []
        process: str | None = None
        for child in children:
            name = _local(child.tag)
            category = child.get("type")
            simple = _is_simple(child)
            if name == "term" and "text" not in term:
                term["text"] = _text(child)
            elif name == "termNote" and simple and category in _TERM_NOTES:
                value = _text(child)
                field, table = _TERM_NOTES[category]
                if field in term or (field == "review" and process is not None):
                    _keep(extra, child)
                    continue
                mapped = table.get(value.lower()) if table else value
                if field == "review":
                    process = value
                if mapped is None:
                    mapped = _UNKNOWN_DEFAULT[field]
                if table and value != _canonical(field, mapped):
                    extra[category] = value
                term[field] = mapped
            elif name == "descrip" and category == "context" and simple and "context" not in term:
                term["context"] = _text(child)
            elif name == "descripGrp" and "context" not in term and _context_group(child):
                context, source = _context_group(child)  # type: ignore[misc]
                term["context"] = context
                if source:
                    extra["contextSource"] = source
            elif name == "admin" and category == "source" and simple and "source" not in term:
                term["source"] = _text(child)
            elif name == "note" and simple and "note" not in term:
                term["note"] = _text(child)
            elif name == "transacGrp":
                transactions.append(child)
            else:
                _keep(extra, child)
        if not term.get("text"):
            for item in transactions:
                _keep(extra, item)
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
_UNKNOWN_DEFAULT = {
    "status": "admitted",
    "pos": "other",
    "type": "fullForm",
    "review": "draft",
    "confidence": "medium",
}


def _canonical(field: str, value: str) -> str:
    """How the writer spells a model value in TBX."""
    if field == "status":
        return STATUS_TO_TBX[value]
    if field == "review":
        return REVIEW_TO_TBX[value]
    return value


def _id_from_terms(terms: dict[str, list[Term]]) -> str:
    for lang in ("en", *terms):
        for term in terms.get(lang, []):
            slug = slugify(term.get("text", ""))
            if slug:
                return slug[:60].strip("-")
    return ""
