"""Checking, backing up and restoring the case store.

A backup is one tar file: the snapshot and the journal as they are on disk (encrypted
when the store is), taken under the writers' lock so that they match, and a manifest
with their SHA-256. It is checked by opening it before it is kept, and again before a
restore. A restore never destroys what it replaces: the current files are moved aside
into DATA/cases/replaced-TIME/ first.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError, NothingFound, StoreDamaged
from clinic.records import audit
from clinic.records.casestore import CASES, VERSIONS, CaseStore
from clinic.records.files import owner_only, private_folder, sha256_bytes
from clinic.store import atomic_write_bytes, fsync_directory, locked

MANIFEST = "MANIFEST.json"
MEMBERS = ("cases.json", "cases.journal")


@dataclass
class CheckResult:
    cases: int = 0
    purged: int = 0
    versions: int = 0
    audit_entries: int = 0
    journal_records: int = 0
    encrypted: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


def check(store: CaseStore) -> CheckResult:
    """Read everything and check it: the journal and snapshot (checksums, sequence,
    format), the audit chain, the documents' fields, and the index. Damage raises
    StoreDamaged (nothing is written); softer findings go in `problems`/`notes`."""
    if not store.storage.exists():
        raise NothingFound("there is no case store yet")
    result = CheckResult()
    result.encrypted = store.storage.encrypted
    store.storage.forget()  # read everything from disk again, whatever is in memory
    docs = store.all_cases()  # the full load verifies every line and the snapshot
    load = store.storage.report
    result.journal_records = load.records
    if load.committed_seq is None:
        result.notes.append(
            "no record of the last saved change yet (cases.committed): a journal cut "
            "short cannot be recognised until the next change writes one"
        )
    if load.torn_tail:
        result.notes.append(
            f"the journal's last record ({load.torn_bytes} bytes) was cut short by a crash; "
            "it was never reported as saved and is ignored (the next change removes it)"
        )
    elif load.needs_repair:
        result.notes.append(f"{load.needs_repair}: the next change tidies it up")
    for doc in docs:
        if doc.get("purged"):
            result.purged += 1
            continue
        result.cases += 1
        for key in ("case_id", "form", "status", "values", "version"):
            if key not in doc:
                result.problems.append(f"a case document lacks '{key}'")
                break
    result.versions = len(store.db.table(VERSIONS).all())
    entries = store.audit_entries()
    result.audit_entries = len(entries)
    count, problem, head = audit.verify(entries)
    if problem:
        result.problems.append(f"audit trail: {problem}")
    else:
        stored_head = store.storage.current_meta().get(audit.HEAD_KEY, audit.GENESIS)
        if entries and stored_head != head:
            result.problems.append(
                "audit trail: its last entry is not the one the journal "
                "names (entries were removed)"
            )
    ids = [d.get("case_id") for d in docs if not d.get("purged")]
    if len(ids) != len(set(ids)):
        result.problems.append("two case documents share a case id")
    index_sig = store.index.signature()
    if index_sig is None:
        result.notes.append("no index yet: it is built on the next read")
    elif index_sig != store._signature():
        result.notes.append("the index is out of date: it is rebuilt on the next read")
    else:
        indexed = store.index.count()
        if indexed != result.cases:
            result.problems.append(
                f"the index lists {indexed} cases, the store {result.cases}"
                " (delete cases.index.sqlite to rebuild it)"
            )
    return result


def _timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _backup_folder(folder: Path) -> Path:
    """The backup folder, created owner-only; a clear error when it cannot be."""
    try:
        private_folder(folder)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClinicError(
            f"cannot use this folder for the backup ({reason}); choose another with --to",
            path=folder,
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ClinicError(
            "cannot write a backup into this folder (no permission); choose another with --to",
            path=folder,
        )
    return folder


def backup(store: CaseStore, destination: Path | None = None) -> Path:
    """Copy the store into a checked tar file (0600). Returns its path."""
    if not store.storage.exists():
        raise NothingFound("there is no case store yet")
    folder = _backup_folder(destination or store.home / "backups")
    target = folder / f"cases-{_timestamp()}.tar"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"cases-{_timestamp()}-{number}.tar"
    with store.storage.transaction(compact=False) as tx:
        store.storage.load_locked()  # refuses a damaged store: a backup must open
        contents = {name: (store.folder / name).read_bytes() for name in MEMBERS}
        manifest = {
            "clinic_backup": 1,
            "created": audit.now(),
            "seq": tx.tail.seq,
            "encrypted": store.storage.encrypted,
            "cases": len([d for d in store.db.table(CASES).all() if not d.get("purged")]),
            "files": {name: sha256_bytes(data) for name, data in contents.items()},
        }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in [*contents.items(), (MANIFEST, json.dumps(manifest, indent=1).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
    with owner_only():
        atomic_write_bytes(target, buffer.getvalue())
    _open_backup(target, store)  # check what was written opens
    store.log_only("backup", None, {"files": len(MEMBERS)})
    return target


def _read_backup(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        with tarfile.open(path, mode="r") as tar:
            found: dict[str, bytes] = {}
            for member in tar.getmembers():
                if member.name not in (*MEMBERS, MANIFEST) or not member.isfile():
                    raise ClinicError(f"unexpected entry '{member.name}' in the backup", path=path)
                handle = tar.extractfile(member)
                assert handle is not None
                found[member.name] = handle.read()
    except (tarfile.TarError, OSError, EOFError):
        raise StoreDamaged("not a readable clinic backup (tar file)", path=path) from None
    if MANIFEST not in found or any(name not in found for name in MEMBERS):
        raise StoreDamaged("the backup lacks some of its files", path=path)
    try:
        manifest = json.loads(found.pop(MANIFEST))
    except ValueError:
        raise StoreDamaged("the backup's manifest is damaged", path=path) from None
    for name, data in found.items():
        if manifest.get("files", {}).get(name) != sha256_bytes(data):
            raise StoreDamaged(f"the backup's {name} does not match its checksum", path=path)
    return manifest, found


def _open_backup(path: Path, like: CaseStore) -> tuple[dict[str, Any], dict[str, bytes], int]:
    """Unpack into a private temporary folder and load it completely."""
    manifest, files = _read_backup(path)
    with owner_only(), tempfile.TemporaryDirectory(prefix=".restore-", dir=like.home) as tmp:
        folder = Path(tmp) / "cases"
        folder.mkdir(mode=0o700)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        probe = CaseStore(Path(tmp), passphrase=like.storage.passphrase, settings=like.settings)
        try:
            count = len([d for d in probe.all_cases() if not d.get("purged")])
        finally:
            probe.close()
    return manifest, files, count


def restore(store: CaseStore, source: Path) -> tuple[int, Path | None]:
    """Replace the store with a backup. Returns (cases restored, where the replaced files
    were moved)."""
    source = Path(source)
    if not source.is_file():
        raise ClinicError("no such backup file", path=source)
    manifest, files, count = _open_backup(source, store)
    private_folder(store.folder)
    moved_to: Path | None = None
    # The plain lock, not a transaction: a damaged store must be replaceable.
    with owner_only(), locked(store.path):
        present = [
            name for name in (*MEMBERS, "cases.index.sqlite") if (store.folder / name).exists()
        ]
        if present:
            moved_to = private_folder(store.folder / f"replaced-{_timestamp()}")
            for name in present:
                os.replace(store.folder / name, moved_to / name)
            fsync_directory(store.folder)
        # The marker of what was saved belongs to the replaced journal; the next
        # change (the audit entry below) writes one for the restored journal.
        store.storage.forget_committed()
        for name, data in files.items():
            atomic_write_bytes(store.folder / name, data)
        store.storage.forget()
        store.index.close()
    store.rebuild_index()
    store.log_only("restore", None, {"seq": manifest.get("seq")})
    return count, moved_to
