"""CSV/TSV: the OmegaT and wide layouts, encodings, Zawgyi columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinic.exceptions import ClinicError, ValidationError
from clinic.termbase import tabular
from clinic.termbase.exchange import read_incoming, select
from clinic.termbase.model import clean_concept
from clinic.termbase.termbase import Termbase
from clinic.text import zawgyi_to_unicode


def to_zawgyi(text: str) -> str:
    import icu

    return str(icu.Transliterator.createInstance("my-Zawgyi").transliterate(text))


def concepts_of(path: Path, **options: object) -> list[dict[str, object]]:
    raws, _ = tabular.read_table(path, **options)  # type: ignore[arg-type]
    return [clean_concept(raw, where) for raw, where in raws]


def test_omegat_glossary(tmp_path: Path) -> None:
    path = tmp_path / "glossary.txt"
    path.write_text(
        "# OmegaT glossary\n"
        "debt bondage\tการตกเป็นแรงงานขัดหนี้\tnot every debt\n"
        "debt bondage\tแรงงานขัดหนี้\n"
        '"quoted" term\tคำ\n'
        "\n",
        encoding="utf-8",
    )
    concepts = concepts_of(path, langs=["en", "th"])
    assert [c["id"] for c in concepts] == ["debt-bondage", "quoted-term"]
    debt = concepts[0]
    assert [t["text"] for t in debt["terms"]["th"]] == [
        "การตกเป็นแรงงานขัดหนี้",  # type: ignore[index]
        "แรงงานขัดหนี้",
    ]
    assert [t["status"] for t in debt["terms"]["th"]] == ["preferred", "admitted"]  # type: ignore[index]
    assert debt["notes"] == ["not every debt"]
    assert concepts[1]["terms"]["en"][0]["text"] == '"quoted" term'  # type: ignore[index]
    with pytest.raises(ClinicError, match="--lang SOURCE,TARGET"):
        tabular.read_table(path)


def test_wide_layout_with_and_without_bom(tmp_path: Path) -> None:
    text = (
        "id,domain,status,English,th,my,th roman,definition,source,notes,reviewer\n"
        "debt-bondage,labour,preferred,debt bondage,การตกเป็นแรงงานขัดหนี้,ကြွေးမြီနှောင်ဖွဲ့ခံရခြင်း,"
        'kan tok pen raeng ngan khat ni,"Work to repay a debt, forever.",ILO (2012),'
        "a | b,Test Reviewer One\n"
        "debt-bondage,,admitted,bonded labour,,,,,,,\n"
        "debt-bondage,,avoid,debt slavery,,,,,,,\n"
    )
    for name, data in (("plain.csv", text.encode()), ("bom.csv", b"\xef\xbb\xbf" + text.encode())):
        path = tmp_path / name
        path.write_bytes(data)
        (concept,) = concepts_of(path)
        assert concept["id"] == "debt-bondage"
        assert concept["subject_fields"] == ["labour"]
        assert concept["definition"] == {
            "text": "Work to repay a debt, forever.",
            "source": "ILO (2012)",
        }
        assert concept["notes"] == ["a", "b"]
        english = concept["terms"]["en"]  # type: ignore[index]
        assert [(t["text"], t["status"]) for t in english] == [
            ("debt bondage", "preferred"),
            ("bonded labour", "admitted"),
            ("debt slavery", "deprecated"),
        ]
        assert concept["terms"]["th"][0]["roman"] == "kan tok pen raeng ngan khat ni"  # type: ignore[index]
        assert concept["extra"] == {"reviewer": "Test Reviewer One"}


def test_wide_layout_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,en,status\na,one,preferred\nb,two,maybe\n", encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        tabular.read_table(path)
    assert str(error.value).startswith(f"{path}:3: status: unknown status")
    path.write_text("id,en,domain\na,one,not-a-field\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad.csv:2: domain: unknown subject field"):
        tabular.read_table(path)


def test_other_encodings(tmp_path: Path) -> None:
    thai = "EN\tTh\nwater\tน้ำดื่ม\n"  # header codes in any case
    path = tmp_path / "thai.tsv"
    path.write_bytes(thai.encode("cp874"))
    with pytest.raises(ValidationError) as error:
        tabular.read_table(path)
    message = str(error.value)
    assert f"{path}:2:" in message and "not UTF-8" in message and "--encoding" in message
    raws, warnings = tabular.read_table(path, encoding="cp874")
    assert raws[0][0]["terms"]["th"] == [{"text": "น้ำดื่ม"}]
    assert warnings and "cp874" in warnings[0]
    path.write_bytes(thai.encode("utf-16"))
    raws, warnings = tabular.read_table(path)
    assert raws[0][0]["terms"]["th"] == [{"text": "น้ำดื่ม"}]
    assert "UTF-16" in warnings[0]


def test_zawgyi_column_is_detected_as_a_whole_and_converted(tmp_path: Path) -> None:
    words = ["ကျောင်း", "လူကုန်ကူးမှု", "ကြွေးမြီ", "ကျ"]
    path = tmp_path / "zawgyi.csv"
    rows = ["en,my"] + [f"word {i},{to_zawgyi(w)}" for i, w in enumerate(words)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    raws, warnings = tabular.read_table(path)
    assert [r["terms"]["my"][0]["text"] for r, _ in raws] == words
    # The last term alone looks like Unicode to the detector: the column decides.
    from clinic.text import zawgyi_probability

    assert zawgyi_probability(to_zawgyi("ကျ")) < 0.05
    assert len(warnings) == 1 and "Zawgyi" in warnings[0] and "'my'" in warnings[0]
    kept, warnings = tabular.read_table(path, zawgyi="keep")
    assert kept[0][0]["terms"]["my"][0]["text"] == to_zawgyi(words[0]) and not warnings


def test_unicode_burmese_is_left_alone_and_unsure_columns_stop(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_text("en,my\nschool,ကျောင်း\nforced labour,အဓမ္မလုပ်အား\n", encoding="utf-8")
    raws, warnings = tabular.read_table(path)
    assert raws[1][0]["terms"]["my"][0]["text"] == "အဓမ္မလုပ်အား" and not warnings
    unsure = tmp_path / "unsure.csv"
    unsure.write_text("en,my\nbrave,ရဲ\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="may be Zawgyi.*--zawgyi convert"):
        tabular.read_table(unsure)
    raws, warnings = tabular.read_table(unsure, zawgyi="convert")
    assert raws[0][0]["terms"]["my"][0]["text"] == zawgyi_to_unicode("ရဲ") and warnings


def test_wide_export_round_trip(tb: Termbase, tmp_path: Path) -> None:
    concepts = select(tb.concepts(), langs=["en", "th", "my", "vi"])
    data = tabular.write_table(
        concepts, layout=tabular.WIDE, langs=["en", "th", "my", "vi"], delimiter=","
    )
    assert data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "wide.csv"
    path.write_bytes(data)
    back = {c["id"]: c for c in concepts_of(path)}
    for concept in concepts:
        again = back[concept["id"]]
        for lang, terms in concept["terms"].items():
            assert [(t["text"], t["status"]) for t in again["terms"][lang]] == [  # type: ignore[index]
                (t["text"], t["status"]) for t in terms
            ]
        assert again.get("definition") == concept.get("definition")
        assert again.get("subject_fields") == concept.get("subject_fields")
        assert again.get("see") == concept.get("see")
    # Checked romanisations travel; automatic ones (search aids) do not.
    assert back["forced-labour"]["terms"]["th"][0]["roman"] == "raeng ngan bangkhap"  # type: ignore[index]
    assert "roman" not in back["forced-labour"]["terms"]["my"][0]  # type: ignore[index]


def test_tsv_and_omegat_export(tb: Termbase, tmp_path: Path) -> None:
    concepts = select(tb.concepts(), langs=["en", "th"])
    omegat = tabular.write_table(
        concepts, layout=tabular.OMEGAT, langs=["en", "th"], delimiter="\t"
    ).decode()
    lines = [line for line in omegat.splitlines() if not line.startswith("#")]
    assert "forced labour\tแรงงานบังคับ" in lines
    assert not any("slave labour" in line for line in lines)  # deprecated: not suggested
    assert all(line.count("\t") <= 2 for line in lines)
    path = tmp_path / "g.txt"
    path.write_text(omegat, encoding="utf-8")
    incoming = read_incoming(path, langs=["en", "th"])
    assert {c["id"] for c in incoming.concepts} >= {"forced-labour", "drinking-water"}


def test_cli_reports_csv_problems_in_one_line(tb: Termbase, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.csv"
    path.write_bytes("en,fr\ncoffee,café\n".encode("latin-1"))
    result = run("glossary", "import", str(path))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "latin1.csv:2:" in result.output
    result = run("glossary", "import", str(path), "--encoding", "latin-1", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["add"] == 1 and "latin-1" in report["warnings"][0]


def test_bad_tables_are_refused_with_their_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from clinic.exceptions import ValidationError
    from clinic.termbase.tabular import read_table

    cases = {
        "rag.csv": ("en,th\nforced labour, unpaid,แรงงานบังคับ\n".encode(), "rag.csv", 2),
        "unq.csv": ('en,th\n"unterminated,ล่าม\ntranslator,นักแปล\n'.encode(), "unq.csv", None),
        "ctl.csv": ("en,th\nx\x1by,ก\n".encode(), "ctl.csv", 2),
        "u16.csv": ("en,th\ninterpreter,ล่าม\n".encode("utf-16-le"), "u16.csv", None),
    }
    for name, (data, shown, line) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValidationError) as caught:
            read_table(path)
        assert shown in str(caught.value)
        if line:
            assert caught.value.line == line


def test_a_unicode_cell_in_a_zawgyi_column_is_not_corrupted() -> None:
    from clinic.termbase.tabular import fix_zawgyi_columns
    from clinic.text import zawgyi_to_unicode

    unicode_cell = "ကြွေးမြီ"
    zawgyi = ["ေငြေခ်း", "ေက်ာင္း", "ၿမိဳ႕", "ေရ", "ႏိုင္ငံ", "ျပည္"]
    column = {"the my column": [*zawgyi, unicode_cell]}
    fix_zawgyi_columns(column, mode="convert", path="t.csv")
    assert column["the my column"][-1] == unicode_cell
    assert column["the my column"][0] == zawgyi_to_unicode("ေငြေခ်း")
