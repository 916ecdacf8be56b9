"""The fast ways of reading a big TBX file give what the careful reader gives: lxml
instead of expat callbacks, parts of the file read in several processes, the search
index built in a forked process. Same concepts, same lines in messages, same errors."""

from __future__ import annotations

import math
import os
import pickle
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from clinic import processes
from clinic.exceptions import ValidationError, ValidationErrors
from clinic.termbase import exchange, index, tbx
from clinic.termbase.termbase import prepare
from clinic.text import combined_zawgyi_probability, zawgyi_probability

from .conftest import DATA

FIXTURES = sorted(DATA.glob("*.tbx"))


def synthetic(count: int, *, start: int = 0) -> list[dict[str, Any]]:
    """Concepts with an English, Thai and Burmese term each, a definition, and now and
    then a second English term; clearly made-up words."""
    concepts = []
    for i in range(start, start + count):
        terms: dict[str, Any] = {
            "en": [{"text": f"sample term {i}"}],
            "th": [{"text": "แรงงานบังคับ", "roman": f"raeng ngan {i}"}],
            "my": [{"text": "အဓမ္မလုပ်အား"}],
        }
        if i % 3 == 0:
            terms["en"].append({"text": f"variant {i}", "status": "admitted"})
        concepts.append(
            {
                "id": f"sample-{i}",
                "subject_fields": ["labour"],
                "definition": {"text": f"Definition number {i}.", "source": "test data"},
                "terms": terms,
            }
        )
    return concepts


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    """More than 65,535 lines: libxml2's own line numbers stop being exact there."""
    path = tmp_path / "big.tbx"
    path.write_bytes(tbx.tbx_bytes(synthetic(2500)))
    assert path.read_bytes().count(b"\n") > 70_000
    return path


def careful(path: Path) -> list[tuple[dict[str, Any], str]]:
    return list(tbx.TbxReader(path, careful=True))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_fast_reader_reads_like_the_careful_one(path: Path) -> None:
    assert list(tbx.TbxReader(path)) == careful(path)


def test_lines_stay_exact_past_65535(big_file: Path) -> None:
    fast = list(tbx.TbxReader(big_file))
    assert fast == careful(big_file)
    lines = big_file.read_text(encoding="utf-8").splitlines()
    for _, where in fast[-3:]:
        line = int(where.rpartition(":")[2])
        assert line > 65_535 and "<conceptEntry" in lines[line - 1]


def test_look_alike_entries_in_comments_are_not_counted(tmp_path: Path) -> None:
    text = tbx.tbx_bytes(synthetic(3)).decode("utf-8")
    text = text.replace(
        "<body>", '<body>\n<!-- <conceptEntry id="fake"> in a comment -->', 1
    ).replace("</body>", "<![CDATA[ <conceptEntry id='cdata'> ]]></body>")
    path = tmp_path / "comments.tbx"
    path.write_text(text, encoding="utf-8")
    fast = list(tbx.TbxReader(path))
    assert [c["id"] for c, _ in fast] == ["sample-0", "sample-1", "sample-2"]
    assert fast == careful(path)


@pytest.mark.parametrize("count", [2, 3, 7])
@pytest.mark.parametrize("name", ["big", *[p.name for p in FIXTURES]])
def test_parts_read_alone_add_up_to_the_file(name: str, count: int, big_file: Path) -> None:
    path = big_file if name == "big" else DATA / name
    whole = list(tbx.TbxReader(path))
    parts = tbx.TbxReader(path).split(count)
    assert len(parts) >= 2
    assert [item for part in parts for item in tbx.TbxReader(path, part=part)] == whole


def libxml2_refuses(folder: Path, count: int) -> Path:
    """A file with an undeclared namespace prefix on entry 30: expat (without
    namespaces) reads it, libxml2 does not."""
    text = tbx.tbx_bytes(synthetic(count)).decode("utf-8")
    text = text.replace('<conceptEntry id="sample-30">', '<x:conceptEntry id="sample-30">')
    text = text.replace(
        '</conceptEntry>\n      <conceptEntry id="sample-31">',
        '</x:conceptEntry>\n      <conceptEntry id="sample-31">',
    )
    path = folder / "prefix.tbx"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_part_libxml2_refuses_is_reported_for_a_whole_read(tmp_path: Path) -> None:
    path = libxml2_refuses(tmp_path, 40)
    parts = tbx.TbxReader(path).split(2)
    with pytest.raises(tbx.PartUnreadable):
        for part in parts:
            list(tbx.TbxReader(path, part=part))
    whole = list(tbx.TbxReader(path))  # falls back to expat
    assert len(whole) == 40 and whole == careful(path)


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every TBX file in parts, as a big one would be, even on one CPU."""
    monkeypatch.setattr(exchange, "PARALLEL_FROM", 0)
    monkeypatch.setattr(processes, "usable_cpus", lambda: 3)


def test_reading_in_processes_gives_the_same_import(big_file: Path, in_parts: None) -> None:
    parallel = exchange.read_incoming(big_file)
    exchange.PARALLEL_FROM = 1 << 60  # type: ignore[misc] (restored by monkeypatch)
    serial = exchange.read_incoming(big_file)
    assert parallel.concepts == serial.concepts
    assert parallel.provided == serial.provided
    assert parallel.warnings == serial.warnings


def _square_or_fail(number: int, *, in_helper: bool = True) -> tuple[int, bool]:
    """A call for _shared_out: module level, so a spawned helper can import it."""
    if number < 0:
        raise ValidationError(f"negative {number}", path="numbers.txt", line=-number)
    return number * number, in_helper


def test_shared_work_comes_back_in_order_from_both_sides() -> None:
    results = exchange._shared_out(_square_or_fail, [(n,) for n in range(40)], helpers=1)
    assert [square for square, _ in results] == [n * n for n in range(40)]
    # Both sides took calls: this process (in_helper=False) and the helper.
    assert {side for _, side in results} == {True, False}


CALLS_HERE: list[int] = []


def _fails_on_one_side(number: int, side: str, *, in_helper: bool = True) -> int:
    """Fails on the helper's first call (0), or on any call made here."""
    if (side == "helper" and in_helper and number == 0) or (side == "here" and not in_helper):
        raise ValidationError(f"failed on the {side} side", path="numbers.txt", line=number)
    if not in_helper:
        CALLS_HERE.append(number)  # a helper's list would be its own copy
    time.sleep(0.01)
    return number


@pytest.mark.parametrize("side", ["helper", "here"])
def test_a_failure_on_either_side_stops_the_shared_work(side: str) -> None:
    CALLS_HERE.clear()
    with pytest.raises(ValidationError, match=f"failed on the {side} side"):
        exchange._shared_out(_fails_on_one_side, [(n, side) for n in range(60)], helpers=1)
    # No more calls are begun once one failed: not the 59 left, a few at most.
    assert len(CALLS_HERE) < 10


class Box:
    """A result that can be watched with a weak reference."""

    def __init__(self, number: int) -> None:
        self.number = number


def _boxed(number: int, *, in_helper: bool = True) -> Box:
    return Box(number)


def test_shared_work_holds_nothing_once_returned() -> None:
    """The futures and their callback refer to each other; the import runs with the
    collector paused, so what they hold would stay until the process ends."""
    import gc
    import weakref

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        results = exchange._shared_out(_boxed, [(n,) for n in range(30)], helpers=1)
        assert [box.number for box in results] == list(range(30))
        watched = [weakref.ref(box) for box in results]
        del results
        assert [ref for ref in watched if ref() is not None] == []
    finally:
        if was_enabled:
            gc.enable()


def _helpers_die(number: int, *, in_helper: bool = True) -> int:
    if in_helper:
        os._exit(3)  # as if the OOM killer took it
    CALLS_HERE.append(number)
    time.sleep(0.02)  # calls are left to hand out when the pool breaks
    return number


def test_a_helper_that_dies_is_reported_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    from concurrent.futures.process import BrokenProcessPool

    CALLS_HERE.clear()
    with pytest.raises(BrokenProcessPool):
        exchange._shared_out(_helpers_die, [(n,) for n in range(40)], helpers=1)
    # The calls left are not handed to the broken pool (whose refusal would be logged),
    # nor read here: the caller reads the file again in one process.
    assert not [r for r in caplog.records if r.name.startswith("concurrent.futures")]
    assert len(CALLS_HERE) < 10


def test_the_import_goes_on_in_one_process_when_a_helper_dies(
    big_file: Path, in_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = exchange.read_incoming(big_file)
    monkeypatch.setattr(exchange, "_read_tbx_part", _read_here_die_in_helper)
    assert exchange.read_incoming(big_file).concepts == expected.concepts


_READ_PART = exchange._read_tbx_part


def _read_here_die_in_helper(
    path: str, part: Any, domain: str | None, *, in_helper: bool = True
) -> Any:
    if in_helper:
        os._exit(3)
    return _READ_PART(path, part, domain, in_helper=False)


def test_a_part_libxml2_refuses_sends_the_import_to_one_careful_reader(
    tmp_path: Path, in_parts: None
) -> None:
    path = libxml2_refuses(tmp_path, 300)
    read = exchange.read_incoming(path)
    assert [c["id"] for c in read.concepts] == [f"sample-{i}" for i in range(300)]


def test_errors_found_in_other_processes_keep_their_lines(tmp_path: Path, in_parts: None) -> None:
    text = tbx.tbx_bytes(synthetic(300)).decode("utf-8")
    for number in (250, 260):  # two entries with a language code that is not one
        before = f'<conceptEntry id="sample-{number}">'
        after = text.index('xml:lang="en"', text.index(before))
        text = text[:after] + 'xml:lang="e n"' + text[after + len('xml:lang="en"') :]
    path = tmp_path / "errors.tbx"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationErrors) as raised:
        exchange.read_incoming(path)
    exchange.PARALLEL_FROM = 1 << 60  # type: ignore[misc]
    with pytest.raises(ValidationErrors) as serial:
        exchange.read_incoming(path)
    assert str(raised.value) == str(serial.value)
    for number in (250, 260):
        line = text[: text.index(f'"sample-{number}"')].count("\n") + 1
        assert f"errors.tbx:{line}: " in str(raised.value)
    assert len(raised.value.errors) == 2


def test_an_unsafe_file_is_refused_before_any_process_starts(
    tmp_path: Path, in_parts: None
) -> None:
    body = tbx.tbx_bytes(synthetic(50)).decode("utf-8").split("\n", 1)[1]
    path = tmp_path / "bomb.tbx"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE tbx [ <!ENTITY a "aaaa"> ]>\n' + body,
        encoding="utf-8",
    )
    with pytest.raises(tbx.UnsafeXML, match="entity-expansion bomb"):
        exchange.read_incoming(path)


def test_errors_travel_between_processes_whole() -> None:
    error = tbx.UnsafeXML("declares entities", path="f.tbx", line=3, column=4, field="x")
    again = pickle.loads(pickle.dumps(error))
    assert (
        type(again) is tbx.UnsafeXML
        and str(again) == str(error) == "f.tbx:3:4: x: declares entities"
    )
    many = ValidationErrors([error, ValidationError("bad", path="g.tbx", line=9)])
    assert str(pickle.loads(pickle.dumps(many))) == str(many)


def test_column_probability_from_its_cells(glossary_folder: Path) -> None:
    from clinic.termbase.files import read_folder

    burmese = [
        t["text"]
        for concept, _ in read_folder(glossary_folder)
        for t in concept["terms"].get("my", [])
    ]
    zawgyi = ["အလုပ္သမား", "ကေလးသူငယ္"]  # Zawgyi, but not so clearly that p == 1.0
    for cells in (burmese, zawgyi, burmese[:3] + zawgyi):
        joined = zawgyi_probability(" ".join(cells))
        combined = combined_zawgyi_probability([zawgyi_probability(c) for c in cells])
        assert combined is not None and math.isclose(combined, joined, abs_tol=1e-6)
    # A cell so clearly Zawgyi that its probability rounds to 1.0 cannot be combined:
    # the caller judges the joined text instead.
    assert zawgyi_probability("ေမာင္ေမာင္") == 1.0
    assert combined_zawgyi_probability([0.2, zawgyi_probability("ေမာင္ေမာင္")]) is None


def test_index_built_in_a_forked_process_matches(tmp_path: Path, big_file: Path) -> None:
    concepts = [prepare(c) for c, _ in tbx.TbxReader(big_file)]

    def tables(path: Path) -> list[list[Any]]:
        db = sqlite3.connect(path)
        try:
            return [
                db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()
                for name in ("concepts", "keys", "meta")
            ] + [db.execute("SELECT rowid FROM fts WHERE fts MATCH 'term 24'").fetchall()]
        finally:
            db.close()

    index.build(tmp_path / "serial.sqlite", concepts, "sig")
    pending = index.PendingBuild(tmp_path / "forked.sqlite", concepts, background=True)
    assert pending.process is not None  # the test process has one thread
    pending.finish("sig")
    assert tables(tmp_path / "forked.sqlite") == tables(tmp_path / "serial.sqlite")
    dropped = index.PendingBuild(tmp_path / "dropped.sqlite", concepts, background=True)
    dropped.abandon()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["big.tbx", "serial.sqlite", "forked.sqlite"]
    )


# --- found by a second reader ------------------------------------------------------


def with_comment(tmp_path: Path, name: str, text: str) -> Path:
    """A file with a comment after the root: the byte scan then reads every token."""
    path = tmp_path / name
    path.write_text(text.replace("<body>", "<body>\n<!-- a comment -->", 1), encoding="utf-8")
    return path


def test_errors_in_a_file_with_comments_are_reported_as_errors(tmp_path: Path) -> None:
    text = tbx.tbx_bytes(synthetic(5)).decode("utf-8")
    no_lang = with_comment(tmp_path, "nolang.tbx", text.replace(' xml:lang="th"', "", 1))
    with pytest.raises(ValidationError, match="no xml:lang"):
        list(tbx.TbxReader(no_lang))
    prefixed = with_comment(
        tmp_path,
        "prefix.tbx",
        text.replace('<conceptEntry id="sample-3">', '<x:conceptEntry id="sample-3">').replace(
            '</conceptEntry>\n      <conceptEntry id="sample-4">',
            '</x:conceptEntry>\n      <conceptEntry id="sample-4">',
        ),
    )
    assert list(tbx.TbxReader(prefixed)) == careful(prefixed)  # expat reads it whole
    broken = with_comment(tmp_path, "broken.tbx", text.replace("</termSec>", "", 1))
    with pytest.raises(ValidationError, match="not well-formed"):
        list(tbx.TbxReader(broken))


@pytest.mark.parametrize(
    "subset",
    [
        '%pe; <!ENTITY a "INJECTED">',  # expat stops reporting after the reference
        '<!ATTLIST conceptEntry id CDATA "x">',
    ],
)
def test_any_doctype_internal_subset_is_refused(tmp_path: Path, subset: str) -> None:
    body = tbx.tbx_bytes(synthetic(2)).decode("utf-8").split("\n", 1)[1]
    path = tmp_path / "subset.tbx"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE tbx [ {subset} ]>\n{body}', "utf-8")
    with pytest.raises(tbx.UnsafeXML, match="declarations of its own"):
        list(tbx.TbxReader(path))


def test_a_commented_out_entry_stays_out_when_read_in_parts(tmp_path: Path, in_parts: None) -> None:
    text = tbx.tbx_bytes(synthetic(60)).decode("utf-8")
    hidden = '<!-- <conceptEntry id="old-entry"><langSec xml:lang="en"><termSec><term>old'
    hidden += "</term></termSec></langSec></conceptEntry> -->\n"
    path = tmp_path / "hidden.tbx"
    path.write_text(text.replace("</body>", hidden + "</body>"), encoding="utf-8")
    assert tbx.TbxReader(path).split(2) == []
    ids = [c["id"] for c in exchange.read_incoming(path).concepts]
    assert "old-entry" not in ids and len(ids) == 60


def test_spaces_between_inline_elements_are_kept(tmp_path: Path) -> None:
    text = tbx.tbx_bytes(synthetic(2)).decode("utf-8")
    text = text.replace("<term>sample term 1</term>", "<term><hi>sample</hi> <hi>one</hi></term>")
    path = tmp_path / "inline.tbx"
    path.write_text(text, encoding="utf-8")
    fast = list(tbx.TbxReader(path))
    assert fast == careful(path)
    assert fast[1][0]["terms"]["en"][0]["text"] == "sample one"


def test_a_column_of_burmese_digits_is_not_judged_zawgyi() -> None:
    digits = zawgyi_probability("၁၃၀၀")
    assert digits == -math.inf
    assert combined_zawgyi_probability([digits, digits]) == -math.inf
    concepts = [{"id": "c", "terms": {"my": [{"text": "၁၃၀၀"}], "en": [{"text": "1300"}]}}]
    assert exchange.fix_zawgyi(concepts, mode="auto", path="x.tbx") == []  # type: ignore[arg-type]


def test_made_up_ids_are_numbered_across_parts(tmp_path: Path, in_parts: None) -> None:
    concepts = [{"id": f"x-{i}", "terms": {"en": [{"text": "???"}]}} for i in range(30)]
    text = tbx.tbx_bytes(concepts).decode("utf-8")
    text = re.sub(r'<conceptEntry id="x-\d+">', "<conceptEntry>", text)
    path = tmp_path / "noid.tbx"
    path.write_text(text, encoding="utf-8")
    parallel = [c["id"] for c in exchange.read_incoming(path).concepts]
    exchange.PARALLEL_FROM = 1 << 60  # type: ignore[misc]
    serial = [c["id"] for c in exchange.read_incoming(path).concepts]
    assert parallel == serial == [f"tbx-entry-{i}" for i in range(1, 31)]


def test_lines_of_a_file_with_cr_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "cr.tbx"
    path.write_bytes(tbx.tbx_bytes(synthetic(5)).replace(b"\n", b"\r"))
    fast = list(tbx.TbxReader(path))
    assert fast == careful(path) and fast[-1][1] != fast[0][1]


def test_an_undeclared_entity_in_the_header_is_refused(tmp_path: Path) -> None:
    body = tbx.tbx_bytes(synthetic(2)).decode("utf-8").split("\n", 1)[1]
    body = body.replace("<title>clinic termbase</title>", "<title>a&nbsp;b</title>")
    path = tmp_path / "header.tbx"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE tbx SYSTEM "tbx.dtd">\n{body}', "utf-8")
    with pytest.raises(tbx.UnsafeXML, match="does not load external DTDs"):
        list(tbx.TbxReader(path))
