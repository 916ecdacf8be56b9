"""`clinic case ...`: case files. This module holds the `case` group; add further
subcommands with `@case.command()`. It holds no case-store logic: the commands are thin
shells over clinic.forms (and, later, the case store's own module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clinic.cli.common import echo_json
from clinic.exceptions import ClinicError


@click.group()
def case() -> None:
    """Case files: start one, fill one in by questions, check them."""


def _write_new_text(path: Path, text: str, force: bool) -> None:
    from clinic.forms.fill import write_new

    if path.is_dir():
        raise ClinicError("is a folder; give a file name", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new(path, text.encode("utf-8"), force)
    except OSError as error:
        raise ClinicError(f"cannot be written ({error.strerror or error})", path=path) from None


@case.command("new")
@click.argument("form")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The case file to write."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "th"]),
    default="en",
    show_default=True,
    help="Language of the comments.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def new(form: str, output: str, lang: str, force: bool) -> None:
    """Write a YAML skeleton of FORM: every field, commented with its label and help."""
    from clinic.forms.definitions import get_form
    from clinic.forms.intake import skeleton

    _write_new_text(Path(output), skeleton(get_form(form), lang), force)
    click.echo(f"wrote {output}: fill it in, then run `clinic case check {output}`")


@case.command("intake")
@click.argument("form")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The case file to write."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "th"]),
    default="en",
    show_default=True,
    help="Language of the questions.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def intake(form: str, output: str, lang: str, force: bool) -> None:
    """Ask for FORM's fields one by one, check each answer, and write the case file."""
    from rich.console import Console
    from rich.markup import escape
    from rich.prompt import Prompt

    from clinic.forms.definitions import get_form
    from clinic.forms.intake import UI, Question, interview

    definition = get_form(form)
    path = Path(output)
    if path.exists() and not force:  # say so before the questions, not after them
        raise ClinicError("already exists; use --force to replace it", path=path)
    console = Console(highlight=False)
    ui = UI[lang]

    def ask(question: Question) -> str:
        console.print()
        need = ui["required"] if question.required else ui["optional"]
        console.print(
            f"[bold]{escape(question.label)}[/bold] [dim]({escape(need)}; "
            f"{escape(question.kind)}) - {escape(question.path)}[/dim]"
        )
        if question.help:
            console.print(f"[dim]{escape(question.help)}[/dim]")
        if question.choices:
            for number, (value, label) in enumerate(question.choices, 1):
                console.print(f"  {number}. {escape(value)}  {escape(label)}")
            console.print(f"[dim]{escape(ui['choices'])}[/dim]")
        try:
            return str(
                Prompt.ask(
                    ">",
                    console=console,
                    default=question.default or "",
                    show_default=bool(question.default),
                )
            )
        except EOFError:
            raise click.Abort() from None

    def say(text: str) -> None:
        console.print(f"[red]{escape(text)}[/red]")

    text, problems = interview(definition, ask, say, lang)
    _write_new_text(path, text, force)
    click.echo(f"wrote {output}")
    for problem in problems:
        click.echo(f"  still to fix: {problem.field}: {problem.message}", err=True)
    if problems:
        raise ClinicError(
            f"{len(problems)} problem(s) left in the case file; edit it and "
            f"run `clinic case check {output}`",
            path=path,
        )


@case.command("check")
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--form", "form_name", help="Check against this form (default: the file's).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def check(cases: tuple[str, ...], form_name: str | None, as_json: bool) -> None:
    """Check case files against their form: every problem, with file:line:column."""
    from clinic.forms.casefile import check_case
    from clinic.forms.definitions import load_forms
    from clinic.forms.fill import error_json

    known = None
    if len(cases) > 1:  # the forms folder read once for all the files, not once each
        try:
            known = load_forms()
        except ClinicError:
            known = None  # each file reports what is wrong with the forms, as alone
    results = [check_case(path, form_name, known) for path in cases]
    if as_json:
        data: list[dict[str, Any]] = [
            {
                "file": str(r.source),
                "ok": r.ok,
                "form": r.case.form.name if r.case else None,
                "case_id": r.case.case_id if r.case else None,
                "errors": [error_json(e) for e in r.errors],
                "warnings": [error_json(w) for w in r.warnings],
            }
            for r in results
        ]
        echo_json(data)
    else:
        for r in results:
            for warning in r.warnings:
                click.echo(f"warning: {warning}", err=True)
            if r.ok and r.case is not None:
                click.echo(f"ok  {r.source} ({r.case.form.name}, {r.case.case_id})")
            else:
                for error in r.errors:
                    click.echo(str(error), err=True)
    bad = [r for r in results if not r.ok]
    if bad:
        errors = sum(len(r.errors) for r in bad)
        raise ClinicError(f"{errors} problem(s) in {len(bad)} of {len(results)} file(s)")


# The case-store commands (add, list, show, update, status, history, verify, purge,
# consent) live in their own module, beside the case-file commands above.
from clinic.cli.case_records import register as _register_case_store  # noqa: E402

_register_case_store(case)
