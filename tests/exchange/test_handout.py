"""Handouts: the Word XML (fonts per script, header rows, orientation, marks) and the
PDF LibreOffice makes of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from clinic.exceptions import ClinicError
from clinic.termbase import handout
from clinic.termbase.termbase import Termbase
from clinic.text import scripts_in

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name)
        }


def run_text(run: etree._Element) -> str:
    return "".join(t.text or "" for t in run.findall("w:t", NS))


def make(tb: Termbase, path: Path, **options: object) -> Path:
    defaults: dict[str, object] = {
        "langs": ["en", "th", "my"],
        "date": "2024-05-01",
        "title": "Labour workshop",
    }
    defaults.update(options)
    handout.write_handout(tb.concepts(), path, handout.HandoutOptions(**defaults))  # type: ignore[arg-type]
    return path


def test_every_run_has_one_script_and_its_complex_script_font(tb: Termbase, tmp_path: Path) -> None:
    path = make(
        tb, tmp_path / "h.docx", langs=["en", "th", "my", "km", "lo", "vi"], definitions=True
    )
    from clinic.termbase.fonts import font_for

    expected = {
        "Thai": font_for("th"),
        "Myanmar": font_for("my"),
        "Khmer": font_for("km"),
        "Lao": font_for("lo"),
    }
    seen: set[str] = set()
    for name, root in parts(path).items():
        for run in root.iter(q("r")):
            fonts = run.find("w:rPr/w:rFonts", NS)
            assert fonts is not None, name
            assert fonts.get(q("cs")) and fonts.get(q("ascii"))
            size_cs = run.find("w:rPr/w:szCs", NS)
            assert size_cs is not None and int(size_cs.get(q("val"))) > 0
            text = run_text(run)
            scripts = scripts_in(text)
            assert len(scripts) <= 1, text
            if scripts and (script := next(iter(scripts))) in expected:
                seen.add(script)
                assert fonts.get(q("cs")) == expected[script], text
                assert run.find("w:rPr/w:cs", NS) is not None  # complex-script run
    assert seen == set(expected)


def test_thai_runs_are_sized_for_th_sarabun(tb: Termbase, tmp_path: Path) -> None:
    root = parts(make(tb, tmp_path / "h.docx"))["word/document.xml"]
    sizes = {}
    for run in root.iter(q("r")):
        text = run_text(run)
        if text in ("แรงงานบังคับ", "forced labour"):
            sizes[text] = int(run.find("w:rPr/w:szCs", NS).get(q("val")))  # type: ignore[union-attr]
    assert sizes["แรงงานบังคับ"] > sizes["forced labour"]


def test_fonts_are_configurable(tb: Termbase, tmp_path: Path) -> None:
    fonts = handout.parse_font_options(["my=Pyidaungsu", "th=TH Sarabun PSK:16"])
    assert fonts == {"my": ("Pyidaungsu", 11), "th": ("TH Sarabun PSK", 16.0)}
    root = parts(make(tb, tmp_path / "h.docx", fonts=fonts))["word/document.xml"]
    found = {}
    for run in root.iter(q("r")):
        if run_text(run) in ("အဓမ္မလုပ်အား", "แรงงานบังคับ"):
            found[run_text(run)] = (
                run.find("w:rPr/w:rFonts", NS).get(q("cs")),  # type: ignore[union-attr]
                run.find("w:rPr/w:szCs", NS).get(q("val")),
            )  # type: ignore[union-attr]
    assert found == {"အဓမ္မလုပ်အား": ("Pyidaungsu", "22"), "แรงงานบังคับ": ("TH Sarabun PSK", "32")}
    with pytest.raises(ClinicError, match="LANG=FONT"):
        handout.parse_font_options(["Padauk"])


def test_the_shared_font_settings_apply(
    tb: Termbase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINIC_FONT_TH", "TH Sarabun PSK")
    root = parts(make(tb, tmp_path / "h.docx"))["word/document.xml"]
    thai = [r for r in root.iter(q("r")) if run_text(r) == "แรงงานบังคับ"]
    assert thai[0].find("w:rPr/w:rFonts", NS).get(q("cs")) == "TH Sarabun PSK"  # type: ignore[union-attr]


def test_header_rows_repeat_and_orientation_follows_the_columns(
    tb: Termbase, tmp_path: Path
) -> None:
    for langs, definitions, landscape in (
        (["en", "th", "my"], False, False),
        (["en", "th", "my"], True, True),
        (["en", "th", "my", "vi"], False, True),
    ):
        root = parts(make(tb, tmp_path / "h.docx", langs=langs, definitions=definitions))[
            "word/document.xml"
        ]
        tables = root.findall(".//w:tbl", NS)
        assert tables
        for table in tables:
            rows = table.findall("w:tr", NS)
            assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
            assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
        size = root.find(".//w:sectPr/w:pgSz", NS)
        assert size is not None
        width, height = int(size.get(q("w"))), int(size.get(q("h")))
        assert (width > height) == landscape
        assert (size.get(q("orient")) == "landscape") == landscape


def paragraph_texts(root: etree._Element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(q("t"))) for p in root.iter(q("p"))]


def test_legend_marks_and_struck_deprecated_terms(tb: Termbase, tmp_path: Path) -> None:
    path = make(tb, tmp_path / "h.docx", langs=["en", "th", "my"])
    root = parts(path)["word/document.xml"]
    texts = paragraph_texts(root)
    assert any(handout.LEGEND in t for t in texts)
    # Deprecated: struck and marked "avoid".
    slave = [r for r in root.iter(q("r")) if run_text(r) == "slave labour"]
    assert slave and slave[0].find("w:rPr/w:strike", NS) is not None
    assert "slave labour avoid" in texts
    # Unreviewed translations carry the mark; the reviewed Thai term and English do not.
    assert "แรงงานบังคับ (raeng ngan bangkhap)" in texts
    assert f"အဓမ္မလုပ်အား {handout.DRAFT_MARK}" in texts
    assert "forced labour" in texts
    footer = next(v for k, v in parts(path).items() if "footer" in k)
    instructions = [t.text.strip() for t in footer.iter(q("instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    header = next(v for k, v in parts(path).items() if "header" in k)
    assert "Labour workshop · 2024-05-01" in "".join(t.text for t in header.iter(q("t")))


def first_column(root: etree._Element) -> list[list[str]]:
    out = []
    for table in root.findall(".//w:tbl", NS):
        column = []
        for row in table.findall("w:tr", NS)[1:]:
            cell = row.find("w:tc", NS)
            column.append("".join(t.text or "" for t in cell.find("w:p", NS).iter(q("t"))))  # type: ignore[union-attr]
        out.append(column)
    return out


def test_sections_sorting_phrases_and_definitions(tb: Termbase, tmp_path: Path) -> None:
    concepts = tb.concepts()
    extra = [
        {
            "id": f"extra-{i}",
            "subject_fields": ["labour"],
            "terms": {"th": [{"text": text}], "en": [{"text": f"extra {i}"}]},
        }
        for i, text in enumerate(["ไก่", "ขา", "เก่ง"])
    ]
    options = handout.HandoutOptions(
        langs=["th", "en"], domains=["labour"], sort_by="th", date="2024-05-01"
    )
    path = tmp_path / "sorted.docx"
    handout.write_handout(concepts + extra, path, options)
    root = parts(path)["word/document.xml"]
    (labour,) = first_column(root)
    thai = [t for t in labour if t and t != "—"]
    assert [re.sub(r" .*", "", t) for t in thai] == ["เก่ง", "ไก่", "ขา", "แรงงานบังคับ"]
    assert labour[-1] == "—"  # debt-bondage has no Thai term: last
    texts = " ".join(paragraph_texts(root))
    assert "Phrases" not in texts and "ตอนนี้คุณปลอดภัยไหม" not in texts
    assert "Definition and notes" not in texts
    options = handout.HandoutOptions(
        langs=["en", "th"], phrases=True, definitions=True, date="2024-05-01"
    )
    handout.write_handout(concepts, path, options)
    texts = " ".join(paragraph_texts(parts(path)["word/document.xml"]))
    assert "Phrases" in texts and "ตอนนี้คุณปลอดภัยไหม" in texts
    assert "Definition and notes" in texts and "Note: too broad" not in texts
    assert "Palermo Protocol (2000), art. 3(a)" in texts


def test_output_is_deterministic(tb: Termbase, tmp_path: Path) -> None:
    first = make(tb, tmp_path / "a.docx").read_bytes()
    second = make(tb, tmp_path / "b.docx").read_bytes()
    assert first == second
    third = make(tb, tmp_path / "c.docx", date="2024-05-02").read_bytes()
    assert third != first


def test_cli_handout_and_its_errors(
    tb: Termbase,
    run,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "h.docx"
    result = run(
        "glossary",
        "handout",
        str(out),
        "--lang",
        "en,th,my",
        "--domain",
        "labour,immigration",
        "--sort-by",
        "th",
        "--date",
        "2024-05-01",
        "--title",
        "Workshop",
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()
    bad = run("glossary", "handout", str(out), "--lang", "en,th", "--sort-by", "my")
    assert bad.exit_code == 2 and "--sort-by" in bad.output
    bad = run("glossary", "handout", str(out), "--date", "May 2024")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    monkeypatch.setattr(handout, "soffice_path", lambda: None)
    out.unlink()
    result = run("glossary", "handout", str(out), "--pdf", "--date", "2024-05-01")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "LibreOffice is not installed" in lines[0]
    assert out.is_file() and not out.with_suffix(".pdf").exists()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and pdftotext (poppler-utils)",
)
def test_pdf_through_libreoffice(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tb.add(
        {
            "id": "lao-khmer-sample",
            "subject_fields": ["labour"],
            "terms": {
                "en": [{"text": "labour inspection"}],
                "lo": [{"text": "ການກວດແຮງງານ"}],
                "km": [{"text": "អធិការកិច្ចការងារ"}],
            },
        }
    )
    out = tmp_path / "workshop handout.docx"
    result = run(
        "glossary",
        "handout",
        str(out),
        "--lang",
        "en,th,my,lo,km",
        "--domain",
        "labour",
        "--date",
        "2024-05-01",
        "--pdf",
        "--title",
        "Labour workshop",
    )
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = squeeze(text)
    for expected in (
        "Labour workshop",
        "Legend",
        "slavelabouravoid",
        "แรงงานบังคับ",
        "ການກວດແຮງງານ",
        "Page1of1",
    ):
        assert squeeze(expected) in flat, expected
    # Burmese and Khmer come out of pdftotext with stray spaces or reordered marks; the
    # base letters must all be there.
    for word in ("အဓမ္မလုပ်အား", "អធិការកិច្ចការងារ"):
        assert all(ch in flat for ch in word if ch.isalpha()), word
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    # TH Sarabun New is drawn with Laksaman, its free Debian counterpart; Lao with Noto
    # Sans Lao (fonts-noto-core) or, without it, fontconfig's Lao font (fonts-lao).
    embedded = fonts.replace(" ", "")
    for families in (("Laksaman",), ("Padauk",), ("NotoSansLao", "Phetsarath"), ("KhmerOS",)):
        assert any(family in embedded for family in families), families
