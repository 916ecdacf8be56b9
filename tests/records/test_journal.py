"""The journal storage: TinyDB's semantics kept, crash leftovers ignored, damage refused."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from clinic.exceptions import StoreDamaged, StoreError
from clinic.records.journal import JournalDB, open_journal_db


def snapshot_and_journal(path: Path) -> tuple[bytes, bytes]:
    return path.read_bytes(), path.with_suffix(".journal").read_bytes()


def filled(path: Path, n: int = 5) -> JournalDB:
    db = open_journal_db(path)
    for i in range(n):
        db.table("items").insert({"n": i, "name": f"item {i}"})
    return db


def contents(db: TinyDB, tables: tuple[str, ...] = ("items", "other")) -> dict[str, object]:
    return {
        t: sorted(((d.doc_id, dict(d)) for d in db.table(t).all()), key=lambda x: x[0])
        for t in tables
    }


def test_tinydb_operations_behave_like_stock_tinydb(tmp_path: Path) -> None:
    """The same random operations on stock TinyDB (in memory) and on the journal store,
    compared after every step and after reopening."""
    rng = random.Random(7)
    path = tmp_path / "s.json"
    ours = open_journal_db(path)
    stock = TinyDB(storage=MemoryStorage)
    q = Query()
    for step in range(300):
        table = rng.choice(["items", "other"])
        a, b = ours.table(table), stock.table(table)
        op = rng.choice(
            ["insert", "insert", "many", "update", "callable", "ids", "remove", "upsert", "doc"]
        )
        n = rng.randrange(10)
        if op == "insert":
            assert a.insert({"n": n}) == b.insert({"n": n})
        elif op == "many":
            docs = [{"n": rng.randrange(10)} for _ in range(3)]
            assert a.insert_multiple(docs) == b.insert_multiple(docs)
        elif op == "update":
            assert sorted(a.update({"seen": step}, q.n == n)) == sorted(
                b.update({"seen": step}, q.n == n)
            )
        elif op == "callable":

            def bump(doc: dict[str, int]) -> None:
                doc["n"] = doc.get("n", 0) + 1

            assert sorted(a.update(bump, q.n < n)) == sorted(b.update(bump, q.n < n))
        elif op == "ids":
            ids = [rng.randrange(1, 30) for _ in range(3)]
            assert a.update({"tag": "x"}, doc_ids=ids) == b.update({"tag": "x"}, doc_ids=ids)
        elif op == "remove":
            assert sorted(a.remove(q.n == n)) == sorted(b.remove(q.n == n))
        elif op == "upsert":
            assert a.upsert({"n": n, "up": 1}, q.n == n) == b.upsert({"n": n, "up": 1}, q.n == n)
        elif op == "doc":
            doc_id = rng.randrange(100, 200)
            if b.contains(doc_id=doc_id):
                with pytest.raises(ValueError):
                    a.insert(Document({"n": n}, doc_id=doc_id))
            else:
                assert a.insert(Document({"n": n}, doc_id=doc_id)) == b.insert(
                    Document({"n": n}, doc_id=doc_id)
                )
        assert contents(ours) == contents(stock), f"step {step}: {op}"
        if step % 50 == 49:
            ours = open_journal_db(path)
            assert contents(ours) == contents(stock)
    ours.journal.compact()
    assert contents(open_journal_db(path)) == contents(stock)
    assert a.search(q.n == 3) == b.search(q.n == 3)


def test_each_change_is_one_journal_line_and_the_snapshot_is_stock_tinydb(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    db = filled(path, 3)
    journal = path.with_suffix(".journal").read_bytes()
    assert journal.count(b"\n") == 1 + 3  # header + one line per insert
    with db.journal.transaction():
        db.table("items").insert({"n": 10})
        db.table("items").insert({"n": 11})
        db.table("other").insert({"x": 1})
    assert path.with_suffix(".journal").read_bytes().count(b"\n") == 1 + 4
    db.journal.compact()
    assert path.with_suffix(".journal").read_bytes().count(b"\n") == 1
    stock = TinyDB(path)  # the snapshot is a TinyDB document
    assert [d["n"] for d in stock.table("items").all()] == [0, 1, 2, 10, 11]
    stock.close()


def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    db = filled(path, 2)
    before = snapshot_and_journal(path)
    with pytest.raises(RuntimeError), db.journal.transaction():
        db.table("items").insert({"n": 99})
        raise RuntimeError("boom")
    assert snapshot_and_journal(path) == before
    assert len(open_journal_db(path).table("items")) == 2
    with pytest.raises(StoreError):  # a value JSON cannot hold: refused before writing
        db.table("items").insert({"bad": {1, 2}})
    assert snapshot_and_journal(path) == before


def test_a_torn_last_line_is_ignored_then_removed_by_the_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    filled(path, 3)
    journal = path.with_suffix(".journal")
    with open(journal, "ab") as handle:
        handle.write(b'[["p","items",4,{"n":3,"name":"item')  # a crash mid-write
    db = open_journal_db(path)
    assert len(db.table("items")) == 3
    assert db.journal.report.torn_tail
    writer = open_journal_db(path)  # a writer that has not loaded anything
    writer.table("items").insert({"n": 4})
    assert b'"item' not in journal.read_bytes().split(b"\n")[-1]
    reopened = open_journal_db(path)
    assert [d["n"] for d in reopened.table("items").all()] == [0, 1, 2, 4]
    assert not reopened.journal.report.torn_tail


def _damage_middle_line(path: Path, how: str) -> None:
    journal = path.with_suffix(".journal")
    lines = journal.read_bytes().split(b"\n")
    if how == "garbage":
        lines[2] = b"\x00\x00garbage\x00"
    elif how == "flip":
        lines[2] = lines[2].replace(b'"n":1', b'"n":7')
    elif how == "gap":
        del lines[2]
    journal.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize("how", ["garbage", "flip", "gap"])
def test_a_damaged_journal_line_is_refused_and_left_alone(tmp_path: Path, how: str) -> None:
    path = tmp_path / "s.json"
    filled(path, 4)
    _damage_middle_line(path, how)
    before = snapshot_and_journal(path)
    with pytest.raises(StoreDamaged) as caught:
        open_journal_db(path).table("items").all()
    assert str(path.with_suffix(".journal")) in str(caught.value)
    assert ":3:" in str(caught.value) or ":3" in str(caught.value)  # names the line
    with pytest.raises(StoreDamaged):  # a writer refuses too, and writes nothing
        open_journal_db(path).table("items").insert({"n": 5})
    assert snapshot_and_journal(path) == before


@pytest.mark.parametrize(
    "damage",
    ["truncate", "garbage", "empty", "missing", "wrong-kind", "newer", "newer-journal"],
)
def test_a_damaged_snapshot_is_refused_and_left_alone(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s.json"
    filled(path, 3).journal.compact()
    raw = path.read_bytes()
    journal = path.with_suffix(".journal")
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00\x01" + raw[2:])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "missing":
        path.unlink()
    elif damage == "wrong-kind":
        path.write_bytes(raw.replace(b'"kind":"cases"', b'"kind":"termbase"'))
    elif damage == "newer":
        path.write_bytes(raw.replace(b'"format":1}', b'"format":99}', 1))
    elif damage == "newer-journal":
        journal.write_bytes(journal.read_bytes().replace(b'"journal":1', b'"journal":99'))
    files = {p: p.read_bytes() for p in (path, journal) if p.exists()}
    expected = StoreError if damage.startswith("newer") else StoreDamaged
    for attempt in ("read", "write"):
        with pytest.raises(expected) as caught:
            db = open_journal_db(path)
            if attempt == "read":
                db.table("items").all()
            else:
                db.table("items").insert({"n": 9})
        message = str(caught.value)
        assert "\n" not in message and (
            "newer" in message
            or "damaged" in message
            or "missing" in message
            or "not a" in message
            or "empty" in message
            or "match" in message
        )
    assert {p: p.read_bytes() for p in files} == files


def test_an_interrupted_compaction_is_recognised_and_repaired(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    db = filled(path, 3)
    old_journal = path.with_suffix(".journal").read_bytes()
    db.journal.compact()
    # The crash came after the new snapshot and before the new journal.
    path.with_suffix(".journal").write_bytes(old_journal)
    again = open_journal_db(path)
    assert [d["n"] for d in again.table("items").all()] == [0, 1, 2]
    assert again.journal.report.needs_repair
    again.table("items").insert({"n": 3})
    final = open_journal_db(path)
    assert [d["n"] for d in final.table("items").all()] == [0, 1, 2, 3]
    assert not final.journal.report.needs_repair


def test_a_reader_sees_what_another_writer_appended(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    reader = filled(path, 2)
    assert len(reader.table("items")) == 2
    other = open_journal_db(path)
    other.table("items").insert({"n": 2})
    assert len(reader.table("items")) == 3
    assert reader.table("items").search(Query().n == 2)
    other.journal.compact()
    other.table("items").insert({"n": 3})
    assert [d["n"] for d in reader.table("items").all()] == [0, 1, 2, 3]


def test_ids_are_never_given_twice_even_after_a_delete(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    db = filled(path, 3)
    db.table("items").remove(doc_ids=[3])
    fresh = open_journal_db(path)  # a writer that reads only the journal's tail
    assert fresh.table("items").insert({"n": 9}) == 4


def test_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "store" / "s.json"
    filled(path, 1).journal.compact()
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    for file in path.parent.iterdir():
        assert (file.stat().st_mode & 0o777) == 0o600, file.name


def test_the_journal_line_format_is_what_the_docstring_says(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    filled(path, 1)
    lines = path.with_suffix(".journal").read_bytes().split(b"\n")
    header = json.loads(lines[0][1:])
    assert header["base"] == 0 and header["snap"]["ino"] == os.stat(path).st_ino
    payload, summary_raw = lines[1].rsplit(b"\t", 1)
    summary = json.loads(summary_raw)
    assert summary["seq"] == 1 and summary["len"] == len(payload)
    assert json.loads(payload) == [["p", "items", 1, {"n": 0, "name": "item 0"}]]


def test_a_missing_journal_is_damage_but_an_unfinished_creation_is_not(tmp_path: Path) -> None:
    for compact in (False, True):
        path = tmp_path / f"s{compact}.json"
        db = filled(path, 2)
        if compact:
            db.journal.compact()
        path.with_suffix(".journal").unlink()
        before = path.read_bytes()
        with pytest.raises(StoreDamaged, match="journal is missing"):
            open_journal_db(path).table("items").insert({"n": 3})
        assert path.read_bytes() == before
    fresh = tmp_path / "new.json"
    open_journal_db(fresh).table("items").insert({"n": 0})
    header = fresh.with_suffix(".journal").read_bytes().split(b"\n")[0]
    assert b'"base":0' in header
    # As if creation stopped after the journal's first header, before the snapshot
    # (so no change was ever saved: no committed marker either):
    fresh.unlink()
    fresh.with_suffix(".committed").unlink()
    fresh.with_suffix(".journal").write_bytes(
        b'\t{"journal":1,"kind":"cases","format":1,"base":0,"next":{},"meta":{},'
        b'"enc":null,"snap":{"creating":true}}\n'
    )
    assert open_journal_db(fresh).table("items").all() == []
    open_journal_db(fresh).table("items").insert({"n": 5})
    assert [d["n"] for d in open_journal_db(fresh).table("items").all()] == [5]
