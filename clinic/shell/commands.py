"""What the interpreter types after ':' in the shell, parsed into plain values.

    :pair my th      :lang km lo     :domain labour     :help     :quit
    :add ကြွေး = หนี้     :add th=หนี้สิน en=debt --to debt-bondage
    :history         :history clear
    :drill --domain labour --pair my th

Nothing here touches the terminal or the termbase, so every rule can be tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clinic.exceptions import ClinicError
from clinic.text import LANGUAGE_SCRIPTS, is_language_code, scripts_in


class CommandError(ClinicError):
    """A command the shell cannot run as typed; shown on the status line."""


NAMES = {
    "pair": "pair",
    "p": "pair",
    "lang": "lang",
    "langs": "lang",
    "l": "lang",
    "domain": "domain",
    "d": "domain",
    "help": "help",
    "h": "help",
    "?": "help",
    "quit": "quit",
    "q": "quit",
    "exit": "quit",
    "add": "add",
    "a": "add",
    "history": "history",
    "drill": "drill",
}

HELP: list[tuple[str, str]] = [
    ("typing", "search every language as you type (typos, Zawgyi, romanisation)"),
    ("/word", "force a fuzzy search (near misses too)"),
    ("Up / Down", "choose a concept; Enter opens its full card, Esc goes back"),
    ("Tab", "swap the pair (my ⇄ th becomes th ⇄ my)"),
    ("F2", "next language pair used in this session"),
    ("Ctrl-P / Ctrl-N", "earlier / later queries from the history"),
    ("PgUp / PgDn", "scroll a long card or list"),
    ("Ctrl-L", "redraw the screen"),
    ("Ctrl-D, :quit", "leave the shell"),
    (":pair my th", "choose the language pair"),
    (":lang km lo", "also show these languages (:lang all, :lang off, :lang lists)"),
    (":domain labour", "only these subject fields (:domain all; :domain lists them)"),
    (":add LEFT = RIGHT", "save a draft term: left and right language of the pair"),
    (":add th=.. en=..", "save a draft with explicit languages"),
    (":add .. --to ID", "add the term to an existing concept ('.' = the open card)"),
    (":history", "recent queries (kept only in your data directory)"),
    (":history clear", "forget every query"),
    (":drill", "flashcards for the pair (--domain D, --pair my th, --limit N)"),
    (":help", "this help"),
]


@dataclass
class Command:
    name: str
    args: list[str] = field(default_factory=list)
    rest: str = ""  # everything after the command word, as typed


def is_command(text: str) -> bool:
    return text.lstrip().startswith(":")


def parse_command(text: str) -> Command:
    """':pair my th' -> Command('pair', ['my', 'th'], 'my th')."""
    body = text.strip()
    if body.startswith(":"):
        body = body[1:].lstrip()
    word, _, rest = body.partition(" ")
    if not word:
        raise CommandError("type a command after ':' (see :help)")
    name = NAMES.get(word.lower())
    if name is None:
        raise CommandError(f"unknown command ':{_short(word)}' (see :help)")
    rest = rest.strip()
    return Command(name, rest.split(), rest)


def matching_help(text: str) -> list[tuple[str, str]]:
    """The help entries for what is typed so far after ':' (all of them for ':')."""
    word = text.strip().lstrip(":").split(" ")[0].lower()
    if not word:
        return [entry for entry in HELP if entry[0].startswith(":")]
    names = {name for alias, name in NAMES.items() if alias.startswith(word)}
    return [
        entry for entry in HELP if entry[0].startswith(":") and entry[0][1:].split(" ")[0] in names
    ]


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def check_language(code: str, known: set[str] | None = None) -> str:
    code = code.strip()
    if not is_language_code(code) or (known is not None and code not in known):
        hint = f" (known: {', '.join(sorted(known))})" if known else ""
        raise CommandError(f"unknown language code '{_short(code, 12)}'{hint}")
    return code


def parse_pair(args: list[str], known: set[str] | None = None) -> tuple[str, str]:
    """['my', 'th'], ['my,th'], ['my:th'] or ['my/th'] -> ('my', 'th')."""
    codes = [c for arg in args for c in re.split(r"[,:/⇄]+", arg) if c]
    if len(codes) != 2:
        raise CommandError("a pair is two language codes, e.g. :pair my th")
    first, second = (check_language(c, known) for c in codes)
    if first == second:
        raise CommandError("a pair needs two different languages")
    return first, second


def parse_languages(args: list[str], known: set[str] | None = None) -> list[str]:
    codes = [c for arg in args for c in re.split(r"[,\s]+", arg) if c]
    return list(dict.fromkeys(check_language(c, known) for c in codes))


def parse_domains(args: list[str], known: dict[str, str]) -> list[str]:
    names = [d for arg in args for d in arg.split(",") if d]
    for name in names:
        if name not in known:
            raise CommandError(
                f"unknown subject field '{_short(name)}' (known: {', '.join(known)})"
            )
    return list(dict.fromkeys(names))


# --- :drill ---------------------------------------------------------------------------


@dataclass
class DrillRequest:
    pair: tuple[str, str] | None = None
    domains: list[str] = field(default_factory=list)
    limit: int = 20


def parse_drill(
    args: list[str], known_langs: set[str] | None, known_domains: dict[str, str]
) -> DrillRequest:
    """':drill --domain labour --pair my th --limit 10'."""
    request = DrillRequest()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--domain", "-d"):
            if i + 1 >= len(args):
                raise CommandError("--domain needs a subject field, e.g. --domain labour")
            request.domains += parse_domains([args[i + 1]], known_domains)
            i += 2
        elif arg in ("--pair", "-p"):
            values = args[i + 1 : i + 3]
            if values and re.search(r"[,:/]", values[0]):
                values = values[:1]
            request.pair = parse_pair(values, known_langs)
            i += 1 + len(values)
        elif arg in ("--limit", "-n"):
            value = args[i + 1] if i + 1 < len(args) else ""
            if not value.isdigit() or not 1 <= int(value) <= 500:
                raise CommandError("--limit needs a number from 1 to 500")
            request.limit = int(value)
            i += 2
        else:
            raise CommandError(
                f"unknown drill option '{_short(arg)}' (use --domain D, --pair A B, --limit N)"
            )
    return request


# --- :add -----------------------------------------------------------------------------


@dataclass
class AddRequest:
    terms: list[tuple[str, str]]  # (language, text) in the order given
    to: str | None = None  # an existing concept's id ('.' = the open card)
    domains: list[str] = field(default_factory=list)


_LANG_PREFIX = re.compile(r"(?:^|\s)([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)=")
_OPTION = re.compile(r"(?:^|\s)--(to|domain)(?:\s+|=)(\S+)")


def _language_for(text: str, pair: tuple[str, str]) -> str | None:
    """The pair language whose script text is written in, when only one of them fits."""
    scripts = scripts_in(text)
    if len(scripts) != 1:
        return None
    (script,) = scripts
    fitting = [lang for lang in pair if LANGUAGE_SCRIPTS.get(lang, "Latin") == script]
    return fitting[0] if len(fitting) == 1 else None


def parse_add(
    rest: str,
    pair: tuple[str, str],
    known_domains: dict[str, str],
    known_langs: set[str] | None = None,
) -> AddRequest:
    """The terms of ':add ...'.

    'LEFT = RIGHT' gives the left and right languages of the pair (either side may be
    empty: most booth notes hold one language only); a side written in the script of
    the other pair language goes to that language, so 'หนี้ = ကြွေး' with the pair
    my ⇄ th is understood. 'th=TEXT en=TEXT' names the languages. '--to ID' adds to an
    existing concept, '--domain D' sets the subject field of a new one.
    """
    to = None
    domains: list[str] = []
    for match in list(_OPTION.finditer(rest)):
        if match.group(1) == "to":
            to = match.group(2)
        else:
            domains += parse_domains([match.group(2)], known_domains)
    text = _OPTION.sub(" ", rest).strip()
    if not text:
        raise CommandError("nothing to add: type ':add LEFT = RIGHT' or ':add th=... en=...'")
    terms: list[tuple[str, str]] = []
    marks = list(_LANG_PREFIX.finditer(text))
    if marks and not text[: marks[0].start()].strip():
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            value = text[mark.end() : end].strip()
            if value:
                terms.append((check_language(mark.group(1), known_langs), value))
    else:
        left, sep, right = text.partition("=")
        sides = [(pair[0], left.strip()), (pair[1], right.strip())] if sep else []
        if not sep:
            sides = [(_language_for(text, pair) or _fallback_language(text, pair), text)]
        elif left.strip() and right.strip():
            by_script = [_language_for(value, pair) for _, value in sides]
            if by_script[0] is not None and by_script[0] == by_script[1]:
                raise CommandError(
                    f"both sides look like {by_script[0]}; name the languages, "
                    "e.g. :add th=... en=..."
                )
            if by_script == [pair[1], pair[0]]:
                sides = [(pair[1], left.strip()), (pair[0], right.strip())]
        else:
            value = left.strip() or right.strip()
            lang = pair[0] if left.strip() else pair[1]
            guessed = _language_for(value, pair)
            sides = [(guessed or lang, value)]
        terms = [(lang, value) for lang, value in sides if value]
    if not terms:
        raise CommandError("nothing to add: each language needs some text")
    from clinic.text import LANGUAGE_SCRIPTS, scripts_in

    for lang, value in terms:
        script, found = LANGUAGE_SCRIPTS.get(lang), scripts_in(value)
        if script and found and script not in found:
            # 'หนี้ = debt' in a my-th session must not store Thai as Burmese
            raise CommandError(
                f"the {lang} side is not written in {script} script; name the languages, "
                "e.g. :add th=... en=..."
            )
    langs = [lang for lang, _ in terms]
    if len(set(langs)) != len(langs):
        raise CommandError("give each language once in one :add")
    return AddRequest(terms, to, domains)


def _fallback_language(text: str, pair: tuple[str, str]) -> str:
    """A single term in neither pair language's script: Latin goes to English, any
    other script to the first language written in it, else the pair's left language."""
    scripts = scripts_in(text)
    for lang in pair:
        if scripts == {LANGUAGE_SCRIPTS.get(lang, "Latin")}:
            return lang
    for lang, script in LANGUAGE_SCRIPTS.items():
        if scripts == {script}:
            return lang
    return pair[0]
