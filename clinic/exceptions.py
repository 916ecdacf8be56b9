"""Every error a user can cause is a ClinicError: the CLI prints it on one line and
exits with code 2. Messages never carry personal data (names, ids, free text): they name
the file, the line, the field and what was expected, never the value."""

from __future__ import annotations


class ClinicError(Exception):
    """A mistake the user can fix. `str()` gives the one-line message."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: object | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Errors found in a worker process travel back whole (where, field, message).
        return (_rebuild, (type(self), self.message, self.path, self.line, self.column, self.field))


def _rebuild(
    kind: type[ClinicError],
    message: str,
    path: str | None,
    line: int | None,
    column: int | None,
    field: str | None,
) -> ClinicError:
    return kind(message, path=path, line=line, column=column, field=field)


class NothingFound(ClinicError):
    """A search or filter that matched nothing: not a mistake, exit code 1."""

    exit_code = 1


class StoreError(ClinicError):
    """The store cannot be used: damaged, of a newer format, or locked too long."""


class StoreLocked(StoreError):
    """Another process holds the write lock past the timeout."""


class StoreDamaged(StoreError):
    """The store file does not parse or fails its checks. It is never overwritten."""


class ValidationError(ClinicError):
    """Input data (a glossary file, a case file, an import) breaks the rules."""


class ValidationErrors(ClinicError):
    """Several validation errors in one file, reported together."""

    def __init__(self, errors: list[ClinicError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        super().__init__(
            f"{len(errors)} error(s)" if errors else "no errors",
            path=first.path if first else None,
        )

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (ValidationErrors, (self.errors,))
