"""Small pieces the command modules share."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from typing import Any

import click


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used (start-up stays lean).

    `lazy_commands` maps a name to "module:attribute"; a module that is not there is
    simply not listed."""

    lazy_commands: dict[str, str] = {}

    def __init__(
        self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if lazy_commands is not None:
            self.lazy_commands = lazy_commands

    def _available(self, name: str) -> bool:
        module = self.lazy_commands[name].partition(":")[0]
        try:
            return importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            return False

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = {name for name in self.lazy_commands if self._available(name)}
        return sorted(set(super().list_commands(ctx)) | lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and self._available(cmd_name):
            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


def wants_rich(stream: Any = None) -> bool:
    """Styled output only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def split_csv(value: str | None) -> list[str]:
    """'en, th,my' -> ['en', 'th', 'my']."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_languages(value: str | None, termbase: Any = None) -> list[str]:
    """'en, TH,my' -> ['en', 'th', 'my'], each a language clinic knows or the termbase
    holds; anything else is a user error naming the option."""
    from clinic.exceptions import ClinicError
    from clinic.text import LANGUAGE_NAMES, canonical_language

    langs = [canonical_language(code) for code in split_csv(value)]
    if not langs:
        return []
    allowed = set(LANGUAGE_NAMES) | set(termbase.languages() if termbase is not None else [])
    for lang in langs:
        if lang not in allowed:
            raise ClinicError(
                f"unknown language code '{lang}' (known: {', '.join(sorted(allowed))})",
                field="--lang",
            )
    return langs


def parse_domains(value: str | None) -> list[str]:
    """'labour,fisheries' -> the subject fields; an unknown one is a user error."""
    from clinic.exceptions import ClinicError
    from clinic.termbase.model import SUBJECT_FIELDS

    domains = split_csv(value)
    for domain in domains:
        if domain not in SUBJECT_FIELDS:
            raise ClinicError(
                f"unknown subject field '{domain}' (known: {', '.join(SUBJECT_FIELDS)})",
                field="--domain",
            )
    return domains
