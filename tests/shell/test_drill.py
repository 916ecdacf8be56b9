"""The Leitner schedule, the choice of cards, the session and the schedule file."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from clinic.shell.drill import (
    INTERVAL_DAYS,
    MAX_BOX,
    DrillError,
    DrillFile,
    DrillSession,
    card_key,
    choose,
    next_due,
    schedule,
)

TODAY = dt.date(2030, 3, 4)


def concept(cid: str, **terms: str) -> dict:
    return {
        "id": cid,
        "subject_fields": [],
        "terms": {lang: [{"text": text, "status": "preferred"}] for lang, text in terms.items()},
    }


def test_known_cards_move_up_one_box_at_a_time() -> None:
    record = None
    dues = []
    for _ in range(MAX_BOX + 2):
        record = schedule(record, True, TODAY)
        dues.append(record["due"])
    assert record["box"] == MAX_BOX  # never beyond the last box
    assert record["seen"] == MAX_BOX + 2 and record["knew"] == MAX_BOX + 2
    first = dt.date.fromisoformat(dues[0])
    assert (first - TODAY).days == INTERVAL_DAYS[1]
    gaps = [(dt.date.fromisoformat(d) - TODAY).days for d in dues]
    assert gaps == sorted(gaps)  # intervals grow with the box


def test_a_missed_card_goes_back_to_box_one_and_stays_due() -> None:
    record = {"box": 4, "due": "2030-03-01", "seen": 6, "knew": 6}
    missed = schedule(record, False, TODAY)
    assert missed["box"] == 1
    assert missed["due"] == TODAY.isoformat()
    assert missed["knew"] == 6 and missed["seen"] == 7


def test_choose_puts_due_cards_first_then_new_ones() -> None:
    concepts = [
        concept("a", my="က", th="ก"),
        concept("b", my="ခ", th="ข"),
        concept("c", my="ဂ", th="ค"),
        concept("only-thai", th="ง"),  # cannot be drilled my -> th
        concept("later", my="င", th="จ"),
    ]
    records = {
        card_key("my", "th", "c"): {"box": 2, "due": "2030-03-01"},
        card_key("my", "th", "b"): {"box": 1, "due": "2030-03-03"},
        card_key("my", "th", "later"): {"box": 3, "due": "2030-04-01"},
    }
    cards = choose(concepts, "my", "th", records, TODAY, limit=10)
    assert [c.concept["id"] for c in cards] == ["c", "b", "a"]
    assert [c.concept["id"] for c in choose(concepts, "my", "th", records, TODAY, 2)] == ["c", "b"]
    assert next_due(records, "my", "th") == "2030-03-01"
    assert next_due(records, "th", "my") is None


def test_session_reveals_answers_and_asks_a_missed_card_again() -> None:
    cards = choose(
        [concept("a", my="က", th="ก"), concept("b", my="ခ", th="ข")], "my", "th", {}, TODAY
    )
    session = DrillSession(cards, {}, TODAY)
    with pytest.raises(DrillError):
        session.answer(True)  # not revealed yet
    session.reveal()
    key, record = session.answer(False)
    assert key == "my>th:a" and record["box"] == 1
    session.reveal()
    session.answer(True)
    assert not session.done  # 'a' comes back at the end
    assert session.current.concept["id"] == "a"
    session.reveal()
    key, record = session.answer(True)
    # known on the second try: stays in box 1, back tomorrow
    assert record["box"] == 1
    assert record["due"] == (TODAY + dt.timedelta(days=1)).isoformat()
    assert session.done
    assert session.summary() == "drill finished: knew 2, again 1"


def test_drill_file_is_owner_only_and_merges_writes(tmp_path: Path) -> None:
    path = tmp_path / "drill.json"
    first, second = DrillFile(path), DrillFile(path)
    first.save("my>th:a", {"box": 1, "due": "2030-03-05"})
    second.save("my>th:b", {"box": 2, "due": "2030-03-07"})  # another shell
    assert set(first.load()) == {"my>th:a", "my>th:b"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["kind"] == "clinic-drill"


def test_a_damaged_drill_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "drill.json"
    path.write_text("{not json")
    with pytest.raises(DrillError, match="damaged"):
        DrillFile(path).load()
    with pytest.raises(DrillError):
        DrillFile(path).save("my>th:a", {"box": 1})
    assert path.read_text() == "{not json"
    path.write_text(json.dumps({"kind": "clinic-drill", "format": 99, "cards": {}}))
    with pytest.raises(DrillError, match="newer format"):
        DrillFile(path).load()
