"""Parsing what is typed after ':' (no terminal, no termbase)."""

from __future__ import annotations

import pytest

from clinic.shell.commands import (
    CommandError,
    is_command,
    matching_help,
    parse_add,
    parse_command,
    parse_drill,
    parse_languages,
    parse_pair,
)
from clinic.termbase.model import SUBJECT_FIELDS

KNOWN = {"en", "th", "my", "km", "lo", "vi"}


def test_parse_command_names_and_aliases() -> None:
    assert parse_command(":pair my th").name == "pair"
    assert parse_command(":pair my th").args == ["my", "th"]
    assert parse_command(":q").name == "quit"
    assert parse_command("  :HELP").name == "help"
    assert parse_command(":add a = b").rest == "a = b"
    with pytest.raises(CommandError, match="unknown command ':nope'"):
        parse_command(":nope")
    with pytest.raises(CommandError, match="type a command"):
        parse_command(":")


def test_is_command() -> None:
    assert is_command(":pair")
    assert is_command("  :x")
    assert not is_command("การค้า:")
    assert not is_command("")


@pytest.mark.parametrize("args", [["my", "th"], ["my,th"], ["my:th"], ["my/th"]])
def test_parse_pair_forms(args: list[str]) -> None:
    assert parse_pair(args, KNOWN) == ("my", "th")


def test_parse_pair_errors() -> None:
    with pytest.raises(CommandError, match="two language codes"):
        parse_pair(["my"], KNOWN)
    with pytest.raises(CommandError, match="two different"):
        parse_pair(["th", "th"], KNOWN)
    with pytest.raises(CommandError, match="unknown language code 'xx'"):
        parse_pair(["my", "xx"], KNOWN)
    with pytest.raises(CommandError, match="unknown language code"):
        parse_pair(["my", "Thai!"])


def test_parse_languages() -> None:
    assert parse_languages(["km,lo", "km", "vi"], KNOWN) == ["km", "lo", "vi"]


def test_matching_help() -> None:
    assert all(entry[0].startswith(":pair") for entry in matching_help(":pa"))
    assert len(matching_help(":")) > 5
    assert matching_help(":zzz") == []


PAIR = ("my", "th")


def test_add_left_equals_right_uses_the_pair() -> None:
    request = parse_add("ကြွေး = หนี้", PAIR, SUBJECT_FIELDS, KNOWN)
    assert request.terms == [("my", "ကြွေး"), ("th", "หนี้")]
    assert request.to is None


def test_add_understands_sides_written_the_other_way_round() -> None:
    request = parse_add("หนี้ = ကြွေး", PAIR, SUBJECT_FIELDS, KNOWN)
    assert sorted(request.terms) == [("my", "ကြွေး"), ("th", "หนี้")]


def test_add_one_side_only() -> None:
    assert parse_add("= หนี้", PAIR, SUBJECT_FIELDS).terms == [("th", "หนี้")]
    assert parse_add("ကြွေး", PAIR, SUBJECT_FIELDS).terms == [("my", "ကြွေး")]
    # a single term is given to the pair language written in its script
    assert parse_add("หนี้สิน", PAIR, SUBJECT_FIELDS).terms == [("th", "หนี้สิน")]
    # Latin text with neither pair language in Latin script: English
    assert parse_add("debt trap", PAIR, SUBJECT_FIELDS).terms == [("en", "debt trap")]


def test_add_with_language_codes_options_and_spaces() -> None:
    request = parse_add(
        "th=กับดัก หนี้ en=debt trap --to debt-bondage --domain labour", PAIR, SUBJECT_FIELDS, KNOWN
    )
    assert request.terms == [("th", "กับดัก หนี้"), ("en", "debt trap")]
    assert request.to == "debt-bondage"
    assert request.domains == ["labour"]


def test_add_errors() -> None:
    with pytest.raises(CommandError, match="nothing to add"):
        parse_add("", PAIR, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="nothing to add"):
        parse_add(" = ", PAIR, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="each language once"):
        parse_add("th=ก th=ข", PAIR, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="unknown subject field"):
        parse_add("x --domain nowhere", PAIR, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="unknown language code"):
        parse_add("zz=abc", PAIR, SUBJECT_FIELDS, KNOWN)


def test_parse_drill() -> None:
    request = parse_drill(
        ["--domain", "labour", "--pair", "th", "my", "--limit", "5"], KNOWN, SUBJECT_FIELDS
    )
    assert request.pair == ("th", "my")
    assert request.domains == ["labour"]
    assert request.limit == 5
    assert parse_drill(["--pair", "km,lo"], KNOWN, SUBJECT_FIELDS).pair == ("km", "lo")
    assert parse_drill([], KNOWN, SUBJECT_FIELDS).pair is None
    with pytest.raises(CommandError, match="unknown drill option"):
        parse_drill(["--fast"], KNOWN, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="--limit"):
        parse_drill(["--limit", "many"], KNOWN, SUBJECT_FIELDS)
    with pytest.raises(CommandError, match="--domain needs"):
        parse_drill(["--domain"], KNOWN, SUBJECT_FIELDS)


def test_live_query_waits_for_a_second_letter() -> None:
    from clinic.shell.query import LiveQuery, live_query

    assert live_query("s") is None
    assert live_query("s", forced=True) == LiveQuery("s", "auto")
    assert live_query("sm") == LiveQuery("sm", "auto")
    assert live_query("ยา") == LiveQuery("ยา", "auto")  # two code points: a Thai word
    assert live_query("/trafikcing") == LiveQuery("trafikcing", "fuzzy")
    assert live_query("/") is None
    assert live_query("   ") is None
    assert live_query("?!") == LiveQuery("?!", "auto")  # the search says why: no letters


def test_add_refuses_two_sides_in_one_script() -> None:
    with pytest.raises(CommandError, match="both sides look like th"):
        parse_add("หนี้ = หนี้สิน", PAIR, SUBJECT_FIELDS)


def test_add_refuses_a_side_in_the_wrong_script() -> None:
    import pytest

    from clinic.shell import commands
    from clinic.termbase.model import SUBJECT_FIELDS

    with pytest.raises(commands.CommandError, match="not written in"):
        commands.parse_add(
            "หนี้สินทดสอบ = debt test", ("my", "th"), SUBJECT_FIELDS, ["en", "th", "my"]
        )
