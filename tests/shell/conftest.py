"""The make_shell fixture: a shell on the fixture termbase, driven through a pipe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from shell_driver import SESSION_DAY, Driver, ScreenOutput

from clinic.shell.app import Shell
from clinic.shell.drill import DrillFile
from clinic.shell.history import QueryHistory
from clinic.termbase.termbase import Termbase


@pytest.fixture
def make_shell(termbase: Termbase, home: Path) -> Iterator[Callable[..., Driver]]:
    """make_shell(**Shell options) -> a started Driver on the fixture termbase."""
    drivers: list[Driver] = []
    pipes: list[Any] = []

    def make(rows: int = 24, columns: int = 80, output: Any = None, **options: Any) -> Driver:
        pipe_context = create_pipe_input()
        pipe = pipe_context.__enter__()
        pipes.append(pipe_context)
        output = output or ScreenOutput(rows, columns)
        options.setdefault("history", QueryHistory.in_home(home))
        options.setdefault("drill_file", DrillFile.in_home(home))
        options.setdefault("today", SESSION_DAY)
        shell = Shell(Termbase(home), input=pipe, output=output, **options)
        driver = Driver(shell, pipe, output)
        drivers.append(driver)
        return driver.start()

    yield make
    for driver in drivers:
        driver.stop()
    for context in pipes:
        context.__exit__(None, None, None)
