"""The shell's query history: a file in the user's data directory, owner-only.

Queries can hold names of people, so the history never goes to a shared place (not
/tmp, not the current folder): it lives in `paths.home()`, which is created 0700, and
the file itself is written 0600 through `clinic.store.atomic_write_bytes`. Every change
re-reads the file under the writers' lock, so two shells open at once do not lose each
other's queries. `:history clear` deletes the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from clinic.exceptions import ClinicError

FILE_NAME = "shell-history.json"
KIND = "clinic-shell-history"
FORMAT = 1
LIMIT = 500


class HistoryError(ClinicError):
    """The history file cannot be read; it is left as it is."""


class QueryHistory:
    def __init__(self, path: Path, limit: int = LIMIT) -> None:
        self.path = path
        self.limit = limit
        self._queries: list[str] | None = None

    @classmethod
    def in_home(cls, home: Path) -> QueryHistory:
        return cls(home / FILE_NAME)

    def _read(self) -> list[str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise HistoryError(
                f"cannot read the history ({error.strerror})", path=self.path
            ) from None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise HistoryError(
                "the history file is damaged (not JSON); left as it is", path=self.path
            ) from None
        queries = data.get("queries") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("kind") != KIND
            or not isinstance(queries, list)
            or not all(isinstance(q, str) for q in queries)
        ):
            raise HistoryError("not a clinic shell history file; left as it is", path=self.path)
        return list(queries)

    def _write(self, queries: list[str]) -> None:
        from clinic.store import atomic_write_bytes

        payload = {"kind": KIND, "format": FORMAT, "queries": queries[-self.limit :]}
        atomic_write_bytes(self.path, json.dumps(payload, ensure_ascii=False).encode())

    def entries(self) -> list[str]:
        """Queries, oldest first."""
        if self._queries is None:
            self._queries = self._read()
        return list(self._queries)

    def add(self, query: str) -> None:
        """Remember query (as the newest; an earlier copy of it is dropped)."""
        query = " ".join(query.split())
        if not query:
            return
        from clinic.store import locked

        with locked(self.path):
            queries = [q for q in self._read() if q != query]
            queries.append(query)
            self._write(queries)
        self._queries = queries[-self.limit :]

    def clear(self) -> None:
        from clinic.store import locked

        with locked(self.path):
            self.path.unlink(missing_ok=True)
        self._queries = []
