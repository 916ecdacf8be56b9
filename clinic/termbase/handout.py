"""Workshop handouts: a Word document of the termbase, one table per subject field,
one column per language, that a trainer can print as it is (and a PDF through
LibreOffice).

Fonts: Word picks the font of a Thai, Lao, Khmer or Burmese character from the
complex-script slot of the run (`w:rFonts/@w:cs`, sized by `w:szCs`), which
python-docx's Font API does not set (research notes: glossary_anchors.md §3.8,
docs_anchors.md §6). So every run here holds text of one script and spells out all
its font slots itself. The font names are clinic's shared ones (clinic.termbase.fonts,
which CLINIC_FONT_TH=... and the like override), and --font overrides them here: TH
Sarabun New for Thai (the Thai government's standard font; its glyphs are small, hence
15 pt), Padauk for Burmese (Pyidaungsu, the Myanmar government's, is not freely
packaged: --font my=Pyidaungsu), Khmer OS for Khmer, Noto Sans Lao for Lao (or
--font lo="Phetsarath OT").

The output is deterministic: the same termbase, options and date give the same
bytes (fixed document properties and zip timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.termbase.model import SUBJECT_FIELDS, Concept, Term, is_phrase, preferred
from clinic.text import LANGUAGE_NAMES, LANGUAGE_SCRIPTS, script_of

# Point sizes per language; TH Sarabun draws small for its size, documents use 15-16 pt.
SIZES: dict[str, float] = {"th": 15, "lo": 11, "my": 11, "ksw": 11, "shn": 11}
BODY_SIZE = 10.5


def default_font(lang: str) -> tuple[str, float]:
    """(font, size in points) of a language unless the caller chose another."""
    from clinic.termbase.fonts import font_for

    return font_for(lang), SIZES.get(lang, BODY_SIZE)


# The language whose font a run of each script takes when it is not the column's own.
SCRIPT_LANGUAGE = {"Latin": "en", "Thai": "th", "Lao": "lo", "Khmer": "km", "Myanmar": "my"}
# w:lang values: complex scripts go in w:bidi (Word's complex-script language).
WORD_LANGUAGE = {
    "en": "en-GB",
    "vi": "vi-VN",
    "th": "th-TH",
    "lo": "lo-LA",
    "km": "km-KH",
    "my": "my-MM",
    "ksw": "my-MM",
    "shn": "my-MM",
}
NATIVE_NAMES = {"th": "ไทย", "my": "မြန်မာ", "km": "ខ្មែរ", "lo": "ລາວ", "vi": "Tiếng Việt"}
SOURCE_LANGUAGE = "en"
DRAFT_MARK = "\u2020"  # †
AVOID = "avoid"
LEGEND = (
    f"{DRAFT_MARK} translation not yet reviewed by a certified interpreter: check it before "
    f"relying on it.   Struck-through terms marked \u201c{AVOID}\u201d are deprecated: do not "
    "use them."
)
GREY = "666666"
RED = "B00000"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class HandoutOptions:
    langs: list[str]
    domains: list[str] | None = None
    sort_by: str | None = None
    definitions: bool = False
    phrases: bool = False
    title: str = "Glossary"
    date: str = field(default_factory=lambda: dt.date.today().isoformat())
    fonts: dict[str, tuple[str, float]] = field(default_factory=dict)
    source_lang: str = SOURCE_LANGUAGE

    def font(self, lang: str) -> tuple[str, float]:
        return self.fonts.get(lang) or default_font(lang)


def parse_font_options(values: list[str]) -> dict[str, tuple[str, float]]:
    """'th=TH Sarabun PSK' or 'th=TH Sarabun PSK:16' -> {'th': ('TH Sarabun PSK', 16.0)}."""
    fonts: dict[str, tuple[str, float]] = {}
    for value in values:
        lang, sep, rest = value.partition("=")
        lang = lang.strip()
        if not sep or not lang or not rest.strip():
            raise ClinicError(
                "expected LANG=FONT or LANG=FONT:SIZE, e.g. my=Pyidaungsu", field="--font"
            )
        name, colon, size = rest.rpartition(":")
        if not colon:
            name, size = rest, ""
        try:
            points = float(size) if size else default_font(lang)[1]
        except ValueError:
            raise ClinicError(
                "the size after ':' must be a number of points", field="--font"
            ) from None
        if not 4 <= points <= 72:
            raise ClinicError("font sizes must be between 4 and 72 points", field="--font")
        fonts[lang] = (name.strip(), points)
    return fonts


# --- runs: one script each, every font slot set -----------------------------------


def script_runs(text: str) -> list[tuple[str, str | None]]:
    """Split text where the script changes; spaces, digits and punctuation stay with
    the run they are in (or the one that follows, at the start)."""
    runs: list[tuple[str, str | None]] = []
    current: list[str] = []
    script: str | None = None
    for char in text:
        found = script_of(char)
        if found is not None and script is not None and found != script:
            runs.append(("".join(current), script))
            current = []
        if found is not None:
            script = found
        current.append(char)
    if current:
        runs.append(("".join(current), script))
    return runs


class _Writer:
    """Adds runs with explicit fonts to python-docx paragraphs."""

    def __init__(self, options: HandoutOptions) -> None:
        self.options = options

    def _font_for(self, script: str | None, column_lang: str | None) -> tuple[str, str, float]:
        """(language whose font is used, font, size) for a run of `script`."""
        lang = column_lang or "en"
        if script is None or script != LANGUAGE_SCRIPTS.get(lang, "Latin"):
            lang = SCRIPT_LANGUAGE.get(script or "Latin", "en")
        font, size = self.options.font(lang)
        return lang, font, size

    def add(
        self,
        paragraph: Any,
        text: str,
        *,
        lang: str | None = None,
        bold: bool = False,
        italic: bool = False,
        strike: bool = False,
        color: str | None = None,
        scale: float = 1.0,
    ) -> None:
        for piece, script in script_runs(text):
            self.run(
                paragraph,
                piece,
                script=script,
                lang=lang,
                bold=bold,
                italic=italic,
                strike=strike,
                color=color,
                scale=scale,
            )

    def run(
        self,
        paragraph: Any,
        text: str | None,
        *,
        script: str | None,
        lang: str | None = None,
        bold: bool = False,
        italic: bool = False,
        strike: bool = False,
        color: str | None = None,
        scale: float = 1.0,
    ) -> Any:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        run = paragraph.add_run(text) if text is not None else paragraph.add_run()
        font_lang, font, size = self._font_for(script, lang)
        latin_font = self.options.font("en")[0]
        complex_script = script not in (None, "Latin")
        half_points = str(round(size * scale * 2))
        rpr = run._r.get_or_add_rPr()
        for child in list(rpr):
            rpr.remove(child)

        def add(tag: str, **attrs: str) -> None:
            element = OxmlElement(tag)
            for key, value in attrs.items():
                element.set(qn(key), value)
            rpr.append(element)

        # Children in the order CT_RPr (ECMA-376 §17.3.2.28) requires.
        add(
            "w:rFonts",
            **{
                "w:ascii": latin_font,
                "w:hAnsi": latin_font,
                "w:eastAsia": latin_font,
                "w:cs": font,
            },
        )
        if bold:
            add("w:b")
            add("w:bCs")
        if italic:
            add("w:i")
            add("w:iCs")
        if strike:
            add("w:strike")
        if color:
            add("w:color", **{"w:val": color})
        add("w:sz", **{"w:val": half_points})
        add("w:szCs", **{"w:val": half_points})
        if complex_script:
            add("w:cs")
            add(
                "w:lang",
                **{"w:val": WORD_LANGUAGE["en"], "w:bidi": WORD_LANGUAGE.get(font_lang, "en-GB")},
            )
        else:
            add("w:lang", **{"w:val": WORD_LANGUAGE.get(font_lang, "en-GB")})
        return run

    def field(self, paragraph: Any, instruction: str, placeholder: str) -> None:
        """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        def char(kind: str) -> None:
            run = self.run(paragraph, None, script="Latin", color=GREY, scale=0.85)
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)

        char("begin")
        run = self.run(paragraph, None, script="Latin", color=GREY, scale=0.85)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        run._r.append(instr)
        char("separate")
        self.run(paragraph, placeholder, script="Latin", color=GREY, scale=0.85)
        char("end")


# --- content ----------------------------------------------------------------------


def sections(concepts: list[Concept], options: HandoutOptions) -> list[tuple[str, list[Concept]]]:
    """(heading, concepts) in print order: one section per subject field (in the order
    asked for, else the model's), each concept in the first of its fields that is
    shown; phrasebook entries in a section of their own when asked for."""
    order = options.domains or list(SUBJECT_FIELDS)
    groups: dict[str, list[Concept]] = {name: [] for name in order}
    phrases: list[Concept] = []
    for concept in concepts:
        if not any(concept.get("terms", {}).get(lang) for lang in options.langs):
            continue
        if is_phrase(concept):
            if options.phrases:
                phrases.append(concept)
            continue
        home = next((f for f in concept.get("subject_fields", []) if f in groups), None)
        if home is None and not options.domains:
            groups.setdefault("other", []).append(concept)
        elif home is not None:
            groups[home].append(concept)
    key = _sort_key(options)
    out = [
        (SUBJECT_FIELDS.get(name, "Other terms").capitalize(), sorted(items, key=key))
        for name, items in groups.items()
        if items
    ]
    if phrases:
        out.append(("Phrases", sorted(phrases, key=key)))
    return out


def _sort_key(options: HandoutOptions) -> Any:
    from clinic.termbase.collation import sort_key

    lang = options.sort_by or options.langs[0]
    by_lang = sort_key(lang)
    fallback = sort_key(options.source_lang)

    def key(concept: Concept) -> tuple[int, Any, Any, str]:
        term = preferred(concept, lang)
        if term is not None:
            return 0, by_lang(term["text"]), b"", concept["id"]
        other = preferred(concept, options.source_lang)
        return 1, b"", fallback(other["text"]) if other else b"", concept["id"]

    return key


def _cell_terms(
    writer: _Writer, cell: Any, terms: list[Term], lang: str, options: HandoutOptions
) -> None:
    usable = sorted(
        (t for t in terms if t.get("status") != "deprecated"),
        key=lambda t: t.get("status") != "preferred",
    )
    avoid = [t for t in terms if t.get("status") == "deprecated"]
    paragraph = cell.paragraphs[0]
    if not usable and not avoid:
        writer.add(paragraph, "\u2014", lang=lang, color=GREY)
        return
    first = True
    for term in usable:
        if not first:
            paragraph = cell.add_paragraph()
        writer.add(paragraph, term["text"], lang=lang, bold=first, scale=1.0 if first else 0.9)
        _marks(writer, paragraph, term, lang, options)
        first = False
    for term in avoid:
        if not first:
            paragraph = cell.add_paragraph()
        writer.add(paragraph, term["text"], lang=lang, strike=True, color=RED, scale=0.9)
        writer.add(paragraph, f" {AVOID}", lang="en", italic=True, color=RED, scale=0.8)
        first = False


def _marks(writer: _Writer, paragraph: Any, term: Term, lang: str, options: HandoutOptions) -> None:
    if term.get("roman") and (lang == "th" or not term.get("roman_auto")):
        writer.add(paragraph, f" ({term['roman']})", lang="en", color=GREY, scale=0.8)
    if lang != options.source_lang and term.get("review") != "reviewed":
        writer.add(paragraph, f" {DRAFT_MARK}", lang="en", color=GREY)


def _cell_definition(writer: _Writer, cell: Any, concept: Concept) -> None:
    definition = concept.get("definition") or {}
    paragraph = cell.paragraphs[0]
    if definition.get("text"):
        writer.add(paragraph, definition["text"], lang="en", scale=0.9)
        if definition.get("source"):
            writer.add(
                paragraph,
                f" ({definition['source']})",
                lang="en",
                italic=True,
                color=GREY,
                scale=0.8,
            )
    for note in concept.get("notes", []):
        paragraph = cell.add_paragraph()
        writer.add(paragraph, "Note: ", lang="en", bold=True, scale=0.8)
        writer.add(paragraph, note, lang="en", scale=0.8)


# --- the document -----------------------------------------------------------------


def _compact(paragraph: Any, after: float = 1) -> None:
    from docx.shared import Pt

    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)


def _repeat_header(row: Any) -> None:
    """Mark a table row as a header row Word and LibreOffice repeat on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def build_document(concepts: list[Concept], options: HandoutOptions) -> Any:
    """The python-docx Document of a handout."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    writer = _Writer(options)
    columns = list(options.langs) + (["definition"] if options.definitions else [])
    document = Document()
    section = document.sections[0]
    landscape = len(columns) > 3
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    margin = Mm(15)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Mm(18)
    normal = document.styles["Normal"]
    normal.font.name = options.font("en")[0]
    normal.font.size = Pt(options.font("en")[1])

    header = section.header.paragraphs[0]
    writer.add(header, f"{options.title} \u00b7 {options.date}", lang="en", color=GREY, scale=0.85)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    writer.add(footer, "Page ", lang="en", color=GREY, scale=0.85)
    writer.field(footer, "PAGE", "1")
    writer.add(footer, " of ", lang="en", color=GREY, scale=0.85)
    writer.field(footer, "NUMPAGES", "1")

    title = document.add_paragraph(style="Title")
    writer.add(title, options.title, lang="en", scale=2.2)
    about = document.add_paragraph()
    names = ", ".join(LANGUAGE_NAMES.get(lang, lang) for lang in options.langs)
    fields = ", ".join(SUBJECT_FIELDS.get(d, d) for d in options.domains or []) or "all"
    writer.add(
        about,
        f"{options.date}   \u00b7   Languages: {names}   \u00b7   Subject fields: {fields}",
        lang="en",
        color=GREY,
        scale=0.9,
    )
    legend = document.add_paragraph()
    writer.add(legend, "Legend: ", lang="en", bold=True, scale=0.9)
    writer.add(legend, LEGEND, lang="en", scale=0.9)

    usable = (Mm(297) if landscape else Mm(210)) - 2 * margin
    weights = [2.0 if c == "definition" else 1.0 for c in columns]
    widths = [int(usable * w / sum(weights)) for w in weights]
    for heading, items in sections(concepts, options):
        head = document.add_paragraph(style="Heading 1")
        writer.add(head, heading, lang="en", bold=True, scale=1.4)
        table = document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _repeat_header(table.rows[0])
        for i, column in enumerate(columns):
            cell = table.rows[0].cells[i]
            _shade(cell, "E8E8E8")
            paragraph = cell.paragraphs[0]
            _compact(paragraph)
            if column == "definition":
                writer.add(paragraph, "Definition and notes", lang="en", bold=True)
            else:
                writer.add(paragraph, LANGUAGE_NAMES.get(column, column), lang="en", bold=True)
                if column in NATIVE_NAMES:
                    writer.add(paragraph, f" \u00b7 {NATIVE_NAMES[column]}", lang=column, bold=True)
        for concept in items:
            cells = table.add_row().cells
            for i, column in enumerate(columns):
                if column == "definition":
                    _cell_definition(writer, cells[i], concept)
                else:
                    _cell_terms(
                        writer, cells[i], concept.get("terms", {}).get(column, []), column, options
                    )
                for paragraph in cells[i].paragraphs:
                    _compact(paragraph)
        for row in table.rows:
            for i, width in enumerate(widths):
                row.cells[i].width = width
    properties = document.core_properties
    properties.title = options.title
    properties.author = "clinic"
    properties.last_modified_by = "clinic"
    properties.comments = "Printed from the clinic termbase. " + LEGEND
    properties.revision = 1
    stamp = _date_stamp(options.date)
    properties.created = stamp
    properties.modified = stamp
    properties.last_printed = stamp
    return document


def _date_stamp(date: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def docx_bytes(document: Any) -> bytes:
    """The .docx bytes, made reproducible: every zip entry gets the same timestamp."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def check_options(options: HandoutOptions) -> None:
    if not options.langs:
        raise ClinicError("give the languages of the columns, e.g. --lang en,th,my", field="--lang")
    if options.sort_by and options.sort_by not in options.langs:
        raise ClinicError("must be one of the languages given with --lang", field="--sort-by")
    for name in options.domains or []:
        if name not in SUBJECT_FIELDS:
            raise ClinicError(
                f"unknown subject field '{name}' (known: {', '.join(SUBJECT_FIELDS)})",
                field="--domain",
            )
    try:
        dt.date.fromisoformat(options.date)
    except ValueError:
        raise ClinicError("must be a date YYYY-MM-DD", field="--date") from None


def write_handout(concepts: list[Concept], path: Path | str, options: HandoutOptions) -> int:
    """Write the handout .docx atomically; returns the number of concepts printed."""
    from clinic.store import atomic_write_bytes

    check_options(options)
    path = Path(path)
    if not path.parent.is_dir():
        raise ClinicError("the folder does not exist", path=path.parent)
    shown = sum(len(items) for _, items in sections(concepts, options))
    if not shown:
        from clinic.exceptions import NothingFound

        raise NothingFound("no concept has terms in these languages and subject fields")
    atomic_write_bytes(path, docx_bytes(build_document(concepts, options)), private=False)
    return shown


# --- PDF through LibreOffice ------------------------------------------------------


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(
    docx: Path | str, pdf: Path | str | None = None, *, timeout: float = 180
) -> Path:
    """Convert a .docx to PDF with LibreOffice, headless.

    Each conversion gets its own LibreOffice user profile in a temporary folder, so
    that runs in parallel do not collide on the shared one (research notes,
    docs_anchors.md §6). The PDF is written atomically next to the .docx."""
    from clinic.store import atomic_write_bytes

    docx = Path(docx)
    target = Path(pdf) if pdf else docx.with_suffix(".pdf")
    soffice = soffice_path()
    if soffice is None:
        raise ClinicError(
            "LibreOffice is not installed (no 'soffice' command), so no PDF was made; the "
            ".docx was written. Install it (Debian/Ubuntu: apt install "
            "libreoffice-writer-nogui) and run again",
            path=docx,
        )
    with tempfile.TemporaryDirectory(prefix="clinic-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        outdir = Path(tmp) / "out"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            str(docx),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise ClinicError(
                f"LibreOffice did not finish the PDF within {timeout:g} s", path=docx
            ) from None
        produced = outdir / f"{docx.stem}.pdf"
        if result.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            raise ClinicError(
                f"LibreOffice could not convert the document (exit code {result.returncode})",
                path=docx,
            )
        atomic_write_bytes(target, produced.read_bytes(), private=False)
    return target
