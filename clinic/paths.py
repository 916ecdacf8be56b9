"""Where things live: the user's data directory and the shipped data folders.

The data directory is chosen, in order, by `--home DIR`, the CLINIC_HOME environment
variable, and platformdirs' per-user data directory. The shipped folders (glossary/,
forms/, templates/) sit inside the installed package as clinic/_data/, or at the top of
a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_home_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Set the data directory for this process (the CLI's --home)."""
    global _home_override
    _home_override = Path(path).expanduser() if path else None


def home() -> Path:
    """The data directory, created with owner-only permissions on first use."""
    if _home_override is not None:
        path = _home_override
    elif os.environ.get("CLINIC_HOME"):
        path = Path(os.environ["CLINIC_HOME"]).expanduser()
    else:
        import platformdirs  # imported here: only needed when no home is given

        path = Path(platformdirs.user_data_dir("clinic", appauthor=False))
    if not path.is_dir():
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            from clinic.exceptions import ClinicError

            raise ClinicError(
                f"the data directory cannot be created ({error.strerror or error})",
                path=path,
                field="--home",
            ) from None
    return path


def shipped(name: str) -> Path:
    """A shipped data folder: 'glossary', 'forms' or 'templates'."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name
