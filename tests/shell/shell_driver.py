"""Drive the shell as a person would: keys go in through prompt_toolkit's pipe input, and
what is on the 80x24 screen is read back from the renderer after every frame."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from prompt_toolkit.data_structures import Size
from prompt_toolkit.output import DummyOutput

from clinic.shell.app import Shell

KEYS = {
    "enter": "\r",
    "esc": "\x1b",
    "tab": "\t",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "pagedown": "\x1b[6~",
    "f2": "\x1bOQ",
    "c-d": "\x04",
    "c-c": "\x03",
    "c-p": "\x10",
    "c-n": "\x0e",
    "backspace": "\x7f",
}
SESSION_DAY = dt.date(2030, 3, 4)


class ScreenOutput(DummyOutput):
    """A terminal of a fixed size that draws nothing (the screen is read from the
    renderer instead)."""

    def __init__(self, rows: int = 24, columns: int = 80) -> None:
        self.size = Size(rows=rows, columns=columns)

    def get_size(self) -> Size:
        return self.size


def screen_rows(screen: Any, size: Size) -> list[str]:
    """The text of each row of a rendered prompt_toolkit Screen."""
    rows = []
    for y in range(size.rows):
        row = screen.data_buffer[y]
        rows.append("".join(row[x].char for x in range(size.columns)).rstrip())
    return rows


class Driver:
    def __init__(self, shell: Shell, pipe: Any, output: Any) -> None:
        self.shell = shell
        self.pipe = pipe
        self.size: Size = output.get_size()
        self.rows: list[str] = []
        self.frames = 0
        self.drawn = 0  # the generation of the search whose results the rows show
        self.ready_drawn = False  # a frame was drawn after the termbase opened
        self.error: BaseException | None = None
        shell.app.after_render += self._snapshot
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _snapshot(self, app: Any) -> None:
        screen = app.renderer.last_rendered_screen
        if screen is not None:
            self.rows = screen_rows(screen, self.size)
            self.drawn = self.shell.drawn_generation
            self.ready_drawn = bool(self.shell.termbase_languages)
            self.frames += 1

    def _run(self) -> None:
        try:
            self.shell.app.run(pre_run=self.shell.start, handle_sigint=False)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            self.shell.worker.close()

    def start(self) -> Driver:
        self.thread.start()
        self.wait(
            lambda: self.shell.ready is not None and self.shell.ready.done(), "the termbase to open"
        )
        self.wait(lambda: self.ready_drawn, "a frame after the termbase opened")
        return self

    @property
    def text(self) -> str:
        return "\n".join(self.rows)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.error is not None:
                raise self.error
            if condition():
                return
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text}")

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        self.wait(lambda: text in self.text, repr(text), timeout)

    def type(self, text: str) -> None:
        self.pipe.send_text(text)

    def key(self, *names: str) -> None:
        for name in names:
            self.pipe.send_text(KEYS[name])
            time.sleep(0.03)

    def search(self, query: str) -> None:
        """Type query and wait until its results (or 'nothing found') are on screen."""
        self.type(query)
        self.wait(lambda: self.shell.buffer.text.endswith(query), "the query to be typed")
        self.wait(
            lambda: (
                self.shell.outcome is not None
                and self.drawn == self.shell.outcome.generation == self.shell.worker.latest
            ),
            f"results for {query!r}",
        )

    def clear(self) -> None:
        self.key("esc", "esc")
        self.wait(lambda: self.shell.buffer.text == "", "the query to be cleared")

    def command(self, text: str) -> None:
        self.clear()
        self.type(text)
        self.wait(lambda: self.shell.buffer.text == text, "the command to be typed")
        self.key("enter")

    def stop(self) -> None:
        if self.thread.is_alive():
            self.key("c-d")
            self.thread.join(10)
