"""Build the Word templates in templates/ from this source: `python templates/build.py`.

The templates are generated, not drawn by hand, so that
- every label and statement comes from the form definitions (forms/*.yaml), where the
  wording is reviewed, and a change there is one rebuild away from the documents;
- the fonts are right: styles set the complex-script font (w:rFonts/@w:cs and w:szCs),
  which python-docx's API cannot, TH Sarabun New for Thai and Pyidaungsu for Burmese
  (research notes docs_anchors.md §6, domain.md §2.3 and §3.1);
- every form a beneficiary signs gets a thumbprint box and an "interpreted to me in
  LANGUAGE by NAME" line;
- a rebuild gives byte-identical files (fixed timestamps and zip dates, stored entries),
  so the committed .docx change only when their source does.

A clinic may still edit a template in Word: `clinic fill` checks every template's
variables against its form before using it. Rebuilding overwrites such edits.

Usage: python templates/build.py [--check] [--out DIR]
  --check  exit 1 if a committed template differs from what this script builds
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm

from clinic import paths, yamlio
from clinic.forms.definitions import FormDefinition, TemplateSpec, load_forms
from clinic.forms.render import docx_bytes

HERE = Path(__file__).resolve().parent

THAI_FONT = "TH Sarabun New"
BURMESE_FONT = "Pyidaungsu"
BLANK = "................................"
SHORT_BLANK = "................"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run_props(font: str, half_points: int, bidi_lang: str, extra: str = "") -> str:
    # Every slot names the font: Word takes Thai and Burmese from w:cs (and the size
    # from w:szCs); Latin letters in the same run come from w:ascii/w:hAnsi.
    return (
        f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" '
        f'w:cs="{font}"/>{extra}<w:sz w:val="{half_points}"/>'
        f'<w:szCs w:val="{half_points}"/><w:lang w:val="en-GB" w:bidi="{bidi_lang}"/></w:rPr>'
    )


STYLES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:docDefaults>
<w:rPrDefault>{_run_props(THAI_FONT, 30, "th-TH")}</w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>
<w:pPr><w:spacing w:after="40"/></w:pPr></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">
<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>
<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>
<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>
<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>
<w:semiHidden/></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>
<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>
<w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/>
<w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/>
<w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/>
<w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/>
<w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/>
<w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/>
</w:tblBorders></w:tblPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>
<w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:after="60"/></w:pPr>
{_run_props(THAI_FONT, 40, "th-TH", "<w:b/><w:bCs/>")}</w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="160" w:after="40"/>
</w:pPr>{_run_props(THAI_FONT, 32, "th-TH", "<w:b/><w:bCs/>")}</w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/>
<w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr>
{_run_props(BURMESE_FONT, 20, "my-MM")}</w:style>
<w:style w:type="paragraph" w:styleId="Burmese"><w:name w:val="Burmese"/>
<w:basedOn w:val="Normal"/><w:qFormat/>
<w:pPr><w:spacing w:after="60" w:line="288" w:lineRule="auto"/></w:pPr>
{_run_props(BURMESE_FONT, 22, "my-MM")}</w:style>
<w:style w:type="paragraph" w:styleId="LabelBurmese"><w:name w:val="Label Burmese"/>
<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr>
{_run_props(BURMESE_FONT, 18, "my-MM", '<w:color w:val="505050"/>')}</w:style>
<w:style w:type="paragraph" w:styleId="LabelThai"><w:name w:val="Label Thai"/>
<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr>
{_run_props(THAI_FONT, 24, "th-TH", '<w:color w:val="505050"/>')}</w:style>
<w:style w:type="paragraph" w:styleId="Small"><w:name w:val="Small"/><w:basedOn w:val="Normal"/>
{_run_props(THAI_FONT, 22, "th-TH")}</w:style>
<w:style w:type="character" w:styleId="BurmeseText"><w:name w:val="Burmese Text"/>
<w:basedOn w:val="DefaultParagraphFont"/><w:qFormat/>
{_run_props(BURMESE_FONT, 22, "my-MM")}</w:style>
</w:styles>
"""

APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>clinic templates/build.py</Application></Properties>'
)

_JINJA_OPENERS = ("{{", "{%", "{#")


def _static(text: str) -> str:
    """Text from a definition must never open template markup of its own."""
    if any(opener in text for opener in _JINJA_OPENERS):
        raise SystemExit(f"template markup in a label or statement: {text[:40]!r}")
    return text


class Builder:
    """One template being built. `primary` is the language of the labels; `second`
    is the language of the line under each label: 'th', 'en', or 'parents' (Burmese
    or English, chosen by the case's parents_language when the document is filled)."""

    def __init__(
        self,
        form: FormDefinition,
        spec: TemplateSpec,
        shared: Mapping[str, Any],
        primary: str,
        second: str,
    ) -> None:
        self.form = form
        self.spec = spec
        self.shared = shared
        self.primary = primary
        self.second = second
        self.document = _new_document()
        self.thumbprints = 0
        self.interpreted_lines = 0
        core = self.document.core_properties
        core.title = _static(spec.title.get("en", ""))
        core.subject = _static(f"{form.name}/{spec.name}")
        core.author = "clinic"
        core.comments = ""
        core.keywords = ""
        core.category = ""
        footer = self.document.sections[0].footer.paragraphs[0]
        footer.style = self.document.styles["Small"]
        footer.add_run(
            "{{ case_id }}  ·  " + _static(f"{form.name}/{spec.name}") + f"  ·  v{form.version}"
        )

    # --- text pieces --------------------------------------------------------------

    def labels(self, path_or_labels: str | Mapping[str, str]) -> Mapping[str, str]:
        if isinstance(path_or_labels, str):
            field = self.form.field_at(path_or_labels)
            if field is None:
                derived = next((d for d in self.form.derived if d.name == path_or_labels), None)
                if derived is None:
                    raise SystemExit(f"{self.form.name}: no field {path_or_labels}")
                return derived.label
            return field.label
        return path_or_labels

    def statement_texts(self, key: str) -> Mapping[str, str]:
        if key in self.form.statements:
            return self.form.statements[key]
        return self.shared["statements"][key]

    def add_label(self, container: Any, labels: Mapping[str, str], bold: bool = False) -> None:
        """The label in the primary language, and the line under it."""
        first = _paragraph(container)
        run = first.add_run(_static(labels.get(self.primary, labels.get("en", ""))))
        run.bold = bold
        if self.second == "parents":
            line = _paragraph(container, self.document.styles["Label Burmese"])
            en = _static(labels.get("en", ""))
            my = _static(labels.get("my", en))
            line.add_run(
                "{% if parents_language == 'en' %}" + en + "{% else %}" + my + "{% endif %}"
            )
        elif self.second and labels.get(self.second):
            style = "Label Burmese" if self.second == "my" else "Label Thai"
            line = _paragraph(container, self.document.styles[style])
            line.add_run(_static(labels[self.second]))

    def title(self, labels: Mapping[str, str]) -> None:
        self.document.add_paragraph(_static(labels.get(self.primary, "")), style="Title")
        if self.second == "parents":
            en, my = _static(labels.get("en", "")), _static(labels.get("my", ""))
            self.document.add_paragraph(
                "{% if parents_language == 'en' %}" + en + "{% else %}" + my + "{% endif %}",
                style="Subtitle",
            )
        else:
            for language in ("th", "en", "my"):
                if language != self.primary and labels.get(language):
                    style = "Subtitle" if language == "my" else "Label Thai"
                    paragraph = self.document.add_paragraph(_static(labels[language]), style=style)
                    paragraph.alignment = 1

    def heading(self, labels: Mapping[str, str]) -> None:
        paragraph = self.document.add_paragraph(style="Heading 1")
        paragraph.add_run(_static(labels.get(self.primary, "")))
        other = "en" if self.primary == "th" else "th"
        if self.second == "parents":
            paragraph.add_run("  /  ")
            run = paragraph.add_run(
                "{% if parents_language == 'en' %}"
                + _static(labels.get("en", ""))
                + "{% else %}"
                + _static(labels.get("my", ""))
                + "{% endif %}"
            )
            run.style = self.document.styles["Burmese Text"]
        elif labels.get(other):
            paragraph.add_run("  /  " + _static(labels[other]))

    def text(self, text: str, style: str | None = None) -> Any:
        return self.document.add_paragraph(text, style=style)

    def control(self, tag: str) -> None:
        """A paragraph holding only a {%p ... %} tag (docxtpl removes the paragraph)."""
        self.document.add_paragraph("{%p " + tag + " %}")

    def statement(self, key: str, languages: Sequence[str] | None = None) -> None:
        texts = self.statement_texts(key)
        if self.second == "parents":
            self.document.add_paragraph(_static(texts["th"]))
            self.control("if parents_language == 'en'")
            self.document.add_paragraph(_static(texts["en"]))
            self.control("else")
            self.document.add_paragraph(_static(texts["my"]), style="Burmese")
            self.control("endif")
            return
        for language in languages or ("en", "th", "my"):
            if texts.get(language):
                style = "Burmese" if language == "my" else None
                self.document.add_paragraph(_static(texts[language]), style=style)

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- tables -------------------------------------------------------------------

    def fields(
        self,
        rows: Sequence[tuple[str | Mapping[str, str], Sequence[Any]]],
        widths: tuple[float, float] = (62, 108),
    ) -> None:
        """A two-column table: label (with its second line) | value."""
        table = self.document.add_table(rows=0, cols=2)
        table.style = self.document.styles["Table Grid"]
        _widths(table, widths)
        for label, value in rows:
            cells = table.add_row().cells
            _clear(cells[0])
            _clear(cells[1])
            self.add_label(cells[0], self.labels(label))
            self.value(cells[1], value)
        _widths(table, widths)

    def value(self, container: Any, parts: Sequence[Any]) -> None:
        """A paragraph of runs: plain strings, or (text, 'my') for a Burmese run."""
        paragraph = _paragraph(container)
        for part in parts:
            if isinstance(part, tuple):
                run = paragraph.add_run(part[0])
                if part[1] == "my":
                    run.style = self.document.styles["Burmese Text"]
            else:
                paragraph.add_run(part)

    def loop_table(
        self,
        loop: str,
        headers: Sequence[str | Mapping[str, str]],
        cells: Sequence[Sequence[Any]],
        widths: Sequence[float],
        footer: Sequence[Sequence[Any]] = (),
    ) -> None:
        """A table with one row per list item ({%tr for %} ... {%tr endfor %})."""
        table = self.document.add_table(rows=0, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        row = table.add_row().cells
        for cell, header in zip(row, headers, strict=True):
            _clear(cell)
            self.add_label(cell, self.labels(header), bold=True)
        for content in (["{%tr for " + loop + " %}"], None, ["{%tr endfor %}"]):
            row = table.add_row().cells
            for index, cell in enumerate(row):
                _clear(cell)
                if content is None:
                    self.value(cell, cells[index])
                elif index == 0:
                    _paragraph(cell).add_run(content[0])
                else:
                    _paragraph(cell)
        for line in footer:
            row = table.add_row().cells
            for index, cell in enumerate(row):
                _clear(cell)
                self.value(cell, line[index] if index < len(line) else [])
        _widths(table, widths)

    # --- signatures ---------------------------------------------------------------

    def signature(
        self, role: Mapping[str, str], name: str, thumbprint: bool = True, date: str | None = None
    ) -> None:
        """Signature line, name, date, and (for people who may not write) a thumbprint box."""
        sig = self.statement_texts("signature")
        day = self.statement_texts("date")
        table = self.document.add_table(rows=1, cols=2 if thumbprint else 1)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left = table.rows[0].cells[0]
        _clear(left)
        _paragraph(left)
        line = _paragraph(left)
        other_language = "en" if self.primary == "th" else "th"
        line.add_run(_static(f"{sig.get(self.primary)} / {sig.get(other_language)} "))
        line.add_run(BLANK + BLANK[:8])
        role_line = _paragraph(left)
        role_line.add_run(_static(role.get(self.primary, "")))
        other = role.get(other_language)
        if other:
            role_line.add_run(_static(f" / {other}"))
        _paragraph(left).add_run("( " + name + " )")
        dated = _paragraph(left)
        dated.add_run(_static(f"{day.get(self.primary)} / {day.get(other_language)} "))
        dated.add_run(date or SHORT_BLANK + SHORT_BLANK)
        if thumbprint:
            box = table.rows[0].cells[1]
            _clear(box)
            label = self.statement_texts("thumbprint")
            _paragraph(box, self.document.styles["Label Thai"]).add_run(_static(label["th"]))
            _paragraph(box, self.document.styles["Label Thai"]).add_run(_static(label["en"]))
            _paragraph(box, self.document.styles["Label Burmese"]).add_run(_static(label["my"]))
            _borders(box)
            table.rows[0].height = Mm(38)
            table.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            self.thumbprints += 1
            _widths(table, (118, 52))
        else:
            _widths(table, (170,))
        self.document.add_paragraph()

    def interpreted(self) -> None:
        """The "interpreted to me in LANGUAGE by NAME" line, in Thai, English, Burmese."""
        texts = self.statement_texts("interpreted")
        name = "{{ interpreter.name or '" + BLANK + "' }}"
        for language, style in (("th", None), ("en", None), ("my", "Burmese")):
            lang = "{{ interpreter.language." + language + " or '" + SHORT_BLANK + "' }}"
            text = _static(texts[language]).replace("{language}", lang).replace("{name}", name)
            self.document.add_paragraph(text, style=style)
        self.interpreted_lines += 1

    def save(self, out: Path) -> bytes:
        if self.spec.signed_by_beneficiary and not (self.thumbprints and self.interpreted_lines):
            raise SystemExit(
                f"{self.form.name}/{self.spec.name}: a signed form needs a "
                "thumbprint box and the interpreted line"
            )
        data = docx_bytes(self.document, compress=False)
        return data


# --- python-docx helpers ------------------------------------------------------------


def _new_document() -> Any:
    document = Document()
    part = document.part
    part._styles_part._element = parse_xml(STYLES_XML.encode("utf-8"))
    # Parts of python-docx's default template that a form does not need.
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            del part.rels[rid]
    package = part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]
        elif rel.reltype.endswith("/extended-properties"):
            rel.target_part._blob = APP_XML.encode("utf-8")
    settings = document.settings.element
    for tag in ("w:rsids", "w:savePreviewPicture", "w:attachedTemplate"):
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)
    section.footer_distance = Mm(8)
    body = document.element.body
    for paragraph in list(body.findall(qn("w:p"))):
        body.remove(paragraph)
    return document


def _paragraph(container: Any, style: Any = None) -> Any:
    return container.add_paragraph(style=style)


def _clear(cell: Any) -> None:
    """Remove the empty paragraph python-docx puts in a new cell (one is added back)."""
    for paragraph in list(cell._tc.findall(qn("w:p"))):
        cell._tc.remove(paragraph)


def _widths(table: Any, widths_mm: Sequence[float]) -> None:
    # LibreOffice lays tables out from w:tblGrid, Word from the cell widths: set both.
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)
            if not cell._tc.findall(qn("w:p")):
                cell.add_paragraph()


def _borders(cell: Any) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "12")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tc_pr.append(borders)


# --- pieces shared by the forms -----------------------------------------------------


def person_name_th(prefix: str, title: str | None = None) -> list[Any]:
    """A person on a Thai document: title, Thai spelling (else the Latin name)."""
    parts: list[Any] = []
    if title:
        parts.append("{{ " + title + " }} ")
    parts.append("{{ " + prefix + ".name_th or " + prefix + ".name }}")
    return parts


def person_names(prefix: str) -> list[Any]:
    """The name as in the document, and the Burmese spelling in a Burmese run."""
    return [
        "{{ " + prefix + ".name }}",
        ("{% if " + prefix + ".name_my %}  {{ " + prefix + ".name_my }}{% endif %}", "my"),
    ]


def document_th(prefix: str) -> list[Any]:
    # The number goes on a line of its own ('\n' becomes a line break): Thai names of
    # document types are long, and a number must never wrap in the middle. It is never
    # put in Thai digits: it must read exactly as on the passport or card it copies.
    return [
        "{{ "
        + prefix
        + ".type.th or '-' }}{{ '\\n' if "
        + prefix
        + ".number else '' }}{{ "
        + prefix
        + ".number|id_number }}"
    ]


def document_en(prefix: str) -> list[Any]:
    return ["{{ " + prefix + ".type.en or '-' }} {{ " + prefix + ".number|id_number }}"]


# --- birth registration -------------------------------------------------------------


def br_request(b: Builder) -> None:
    b.title(b.spec.title)
    b.text(
        "{% if registration_office %}เรียน นายทะเบียน{{ registration_office }}{% else %}"
        "เรียน นายทะเบียนผู้รับแจ้ง อำเภอ {{ child.district }} จังหวัด {{ child.province }}"
        "{% endif %}"
    )
    b.text("วันที่ {{ notified_on|thai_date(thai_digits) }}")
    b.statement("request")
    b.heading(b.labels("child"))
    b.fields(
        [
            ("child.given_name", ["{{ child_title_th }} {{ child.name_th or child.given_name }}"]),
            ("child.surname", ["{{ child.surname or '-' }}"]),
            (
                {
                    "en": "Name as written by the parents",
                    "th": "ชื่อตามที่บิดามารดาเขียน",
                    "my": "မိဘများ ရေးသည့်အတိုင်း အမည်",
                },
                [
                    "{{ child.given_name }}",
                    ("{% if child.name_my %}  {{ child.name_my }}{% endif %}", "my"),
                ],
            ),
            ("child.sex", ["{{ child.sex.th }}"]),
            (
                "child.born_on",
                [
                    "{{ child.born_on|thai_date(thai_digits) }}"
                    "{% if child.born_at_time %} เวลา {{ child.born_at_time|"
                    "thai_time(thai_digits) }}{% endif %}"
                ],
            ),
            (
                "child.place_of_birth",
                [
                    "{{ child.place_of_birth }}"
                    "{% if child.house_no %} บ้านเลขที่ {{ child.house_no|digits("
                    "thai_digits) }}{% endif %}"
                    "{% if child.village_no %} หมู่ที่ {{ child.village_no|digits("
                    "thai_digits) }}{% endif %}"
                    "{% if child.subdistrict %} ตำบล{{ child.subdistrict }}"
                    "{% endif %} อำเภอ {{ child.district }} จังหวัด "
                    "{{ child.province }}"
                ],
            ),
            ("child.nationality", ["{{ child.nationality.th or '-' }}"]),
            (
                "child.birth_weight_grams",
                [
                    "{% if child.birth_weight_grams %}{{ child."
                    "birth_weight_grams|digits(thai_digits) }} กรัม"
                    "{% else %}-{% endif %}"
                ],
            ),
            ("child.attendant", ["{{ child.attendant or '-' }}"]),
            (
                "child.hospital_notification_number",
                ["{{ child.hospital_notification_number or '-' }}"],
            ),
        ]
    )
    for parent, title in (("mother", "mother_title_th"), ("father", "father_title_th")):
        b.heading(b.labels(parent))
        if parent == "father":
            b.control("if father.name")
        b.fields(
            [
                (parent + ".name", person_name_th(parent, title)),
                (parent + ".surname", ["{{ " + parent + ".surname or '-' }}"]),
                (
                    {
                        "en": "Name as in the document",
                        "th": "ชื่อตามเอกสาร",
                        "my": "စာရွက်စာတမ်းအတိုင်း အမည်",
                    },
                    person_names(parent),
                ),
                (parent + ".nationality", ["{{ " + parent + ".nationality.th or '-' }}"]),
                (
                    parent + ".born_on",
                    [
                        "{% if " + parent + ".born_on %}{{ " + parent + ".born_on|"
                        "thai_date(thai_digits) }} (อายุ {{ " + parent + ".born_on|"
                        "age(notified_on)|digits(thai_digits) }} ปี){% else %}-"
                        "{% endif %}"
                    ],
                ),
                (parent + ".document", document_th(parent + ".document")),
                (parent + ".address", ["{{ " + parent + ".address or '-' }}"]),
            ]
        )
        if parent == "father":
            b.control("else")
            b.text("ไม่ระบุบิดา / father not named")
            b.control("endif")
    b.heading(b.labels("informant"))
    b.fields(
        [
            ("informant.relationship", ["{{ informant.relationship.th }}"]),
            (
                {"en": "Informant's name", "th": "ชื่อผู้แจ้ง", "my": "အကြောင်းကြားသူ၏ အမည်"},
                [
                    "{% if informant.relationship == 'mother' %}{{ mother_title_th }} "
                    "{{ mother.name_th or mother.name }}{% elif informant.relationship "
                    "== 'father' %}{{ father_title_th }} {{ father.name_th or father.name"
                    " }}{% else %}{{ informant.name_th or informant.name }}{% endif %}"
                ],
            ),
            (
                {
                    "en": "Informant's identity document",
                    "th": "เอกสารประจำตัวผู้แจ้ง",
                    "my": "အကြောင်းကြားသူ၏ ကိုယ်ရေးအထောက်အထား",
                },
                [
                    "{% if informant.relationship == 'mother' %}"
                    + document_th("mother.document")[0]
                    + "{% elif informant.relationship == 'father' %}"
                    + document_th("father.document")[0]
                    + "{% else %}"
                    + document_th("informant.document")[0]
                    + "{% endif %}"
                ],
            ),
            ("informant.phone", ["{{ informant.phone|digits(thai_digits) or '-' }}"]),
        ]
    )
    b.control("if late_registration")
    b.text(
        "แจ้งเกิดเกินกำหนด: แจ้งหลังวันเกิด {{ days_to_notify|digits(thai_digits) }} วัน "
        "(มีบันทึกถ้อยคำพยานแนบ) / late registration: {{ days_to_notify }} days after the "
        "birth (witness statements attached)"
    )
    b.control("endif")
    b.document.add_paragraph()
    b.signature(
        {"th": "ผู้แจ้ง", "en": "informant"},
        "{{ informant_name }}",
        date="{{ notified_on|thai_date(thai_digits) }}",
    )
    b.interpreted()


def br_declaration(b: Builder) -> None:
    b.title(b.spec.title)
    b.statement("declaration")
    b.fields(
        [
            (
                "child.given_name",
                [
                    "{{ child_title_th }} {{ child.name_th or child.given_name }} "
                    "({{ child.given_name }})",
                    ("{% if child.name_my %}  {{ child.name_my }}{% endif %}", "my"),
                ],
            ),
            ("child.sex", ["{{ child.sex.th }} / {{ child.sex.en }}"]),
            (
                "child.born_on",
                [
                    "{{ child.born_on|thai_date(thai_digits) }} / {{ child.born_on|"
                    "en_date }}{% if child.born_at_time %}  {{ child.born_at_time|"
                    "thai_time(thai_digits) }}{% endif %}"
                ],
            ),
            (
                "child.place_of_birth",
                [
                    "{{ child.place_of_birth }}, อำเภอ {{ child.district }} "
                    "จังหวัด {{ child.province }}"
                ],
            ),
            ("mother.name", ["{{ mother_title_th }} "] + person_names("mother")),
            ("mother.document", document_th("mother.document")),
            (
                "father.name",
                [
                    "{% if father.name %}{{ father_title_th }} {{ father.name }}"
                    "{% else %}-{% endif %}",
                    ("{% if father.name_my %}  {{ father.name_my }}{% endif %}", "my"),
                ],
            ),
            (
                "father.document",
                [
                    "{% if father.name %}"
                    + document_th("father.document")[0]
                    + "{% else %}-{% endif %}"
                ],
            ),
        ]
    )
    b.document.add_paragraph()
    b.signature({"th": "มารดา", "en": "mother"}, "{{ mother.name }}")
    b.control("if father.name")
    b.signature({"th": "บิดา", "en": "father"}, "{{ father.name }}")
    b.control("endif")
    b.interpreted()


def br_authorisation(b: Builder) -> None:
    b.title(b.spec.title)
    b.text("ทำที่ {{ child.district }} วันที่ {{ notified_on|thai_date(thai_digits) }}")
    b.text(
        "ข้าพเจ้า {{ mother_title_th }} {{ mother.name_th or mother.name }} มารดาของ "
        "{{ child_title_th }} {{ child.name_th or child.given_name }} ซึ่งเกิดเมื่อวันที่ "
        "{{ child.born_on|thai_date(thai_digits) }} ที่ {{ child.place_of_birth }}"
    )
    b.statement("authorisation")
    b.fields(
        [
            ("informant.name", ["{{ informant.name_th or informant.name }}"]),
            ("informant.relationship", ["{{ informant.relationship.th }}"]),
            ("informant.document", document_th("informant.document")),
            ("informant.address", ["{{ informant.address or '-' }}"]),
            ("informant.phone", ["{{ informant.phone|digits(thai_digits) or '-' }}"]),
        ]
    )
    b.document.add_paragraph()
    b.signature({"th": "ผู้มอบอำนาจ (มารดา)", "en": "grantor (mother)"}, "{{ mother.name }}")
    b.signature({"th": "ผู้รับมอบอำนาจ", "en": "authorised person"}, "{{ informant.name }}")
    b.signature({"th": "พยาน", "en": "witness"}, BLANK, thumbprint=False)
    b.interpreted()


def br_witness_statements(b: Builder) -> None:
    b.control("for w in witnesses")
    b.title(b.spec.title)
    b.text(
        "ที่ {{ registration_office or 'สำนักทะเบียนอำเภอ ' ~ child.district }}  "
        "วันที่ {{ notified_on|thai_date(thai_digits) }}"
    )
    b.text("พยานคนที่ {{ loop.index|digits(thai_digits) }} / witness {{ loop.index }}")
    b.statement("witness")
    b.fields(
        [
            (
                "witnesses.name",
                ["{{ w.name_th or w.name }}{% if w.name_th %} ({{ w.name }}){% endif %}"],
            ),
            (
                "witnesses.document",
                [
                    "{{ w.document.type.th or '-' }} {{ w.document.number|"
                    "id_number|digits(thai_digits) }}"
                ],
            ),
            ("witnesses.address", ["{{ w.address or '-' }}"]),
            ("witnesses.occupation", ["{{ w.occupation or '-' }}"]),
            (
                "witnesses.years_in_area",
                [
                    "{% if w.years_in_area != '' %}{{ w.years_in_area|"
                    "digits(thai_digits) }} ปี{% else %}-{% endif %}"
                ],
            ),
            ("witnesses.connection", ["{{ w.connection.th }}"]),
            (
                {"en": "The child", "th": "เด็ก", "my": "ကလေး"},
                [
                    "{{ child_title_th }} {{ child.name_th or child.given_name }} เกิดวันที่ "
                    "{{ child.born_on|thai_date(thai_digits) }} ที่ {{ child.place_of_birth }}"
                ],
            ),
            (
                {"en": "Parents", "th": "บิดามารดา", "my": "မိဘများ"},
                ["มารดา {{ mother.name }}{% if father.name %} บิดา {{ father.name }}{% endif %}"],
            ),
            ("witnesses.statement", ["{{ w.statement or '-' }}"]),
        ]
    )
    b.document.add_paragraph()
    b.signature({"th": "พยาน", "en": "witness"}, "{{ w.name }}")
    b.signature({"th": "นายทะเบียนผู้บันทึก", "en": "registrar"}, BLANK, thumbprint=False)
    b.interpreted()
    b.control("if not loop.last")
    b.page_break()
    b.control("endif")
    b.control("endfor")


def br_checklist(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("case_id", ["{{ case_id }}"]),
            (
                "child.given_name",
                [
                    "{{ child.given_name }}",
                    ("{% if child.name_my %}  {{ child.name_my }}{% endif %}", "my"),
                ],
            ),
            ("child.born_on", ["{{ child.born_on|thai_date(thai_digits) }}"]),
            (
                "notified_on",
                [
                    "{{ notified_on|thai_date(thai_digits) }}"
                    "{% if late_registration %} (เกินกำหนด / late){% endif %}"
                ],
            ),
        ]
    )
    b.document.add_paragraph()
    for item in b.form.checklist:
        if item.when:
            b.control("if " + item.when)
        paragraph = b.text("☐  " + _static(item.label["th"]))
        paragraph.paragraph_format.left_indent = Mm(4)
        line = b.document.add_paragraph(style="Label Burmese")
        line.paragraph_format.left_indent = Mm(10)
        line.add_run(
            "{% if parents_language == 'en' %}"
            + _static(item.label["en"])
            + "{% else %}"
            + _static(item.label.get("my", item.label["en"]))
            + "{% endif %}"
        )
        if item.when:
            b.control("endif")
    b.document.add_paragraph()
    b.text(
        "รหัสแบบฟอร์มราชการในรายการนี้ต้องตรวจสอบกับระเบียบของกรมการปกครองฉบับปัจจุบัน / "
        "Official form codes must be checked against the current DOPA rules.",
        style="Small",
    )


# --- emergency assistance -------------------------------------------------------------


def _beneficiary_rows(prefix: str) -> list[tuple[str, list[Any]]]:
    return [
        (prefix + ".name", person_names(prefix)),
        (prefix + ".sex", ["{{ " + prefix + ".sex.en }} / {{ " + prefix + ".sex.th }}"]),
        (prefix + ".born_on", ["{{ " + prefix + ".born_on|en_date or '-' }}"]),
        (prefix + ".nationality", ["{{ " + prefix + ".nationality.en or '-' }}"]),
        (prefix + ".document", document_en(prefix + ".document")),
        (prefix + ".address", ["{{ " + prefix + ".address or '-' }}"]),
        (prefix + ".phone", ["{{ " + prefix + ".phone or '-' }}"]),
    ]


def ea_items_table(b: Builder) -> None:
    b.loop_table(
        "it in items",
        [
            "items.category",
            "items.description",
            "items.quantity",
            "items.unit_cost",
            {"en": "Amount (baht)", "th": "จำนวนเงิน (บาท)", "my": "ငွေပမာဏ (ဘတ်)"},
        ],
        [
            ["{{ it.category.en }} / {{ it.category.th }}"],
            ["{{ it.description }}{% if it.vendor %} ({{ it.vendor }}){% endif %}"],
            ["{{ it.quantity }} {{ it.unit }}"],
            ["{{ it.unit_cost|baht }}"],
            ["{{ it.amount|baht }}"],
        ],
        (42, 58, 20, 25, 25),
        footer=[[["Total / รวม"], ["{{ total|bahttext }}"], [""], [""], ["{{ total|baht }}"]]],
    )


def ea_request(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("requested_on", ["{{ requested_on|en_date }} / {{ requested_on|thai_date }}"]),
            ("location", ["{{ location or '-' }}"]),
            ("urgency", ["{{ urgency.en }} / {{ urgency.th }}"]),
        ]
    )
    b.heading(b.labels("beneficiary"))
    b.fields(_beneficiary_rows("beneficiary") + [("employer", ["{{ employer or '-' }}"])])
    b.control("if household")
    b.heading(b.labels("household"))
    b.loop_table(
        "m in household",
        ["household.name", "household.relationship", "household.born_on"],
        [["{{ m.name }}"], ["{{ m.relationship }}"], ["{{ m.born_on|en_date }}"]],
        (70, 60, 40),
    )
    b.control("endif")
    b.heading(b.labels("incident"))
    b.fields(
        [
            ("incident.kind", ["{{ incident.kind.en }} / {{ incident.kind.th }}"]),
            ("incident.happened_on", ["{{ incident.happened_on|en_date or '-' }}"]),
            ("incident.summary", ["{{ incident.summary or '-' }}"]),
        ]
    )
    b.heading(b.labels("items"))
    ea_items_table(b)
    b.document.add_paragraph()
    b.statement("request")
    b.signature({"en": "beneficiary", "th": "ผู้ขอรับความช่วยเหลือ"}, "{{ beneficiary.name }}")
    b.interpreted()
    b.signature(
        {"en": "staff member (assessed)", "th": "เจ้าหน้าที่ผู้ประเมิน"},
        "{{ staff.name }}{% if staff.position %}, {{ staff.position }}{% endif %}",
        thumbprint=False,
    )
    b.signature(
        {"en": "approved by", "th": "ผู้อนุมัติ"},
        "{{ approver.name or '" + BLANK + "' }}",
        thumbprint=False,
    )


def ea_receipt(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("beneficiary.name", person_names("beneficiary")),
            ("beneficiary.document", document_en("beneficiary.document")),
            ("delivered_on", ["{{ delivered_on|en_date or '" + SHORT_BLANK + "' }}"]),
        ]
    )
    b.document.add_paragraph()
    b.statement("receipt")
    ea_items_table(b)
    b.document.add_paragraph()
    b.signature({"en": "received by (beneficiary)", "th": "ผู้รับ"}, "{{ beneficiary.name }}")
    b.interpreted()
    b.signature({"en": "handed over by", "th": "ผู้ส่งมอบ"}, "{{ staff.name }}", thumbprint=False)


# --- voluntary return ---------------------------------------------------------------


def vr_application(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields([("applied_on", ["{{ applied_on|en_date }} / {{ applied_on|thai_date }}"])])
    b.heading(b.labels("applicant"))
    b.fields(
        _beneficiary_rows("applicant")
        + [("travel_document", ["{{ travel_document.en }} / {{ travel_document.th }}"])]
    )
    b.control("if accompanying")
    b.heading(b.labels("accompanying"))
    b.loop_table(
        "m in accompanying",
        [
            "accompanying.name",
            "accompanying.relationship",
            "accompanying.sex",
            "accompanying.born_on",
        ],
        [
            ["{{ m.name }}"],
            ["{{ m.relationship }}"],
            ["{{ m.sex.en }}"],
            ["{{ m.born_on|en_date }}"],
        ],
        (55, 45, 30, 40),
    )
    b.control("endif")
    b.heading(b.labels("destination"))
    b.fields(
        [
            (
                "destination.country",
                ["{{ destination.country.en }} / {{ destination.country.th }}"],
            ),
            ("destination.state_region", ["{{ destination.state_region }}"]),
            ("destination.township", ["{{ destination.township or '-' }}"]),
            ("destination.address", ["{{ destination.address or '-' }}"]),
            (
                "destination.contact_name",
                [
                    "{{ destination.contact_name or '-' }}"
                    "{% if destination.contact_phone %}, "
                    "{{ destination.contact_phone }}{% endif %}"
                ],
            ),
        ]
    )
    b.heading(b.labels("route"))
    b.fields(
        [
            ("route.departure_on", ["{{ route.departure_on|en_date or '-' }}"]),
            (
                "route.border_point",
                [
                    "{% if route.border_point == 'other' %}"
                    "{{ route.border_point_other }}{% else %}{{ route.border_point.en"
                    " }} / {{ route.border_point.th }}{% endif %}"
                ],
            ),
            ("route.transport", ["{{ route.transport or '-' }}"]),
            (
                "route.escort_needed",
                [
                    "{{ route.escort_needed.yes_box }} yes / ใช่   "
                    "{{ route.escort_needed.no_box }} no / ไม่ใช่"
                    "{% if route.escort_name %}  ({{ route.escort_name }})"
                    "{% endif %}"
                ],
            ),
        ]
    )
    b.heading(b.labels("medical"))
    b.fields(
        [
            (
                "medical.fit_to_travel",
                [
                    "{{ medical.fit_to_travel.yes_box }} yes / ใช่   "
                    "{{ medical.fit_to_travel.no_box }} no / ไม่ใช่"
                ],
            ),
            (
                "medical.checked_on",
                [
                    "{{ medical.checked_on|en_date or '-' }}"
                    "{% if medical.checked_by %}, {{ medical.checked_by }}"
                    "{% endif %}"
                ],
            ),
            ("medical.needs_during_travel", ["{{ medical.needs_during_travel or '-' }}"]),
        ]
    )
    b.heading({"en": "Reintegration", "th": "การกลับคืนสู่สังคม", "my": "ပြန်လည်ပေါင်းစည်းရေး"})
    b.fields(
        [
            (
                "reintegration_needs",
                [
                    "{% for n in reintegration_needs %}{{ n.en }} / {{ n.th }}"
                    "{% if not loop.last %}; {% endif %}{% else %}-{% endfor %}"
                ],
            ),
            ("reintegration_notes", ["{{ reintegration_notes or '-' }}"]),
            ("receiving_office", ["{{ receiving_office }}"]),
            (
                "consent_to_share",
                [
                    "{{ consent_to_share.yes_box }} yes / ใช่   "
                    "{{ consent_to_share.no_box }} no / ไม่ใช่"
                ],
            ),
        ]
    )
    b.document.add_paragraph()
    b.statement("application")
    b.statement("data_sharing")
    b.signature({"en": "applicant", "th": "ผู้ยื่นคำขอ"}, "{{ applicant.name }}")
    b.interpreted()
    b.signature({"en": "staff member", "th": "เจ้าหน้าที่"}, "{{ staff.name }}", thumbprint=False)


def vr_declaration(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("applicant.name", person_names("applicant")),
            ("applicant.document", document_en("applicant.document")),
            (
                "destination.country",
                ["{{ destination.country.en }}, {{ destination.state_region }}"],
            ),
            (
                "route.border_point",
                [
                    "{% if route.border_point == 'other' %}"
                    "{{ route.border_point_other }}{% else %}"
                    "{{ route.border_point.en }}{% endif %}"
                ],
            ),
        ]
    )
    b.document.add_paragraph()
    b.statement("voluntary")
    b.statement("change_mind")
    b.document.add_paragraph()
    b.signature(
        {"en": "applicant", "th": "ผู้ยื่นคำขอ"},
        "{{ applicant.name }}",
        date="{{ applied_on|en_date }}",
    )
    b.interpreted()
    b.signature(
        {"en": "staff member (witness)", "th": "เจ้าหน้าที่ (พยาน)"},
        "{{ staff.name }}",
        thumbprint=False,
    )


# --- referral -----------------------------------------------------------------------


def referral(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("referred_on", ["{{ referred_on|en_date }} / {{ referred_on|thai_date }}"]),
            ("urgency", ["{{ urgency.en }} / {{ urgency.th }}"]),
        ]
    )
    b.heading(b.labels("referring"))
    b.fields(
        [
            ("referring.organisation", ["{{ referring.organisation }}"]),
            (
                "referring.name",
                [
                    "{{ referring.name }}{% if referring.position %}, "
                    "{{ referring.position }}{% endif %}"
                ],
            ),
            ("referring.phone", ["{{ referring.phone }}"]),
        ]
    )
    b.heading(b.labels("receiving"))
    b.fields(
        [
            ("receiving.organisation", ["{{ receiving.organisation }}"]),
            ("receiving.kind", ["{{ receiving.kind.en }} / {{ receiving.kind.th }}"]),
            (
                "receiving.contact_name",
                [
                    "{{ receiving.contact_name or '-' }}"
                    "{% if receiving.phone %}, {{ receiving.phone }}{% endif %}"
                ],
            ),
            ("receiving.address", ["{{ receiving.address or '-' }}"]),
        ]
    )
    b.heading(b.labels("beneficiary"))
    b.fields(
        _beneficiary_rows("beneficiary")
        + [
            ("is_child", ["{{ is_child.yes_box }} yes / ใช่   {{ is_child.no_box }} no / ไม่ใช่"]),
        ]
    )
    b.heading({"en": "Referral", "th": "การส่งต่อ", "my": "လွှဲပြောင်းခြင်း"})
    b.fields(
        [
            ("reason", ["{{ reason }}"]),
            (
                "services",
                [
                    "{% for s in services %}{{ s.en }} / {{ s.th }}"
                    "{% if not loop.last %}; {% endif %}{% endfor %}"
                ],
            ),
        ]
    )
    b.heading(b.labels("consent"))
    b.fields(
        [
            (
                "consent.given",
                ["{{ consent.given.yes_box }} yes / ใช่   {{ consent.given.no_box }} no / ไม่ใช่"],
            ),
            (
                "consent.information",
                [
                    "{% for i in consent.information %}☒ {{ i.en }} / {{ i.th }}"
                    "{% if not loop.last %}; {% endif %}{% else %}-{% endfor %}"
                ],
            ),
            (
                "consent.recipients",
                [
                    "{% for r in consent.recipients %}{{ r }}"
                    "{% if not loop.last %}; {% endif %}{% else %}-{% endfor %}"
                ],
            ),
            ("consent.given_on", ["{{ consent.given_on|en_date or '-' }}"]),
        ]
    )
    b.control("if is_child")
    b.fields(
        [
            ("guardian.name", ["{{ guardian.name or '-' }}"]),
            ("best_interests_note", ["{{ best_interests_note or '-' }}"]),
        ]
    )
    b.control("endif")
    b.document.add_paragraph()
    b.statement("consent")
    b.signature({"en": "person referred", "th": "ผู้ถูกส่งต่อ"}, "{{ beneficiary.name }}")
    b.control("if is_child")
    b.signature(
        {"en": "parent or guardian", "th": "บิดามารดาหรือผู้ปกครอง"},
        "{{ guardian.name or '" + BLANK + "' }}",
    )
    b.control("endif")
    b.interpreted()
    b.signature(
        {"en": "referring staff member", "th": "เจ้าหน้าที่ผู้ส่งต่อ"},
        "{{ referring.name }}",
        thumbprint=False,
    )
    b.heading(
        {
            "en": "Reply from the receiving organisation",
            "th": "การตอบรับของหน่วยงานผู้รับ",
            "my": "လက်ခံသည့် အဖွဲ့အစည်း၏ အကြောင်းပြန်ချက်",
        }
    )
    b.statement("feedback", ("en", "th"))
    b.text("☐ accepted / รับ    ☐ not accepted / ไม่รับ    ☐ referred on / ส่งต่อไปยัง " + BLANK)
    b.text("Services provided / บริการที่ให้: " + BLANK + BLANK)
    b.signature({"en": "receiving organisation", "th": "หน่วยงานผู้รับ"}, BLANK, thumbprint=False)


# --- consent ------------------------------------------------------------------------


def consent(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            ("signed_on", ["{{ signed_on|en_date }} / {{ signed_on|thai_date }}"]),
            ("location", ["{{ location or '-' }}"]),
            ("person.name", person_names("person")),
            ("person.document", document_en("person.document")),
        ]
    )
    b.control("if is_child")
    b.fields(
        [
            ("guardian.name", ["{{ guardian.name }}"]),
            ("guardian_relationship", ["{{ guardian_relationship or '-' }}"]),
        ]
    )
    b.control("endif")
    b.document.add_paragraph()
    b.statement("intro")
    rows: list[tuple[str, list[Any]]] = []
    for key in (
        "assistance",
        "data_sharing",
        "medical_examination",
        "hiv_sti_test",
        "photographs",
        "legal_proceedings",
    ):
        value = "consents." + key
        rows.append(
            (
                value,
                [
                    "{{ " + value + ".yes_box }} yes / ใช่ / ",
                    ("ဟုတ်", "my"),
                    "    {{ " + value + ".no_box }} no / ไม่ใช่ / ",
                    ("မဟုတ်", "my"),
                ],
            )
        )
        if key == "data_sharing":
            rows.append(
                (
                    "consents.data_recipients",
                    [
                        "{% for r in consents.data_recipients %}{{ r }}"
                        "{% if not loop.last %}; {% endif %}{% else %}-{% endfor %}"
                    ],
                )
            )
    b.fields(rows)
    b.document.add_paragraph()
    b.statement("withdraw")
    b.signature({"en": "person giving consent", "th": "ผู้ให้ความยินยอม"}, "{{ person.name }}")
    b.control("if is_child")
    b.signature({"en": "parent or guardian", "th": "บิดามารดาหรือผู้ปกครอง"}, "{{ guardian.name }}")
    b.control("endif")
    b.interpreted()
    b.heading({"en": "Interpreter's attestation", "th": "คำรับรองของล่าม", "my": "စကားပြန်၏ အတည်ပြုချက်"})
    b.statement("attestation")
    b.signature(
        {"en": "interpreter", "th": "ล่าม"},
        "{{ interpreter.name or '" + BLANK + "' }}",
        thumbprint=False,
    )
    b.signature({"en": "staff member", "th": "เจ้าหน้าที่"}, "{{ staff.name }}", thumbprint=False)


# --- interpreter record -------------------------------------------------------------


def interpreter_record(b: Builder) -> None:
    b.title(b.spec.title)
    b.fields(
        [
            (
                "interpreter.name",
                [
                    "{{ interpreter.name }}{% if interpreter.organisation %}, "
                    "{{ interpreter.organisation }}{% endif %}"
                ],
            ),
            ("languages", ["{{ languages }}"]),
            (
                "session.held_on",
                ["{{ session.held_on|en_date }} / {{ session.held_on|thai_date }}"],
            ),
            (
                {"en": "Time", "th": "เวลา", "my": "အချိန်"},
                ["{{ session.started_at }} - {{ session.ended_at }}"],
            ),
            ("session.location", ["{{ session.location }}"]),
            ("session.purpose", ["{{ session.purpose.en }} / {{ session.purpose.th }}"]),
            (
                "session.parties",
                [
                    "{% for p in session.parties %}{{ p }}{% if not loop.last %}; "
                    "{% endif %}{% else %}-{% endfor %}"
                ],
            ),
            ("session.breaks", ["{{ session.breaks if session.breaks != '' else '-' }}"]),
            ("session.difficulties", ["{{ session.difficulties or '-' }}"]),
            (
                "no_conflict",
                [
                    "{{ no_conflict.yes_box }} yes / ใช่   {{ no_conflict.no_box }} "
                    "no / ไม่ใช่{% if conflict_note %}: {{ conflict_note }}{% endif %}"
                ],
            ),
            ("notes_handled", ["{{ notes_handled.en }} / {{ notes_handled.th }}"]),
        ]
    )
    b.heading(
        {"en": "Confidentiality pledge", "th": "คำรับรองการรักษาความลับ", "my": "လျှို့ဝှက်ချက် ထိန်းသိမ်းရေး ကတိ"}
    )
    b.statement("pledge")
    b.document.add_paragraph()
    b.signature({"en": "interpreter", "th": "ล่าม"}, "{{ interpreter.name }}", thumbprint=False)
    b.signature({"en": "staff member", "th": "เจ้าหน้าที่"}, "{{ staff.name }}", thumbprint=False)


# (form, template) -> (builder, primary language, language of the line under labels)
BUILDERS: dict[tuple[str, str], tuple[Callable[[Builder], None], str, str]] = {
    ("birth-registration", "request"): (br_request, "th", "parents"),
    ("birth-registration", "declaration"): (br_declaration, "th", "parents"),
    ("birth-registration", "authorisation"): (br_authorisation, "th", "parents"),
    ("birth-registration", "witness-statements"): (br_witness_statements, "th", "parents"),
    ("birth-registration", "checklist"): (br_checklist, "th", "parents"),
    ("emergency-assistance", "request"): (ea_request, "en", "th"),
    ("emergency-assistance", "receipt"): (ea_receipt, "en", "th"),
    ("voluntary-return", "application"): (vr_application, "en", "th"),
    ("voluntary-return", "declaration"): (vr_declaration, "en", "th"),
    ("referral", "referral"): (referral, "en", "th"),
    ("consent", "consent"): (consent, "en", "th"),
    ("interpreter-record", "record"): (interpreter_record, "en", "th"),
}


def build_all(out: Path) -> dict[Path, bytes]:
    """Every template as bytes, by the path it belongs at under `out`."""
    forms = load_forms(paths.shipped("forms"))
    shared = yamlio.load(paths.shipped("forms") / "_shared.yaml")
    result: dict[Path, bytes] = {}
    for form in forms.values():
        for spec in form.templates:
            if (form.name, spec.name) not in BUILDERS:
                raise SystemExit(f"no builder for {form.name}/{spec.name}")
            function, primary, second = BUILDERS[(form.name, spec.name)]
            builder = Builder(form, spec, shared, primary, second)
            function(builder)
            result[out / spec.file] = builder.save(out / spec.file)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed templates instead of writing",
    )
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    args = parser.parse_args(argv)
    built = build_all(args.out)
    stale = []
    for path, data in sorted(built.items()):
        current = path.read_bytes() if path.exists() else None
        if args.check:
            if current != data:
                stale.append(path)
            continue
        if current != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(args.out)} ({len(data):,} bytes)")
        else:
            print(f"unchanged {path.relative_to(args.out)}")
    if stale:
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        print("run: python templates/build.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
