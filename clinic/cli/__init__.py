"""The `clinic` command: a thin shell over the library.

Subcommands live in their own modules and are imported only when invoked, so that
`clinic lookup` does not pay for docx, docxtpl, ICU or rapidfuzz at start-up.
Errors: a ClinicError ends with its one-line message and its exit code (2 for a user
mistake, 1 for "nothing found"); anything unexpected ends with a one-line notice and
exit code 3, without a traceback (it could hold personal data) unless CLINIC_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from clinic import __version__
from clinic.cli.common import LazyGroup
from clinic.exceptions import ClinicError

# name -> "module:attribute"; a module not present yet is simply not listed.
COMMANDS: dict[str, str] = {
    "lookup": "clinic.cli.lookup:lookup",
    "glossary": "clinic.cli.glossary:glossary",
    "forms": "clinic.cli.forms:forms",
    "case": "clinic.cli.case:case",
    "fill": "clinic.cli.forms:fill",
    "report": "clinic.cli.report:report",
    "store": "clinic.cli.store:store",
    "shell": "clinic.cli.shell:shell",
}


class ClinicFailure(click.ClickException):
    """A ClinicError (or an unexpected error) on its way out through Click."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # Click reads it per instance

    def show(self, file: Any = None) -> None:
        click.echo(f"clinic: {self.format_message()}", err=True)


class ClinicGroup(LazyGroup):
    """The root: lazy subcommands, and ClinicErrors turned into clean exits."""

    lazy_commands = COMMANDS

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClinicError as error:
            raise ClinicFailure(str(error), error.exit_code) from None
        except (
            click.ClickException,
            click.exceptions.Exit,
            click.Abort,
            KeyboardInterrupt,
            BrokenPipeError,
        ):
            raise  # Click's own handling (a closed pipe, `| head`, is not an error)
        except Exception as error:
            if os.environ.get("CLINIC_DEBUG"):
                raise
            raise ClinicFailure(
                f"internal error ({type(error).__name__}); nothing further was written. "
                "Run again with CLINIC_DEBUG=1 for details, and report it.",
                3,
            ) from None


@click.group(
    cls=ClinicGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help="Data directory (default: CLINIC_HOME, else the per-user data directory).",
)
@click.version_option(__version__, prog_name="clinic")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """clinic: terminology and paperwork for protecting migrants and victims of
    trafficking in Thailand.

    With no command on a terminal, opens the interactive lookup shell.
    """
    from clinic import paths

    paths.set_home(home)
    if ctx.invoked_subcommand is None:
        group: click.Group = ctx.command  # type: ignore[assignment]
        shell = group.get_command(ctx, "shell")
        if shell is not None and sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(shell)
        else:
            click.echo(ctx.get_help())


def main() -> None:
    cli.main(prog_name="clinic")
