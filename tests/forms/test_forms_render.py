"""Rendering: golden checks of the filled documents, safety of the Jinja sandbox, fonts,
and byte-identical output."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINIMAL

from clinic.forms import render
from clinic.forms.casefile import read_case
from clinic.forms.definitions import get_form, load_forms

TEMPLATE_MARKUP = ("{{", "{%", "{#", "}}", "%}")


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml") or name.endswith(".rels")
        }


def _fill(case_path: Path, template: str) -> bytes:
    case = read_case(case_path)
    spec = case.form.template(template)
    return render.render(render.prepare(case.form, spec), case.context())


def test_minimal_case_request_golden_text(minimal_case: Path) -> None:
    text = render.docx_text(_fill(minimal_case, "request"))
    for expected in [
        "คำร้องขอแจ้งการเกิด",
        "เด็กหญิง Hnin Ei Phyu",  # title computed from sex and age
        "2 พฤศจิกายน 2569 เวลา 08.30 น.",  # Buddhist Era, Thai month, time
        "วันที่ 10 พฤศจิกายน 2569",
        "นางสาว Khin Mar Aye",
        "บัตรประจำตัวคนซึ่งไม่มีสัญชาติไทย\n0-0634-12345-67-9",  # leading 0 kept
        "หนังสือเดินทาง\nMH123456",
        "17 เมษายน 2541 (อายุ 28 ปี)",
        "เมียนมา",
        "မိခင်",  # the Burmese line under the Thai label (parents_language: my)
        "ลายพิมพ์นิ้วหัวแม่มือซ้าย",
        "This document was interpreted to me in",
        "MSL-2026-0147",
    ]:
        assert expected in text, expected
    # a Burmese name is kept whole: the surname line is "-", nothing is invented
    assert "Hnin Ei Phyu" in text and "Phyu -" not in text


def test_no_template_markup_is_left_in_any_filled_document() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = read_case(path)
        for spec in case.form.templates:
            data = render.render(render.prepare(case.form, spec), case.context())
            for name, xml in _parts(data).items():
                for marker in TEMPLATE_MARKUP:
                    assert marker not in xml, f"{path.name}/{spec.name}: {marker} in {name}"


def test_burmese_and_thai_digits_and_english_line(write_case: Callable[..., Path]) -> None:
    text = MINIMAL.replace(
        "mother: {name: Khin Mar Aye,",
        "parents_language: en\nthai_digits: 'yes'\nmother: {name: Khin Mar Aye, name_my: ခင်မာအေး,",
    )
    data = _fill(write_case(text), "request")
    content = render.docx_text(data)
    assert "๒ พฤศจิกายน ๒๕๖๙" in content
    # a document number reads exactly as on the card, even with Thai digits elsewhere
    assert "0-0634-12345-67-9" in content and "๐-๐๖๓๔" not in content
    assert "Mother" in content and "မိခင်" not in content  # English line instead
    assert "ခင်မာအေး" in content
    # the Burmese value sits in a run styled with the Burmese font
    document = _parts(data)["word/document.xml"]
    at = document.index("ခင်မာအေး")
    run_start = (
        document.rindex("<w:r>", 0, at)
        if "<w:r>" in document[:at]
        else document.rindex("<w:r ", 0, at)
    )
    assert 'w:rStyle w:val="BurmeseText"' in document[run_start:at]


def test_templates_set_the_complex_script_fonts() -> None:
    for form in load_forms().values():
        for spec in form.templates:
            styles = _parts(spec.path.read_bytes())["word/styles.xml"]
            assert 'w:cs="TH Sarabun New"' in styles and "<w:szCs " in styles
            assert 'w:cs="Pyidaungsu"' in styles and 'w:bidi="my-MM"' in styles


def test_every_signed_form_has_a_thumbprint_box_and_the_interpreted_line() -> None:
    for form in load_forms().values():
        for spec in form.templates:
            text = render.docx_text(spec.path.read_bytes())
            if spec.signed_by_beneficiary:
                assert "Left thumbprint" in text and "ลายพิมพ์นิ้วหัวแม่มือซ้าย" in text
                assert "interpreted to me in" in text, f"{form.name}/{spec.name}"
                assert "interpreter.name" in text  # filled with the interpreter's name


def test_the_interpreted_line_names_language_and_interpreter() -> None:
    text = render.docx_text(_fill(EXAMPLES / "consent.yaml", "consent"))
    assert "This document was interpreted to me in Burmese by Test Interpreter." in text
    assert "เอกสารนี้ได้แปลให้ข้าพเจ้าฟังเป็นภาษาเมียนมา (พม่า) โดย Test Interpreter" in text
    assert "☒ yes" in text  # consents as tick boxes
    assert "photographs" in text.lower()


def test_amounts_in_baht_and_words() -> None:
    text = render.docx_text(_fill(EXAMPLES / "emergency-assistance.yaml", "request"))
    assert "1,600.00" in text and "901.00" in text  # 2 x 450.50
    assert "5,751.00" in text  # 850 + 1,600 + 901 + 2,400
    assert "ห้าพันเจ็ดร้อยห้าสิบเอ็ดบาทถ้วน" in text
    assert "Hygiene kit (soap, toothpaste & towels)" in text


def test_ampersand_and_angle_brackets_keep_every_paragraph(write_case: Callable[..., Path]) -> None:
    plain = _fill(write_case(MINIMAL, "plain.yaml"), "request")
    tricky = MINIMAL.replace(
        "place_of_birth: Mae Sot Hospital", 'place_of_birth: "A & B <Hospital> \\"Mae Sot\\""'
    )
    data = _fill(write_case(tricky, "tricky.yaml"), "request")
    assert 'A & B <Hospital> "Mae Sot"' in render.docx_text(data)

    def count(xml: str) -> tuple[int, int]:
        return xml.count("<w:p>") + xml.count("<w:p "), xml.count("<w:tr")

    assert count(_parts(data)["word/document.xml"]) == count(_parts(plain)["word/document.xml"])


def test_same_case_and_template_give_identical_bytes(minimal_case: Path) -> None:
    first = _fill(minimal_case, "request")
    render._prepared.clear()
    second = _fill(minimal_case, "request")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_templates_rebuild_byte_identical(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "clinic_templates_build", Path(__file__).parents[2] / "templates" / "build.py"
    )
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    first = build.build_all(tmp_path / "a")
    second = build.build_all(tmp_path / "b")
    assert [data for data in first.values()] == [data for data in second.values()]
    for path, data in first.items():
        committed = Path(__file__).parents[2] / "templates" / path.relative_to(tmp_path / "a")
        assert committed.read_bytes() == data, f"{committed} is out of date: rebuild it"


# --- the sandbox and the template check ---------------------------------------------

PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ child.given_name.__class__.__base__.__subclasses__() }}",
    "{{ range.__self__.__import__('os').popen('id').read() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{{ child.given_name|attr('__class__') }}",
    "{{ witnesses|map(attribute='__class__')|list }}",
]


def _template_with(tmp_path: Path, text: str) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("{{ child.given_name }} " + text)
    path = tmp_path / "evil.docx"
    document.save(path)
    return path


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_injection_is_refused_before_rendering(tmp_path: Path, payload: str) -> None:
    form = get_form("birth-registration")
    path = _template_with(tmp_path, payload)
    with pytest.raises(render.TemplateProblem) as caught:
        render.prepare(form, form.templates[0], path)
    assert "evil.docx" in str(caught.value) and "birth-registration" in str(caught.value)


# (self is not in docxtpl's context, and map() over an empty list reads nothing)
@pytest.mark.parametrize(
    "payload", [p for p in PAYLOADS if "{{" in p and "self" not in p and "map(" not in p]
)
def test_the_sandbox_refuses_payloads_even_without_the_check(
    tmp_path: Path, minimal_case: Path, payload: str
) -> None:
    """Skip the variable check on purpose: the sandbox alone must stop the payload."""
    form = get_form("birth-registration")
    data = _template_with(tmp_path, payload).read_bytes()
    prepared = render.PreparedTemplate(
        form.name, form.templates[0], tmp_path / "evil.docx", data, "0" * 64
    )
    context = read_case(minimal_case).context()
    with pytest.raises(render.TemplateProblem):
        render.render(prepared, context)


def test_plain_jinja_would_run_what_the_sandbox_refuses() -> None:
    """The control for the test above: the payloads are real outside the sandbox."""
    from jinja2 import Environment

    assert Environment().from_string("{{ ''.__class__.__name__ }}").render() == "str"


def test_a_template_asking_for_an_unknown_field_names_template_and_variable(tmp_path: Path) -> None:
    form = get_form("birth-registration")
    path = _template_with(
        tmp_path,
        "{{ child.nmae }} {{ mother.document.number.upper }}"
        "{% for w in witnesses %}{{ w.shoe_size }}{% endfor %}",
    )
    with pytest.raises(render.TemplateProblem) as caught:
        render.prepare(form, form.templates[0], path)
    message = str(caught.value)
    assert "evil.docx" in message
    assert "'child.nmae'" in message and "no field 'nmae' in child" in message
    assert "'mother.document.number.upper'" in message
    assert "'witnesses[].shoe_size'" in message


def test_all_shipped_templates_pass_the_check() -> None:
    for form in load_forms().values():
        for spec in form.templates:
            assert render.check_template(form, spec.path.read_bytes(), spec.file) == []


def test_yaml_1_1_lookalikes_reach_the_document_unchanged(
    write_case: Callable[..., Path],
) -> None:
    """A time 08:30 (not 510), NO (not false) and 0712345 (not octal) as written."""
    text = MINIMAL.replace("province: Tak}", "province: Tak, house_no: NO}").replace(
        "document: {type: passport, number: MH123456}",
        "document: {type: work_permit, number: 0712345}",
    )
    content = render.docx_text(_fill(write_case(text), "request"))
    assert "เวลา 08.30 น." in content
    assert "บ้านเลขที่ NO" in content
    assert "ใบอนุญาตทำงาน\n0712345" in content
