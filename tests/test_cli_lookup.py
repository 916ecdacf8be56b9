"""`clinic lookup` as a person uses it: cards, JSON, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clinic.termbase.termbase import Termbase


def test_card_shows_preferred_do_not_say_and_draft_marks(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    result = run("lookup", "illegal migrant")
    assert result.exit_code == 0
    out = result.output
    assert "irregular-migrant" in out
    assert "en  irregular migrant [draft]" in out
    assert "do not say: illegal migrant" in out
    assert "th  ผู้ย้ายถิ่นที่ไม่ปกติ (phu yai thin thi mai pokati) [draft] low confidence" in out
    assert "[draft] = translation not yet reviewed" in out  # the legend
    assert "\x1b[" not in out  # plain text when piped


def test_lang_option_limits_the_languages_shown(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    out = run("lookup", "trafficking", "--lang", "th,my", "--brief").output
    assert "การค้ามนุษย์" in out and "လူကုန်ကူးမှု" in out
    assert "ការជួញដូរមនុស្ស" not in out and "  en " not in out
    assert "Palermo" not in out  # --brief: no definition


def test_json_output(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    result = run("lookup", "ค้ามนุษ", "--json", "--lang", "en,th")
    data = json.loads(result.output)
    assert isinstance(data, list) and data[0]["id"] == "trafficking-in-persons"
    assert set(data[0]["terms"]) == {"en", "th"}
    assert data[0]["terms"]["th"][0]["text"] == "การค้ามนุษย์"
    assert data[0]["terms"]["th"][0]["status"] == "preferred"
    assert data[0]["match"]["tier"] == "substring"


def test_zawgyi_input_is_reported(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    zawgyi = "\u1031\u1082\u1000\u103c\u1038\u107f\u1019\u102e"
    result = run("lookup", zawgyi)
    assert result.exit_code == 0
    assert "Zawgyi input detected" in result.output
    assert "debt-bondage" in result.output


def test_nothing_found_exits_1_with_suggestions(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    result = run("lookup", "smugglnig of migrnts xx", "--exact")
    assert result.exit_code == 1
    assert "nothing found; did you mean: smuggling of migrants" in result.output
    result = run("lookup", "xqxqxq")
    assert result.exit_code == 1
    assert result.output.strip() == "clinic: nothing found"


def test_messages_never_repeat_the_query(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    # a query can be a person's name; errors and notices go to logs
    result = run("lookup", "Test Person Zzyzx")
    assert result.exit_code == 1 and "Zzyzx" not in result.output
    zawgyi = "\u1031\u1082\u1000\u103c\u1038\u107f\u1019\u102e"
    assert zawgyi not in run("lookup", zawgyi).output.split("debt-bondage")[0]


def test_bad_input_gives_one_line_and_exit_2(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    for args, needle in [
        (("lookup", "trafficking", "--lang", "xx"), "unknown language code 'xx'"),
        (("lookup", " "), "the query is empty"),
        (("lookup", "trafficking", "--domain", "nope"), "unknown subject field"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, args
        assert needle in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_damaged_store_is_reported_and_not_overwritten(termbase: Termbase, run) -> None:  # type: ignore[no-untyped-def]
    termbase.store_path.write_bytes(b'{"concepts": {"1": {"id": "tr')
    damaged = termbase.store_path.read_bytes()
    result = run("lookup", "trafficking")
    assert result.exit_code == 2
    assert "damaged" in result.output and "termbase.json" in result.output
    assert termbase.store_path.read_bytes() == damaged
    result = run("glossary", "add", "x", "--term", "en=x")
    assert result.exit_code == 2
    assert termbase.store_path.read_bytes() == damaged


def test_locked_store_times_out_cleanly(termbase: Termbase, run, home: Path) -> None:  # type: ignore[no-untyped-def]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from clinic.store import locked\n"
            "with locked(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(30)",
            str(termbase.store_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = termbase.store_path.read_bytes()
        result = run(
            "glossary", "add", "new-one", "--term", "en=new one", env={"CLINIC_LOCK_TIMEOUT": "0.5"}
        )
        assert result.exit_code == 2
        assert "another clinic process is writing" in result.output
        assert termbase.store_path.read_bytes() == before
        # reading never waits for the lock
        assert run("lookup", "trafficking").exit_code == 0
    finally:
        holder.kill()
        holder.wait()


def test_first_use_loads_the_shipped_glossary(run) -> None:  # type: ignore[no-untyped-def]
    result = run("lookup", "trafficking", "--json")
    assert result.exit_code == 0
    found = json.loads(result.output)
    assert any(c["id"] == "trafficking-in-persons" for c in found)


def test_rich_output_on_a_terminal_and_no_color(termbase: Termbase, home: Path) -> None:
    """Run a real process on a pseudo-terminal: styled there, plain with NO_COLOR."""
    import pty

    def on_tty(env_extra: dict[str, str]) -> str:
        env = {**os.environ, "CLINIC_HOME": str(home), "TERM": "xterm", **env_extra}
        env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "clinic", "lookup", "trafficking"],
            stdout=follower,
            stderr=follower,
            env=env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()
        os.close(leader)
        return b"".join(chunks).decode()

    styled = on_tty({})
    assert "\x1b[" in styled and "การค้ามนุษย์" in styled
    plain = on_tty({"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "การค้ามนุษย์" in plain
