"""Checking case files for the store: the same checks as `clinic case check`.

Many files (an import of 10,000) are checked in several processes; each file is read
and checked by clinic.forms, and only plain data comes back (values, and the error
messages, which name file, line and field but never a value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic import processes
from clinic.exceptions import ClinicError
from clinic.records.values import NewCase, plain_values

CASE_SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 200  # below this, starting processes costs more than it saves


@dataclass
class Checked:
    cases: list[NewCase] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_files: int = 0


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the case files (*.yaml, *.yml) inside folders, in order."""
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() in CASE_SUFFIXES and p.is_file()
            )
            if not found:
                raise ClinicError("no case files (*.yaml) in this folder", path=path)
            result.extend(found)
        elif path.is_file():
            result.append(path)
        else:
            raise ClinicError("no such file", path=path)
    return result


# The forms of the batch being checked, read once (by check_files, before the worker
# processes start, so that a forked worker has them already): looking at the forms folder
# again for each of 10,000 files costs more than checking some of them.
_batch_forms: Mapping[str, Any] | None = None


def _start_worker() -> None:
    """A worker that did not inherit the batch's forms (not forked) reads them once."""
    global _batch_forms
    if _batch_forms is None:
        _batch_forms = _read_forms()


def _read_forms() -> Mapping[str, Any] | None:
    from clinic.forms.definitions import load_forms

    try:
        return load_forms()
    except ClinicError:
        return None  # each file reports the problem, as without a batch


def _check_one(path: str) -> tuple[bool, Any, list[str]]:
    from clinic.forms.casefile import check_case

    result = check_case(path, known=_batch_forms)
    warnings = [str(w) for w in result.warnings]
    if result.case is None:
        return False, [str(e) for e in result.errors], warnings
    case = result.case  # what from_case() keeps of it (the caller has the source)
    kept = (str(case.case_id), str(case.form.name), str(case.form.version), plain_values(case))
    return True, kept, warnings


def check_files(paths: Sequence[Path], jobs: int | None = None) -> Checked:
    """Check every file; never stops at the first bad one."""
    global _batch_forms
    jobs = jobs if jobs is not None else processes.usable_cpus()
    names = [str(p) for p in paths]
    _batch_forms = _read_forms()
    try:
        if jobs > 1 and len(names) >= PARALLEL_FROM:
            from concurrent.futures import ProcessPoolExecutor

            # small chunks: at the end of the batch, no worker waits long for another
            chunksize = max(16, min(256, len(names) // (jobs * 16)))
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=processes.context(), initializer=_start_worker
            ) as pool:
                outcomes = list(pool.map(_check_one, names, chunksize=chunksize))
        else:
            outcomes = [_check_one(name) for name in names]
    finally:
        _batch_forms = None
    checked = Checked()
    for path, (ok, payload, warnings) in zip(paths, outcomes):
        checked.warnings.extend(warnings)
        if ok:
            case_id, form, version, values = payload
            checked.cases.append(NewCase(case_id, form, version, values, source=path))
        else:
            checked.errors.extend(payload)
            checked.failed_files += 1
    return checked
