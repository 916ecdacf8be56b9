"""Lookup speed and memory at 20,000 concepts x 6 languages (issue: the termbase).

Prints, from one run:
- cold `clinic lookup` process vs the floor `python -c "import click, rich.console"`
  (median of alternating runs, and their ratio; target <= 1.3);
- in-process query times on the same termbase: substring (target <= 3 ms median) and
  fuzzy (target <= 15 ms median), with exact and prefix for reference;
- peak memory (max RSS) of a lookup process (target <= 80 MB).

    python bench/bench_lookup.py [--concepts 20000] [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def peak_rss_mb(argv: list[str], env: dict[str, str]) -> float:
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *argv], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def in_process(
    home: Path, queries: dict[str, list[str]], mode_of: dict[str, str], repeat: int
) -> dict[str, list[float]]:
    from clinic.termbase.termbase import Termbase

    termbase = Termbase(home)
    termbase.connection()
    times: dict[str, list[float]] = {}
    for kind, items in queries.items():
        for _ in range(repeat):
            for query in items:
                start = time.perf_counter()
                result = termbase.search(query, mode=mode_of.get(kind, "auto"), limit=5)
                times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
                assert result.hits or kind == "miss", (kind, query)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concepts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    home = work / "home"
    took = synthetic.build(home, args.concepts)
    sample = synthetic.concepts(args.concepts)
    terms = sum(len(ts) for c in sample for ts in c["terms"].values())
    print(f"termbase: {args.concepts} concepts, {terms} terms (built in {took:.1f} s)")

    env = {**os.environ, "CLINIC_HOME": str(home)}
    env.pop("NO_COLOR", None)
    en_term = sample[123]["terms"]["en"][0]["text"]
    th_term = sample[456]["terms"]["th"][0]["text"]
    lookup = [sys.executable, "-m", "clinic", "lookup", en_term]
    lookup_th = [sys.executable, "-m", "clinic", "lookup", th_term[1:5]]
    floor = [sys.executable, "-c", "import click, rich.console"]
    for argv in (lookup, lookup_th, floor):  # warm the page cache
        timed_process(argv, env)
    samples: dict[str, list[float]] = {"floor": [], "lookup": [], "lookup_th": []}
    for _ in range(args.runs):
        samples["floor"].append(timed_process(floor, env))
        samples["lookup"].append(timed_process(lookup, env))
        samples["lookup_th"].append(timed_process(lookup_th, env))
    med = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    print(f"cold process, median of {args.runs} alternating runs:")
    print(f"  floor  python -c 'import click, rich.console'   {med['floor']:7.1f} ms")
    print(
        f"  clinic lookup (English term)                    {med['lookup']:7.1f} ms"
        f"   ratio {med['lookup'] / med['floor']:.2f}  (target <= 1.3)"
    )
    print(
        f"  clinic lookup (Thai substring)                  {med['lookup_th']:7.1f} ms"
        f"   ratio {med['lookup_th'] / med['floor']:.2f}"
    )

    rng_queries = {
        "exact": [c["terms"]["en"][0]["text"] for c in sample[:50:5]],
        "prefix": [c["terms"]["en"][0]["text"][:5] for c in sample[50:100:5]],
        "substring": [c["terms"]["th"][0]["text"][2:6] for c in sample[100:150:5]]
        + [c["terms"]["my"][0]["text"][1:5] for c in sample[150:200:5]]
        + [c["terms"]["vi"][0]["text"][2:9] for c in sample[200:250:5]],
        "fuzzy": [_typo(c["terms"]["en"][0]["text"]) for c in sample[300:350:5]]
        + [_typo(c["terms"]["th"][0]["text"]) for c in sample[350:400:5]],
    }
    times = in_process(home, rng_queries, {"exact": "exact", "fuzzy": "fuzzy"}, repeat=5)
    print("in-process query, median / p95 (ms):")
    targets = {"substring": 3.0, "fuzzy": 15.0}
    for kind, values in times.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        target = f"  (target <= {targets[kind]:g} ms)" if kind in targets else ""
        print(f"  {kind:<10} {statistics.median(values):6.2f} / {p95:6.2f}{target}")

    rss = max(peak_rss_mb(lookup, env), peak_rss_mb(lookup_th, env))
    print(f"peak memory of a lookup process: {rss:.1f} MB  (target <= 80 MB)")


def _typo(text: str) -> str:
    """Swap two neighbouring characters in the middle: a typical typing slip."""
    i = len(text) // 2
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :] if len(text) > 3 else text


if __name__ == "__main__":
    main()
