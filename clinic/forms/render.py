"""Filling one Word template with one case: docxtpl, made safe and reproducible.

- The Jinja environment is clinic.forms.expressions' sandbox (autoescape on, strict
  undefined); see that module for why.
- Before a template is used, every variable it reads is checked against the form's
  fields: an unknown one is an error naming the template and the variable.
- The rendered XML is parsed strictly before docxtpl's recovering parser sees it, so a
  document can never lose paragraphs silently.
- The same case and template give the same bytes: fixed core-properties timestamps and
  fixed zip entry dates (python-docx stamps each zip entry with the current time).

docx and docxtpl are imported inside the functions: they cost ~150 ms at start-up and
only filling needs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.exceptions import ClinicError
from clinic.forms.definitions import FormDefinition, TemplateSpec

# The timestamp written into every document's core properties.
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
# The date of every zip entry (the earliest a zip can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Names a template may read besides the form's fields.
CONTEXT_EXTRAS = ("form",)


class TemplateProblem(ClinicError):
    """A template that cannot be used with its form (unknown variable, bad syntax...)."""


@dataclass(frozen=True)
class PreparedTemplate:
    """A template read once and checked against its form."""

    form: str
    spec: TemplateSpec
    path: Path
    data: bytes
    sha256: str


_prepared: dict[tuple[str, str, int, int], PreparedTemplate] = {}


def prepare(form: FormDefinition, spec: TemplateSpec, path: Path | None = None) -> PreparedTemplate:
    """Read a template and check it against the form (cached per file version)."""
    path = path or spec.path
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise TemplateProblem(
            f"template of '{form.name}/{spec.name}' is missing; run `python templates/build.py`",
            path=path,
        ) from None
    key = (form.name, str(path), stat.st_mtime_ns, stat.st_size)
    cached = _prepared.get(key)
    if cached is not None:
        return cached
    data = path.read_bytes()
    problems = check_template(form, data, str(path))
    if problems:
        raise TemplateProblem(
            f"template '{spec.name}' of form '{form.name}' asks for what the form does not "
            "have: " + "; ".join(problems),
            path=path,
        )
    prepared = PreparedTemplate(form.name, spec, path, data, hashlib.sha256(data).hexdigest())
    _prepared[key] = prepared
    return prepared


def template_source(data: bytes) -> str:
    """The Jinja source docxtpl would render: body, headers, footers, footnotes and the
    core properties it renders, after docxtpl's own clean-up of Word's XML."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    docx = tpl.get_docx()
    sources = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            sources.append(tpl.patch_xml(tpl.get_part_xml(part)))
    for part in docx.part.package.parts:
        if part.content_type.endswith("footnotes+xml"):
            sources.append(tpl.patch_xml(part.blob.decode("utf-8")))
    core = docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        sources.append(getattr(core, name) or "")
    return "\n".join(sources)


def check_template(form: FormDefinition, data: bytes, name: str = "template") -> list[str]:
    """Problems that stop a template from being used with the form, one line each."""
    from jinja2 import TemplateSyntaxError

    from clinic.forms.expressions import check_paths, references

    try:
        source = template_source(data)
    except Exception as error:  # not a .docx at all
        return [f"not a Word document ({type(error).__name__})"]
    try:
        refs, forbidden = references(source)
    except TemplateSyntaxError as error:
        return [f"template syntax: {error.message}"]
    problems = [
        f"{what} is not allowed in a template"
        for what in dict.fromkeys(what for what, _ in forbidden)
    ]
    problems += check_paths(form, refs, extra=CONTEXT_EXTRAS)
    return problems


def _docx_template_class() -> Any:
    from docxtpl import DocxTemplate
    from lxml import etree

    class ClinicDocxTemplate(DocxTemplate):
        """docxtpl with a cache of its XML clean-up and a strict check of its output."""

        _patched: dict[str, str] = {}

        def patch_xml(self, src_xml: str) -> str:
            cached = self._patched.get(src_xml)
            if cached is None:
                if len(self._patched) > 64:
                    self._patched.clear()
                cached = self._patched[src_xml] = super().patch_xml(src_xml)
            return cached

        def fix_tables(self, xml: str) -> Any:
            # docxtpl parses with recover=True, which drops what it cannot parse.
            try:
                etree.fromstring(xml.encode("utf-8"))
            except etree.XMLSyntaxError:
                raise ClinicError(
                    "the filled document is not valid XML (a template mistake); nothing was written"
                ) from None
            return super().fix_tables(xml)

    return ClinicDocxTemplate


_template_class: Any = None


def render(prepared: PreparedTemplate, context: Mapping[str, Any]) -> bytes:
    """Fill a prepared template with a case's context; the .docx as bytes."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError, UndefinedError

    from clinic.forms.expressions import environment

    global _template_class
    if _template_class is None:
        _template_class = _docx_template_class()
    tpl = _template_class(io.BytesIO(prepared.data))
    where = f"template '{prepared.spec.name}' of form '{prepared.form}'"
    try:
        tpl.render(dict(context), jinja_env=environment(), autoescape=True)
    except SecurityError:
        raise TemplateProblem(
            f"{where} tried to reach Python internals; refused", path=prepared.path
        ) from None
    except UndefinedError as error:
        raise TemplateProblem(f"{where}: {error.message}", path=prepared.path) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        # e.g. a filter given a value it cannot use: the case's problem, not a crash
        raise TemplateProblem(
            f"{where} could not be filled ({type(error).__name__})", path=prepared.path
        ) from None
    return docx_bytes(tpl.docx)


class _FixedDateZip:
    """What python-docx's PackageWriter writes to, with fixed entry dates."""

    def __init__(self, archive: zipfile.ZipFile, compress: bool) -> None:
        self.archive = archive
        self.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_DATE)
        info.compress_type = self.compress_type
        info.create_system = 0
        info.external_attr = 0
        self.archive.writestr(info, blob)


def docx_bytes(document: Any, compress: bool = True) -> bytes:
    """A python-docx Document as reproducible .docx bytes.

    compress=False (stored entries) gives bytes that do not even depend on the zlib
    version: templates/build.py uses it for the committed templates."""
    from docx.opc.pkgwriter import PackageWriter

    core = document.core_properties
    core.created = FIXED_TIME
    core.modified = FIXED_TIME
    core.last_printed = FIXED_TIME
    core.revision = 1
    core.last_modified_by = "clinic"
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        writer: Any = _FixedDateZip(archive, compress)  # python-docx's PhysPkgWriter role
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """The text of a .docx in reading order (paragraphs and table cells, then headers
    and footers), one paragraph a line: for checks and tests."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(data))
    lines: list[str] = []

    def block(element: Any, parent: Any) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                lines.append(Paragraph(child, parent).text)
            elif child.tag == qn("w:tbl"):
                for row in Table(child, parent).rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:
                            seen.add(id(cell._tc))
                            block(cell._tc, cell)

    block(document.element.body, document)
    for section in document.sections:
        for part in (section.header, section.footer):
            block(part._element, part)
    return "\n".join(lines)
