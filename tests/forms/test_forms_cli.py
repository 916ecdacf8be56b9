"""`clinic forms ...` and `clinic case new|intake|check`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from conftest import EXAMPLES, MINIMAL

from clinic import yamlio
from clinic.forms.casefile import check_case, read_case
from clinic.forms.definitions import get_form
from clinic.forms.fields import to_plain
from clinic.forms.intake import Question, dump_case, interview

Clinic = Callable[..., Result]


def test_forms_list(clinic: Clinic) -> None:
    result = clinic("forms", "list")
    assert result.exit_code == 0
    assert "birth-registration" in result.output and "interpreter-record" in result.output
    data = json.loads(clinic("forms", "list", "--json").stdout)
    assert {d["form"] for d in data} == {
        "birth-registration",
        "emergency-assistance",
        "voluntary-return",
        "referral",
        "consent",
        "interpreter-record",
    }


def test_forms_show(clinic: Clinic) -> None:
    result = clinic("forms", "show", "birth-registration")
    assert result.exit_code == 0
    assert "* case_id" in result.output and "child.born_on" in result.output
    assert "ท.ร.1/1" in result.output and "[unchecked]" in result.output
    assert "when: late_registration" in result.output
    thai = clinic("forms", "show", "birth-registration", "--lang", "th")
    assert "วันเกิด" in thai.output
    data = json.loads(clinic("forms", "show", "consent", "--json").stdout)
    photographs = next(f for f in data["fields"] if f["path"] == "consents")["fields"]
    assert next(f for f in photographs if f["path"] == "consents.photographs")["default"] == "no"


def test_forms_show_unknown_form(clinic: Clinic) -> None:
    result = clinic("forms", "show", "nope")
    assert result.exit_code == 2 and "unknown form 'nope'" in result.output


def test_case_new_writes_a_commented_skeleton_that_reads_back(
    clinic: Clinic, tmp_path: Path
) -> None:
    target = tmp_path / "case.yaml"
    result = clinic("case", "new", "birth-registration", "-o", str(target))
    assert result.exit_code == 0
    text = target.read_text("utf-8")
    assert "form: birth-registration" in text
    assert 'born_on: ""  # Date of birth (required)' in text
    assert "YYYY-MM-DD" in text and "Buddhist" not in text.split("child:")[0]
    checked = clinic("case", "check", str(target))
    assert checked.exit_code == 2
    assert "child.born_on: is required but empty" in checked.output
    assert ": father." not in checked.output  # an optional group left blank: no error
    again = clinic("case", "new", "birth-registration", "-o", str(target))
    assert again.exit_code == 2 and "already exists" in again.output
    thai = clinic("case", "new", "consent", "-o", str(tmp_path / "th.yaml"), "--lang", "th")
    assert thai.exit_code == 0 and "ต้องกรอก" in (tmp_path / "th.yaml").read_text("utf-8")


def test_case_check(clinic: Clinic, write_case: Callable[..., Path]) -> None:
    good = write_case(MINIMAL, "good.yaml")
    bad = write_case(MINIMAL.replace("born_on: 2026-11-02", "born_on: 2026-11-31"), "bad.yaml")
    result = clinic("case", "check", str(good), str(bad))
    assert result.exit_code == 2
    assert "ok  " in result.output and "(birth-registration, MSL-2026-0147)" in result.output
    assert f"{bad}:3:" in result.output and "this day does not exist" in result.output
    assert "1 problem(s) in 1 of 2 file(s)" in result.output
    data = json.loads(clinic("case", "check", str(good), str(bad), "--json").stdout)
    assert [d["ok"] for d in data] == [True, False]
    assert data[1]["errors"][0]["field"] == "child.born_on"
    examples = clinic("case", "check", *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    assert examples.exit_code == 0


def test_dump_case_round_trips_awkward_text() -> None:
    values = {
        "case_id": "X-1",
        "child": {"given_name": 'A "quoted" & <odd> name: yes', "born_at_time": "08:30"},
        "witnesses": [{"name": "NO", "document": {"type": "passport"}}],
        "empty": [],
    }
    assert yamlio.loads(dump_case("birth-registration", values)) == {
        "form": "birth-registration",
        **values,
    }


def _scripted(answers: list[str]) -> tuple[Callable[[Question], str], list[str], list[str]]:
    asked: list[str] = []
    said: list[str] = []

    def ask(question: Question) -> str:
        asked.append(question.path)
        return answers.pop(0)

    return ask, asked, said


def test_interview_checks_each_answer_and_writes_a_valid_case() -> None:
    form = get_form("interpreter-record")
    answers = [
        "INT-1",  # case_id
        "Test Interpreter",
        "1",
        "",
        "",  # interpreter: name, language (#1 = my), org, phone
        "Burmese - Thai",  # languages
        "2026-13-01",
        "2026-11-16",  # held_on: a bad date first, then a good one
        "9:00",
        "25:00",
        "10:30",  # started_at, ended_at (bad then good)
        "Test Office",
        "screening",  # location, purpose
        "yes",
        "screening officer",
        "no",  # parties: add one, then stop
        "",
        "",  # breaks, difficulties
        "maybe",
        "yes",  # no_conflict: bad then good
        "",  # conflict_note
        "destroyed",  # notes_handled
        "Test Staff",
        "",
        "",
        "",  # staff
    ]
    ask, asked, said = _scripted(answers)
    text, problems = interview(form, ask, said.append)
    assert problems == [] and answers == []
    assert any("YYYY-MM-DD" in s or "calendar date" in s for s in said)
    assert any("between 00:00 and 23:59" in s for s in said)
    assert any("yes or no" in s for s in said)
    case = to_plain(check_case.__globals__["validate"](yamlio.loads(text), form, "t")[0])
    assert case["session"]["started_at"] == "09:00" and case["interpreter"]["language"] == "my"
    assert case["session"]["parties"] == ["screening officer"]


def test_interview_reasks_a_field_a_rule_rejects() -> None:
    form = get_form("interpreter-record")
    answers = [
        "INT-2",
        "Test Interpreter",
        "my",
        "",
        "",
        "Burmese - Thai",
        "2026-11-16",
        "10:30",
        "09:00",  # ends before it starts: only the rule can see that
        "Test Office",
        "interview",
        "no",
        "",
        "",
        "yes",
        "",
        "none_taken",
        "Test Staff",
        "",
        "",
        "",
        "11:00",  # asked again for session.ended_at
    ]
    ask, asked, said = _scripted(answers)
    text, problems = interview(form, ask, said.append)
    assert problems == []
    assert asked[-1] == "session.ended_at"
    assert any("session.ended_at" in s for s in said)


def test_case_intake_in_thai_through_the_cli(clinic: Clinic, tmp_path: Path) -> None:
    target = tmp_path / "intake.yaml"
    answers = (
        "\n".join(
            [
                "INT-3",
                "Test Interpreter",
                "1",
                "",
                "",
                "Burmese - Thai",
                "2026-11-16",
                "09:00",
                "10:00",
                "Test Office",
                "1",
                "no",
                "",
                "",
                "ใช่",
                "",
                "1",
                "Test Staff",
                "",
                "",
                "",
            ]
        )
        + "\n"
    )
    result = clinic(
        "case", "intake", "interpreter-record", "-o", str(target), "--lang", "th", input=answers
    )
    assert result.exit_code == 0, result.output
    assert "ชื่อล่าม" in result.output  # the questions are asked in Thai
    case = read_case(target)
    assert case.case_id == "INT-3" and str(case.values.no_conflict) == "yes"
    assert str(case.values.session.purpose) == "screening"


def test_case_intake_refuses_to_overwrite_before_asking(clinic: Clinic, tmp_path: Path) -> None:
    target = tmp_path / "exists.yaml"
    target.write_text("keep me")
    result = clinic("case", "intake", "consent", "-o", str(target), input="")
    assert result.exit_code == 2 and "already exists" in result.output
    assert target.read_text() == "keep me"


def test_case_store_commands_are_wired_in(clinic: Clinic) -> None:
    assert "report" in clinic("--help").output
    case_help = clinic("case", "--help").output
    for name in ("new", "intake", "check", "add", "list", "show", "status", "verify"):
        assert f"  {name} " in case_help, name
