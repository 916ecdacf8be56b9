"""Flashcards for learning a glossary before an assignment (`:drill` in the shell).

The schedule is a Leitner system (five boxes; Sebastian Leitner, "So lernt man lernen",
1972): a card known moves up one box and comes back after that box's interval, a card
missed drops to box 1 and is asked again at the end of the session. Intervals double
roughly, as in most Leitner variants; they are our choice, not a standard.

The schedule is kept per user in the data directory (`drill.json`, owner-only), one
record per concept and direction ("my>th:debt-bondage"), written atomically after every
answer under the writers' lock, so a session that ends abruptly loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.termbase.model import Concept, preferred

FILE_NAME = "drill.json"
KIND = "clinic-drill"
FORMAT = 1
MAX_BOX = 5
INTERVAL_DAYS = {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}

Record = dict[str, Any]  # {"box", "due", "seen", "knew", "last"}


class DrillError(ClinicError):
    """The drill file cannot be read; it is left as it is."""


def card_key(front: str, back: str, concept_id: str) -> str:
    return f"{front}>{back}:{concept_id}"


def schedule(record: Record | None, knew: bool, today: dt.date) -> Record:
    """The record after one answer: up a box when known, back to box 1 when not."""
    old = record or {}
    box = min(int(old.get("box", 0)) + 1, MAX_BOX) if knew else 1
    due = today + dt.timedelta(days=INTERVAL_DAYS[box]) if knew else today
    return {
        "box": box,
        "due": due.isoformat(),
        "seen": int(old.get("seen", 0)) + 1,
        "knew": int(old.get("knew", 0)) + int(knew),
        "last": today.isoformat(),
    }


def is_due(record: Record, today: dt.date) -> bool:
    try:
        return dt.date.fromisoformat(str(record.get("due"))) <= today
    except ValueError:
        return True


@dataclass
class Card:
    concept: Concept
    front: str
    back: str

    @property
    def key(self) -> str:
        return card_key(self.front, self.back, self.concept["id"])

    @property
    def front_text(self) -> str:
        term = preferred(self.concept, self.front)
        return term["text"] if term else ""


def choose(
    concepts: Iterable[Concept],
    front: str,
    back: str,
    records: dict[str, Record],
    today: dt.date,
    limit: int = 20,
) -> list[Card]:
    """Cards for a session: those due (oldest due first, lower boxes first), then new
    ones in termbase order, `limit` in all. A concept needs a usable term on both sides."""
    due: list[tuple[str, int, Card]] = []
    new: list[Card] = []
    for concept in concepts:
        if preferred(concept, front) is None or preferred(concept, back) is None:
            continue
        card = Card(concept, front, back)
        record = records.get(card.key)
        if record is None:
            new.append(card)
        elif is_due(record, today):
            due.append((str(record.get("due")), int(record.get("box", 0)), card))
    due.sort(key=lambda item: (item[0], item[1]))
    return ([card for _, _, card in due] + new)[:limit]


def next_due(records: dict[str, Record], front: str, back: str) -> str | None:
    """The earliest due date among the cards of a direction (for 'nothing due')."""
    prefix = f"{front}>{back}:"
    dates = [str(r.get("due")) for key, r in records.items() if key.startswith(prefix)]
    return min(dates) if dates else None


class DrillFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_home(cls, home: Path) -> DrillFile:
        return cls(home / FILE_NAME)

    def load(self) -> dict[str, Record]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise DrillError(
                f"cannot read the drill schedule ({error.strerror})", path=self.path
            ) from None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise DrillError(
                "the drill schedule is damaged (not JSON); left as it is", path=self.path
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("kind") != KIND
            or not isinstance(data.get("cards"), dict)
        ):
            raise DrillError("not a clinic drill schedule; left as it is", path=self.path)
        if not isinstance(data.get("format"), int) or data["format"] > FORMAT:
            raise DrillError(
                "the drill schedule is of a newer format; upgrade clinic", path=self.path
            )
        return {k: v for k, v in data["cards"].items() if isinstance(v, dict)}

    def save(self, key: str, record: Record) -> None:
        """Store one card's record (re-reading the file first: another shell may have
        written other cards meanwhile)."""
        from clinic.store import atomic_write_bytes, locked

        with locked(self.path):
            cards = self.load()
            cards[key] = record
            payload = {"kind": KIND, "format": FORMAT, "cards": cards}
            atomic_write_bytes(
                self.path, json.dumps(payload, ensure_ascii=False, indent=1).encode()
            )


@dataclass
class DrillSession:
    """One drill: the queue of cards, whether the answer is shown, and the tally."""

    cards: list[Card]
    records: dict[str, Record]
    today: dt.date
    position: int = 0
    revealed: bool = False
    knew: int = 0
    missed: int = 0
    _again: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.position >= len(self.cards)

    @property
    def current(self) -> Card | None:
        return None if self.done else self.cards[self.position]

    def reveal(self) -> None:
        if not self.done:
            self.revealed = True

    def answer(self, knew: bool) -> tuple[str, Record]:
        """Record the answer for the current card; returns (key, record) to save."""
        card = self.current
        if card is None or not self.revealed:
            raise DrillError("reveal the card before answering")
        previous = self.records.get(card.key)
        if card.key in self._again:
            # asked again after a miss in this session: knowing it now only keeps it
            # in box 1 (back tomorrow); it moves up when known in a later session
            previous = {**(previous or {}), "box": 0}
        record = schedule(previous, knew, self.today)
        self.records[card.key] = record
        if knew:
            self.knew += 1
        else:
            self.missed += 1
            if card.key not in self._again:  # ask once more at the end of the session
                self._again.add(card.key)
                self.cards.append(card)
        self.position += 1
        self.revealed = False
        return card.key, record

    def summary(self) -> str:
        return f"drill finished: knew {self.knew}, again {self.missed}"
