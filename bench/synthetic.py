"""A synthetic termbase for benchmarks: N concepts x 6 languages of pseudo-words in the
real scripts (en, th, my, km, lo, vi), reproducible from a seed.

    python bench/synthetic.py HOME [--concepts 20000]

writes HOME/termbase.json and its index through clinic's own API, as a user's store.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

THAI = [chr(c) for c in range(0x0E01, 0x0E2F)]
THAI_VOWELS = ["\u0e31", "\u0e34", "\u0e35", "\u0e38", "\u0e32", "\u0e33", ""]
THAI_TONES = ["\u0e48", "\u0e49", "", ""]
MYANMAR = [chr(c) for c in range(0x1000, 0x1021)]
MYANMAR_MARKS = ["\u102c", "\u102d", "\u102f", "\u1031", "\u103a", "\u1036", "\u1037", ""]
KHMER = [chr(c) for c in range(0x1780, 0x17A2)]
KHMER_MARKS = ["\u17b6", "\u17b7", "\u17bb", "\u17c1", "\u17d2\u179a", ""]
LAO = [
    chr(c)
    for c in (
        0x0E81,
        0x0E82,
        0x0E84,
        0x0E87,
        0x0E88,
        0x0E8A,
        0x0E8D,
        0x0E94,
        0x0E95,
        0x0E96,
        0x0E97,
        0x0E99,
        0x0E9A,
        0x0E9B,
        0x0E9C,
        0x0E9D,
        0x0E9E,
        0x0E9F,
        0x0EA1,
        0x0EA2,
        0x0EA3,
        0x0EA5,
        0x0EA7,
        0x0EAA,
    )
]
LAO_MARKS = ["\u0eb2", "\u0eb4", "\u0eb8", "\u0ec9", "\u0ec8", ""]
VI_SYLLABLES = [
    "người",
    "buôn",
    "bán",
    "lao",
    "động",
    "cưỡng",
    "bức",
    "nợ",
    "giấy",
    "tờ",
    "hộ",
    "chiếu",
    "tàu",
    "cá",
    "thuyền",
    "viên",
    "trẻ",
    "em",
    "sức",
    "khỏe",
    "pháp",
    "lý",
    "di",
    "cư",
    "hồi",
    "hương",
    "bảo",
    "vệ",
    "nạn",
    "nhân",
]
EN_SYLLABLES = [
    "tra",
    "fik",
    "ing",
    "per",
    "son",
    "lab",
    "our",
    "debt",
    "bond",
    "age",
    "crew",
    "ves",
    "sel",
    "port",
    "doc",
    "ment",
    "ref",
    "er",
    "ral",
    "shel",
    "ter",
    "mi",
    "grant",
    "work",
    "per",
    "mit",
    "child",
    "health",
    "re",
    "turn",
    "case",
]


def _word(rng: random.Random, letters: list[str], marks: list[str], syllables: int) -> str:
    return "".join(rng.choice(letters) + rng.choice(marks) for _ in range(syllables))


def concept(rng: random.Random, i: int) -> dict[str, Any]:
    n = rng.randint(2, 4)
    en = " ".join(
        "".join(rng.choice(EN_SYLLABLES) for _ in range(rng.randint(1, 3)))
        for _ in range(rng.randint(1, 3))
    )
    th = "".join(
        rng.choice(THAI) + rng.choice(THAI_VOWELS) + rng.choice(THAI_TONES) for _ in range(n + 1)
    )
    return {
        "id": f"synthetic-{i:05d}",
        "subject_fields": [
            rng.choice(["labour", "fisheries", "health", "referral", "immigration", "children"])
        ],
        "definition": {"text": f"Synthetic concept number {i}.", "source": "bench"},
        "terms": {
            "en": [{"text": f"{en} {i}"}],
            "th": [{"text": th, "roman": f"syn thai {i}"}],
            "my": [{"text": _word(rng, MYANMAR, MYANMAR_MARKS, n), "roman": f"syn my {i}"}],
            "km": [{"text": _word(rng, KHMER, KHMER_MARKS, n), "roman": f"syn km {i}"}],
            "lo": [{"text": _word(rng, LAO, LAO_MARKS, n), "roman": f"syn lo {i}"}],
            "vi": [{"text": " ".join(rng.choice(VI_SYLLABLES) for _ in range(n))}],
        },
    }


def concepts(count: int, seed: int = 42) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [concept(rng, i) for i in range(count)]


def build(home: Path, count: int = 20_000, seed: int = 42) -> float:
    """Create a store of `count` synthetic concepts in home; returns seconds taken."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from clinic.store import writing
    from clinic.termbase import index
    from clinic.termbase.termbase import STORE_FORMAT, STORE_KIND, TABLE, Termbase

    home.mkdir(parents=True, exist_ok=True)
    termbase = Termbase(home)
    start = time.perf_counter()
    # Written straight through the store API (the shipped glossary is not wanted here);
    # the concepts are already clean and carry their romanisations.
    with writing(termbase.store_path, kind=STORE_KIND, version=STORE_FORMAT) as db:
        db.table(TABLE).insert_multiple(concepts(count, seed))
    index.build(
        termbase.index_path, termbase.read_store(), index.store_signature(termbase.store_path)
    )
    return time.perf_counter() - start


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("--concepts", type=int, default=20_000)
    args = parser.parse_args()
    took = build(args.home, args.concepts)
    print(f"built {args.concepts} concepts in {took:.1f} s at {args.home}")
