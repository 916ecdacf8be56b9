"""Consents recorded on a case, and the check before a referral shares data.

Kinds (the consent form's separate consents): assistance, data_sharing (with named
recipients and named pieces of information), medical, photographs. Each record says
when it was given and, later, when it was withdrawn; a withdrawal never deletes the
record. Consent to share goes recipient by recipient.

A referral may share only what the person agreed to share with that recipient
(IOM Data Protection Principle 5: transfer to third parties with explicit consent;
Primero validates consent before a referral and stores an override on the transition:
docs_anchors.md §3). `check_referral` raises ConsentMissing naming the recipients and
pieces of information without consent, unless an override reason is given: the
override is then recorded on the case (with the reason) and in the audit trail (without
it: the reason is free text and may name people).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.records import audit
from clinic.records.casestore import CaseStore, today

KINDS = (
    "assistance",
    "data_sharing",
    "medical",
    "photographs",
    "hiv_sti_test",
    "legal_proceedings",
)
ALL_ITEMS = "all"
FROM_FILE = "case file"

# The consent form's yes/no answers (forms/consent.yaml `consents.*`) -> kinds.
_CONSENT_FORM = {
    "assistance": "assistance",
    "medical_examination": "medical",
    "photographs": "photographs",
    "hiv_sti_test": "hiv_sti_test",
    "legal_proceedings": "legal_proceedings",
}


class ConsentMissing(ClinicError):
    """A referral would share data the person did not consent to share."""


@dataclass
class ReferralCheck:
    case_id: str
    recipients: list[str]
    items: list[str]
    missing: dict[str, list[str]] = field(default_factory=dict)  # recipient -> items
    overridden: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing


def key(text: str) -> str:
    """How recipients and items are compared: case, spaces, '-' and '_' do not matter."""
    return re.sub(r"[\s_-]+", " ", text.strip().casefold())


def _kind(kind: str) -> str:
    found = re.sub(r"[\s-]+", "_", kind.strip().casefold())
    if found in ("data", "sharing", "share"):
        found = "data_sharing"
    if found not in KINDS:
        raise ClinicError(f"unknown consent '{kind}' (known: {', '.join(KINDS)})", field="consent")
    return found


def _names(values: Iterable[str], what: str) -> list[str]:
    result: list[str] = []
    for value in values:
        for part in value.split(","):
            part = " ".join(part.split())
            if not part:
                continue
            if len(part) > 80 or re.search(r"[\x00-\x1f{}]", part):
                raise ClinicError(f"{what}: at most 80 printable characters each", field=what)
            if key(part) not in {key(r) for r in result}:
                result.append(part)
    return result


def stated_in(
    form: str, values: Mapping[str, Any], *, by: str | None = None, at: str | None = None
) -> list[dict[str, Any]]:
    """The consents a case file states: the consent form's answers, or a referral's
    consent section (the information the person agreed to share, with whom)."""
    records: list[dict[str, Any]] = []

    def add(kind: str, given_on: Any, recipient: str = "", items: Sequence[str] = ()) -> None:
        record: dict[str, Any] = {
            "kind": kind,
            "items": list(items),
            "given_on": str(given_on or today().isoformat()),
            "recorded": at or audit.now(),
            "by": by or audit.who(),
            "withdrawn_on": None,
            "source": FROM_FILE,
        }
        if recipient:
            record["recipient"] = recipient
        records.append(record)

    if form == "consent":
        answers = values.get("consents") or {}
        signed = values.get("signed_on")
        for field_name, kind in _CONSENT_FORM.items():
            if answers.get(field_name) is True:
                add(kind, signed)
        if answers.get("data_sharing") is True:
            for recipient in _names(answers.get("data_recipients") or [], "recipient"):
                add("data_sharing", signed, recipient, [ALL_ITEMS])
    elif form == "referral":
        section = values.get("consent") or {}
        if section.get("given") is True:
            given_on = section.get("given_on") or values.get("referred_on")
            items = [str(i) for i in section.get("information") or []]
            for recipient in _names(section.get("recipients") or [], "recipient"):
                add("data_sharing", given_on, recipient, items)
    return records


def merge_stated(
    existing: Sequence[Mapping[str, Any]], stated: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add the stated consents not recorded yet (a withdrawal is never undone)."""

    def same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        def identity(c: Mapping[str, Any]) -> tuple[Any, ...]:
            recipient = key(str(c.get("recipient", "")))
            return (c.get("kind"), recipient, sorted(c.get("items", [])), c.get("given_on"))

        return identity(a) == identity(b)

    result = [dict(c) for c in existing]
    for record in stated:
        if not any(same(record, old) for old in result):
            result.append(record)
    return result


def referral_request(values: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """What a referral case shares, and with whom: (recipients, items). The receiving
    organisation gets the information listed in the consent section."""
    receiving = (values.get("receiving") or {}).get("organisation")
    items = [str(i) for i in (values.get("consent") or {}).get("information") or []]
    return ([str(receiving)] if receiving else []), items


def active(
    consents: Sequence[Mapping[str, Any]], kind: str, on: dt.date | None = None
) -> list[Mapping[str, Any]]:
    """The consents of a kind in force on a date (given by then, not withdrawn by then)."""
    on_text = (on or today()).isoformat()
    return [
        c
        for c in consents
        if c.get("kind") == kind
        and c.get("given_on", "") <= on_text
        and not (c.get("withdrawn_on") and c["withdrawn_on"] <= on_text)
    ]


def give(
    store: CaseStore,
    case_id: str,
    kind: str,
    *,
    recipients: Sequence[str] = (),
    items: Sequence[str] = (),
    given_on: dt.date | None = None,
    by: str | None = None,
) -> list[dict[str, Any]]:
    """Record consent(s). data_sharing needs at least one recipient (one record each)
    and the pieces of information (or 'all')."""
    kind = _kind(kind)
    names = _names(recipients, "recipient")
    pieces = _names(items, "items")
    if kind == "data_sharing":
        if not names:
            raise ClinicError(
                "consent to share data names its recipient(s) (--recipient)", field="recipient"
            )
        if not pieces:
            raise ClinicError(
                "consent to share data names what may be shared (--items, or --items all)",
                field="items",
            )
    elif names or pieces:
        raise ClinicError("only data_sharing takes recipients and items", field="consent")
    doc = store.get(case_id)
    when = (given_on or today()).isoformat()
    now = audit.now()
    user = by or audit.who()
    records: list[dict[str, Any]] = []
    for name in names or [""]:
        record: dict[str, Any] = {
            "kind": kind,
            "recipient": name,
            "items": pieces,
            "given_on": when,
            "recorded": now,
            "by": user,
            "withdrawn_on": None,
        }
        if not name:
            del record["recipient"]
        records.append(record)
    store.change(
        case_id,
        "consent",
        {"consents": [*doc.get("consents", []), *records]},
        {"kind": kind, "recipients": len(names) or None, "items": pieces or None},
        by=user,
    )
    return records


def withdraw(
    store: CaseStore,
    case_id: str,
    kind: str,
    *,
    recipients: Sequence[str] = (),
    on: dt.date | None = None,
    by: str | None = None,
) -> int:
    """Withdraw consent(s) of a kind (for some recipients, or all). Returns how many."""
    kind = _kind(kind)
    names = {key(n) for n in _names(recipients, "recipient")}
    doc = store.get(case_id)
    when = (on or today()).isoformat()
    consents = [dict(c) for c in doc.get("consents", [])]
    changed = 0
    for consent in consents:
        if consent.get("kind") != kind or consent.get("withdrawn_on"):
            continue
        if names and key(str(consent.get("recipient", ""))) not in names:
            continue
        consent["withdrawn_on"] = when
        consent["withdrawn_recorded"] = audit.now()
        changed += 1
    if not changed:
        raise ClinicError(
            f"no {kind} consent in force to withdraw" + (" for that recipient" if names else ""),
            field="consent",
        )
    store.change(
        case_id,
        "consent-withdrawn",
        {"consents": consents},
        {"kind": kind, "recipients": len(names) or None},
        by=by,
    )
    return changed


def evaluate(
    consents: Sequence[Mapping[str, Any]],
    recipients: Sequence[str],
    items: Sequence[str],
    on: dt.date | None = None,
) -> dict[str, list[str]]:
    """recipient -> the items without consent (empty when all is consented)."""
    sharing = active(consents, "data_sharing", on)
    missing: dict[str, list[str]] = {}
    for recipient in recipients:
        allowed: set[str] = set()
        for consent in sharing:
            if key(str(consent.get("recipient", ""))) == key(recipient):
                allowed |= {key(i) for i in consent.get("items", [])}
        lacking = (
            list(items)
            if not allowed
            else [i for i in items if ALL_ITEMS not in allowed and key(i) not in allowed]
        )
        if lacking or not allowed:
            missing[recipient] = lacking or ["anything"]
    return missing


def _case_values(case: Any) -> tuple[str | None, Mapping[str, Any] | None]:
    """(form, values) of a clinic.forms Case, a NewCase or a case document; (None, None)
    for a bare case id."""
    if isinstance(case, str):
        return None, None
    if isinstance(case, Mapping):
        values = case.get("values", case)
        return str(case.get("form") or ""), values if isinstance(values, Mapping) else None
    form = getattr(case, "form", None)
    values = getattr(case, "values", None)
    if isinstance(values, Mapping):
        return str(form), values
    if form is not None and hasattr(form, "fields"):  # a checked clinic.forms Case
        from clinic.records.values import plain_values

        return str(form.name), plain_values(case)
    return None, None


_ITEM = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,30}")


def _shown_recipient(who: str, consents: Sequence[Mapping[str, Any]]) -> str:
    """A recipient as an error message may name it: only as the case's own consent
    record spells it (an organisation the person named); anything else may be free
    text naming a person, so it is not echoed."""
    for record in consents:
        recorded = str(record.get("recipient") or "")
        if record.get("kind") == "data_sharing" and recorded and key(recorded) == key(who):
            return f"'{recorded}'"
    return "a recipient not in the consent record"


def _shown_item(item: str) -> str:
    """An item of information: a choice value (one word) is shown, free text is not."""
    return item if _ITEM.fullmatch(item) else "another item"


def _source_of(case: Any) -> Path | None:
    for name in ("source", "path"):
        found = getattr(case, name, None)
        if isinstance(found, (str, Path)) and str(found):
            return Path(found)
    return None


def check_referral(
    case: Any,
    recipients: Iterable[str] | None = None,
    shared_items: Iterable[str] | None = None,
    override_reason: str | None = None,
    *,
    store: CaseStore | None = None,
    home: Path | None = None,
    passphrase: str | None = None,
    by: str | None = None,
    on: dt.date | None = None,
) -> ReferralCheck:
    """Before a referral is produced: may these items go to these recipients?

    `case` is a case id, or a checked case (a clinic.forms Case, a NewCase, a case
    document): then the recipients and items default to what the referral shares
    (`referral_request`: the receiving organisation, the information listed).
    The consents are those recorded in the store for the case id; a case that is not
    in the store is judged by the consent its own file states. Raises ConsentMissing
    naming the recipients and items without consent (never a personal value), unless
    `override_reason` is given: then the override is recorded on the case (with the
    reason) and in the audit trail (without it), and the check says `overridden`."""
    if isinstance(case, Mapping):
        case_id = str(case.get("case_id") or (case.get("values") or {}).get("case_id"))
    else:
        case_id = str(getattr(case, "case_id", case))
    form, values = _case_values(case)
    if values is not None and (recipients is None or shared_items is None):
        default_recipients, default_items = referral_request(values)
        recipients = default_recipients if recipients is None else recipients
        shared_items = default_items if shared_items is None else shared_items
    names = _names(recipients or [], "recipient")
    pieces = _names(shared_items or [], "items")
    if not names:
        raise ClinicError("a referral names its recipient(s)", field="recipient")
    own = store is None
    store = store or CaseStore(home, passphrase=passphrase)
    try:
        in_store = store.exists(case_id)
        consents: Sequence[Mapping[str, Any]]
        if in_store:
            consents = store.get(case_id).get("consents", [])
            source = ""
        elif values is not None:
            consents = stated_in(form or "", values)
            source = " (judged by the case file: the case is not in the case store)"
        else:
            consents = []
            source = " (the case is not in the case store)"
        missing = evaluate(consents, names, pieces, on)
        result = ReferralCheck(case_id, names, pieces, missing)
        if not missing:
            return result
        if not override_reason or not override_reason.strip():
            detail = "; ".join(
                f"{_shown_recipient(who, consents)}: {', '.join(_shown_item(i) for i in what)}"
                for who, what in missing.items()
            )
            raise ConsentMissing(
                f"no consent to share{source}: {detail}. Record the consent with 'clinic "
                "case consent ID --give data_sharing --recipient NAME --items ...', or give "
                "--override REASON (it is logged)",
                path=_source_of(case),
                field="consent",
            )
        result.overridden = True
        facts = {
            "recipients": len(names),
            "items": sorted({i for v in missing.values() for i in v}),
            "note": "yes",
        }
        if in_store:
            doc = store.get(case_id)
            record = {
                "at": audit.now(),
                "by": by or audit.who(),
                "recipients": names,
                "items": pieces,
                "missing": missing,
                "reason": override_reason.strip(),
            }
            store.change(
                case_id,
                "consent-override",
                {"overrides": [*doc.get("overrides", []), record]},
                facts,
                by=by,
            )
        else:
            store.log_only("consent-override", case_id, {**facts, "in_store": "no"}, by=by)
        return result
    finally:
        if own:
            store.close()


def referral_refusals(
    files: Iterable[str | Path],
    override_reason: str | None = None,
    *,
    store: CaseStore | None = None,
    home: Path | None = None,
    passphrase: str | None = None,
) -> dict[Path, ClinicError]:
    """For `clinic fill referral`: the case files whose referral must not be produced,
    each with its error (naming the file, the recipients and the items; never a value).
    Files that do not pass `case check` are left to fill, which reports them. With an
    override reason nothing is refused, and each override is logged."""
    from clinic.forms.casefile import check_case

    own = store is None
    store = store or CaseStore(home, passphrase=passphrase)
    refused: dict[Path, ClinicError] = {}
    try:
        for file in files:
            path = Path(file)
            checked = check_case(path)
            if checked.case is None:
                continue
            try:
                check_referral(checked.case, override_reason=override_reason, store=store)
            except ConsentMissing as error:
                refused[path] = ConsentMissing(error.message, path=path, field="consent")
    finally:
        if own:
            store.close()
    return refused
