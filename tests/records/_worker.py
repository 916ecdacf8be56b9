"""A writer process for the crash and concurrency tests.

    python _worker.py HOME PREFIX START COUNT [--updates] [--reopen] [--batch N]

Adds COUNT cases PREFIX-START.. one transaction each; with --updates, every third step
also updates a case it added before. Prints "added ID" / "updated ID VERSION" (flushed)
only after the store has reported the change saved. --reopen opens the store afresh for
every step (as separate `clinic` processes would). --batch N adds N cases per step, each
with a long text, so that one journal line is megabytes long: a kill can then cut the
write itself short (Linux stops a large write at a page boundary on SIGKILL)."""

from __future__ import annotations

import sys
from pathlib import Path

from clinic.records.casestore import CaseStore
from clinic.records.values import NewCase


def case(case_id: str, district: str = "Mae Sot", long: bool = False) -> NewCase:
    values: dict[str, object] = {
        "case_id": case_id,
        "child": {
            "given_name": "Ma Sample Plugh",
            "sex": "female",
            "born_on": "2026-11-02",
            "district": district,
        },
        "mother": {"name": "Test Mother Zyxwv", "nationality": "myanmar"},
        "informant": {"relationship": "mother"},
        "notified_on": "2026-11-10",
    }
    if long:
        values["witnesses"] = [
            {
                "name": "Test Witness",
                "connection": "resident",
                "statement": "Synthetic statement text. " * 150,
            }
        ]
    return NewCase(case_id, "birth-registration", "1", values)


def main() -> None:
    home, prefix, start, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    updates = "--updates" in sys.argv
    reopen = "--reopen" in sys.argv
    batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 0
    store = CaseStore(home)
    added: list[str] = []
    for number in range(start, start + count):
        if reopen:
            store.close()
            store = CaseStore(home)
        case_id = f"{prefix}-{number:05d}"
        if batch:
            ids = [f"{case_id}-{n:04d}" for n in range(batch)]
            store.add([case(i, long=True) for i in ids], office="test")
            print("\n".join(f"added {i}" for i in ids), flush=True)
            continue
        store.add([case(case_id)], office="test")
        print(f"added {case_id}", flush=True)
        added.append(case_id)
        if updates and number % 3 == 0 and len(added) > 1:
            target = added[len(added) // 2]
            version = store.update(target, case(target, district=f"District {number}"))
            print(f"updated {target} {version}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
