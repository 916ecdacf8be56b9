"""The crash-safe store: atomic writes, one lock for writers, damage never overwritten."""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic.exceptions import StoreDamaged, StoreError, StoreLocked
from clinic.store import compact_json, locked, reading, writing


def test_write_commits_once_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with writing(path, kind="test") as db:
        db.table("items").insert({"n": 1})
        db.table("items").insert({"n": 2})
        assert not path.exists(), "nothing is written before the block ends"
    with reading(path, kind="test") as db:
        assert [d["n"] for d in db.table("items").all()] == [1, 2]
    assert (path.stat().st_mode & 0o777) == 0o600


def test_the_store_is_written_as_the_json_module_writes_it() -> None:
    """orjson writes the store: the same bytes as json.dumps, and what orjson refuses
    goes to json, which writes it or refuses it as before."""
    from clinic import paths
    from clinic.termbase.files import read_folder

    concepts = [concept for concept, _ in read_folder(paths.shipped("glossary"))]
    odd = {
        'quotes " and \\ and \u0000 and \u2028': ["ကျောင်း", "ນ້ຳ", "\U0001f600", True, None],
        1: {"2": [1.5, -0, 10**18]},
    }
    for value in [{"concepts": {str(i): c for i, c in enumerate(concepts)}}, odd]:
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        assert compact_json(value) == expected
    assert compact_json({"big": 10**30}) == b'{"big":1000000000000000000000000000000}'
    # What json refuses is refused as before, not turned into text.
    with pytest.raises(TypeError):
        compact_json({"when": datetime.date(2026, 1, 2)})
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: refused either way
        compact_json({"text": "\udcff"})


def test_an_error_inside_the_block_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with writing(path, kind="test") as db:
        db.table("items").insert({"n": 1})
    before = path.read_bytes()
    with pytest.raises(RuntimeError), writing(path, kind="test") as db:
        db.table("items").insert({"n": 2})
        raise RuntimeError("boom")
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b'{"_clinic": {"1": ', b"\x00\x00garbage", b"[1, 2]"])
def test_a_damaged_store_is_reported_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged) as caught, writing(path, kind="test") as db:
        db.table("items").insert({"n": 1})
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_wrong_kind_and_newer_format_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with writing(path, kind="cases") as db:
        db.table("x").insert({})
    with pytest.raises(StoreDamaged), reading(path, kind="termbase"):
        pass
    data = json.loads(path.read_text())
    data["_clinic"]["1"]["format"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="newer"), reading(path, kind="cases"):
        pass


def test_a_second_writer_times_out_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from clinic.store import locked\n"
            "with locked(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLocked, match="another clinic process"), locked(path, timeout=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()


def _add_numbers(path: str, worker: int, count: int) -> None:
    for i in range(count):
        with writing(Path(path), kind="test") as db:
            db.table("items").insert({"worker": worker, "i": i})


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_numbers, args=(str(path), w, 25)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    with reading(path, kind="test") as db:
        seen = {(d["worker"], d["i"]) for d in db.table("items").all()}
    assert seen == {(w, i) for w in range(4) for i in range(25)}


WRITER = """
import sys
from pathlib import Path
from clinic.store import writing
path = Path(sys.argv[1])
for i in range(100000):
    with writing(path, kind="test") as db:
        db.table("items").insert({"i": i, "pad": "x" * 2000})
    print(i, flush=True)
"""


def test_sigkill_during_writes_never_damages_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    for round_ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(0.3 + 0.15 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        confirmed = [int(line) for line in out.split()]
        with reading(path, kind="test") as db:
            stored = {d["i"] for d in db.table("items").all()}
        # every write that reported success is there, and the file parses
        assert set(confirmed) <= stored
    json.loads(path.read_text())


def test_shared_files_follow_the_umask(tmp_path: Path) -> None:
    from clinic.store import atomic_write_bytes

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "handout.docx", b"x", private=False)
        atomic_write_bytes(tmp_path / "case.json", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "handout.docx").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "case.json").stat().st_mode & 0o777 == 0o600
