"""The shell's screen: a prompt_toolkit Application over the termbase worker.

    row 0        clinic   my ⇄ th (Burmese ⇄ Thai)  domain: all        header
    row 1        > การค้า                                                 the query
    row 2        2 found                                                 status
    rows 3..-2   results, a card, help, history or a drill               body
    last row     Enter card  Up/Down choose  Tab swap ...                keys

Every termbase call goes through `TermbaseWorker` (one thread, one open connection);
results come back to the screen's event loop with call_soon_threadsafe, so the screen
redraws as soon as they arrive and typing never waits for them. Only Enter waits for
the search of what is typed, a few milliseconds, so that it opens the card of the
query on screen and not of an older one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.styles import Style

from clinic.shell import commands, view
from clinic.shell.drafts import add_terms, new_concept, unicode_terms
from clinic.shell.drill import DrillFile, DrillSession, choose, next_due
from clinic.shell.history import HistoryError, QueryHistory
from clinic.shell.query import live_query
from clinic.shell.width import Line
from clinic.shell.worker import Outcome, TermbaseWorker
from clinic.termbase.model import SUBJECT_FIELDS, Concept
from clinic.termbase.termbase import Termbase
from clinic.text import LANGUAGE_NAMES

STYLE = Style.from_dict(
    {
        "header": "reverse",
        "footer": "reverse",
        "prompt": "bold",
        "status": "",
        "status.error": "bold",
        # Two names for "no visible style", alternated every frame: Shell._frame_style.
        "frame-0": "bg:default",
        "frame-1": "bg:default",
    }
)
CHROME_ROWS = 4  # header, query, status, footer
SEARCH_WAIT = 2.0  # seconds Enter may wait for the search of what is typed
SEARCHING_AFTER = 0.15  # seconds before a running search is mentioned on the status line


class DottedCircleForLoneMark(Processor):
    """Draw U+25CC before a combining mark that starts the query (Zawgyi puts the E vowel
    first; a lone Thai vowel typed first): a terminal draws a mark with no base letter
    as nothing, so the interpreter would not see what was typed."""

    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        import unicodedata

        text = "".join(fragment[1] for fragment in ti.fragments)
        if not text or not unicodedata.category(text[0]).startswith("M"):
            return Transformation(ti.fragments)
        style = ti.fragments[0][0] if ti.fragments else ""
        return Transformation(
            [(style, "\u25cc"), *ti.fragments],
            source_to_display=lambda i: i + 1,
            display_to_source=lambda i: max(i - 1, 0),
        )


class Shell:
    """The interactive session. `app` is the prompt_toolkit Application; everything
    else is state that the tests can read."""

    def __init__(
        self,
        termbase: Termbase,
        *,
        pair: tuple[str, str] = ("my", "th"),
        pairs: Sequence[tuple[str, str]] = (),
        extras: Sequence[str] = (),
        domains: Sequence[str] = (),
        history: QueryHistory | None = None,
        drill_file: DrillFile | None = None,
        today: dt.date | None = None,
        limit: int = 10,
        debounce: float = 0.0,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self.worker = TermbaseWorker(termbase, debounce=debounce)
        self.pair = pair
        self.pairs: list[tuple[str, str]] = list(dict.fromkeys([pair, *pairs]))
        self.extras: list[str] = list(extras)
        self.domains: list[str] = list(domains)
        self.history = history
        self.drill_file = drill_file
        self.today = today or dt.date.today()
        self.limit = limit
        self.termbase_languages: list[str] = []

        self.mode = "list"  # list, card, help, history, message, drill
        self.outcome: Outcome | None = None
        self.searching = False
        self.selected = 0
        self.scroll = 0
        self.card_hit: Any = None
        self.status = "opening the termbase…"
        self.status_is_error = False
        self.message = ""
        self.drill: DrillSession | None = None
        self.drill_next_due: str | None = None
        self.last_query = ""
        self.notice = ""
        self.drawn_generation = 0  # the search whose results were last drawn
        self._history_position: int | None = None
        self._quiet = False
        self._frame = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.ready: Future[Any] | None = None

        self.buffer = Buffer(multiline=False, on_text_changed=self._text_changed)
        self.app: Application[None] = self._build(input, output)

    # --- layout ------------------------------------------------------------------------

    def _build(self, input: Input | None, output: Output | None) -> Application[None]:
        query_row = VSplit(
            [
                Window(FormattedTextControl([("class:prompt", "> ")]), width=2, height=1),
                Window(
                    BufferControl(self.buffer, input_processors=[DottedCircleForLoneMark()]),
                    height=1,
                    style=self._frame_style,
                ),
            ]
        )
        body = Window(
            FormattedTextControl(self._body_fragments),
            wrap_lines=False,
            always_hide_cursor=True,
            style=self._frame_style,
        )
        layout = Layout(
            HSplit(
                [
                    Window(
                        FormattedTextControl(self._header_fragments),
                        height=1,
                        style="class:header",
                        wrap_lines=False,
                    ),
                    query_row,
                    Window(
                        FormattedTextControl(self._status_fragments),
                        height=1,
                        wrap_lines=False,
                        style=self._frame_style,
                    ),
                    body,
                    Window(
                        FormattedTextControl(self._footer_fragments),
                        height=1,
                        style="class:footer",
                        wrap_lines=False,
                    ),
                ]
            ),
            focused_element=self.buffer,
        )
        app: Application[None] = Application(
            layout=layout,
            key_bindings=self._key_bindings(),
            style=STYLE,
            full_screen=True,
            mouse_support=False,
            input=input,
            output=output,
            before_render=self._next_frame,
            # No colour when NO_COLOR is set (no-color.org), whatever the output is;
            # every mark is also written out in words, so nothing is lost.
            color_depth=ColorDepth.DEPTH_1_BIT if os.environ.get("NO_COLOR") else None,
        )
        app.ttimeoutlen = 0.05  # Esc must not wait half a second for a key sequence
        app.timeoutlen = 0.3
        return app

    def _next_frame(self, _app: Any) -> None:
        self._frame += 1

    def _frame_style(self) -> str:
        """A style that changes name every frame, so that prompt_toolkit redraws every
        cell of the query, status and body rows instead of only the cells it thinks
        changed. Its diff moves the cursor by its own width of each character, and
        for Burmese and Khmer that differs from the terminal's (see
        clinic.shell.width): a diff of one Burmese line over another overwrote a
        visarga in tmux. Redrawing whole rows left to right lets the terminal place
        every character itself; the style has a (default) background so that the
        rows are written to their end, clearing what a wider line left behind."""
        return f"class:frame-{self._frame % 2}"

    def size(self) -> tuple[int, int]:
        """(columns, body rows) of the screen; one column is kept free at the right."""
        size = self.app.output.get_size()
        return max(size.columns - 1, 10), max(size.rows - CHROME_ROWS, 1)

    @staticmethod
    def _fragments(lines: list[Line]) -> StyleAndTextTuples:
        from prompt_toolkit.utils import get_cwidth

        out: StyleAndTextTuples = []
        for i, line in enumerate(lines):
            if i:
                out.append(("", "\n"))
            pieces = [(view.pt_style(style), text) for text, style in line if text]
            out += pieces
            if pieces and get_cwidth(pieces[-1][1][-1]) == 0:
                # prompt_toolkit merges a zero-width mark into the cell before it but
                # also leaves it in the next cell, which only the next character
                # overwrites: a line ending in a Thai or Burmese mark (ย์, က်) would
                # show the mark twice. A space after it takes that cell.
                out.append(("", " "))
        return out

    def _header_fragments(self) -> StyleAndTextTuples:
        width, _ = self.size()
        mode = "drill" if self.mode == "drill" else ""
        return self._fragments([view.header(self.pair, self.extras, self.domains, width, mode)])

    def _status_fragments(self) -> StyleAndTextTuples:
        width, _ = self.size()
        style = "class:status.error" if self.status_is_error else "class:status"
        return self._fragments([[(view.truncate_status(self.status, width), style)]])

    def _footer_fragments(self) -> StyleAndTextTuples:
        width, _ = self.size()
        return self._fragments([view.footer(self.footer_mode(), width)])

    def footer_mode(self) -> str:
        if self.mode == "drill" and self.drill is not None:
            if self.drill.done:
                return "drill-done"
            return "drill-back" if self.drill.revealed else "drill-front"
        if self.mode == "card":
            return "card"
        if self.mode in ("help", "history", "message"):
            return "text"
        return "list"

    def _body_fragments(self) -> StyleAndTextTuples:
        width, height = self.size()
        lines = self.body_lines(width, height)
        if self.mode in ("card", "help", "history", "message"):
            lines = self._scrolled(lines, height)
        return self._fragments(lines[:height])

    def _scrolled(self, lines: list[Line], height: int) -> list[Line]:
        self.scroll = max(0, min(self.scroll, len(lines) - height))
        shown = lines[self.scroll : self.scroll + height]
        if self.scroll + height < len(lines):
            shown = shown[: height - 1] + [[("   … more below (PgDn)", "dim")]]
        return shown

    def body_lines(self, width: int, height: int) -> list[Line]:
        """The body for the current view (not yet scrolled)."""
        if self.mode == "drill" and self.drill is not None:
            return view.drill_lines(self.drill, width, self.drill_next_due)
        if self.mode == "card" and self.card_hit is not None:
            return view.card_lines(self.card_hit.concept, self.card_hit, self.shown(), width)
        if self.mode == "help":
            return view.help_lines(width)
        if self.mode == "history":
            return view.history_lines(self.recent(), width, height)
        if self.mode == "message":
            return view.message_lines(self.message, width)
        text = self.buffer.text
        if commands.is_command(text):
            return view.command_hint_lines(commands.matching_help(text), width)
        if not text.strip():
            return view.welcome_lines(width, self.recent())
        if self.outcome is None or self.outcome.result is None:
            return []
        self.drawn_generation = self.outcome.generation
        return view.result_lines(
            self.outcome.result.hits, self.shown(), width, height, self.selected
        )

    def shown(self) -> list[str]:
        return view.shown_languages(self.pair, self.extras)

    def recent(self) -> list[str]:
        """The query history, oldest first ([] when it is off or cannot be read: the
        error is shown once on the status line and the file is left alone)."""
        if self.history is None:
            return []
        try:
            return self.history.entries()
        except HistoryError as error:
            self.history = None
            self.set_status(f"history off for this session: {_error_text(error)}", error=True)
            return []

    # --- talking to the worker -------------------------------------------------------

    def _post(self, fn: Callable[[], None]) -> None:
        """Run fn on the screen's event loop (from any thread), then redraw."""

        def run() -> None:
            try:
                fn()
            except Exception as error:  # a bug must not take the session down
                self.set_status(_error_text(error), error=True)
            self.app.invalidate()

        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(run)
        else:
            fn()

    def _in_worker(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        failed: Callable[[Exception], None] | None = None,
    ) -> Future[Any]:
        """fn(termbase, *args) on the termbase thread; `then(result)` or
        `failed(error)` back on the screen's loop."""
        future = self.worker.submit(fn, *args)

        def finished(done: Future[Any]) -> None:
            if done.cancelled():
                return
            error = done.exception()
            if error is not None:
                report = failed or self._show_error
                self._post(lambda: report(error))  # type: ignore[arg-type]
            elif then is not None:
                result = done.result()
                self._post(lambda: then(result))

        future.add_done_callback(finished)
        return future

    def _show_error(self, error: BaseException) -> None:
        self.set_status(_error_text(error), error=True)

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status = text
        self.status_is_error = error

    def start(self) -> None:
        """Open the termbase and load the slow imports before the first keystroke."""
        self._loop = asyncio.get_running_loop() if _loop_running() else None
        if self.ready is None:
            self.ready = self._in_worker(_warm_up, then=self._ready)

    def _ready(self, languages: list[str]) -> None:
        self.termbase_languages = languages
        missing = [lang for lang in self.pair if lang not in languages]
        if missing:
            self.set_status(
                f"the termbase has no terms in {', '.join(missing)} yet; "
                f"languages: {', '.join(languages)}",
                error=True,
            )
        elif self.status.startswith("opening"):
            self.set_status(f"ready: {len(languages)} languages; type a term")

    def known_languages(self) -> set[str]:
        return set(self.termbase_languages) | set(LANGUAGE_NAMES)

    # --- typing ------------------------------------------------------------------------

    def set_query(self, text: str, *, quiet: bool = False) -> None:
        self._quiet = quiet
        try:
            self.buffer.set_document(_document(text), bypass_readonly=True)
        finally:
            self._quiet = False

    def _text_changed(self, _buffer: Buffer) -> None:
        if self._quiet:
            return
        self._history_position = None
        if self.mode in ("card", "help", "history", "message"):
            self.mode = "list"
        self.search_now()

    def search_now(self, *, forced: bool = False) -> Future[Outcome | None] | None:
        """Ask for the results of what is typed (none for a command, for nothing, or
        for a single letter unless forced: see clinic.shell.query)."""
        text = self.buffer.text
        self.selected = 0
        live = None if commands.is_command(text) else live_query(text, forced=forced)
        if live is None:
            self.worker.cancel_searches()
            self.outcome = None
            self.searching = False
            if commands.is_command(text):
                self.set_status("a command: Enter runs it, Esc cancels")
            elif text.strip():
                self.set_status("type another letter (Enter searches this one)")
            else:
                self.set_status("")
            return None
        self.searching = True
        self.last_query = text
        future = self.worker.search(
            live.query,
            domains=self.domains or None,
            mode=live.mode,
            limit=self.limit,
            done=lambda outcome: self._post(lambda: self._found(outcome)),
        )
        if self._loop is not None:
            self._loop.call_later(SEARCHING_AFTER, self._still_searching, self.worker.latest)
        return future

    def _still_searching(self, generation: int) -> None:
        """Say so when a search takes long enough to be noticed (a first search that
        builds the index, a very common prefix)."""
        current = self.outcome is not None and self.outcome.generation >= generation
        if self.searching and generation == self.worker.latest and not current:
            self.set_status("searching…")
            self.app.invalidate()

    def _found(self, outcome: Outcome) -> None:
        if outcome.generation != self.worker.latest:
            return  # typing went on meanwhile
        if self.outcome is not None and self.outcome.generation == outcome.generation:
            return  # already shown (Enter waited for it)
        self.outcome = outcome
        self.searching = False
        self.selected = 0
        result = outcome.result
        if outcome.error is not None or result is None:
            self.set_status(_error_text(outcome.error), error=True)
        elif result.hits:
            notes = [f"{len(result.hits)} found"]
            if self.notice:  # say what was just saved along with the results
                notes.insert(0, self.notice)
                self.notice = ""
            if result.zawgyi_converted:
                notes.append(f"Zawgyi input: searched as Unicode {result.searched_as}")
            if self.domains:
                notes.append(f"in {', '.join(self.domains)}")
            self.set_status(" · ".join(notes))
        else:
            hint = f"; did you mean: {', '.join(result.suggestions)}?" if result.suggestions else ""
            where = f" in {', '.join(self.domains)}" if self.domains else ""
            self.set_status(f"nothing found{where}{hint}")

    def _current_outcome(self) -> Outcome | None:
        """The outcome for what is typed, waiting briefly if its search is running."""
        if self.outcome is not None and self.outcome.generation == self.worker.latest:
            return self.outcome
        future = self.search_now(forced=True)
        if future is None:
            return None
        try:
            outcome = future.result(timeout=SEARCH_WAIT)
        except Exception:
            return None
        if outcome is not None:
            self._found(outcome)
        return self.outcome

    # --- actions (key bindings call these) --------------------------------------------

    def enter(self) -> None:
        text = self.buffer.text
        if commands.is_command(text):
            self.run_command(text)
            return
        if not text.strip() or self.mode == "card":
            return
        shown = self.outcome is not None and self.outcome.generation == self.worker.latest
        outcome = self._current_outcome()
        if outcome is None or outcome.result is None or not outcome.result.hits:
            return
        if not shown and live_query(text) is None:
            return  # a single letter: Enter showed its results; the next Enter opens
        hits = outcome.result.hits
        self.card_hit = hits[min(self.selected, len(hits) - 1)]
        self.mode = "card"
        self.scroll = 0
        self.set_status(f"card: {self.card_hit.concept['id']}")
        if self.history is not None:
            self._in_worker(_remember, self.history, text.strip())

    def escape(self) -> None:
        if self.mode == "drill":
            self.stop_drill()
        elif self.mode != "list":
            self.mode = "list"
            self.set_status("")
        elif self.buffer.text:
            self.set_query("")
            self.set_status("")

    def move(self, step: int) -> None:
        if self.mode == "list":
            hits = self.outcome.result.hits if self.outcome and self.outcome.result else []
            if hits:
                self.selected = max(0, min(self.selected + step, len(hits) - 1))
        elif self.mode in ("card", "help", "history", "message"):
            self.scroll = max(0, self.scroll + step)

    def page(self, direction: int) -> None:
        _, height = self.size()
        if self.mode == "list":
            self.move(3 * direction)
        else:
            self.scroll = max(0, self.scroll + direction * max(height - 2, 1))

    def swap_pair(self) -> None:
        swapped = (self.pair[1], self.pair[0])
        self.pairs = [swapped if p == self.pair else p for p in self.pairs]
        self.pair = swapped
        self.set_status(f"pair: {view.pair_label(self.pair)}")

    def next_pair(self) -> None:
        if len(self.pairs) < 2:
            self.set_status("one pair only: add one with :pair A B (Tab swaps this one)")
            return
        position = self.pairs.index(self.pair) if self.pair in self.pairs else -1
        self.pair = self.pairs[(position + 1) % len(self.pairs)]
        self.set_status(f"pair: {view.pair_label(self.pair)}")

    def set_pair(self, pair: tuple[str, str]) -> None:
        self.pair = pair
        if pair not in self.pairs and (pair[1], pair[0]) not in self.pairs:
            self.pairs.append(pair)
        else:
            self.pairs = [pair if p in (pair, (pair[1], pair[0])) else p for p in self.pairs]
        self.set_status(f"pair: {view.pair_label(pair)}")

    def recall(self, step: int) -> None:
        """Ctrl-P / Ctrl-N: earlier or later queries from the history."""
        entries = self.recent()
        if not entries:
            self.set_status("the history is empty")
            return
        position = len(entries) if self._history_position is None else self._history_position
        position = max(0, min(position + step, len(entries)))
        text = entries[position] if position < len(entries) else ""
        self.set_query(text)
        self._history_position = position

    # --- commands ----------------------------------------------------------------------

    def run_command(self, text: str) -> None:
        try:
            command = commands.parse_command(text)
            self.set_status("")
            self._dispatch(command)
            if self.buffer.text == text:  # a command that did not set a new query
                self.set_query("", quiet=True)
        except commands.CommandError as error:
            self.set_status(str(error), error=True)
        self.app.invalidate()

    def _dispatch(self, command: commands.Command) -> None:
        name, args = command.name, command.args
        if name == "quit":
            self.quit()
        elif name == "help":
            self._show("help")
        elif name == "pair":
            if not args:
                ring = ", ".join(view.pair_label(p) for p in self.pairs)
                self._message(
                    f"Language pair: {view.pair_label(self.pair)}\n"
                    f"Pairs this session (F2 cycles): {ring}\n"
                    "Change it with :pair A B, swap it with Tab."
                )
            else:
                self.set_pair(commands.parse_pair(args, self.known_languages()))
                self._back_to_results()
        elif name == "lang":
            self._lang(args)
        elif name == "domain":
            self._domain(args)
        elif name == "history":
            self._history(args)
        elif name == "add":
            self._add(command.rest)
        elif name == "drill":
            self._start_drill(args)

    def _show(self, mode: str) -> None:
        self.mode = mode
        self.scroll = 0

    def _message(self, text: str) -> None:
        self.message = text
        self._show("message")

    def _lang(self, args: list[str]) -> None:
        if not args:
            names = "\n".join(
                f"  {code:<4} {LANGUAGE_NAMES.get(code, '')}" for code in self.termbase_languages
            )
            shown = ", ".join(self.shown())
            self._message(
                f"Shown: {shown}\nLanguages in the termbase:\n{names}\n"
                ":lang km lo shows these too; :lang all; :lang off (the pair only)."
            )
            return
        if args[0] in ("off", "none", "pair"):
            self.extras = []
        elif args[0] == "all":
            self.extras = [lang for lang in self.termbase_languages if lang not in self.pair]
        else:
            self.extras = commands.parse_languages(args, self.known_languages())
        self.set_status(f"showing {', '.join(self.shown())}")
        self._back_to_results()

    def _back_to_results(self) -> None:
        """After a command that changes what results show: the last query again."""
        self.mode = "list"
        if self.last_query:
            self.set_query(self.last_query)

    def _domain(self, args: list[str]) -> None:
        if not args:
            names = "\n".join(f"  {code:<20}{label}" for code, label in SUBJECT_FIELDS.items())
            current = ", ".join(self.domains) or "all"
            self._message(
                f"Subject fields searched: {current}\n{names}\n"
                ":domain labour,fisheries limits the search; :domain all."
            )
            return
        if args[0] in ("all", "off", "none"):
            self.domains = []
        else:
            self.domains = commands.parse_domains(args, SUBJECT_FIELDS)
        self.set_status(f"domain: {', '.join(self.domains) or 'all'}")
        self._back_to_results()

    def _history(self, args: list[str]) -> None:
        if self.history is None:
            self.set_status("the history is off in this session")
            return
        if args and args[0] == "clear":
            self._in_worker(
                _forget, self.history, then=lambda _: self.set_status("history cleared")
            )
            self.mode = "list"
            return
        if args:
            raise commands.CommandError("use :history or :history clear")
        self._show("history")

    def _add(self, rest: str) -> None:
        request = commands.parse_add(rest, self.pair, SUBJECT_FIELDS, self.known_languages())
        target = request.to
        if target == ".":
            if self.card_hit is None:
                raise commands.CommandError("'--to .' needs an open card (Enter on a result)")
            target = self.card_hit.concept["id"]
        domains = request.domains or self.domains
        self.set_status("saving the draft…")
        first_text = request.terms[0][1]

        def saved(outcome: tuple[Concept, bool]) -> None:
            concept, converted = outcome
            langs = ", ".join(lang for lang, _ in request.terms)
            verb = "added draft to" if target else "saved new draft"
            self.notice = f"{verb} {concept['id']} ({langs}); review it later"
            if converted:
                self.notice += " (Zawgyi converted to Unicode)"
            self.set_status(self.notice)
            self.mode = "list"
            if not self.buffer.text.strip():  # never throw away what was typed meanwhile
                self.set_query(first_text)

        def not_saved(error: Exception) -> None:
            # kept as a notice too, so that the next search's status cannot hide it
            self.notice = f"NOT SAVED: {_error_text(error)}"
            self.set_status(self.notice, error=True)

        self._in_worker(
            _save_draft, request.terms, target, domains, self.today, then=saved, failed=not_saved
        )

    def _start_drill(self, args: list[str]) -> None:
        if self.drill_file is None:
            raise commands.CommandError("the drill is off in this session")
        request = commands.parse_drill(args, self.known_languages(), SUBJECT_FIELDS)
        front, back = request.pair or self.pair
        domains = request.domains or self.domains
        self.set_status("preparing the drill…")

        def begin(prepared: tuple[list[Any], dict[str, Any]]) -> None:
            cards, records = prepared
            if not cards:
                later = next_due(records, front, back)
                where = f" in {', '.join(domains)}" if domains else ""
                self.set_status(
                    f"nothing due for {front} → {back}{where}"
                    + (
                        f"; next review on {later}"
                        if later
                        else f": no concept has terms in both {front} and {back}"
                    ),
                )
                return
            self.drill = DrillSession(cards, records, self.today)
            self.mode = "drill"
            self.set_status(f"drill: {len(cards)} cards, {front} → {back}")

        self._in_worker(
            _prepare_drill,
            self.drill_file,
            front,
            back,
            domains,
            self.today,
            request.limit,
            then=begin,
        )

    # --- drill ------------------------------------------------------------------------

    def drill_key(self, key: str) -> None:
        session = self.drill
        if session is None:
            return
        if session.done:
            self.stop_drill()
            return
        if not session.revealed:
            if key in (" ", "enter"):
                session.reveal()
            return
        if key in ("y", "n"):
            card_key, record = session.answer(knew=key == "y")
            if self.drill_file is not None:
                self._in_worker(_save_record, self.drill_file, card_key, record)
            if session.done:
                self.drill_next_due = next_due(
                    session.records, session.cards[0].front, session.cards[0].back
                )
                self.set_status(session.summary())

    def stop_drill(self) -> None:
        if self.drill is not None:
            self.set_status(self.drill.summary())
        self.drill = None
        self.mode = "list"

    def quit(self) -> None:
        if self.app.is_running:
            self.app.exit()

    # --- keys --------------------------------------------------------------------------

    def _key_bindings(self) -> KeyBindings:
        from prompt_toolkit.filters import Condition

        kb = KeyBindings()
        drilling = Condition(lambda: self.mode == "drill")
        searching = ~drilling

        @kb.add(Keys.Any, filter=drilling)
        def _ignore(event: KeyPressEvent) -> None:
            """While drilling, other keys must not type a query; once the drill is
            over, any key goes back to the search."""
            if self.drill is not None and self.drill.done:
                self.stop_drill()

        for key in (" ", "enter", "y", "n", "Y", "N"):

            @kb.add(key, filter=drilling)
            def _drill(event: KeyPressEvent, key: str = key) -> None:
                self.drill_key(key.lower())

        kb.add("enter", filter=searching)(lambda event: self.enter())
        # eager: Esc acts at once instead of waiting to see if it starts an Alt-key
        kb.add("escape", eager=True)(lambda event: self.escape())
        kb.add("up", filter=searching)(lambda event: self.move(-1))
        kb.add("down", filter=searching)(lambda event: self.move(1))
        kb.add("pageup", filter=searching)(lambda event: self.page(-1))
        kb.add("pagedown", filter=searching)(lambda event: self.page(1))
        kb.add("tab", filter=searching)(lambda event: self.swap_pair())
        kb.add("f2", filter=searching)(lambda event: self.next_pair())
        kb.add("c-p", filter=searching)(lambda event: self.recall(-1))
        kb.add("c-n", filter=searching)(lambda event: self.recall(1))
        kb.add("c-l")(lambda event: event.app.renderer.clear())
        kb.add("c-d")(lambda event: self.quit())

        @kb.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            if self.mode == "drill":
                self.stop_drill()
            elif self.buffer.text:
                self.set_query("")
            else:
                self.set_status("Ctrl-D or :quit leaves the shell")

        return kb

    # --- running -----------------------------------------------------------------------

    def run(self) -> None:
        """Run until Ctrl-D or :quit; the termbase is closed on the way out."""
        try:
            self.app.run(pre_run=self.start)
        finally:
            self.worker.close()


# --- jobs for the termbase thread ------------------------------------------------------


def _warm_up(termbase: Termbase) -> list[str]:
    """Open (or first seed) the termbase and import what a first search of each kind
    would otherwise pay for: rapidfuzz for typos, the Zawgyi detector for Burmese."""
    languages = termbase.languages()
    from clinic.text import zawgyi_probability

    zawgyi_probability("\u1000\u102c")
    import rapidfuzz.fuzz  # noqa: F401

    return languages


def _remember(_termbase: Termbase, history: QueryHistory, query: str) -> None:
    history.add(query)


def _forget(_termbase: Termbase, history: QueryHistory) -> None:
    history.clear()


def _exists(termbase: Termbase, concept_id: str) -> bool:
    from clinic.exceptions import NothingFound

    try:
        termbase.get(concept_id)
    except NothingFound:
        return False
    return True


def _save_draft(
    termbase: Termbase,
    terms: list[tuple[str, str]],
    target: str | None,
    domains: list[str],
    today: dt.date,
) -> tuple[Concept, bool]:
    """Save the draft; returns the concept and whether Zawgyi input was converted."""
    terms, converted = unicode_terms(terms)
    if target:
        # read and changed under the writers' lock: nobody's edit is lost
        return termbase.modify(target, lambda current: add_terms(current, terms, today)), converted
    concept = new_concept(terms, today, domains=domains, taken=lambda cid: _exists(termbase, cid))
    return termbase.add(concept), converted


def _prepare_drill(
    termbase: Termbase,
    drill_file: DrillFile,
    front: str,
    back: str,
    domains: list[str],
    today: dt.date,
    limit: int,
) -> tuple[list[Any], dict[str, Any]]:
    records = drill_file.load()
    concepts = termbase.concepts(domains=domains or None)
    return choose(concepts, front, back, records, today, limit), records


def _save_record(
    _termbase: Termbase, drill_file: DrillFile, key: str, record: dict[str, Any]
) -> None:
    drill_file.save(key, record)


# --- small helpers ----------------------------------------------------------------------


def _error_text(error: BaseException | None) -> str:
    from clinic.exceptions import ClinicError

    if isinstance(error, ClinicError) and not isinstance(error, commands.CommandError):
        # the status line is narrow: what went wrong first, the file after it
        field = f"{error.field}: " if error.field else ""
        where = f" ({error.path})" if error.path else ""
        return f"{field}{error.message}{where}"
    if isinstance(error, ClinicError):
        return str(error)
    if error is None:
        return "the search failed"
    return f"internal error ({type(error).__name__}); the shell goes on"


def _document(text: str) -> Any:
    from prompt_toolkit.document import Document

    return Document(text, len(text))


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_shell(
    home: Path | None = None,
    *,
    pair: tuple[str, str] = ("my", "th"),
    pairs: Sequence[tuple[str, str]] = (),
    extras: Sequence[str] = (),
    domains: Sequence[str] = (),
    keep_history: bool = True,
) -> None:
    """Open the shell on the user's termbase (the CLI's `clinic shell`)."""
    from clinic import paths

    home = home or paths.home()
    shell = Shell(
        Termbase(home),
        pair=pair,
        pairs=pairs,
        extras=extras,
        domains=domains,
        history=QueryHistory.in_home(home) if keep_history else None,
        drill_file=DrillFile.in_home(home),
    )
    shell.run()
