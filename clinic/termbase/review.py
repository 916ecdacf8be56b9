"""The review workflow: sheets for certified interpreters, and their corrections back.

Reviewers are interpreters, not programmers, so a sheet is a CSV or Word table with one
row per draft term and plain columns to fill: a correction, "approved", a comment.
Applying a sheet marks those terms reviewed by the named person on that date. It is
safe to apply a sheet twice or to a newer termbase: a row is matched by concept id,
language and the draft text it showed; a row whose draft was already corrected the same
way changes nothing; a row whose term changed meanwhile is reported as a conflict and
left alone. A corrected text keeps the draft it replaced under extra.previous_texts.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError, ValidationError
from clinic.termbase.model import STATUSES, Concept, Term, preferred
from clinic.text import normalize

COLUMNS = {
    "id": "concept id",
    "english": "English",
    "definition": "definition",
    "lang": "language",
    "draft": "draft term",
    "status": "status",
    "drafter_note": "drafter's note",
    "correction": "your correction (leave empty if the draft is right)",
    "approved": "approved (yes/no)",
    "comment": "comment",
}
# 'approved' as reviewers write it, in the languages of the sheets
YES = {
    "yes",
    "y",
    "ok",
    "x",
    "true",
    "1",
    "approved",
    "ใช่",
    "ครับ",
    "ค่ะ",
    "có",
    "ဟုတ်",
    "ဟုတ်ကဲ့",
    "បាទ",
    "ចាស",
    "ແມ່ນ",
    "ແມ່ນແລ້ວ",
}
NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่", "không", "မဟုတ်", "ទេ", "ບໍ່", "ບໍ່ແມ່ນ"}


def sheet_rows(concepts: list[Concept], lang: str) -> list[dict[str, str]]:
    """One row per draft term of lang, in concept order."""
    rows = []
    for concept in concepts:
        english = preferred(concept, "en")
        for term in concept["terms"].get(lang, []):
            if term.get("review") == "reviewed":
                continue
            note = term.get("note", "")
            if term.get("confidence"):
                note = f"confidence {term['confidence']}" + (f"; {note}" if note else "")
            rows.append(
                {
                    "id": concept["id"],
                    "english": english["text"] if english else "",
                    "definition": (concept.get("definition") or {}).get("text", ""),
                    "lang": lang,
                    "draft": term["text"],
                    "status": term.get("status", "preferred"),
                    "drafter_note": note,
                    "correction": "",
                    "approved": "",
                    "comment": "",
                }
            )
    return rows


def write_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS.values())
    for row in rows:
        writer.writerow(row[key] for key in COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet apps need it


def write_docx(rows: list[dict[str, str]], lang: str, title: str) -> bytes:
    """A Word review sheet: landscape, the header row repeated on every page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from clinic.termbase.fonts import set_run_font

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(title, level=1)
    document.add_paragraph(
        "Write your correction in the correction column (leave it empty when the draft is "
        "right) and 'yes' under approved for every term you checked. Do not change the "
        "first and fifth columns: they identify the term."
    )
    keys = list(COLUMNS)
    table = document.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, key in zip(header.cells, keys):
        run = cell.paragraphs[0].add_run(COLUMNS[key])
        run.bold = True
        run.font.size = Pt(9)
    for row in rows:
        cells = table.add_row().cells
        for cell, key in zip(cells, keys):
            run = cell.paragraphs[0].add_run(row[key])
            run.font.size = Pt(9)
            set_run_font(run, lang if key in ("draft", "correction") else "en")
    document.core_properties.created = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_sheet(path: Path) -> list[dict[str, Any]]:
    """Rows of a filled sheet (.csv or .docx), each with its line/row number."""
    if path.suffix.lower() == ".docx":
        return _read_docx(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError("no such file", path=path) from None
    except UnicodeDecodeError:
        raise ValidationError(
            "is not UTF-8 text (save the sheet as CSV UTF-8)", path=path
        ) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        rows = [dict(zip(header or [], values)) for values in reader]
    except csv.Error as error:
        raise ValidationError(
            f"not a readable CSV sheet ({error})", path=path, line=reader.line_num
        ) from None
    return _keyed(header or [], rows, path, first_line=2)


def _read_docx(path: Path) -> list[dict[str, Any]]:
    from docx import Document

    try:
        document = Document(str(path))
    except Exception:
        raise ValidationError("is not a Word review sheet", path=path) from None
    for table in document.tables:
        if not table.rows:
            continue
        header = [c.text.strip() for c in table.rows[0].cells]
        if COLUMNS["id"] in header:
            rows = [dict(zip(header, (c.text.strip() for c in r.cells))) for r in table.rows[1:]]
            return _keyed(header, rows, path, first_line=2)
    raise ValidationError("no review table found", path=path)


def _keyed(
    header: list[str], rows: list[dict[str, str]], path: Path, first_line: int
) -> list[dict[str, Any]]:
    for key in ("id", "lang", "draft", "correction", "approved"):
        if COLUMNS[key] not in header:
            raise ValidationError(f"missing column '{COLUMNS[key]}'", path=path, line=1)
    by_label = {label: key for key, label in COLUMNS.items()}
    out = []
    for n, row in enumerate(rows, start=first_line):
        item: dict[str, Any] = {
            by_label[k]: (v or "").strip() for k, v in row.items() if k in by_label
        }
        item["line"] = n
        out.append(item)
    return out


@dataclass
class ApplyReport:
    corrected: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    commented: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_approved: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.__dict__.items()}

    def summary(self) -> str:
        lines = [f"conflict: {c}" for c in self.conflicts]
        lines += [f"unclear 'approved' value, row skipped: {c}" for c in self.unclear]
        lines += [f"corrected: {c}" for c in self.corrected]
        lines += [f"status changed: {c}" for c in self.status_changed]
        lines.append(
            f"{len(self.corrected)} corrected, {len(self.approved)} approved as drafted, "
            f"{len(self.status_changed)} status change(s), {len(self.commented)} comment(s) "
            f"kept, {len(self.unchanged)} already applied, {len(self.not_approved)} not "
            f"approved, {len(self.unclear)} unclear, {len(self.conflicts)} conflict(s)"
        )
        return "\n".join(lines)


def _answer(value: str) -> bool | None:
    """True for yes, False for no, None for empty; ValueError when it is unclear."""
    raw = value.strip()
    if not raw:
        return None
    if raw in ("✓", "✔"):
        return True
    if raw in ("✗", "✘"):
        return False
    word = "".join(
        ch for ch in raw.casefold() if ch.isalnum() or unicodedata.category(ch).startswith("M")
    )
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(value)


def _correction_problem(text: str, lang: str, terms: list[Term], current: Term) -> str | None:
    """Why a correction cannot be taken as a term of lang (None when it can)."""
    from clinic.text import LANGUAGE_SCRIPTS, scripts_in, search_key

    if not search_key(text) or any(ch in text for ch in "\u200b\u200c\u200d\ufeff"):
        return "the correction is empty or holds invisible characters"
    script = LANGUAGE_SCRIPTS.get(lang)
    found = scripts_in(text)
    if script and script != "Latin" and (script not in found or found - {script}):
        return f"the correction is not written in {script} script"
    if script == "Latin" and found - {"Latin"}:
        return "the correction is not written in Latin script"
    if any(t is not current and t["text"] == text for t in terms):
        return "the correction is already another term of this concept"
    return None


def apply_rows(
    concepts: dict[str, Concept],
    rows: list[dict[str, Any]],
    *,
    reviewer: str,
    on: dt.date,
    sheet: Path,
) -> tuple[list[Concept], ApplyReport]:
    """The concepts changed by a filled sheet, and what happened row by row.

    Every comment is kept (in the term's note); a row counts as reviewed when it is
    approved or carries a correction; a row already applied changes nothing, whoever
    applies it again."""
    if not reviewer.strip():
        raise ClinicError("give the reviewer's name", field="--by")
    report = ApplyReport()
    changed: dict[str, Concept] = {}
    for row in rows:
        where = f"{sheet.name}:{row['line']}"
        label = f"{where} {row.get('id')} {row.get('lang')}"
        correction = normalize(row.get("correction", "")).strip()
        comment = row.get("comment", "").strip()
        try:
            approved = _answer(row.get("approved", ""))
        except ValueError:
            report.unclear.append(label)
            continue
        if not correction and not approved and not comment:
            if approved is False:
                report.not_approved.append(label)
            continue
        cid, lang = row.get("id", ""), row.get("lang", "")
        draft = normalize(row.get("draft", ""))
        concept = changed.get(cid) or copy.deepcopy(concepts.get(cid))
        if concept is None:
            report.conflicts.append(f"{label}: the concept no longer exists")
            continue
        terms = concept["terms"].get(lang, [])
        term = next((t for t in terms if t["text"] == draft), None)
        if term is None and correction:
            term = next((t for t in terms if t["text"] == correction), None)
        if term is None:
            report.conflicts.append(f"{label}: the draft term changed since the sheet was made")
            continue
        note = f"Reviewer ({reviewer.strip()}): {comment}" if comment else ""
        status = row.get("status", "")
        new_status = status if status in STATUSES and status != term.get("status") else None
        new_text = correction if correction and correction != term["text"] else None
        review_it = bool(correction) or approved is True
        if (
            not new_text
            and not new_status
            and (not note or comment in term.get("note", ""))
            and (not review_it or term.get("review") == "reviewed")
        ):
            report.unchanged.append(label)
            continue
        if new_text:
            problem = _correction_problem(new_text, lang, terms, term)
            if problem:
                report.conflicts.append(f"{label}: {problem}")
                continue
            extra = term.setdefault("extra", {})
            extra["previous_texts"] = [*extra.get("previous_texts", []), term["text"]]
            term["text"] = new_text
            term.pop("roman", None)  # recomputed for the corrected text
            term.pop("roman_auto", None)
            report.corrected.append(f"{label}: {draft} -> {new_text}")
        if new_status:
            report.status_changed.append(f"{label}: {term.get('status')} -> {new_status}")
            term["status"] = new_status
        if note and comment not in term.get("note", ""):
            term["note"] = f"{term.get('note', '')} {note}".strip()
            if approved is None and not review_it:
                report.commented.append(label)
        if review_it:
            if not new_text and not new_status and approved:
                report.approved.append(label)
            term["review"] = "reviewed"
            term["reviewed_by"] = reviewer.strip()
            term["reviewed_on"] = on.isoformat()
        elif approved is False:
            report.not_approved.append(label)
        changed[cid] = concept
    return list(changed.values()), report
