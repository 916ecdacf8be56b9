"""Per-keystroke cost of the shell at 20,000 concepts x 6 languages (issue 7).

Types real terms of a synthetic termbase one character at a time, as an interpreter
would (English, Thai, Burmese, Khmer, Lao, Vietnamese, romanised Thai, a typo), and
for every keystroke times, in one process on one open termbase:

- search: Termbase.search of the text typed so far, for the keystrokes on which the
  shell searches (from the second letter on: clinic.shell.query) (target: p95 <= 15 ms);
  the single first letters are timed too, separately, as Enter searches them;
- search + lines: the search plus turning its hits into the screen's lines;
- worker: the same through the shell's TermbaseWorker (thread hop included);

printed as median and p95 per query and over all keystrokes, with the ratio to an
exact-match lookup measured in the same run (absolute figures on a shared VM carry
about +-30%; research notes measurements.md).

    python bench/bench_shell.py [--concepts 20000] [--home DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

TARGET_MS = 15.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def typed_queries(concepts: list[dict]) -> dict[str, str]:
    """What an interpreter might type, taken from concepts in the middle of the set."""
    pick = concepts[len(concepts) // 2]
    other = concepts[len(concepts) // 3]
    english = other["terms"]["en"][0]["text"]
    typo = english[:3] + english[4:] if len(english) > 5 else english + "x"
    return {
        "en": english,
        "th": pick["terms"]["th"][0]["text"],
        "my": pick["terms"]["my"][0]["text"],
        "km": pick["terms"]["km"][0]["text"],
        "lo": pick["terms"]["lo"][0]["text"],
        "vi": pick["terms"]["vi"][0]["text"],
        "roman": pick["terms"]["th"][0]["roman"],
        "typo": typo,
    }


def keystrokes(text: str) -> list[str]:
    """The text typed so far after each keystroke that leaves something to search."""
    return [text[:i] for i in range(1, len(text) + 1) if text[:i].strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concepts", type=int, default=20_000)
    parser.add_argument("--home", type=Path, help="Reuse (or build) the termbase here.")
    parser.add_argument("--repeat", type=int, default=3, help="Times each query is typed.")
    args = parser.parse_args()

    from clinic.shell.query import live_query
    from clinic.shell.view import result_lines
    from clinic.shell.worker import TermbaseWorker
    from clinic.termbase.termbase import Termbase

    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="clinic-bench-shell-")
        home = Path(tmp.name)
    if not (home / "termbase.json").exists():
        took = synthetic.build(home, args.concepts)
        print(f"built {args.concepts} concepts in {took:.1f} s")
    termbase = Termbase(home)
    queries = typed_queries(synthetic.concepts(args.concepts))

    def search(text: str) -> object:
        return termbase.search(text, limit=10)

    # warm the connection, the page cache and the lazy imports (rapidfuzz, Zawgyi)
    for text in queries.values():
        for typed in keystrokes(text):
            search(typed)

    floor = []
    exact = queries["en"]
    for _ in range(21):
        start = time.perf_counter()
        termbase.search(exact, mode="exact", limit=10)
        floor.append((time.perf_counter() - start) * 1000)
    floor_ms = statistics.median(floor)

    rows = []
    all_search: list[float] = []
    all_lines: list[float] = []
    first_letters: list[float] = []
    by_tier: dict[str, list[float]] = {}
    for name, text in queries.items():
        times, with_lines = [], []
        for _ in range(args.repeat):
            for typed in keystrokes(text):
                if live_query(typed) is None:  # the shell waits for a second letter
                    start = time.perf_counter()
                    termbase.search(typed, limit=10)
                    first_letters.append((time.perf_counter() - start) * 1000)
                    continue
                start = time.perf_counter()
                result = termbase.search(typed, limit=10)
                middle = time.perf_counter()
                tier = result.hits[0].tier if result.hits else "nothing found"
                by_tier.setdefault(tier, []).append((middle - start) * 1000)
                result_lines(result.hits, ["my", "th"], 79, 20, 0)
                end = time.perf_counter()
                times.append((middle - start) * 1000)
                with_lines.append((end - start) * 1000)
        all_search += times
        all_lines += with_lines
        rows.append(
            (
                name,
                len(times) // args.repeat,
                statistics.median(times),
                percentile(times, 0.95),
                max(times),
            )
        )
    termbase.close()

    # the same keystrokes through the worker thread, waiting for each outcome
    worker = TermbaseWorker(Termbase(home))
    round_trips = []
    try:
        for text in queries.values():
            for typed in keystrokes(text):
                if live_query(typed) is None:
                    continue
                start = time.perf_counter()
                worker.search(
                    typed, domains=None, mode="auto", limit=10, done=lambda outcome: None
                ).result(10)
                round_trips.append((time.perf_counter() - start) * 1000)
    finally:
        worker.close()

    print(f"termbase: {args.concepts} concepts x 6 languages at {home}")
    print(f"floor: exact lookup of a whole term, median {floor_ms:.2f} ms (21 runs)")
    print()
    print(f"{'typed':<8}{'keys':>5}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for name, keys, median, p95, worst in rows:
        print(f"{name:<8}{keys:>5}{median:>11.2f}{p95:>9.2f}{worst:>9.2f}")
    print()
    search_median, search_p95 = statistics.median(all_search), percentile(all_search, 0.95)
    print(
        f"per keystroke, search only:    median {search_median:.2f} ms, "
        f"p95 {search_p95:.2f} ms, max {max(all_search):.2f} ms "
        f"({len(all_search)} keystrokes)"
    )
    if first_letters:
        print(
            f"single first letters (searched on Enter only): median "
            f"{statistics.median(first_letters):.2f} ms, max {max(first_letters):.2f} ms"
        )
    print(
        f"per keystroke, search + lines: median {statistics.median(all_lines):.2f} ms, "
        f"p95 {percentile(all_lines, 0.95):.2f} ms"
    )
    print(
        f"per keystroke, via the worker: median {statistics.median(round_trips):.2f} ms, "
        f"p95 {percentile(round_trips, 0.95):.2f} ms"
    )
    print("by how the best result matched (where the time goes):")
    for tier, values in sorted(by_tier.items(), key=lambda item: statistics.median(item[1])):
        print(
            f"  {tier:<14}{len(values):>5} keystrokes, median {statistics.median(values):.2f}"
            f" ms, p95 {percentile(values, 0.95):.2f} ms"
        )
    over = sum(1 for t in all_search if t > TARGET_MS)
    print(f"keystrokes over {TARGET_MS:g} ms: {over} of {len(all_search)}")
    print(f"ratio p95 / exact-lookup floor: {search_p95 / floor_ms:.1f}x")
    verdict = "meets" if search_p95 <= TARGET_MS else "MISSES"
    print(f"target p95 <= {TARGET_MS:g} ms per keystroke: {verdict}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
