"""`clinic lookup QUERY`: find a concept from a term in any language."""

from __future__ import annotations

import click

from clinic.cli.common import echo_json, parse_domains, parse_languages, wants_rich
from clinic.exceptions import NothingFound


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--lang",
    "-l",
    "langs",
    metavar="CODES",
    help="Languages to show, e.g. en,th,my (default: all).",
)
@click.option(
    "--domain",
    "-d",
    "domains",
    metavar="FIELDS",
    help="Only concepts of these subject fields, e.g. labour,fisheries.",
)
@click.option("--exact", "mode", flag_value="exact", help="Exact matches only.")
@click.option(
    "--fuzzy",
    "mode",
    flag_value="fuzzy",
    help="Always add near misses (typos), not only when nothing else matched.",
)
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 500))
@click.option("--brief", is_flag=True, help="Terms only: no definitions or notes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of concepts.")
def lookup(
    query: tuple[str, ...],
    langs: str | None,
    domains: str | None,
    mode: str | None,
    limit: int,
    brief: bool,
    as_json: bool,
) -> None:
    """Find the concepts whose terms match QUERY, in any language: exact matches
    first, then terms starting with it, then terms containing it, then near misses.

    Thai, Lao, Khmer and Burmese are matched inside words; accents are optional in
    Latin script and Vietnamese; Burmese typed in Zawgyi is converted; romanised Thai
    works (kan kha manut). Exit code 1 when nothing is found.
    """
    from clinic.termbase.cards import card, concept_json, print_cards
    from clinic.termbase.termbase import Termbase

    text = " ".join(query)
    termbase = Termbase()
    lang_list = parse_languages(langs, termbase)
    domain_list = parse_domains(domains)
    result = termbase.search(text, domains=domain_list or None, mode=mode or "auto", limit=limit)
    # The notice never repeats the query: it could be a person's name.
    notices = ["Zawgyi input detected: converted to Unicode before searching"] * int(
        result.zawgyi_converted
    )
    if as_json:
        for notice in notices:
            click.echo(notice, err=True)
        echo_json(
            [
                {
                    **concept_json(hit.concept, lang_list or None),
                    "match": {**hit.to_json(), "zawgyi_converted": result.zawgyi_converted},
                }
                for hit in result.hits
            ]
        )
    elif result.hits:
        cards = [
            card(h.concept, langs=lang_list or None, match=h, details=not brief)
            for h in result.hits
        ]
        print_cards(cards, styled=wants_rich(), notices=notices)
    if not result.hits:
        hint = f"; did you mean: {', '.join(result.suggestions)}?" if result.suggestions else ""
        if notices and not as_json:
            click.echo(notices[0], err=True)
        raise NothingFound(f"nothing found{hint}")
