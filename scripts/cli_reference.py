"""Write docs/cli.md, the command reference, from the commands' own --help.

python scripts/cli_reference.py          # rewrite docs/cli.md
python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"


def sections(command: click.Command, path: list[str]) -> list[str]:
    context = click.Context(
        command, info_name=" ".join(path), terminal_width=88, max_content_width=88
    )
    out = [
        f"{'#' * min(len(path) + 1, 4)} `{' '.join(path)}`",
        "",
        "```",
        command.get_help(context),
        "```",
        "",
    ]
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                out += sections(sub, [*path, name])
    return out


def render() -> str:
    header = [
        "# Command reference",
        "",
        "Generated from `--help` by `python scripts/cli_reference.py`; do not edit.",
        "",
    ]
    return "\n".join(header + sections(cli, ["clinic"]))


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        sys.exit(0 if current == text else 1)
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
