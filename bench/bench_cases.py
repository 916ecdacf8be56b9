"""Case store speed at 50,000 cases, against stock TinyDB in the same run (issue: case
records).

Prints, from one run on the same synthetic cases (clearly fake names):
- adding one case to a 50,000-case store in-process: clinic's journal store vs stock
  TinyDB (default JSONStorage) (targets: <= 50 ms, and >= 10x faster than stock);
- a cold `clinic case add FILE` process (target <= 1.5 s);
- cold `clinic case show ID` and `clinic case list --status S` processes on 50,000 cases
  (targets <= 1 s each), with stock TinyDB's cold open + query for reference;
- importing 10,000 case files in one `clinic case add` call (target <= 10 s).

    python bench/bench_cases.py [--cases 50000] [--import 10000] [--runs 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from clinic.forms.thai import thai_id_check_digit  # noqa: E402
from clinic.records.casestore import CaseStore  # noqa: E402
from clinic.records.values import NewCase  # noqa: E402

WIRED = [sys.executable, "-m", "clinic"]
STATUSES = ["intake", "documents_ready", "submitted", "certificate_issued", "closed"]
DISTRICTS = ["Mae Sot", "Phop Phra", "Mae Ramat", "Tha Song Yang", "Umphang"]


def thai_id(rng: random.Random) -> str:
    first = "00" + "".join(rng.choice("0123456789") for _ in range(10))
    return first + str(thai_id_check_digit(first))


def synthetic(number: int, rng: random.Random) -> dict[str, Any]:
    """The values of a birth-registration case, as the form would check them."""
    born = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
    return {
        "case_id": f"BENCH-{number:06d}",
        "child": {
            "given_name": f"Fake Child {number:06d}",
            "sex": rng.choice(["female", "male"]),
            "born_on": born.isoformat(),
            "born_at_time": f"{rng.randrange(24):02d}:30",
            "place_of_birth": "Mae Sot Hospital",
            "district": rng.choice(DISTRICTS),
            "province": "Tak",
            "name_th": "เด็กหญิง ทดสอบ",
            "name_my": "ကလေး စမ်းသပ်",
        },
        "mother": {
            "name": f"Fake Mother {number:06d}",
            "nationality": "myanmar",
            "born_on": "1998-04-17",
            "address": f"{number} Fake Road, Mae Sot",
            "phone": "0812345678",
            "document": {"type": "pink_card", "number": thai_id(rng)},
        },
        "father": {
            "name": f"Fake Father {number:06d}",
            "nationality": "myanmar",
            "document": {"type": "passport", "number": f"MF{number:06d}"},
        },
        "informant": {"relationship": "mother"},
        "notified_on": (born + dt.timedelta(days=rng.randrange(1, 16))).isoformat(),
        "staff": {"name": "Fake Staff Member"},
    }


def case_yaml(values: dict[str, Any]) -> str:
    import json

    # JSON is YAML: quoting every scalar keeps it text, as clinic.yamlio reads it.
    return (
        "form: birth-registration\n"
        + "\n".join(
            f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()
        )
        + "\n"
    )


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed_process(args: list[str], runs: int, make_args: Any = None) -> list[float]:
    samples = []
    for run in range(runs):
        argv = make_args(run) if make_args else args
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"command failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return samples


def children_cpu() -> float:
    """User + system CPU seconds of the child processes waited for so far (with theirs)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check_cpu_ms(files: list[Path]) -> float:
    """CPU milliseconds to check one case file as `case add` does (best of 3 rounds)."""
    from clinic.records import intake

    intake._batch_forms = intake._read_forms()  # as check_files does for its batch
    try:
        intake._check_one(str(files[0]))  # imports and caches: not part of a case
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for path in files:
                intake._check_one(str(path))
            best = min(best, time.process_time() - start)
    finally:
        intake._batch_forms = None
    return best / len(files) * 1000


def build_store(home: Path, count: int, rng: random.Random) -> list[dict[str, Any]]:
    cases = [
        NewCase(f"BENCH-{i:06d}", "birth-registration", "1", synthetic(i, rng))
        for i in range(count)
    ]
    with CaseStore(home) as store:
        store.add(cases, office="mae-sot", opened=dt.date(2026, 11, 1))
        table = store.db.table("cases")
        with store.storage.transaction():
            for doc in table.all():
                table.put(doc.doc_id, {**doc, "status": rng.choice(STATUSES)})  # type: ignore[attr-defined]
        store.compact()
        return [dict(doc) for doc in store.db.table("cases").all()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--import", dest="imports", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stock-runs", type=int, default=3)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="Build the store in DIR and keep it "
        "(a later run with the same DIR starts from a copy of it).",
    )
    args = parser.parse_args()
    rng = random.Random(20261123)
    work = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    try:
        home = work / "home"
        kept = Path(args.keep) / f"home-{args.cases}" if args.keep else None
        start = time.perf_counter()
        if kept is not None and kept.exists():
            shutil.copytree(kept, home)
            with CaseStore(home) as store:
                store.compact()  # a copied store is tidied by its first writer: do it now
                docs = [dict(doc) for doc in store.db.table("cases").all()]
        else:
            print(f"building a {args.cases}-case store (setup, not timed) ...", flush=True)
            docs = build_store(home, args.cases, rng)
            if kept is not None:
                shutil.copytree(home, kept)
        print(
            f"  setup {time.perf_counter() - start:.1f} s; snapshot "
            f"{(home / 'cases' / 'cases.json').stat().st_size / 1e6:.1f} MB"
        )

        # --- stock TinyDB on the same documents --------------------------------------
        from tinydb import Query, TinyDB

        stock_path = work / "stock.json"
        with TinyDB(stock_path) as stock:
            stock.table("cases").insert_multiple(docs)
        print(f"  stock TinyDB file {stock_path.stat().st_size / 1e6:.1f} MB")
        stock_insert = []
        with TinyDB(stock_path) as stock:
            table = stock.table("cases")
            for run in range(args.stock_runs):
                doc = {**docs[0], "case_id": f"STOCK-{run}"}
                start = time.perf_counter()
                table.insert(doc)
                stock_insert.append(time.perf_counter() - start)
        stock_cold = []
        for _ in range(args.stock_runs):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    (
                        "import sys; from tinydb import TinyDB, Query; "
                        f"db = TinyDB({str(stock_path)!r}); "
                        "print(db.table('cases').search(Query().case_id == 'BENCH-000001'))"
                    ),
                ],
                stdout=subprocess.DEVNULL,
                check=True,
            )
            stock_cold.append(time.perf_counter() - start)
        del Query

        # --- clinic: one add in-process ------------------------------------------------
        ours = []
        with CaseStore(home) as store:
            for run in range(args.runs * 3):
                case = NewCase(
                    f"ADD-{run:04d}",
                    "birth-registration",
                    "1",
                    synthetic(900_000 + run, rng) | {"case_id": f"ADD-{run:04d}"},
                )
                start = time.perf_counter()
                store.add([case], office="mae-sot")
                ours.append(time.perf_counter() - start)

        # --- cold processes ----------------------------------------------------------
        folder = work / "single"
        folder.mkdir()
        files = []
        for run in range(args.runs):
            values = synthetic(800_000 + run, rng) | {"case_id": f"COLD-{run:04d}"}
            path = folder / f"COLD-{run:04d}.yaml"
            path.write_text(case_yaml(values), encoding="utf-8")
            files.append(path)
        cold_add = timed_process(
            [], args.runs, lambda run: [*WIRED, "--home", str(home), "case", "add", str(files[run])]
        )
        cold_show = timed_process(
            [*WIRED, "--home", str(home), "case", "show", f"BENCH-{args.cases // 2:06d}"], args.runs
        )
        cold_list = timed_process(
            [*WIRED, "--home", str(home), "case", "list", "--status", "documents_ready"], args.runs
        )
        listed = subprocess.run(
            [*WIRED, "--home", str(home), "case", "list", "--status", "documents_ready"],
            capture_output=True,
            check=True,
        )
        floor = timed_process([sys.executable, "-c", "import click"], args.runs)

        # --- import in one call --------------------------------------------------------
        batch = work / "batch"
        batch.mkdir()
        for i in range(args.imports):
            values = synthetic(i, rng) | {"case_id": f"IMPORT-{i:06d}"}
            (batch / f"IMPORT-{i:06d}.yaml").write_text(case_yaml(values), encoding="utf-8")
        fresh = work / "fresh"
        before = children_cpu()
        start = time.perf_counter()
        done = subprocess.run(
            [*WIRED, "--home", str(fresh), "case", "add", str(batch)], capture_output=True
        )
        import_s = time.perf_counter() - start
        import_cpu = children_cpu() - before  # the command and its worker processes
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode()[-2000:])
        check_ms = check_cpu_ms(sorted(batch.glob("*.yaml"))[:1000])

        stock_ms = median_ms(stock_insert)
        ours_ms = median_ms(ours)
        print()
        print(f"machine: {os.cpu_count()} CPU, Python {sys.version.split()[0]}")
        print(f"add one case to {args.cases} cases, in-process (median):")
        print(f"  stock TinyDB (JSONStorage, n={len(stock_insert)})   {stock_ms:9.1f} ms")
        print(
            f"  clinic journal store (n={len(ours)})            {ours_ms:9.1f} ms   target <= 50 ms"
        )
        print(
            f"  speed-up                                  {stock_ms / ours_ms:9.0f} x"
            f"   target >= 10 x"
        )
        print("cold processes (median wall time):")
        print(f"  python -c 'import click' (floor)          {median_ms(floor):9.0f} ms")
        print(
            f"  clinic case add FILE                      {median_ms(cold_add):9.0f} ms"
            f"   target <= 1500 ms"
        )
        print(
            f"  clinic case show ID                       {median_ms(cold_show):9.0f} ms"
            f"   target <= 1000 ms"
        )
        lines = listed.stdout.count(b"\n") - 1
        print(
            f"  clinic case list --status ({lines} rows)  {median_ms(cold_list):9.0f} ms"
            f"   target <= 1000 ms"
        )
        print(
            f"  stock TinyDB open + query by case_id      {median_ms(stock_cold):9.0f} ms"
            f"   (reference)"
        )
        print(
            f"import {args.imports} case files in one `case add`: {import_s:6.1f} s"
            f"   target <= 10 s ({import_s / args.imports * 1000:.2f} ms per case)"
        )
        print(
            f"  CPU time of the import, all its processes: {import_cpu:6.1f} s"
            f"   (steadier than wall time when other work shares the {os.cpu_count()} CPUs)"
        )
        print(f"  checking one case file in-process: {check_ms:.2f} ms CPU (best of 3 rounds)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
