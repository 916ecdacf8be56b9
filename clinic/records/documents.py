"""The log of documents filled for a case, and checking them against the files on disk.

Each filled document is recorded on its case: the template's name and file, the
template's SHA-256 (its version), the output file and its SHA-256, when and by whom.
`verify` hashes the files again and says which changed or went missing, so a printed
document can be matched with what clinic produced.

For `clinic fill`: call `record(case_id, [FilledDocument(...), ...])` once per case
after its documents are written (see the module's FilledDocument).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.records import audit
from clinic.records.casestore import CaseStore
from clinic.records.files import sha256_file


@dataclass
class FilledDocument:
    """One output of `clinic fill`. Hashes are computed from the files when not given."""

    template: str  # the template's name in the form definition, e.g. "request"
    output: Path
    template_file: Path | None = None
    template_sha256: str | None = None
    output_sha256: str | None = None
    form: str | None = None


@dataclass
class DocumentCheck:
    template: str
    output: str
    recorded: str
    status: str  # ok | changed | missing | superseded (a later fill wrote the same file)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _entry(document: FilledDocument, when: str, who: str) -> dict[str, Any]:
    output = Path(document.output).resolve()
    if not output.is_file():
        raise ClinicError("the filled document is not there to be recorded", path=output)
    template_hash = document.template_sha256
    if template_hash is None and document.template_file is not None:
        template_hash = sha256_file(Path(document.template_file))
    return {
        "template": document.template,
        "template_file": str(document.template_file) if document.template_file else None,
        "template_sha256": template_hash,
        "form": document.form,
        "output": str(output),
        "output_sha256": document.output_sha256 or sha256_file(output),
        "at": when,
        "by": who,
    }


def record(
    case_id: str,
    documents: Iterable[FilledDocument],
    *,
    store: CaseStore | None = None,
    home: Path | None = None,
    passphrase: str | None = None,
    by: str | None = None,
) -> list[dict[str, Any]]:
    """Log filled documents on their case (one journal line, one audit entry).

    Raises NothingFound (exit code 1) when the case is not in the store: the caller may
    say so and go on (documents can be filled for a case nobody added)."""
    own = store is None
    store = store or CaseStore(home, passphrase=passphrase)
    try:
        doc = store.get(case_id)
        when = audit.now()
        who = by or audit.who()
        entries = [_entry(d, when, who) for d in documents]
        if not entries:
            return []
        store.change(
            case_id,
            "documents",
            {"documents": [*doc.get("documents", []), *entries]},
            {"documents": [f"{e['template']} {e['output_sha256'][:12]}" for e in entries]},
            by=who,
        )
        return entries
    finally:
        if own:
            store.close()


def verify(store: CaseStore, case_id: str) -> list[DocumentCheck]:
    """Hash every logged document of the case again: ok, changed or missing. Only the
    latest entry of each output file is checked; earlier ones (a `fill --force`
    refill replaced the file) are `superseded`."""
    doc = store.get(case_id)
    entries = list(doc.get("documents", []))
    latest = {str(Path(e["output"])): number for number, e in enumerate(entries)}
    result = []
    for number, entry in enumerate(entries):
        path = Path(entry["output"])
        if latest[str(path)] != number:
            status = "superseded"
        elif not path.is_file():
            status = "missing"
        elif sha256_file(path) != entry.get("output_sha256"):
            status = "changed"
        else:
            status = "ok"
        result.append(
            DocumentCheck(str(entry.get("template")), str(path), str(entry.get("at")), status)
        )
    return result


def record_fill_report(
    report: Any,
    *,
    store: CaseStore | None = None,
    home: Path | None = None,
    passphrase: str | None = None,
) -> tuple[list[str], list[str]]:
    """Log every document of a clinic.forms.fill FillReport on its case. Returns (case
    ids logged, case ids not in the store: their documents were filled but not logged)."""
    from clinic.exceptions import NothingFound
    from clinic.forms.definitions import get_form

    own = store is None
    store = store or CaseStore(home, passphrase=passphrase)
    logged: list[str] = []
    absent: list[str] = []
    try:
        form = get_form(report.form)
        for result in report.results:
            if not result.ok or not result.documents or not result.case_id:
                continue
            filled = []
            for written in result.documents:
                spec = form.template(written.template)
                filled.append(
                    FilledDocument(
                        template=written.template,
                        output=Path(written.path),
                        template_file=spec.path,
                        output_sha256=written.sha256,
                        form=report.form,
                    )
                )
            try:
                record(result.case_id, filled, store=store)
                logged.append(result.case_id)
            except NothingFound:
                absent.append(result.case_id)
    finally:
        if own:
            store.close()
    return logged, absent
