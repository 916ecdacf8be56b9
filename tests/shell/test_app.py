"""The shell driven through prompt_toolkit's pipe input, read back from its screen."""

from __future__ import annotations

import json
import re
import stat
import threading
import time
from pathlib import Path

import pytest
from shell_driver import SESSION_DAY

from clinic.shell.app import Shell
from clinic.shell.width import display_width
from clinic.termbase.termbase import Termbase


def test_typing_shows_results_with_the_pair_first(make_shell) -> None:
    shell = make_shell()
    assert "my ⇄ th" in shell.rows[0]
    shell.search("traff")
    text = shell.text
    assert "trafficking-in-persons" in text
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if "trafficking-in-persons" in line)
    # the pair's languages, in the pair's order, right under the concept
    assert lines[head + 1].split()[:2] == ["my", "လူကုန်ကူးမှု"]
    assert lines[head + 2].split()[:2] == ["th", "การค้ามนุษย์"]
    assert "[draft]" in lines[head + 2]
    # the match was in English, a language not shown: the header says how it matched
    assert "en: trafficking in persons" in lines[head]


def test_results_change_with_every_keystroke(make_shell) -> None:
    shell = make_shell()
    shell.search("smug")
    assert "smuggling-of-migrants" in shell.text
    assert "trafficking-in-persons" not in shell.text
    shell.key("backspace", "backspace", "backspace", "backspace")
    shell.search("การค้า")
    assert "trafficking-in-persons" in shell.text


def test_deprecated_terms_are_marked_do_not_say(make_shell) -> None:
    shell = make_shell(extras=["en"])
    shell.search("illegal migrant")
    lines = shell.text.splitlines()
    head = next(i for i, line in enumerate(lines) if "irregular-migrant" in line)
    assert "(do not say)" in lines[head]  # the query itself is a deprecated term
    block = "\n".join(lines[head : head + 5])
    assert "do not say: illegal migrant" in block
    assert "en  irregular migrant" in block  # the preferred term comes first


def test_enter_opens_the_full_card_and_esc_goes_back(make_shell) -> None:
    shell = make_shell()
    shell.search("debt")
    shell.key("enter")
    shell.wait_for("(ILO Indicators of")  # the definition's source
    text = shell.text
    assert "debt-bondage" in text
    assert "km  ពលកម្មជាប់បំណុល" in text  # every language, not only the pair
    assert shell.shell.mode == "card"
    shell.key("esc")
    shell.wait(lambda: shell.shell.mode == "list", "the list")
    shell.wait(lambda: "ILO Indicators" not in shell.text, "the card to close")


def test_down_then_enter_opens_the_second_result(make_shell) -> None:
    shell = make_shell()
    shell.search("migrant")
    hits = shell.shell.outcome.result.hits
    assert len(hits) >= 2
    second = hits[1].concept["id"]
    shell.key("down")
    shell.wait(lambda: shell.shell.selected == 1, "the selection to move")
    shell.wait(
        lambda: any(line.startswith(">") and second in line for line in shell.rows),
        "the marker on the second result",
    )
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    assert shell.shell.card_hit.concept["id"] == second


def test_enter_right_after_typing_opens_the_card_of_what_was_typed(make_shell) -> None:
    shell = make_shell()
    shell.type("smuggling\r")  # no pause: Enter waits for this query's search
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    assert shell.shell.card_hit.concept["id"] == "smuggling-of-migrants"


def test_pair_command_and_tab_switch_the_pair(make_shell) -> None:
    shell = make_shell()
    shell.search("debt")
    shell.command(":pair km lo")
    shell.wait(lambda: "km ⇄ lo" in shell.rows[0], "the new pair in the header")
    # the last query comes back, shown in the new pair
    shell.wait_for("km  ពលកម្មជាប់បំណុល")
    assert shell.shell.pair == ("km", "lo")
    shell.key("tab")
    shell.wait(lambda: "lo ⇄ km" in shell.rows[0], "the swapped pair")
    shell.key("f2")  # back to the first pair of the session
    shell.wait(lambda: "my ⇄ th" in shell.rows[0], "the first pair again")


def test_pair_command_refuses_an_unknown_language(make_shell) -> None:
    shell = make_shell()
    shell.command(":pair my zz")
    shell.wait_for("unknown language code 'zz'")
    assert shell.shell.pair == ("my", "th")


def test_lang_and_domain_commands(make_shell) -> None:
    shell = make_shell()
    shell.search("trafficking in")
    shell.command(":lang vi")
    shell.wait_for("vi  buôn bán người")
    shell.command(":domain labour")
    shell.wait(lambda: "domain: labour" in shell.rows[0], "the domain in the header")
    shell.wait_for("nothing found in labour")
    shell.command(":domain all")
    shell.wait_for("trafficking-in-persons")


def test_add_saves_a_draft_that_a_later_search_finds(make_shell, home: Path) -> None:
    shell = make_shell()
    shell.command(":add ဒဏ်ကြေးငွေ = ค่าปรับหนี้")
    shell.wait_for("saved new draft")
    shell.stop()

    # a new session (and the store itself) finds it, as a dated draft
    again = make_shell()
    again.search("ค่าปรับ")
    assert "ค่าปรับหนี้ [draft]" in again.text
    concept = again.shell.outcome.result.hits[0].concept
    assert set(concept["terms"]) == {"my", "th"}
    term = concept["terms"]["th"][0]
    assert term["review"] == "draft"
    assert SESSION_DAY.isoformat() in term["source"]
    assert SESSION_DAY.isoformat() in term["note"]
    stored = [c for c in Termbase(home).read_store() if c["id"] == concept["id"]]
    assert stored and stored[0]["terms"]["my"][0]["text"] == "ဒဏ်ကြေးငွေ"


def test_add_to_the_open_card(make_shell, home: Path) -> None:
    shell = make_shell()
    shell.search("debt bondage")
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    shell.command(":add th=แรงงานขัดหนี้ --to .")
    shell.wait_for("added draft to debt-bondage")
    stored = {c["id"]: c for c in Termbase(home).read_store()}
    thai = stored["debt-bondage"]["terms"]["th"]
    assert [t["text"] for t in thai] == ["แรงงานขัดหนี้"]
    assert thai[0]["review"] == "draft"


def test_history_is_kept_in_the_data_directory_and_cleared(make_shell, home: Path) -> None:
    shell = make_shell()
    shell.search("debt")
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    history_file = home / "shell-history.json"
    shell.wait(history_file.exists, "the history file")
    assert json.loads(history_file.read_text())["queries"] == ["debt"]
    assert stat.S_IMODE(history_file.stat().st_mode) == 0o600
    shell.stop()

    again = make_shell()
    again.key("c-p")  # the query of the last session comes back
    again.wait(lambda: again.shell.buffer.text == "debt", "the recalled query")
    again.command(":history")
    again.wait_for("1  debt")
    again.command(":history clear")
    again.wait_for("history cleared")
    assert not history_file.exists()


def test_no_history_session_writes_none(make_shell, home: Path) -> None:
    shell = make_shell(history=None)
    shell.search("debt")
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    shell.command(":history")
    shell.wait_for("history is off")
    assert not (home / "shell-history.json").exists()


def test_drill_schedules_the_next_review(make_shell, home: Path) -> None:
    shell = make_shell()
    shell.command(":drill --pair th my")
    shell.wait(lambda: shell.shell.mode == "drill", "the drill")
    session = shell.shell.drill
    first = session.current
    assert first.front == "th" and first.back == "my"
    shell.wait_for(first.front_text)
    back_text = first.concept["terms"]["my"][0]["text"]
    assert back_text not in shell.text  # not revealed yet
    shell.key("enter")
    shell.wait_for(back_text)
    shell.wait_for("Knew it?")
    shell.type("y")
    shell.wait(lambda: session.position == 1, "the next card")
    drill_file = home / "drill.json"
    shell.wait(drill_file.exists, "the schedule file")
    record = json.loads(drill_file.read_text())["cards"][first.key]
    assert record["box"] == 1
    assert record["due"] == "2030-03-05"  # box 1: the next day
    assert stat.S_IMODE(drill_file.stat().st_mode) == 0o600
    shell.key("esc")
    shell.wait(lambda: shell.shell.mode == "list", "the end of the drill")


def test_drill_with_nothing_to_ask(make_shell) -> None:
    shell = make_shell()
    shell.command(":drill --domain children")
    shell.wait_for("nothing due")


def test_ctrl_d_quits(make_shell) -> None:
    shell = make_shell()
    shell.type("debt")
    shell.key("c-d")
    shell.thread.join(10)
    assert not shell.thread.is_alive()
    assert shell.error is None


def test_quit_command(make_shell) -> None:
    shell = make_shell()
    shell.command(":quit")
    shell.thread.join(10)
    assert not shell.thread.is_alive()


def test_nothing_on_screen_is_wider_than_80_columns(make_shell) -> None:
    shell = make_shell(extras=["km", "lo", "vi", "en"])
    for query in ("การค้า", "ကြွေး", "ការជួញដូរ", "ນ້ຳດື່ມ"):
        shell.clear()
        shell.search(query)
        assert len(shell.rows) == 24
        for row in shell.rows:
            assert display_width(row) <= 80, row
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    for row in shell.rows:
        assert display_width(row) <= 80, row


def test_unknown_command_is_reported_not_fatal(make_shell) -> None:
    shell = make_shell()
    shell.command(":frobnicate")
    shell.wait_for("unknown command ':frobnicate'")
    assert shell.shell.buffer.text == ":frobnicate"  # kept, to be corrected
    shell.clear()
    shell.search("debt")  # still working
    assert "debt-bondage" in shell.text


class BlockedTermbase(Termbase):
    """A termbase whose searches wait until the test lets them go."""

    gate = threading.Event()
    calls = 0
    queries: list[str] = []

    def search(self, query, **options):  # type: ignore[no-untyped-def]
        BlockedTermbase.calls += 1
        BlockedTermbase.queries.append(query)
        BlockedTermbase.gate.wait(10)
        return super().search(query, **options)


def test_typing_is_not_blocked_by_a_running_search(home: Path, termbase: Termbase) -> None:
    from prompt_toolkit.input import create_pipe_input
    from shell_driver import Driver, ScreenOutput

    BlockedTermbase.gate.clear()
    BlockedTermbase.calls = 0
    BlockedTermbase.queries = []
    with create_pipe_input() as pipe:
        output = ScreenOutput()
        shell = Shell(
            BlockedTermbase(home), input=pipe, output=output, history=None, drill_file=None
        )
        driver = Driver(shell, pipe, output).start()
        try:
            typed = ""
            for char in "trafficking":
                driver.type(char)
                typed += char
                # the row shows exactly what was typed so far (not merely what the
                # buffer holds yet: on a loaded machine keys can still be queued)
                driver.wait(lambda shown=f"> {typed}": driver.rows[1] == shown, "the echo")
                if typed == "tr":
                    # the first search must be running (and held) before typing goes on;
                    # otherwise a slow worker starts only after the last key and runs
                    # just that one search
                    driver.wait(lambda: BlockedTermbase.calls == 1, "the first search")
            # every keystroke was drawn while the first search was still running
            driver.wait(lambda: driver.rows[1] == "> trafficking", "the whole query")
            assert BlockedTermbase.calls == 1, BlockedTermbase.calls
            BlockedTermbase.gate.set()
            driver.wait_for("trafficking-in-persons")
            # the searches for 'tr', 'tra', ... went stale while waiting: skipped
            assert BlockedTermbase.calls == 2, BlockedTermbase.queries
        finally:
            BlockedTermbase.gate.set()
            driver.stop()


def test_worker_thread_owns_the_termbase(make_shell) -> None:
    shell = make_shell()
    shell.search("debt")
    names = {t.name for t in threading.enumerate()}
    assert any(name.startswith("clinic-termbase") for name in names)


def test_one_letter_waits_and_enter_searches_it(make_shell) -> None:
    shell = make_shell()
    shell.type("d")
    shell.wait_for("type another letter")
    assert shell.shell.outcome is None
    shell.key("enter")  # searches the single letter: results, no card yet
    shell.wait_for("debt-bondage")
    assert shell.shell.mode == "list"
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")


def _terminal(monkeypatch, no_color: bool):  # type: ignore[no-untyped-def]
    """A real VT100 output writing into a string, 80x24."""
    import io

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    written = io.StringIO()
    return written, Vt100_Output(written, lambda: Size(rows=24, columns=80), term="xterm-256color")


COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;|4[0-7]|10[0-7]|48;)[0-9;]*m")


@pytest.mark.parametrize("no_color", [True, False])
def test_no_color_terminal_gets_no_colour_but_every_mark(
    make_shell, monkeypatch, no_color: bool
) -> None:
    written, output = _terminal(monkeypatch, no_color)
    shell = make_shell(extras=["en"], output=output)
    shell.search("illegal migrant")
    text = shell.text
    assert "do not say: illegal migrant" in text
    assert "[draft]" in text
    assert any(row.startswith(">") for row in shell.rows[3:])  # the chosen result
    sent = written.getvalue()
    assert "do not say" in sent
    # colour codes only when colour is allowed; meaning never depends on them
    assert bool(COLOUR.search(sent)) is not no_color


def test_zawgyi_query_is_converted_and_said_so(make_shell) -> None:
    import icu

    unicode_text = "လူကုန်ကူးမှု"
    zawgyi = icu.Transliterator.createInstance("my-Zawgyi").transliterate(unicode_text)
    assert zawgyi != unicode_text
    shell = make_shell()
    shell.search(zawgyi)
    status = shell.rows[2]
    assert "Zawgyi input: searched as Unicode" in status
    # the status ends with the converted text, its last vowel sign drawn once
    assert status.endswith(unicode_text)
    assert "trafficking-in-persons" in shell.text


def test_lines_ending_in_a_mark_show_it_once(make_shell) -> None:
    # prompt_toolkit leaves a line's last zero-width mark in a cell of its own too;
    # การค้ามนุษย์ ends with THANTHAKHAT, so its history line would show it twice
    shell = make_shell()
    shell.search("การค้ามนุษย์")
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    shell.wait(lambda: shell.shell.history.entries() == ["การค้ามนุษย์"], "the history")
    shell.command(":history")
    shell.wait_for("1  การค้ามนุษย์")
    row = next(row for row in shell.rows if "1  การค้ามนุษย์" in row)
    assert row.endswith("1  การค้ามนุษย์")
    assert not row.endswith("\u0e4c\u0e4c")


def test_terminal_shows_what_the_shell_drew_while_typing_burmese(make_shell, monkeypatch) -> None:
    """Typed one key at a time, Burmese results replace each other row by row; a
    terminal that counts spacing vowel signs as a column (tmux, glibc) must end up
    with exactly the text of every row, nothing overwritten or left behind."""
    from shell_vt import Terminal

    written, output = _terminal(monkeypatch, no_color=True)
    shell = make_shell(output=output)
    for query in ("လူကုန်ကူးခံ", "ကြွေး", "ការជួញ", "ນ້ຳດື່ມ", "การค้า"):
        shell.clear()
        for char in query:
            shell.type(char)
            shell.wait(lambda c=char: shell.shell.buffer.text.endswith(c), "the key")
            time.sleep(0.02)
        shell.search("")
        terminal = Terminal(24, 80)
        terminal.feed(written.getvalue())
        for y in range(2, 23):  # status and body rows
            assert terminal.lines()[y] == shell.rows[y], (query, y)


def test_a_damaged_history_file_is_left_alone(make_shell, home: Path) -> None:
    history_file = home / "shell-history.json"
    history_file.write_text("{damaged")
    shell = make_shell()
    shell.wait_for("history off for this session")
    shell.search("debt")
    shell.key("enter")
    shell.wait(lambda: shell.shell.mode == "card", "the card")
    assert "debt-bondage" in shell.text
    assert history_file.read_text() == "{damaged"


def test_a_damaged_drill_file_is_reported_not_overwritten(make_shell, home: Path) -> None:
    drill_file = home / "drill.json"
    drill_file.write_text("[]")
    shell = make_shell()
    shell.command(":drill")
    shell.wait_for("not a clinic drill schedule")
    assert shell.shell.mode == "list"
    assert drill_file.read_text() == "[]"
