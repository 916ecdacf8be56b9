"""A TinyDB storage that appends changes to a journal instead of rewriting the file.

Stock TinyDB serialises and rewrites the whole database on every change: one insert
into 50,000 cases costs seconds (research notes measurements.md §4), and a crash in the
middle of the in-place rewrite can leave an unreadable file (docs_anchors.md §4). Here,
through TinyDB's own extension points (a Storage and a Table class):

- `NAME.json` is the snapshot: a TinyDB JSON document, readable by stock TinyDB, written
  only by compaction, atomically (clinic.store.atomic_write_bytes).
- `NAME.journal` holds the changes made since, one line per transaction:

      PAYLOAD <TAB> SUMMARY <LF>

  PAYLOAD is the JSON list of operations (put / set / delete / truncate / drop), or,
  in an encrypted store, the same sealed with AES-GCM and base64-encoded. SUMMARY is a
  small JSON object: sequence number, payload length and SHA-256, the next document id
  of each table, and `meta` (opaque state a caller keeps with each transaction). The
  first line is a header (empty payload) naming the snapshot it continues: its
  sequence number, SHA-256, size and inode, and the encryption header if any.
- A transaction is one line, written with one write() and fsync'd before commit()
  returns: once a caller has been told "saved", the change survives a crash.
- Opening replays the journal over the snapshot. A last line cut short by a crash (no
  line feed) was never reported as saved: it is ignored when reading; a writer moves
  its bytes to a side file (NAME.journal.torn-TIME, owner-only) and compacts. Readers
  never write the journal or the snapshot. Anything else that does not check out (a
  line in the middle, a sequence gap, a snapshot that does not match its journal, a
  newer format) raises StoreDamaged / StoreError, and nothing is written.
- `NAME.committed` holds the last sequence number reported as saved, rewritten after
  each append has been fsync'd. A journal that ends before it (cut short, whole lines
  removed, an older copy put back by hand) lost saved changes: StoreDamaged.
- Compaction writes a new snapshot, then a new journal holding only a header. A crash
  between the two leaves a newer snapshot with the old journal, which is recognised
  (the journal's records up to the snapshot's sequence are skipped) and repaired by
  the next writer.
- Writers hold the store's lock file (clinic.store.locked). A writer that has not
  loaded the data reads only the journal's first and last lines ("tail"), so adding a
  case costs the same at 50 cases or 50,000.

Settings from the environment: CLINIC_COMPACT_BYTES (compact once the journal is this
big and bigger than the snapshot; default 32 MiB), CLINIC_LOCK_TIMEOUT (clinic.store),
and, for crash tests only, CLINIC_JOURNAL_CHUNK_BYTES (write each line in fsync'd pieces
of this size, so that a kill can cut a line short).

`JournalTable` makes TinyDB's own write methods (insert, update, upsert, remove,
truncate) produce journal operations, with TinyDB's semantics. Methods that must look
at documents (a query, a callable update) load the data first. Writes made inside a
transaction become visible to reads when it commits.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from clinic.exceptions import StoreDamaged, StoreError
from clinic.records.crypto import SealBroken, Sealer, passphrase_from_env, unlock
from clinic.records.files import owner_only, sha256_bytes
from clinic.store import FORMAT_TABLE, atomic_write_bytes, fsync_directory, locked

JOURNAL_FORMAT = 1
STATE_TABLE = "_journal"  # inside the snapshot: the sequence it holds, next ids, meta
ENCRYPTED_MAGIC = b"CLINIC-ENCRYPTED-SNAPSHOT\n"
DEFAULT_COMPACT_BYTES = 32 * 1024 * 1024
_HEADER_LIMIT = 65536  # a header line is far shorter
_DAMAGED_HINT = "it was left as it is. Run 'clinic store check', or restore a backup"

Tables = dict[str, dict[str, dict[str, Any]]]
Op = list[Any]


def _dumps(data: Any) -> bytes:
    # No raw tab or line feed can appear: JSON escapes control characters inside
    # strings, and UTF-8 never uses bytes below 0x80 inside a multi-byte character.
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        raise StoreError(
            f"a value the store cannot hold ({type(error).__name__}); nothing was saved"
        ) from None


@dataclass
class Tail:
    """What a writer needs to append: the last sequence number, next ids, meta."""

    seq: int
    next: dict[str, int]
    meta: dict[str, Any]
    end: int  # journal size: where the next line goes
    journal_ino: int
    enc: dict[str, Any] | None


@dataclass
class LoadReport:
    """What the last full load found (for `clinic store check`)."""

    records: int = 0
    torn_tail: bool = False
    torn_bytes: int = 0
    needs_repair: str = ""
    snapshot_seq: int = 0
    journal_bytes: int = 0
    snapshot_bytes: int = 0
    committed_seq: int | None = None  # what the committed marker says was saved
    last_seq: int = 0


class _Retry(Exception):
    """A compaction by another process came between reading the two files."""


class _Damage(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def apply_ops(tables: Tables, ops: Iterable[Op]) -> None:
    """Apply journal operations to the tables (document ids as strings, like TinyDB)."""
    for op in ops:
        code, name = op[0], op[1]
        if code == "p":  # put: insert or replace
            tables.setdefault(name, {})[str(op[2])] = op[3]
        elif code == "s":  # set fields (TinyDB's update with a mapping)
            table = tables.get(name)
            if table is not None and str(op[2]) in table:
                table[str(op[2])] = {**table[str(op[2])], **op[3]}
        elif code == "d":
            table = tables.get(name)
            if table is not None:
                table.pop(str(op[2]), None)
        elif code == "t":
            tables[name] = {}
        elif code == "x":
            tables.pop(name, None)
        else:
            raise ValueError(f"unknown operation {code!r}")


def _check_ops(ops: Any) -> list[Op]:
    if not isinstance(ops, list):
        raise ValueError("operations are not a list")
    for op in ops:
        if not isinstance(op, list) or not op or not isinstance(op[0], str):
            raise ValueError("an operation is not a list")
        if op[0] in ("p", "s") and (len(op) != 4 or not isinstance(op[3], dict)):
            raise ValueError("a put or set without a document")
        if op[0] in ("p", "s", "d") and not isinstance(op[2], int):
            raise ValueError("a document id is not a number")
        if not isinstance(op[1], str):
            raise ValueError("a table name is not text")
    return ops


class JournalTransaction:
    """Operations collected under the writers' lock, written as one journal line."""

    def __init__(self, storage: JournalStorage, tail: Tail) -> None:
        self.storage = storage
        self.tail = tail
        self.ops: list[Op] = []
        self.next: dict[str, int] = dict(tail.next)
        self.meta: dict[str, Any] = copy.deepcopy(tail.meta)
        self.committed = False

    def next_id(self, table: str) -> int:
        # The journal keeps the next id of every table (checked against the documents
        # on each full load), so no table has to be read to give one out.
        doc_id = self.next.get(table, 1)
        self.next[table] = doc_id + 1
        return doc_id

    def claim_id(self, table: str, doc_id: int) -> None:
        self.next[table] = max(self.next.get(table, 1), doc_id + 1)

    def add(self, op: Op) -> None:
        if self.committed:
            raise StoreError("this transaction was already saved")
        self.ops.append(op)

    def commit(self) -> None:
        if self.committed:
            return
        self.storage._commit(self)
        self.committed = True


class JournalStorage(Storage):
    """See the module docstring. `path` is the snapshot (NAME.json)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        kind: str = "cases",
        version: int = 1,
        passphrase: str | None = None,
        compact_bytes: int | None = None,
        lock_timeout: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_suffix(".journal")
        # The last sequence number reported as saved, written after each append (and
        # each compaction): a journal that ends before it lost saved changes.
        self.committed_path = self.path.with_suffix(".committed")
        self.kind = kind
        self.version = version
        self.passphrase = passphrase if passphrase is not None else passphrase_from_env()
        env_compact = os.environ.get("CLINIC_COMPACT_BYTES")
        self.compact_bytes = compact_bytes or (
            int(env_compact) if env_compact else DEFAULT_COMPACT_BYTES
        )
        self.lock_timeout = lock_timeout
        # Crash tests only: write each line in small fsync'd pieces, so that a kill can
        # land in the middle of a line (a torn last line, as after a power cut).
        self._chunk = int(os.environ.get("CLINIC_JOURNAL_CHUNK_BYTES", "0") or 0)
        self.generation = 0
        self.report = LoadReport()
        self._tables: Tables | None = None
        self._tail: Tail | None = None
        self._snap_stat: tuple[int, int, int] | None = None
        self._sealer: Sealer | None = None
        self._torn = False
        self._torn_bytes = b""
        self._needs_repair = ""
        self._tx: JournalTransaction | None = None
        # What this process already checked of the journal: (which journal, tail, lines).
        self._verified: tuple[tuple[int, str, int], Tail, int] | None = None

    # --- state ------------------------------------------------------------------

    @property
    def current(self) -> JournalTransaction | None:
        return self._tx

    @property
    def encrypted(self) -> bool:
        return self.encryption_header() is not None

    @property
    def sealer(self) -> Sealer | None:
        """The key of an encrypted store (unlocked with the passphrase), else None."""
        if self._sealer is None:
            enc = self.encryption_header()
            if enc is not None and enc.get("kdf"):
                self._sealer = unlock(enc, self.passphrase, self.path)
            elif enc is not None:
                self._load()  # only the snapshot says: it unlocks while loading
        return self._sealer

    def current_meta(self) -> dict[str, Any]:
        """The meta saved with the last transaction read (after a load or a write)."""
        return dict(self._tail.meta) if self._tail is not None else {}

    def forget(self) -> None:
        """Drop everything read so far (the files were replaced under the lock)."""
        self._tables = None
        self._tail = None
        self._snap_stat = None
        self._sealer = None
        self._torn = False
        self._torn_bytes = b""
        self._needs_repair = ""
        self.generation += 1

    def exists(self) -> bool:
        """Whether there is a store. StoreDamaged when both files are gone although
        changes were reported as saved (the committed marker says so)."""
        if self.path.exists() or self.journal_path.exists():
            return True
        committed = self._read_committed()
        if committed:
            raise StoreDamaged(
                f"the store's files are missing but {committed} change(s) were saved; "
                "restore a backup ('clinic store restore')",
                path=self.journal_path,
            )
        return False

    # --- the committed marker ------------------------------------------------------

    def _read_committed(self) -> int | None:
        """The last sequence number reported as saved, None when not known (no marker:
        a store from before markers, or a marker that a crash left unreadable)."""
        try:
            raw = self.committed_path.read_bytes()
        except OSError:
            return None
        found = self._parse_summary(raw)
        seq = found.get("seq") if found is not None else None
        return seq if isinstance(seq, int) and seq >= 0 else None

    def _write_committed(self, seq: int) -> None:
        """After the journal line is on disk: a marker that lags behind is harmless
        (a journal may hold more than it says), so the rename needs no folder fsync."""
        tmp = self.committed_path.with_name(f".{self.committed_path.name}.tmp")
        data = _dumps({"seq": seq, "kind": self.kind})
        try:
            with owner_only():
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.committed_path)
        except OSError:
            # The change itself is saved; only the check against truncation is
            # weaker until the next write.
            tmp.unlink(missing_ok=True)

    def forget_committed(self) -> None:
        """Under the lock, when the files are replaced on purpose (a restore)."""
        self.committed_path.unlink(missing_ok=True)

    def _damaged(self, damage: _Damage) -> StoreDamaged:
        return StoreDamaged(
            f"the journal is damaged ({damage.message}); " + _DAMAGED_HINT,
            path=self.journal_path,
            line=damage.line,
        )

    def _shorter(self, last_seq: int, committed: int | None) -> None:
        if committed is not None and last_seq < committed:
            raise StoreDamaged(
                "the journal is shorter than what was saved: "
                f"{committed - last_seq} saved change(s) missing; restore a backup "
                "('clinic store restore'); the files were left as they are",
                path=self.journal_path,
            )

    def _save_torn(self) -> None:
        """Under the lock, before a writer tidies up a torn last line: keep its bytes
        in a side file (owner-only) rather than deleting them."""
        if not self._torn_bytes:
            return
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
        side = self.journal_path.with_name(f"{self.journal_path.name}.torn-{stamp}")
        with owner_only():
            atomic_write_bytes(side, self._torn_bytes)
        self._torn_bytes = b""

    def signature(self) -> str:
        """Changes whenever the snapshot is replaced or the journal grows."""
        parts = []
        for path in (self.path, self.journal_path):
            try:
                st = os.stat(path)
            except FileNotFoundError:
                parts.append("-")
                continue
            parts.append(f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        return "/".join(parts)

    # --- TinyDB's Storage interface -----------------------------------------------

    def read(self) -> Tables | None:
        if self._tables is None:
            if not self.exists():
                return None
            self._load()
        else:
            self._refresh()
        assert self._tables is not None
        return dict(self._tables)

    def write(self, data: Mapping[str, Any]) -> None:
        """TinyDB's whole-database write (drop_table and friends): a compaction."""
        with self.transaction() as tx:
            tx.commit()  # anything queued before goes first
            self._ensure_loaded_locked()
            tables: Tables = {name: dict(docs) for name, docs in data.items()}
            tables.setdefault(FORMAT_TABLE, self._mark())
            self._tables = tables
            self.generation += 1
            self._compact_locked(self._sealer)

    def close(self) -> None:
        pass

    # --- transactions -------------------------------------------------------------

    @contextmanager
    def transaction(self, *, compact: bool = True) -> Iterator[JournalTransaction]:
        """Hold the writers' lock; the operations added are saved as one line when the
        block ends (or at tx.commit()), and dropped if it raises. With compact, a
        journal grown past the threshold is compacted before the lock is released."""
        if self._tx is not None:
            yield self._tx
            return
        from clinic.records.files import private_folder

        private_folder(self.path.parent)
        with owner_only(), locked(self.path, self.lock_timeout):
            tail = self._prepare_write()
            tx = JournalTransaction(self, tail)
            self._tx = tx
            try:
                yield tx
                tx.commit()
                if compact and self.compaction_due():
                    self.compact_locked()
            finally:
                self._tx = None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the writers' lock without preparing a write: nothing is repaired or
        compacted (for a reader that refreshes derived files such as an index)."""
        if self._tx is not None:
            yield
            return
        from clinic.records.files import private_folder

        private_folder(self.path.parent)
        with owner_only(), locked(self.path, self.lock_timeout):
            yield

    def _locked(self) -> None:
        if self._tx is None:
            raise StoreError("this needs the writers' lock (inside a transaction)")

    def load_locked(self) -> None:
        """Inside a transaction: make sure everything is loaded and current."""
        self._locked()
        self._ensure_loaded_locked()

    def compaction_due(self) -> bool:
        tail = self._tail
        if tail is None or tail.end < self.compact_bytes:
            return False
        try:
            snapshot_size = os.stat(self.path).st_size
        except FileNotFoundError:
            snapshot_size = 0
        return tail.end >= snapshot_size

    def compact_locked(self, sealer: Sealer | None | str = "same") -> None:
        """Inside a transaction (after its commit): write a fresh snapshot and an empty
        journal. `sealer`: "same" keeps the encryption; None writes it unencrypted."""
        self._locked()
        if self._tx is not None and self._tx.ops and not self._tx.committed:
            raise StoreError("commit the transaction before compacting")
        self._ensure_loaded_locked()
        if isinstance(sealer, str):
            sealer = self.sealer
        self._compact_locked(sealer)

    def encryption_header(self) -> dict[str, Any] | None:
        """The clear encryption header (salt, parameters, key check), None if plain."""
        if self._tx is not None and self._tail is not None:
            return self._tail.enc
        header = self._read_header()
        if header is not None:
            enc: dict[str, Any] | None = header.get("enc")
            return enc
        if not self.path.exists():
            return None
        with open(self.path, "rb") as handle:
            head = handle.read(4096)
        if not head.startswith(ENCRYPTED_MAGIC):
            return None
        end = head.find(b"\n", len(ENCRYPTED_MAGIC))
        found = self._parse_summary(head[len(ENCRYPTED_MAGIC) : end]) if end > 0 else None
        return found or {"check": "?"}

    def _prepare_write(self) -> Tail:
        """Under the lock: the tail to append after; repairs what a crash left."""
        if not self.exists():
            self._create()
        if self._tables is not None:
            self._refresh()
        else:
            tail = self._read_tail()
            if tail is not None:
                self._tail = tail
                return tail
            self._load()
        if self._torn or self._needs_repair:
            self._save_torn()
            self._compact_locked(self._sealer)
        assert self._tail is not None
        return self._tail

    def _commit(self, tx: JournalTransaction) -> None:
        if not tx.ops and tx.meta == tx.tail.meta:
            return
        tail = tx.tail
        seq = tail.seq + 1
        raw = _dumps(tx.ops)
        sealer = self.sealer if tail.enc is not None else None
        payload = sealer.seal_text(raw, b"clinic-journal:%d" % seq) if sealer else raw
        summary = {
            "seq": seq,
            "len": len(payload),
            "sha": sha256_bytes(payload),
            "next": tx.next,
            "meta": tx.meta,
        }
        line = payload + b"\t" + _dumps(summary) + b"\n"
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        try:
            if os.fstat(fd).st_size != tail.end:
                raise StoreError(
                    "the journal changed while the lock was held; nothing was saved",
                    path=self.journal_path,
                )
            try:
                view = memoryview(line)
                while view:
                    written = os.write(fd, view[: self._chunk or len(view)])
                    view = view[written:]
                    if self._chunk:
                        os.fsync(fd)
                os.fsync(fd)
            except OSError as error:
                # Leave the journal as it was: a half line must not follow.
                try:
                    os.ftruncate(fd, tail.end)
                    os.fsync(fd)
                except OSError:
                    pass
                raise StoreError(
                    f"cannot write the journal ({error.strerror}); nothing was saved",
                    path=self.journal_path,
                ) from None
        finally:
            os.close(fd)
        self._write_committed(seq)
        self._tail = Tail(
            seq, dict(tx.next), tx.meta, tail.end + len(line), tail.journal_ino, tail.enc
        )
        if self._tables is not None:
            apply_ops(self._tables, tx.ops)
        self.generation += 1

    def _ensure_loaded_locked(self) -> None:
        if self._tables is None:
            self._load()
        else:
            self._refresh()

    def compact(self, sealer: Sealer | None | str = "same") -> None:
        """Take the lock and compact (see compact_locked)."""
        with self.transaction(compact=False):
            self.compact_locked(sealer)

    # --- creating and compacting --------------------------------------------------

    def _mark(self) -> dict[str, Any]:
        return {"1": {"kind": self.kind, "format": self.version}}

    def _create(self) -> None:
        # The journal first: a crash before the snapshot exists leaves a journal holding
        # only a header, which is recognised as a store being created. So a missing
        # journal always means damage (compaction replaces it, never removes it).
        header = {
            "journal": JOURNAL_FORMAT,
            "kind": self.kind,
            "format": self.version,
            "base": 0,
            "next": {},
            "meta": {},
            "enc": None,
            "snap": {"creating": True},
        }
        atomic_write_bytes(self.journal_path, b"\t" + _dumps(header) + b"\n")
        self._tables = {FORMAT_TABLE: self._mark()}
        self._tail = Tail(0, {}, {}, 0, 0, None)
        self._compact_locked(None)

    def _compact_locked(self, sealer: Sealer | None) -> None:
        assert self._tables is not None and self._tail is not None
        tail = self._tail
        state = {"1": {"seq": tail.seq, "next": tail.next, "meta": tail.meta}}
        data: dict[str, Any] = {FORMAT_TABLE: self._tables.get(FORMAT_TABLE, self._mark())}
        data[STATE_TABLE] = state
        for name, docs in self._tables.items():
            if name not in (FORMAT_TABLE, STATE_TABLE):
                data[name] = docs
        raw = _dumps(data)
        if sealer is not None:
            head = {**sealer.header, "seq": tail.seq, "kind": self.kind, "format": self.version}
            blob = (
                ENCRYPTED_MAGIC
                + _dumps(head)
                + b"\n"
                + sealer.seal(raw, b"clinic-snapshot:%d" % tail.seq)
            )
        else:
            blob = raw
        del raw
        atomic_write_bytes(self.path, blob)
        st = os.stat(self.path)
        header = {
            "journal": JOURNAL_FORMAT,
            "kind": self.kind,
            "format": self.version,
            "base": tail.seq,
            "next": tail.next,
            "meta": tail.meta,
            "enc": sealer.header if sealer is not None else None,
            "snap": {
                "sha": sha256_bytes(blob),
                "size": st.st_size,
                "ino": st.st_ino,
                "mtime": st.st_mtime_ns,
            },
        }
        line = b"\t" + _dumps(header) + b"\n"
        atomic_write_bytes(self.journal_path, line)
        fsync_directory(self.path.parent)
        self._write_committed(tail.seq)
        jst = os.stat(self.journal_path)
        self._snap_stat = (st.st_ino, st.st_size, st.st_mtime_ns)
        self._tail = Tail(
            tail.seq,
            dict(tail.next),
            tail.meta,
            len(line),
            jst.st_ino,
            sealer.header if sealer is not None else None,
        )
        self._sealer = sealer
        self._torn = False
        self._torn_bytes = b""
        self._needs_repair = ""
        self.report = LoadReport(
            snapshot_seq=tail.seq, journal_bytes=len(line), snapshot_bytes=st.st_size
        )
        self.generation += 1

    # --- reading the tail only ------------------------------------------------------

    def _parse_summary(self, raw: bytes) -> dict[str, Any] | None:
        try:
            summary = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
        return summary if isinstance(summary, dict) else None

    def _header_ok(self, header: dict[str, Any]) -> bool:
        return (
            header.get("journal") == JOURNAL_FORMAT
            and header.get("kind") == self.kind
            and header.get("format") == self.version
            and isinstance(header.get("base"), int)
            and isinstance(header.get("snap"), dict)
        )

    def _header_from(self, head: bytes) -> dict[str, Any] | None:
        if not head.startswith(b"\t") or not head.endswith(b"\n"):
            return None
        header = self._parse_summary(head[1:-1])
        return header if header is not None and self._header_ok(header) else None

    def _read_header(self) -> dict[str, Any] | None:
        """The journal's first line (the header), when it is one this clinic writes."""
        try:
            with open(self.journal_path, "rb") as handle:
                return self._header_from(handle.readline(_HEADER_LIMIT))
        except OSError:
            return None

    def _read_tail(self) -> Tail | None:
        """Under the lock: the tail, reading the journal but not the snapshot. Every
        line's checksum and sequence number are checked (what this process checked
        before is not read again). None when a full load must decide (a crash left
        something to repair, the snapshot is not the one the journal names);
        StoreDamaged when a line does not check out."""
        try:
            handle = open(self.journal_path, "rb")  # noqa: SIM115 (closed by the with below)
        except OSError:
            return None
        committed = self._read_committed()
        with handle:
            st = os.fstat(handle.fileno())
            head = handle.readline(_HEADER_LIMIT)
            header = self._header_from(head)
            if header is None:
                return None
            try:
                snap = os.stat(self.path)
            except OSError:
                return None
            if (snap.st_ino, snap.st_size, snap.st_mtime_ns) != (
                header["snap"].get("ino"),
                header["snap"].get("size"),
                header["snap"].get("mtime"),
            ):
                return None
            # An inode number can be reused after a compaction: the header identifies
            # the journal (its base and the snapshot's checksum) together with it.
            which = (st.st_ino, str(header["snap"].get("sha")), int(header["base"]))
            known = self._verified
            if known is not None and known[0] == which and known[1].end <= st.st_size:
                tail, number = copy.copy(known[1]), known[2]
            else:
                tail = Tail(
                    header["base"],
                    dict(header.get("next") or {}),
                    dict(header.get("meta") or {}),
                    len(head),
                    st.st_ino,
                    header.get("enc"),
                )
                number = 1
            if st.st_size > tail.end:
                handle.seek(tail.end)
                fresh = handle.read(st.st_size - tail.end)
                if not fresh.endswith(b"\n"):
                    return None  # torn by a crash: the full load repairs it
                for line in fresh[:-1].split(b"\n"):
                    number += 1
                    try:
                        summary, _payload = self._record(line, number, tail.seq + 1)
                    except _Damage as damage:
                        raise self._damaged(damage) from None
                    tail.seq = summary["seq"]
                    tail.next = dict(summary["next"])
                    tail.meta = dict(summary.get("meta") or {})
                    tail.end += len(line) + 1
            self._shorter(tail.seq, committed)
            self._verified = (which, copy.copy(tail), number)
            return tail

    # --- loading everything -----------------------------------------------------------

    def _load(self) -> None:
        for _attempt in range(8):
            # The marker first: it is written after the journal line it names, so a
            # journal read after it holds at least that much.
            committed = self._read_committed()
            snap_bytes, snap_stat = self._read_file(self.path)
            journal_bytes, journal_stat = self._read_file(self.journal_path)
            if snap_bytes is None and journal_bytes is None:
                self._tables, self._tail = {FORMAT_TABLE: self._mark()}, None
                return
            if snap_bytes is None and journal_bytes is not None and journal_stat is not None:
                header = self._header_from(journal_bytes)
                if header is not None and header["snap"].get("creating"):
                    self._shorter(0, committed)
                    self._tables = {FORMAT_TABLE: self._mark()}
                    self._tail = Tail(0, {}, {}, len(journal_bytes), journal_stat.st_ino, None)
                    self._needs_repair = "the store was being created"
                    self.report = LoadReport(needs_repair=self._needs_repair)
                    return
            try:
                self._decode(snap_bytes, snap_stat, journal_bytes, journal_stat, committed)
                return
            except _Retry:
                time.sleep(0.05)
        raise StoreDamaged(
            "the snapshot is older than its journal (records are missing); " + _DAMAGED_HINT,
            path=self.path,
        )

    def _read_file(self, path: Path) -> tuple[bytes | None, os.stat_result | None]:
        try:
            with open(path, "rb") as handle:
                st = os.fstat(handle.fileno())
                return handle.read(), st
        except FileNotFoundError:
            return None, None
        except OSError as error:
            raise StoreError(f"cannot read the store ({error.strerror})", path=path) from None

    def _snapshot(self, raw: bytes) -> tuple[dict[str, Any], Sealer | None]:
        sealer = None
        if raw.startswith(ENCRYPTED_MAGIC):
            end = raw.find(b"\n", len(ENCRYPTED_MAGIC))
            head = self._parse_summary(raw[len(ENCRYPTED_MAGIC) : end]) if end > 0 else None
            if head is None or not isinstance(head.get("seq"), int):
                raise StoreDamaged(
                    "the encrypted snapshot's header is damaged; " + _DAMAGED_HINT, path=self.path
                )
            self._check_kind(head.get("kind"), head.get("format"), self.path)
            sealer = unlock(head, self.passphrase, self.path)
            try:
                raw = sealer.open(raw[end + 1 :], b"clinic-snapshot:%d" % head["seq"])
            except SealBroken:
                raise StoreDamaged(
                    "the encrypted snapshot fails its authentication check (damaged); "
                    + _DAMAGED_HINT,
                    path=self.path,
                ) from None
        if not raw.strip():
            raise StoreDamaged("the snapshot is empty; " + _DAMAGED_HINT, path=self.path)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise StoreDamaged(
                "the snapshot is not valid JSON; " + _DAMAGED_HINT,
                path=self.path,
                line=getattr(error, "lineno", None),
            ) from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreDamaged(
                "the snapshot is not a TinyDB document; " + _DAMAGED_HINT, path=self.path
            )
        marks = list((data.get(FORMAT_TABLE) or {}).values())
        if not marks or not isinstance(marks[0], dict):
            raise StoreDamaged(
                f"not a clinic {self.kind} store (no format mark); " + _DAMAGED_HINT, path=self.path
            )
        self._check_kind(marks[0].get("kind"), marks[0].get("format"), self.path)
        return data, sealer

    def _check_kind(self, kind: Any, found: Any, where: Path) -> None:
        if kind != self.kind:
            raise StoreDamaged(
                f"this is a clinic {kind!s} store, not a {self.kind} store", path=where
            )
        if not isinstance(found, int) or found > self.version:
            raise StoreError(
                f"store format {found!s} is newer than this clinic understands "
                f"({self.version}); upgrade clinic",
                path=where,
            )

    def _decode(
        self,
        snap_bytes: bytes | None,
        snap_stat: os.stat_result | None,
        journal_bytes: bytes | None,
        journal_stat: os.stat_result | None,
        committed: int | None = None,
    ) -> None:
        report = LoadReport(
            journal_bytes=len(journal_bytes or b""), snapshot_bytes=len(snap_bytes or b"")
        )
        if snap_bytes is None or snap_stat is None:
            raise StoreDamaged(
                "the snapshot is missing but its journal is there; " + _DAMAGED_HINT,
                path=self.path,
            )
        data, sealer = self._snapshot(snap_bytes)
        state = next(iter((data.pop(STATE_TABLE, None) or {}).values()), None) or {}
        snap_seq = state.get("seq", 0)
        tables: Tables = data
        next_ids = dict(state.get("next") or {})
        meta = dict(state.get("meta") or {})
        if not isinstance(snap_seq, int):
            raise StoreDamaged("the snapshot's state is damaged; " + _DAMAGED_HINT, path=self.path)
        report.snapshot_seq = snap_seq
        needs_repair = ""
        torn = False
        end = 0
        last_seq = snap_seq
        journal_ino = journal_stat.st_ino if journal_stat is not None else 0
        enc = sealer.header if sealer is not None else None
        if journal_bytes is None:
            raise StoreDamaged(
                "the journal is missing (the changes since the snapshot would be lost); "
                + _DAMAGED_HINT,
                path=self.journal_path,
            )
        else:
            try:
                lines = journal_bytes.split(b"\n")
                torn_bytes = lines[-1]
                if torn_bytes:
                    torn = True
                    report.torn_bytes = len(torn_bytes)
                lines.pop()  # the part after the last line feed: empty, or torn
                if not lines:
                    raise _Damage("the journal has no header", 1)
                if lines:
                    header = self._header(lines[0], snap_seq)
                    base = header["base"]
                    if base > snap_seq:
                        raise _Retry()
                    if base == snap_seq:
                        if header["snap"].get("sha") != sha256_bytes(snap_bytes):
                            raise _Damage("the snapshot does not match its journal (checksum)", 1)
                        # The same test as the tail reader's: if it would not trust the
                        # files, the next writer rewrites them so that it can.
                        snap = header["snap"]
                        if (snap.get("ino"), snap.get("size"), snap.get("mtime")) != (
                            snap_stat.st_ino,
                            snap_stat.st_size,
                            snap_stat.st_mtime_ns,
                        ):
                            needs_repair = "the files were copied, restored or touched"
                    else:
                        needs_repair = "a compaction was interrupted"
                    if (header.get("enc") is None) != (sealer is None) and base == snap_seq:
                        raise _Damage("the journal and the snapshot disagree about encryption", 1)
                    if base == snap_seq:
                        next_ids = dict(header.get("next") or next_ids)
                        meta = dict(header.get("meta") or meta)
                    end = len(lines[0]) + 1
                    expected = base + 1
                    for number, line in enumerate(lines[1:], start=2):
                        summary, payload = self._record(line, number, expected)
                        expected += 1
                        end += len(line) + 1
                        if summary["seq"] <= snap_seq:
                            continue
                        raw = payload
                        if sealer is not None:
                            try:
                                raw = sealer.open_text(
                                    payload, b"clinic-journal:%d" % summary["seq"]
                                )
                            except SealBroken:
                                raise _Damage(
                                    "a journal record fails its authentication check", number
                                ) from None
                        try:
                            ops = _check_ops(json.loads(raw))
                            apply_ops(tables, ops)
                        except (
                            ValueError,
                            UnicodeDecodeError,
                            TypeError,
                            AttributeError,
                            IndexError,
                        ):
                            raise _Damage("a journal record does not decode", number) from None
                        next_ids = dict(summary["next"])
                        meta = dict(summary.get("meta") or {})
                        report.records += 1
                    last_seq = expected - 1
                    if last_seq < snap_seq:
                        raise _Damage("the journal ends before the snapshot's records", len(lines))
            except _Damage as damage:
                raise self._damaged(damage) from None
        self._shorter(max(last_seq, snap_seq), committed)
        report.committed_seq = committed
        report.last_seq = max(last_seq, snap_seq)
        if torn and not needs_repair:
            needs_repair = "the last record was cut short by a crash"
        for name, docs in tables.items():
            if name == FORMAT_TABLE:
                continue
            top = max((int(k) for k in docs), default=0)
            if next_ids.get(name, 1) <= top:
                next_ids[name] = top + 1
        report.torn_tail = torn
        report.needs_repair = needs_repair
        self.report = report
        self._tables = tables
        self._tail = Tail(max(last_seq, snap_seq), next_ids, meta, end, journal_ino, enc)
        self._snap_stat = (snap_stat.st_ino, snap_stat.st_size, snap_stat.st_mtime_ns)
        self._sealer = sealer
        self._torn = torn
        self._torn_bytes = journal_bytes.rsplit(b"\n", 1)[-1] if torn else b""
        self._needs_repair = needs_repair
        self.generation += 1

    def _header(self, line: bytes, snap_seq: int) -> dict[str, Any]:
        if not line.startswith(b"\t"):
            raise _Damage("the journal's first line is not a header", 1)
        header = self._parse_summary(line[1:])
        if header is None:
            raise _Damage("the journal's header does not parse", 1)
        if header.get("kind") != self.kind:
            raise _Damage(f"the journal belongs to a {header.get('kind')!s} store", 1)
        journal_format = header.get("journal")
        if isinstance(journal_format, int) and journal_format > JOURNAL_FORMAT:
            raise StoreError(
                f"journal format {journal_format} is newer than this clinic understands "
                f"({JOURNAL_FORMAT}); upgrade clinic",
                path=self.journal_path,
            )
        if not self._header_ok(header):
            raise _Damage("the journal's header is incomplete", 1)
        return header

    def _record(self, line: bytes, number: int, expected: int) -> tuple[dict[str, Any], bytes]:
        tab = line.rfind(b"\t")
        if tab < 0:
            raise _Damage("a record has no summary", number)
        summary = self._parse_summary(line[tab + 1 :])
        payload = line[:tab]
        if (
            summary is None
            or summary.get("len") != len(payload)
            or not isinstance(summary.get("next"), dict)
            or summary.get("sha") != sha256_bytes(payload)
        ):
            raise _Damage("a record does not match its checksum", number)
        if summary.get("seq") != expected:
            raise _Damage(
                f"record {summary.get('seq')!s} found where {expected} was expected", number
            )
        return summary, payload

    def _refresh(self) -> None:
        """Catch up with what other processes wrote since the last look."""
        assert self._tables is not None
        try:
            snap = os.stat(self.path)
            journal = os.stat(self.journal_path)
        except FileNotFoundError:
            self._load()
            return
        tail = self._tail
        if (
            tail is None
            or self._snap_stat != (snap.st_ino, snap.st_size, snap.st_mtime_ns)
            or journal.st_ino != tail.journal_ino
            or journal.st_size < tail.end
        ):
            self._load()
            return
        if journal.st_size == tail.end:
            return
        with open(self.journal_path, "rb") as handle:
            if os.fstat(handle.fileno()).st_ino != tail.journal_ino:
                self._load()  # replaced since the stat above
                return
            handle.seek(tail.end)
            fresh = handle.read()
        lines = fresh.split(b"\n")
        torn = bool(lines.pop())
        seq, next_ids, meta, end = tail.seq, tail.next, tail.meta, tail.end
        try:
            for line in lines:
                summary, payload = self._record(line, 0, seq + 1)
                raw = payload
                if self._sealer is not None:
                    raw = self._sealer.open_text(payload, b"clinic-journal:%d" % summary["seq"])
                apply_ops(self._tables, _check_ops(json.loads(raw)))
                seq, next_ids = summary["seq"], dict(summary["next"])
                meta = dict(summary.get("meta") or {})
                end += len(line) + 1
        except (_Damage, SealBroken, ValueError, TypeError):
            self._load()  # explains the damage precisely, or repairs nothing
            return
        self._tail = Tail(seq, next_ids, meta, end, tail.journal_ino, tail.enc)
        self._torn = torn
        self._torn_bytes = fresh.rsplit(b"\n", 1)[-1] if torn else b""
        if torn:
            self._needs_repair = "the last record was cut short by a crash"
        self.generation += 1


class JournalTable(Table):
    """TinyDB's Table with its writes turned into journal operations."""

    _seen_generation = -1

    def _journal(self) -> JournalStorage:
        storage = self.storage
        if not isinstance(storage, JournalStorage):
            raise TypeError("JournalTable needs a JournalStorage")
        return storage

    @contextmanager
    def _tx(self) -> Iterator[JournalTransaction]:
        with self._journal().transaction() as tx:
            yield tx
        self.clear_cache()

    def _read_table(self) -> dict[str, Mapping[Any, Any]]:
        table = super()._read_table()
        generation = self._journal().generation
        if generation != self._seen_generation:
            self.clear_cache()
            self._seen_generation = generation
        return table

    def search(self, cond: Any) -> list[Document]:
        self._read_table()  # drops cached results when the store changed
        return super().search(cond)

    def _get_next_id(self) -> int:
        tx = self._journal().current
        if tx is None:
            raise StoreError("document ids are given out inside a transaction")
        return tx.next_id(self.name)

    def insert(self, document: Mapping[Any, Any]) -> int:
        if not isinstance(document, Mapping):
            raise ValueError("Document is not a Mapping")
        return self.insert_multiple([document])[0]

    def insert_multiple(self, documents: Iterable[Mapping[Any, Any]]) -> list[int]:
        doc_ids = []
        with self._tx() as tx:
            for document in documents:
                if not isinstance(document, Mapping):
                    raise ValueError("Document is not a Mapping")
                if isinstance(document, Document):
                    doc_id = int(document.doc_id)
                    if str(doc_id) in self._read_table():
                        raise ValueError(f"Document with ID {doc_id} already exists")
                    tx.claim_id(self.name, doc_id)
                else:
                    doc_id = tx.next_id(self.name)
                tx.add(["p", self.name, doc_id, dict(document)])
                doc_ids.append(doc_id)
        return doc_ids

    def put(self, doc_id: int, document: Mapping[Any, Any]) -> int:
        """Insert or replace the document with this id, without reading the table (the
        journal's cheap write: for a caller that knows the document from elsewhere)."""
        with self._tx() as tx:
            tx.claim_id(self.name, int(doc_id))
            tx.add(["p", self.name, int(doc_id), dict(document)])
        return int(doc_id)

    def delete(self, doc_id: int) -> None:
        """Remove the document with this id, without reading the table."""
        with self._tx() as tx:
            tx.add(["d", self.name, int(doc_id)])

    def _targets(self, cond: Any, doc_ids: Iterable[int] | None) -> list[int]:
        table = self._read_table()
        if doc_ids is not None:
            return [int(i) for i in doc_ids if str(int(i)) in table]
        if cond is not None:
            return [int(i) for i, doc in table.items() if cond(doc)]
        return [int(i) for i in table]

    def update(
        self,
        fields: Mapping[Any, Any] | Callable[[dict[str, Any]], None],
        cond: Any = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        with self._tx() as tx:
            table = self._read_table()
            updated = self._targets(cond, doc_ids)
            for doc_id in updated:
                if callable(fields):
                    changed = copy.deepcopy(dict(table[str(doc_id)]))
                    fields(changed)
                    tx.add(["p", self.name, doc_id, changed])
                else:
                    tx.add(["s", self.name, doc_id, dict(fields)])
        return updated

    def update_multiple(self, updates: Iterable[tuple[Any, Any]]) -> list[int]:
        updated: list[int] = []
        with self._tx() as tx:
            table = self._read_table()
            for doc_key, doc in table.items():
                changed = dict(doc)
                hit = False
                for fields, cond in updates:
                    if cond(changed):
                        hit = True
                        if callable(fields):
                            changed = copy.deepcopy(changed)
                            fields(changed)
                        else:
                            changed.update(fields)
                if hit:
                    updated.append(int(doc_key))
                    tx.add(["p", self.name, int(doc_key), changed])
        return updated

    def upsert(self, document: Mapping[Any, Any], cond: Any = None) -> list[int]:
        if isinstance(document, Document) and cond is None:
            return [self.put(int(document.doc_id), document)]
        return super().upsert(document, cond)

    def remove(self, cond: Any = None, doc_ids: Iterable[int] | None = None) -> list[int]:
        if cond is None and doc_ids is None:
            raise RuntimeError("Use truncate() to remove all documents")
        with self._tx() as tx:
            removed = self._targets(cond, doc_ids)
            for doc_id in removed:
                tx.add(["d", self.name, doc_id])
        return removed

    def truncate(self) -> None:
        with self._tx() as tx:
            tx.add(["t", self.name])
        self._next_id = None

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        # Any other TinyDB write: run it on copies and journal the difference.
        with self._tx() as tx:
            raw = self._read_table()
            table = {int(k): copy.deepcopy(dict(v)) for k, v in raw.items()}
            updater(table)
            for doc_key in raw:
                if int(doc_key) not in table:
                    tx.add(["d", self.name, int(doc_key)])
            for doc_id, doc in table.items():
                if raw.get(str(doc_id)) != doc:
                    tx.add(["p", self.name, doc_id, dict(doc)])


class JournalDB(TinyDB):
    """TinyDB over a JournalStorage, with JournalTable tables."""

    table_class = JournalTable

    @property
    def journal(self) -> JournalStorage:
        storage = self.storage
        assert isinstance(storage, JournalStorage)
        return storage


def open_journal_db(path: str | os.PathLike[str], **options: Any) -> JournalDB:
    """A TinyDB whose storage is a journal beside a snapshot (see the module docstring)."""
    return JournalDB(path, storage=JournalStorage, **options)


__all__ = [
    "JournalDB",
    "JournalStorage",
    "JournalTable",
    "JournalTransaction",
    "LoadReport",
    "Tail",
    "apply_ops",
    "open_journal_db",
]
