"""Run `clinic` with the case-store commands wired in (`case add/list/show/...`,
`report`, `store`), the way clinic.cli will carry them once they are wired there.
Used by bench_cases.py and the crash tests to start real command processes.

    python bench/clinic_wired.py --home DIR case add FILE...
"""

from __future__ import annotations

import click


def wire() -> click.Group:
    from clinic.cli import COMMANDS, cli
    from clinic.cli.case_records import COMMANDS as CASE_COMMANDS

    COMMANDS["report"] = "clinic.cli.report:report"
    COMMANDS["store"] = "clinic.cli.store:store"
    group: click.Group | None = None
    try:
        from clinic.cli import case as case_module

        found = getattr(case_module, "case", None)
        group = found if isinstance(found, click.Group) else None
    except Exception:
        group = None
    if group is None:
        group = click.Group("case")
        COMMANDS.pop("case", None)
        cli.add_command(group)
    for command in CASE_COMMANDS:
        if command.name not in group.commands:
            group.add_command(command)
    return cli


if __name__ == "__main__":
    wire().main(prog_name="clinic")
