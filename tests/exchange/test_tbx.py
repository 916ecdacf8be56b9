"""TBX: the TBX-Basic v3 writer, the v2/v3 reader, lossless round trips, safety."""

from __future__ import annotations

import json
import re
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from clinic.exceptions import ValidationError
from clinic.termbase import tbx
from clinic.termbase.model import clean_concept
from clinic.termbase.termbase import Termbase

from .conftest import DATA

NS = "{urn:iso:std:iso:30042:ed-2}"
FIXTURES = ["iate_v2.tbx", "v3_ns.tbx", "v3_nons.tbx", "v3_prefixed.tbx"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# TBX-Basic's data categories (dialect 1.2 RNG/schematron) and the four this writer
# adds for model fields TBX-Basic lacks (documented in clinic/termbase/tbx.py).
BASIC_TYPES = {
    "subjectField",
    "definition",
    "context",
    "source",
    "customerSubset",
    "projectSubset",
    "partOfSpeech",
    "administrativeStatus",
    "termType",
    "grammaticalGender",
    "termLocation",
    "crossReference",
    "externalCrossReference",
    "xGraphic",
    "transactionType",
    "responsibility",
}
CLINIC_TYPES = {"processStatus", "transcription", "confidence", "origin"}


def local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


def imported(path: Path) -> list[dict[str, Any]]:
    return [clean_concept(raw, where) for raw, where in tbx.read_tbx(path)]


def data_points(path: Path) -> set[tuple[str, ...]]:
    """Every leaf of a TBX file as (entry id, language, term, element, type, target,
    text): what a lossless import and export must keep. subjectField lists split on
    ';' and compared without case (the reader maps them to the model's subject fields);
    language codes in BCP 47 case."""
    root = ET.parse(path).getroot()
    points: set[tuple[str, ...]] = set()

    def walk(elem: ET.Element, entry: str, lang: str, term: str) -> None:
        name = local(elem.tag)
        if name in ("conceptEntry", "termEntry"):
            entry = elem.get("id", "")
        if name in ("langSec", "langSet"):
            lang = tbx.normalize_lang(elem.get(XML_LANG) or elem.get("lang") or "")
        if name in ("termSec", "tig", "ntig"):
            found = next((e for e in elem.iter() if local(e.tag) == "term"), None)
            term = (found.text or "") if found is not None else ""
        if len(elem) == 0 or name in ("note",):
            text = " ".join("".join(elem.itertext()).split())
            parts = [text]
            if elem.get("type") == "subjectField":  # a list, compared without case
                parts = [p.strip().casefold() for p in text.split(";")]
            for part in parts:
                points.add(
                    (entry, lang, term, name, elem.get("type", ""), elem.get("target", ""), part)
                )
            return
        for child in elem:
            walk(child, entry, lang, term)

    body = next(e for e in root.iter() if local(e.tag) == "body")
    for entry in body:
        walk(entry, "", "", "")
    return points


# --- export: TBX-Basic v3, DCA -----------------------------------------------------


def test_export_follows_tbx_basic_rules(tb: Termbase, tmp_path: Path) -> None:
    data = tbx.tbx_bytes(tb.concepts(), title="fixture")
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "TBXcoreStructV03_TBX-Basic_integrated.rng" in text
    assert "TBX-Basic_DCA.sch" in text
    root = ET.fromstring(data)
    assert root.tag == f"{NS}tbx"
    assert (root.get("type"), root.get("style")) == ("TBX-Basic", "dca")
    parents = {child: parent for parent in root.iter() for child in parent}
    ids = [e.get("id") for e in root.iter(f"{NS}conceptEntry")]
    assert len(ids) == len(set(ids)) == len(tb.concepts())
    for elem in root.iter():
        assert elem.tag.startswith(NS), elem.tag  # DCA: every element in the TBX namespace
        kind, parent = elem.get("type"), parents.get(elem)
        owner = parents.get(parent) if parent is not None and parent.tag.endswith("Grp") else parent
        owner_name = local(owner.tag) if owner is not None else ""
        if local(elem.tag) == "termNote":
            assert owner_name == "termSec"
        if kind == "subjectField":
            assert owner_name == "conceptEntry"
        if kind == "definition":
            assert owner_name in ("conceptEntry", "langSec")
        if kind == "context":
            assert owner_name == "termSec"
        if kind == "administrativeStatus":
            assert elem.text in tbx.STATUS_TO_TBX.values()
        if kind == "partOfSpeech":
            assert elem.text in ("noun", "verb", "adjective", "adverb", "other")
        if kind == "termType":
            assert elem.text in (
                "fullForm",
                "acronym",
                "abbreviation",
                "shortForm",
                "variant",
                "phrase",
            )
        if kind is not None and elem is not root:
            assert kind in BASIC_TYPES | CLINIC_TYPES, kind
        if local(elem.tag) == "langSec":
            assert elem.get(XML_LANG)
            assert elem.findall(f"{NS}termSec"), "a langSec needs at least one termSec"
        if elem.get("target") and local(elem.tag) == "ref":
            assert elem.get("target") in ids
    # Every id is an NCName (xs:ID): a letter or '_' first.
    assert all(re.match(r"^[A-Za-z_][\w.-]*$", i or "") for i in ids)


def test_export_places_model_fields(tb: Termbase) -> None:
    root = ET.fromstring(tbx.tbx_bytes(tb.concepts()))
    entry = next(e for e in root.iter(f"{NS}conceptEntry") if e.get("id") == "forced-labour")
    english = next(s for s in entry.iter(f"{NS}langSec") if s.get(XML_LANG) == "en")
    group = english.find(f"{NS}descripGrp")
    assert group is not None
    assert group.find(f"{NS}descrip").get("type") == "definition"  # type: ignore[union-attr]
    assert group.find(f"{NS}admin").text.startswith("ILO")  # type: ignore[union-attr]
    thai = next(s for s in entry.iter(f"{NS}termSec") if s.findtext(f"{NS}term") == "แรงงานบังคับ")
    notes = {n.get("type"): n.text for n in thai.findall(f"{NS}termNote")}
    assert notes["processStatus"] == "finalized"
    assert notes["transcription"] == "raeng ngan bangkhap"
    review = thai.find(f"{NS}transacGrp")
    assert review is not None
    assert review.findtext(f"{NS}date") == "2024-02-01"
    assert review.findtext(f"{NS}transacNote") == "Test Reviewer One"
    slave = next(s for s in entry.iter(f"{NS}termSec") if s.findtext(f"{NS}term") == "slave labour")
    assert {n.get("type"): n.text for n in slave.findall(f"{NS}termNote")}[
        "administrativeStatus"
    ] == "deprecatedTerm-admn-sts"
    # Automatic romanisations are search aids recomputed on import: not written.
    burmese = next(s for s in entry.iter(f"{NS}termSec") if s.findtext(f"{NS}term") == "အဓမ္မလုပ်အား")
    assert "transcription" not in {n.get("type") for n in burmese.findall(f"{NS}termNote")}


def test_round_trip_of_the_termbase_is_lossless(tb: Termbase, tmp_path: Path) -> None:
    concepts = tb.read_store()
    path = tmp_path / "out.tbx"
    path.write_bytes(tbx.tbx_bytes(concepts))
    from clinic.termbase.termbase import prepare

    back = [prepare(c) for c in imported(path)]
    assert sorted(back, key=lambda c: c["id"]) == sorted(concepts, key=lambda c: c["id"])


@pytest.mark.parametrize("name", FIXTURES)
def test_import_export_import_is_stable_and_keeps_every_data_point(
    name: str, tmp_path: Path
) -> None:
    first = imported(DATA / name)
    out = tmp_path / "again.tbx"
    out.write_bytes(tbx.tbx_bytes(first))
    assert imported(out) == first
    lost = data_points(DATA / name) - data_points(out)
    # The only leaves that may not come back are those of entries without any term.
    assert all(point[0] == "IATE-900003" for point in lost), lost


def test_iate_reliability_code_is_kept_on_the_term(tmp_path: Path) -> None:
    concepts = imported(DATA / "iate_v2.tbx")
    first = concepts[0]
    assert first["id"] == "iate-900001"
    english = first["terms"]["en"]
    assert english[0]["extra"] == {"reliabilityCode": "3"}
    assert english[1]["status"] == "deprecated"  # supersededTerm-admn-sts
    assert english[1]["type"] == "abbreviation"
    out = ET.fromstring(tbx.tbx_bytes(concepts))
    thb = next(s for s in out.iter(f"{NS}termSec") if s.findtext(f"{NS}term") == "THB")
    assert {(d.get("type"), d.text) for d in thb.findall(f"{NS}descrip")} == {
        ("reliabilityCode", "2")
    }
    statuses = [
        n.text for n in thb.findall(f"{NS}termNote") if n.get("type") == "administrativeStatus"
    ]
    assert statuses == ["supersededTerm-admn-sts"]
    entry = next(iter(out.iter(f"{NS}conceptEntry")))
    assert entry.get("id") == "IATE-900001"


def test_v2_ntig_and_language_attributes() -> None:
    concepts = {c["id"]: c for c in imported(DATA / "iate_v2.tbx")}
    assert "iate-900003" not in concepts  # no term at all: skipped
    labour = concepts["iate-900002"]
    assert set(labour["terms"]) == {"en", "th"}  # lang="EN" normalised
    term = labour["terms"]["en"][0]
    assert term["source"] == "synthetic source C"
    assert term["extra"] == {"grammaticalNumber": "singular", "reliabilityCode": "4"}
    assert labour["terms"]["th"][0]["context"] == "ตัวอย่างประโยคสังเคราะห์"
    assert concepts["iate-900001"]["extra"]["subjectField"] == "1216 criminal law"
    assert concepts["iate-900001"]["subject_fields"] == ["legal-process"]


@pytest.mark.parametrize("name", ["v3_ns.tbx", "v3_nons.tbx", "v3_prefixed.tbx"])
def test_v3_with_and_without_namespaces_read_alike(name: str) -> None:
    concepts = imported(DATA / name)
    assert concepts == imported(DATA / "v3_ns.tbx")
    sea = concepts[0]
    assert sea["subject_fields"] == ["fisheries"]
    assert sea["see"] == ["c2"]
    assert sea["terms"]["en"][1]["status"] == "deprecated"
    assert sea["terms"]["en"][0]["extra"]["contextSource"] == "synthetic source E"
    burmese = sea["terms"]["my"][0]
    assert (burmese["review"], burmese["reviewed_by"], burmese["reviewed_on"]) == (
        "reviewed",
        "Ma Sample",
        "2024-03-04",
    )
    kept = sea["extra"]["xml"]
    assert any("xGraphic" in f for f in kept) and any("transacGrp" in f for f in kept)
    assert sea["extra"]["langSec"] == {"en": {"note": "A language-level note."}}


def test_reader_reports_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tbx"
    broken.write_text(
        '<tbx>\n<text><body>\n<conceptEntry id="a">\n</body></text></tbx>\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError) as error:
        list(tbx.read_tbx(broken))
    assert "not well-formed" in str(error.value) and ":4:" in str(error.value)
    other = tmp_path / "other.xml"
    other.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(ValidationError, match="not a TBX file"):
        list(tbx.read_tbx(other))
    bad_lang = tmp_path / "lang.tbx"
    bad_lang.write_text(
        '<tbx><text><body>\n\n<conceptEntry id="x"><langSec xml:lang="not a code">'
        "<termSec><term>t</term></termSec></langSec></conceptEntry></body></text></tbx>",
        encoding="utf-8",
    )
    raw, where = next(iter(tbx.read_tbx(bad_lang)))
    assert where.endswith("lang.tbx:3")
    with pytest.raises(ValidationError, match="BCP 47"):
        clean_concept(raw, where)


# --- safety -----------------------------------------------------------------------

LAUGHS = "\n".join(
    [' <!ENTITY lol0 "lol">']
    + [f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
)
ENTRY = (
    '<text><body><conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>{}</term>'
    "</termSec></langSec></conceptEntry></body></text>"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    bomb = write(
        tmp_path,
        "bomb.tbx",
        f'<?xml version="1.0"?>\n<!DOCTYPE tbx [\n{LAUGHS}\n]>\n'
        f"<tbx>{ENTRY.format('&lol9;')}</tbx>",
    )
    with pytest.raises(tbx.UnsafeXML, match="entity-expansion bomb") as error:
        list(tbx.read_tbx(bomb))
    assert error.value.line == 3


def test_external_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me", encoding="utf-8")
    xxe = write(
        tmp_path,
        "xxe.tbx",
        f'<?xml version="1.0"?>\n<!DOCTYPE tbx [ <!ENTITY s SYSTEM "{secret.as_uri()}"> ]>'
        f"\n<tbx>{ENTRY.format('&s;')}</tbx>",
    )
    with pytest.raises(tbx.UnsafeXML, match="external entity"):
        list(tbx.read_tbx(xxe))
    remote = write(
        tmp_path,
        "param.tbx",
        '<?xml version="1.0"?>\n<!DOCTYPE tbx [ <!ENTITY % r SYSTEM '
        '"http://127.0.0.1:9/x.dtd"> %r; ]>\n'
        f"<tbx>{ENTRY.format('t')}</tbx>",
    )
    with pytest.raises(tbx.UnsafeXML, match="external entity"):
        list(tbx.read_tbx(remote))
    undeclared = write(
        tmp_path,
        "dtd.tbx",
        '<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">\n'
        f"<martif>{ENTRY.format('a&nbsp;b')}</martif>",
    )
    with pytest.raises(tbx.UnsafeXML, match="does not load external DTDs"):
        list(tbx.read_tbx(undeclared))


def test_cli_refuses_an_unsafe_file_in_one_line(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = tb.store_path.read_bytes()
    bomb = write(
        tmp_path,
        "bomb.tbx",
        f'<?xml version="1.0"?>\n<!DOCTYPE tbx [\n{LAUGHS}\n]>\n'
        f"<tbx>{ENTRY.format('&lol9;')}</tbx>",
    )
    result = run("glossary", "import", str(bomb))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "bomb.tbx:3" in lines[0] and "refuses" in lines[0]
    assert tb.store_path.read_bytes() == before


def test_reading_streams_in_bounded_memory(tmp_path: Path) -> None:
    concepts = [
        {
            "id": f"c-{i}",
            "subject_fields": ["labour"],
            "definition": {"text": f"definition number {i} " * 4, "source": "test"},
            "terms": {
                "en": [{"text": f"term {i}"}, {"text": f"variant {i}", "status": "admitted"}],
                "th": [{"text": "แรงงานบังคับ", "roman": "raeng ngan bangkhap"}],
                "my": [{"text": "အဓမ္မလုပ်အား"}],
            },
        }
        for i in range(1500)
    ]
    path = tmp_path / "big.tbx"
    path.write_bytes(tbx.tbx_bytes(concepts))

    def peak(action: Any) -> int:
        tracemalloc.start()
        try:
            action()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def stream() -> None:
        for _ in tbx.read_tbx(path):
            pass

    whole_tree = peak(lambda: ET.parse(path))
    streaming = peak(stream)
    assert streaming * 5 < whole_tree, (streaming, whole_tree)


def test_written_fragments_are_checked(tmp_path: Path) -> None:
    concept = {
        "id": "x",
        "terms": {"en": [{"text": "x"}]},
        "extra": {"xml": ['<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>']},
    }
    with pytest.raises(tbx.UnsafeXML):
        tbx.tbx_bytes([concept])
    concept["extra"] = {"xml": ["<a><b></a>"]}
    with pytest.raises(ValidationError, match="not XML"):
        tbx.tbx_bytes([concept])


def test_ids_and_languages() -> None:
    assert tbx.slugify("IATE-900 001") == "iate-900-001"
    assert tbx.slugify("การค้ามนุษย์")  # non-Latin text still gives an id
    assert tbx.normalize_lang("EN-gb") == "en-GB"
    assert tbx.normalize_lang("my_mymr") == "my-Mymr"
    concept = {"id": "3d-scan", "terms": {"en": [{"text": "scan"}]}}
    entry = tbx.concept_element(concept)
    assert entry.get("id") == "_3d-scan"
    assert json.dumps(tbx.slugify("_3d-scan")) == '"3d-scan"'


def test_cross_references_keep_pointing_at_imported_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from clinic.termbase.tbx import entry_id, write_tbx

    concepts = [
        {
            "id": "iate-1",
            "see": ["iate-2"],
            "extra": {"tbxId": "IATE-1"},
            "terms": {"en": [{"text": "one term", "status": "preferred"}]},
        },
        {
            "id": "iate-2",
            "extra": {"tbxId": "IATE-2"},
            "terms": {"en": [{"text": "two term", "status": "preferred"}]},
        },
    ]
    out = io.BytesIO()
    write_tbx(concepts, out)
    text = out.getvalue().decode()
    assert 'target="IATE-2"' in text and 'target="iate-2"' not in text
    assert entry_id(concepts[0]) == "IATE-1"
