"""A tiny terminal for tests: plays prompt_toolkit's VT100 output onto a grid of cells
the way tmux and glibc terminals count widths (a non-spacing mark joins the cell
before it, every other character takes one column, wide ones two), so a test can see
what a person would see when the shell's idea of a width and the terminal's differ."""

from __future__ import annotations

import re

from clinic.shell.width import _cells

CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])")
OSC = re.compile(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


class Terminal:
    def __init__(self, rows: int = 24, columns: int = 80) -> None:
        self.rows, self.columns = rows, columns
        self.grid = [[" "] * columns for _ in range(rows)]
        self.x = self.y = 0

    def _put(self, char: str) -> None:
        width = _cells(char)
        if width == 0:
            if self.x > 0:
                self.grid[self.y][self.x - 1] += char
            return
        if self.x >= self.columns:  # autowrap is off: the last column is overwritten
            self.x = self.columns - 1
        self.grid[self.y][self.x] = char
        for extra in range(1, width):
            if self.x + extra < self.columns:
                self.grid[self.y][self.x + extra] = ""
        self.x += width

    def feed(self, data: str) -> None:
        i = 0
        while i < len(data):
            char = data[i]
            if char == "\x1b":
                match = CSI.match(data, i) or OSC.match(data, i)
                if match is None:
                    i += 2
                    continue
                if match.re is CSI:
                    self._csi(match.group(1), match.group(2), match.group(4))
                i = match.end()
                continue
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self.y = min(self.y + 1, self.rows - 1)
            elif char >= " ":
                self._put(char)
            i += 1

    def _csi(self, private: str, params: str, final: str) -> None:
        if private:
            return
        numbers = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = numbers[0] if numbers and numbers[0] else 1
        if final == "A":
            self.y = max(self.y - n, 0)
        elif final == "B":
            self.y = min(self.y + n, self.rows - 1)
        elif final == "C":
            self.x = min(self.x + n, self.columns - 1)
        elif final == "D":
            self.x = max(self.x - n, 0)
        elif final == "H":
            row = numbers[0] if numbers and numbers[0] else 1
            column = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y, self.x = row - 1, column - 1
        elif final == "K":
            for x in range(self.x, self.columns):
                self.grid[self.y][x] = " "
        elif final == "J":
            for x in range(self.x, self.columns):
                self.grid[self.y][x] = " "
            for y in range(self.y + 1, self.rows):
                self.grid[y] = [" "] * self.columns

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.grid]
