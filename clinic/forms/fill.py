"""Filling a form's templates for many cases: validation, rendering, safe writing, the
documents log, and (optionally) PDF.

- One bad case never stops the others: each case ends as a CaseResult, ok or not.
- Output files are named from a slug of the case id, the form and the template, never
  from raw input, and are never overwritten without `force`; a case whose outputs
  exist writes nothing at all. Two cases of one run with the same case id are refused.
- Every file written is recorded in paths.home()/documents.jsonl (form, template and
  its SHA-256, output and its SHA-256, time, user, case id), appended under a lock.
  The log holds no personal data: no names, no document numbers, no paths.
- `jobs` > 1 fills cases in worker processes (docxtpl is CPU-bound); workers are
  replaced after a number of cases, since docxtpl's memory grows with every document.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic import paths, yamlio
from clinic.exceptions import ClinicError, ValidationErrors
from clinic.forms.casefile import check_case
from clinic.forms.definitions import FormDefinition, get_form
from clinic.store import atomic_create_bytes, atomic_write_bytes, locked

LOG_NAME = "documents.jsonl"
CASES_PER_WORKER = 100
MAX_SLUG = 64


@dataclass
class Written:
    """One file written for a case."""

    template: str
    path: Path
    sha256: str
    kind: str = "docx"

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "file": str(self.path),
            "sha256": self.sha256,
            "kind": self.kind,
        }


@dataclass
class CaseResult:
    source: Path
    case_id: str | None = None
    documents: list[Written] = field(default_factory=list)
    errors: list[ClinicError] = field(default_factory=list)
    warnings: list[ClinicError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # templates whose `when` is false

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.source),
            "case_id": self.case_id,
            "ok": self.ok,
            "documents": [d.to_json() for d in self.documents],
            "skipped_templates": self.skipped,
            "errors": [error_json(e) for e in self.errors],
            "warnings": [error_json(w) for w in self.warnings],
        }


@dataclass
class FillReport:
    form: str
    out_dir: Path
    results: list[CaseResult]

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]

    @property
    def documents(self) -> list[Written]:
        return [d for r in self.results for d in r.documents]

    def to_json(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "output_folder": str(self.out_dir),
            "cases": len(self.results),
            "failed": len(self.failed),
            "documents": len(self.documents),
            "results": [r.to_json() for r in self.results],
        }


def error_json(error: ClinicError) -> dict[str, Any]:
    return {
        "file": error.path,
        "line": error.line,
        "column": error.column,
        "field": error.field,
        "message": error.message,
    }


# --- names --------------------------------------------------------------------------


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """A file-name-safe form of text: ASCII letters, digits, '.', '_' and '-' only,
    no leading dots or dashes, no '..' (so never a path). Empty input gives 'case'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("-._")
    return cleaned[:limit].rstrip("-._") or "case"


def output_name(case_id: str, form: str, template: str, suffix: str = ".docx") -> str:
    return f"{slug(case_id)}_{slug(form)}_{slug(template)}{suffix}"


def output_path(
    out_dir: Path, case_id: str, form: str, template: str, suffix: str = ".docx"
) -> Path:
    path = out_dir / output_name(case_id, form, template, suffix)
    if path.parent != out_dir:  # pragma: no cover - slug() cannot produce a separator
        raise ClinicError("unsafe output name", path=out_dir)
    return path


# --- writing ------------------------------------------------------------------------


def write_new(path: Path, data: bytes, force: bool = False) -> None:
    """Write a file atomically; without force, never replace an existing one."""
    if force:
        atomic_write_bytes(path, data)
    else:
        atomic_create_bytes(path, data)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def log_documents(entries: Sequence[dict[str, Any]], home: Path | None = None) -> None:
    """Append entries to the documents log, under its lock, durably."""
    if not entries:
        return
    log = (home or paths.home()) / LOG_NAME
    lines = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries)
    with locked(log):
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def _log_entry(
    form: FormDefinition,
    template: str,
    template_file: str,
    template_sha: str,
    written: Written,
    case_id: str,
    now: str,
    user: str,
) -> dict[str, Any]:
    return {
        "time": now,
        "user": user,
        "form": form.name,
        "form_version": form.version,
        "template": template,
        "template_file": template_file,
        "template_sha256": template_sha,
        "kind": written.kind,
        "output": written.path.name,
        "output_sha256": written.sha256,
        "case_id": case_id,
    }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- one case -----------------------------------------------------------------------


def _errors_of(error: ClinicError) -> list[ClinicError]:
    return list(error.errors) if isinstance(error, ValidationErrors) else [error]


def _holds(condition: str, form: FormDefinition, template: str, context: Any) -> bool:
    from clinic.forms.expressions import evaluate

    try:
        return bool(evaluate(condition, context))
    except Exception as error:  # a definition mistake, not the case's
        raise ClinicError(
            f"the condition of template '{template}' could not be evaluated "
            f"({type(error).__name__}); check the form definition",
            path=form.source,
        ) from None


def fill_case(
    form: FormDefinition,
    source: Path,
    out_dir: Path,
    force: bool = False,
    log: bool = True,
    pdf: bool = False,
) -> CaseResult:
    """Validate one case file and write its documents. Never raises for the case's own
    mistakes: they end up in the result. `pdf`: the PDFs to come count as outputs too
    (none may exist without force)."""
    from clinic.forms import render

    result = CaseResult(source)
    checked = check_case(source, form)
    result.warnings = checked.warnings
    if checked.case is None:
        result.errors = checked.errors
        return result
    case = checked.case
    result.case_id = case.case_id
    context = case.context()
    try:
        jobs = []
        for spec in form.templates:
            if spec.when and not _holds(spec.when, form, spec.name, context):
                result.skipped.append(spec.name)
                continue
            prepared = render.prepare(form, spec)
            target = output_path(out_dir, case.case_id, form.name, spec.name)
            jobs.append((prepared, target))
        if not force:
            targets = [target for _, target in jobs]
            if pdf:
                targets += [target.with_suffix(".pdf") for target in targets]
            existing = [target.name for target in targets if target.exists()]
            if existing:
                raise ClinicError(
                    f"{len(existing)} output file(s) already exist "
                    f"({', '.join(existing)}); use --force to replace them",
                    path=out_dir,
                )
        rendered = [
            (prepared, target, render.render(prepared, context)) for prepared, target in jobs
        ]
        now, user, entries = _now(), _user(), []
        try:
            for prepared, target, data in rendered:
                write_new(target, data, force)
                written = Written(prepared.spec.name, target, hashlib.sha256(data).hexdigest())
                result.documents.append(written)
                entries.append(
                    _log_entry(
                        form,
                        prepared.spec.name,
                        prepared.spec.file,
                        prepared.sha256,
                        written,
                        case.case_id,
                        now,
                        user,
                    )
                )
            if log:
                log_documents(entries)
        except (ClinicError, OSError) as error:
            # All of a case's documents, logged, or none of them: a half pack (a full
            # disk, a read-only folder) would look complete to whoever prints it.
            for written in result.documents:
                Path(written.path).unlink(missing_ok=True)
            result.documents.clear()
            if isinstance(error, OSError):
                raise ClinicError(
                    f"cannot write the documents ({error.strerror or type(error).__name__}); "
                    "nothing was kept for this case",
                    path=getattr(error, "filename", None) or out_dir,
                ) from None
            raise
    except ClinicError as error:
        result.errors.extend(_errors_of(error))
    return result


# --- many cases ---------------------------------------------------------------------


def _duplicate_ids(sources: Sequence[Path]) -> dict[Path, ClinicError]:
    """Case files of one run that share a case id with an earlier one (their outputs
    would overwrite each other)."""
    seen: dict[str, Path] = {}
    problems: dict[Path, ClinicError] = {}
    for source in sources:
        try:
            data = yamlio.load(source)
        except ClinicError:
            continue  # reported when the case is filled
        case_id = data.get("case_id") if isinstance(data, dict) else None
        if not isinstance(case_id, str) or not case_id:
            continue
        key = slug(case_id)
        if key in seen:
            line, column = data.where("case_id")
            problems[source] = ClinicError(
                f"the same case number as {seen[key]} in this run; each case needs its own",
                path=source,
                line=line,
                column=column,
                field="case_id",
            )
        else:
            seen[key] = source
    return problems


def _safe_fill_case(
    form: FormDefinition, source: Path, out_dir: Path, force: bool, pdf: bool
) -> CaseResult:
    """fill_case, where even an unexpected failure stays with its case (the others go
    on); CLINIC_DEBUG=1 lets it through with its traceback."""
    try:
        return fill_case(form, source, out_dir, force, pdf=pdf)
    except Exception as error:
        if os.environ.get("CLINIC_DEBUG"):
            raise
        message = (
            f"internal error ({type(error).__name__}) while filling this case; run again "
            "with CLINIC_DEBUG=1 for details, and report it"
        )
        return CaseResult(source, errors=[ClinicError(message, path=source)])


_worker_form: FormDefinition | None = None


def _worker_init(form_name: str, folder: str, home: str | None) -> None:
    global _worker_form
    if home:
        paths.set_home(home)
    if _worker_form is None or _worker_form.name != form_name:  # spawned, not forked
        _worker_form = get_form(form_name, Path(folder))


def _worker_fill(args: tuple[str, str, bool, bool]) -> CaseResult:
    source, out_dir, force, pdf = args
    assert _worker_form is not None
    return _safe_fill_case(_worker_form, Path(source), Path(out_dir), force, pdf)


def fill(
    form: str | FormDefinition,
    sources: Iterable[str | Path],
    out_dir: str | Path,
    *,
    force: bool = False,
    pdf: bool = False,
    jobs: int = 1,
    progress: Callable[[CaseResult], None] | None = None,
) -> FillReport:
    """Fill every template of a form for every case file; see the module docstring."""
    definition = get_form(form) if isinstance(form, str) else form
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ClinicError(f"cannot create the output folder ({error.strerror})", path=out) from None
    out = out.resolve()
    files = [Path(s) for s in sources]
    # Templates are checked once, up front: a template problem is not a case problem.
    # So is a missing LibreOffice, before anything is written.
    from clinic.forms import render

    if pdf:
        from clinic.forms.pdf import find_soffice

        find_soffice()

    for spec in definition.templates:
        render.prepare(definition, spec)
    duplicates = _duplicate_ids(files)
    results: list[CaseResult] = []
    todo = []
    for source in files:
        if source in duplicates:
            result = CaseResult(source, errors=[duplicates[source]])
            results.append(result)
            if progress:
                progress(result)
        else:
            todo.append(source)
    if jobs > 1 and len(todo) > 1:
        results.extend(_fill_parallel(definition, todo, out, force, pdf, jobs, progress))
    else:
        for source in todo:
            result = _safe_fill_case(definition, source, out, force, pdf)
            results.append(result)
            if progress:
                progress(result)
    order = {source: index for index, source in enumerate(files)}
    results.sort(key=lambda r: order.get(r.source, 0))
    report = FillReport(definition.name, out, results)
    if pdf:
        _add_pdfs(definition, report, force, jobs)
    return report


def _fill_parallel(
    form: FormDefinition,
    sources: Sequence[Path],
    out: Path,
    force: bool,
    pdf: bool,
    jobs: int,
    progress: Callable[[CaseResult], None] | None,
) -> list[CaseResult]:
    import multiprocessing

    global _worker_form
    _worker_form = form  # forked workers inherit it (and the checked templates)
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    home = str(paths.home())
    results = []
    with context.Pool(
        jobs,
        initializer=_worker_init,
        initargs=(form.name, str(form.source.parent), home),
        maxtasksperchild=CASES_PER_WORKER,
    ) as pool:
        tasks = [(str(s), str(out), force, pdf) for s in sources]
        for result in pool.imap_unordered(_worker_fill, tasks, chunksize=1):
            results.append(result)
            if progress:
                progress(result)
    return results


def _add_pdfs(form: FormDefinition, report: FillReport, force: bool, jobs: int) -> None:
    """Convert every document written in this run; a failure is the case's error."""
    from clinic.forms import pdf

    documents = {d.path: (r, d) for r in report.results for d in r.documents if d.kind == "docx"}
    if not documents:
        return
    soffice = pdf.find_soffice()
    converted = pdf.convert(
        list(documents), report.out_dir, soffice=soffice, jobs=jobs, force=force
    )
    now, user, entries = _now(), _user(), []
    for source, outcome in converted.items():
        result, written = documents[source]
        if isinstance(outcome, ClinicError):
            result.errors.append(outcome)
            continue
        digest = hashlib.sha256(outcome.read_bytes()).hexdigest()
        pdf_written = Written(written.template, outcome, digest, kind="pdf")
        result.documents.append(pdf_written)
        spec = form.template(written.template)
        template_sha = hashlib.sha256(spec.path.read_bytes()).hexdigest()
        entries.append(
            _log_entry(
                form,
                spec.name,
                spec.file,
                template_sha,
                pdf_written,
                result.case_id or "",
                now,
                user,
            )
        )
    log_documents(entries)
