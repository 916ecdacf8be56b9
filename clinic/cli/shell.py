"""`clinic shell`: the interpreter's search-as-you-type session (also `clinic` alone)."""

from __future__ import annotations

import sys

import click

from clinic.cli.common import split_csv
from clinic.exceptions import ClinicError


def _pair(value: str) -> tuple[str, str]:
    from clinic.shell.commands import CommandError, parse_pair

    try:
        return parse_pair([value])
    except CommandError as error:
        raise ClinicError(error.message, field="--pair") from None


@click.command()
@click.option(
    "--pair",
    "-p",
    "pairs",
    multiple=True,
    metavar="A,B",
    help="Language pair, e.g. my,th (default). Repeat for more pairs (F2 cycles).",
)
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="CODES",
    help="Also show these languages under each result, e.g. en,km.",
)
@click.option(
    "--domain",
    "-d",
    "domains",
    metavar="FIELDS",
    help="Only concepts of these subject fields, e.g. labour,fisheries.",
)
@click.option(
    "--no-history", is_flag=True, help="Neither read nor write the query history in this session."
)
def shell(pairs: tuple[str, ...], langs: str | None, domains: str | None, no_history: bool) -> None:
    """Search the termbase as you type, in the booth or at the interview table.

    Results appear under the prompt after every keystroke, the preferred term of each
    language of the pair first; Enter opens the full card. Commands start with ':'
    (:pair my th, :lang, :domain, :add, :history, :drill, :help, :quit); Ctrl-D quits.
    The query history stays in your data directory (--no-history to keep none).
    """
    from clinic.cli.common import parse_domains
    from clinic.shell.commands import CommandError, parse_languages

    chosen = [_pair(value) for value in pairs] or [("my", "th")]
    try:
        extras = parse_languages(split_csv(langs))
    except CommandError as error:
        raise ClinicError(error.message, field="--lang") from None
    domain_list = parse_domains(domains)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ClinicError(
            "the shell needs a terminal; in scripts use 'clinic lookup QUERY' instead"
        )
    from clinic.shell.app import run_shell

    run_shell(
        pair=chosen[0],
        pairs=chosen[1:],
        extras=extras,
        domains=domain_list,
        keep_history=not no_history,
    )
