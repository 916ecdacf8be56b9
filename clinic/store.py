"""The one way clinic opens a TinyDB file.

TinyDB's own JSONStorage rewrites the file in place, so a crash mid-write leaves half a
file, and it has no locking between processes (research notes: docs_anchors.md §4, and
TinyDB issues #144, #301, #461). Here, through TinyDB's own extension points:

- `AtomicJSONStorage` writes a temporary file in the same folder, fsyncs it, renames it
  over the store and fsyncs the folder: a reader sees the old file or the new one,
  never half of one. A file that does not parse raises StoreDamaged and is never
  written over. Files are created owner-only (0600).
- `Transaction` is a middleware that reads once and writes once, when the transaction
  commits; an exception discards every change.
- `writing()` holds a lock file (filelock) for the whole read-modify-write, so writers
  in several processes queue up instead of losing each other's changes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import Middleware
from tinydb.storages import Storage

from clinic.exceptions import ClinicError, StoreDamaged, StoreError, StoreLocked

FORMAT_TABLE = "_clinic"
DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout() -> float:
    """Seconds a writer waits for another one: CLINIC_LOCK_TIMEOUT, else 10."""
    value = os.environ.get("CLINIC_LOCK_TIMEOUT")
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise StoreError("must be a number of seconds", field="CLINIC_LOCK_TIMEOUT") from None
    if not seconds >= 0:
        raise StoreError("must be a number of seconds", field="CLINIC_LOCK_TIMEOUT")
    return seconds


def fsync_directory(folder: Path) -> None:
    """Make a rename inside folder durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _shared_mode() -> int:
    """The mode a new file gets from the user's umask (for files meant to be shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _durable_temporary(path: Path, data: bytes, private: bool = True) -> Path:
    """data in a new file beside path (owner-only unless not private), flushed to disk."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600 if private else _shared_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_bytes(path: Path, data: bytes, *, private: bool = True) -> None:
    """Replace path with data: temporary file, fsync, rename, fsync of the folder.

    Files are owner-only: most hold personal data. `private=False` is for what is made
    to be shared (a handout, an export, a review sheet): the umask decides."""
    tmp = _durable_temporary(path, data, private)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def atomic_create_bytes(path: Path, data: bytes) -> None:
    """Like atomic_write_bytes, but never replaces a file that exists: a hard link of
    the finished temporary file claims the name only if it is free."""
    tmp = _durable_temporary(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise ClinicError("already exists; use --force to replace it", path=path) from None
        except OSError:  # a file system without hard links (e.g. FAT on a USB stick)
            if path.exists():
                raise ClinicError("already exists; use --force to replace it", path=path) from None
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_directory(path.parent)


def read_json_store(path: Path) -> dict[str, Any] | None:
    """The parsed store, None when there is no file yet; StoreDamaged when unreadable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read the store ({error.strerror})", path=path) from None
    if not raw.strip():
        raise StoreDamaged(
            "the store is empty (damaged); it was left as it is. "
            "Run 'clinic store check' or restore a backup",
            path=path,
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise StoreDamaged(
            "the store is damaged (not valid JSON); it was left as it is. "
            "Run 'clinic store check' or restore a backup",
            path=path,
            line=line,
        ) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreDamaged(
            "the store is damaged (not a TinyDB document); it was left as it is",
            path=path,
        )
    return data


def compact_json(value: Any) -> bytes:
    """UTF-8 JSON without spaces, made by orjson fifteen times quicker than json (a
    20,000-concept store: 0.06 s, not 1 s). For what a store holds (text, whole numbers,
    booleans, None, lists and mappings) these are the bytes json.dumps(ensure_ascii=
    False, separators=(",", ":")) writes; a value orjson refuses (an integer beyond 64
    bits, a date, a dataclass) goes to json, which writes it or refuses it as before.
    Floats, which no store holds, would differ: orjson writes NaN as null."""
    import orjson

    try:
        return orjson.dumps(
            value,
            option=orjson.OPT_NON_STR_KEYS
            | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS,
        )
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose writes are atomic and durable; see the module docstring."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only

    def read(self) -> dict[str, dict[str, Any]] | None:
        return read_json_store(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only", path=self.path)
        # Serialise first: a value JSON cannot hold fails before the file is touched.
        atomic_write_bytes(self.path, compact_json(data))

    def close(self) -> None:
        pass


class Transaction(Middleware):
    """Read once, keep changes in memory, write once on commit(); drop them otherwise."""

    def __init__(self, storage_cls: type[Storage]) -> None:
        super().__init__(storage_cls)
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self.dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = self.storage.read()
            self._loaded = True
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self._loaded = True
        self.dirty = True

    def commit(self) -> None:
        if self.dirty and self._data is not None:
            self.storage.write(self._data)
        self.dirty = False

    def rollback(self) -> None:
        self._data = None
        self._loaded = False
        self.dirty = False

    def close(self) -> None:
        self.storage.close()


def _check_format(db: TinyDB, path: Path, kind: str, version: int, creating: bool) -> None:
    table = db.table(FORMAT_TABLE)
    marks = table.all()
    if not marks:
        if creating:
            table.insert({"kind": kind, "format": version})
            return
        raise StoreDamaged(f"not a clinic {kind} store (no format mark)", path=path)
    mark = marks[0]
    if mark.get("kind") != kind:
        raise StoreDamaged(
            f"this is a clinic {mark.get('kind')!s} store, not a {kind} store", path=path
        )
    found = mark.get("format")
    if not isinstance(found, int):
        raise StoreDamaged("the store's format mark is damaged", path=path)
    if found > version:
        raise StoreError(
            f"store format {found!s} is newer than this clinic understands ({version}); "
            "upgrade clinic",
            path=path,
        )


def lock_for(path: Path, timeout: float | None = None) -> Any:
    """The cross-process lock that serialises writers of path."""
    from filelock import FileLock  # imported here: costly, and only writers need it

    return FileLock(str(path) + ".lock", timeout=lock_timeout() if timeout is None else timeout)


@contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    from filelock import Timeout

    lock = lock_for(path, timeout)
    try:
        lock.acquire()
    except IsADirectoryError:
        raise StoreError("the store's lock file is a folder", path=f"{path}.lock") from None
    except Timeout:
        raise StoreLocked(
            "another clinic process is writing to this store; try again when it has "
            f"finished (waited {lock.timeout:g} s)",
            path=path,
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def writing(
    path: Path, *, kind: str, version: int = 1, timeout: float | None = None, lock: bool = True
) -> Iterator[TinyDB]:
    """Open path for one atomic read-modify-write under the writers' lock.

    Everything done through the yielded TinyDB lands in one atomic write when the block
    ends without an exception, and not at all otherwise. `lock=False` is for a caller
    that already holds `locked(path)` around more work than this write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path, timeout) if lock else nullcontext():
        creating = not path.exists()
        db = TinyDB(str(path), storage=Transaction(AtomicJSONStorage))
        middleware: Transaction = db.storage  # type: ignore[assignment]
        try:
            _check_format(db, path, kind, version, creating)
            yield db
        except BaseException:
            middleware.rollback()
            raise
        else:
            middleware.commit()
        finally:
            db.close()


@contextmanager
def reading(path: Path, *, kind: str, version: int = 1) -> Iterator[TinyDB]:
    """Open path read-only: a snapshot of the last complete write."""
    db = TinyDB(str(path), storage=Transaction(AtomicJSONStorage), read_only=True)
    try:
        if path.exists():
            _check_format(db, path, kind, version, creating=False)
        yield db
    finally:
        db.close()
