"""Aggregate counts for donors and managers: no names, no ids, no free text, and no
small counts.

A count below the threshold k could point at one person ("the one Lao child registered
in March"), so such cells are suppressed. The default k = 11 follows the Counter
Trafficking Data Collaborative, which publishes its global victim dataset k-anonymised
with k = 11 (ctdatacollaborative.org/global-dataset; research notes docs_anchors.md §3).
Suppressed cells are added up into one "suppressed" line, itself shown only when it
reaches k, and the grand total is withheld when it would let someone subtract their way
back to a small suppressed count.

Dimensions are controlled values only: month or year opened, form, status, office and
nationality (a choice value; anything else is counted as "other"). Purged cases still
count: their tombstones keep exactly these facts.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinic.exceptions import ClinicError
from clinic.records.casestore import CaseStore

DEFAULT_K = 11
DIMENSIONS = ("month", "year", "form", "status", "office", "nationality")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")


@dataclass
class Report:
    by: list[str]
    k: int
    rows: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    suppressed_cells: int = 0
    suppressed_count: int = 0
    total: int = 0

    @property
    def suppressed_shown(self) -> int | None:
        """The suppressed line's count, when it may be shown (>= k)."""
        return self.suppressed_count if self.suppressed_count >= self.k else None

    @property
    def total_shown(self) -> int | None:
        """The grand total, unless it would reveal a small suppressed count."""
        if self.suppressed_count == 0 or self.suppressed_count >= self.k:
            return self.total
        return None

    def as_dict(self) -> dict[str, Any]:
        below = f"<{self.k}"
        return {
            "by": self.by,
            "min_count": self.k,
            "rows": [{**dict(zip(self.by, key)), "count": count} for key, count in self.rows],
            "suppressed": {
                "cells": self.suppressed_cells,
                "count": (
                    self.suppressed_shown
                    if self.suppressed_shown is not None
                    else (below if self.suppressed_cells else 0)
                ),
            },
            "total": self.total_shown if self.total_shown is not None else "suppressed",
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*self.by, "count"])
        for key, count in self.rows:
            writer.writerow([*key, count])
        if self.suppressed_cells:
            shown = self.suppressed_shown
            writer.writerow(
                ["(suppressed)"] * len(self.by) + [shown if shown is not None else f"<{self.k}"]
            )
        total = self.total_shown
        writer.writerow(["(total)"] * len(self.by) + [total if total is not None else "suppressed"])
        return out.getvalue()

    def as_text(self) -> str:
        header = [*self.by, "count"]
        lines = [[*key, str(count)] for key, count in self.rows]
        if self.suppressed_cells:
            shown = self.suppressed_shown
            lines.append(
                [f"(suppressed: {self.suppressed_cells} cell(s))"]
                + [""] * (len(self.by) - 1)
                + [str(shown) if shown is not None else f"<{self.k}"]
            )
        total = self.total_shown
        lines.append(
            ["(total)"]
            + [""] * (len(self.by) - 1)
            + [str(total) if total is not None else "suppressed"]
        )
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
        text = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
            for row in [header, *lines]
        ]
        note = f"Counts below {self.k} are suppressed (k = {self.k}; CTDC publishes with k = 11)."
        return "\n".join([*text, "", note])


def parse_by(text: str | Sequence[str]) -> list[str]:
    parts = text.split(",") if isinstance(text, str) else list(text)
    by = [p.strip().lower() for p in parts if p.strip()]
    if not by:
        raise ClinicError(f"--by needs one or more of: {', '.join(DIMENSIONS)}", field="by")
    for name in by:
        if name not in DIMENSIONS:
            raise ClinicError(
                f"cannot report by '{name}' (known: {', '.join(DIMENSIONS)})", field="by"
            )
    if len(set(by)) != len(by):
        raise ClinicError("a dimension is named twice in --by", field="by")
    return by


def _safe(value: Any, default: str = "unknown") -> str:
    text = str(value or "").strip()
    if not text:
        return default
    return text if _SAFE.fullmatch(text) else "other"


def dimension(store: CaseStore, doc: Mapping[str, Any], name: str) -> str:
    if name == "month":
        month = str(doc.get("opened") or "")[:7]
        return month if re.fullmatch(r"\d{4}-\d{2}", month) else "unknown"
    if name == "year":
        year = str(doc.get("opened") or "")[:4]
        return year if re.fullmatch(r"\d{4}", year) else "unknown"
    if name == "nationality":
        return _safe(store.nationality(doc))
    return _safe(doc.get(name))


def build(store: CaseStore, by: str | Sequence[str], k: int = DEFAULT_K) -> Report:
    """Count every case (purged ones too) by the dimensions, small counts suppressed."""
    dims = parse_by(by)
    if k < 1:
        raise ClinicError("the minimum count must be 1 or more", field="min-count")
    counts: Counter[tuple[str, ...]] = Counter()
    for doc in store.all_cases():
        counts[tuple(dimension(store, doc, name) for name in dims)] += 1
    report = Report(dims, k, total=sum(counts.values()))
    for key in sorted(counts):
        count = counts[key]
        if count >= k:
            report.rows.append((key, count))
        else:
            report.suppressed_cells += 1
            report.suppressed_count += count
    return report
