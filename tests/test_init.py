"""`mentor-sync init`: from a committee's own forms to settings that run, and the pure parts
it is made of (which tab is which form, which header is which field, the checkbox options
learnt from the answers, the settings file written)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from jobs.cli import cli
from jobs.clock import machine_zone
from jobs.init import InitRequest, kept_settings
from jobs.settings_file import default_settings_data, load_settings, settings_over_defaults
from mentoring.first_settings import FormChoice, Setting, plan_settings, render, toml_value
from mentoring.form_fields import choose_tabs, map_fields, match_tabs
from mentoring.intake import read_responses
from mentoring.learnt_options import learn_options, tab_questions
from mentoring.questions import CHECKBOX, Question
from mentoring.scoring import ScoreBoard
from mentoring.sheet import Row, Table
from sync.workbook import WorkbookSpreadsheet, create_workbook
from tests.fakes.google_fake import FakeGoogle
from tests.fakes.google_program import ROBOT, SHEET_ID, service_account
from tests.fakes.own_forms import (
    CONTACT,
    MENTEE_HEADERS,
    MENTEE_TAB,
    MENTOR_HEADERS,
    MENTOR_TAB,
    SKILLS,
    SUBJECTS,
    SUPPORT,
    own_forms_tabs,
    own_forms_workbook,
)

DEFAULTS = default_settings_data()
COMMITTEE = "committee@ourlib.org"
# init as the new user runs it, from the folder of their workbook.
INIT_YES = ("init", "--yes", "--workbook", "forms.xlsx", "--committee-email", COMMITTEE)


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, prog_name="mentor-sync")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty folder but for the workbook of the committee's own forms, as the current one."""
    monkeypatch.chdir(tmp_path)
    own_forms_workbook(tmp_path / "forms.xlsx")
    return tmp_path


def questions(*titles: str) -> list[Question]:
    return [Question(title, kind="other") for title in titles]


# --- which header is which field ---------------------------------------------------------


def test_an_exact_header_beats_a_closer_sounding_one():
    wanted = {"name": "Full name", "institution": "Institution or organization"}
    guesses = map_fields(
        wanted,
        questions(
            "Your full name", "Full name", "Organisation / employer", "INSTITUTION  or organization"
        ),
    )
    assert [(g.field, g.header, g.exact) for g in guesses] == [
        ("name", "Full name", True),
        ("institution", "INSTITUTION  or organization", True),
    ]


def test_a_header_serves_one_field_only():
    wanted = {"subjects": "Subject areas", "skills": "Skills you want to develop"}
    guesses = map_fields(wanted, questions("Subject areas and skills you want to develop"))
    assert sorted(g.header for g in guesses) == ["", "Subject areas and skills you want to develop"]


@given(st.lists(st.sampled_from(MENTEE_HEADERS + MENTOR_HEADERS), min_size=1, max_size=12))
def test_no_header_is_ever_the_answer_to_two_fields(titles):
    guesses = map_fields(DEFAULTS["mentee_form"]["questions"], questions(*titles))
    headers = [g.header for g in guesses if g.header]
    assert len(headers) == len(set(headers))


def test_a_question_the_form_does_not_ask_maps_to_nothing_and_its_own_question_is_left_over():
    guesses = {
        g.field: g
        for g in map_fields(DEFAULTS["mentee_form"]["questions"], questions(*MENTEE_HEADERS))
    }
    assert guesses["rhythm"].header == ""
    assert (
        guesses["rhythm"].reason()
        == "your form has no question close to 'How often would you like to meet?'"
    )
    assert {field: g.header for field, g in guesses.items() if field != "rhythm"} == {
        "timestamp": "Timestamp",
        "email": "E-mail",
        "name": "Your name",
        "pronouns": "Pronouns (optional)",
        "institution": "Organisation / employer",
        "career_stage": "Career stage",
        "years": "How many years have you worked in libraries?",
        "subjects": "Areas of science you work in",
        "support": "What kind of support are you looking for?",
        "skills": "Skills you'd like to build",
        "goals": "What do you hope to learn?",
        "communication": "How would you like to keep in touch?",
        "time_zone": "Your time zone",
        "preferred_name": "",  # an optional question, which their form does not ask
    }
    assert guesses["name"].reason() == "guessed from 'Your name' (closest to 'Full name')"


def test_a_field_the_defaults_do_not_ask_is_found_by_its_name():
    wanted = {"name": "Full name", "preferred_name": "", "communication": "Preferred ways"}
    asked = questions("Your name", "Preferred first name", "Pronouns")
    assert [(g.field, g.header) for g in map_fields(wanted, asked)] == [
        ("name", "Your name"),
        ("preferred_name", "Preferred first name"),
        ("communication", ""),
    ]
    guesses = map_fields(wanted, questions("Your name", "What should we call you?"))
    assert guesses[1].header == "What should we call you?"
    assert (
        guesses[1].reason()
        == "guessed from 'What should we call you?' (a question on preferred name)"
    )
    unlike = questions("Your name", "Would you prefer a video call or a phone call?")
    assert [g.header for g in map_fields(wanted, unlike)][1] == ""


def test_the_forms_go_to_their_tabs_whatever_the_order_and_a_tab_of_notes_is_no_form():
    forms = {
        form: DEFAULTS[form]["questions"] for form in ("mentee_form", "mentor_form", "checkin_form")
    }
    tabs = {
        "Notes": questions("Note", "By"),
        "Mentors": questions(*MENTOR_HEADERS),
        "Only the usual": questions("Timestamp", "Email Address"),
        "Mentees": questions(*MENTEE_HEADERS),
    }
    chosen = choose_tabs(match_tabs(tabs, forms, set(DEFAULTS["checkboxes"])))
    assert {form: match.tab for form, match in chosen.items()} == {
        "mentee_form": "Mentees",
        "mentor_form": "Mentors",
    }
    assert chosen["mentee_form"].why() == "it has 11 of the 12 questions of the mentee form"
    assert chosen["mentee_form"].unused() == ("How did you hear about the programme?",)


def test_the_demo_forms_map_exactly():
    forms = {
        form: DEFAULTS[form]["questions"] for form in ("mentee_form", "mentor_form", "checkin_form")
    }
    tabs = {
        f"Form Responses {n}": questions(*forms[form].values())
        for n, form in enumerate(forms, start=1)
    }
    chosen = choose_tabs(match_tabs(tabs, forms))
    assert {form: m.tab for form, m in chosen.items()} == {
        "mentee_form": "Form Responses 1",
        "mentor_form": "Form Responses 2",
        "checkin_form": "Form Responses 3",
    }
    assert all(g.exact for m in chosen.values() for g in m.guesses if g.wanted)
    assert {g.field: g.header for m in chosen.values() for g in m.guesses if not g.wanted} == {
        "preferred_name": ""
    }


# --- the options of a checkbox question ---------------------------------------------------


def test_an_option_with_a_comma_is_learnt_whole():
    learnt = learn_options(
        [
            "Grant writing, Tenure, promotion & publishing",
            "Tenure, promotion & publishing",
            "Leadership, Tenure, promotion & publishing",
            "Grant writing",
            "Leadership",
        ]
    )
    assert set(learnt.options) == {"Grant writing", "Tenure, promotion & publishing", "Leadership"}
    assert learnt.explained == learnt.answers == 5


def test_an_option_with_a_comma_whose_first_part_is_an_option_too_is_learnt_whole():
    learnt = learn_options(
        [
            "Tenure, promotion & publishing",
            "Tenure",
            "Data, Tenure, promotion & publishing",
            "Data, Tenure",
        ]
    )
    assert set(learnt.options) == {"Tenure", "Tenure, promotion & publishing", "Data"}


def test_what_one_person_typed_after_other_is_not_an_option():
    learnt = learn_options(
        [
            "Chemistry, Physics",
            "Chemistry, Marine archives, mostly",
            "Physics, Podcasting",
            "Physics",
            "",
        ]
    )
    assert learnt.options == ("Chemistry", "Physics")
    assert (learnt.answers, learnt.explained) == (4, 2)
    assert learnt.other_texts == ("Marine archives, mostly", "Podcasting")
    assert learnt.summary() == (
        "2 options learnt from 4 answers: 2 are made of these options only;"
        " 2 also have Other: text, kept as free text"
    )


def test_the_options_come_in_the_forms_order():
    learnt = learn_options(["B, C", "A, B", "C", "A, C", "A"])
    assert learnt.options == ("A", "B", "C")


WORDS = st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)


@st.composite
def options_and_answers(draw):
    """A form's options (some with a comma, their second part in lower case as a phrase
    goes on), and answers that tick each at least twice, in the form's order, some with
    Other: text that nobody else typed."""
    words = draw(st.lists(WORDS, min_size=4, max_size=16, unique=True))
    options, rest = [], list(words)
    while rest:
        first = rest.pop().capitalize()
        if rest and draw(st.booleans()):
            first = f"{first}, {rest.pop()} {draw(WORDS)}"
        options.append(first)
    assume(len(options) >= 2)
    picks = draw(
        st.lists(st.sets(st.integers(0, len(options) - 1), min_size=1), min_size=1, max_size=30)
    )
    for index in range(len(options)):  # every option ticked at least twice
        picks += [{index}, {index, (index + 1) % len(options)}]
    answers = []
    for number, chosen in enumerate(draw(st.permutations(picks))):
        ticked = [options[i] for i in sorted(chosen)]
        if draw(st.booleans()):
            ticked.append(f"Other text {number}, with a comma {number}")
        answers.append(", ".join(ticked))
    return options, answers


@given(options_and_answers())
def test_options_learnt_from_answers_are_the_forms_options(case):
    options, answers = case
    learnt = learn_options(answers)
    assert sorted(learnt.options) == sorted(options)
    assert learnt.answers == len(answers)
    assert learnt.explained == sum(1 for a in answers if "Other text" not in a)


def test_a_column_of_ticked_options_is_a_checkbox_question():
    answers = ["Chemistry, Physics", "Physics", "Chemistry", "Biology, Physics"]
    tab = Table(
        "t", ("Areas", "Name"), tuple(Row(n + 2, (a, f"P{n}")) for n, a in enumerate(answers))
    )
    areas, name = tab_questions(tab)
    assert (areas.kind, set(areas.options)) == (CHECKBOX, {"Chemistry", "Physics"})
    assert name.kind == "text"


# --- the settings file --------------------------------------------------------------------


@given(st.text())
def test_any_text_is_written_as_toml_that_reads_back_the_same(text):
    assert tomllib.loads(f"key = {toml_value(text)}")["key"] == text


def own_plan():
    mentee = {
        g.field: g.header
        for g in map_fields(DEFAULTS["mentee_form"]["questions"], questions(*MENTEE_HEADERS))
    }
    mentor = {
        g.field: g.header
        for g in map_fields(DEFAULTS["mentor_form"]["questions"], questions(*MENTOR_HEADERS))
    }
    forms = {
        "mentee_form": FormChoice(MENTEE_TAB, mentee, {}, "found"),
        "mentor_form": FormChoice(MENTOR_TAB, mentor, {}, "found"),
    }
    given = {
        "program": {
            "name": Setting("Our Library Mentoring", "given"),
            "committee_email": Setting(COMMITTEE, ""),
        },
        "google": {"timeout": Setting(5.0, "kept"), "tries": Setting(6, "the default")},
        "email.smtp": {"port": Setting(465, "kept")},
    }
    checkboxes = {"skills": Setting(list(SKILLS), "learnt")}
    return plan_settings(DEFAULTS, given, forms, checkboxes, [MENTEE_TAB, MENTOR_TAB])


def test_the_settings_written_read_back_as_planned_and_load_over_the_defaults(tmp_path):
    plan = own_plan()
    text = render(plan, "heading")
    assert tomllib.loads(text) == plan.data()
    settings = settings_over_defaults(tomllib.loads(text), tmp_path)
    assert settings.tabs.mentees == MENTEE_TAB
    assert "rhythm" not in settings.mentee_form.questions
    assert [rule.name for rule in settings.matching.rules] == [
        "skills",
        "subjects",
        "support",
        "goals and experience",
        "both prefer",
        "time zones",
        "institution",
    ]
    assert settings.checkboxes["skills"] == SKILLS
    assert settings.google.timeout == 5.0 and "tries" not in text  # as the defaults have it
    assert settings.email.smtp.port == 465
    assert (
        "rule 'meeting rhythm' dropped: your mentee and mentor forms have no question for rhythm"
        in plan.said
    )
    assert render(own_plan(), "heading") == text  # the same forms, the same file


def test_what_needs_a_question_the_forms_do_not_ask_is_switched_off_and_said(tmp_path):
    mentee = dict(
        DEFAULTS["mentee_form"]["questions"], career_stage="", institution="", support="", goals=""
    )
    mentor = dict(DEFAULTS["mentor_form"]["questions"], support="")
    forms = {
        "mentee_form": FormChoice("Form Responses 1", mentee, {}),
        "mentor_form": FormChoice("Form Responses 2", mentor, {}),
    }
    plan = plan_settings(DEFAULTS, {}, forms, {})
    settings = settings_over_defaults(tomllib.loads(render(plan, "")), tmp_path)
    assert settings.matching.summary_group == ""
    assert settings.mentee_form.required == ("name",)
    assert "support" not in settings.checkboxes
    assert [r.name for r in settings.matching.rules] == [
        "skills",
        "subjects",
        "both prefer",
        "meeting rhythm",
        "time zones",
    ]
    assert plan.said == [
        "mentee_form.required: institution left out, as your mentee form does not ask it (rows"
        " without an answer to it were to go to Intake Issues)",
        "rule 'support' dropped: your mentee and mentor forms have no question for support",
        "rule 'goals and experience' dropped: your mentee form has no question for goals",
        "rule 'institution' dropped: your mentee form has no question for institution",
        "matching.summary_group switched off: your mentee form has no question for career_stage",
    ]


def test_this_machines_time_zone_is_read_from_tz_or_the_zone_file_link(tmp_path):
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Lisbon")
    assert machine_zone({"TZ": ":Asia/Tokyo"}, link) == ("Asia/Tokyo", "the TZ variable")
    assert machine_zone({}, link) == ("Europe/Lisbon", f"{link}, this machine's time zone")
    assert machine_zone({"TZ": "Mars/Olympus"}, tmp_path / "none") == ("", "")


# --- the command ------------------------------------------------------------------------


def every_rule_scores_on_some_pair(settings_path: Path) -> dict[str, float]:
    settings = load_settings(settings_path)
    sheet = WorkbookSpreadsheet(Path(settings.spreadsheet.path))
    tabs = sheet.read([settings.tabs.mentees, settings.tabs.mentors])
    people = read_responses(tabs[settings.tabs.mentees], tabs[settings.tabs.mentors], settings)
    board = ScoreBoard(settings.matching.rules, people.mentees, people.mentors)
    return {rule.rule.name: float(rule.values(slice(None)).max()) for rule in board.rules}


def test_a_new_user_goes_from_their_forms_to_a_committee_tab(folder):
    result = invoke(*INIT_YES)
    assert result.exit_code == 0, result.output
    said = result.output.splitlines()
    assert (
        "mentee form: tab 'Mentee sign-ups', as it has 11 of the 12 questions of the mentee form (tab 'Mentor sign-ups' has 10)"
        in said
    )
    assert "  rhythm: not asked (nothing close to 'How often would you like to meet?')" in said
    assert "  not used: 'How did you hear about the programme?'" in said
    assert (
        "rule 'meeting rhythm' dropped: your mentee and mentor forms have no question for rhythm"
        in said
    )
    assert "doctor: nothing to fix" in said
    written = folder / "settings.toml"
    assert said[-1] == "next: mentor-sync match, then review the tab Committee Matches"
    text = written.read_text()
    assert "example.org" not in text and "STS" not in text
    assert "# guessed from 'Your name' (closest to 'Full name')\nname = \"Your name\"" in text
    settings = load_settings(written)
    assert settings.program.name == "forms" and settings.email.from_name == "forms"
    assert settings.checkboxes["support"] == SUPPORT
    assert set(settings.checkboxes["skills"]) == set(SKILLS)  # the Other: answers are not options
    assert (
        settings.checkboxes["subjects"] == SUBJECTS
        and settings.checkboxes["communication"] == CONTACT
    )
    assert "meeting rhythm" not in {rule.name for rule in settings.matching.rules}

    match = invoke("--config", "settings.toml", "match")
    assert match.exit_code == 0, match.output
    assert any(
        line.startswith("match: 30 mentees, 30 suggested, 0 without a mentor, 0 intake issues")
        for line in match.output.splitlines()
    ), match.output
    committee = list(openpyxl.load_workbook(folder / "forms.xlsx")["Committee Matches"].values)
    header, rows = committee[0], committee[1:]
    assert len(rows) == 30 and all(row[header.index("Suggested Mentor Email")] for row in rows)
    scores = every_rule_scores_on_some_pair(written)
    assert scores and all(best > 0 for best in scores.values()), scores
    why = " ".join(str(row[header.index("Why")]) for row in rows)
    for rule in settings.matching.rules:
        if rule.weight:
            assert rule.name in why


def test_init_takes_the_guesses_the_person_confirms_and_the_one_they_change(folder):
    # The first question is where the responses are: the one workbook here, by default.
    mentee_fields = list(DEFAULTS["mentee_form"]["questions"])
    mentor_fields = list(DEFAULTS["mentor_form"]["questions"])
    answers = ["" for _ in mentee_fields]
    answers[mentee_fields.index("pronouns")] = "-"  # their pronouns question is not for matching
    answers[mentee_fields.index("rhythm")] = "14"  # nor is "how did you hear": a wrong choice
    answers += ["" for _ in mentor_fields]
    answers += ["Our Library Mentoring", "not an address", COMMITTEE, "", "", "Europe/Dublin"]
    result = invoke("init", "--out", "ours.toml", input="\n".join(["", *answers]) + "\n")
    assert result.exit_code == 0, result.output
    assert "'not an address' is not an email address" in result.output
    settings = load_settings(folder / "ours.toml")
    assert "pronouns" not in settings.mentee_form.questions
    assert settings.mentee_form.questions["rhythm"] == "How did you hear about the programme?"
    assert settings.mentee_form.questions["name"] == "Your name"
    assert settings.mentor_form.questions["pronouns"] == "Pronouns (optional)"
    assert settings.program.name == settings.email.from_name == "Our Library Mentoring"
    assert (settings.program.committee_email, settings.program.time_zone) == (
        COMMITTEE,
        "Europe/Dublin",
    )
    text = (folder / "ours.toml").read_text()
    assert '# your form does not ask this, as you said at init\'s prompt\npronouns = ""' in text


def test_init_with_yes_keeps_an_existing_settings_file_unless_forced(folder):
    existing = folder / "settings.toml"
    existing.write_text("# ours\n")
    args = [*INIT_YES, "--out", "settings.toml"]
    refused = invoke(*args)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "mentor-sync: usage error: settings.toml exists already; add --force to replace it, or"
        " --out PATH to write the settings somewhere else (see mentor-sync --help)\n"
    )
    assert existing.read_text() == "# ours\n"
    forced = invoke(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert load_settings(existing).tabs.mentees == MENTEE_TAB


def test_init_asks_before_replacing_a_settings_file_and_keeps_it_on_no(folder):
    existing = folder / "settings.toml"
    existing.write_text("# ours\n")
    result = invoke("init", "--workbook", "forms.xlsx", "--out", "settings.toml", input="n\n")
    assert result.exit_code == 1
    assert result.output.startswith("settings.toml exists; replace it? [y/N]: n\n")
    assert (
        "settings.toml kept as it was; nothing written (--out PATH writes elsewhere)"
        in result.output
    )
    assert existing.read_text() == "# ours\n"


def test_init_with_yes_needs_the_committee_email(folder):
    result = invoke("init", "--yes", "--workbook", "forms.xlsx")
    assert result.exit_code == 2
    assert "--yes needs --committee-email ADDR" in result.stderr
    assert list(folder.iterdir()) == [folder / "forms.xlsx"]


def test_init_refuses_a_workbook_without_a_forms_responses_and_says_what_it_looked_for(folder):
    create_workbook(
        folder / "other.xlsx", {"Budget": [["Item", "Cost"], ["Cake", 12]], "Sheet2": []}
    )
    result = invoke("init", "--yes", "--workbook", "other.xlsx", "--committee-email", COMMITTEE)
    assert result.exit_code == 2
    assert result.stderr == (
        "mentor-sync: configuration error: no tab of other.xlsx looks like the responses of the"
        " mentee or the mentor form (tabs: 'Budget'); init looked for a header row of a form's"
        " questions, such as 'Timestamp', 'Full name', 'Pronouns', 'Institution or"
        " organization', 'Which best describes you?'. Link each form to the spreadsheet (in"
        " the form: Responses > Link to Sheets), then give init that spreadsheet, or its"
        " download as .xlsx. Nothing was written\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["forms.xlsx", "other.xlsx"]


def test_init_keeps_how_the_old_settings_reach_google_and_send_mail(tmp_path):
    old = tmp_path / "settings.toml"
    old.write_text(
        '[program]\nname = "Old"\n[email]\nsender = "smtp"\nfrom_name = "Old"\n'
        '[email.smtp]\nhost = "mail.example.org"\nport = 465\n'
        '[google]\ncredentials = "keys/token.json"\ntimeout = 5\n'
    )
    kept = kept_settings(InitRequest(out=tmp_path / "new" / "settings.toml", config=old))
    values = {table: {k: v.value for k, v in found.items()} for table, found in kept.items()}
    assert values == {
        "google": {"credentials": "../keys/token.json", "timeout": 5},
        "email": {"sender": "smtp"},
        "email.smtp": {"host": "mail.example.org", "port": 465},
    }
    assert kept["google"]["timeout"].why == f"kept from {old}"


def test_init_reads_a_google_spreadsheet_through_the_google_settings_already_there(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    with FakeGoogle(seed=3) as fake:
        (tmp_path / "keys").mkdir()
        (tmp_path / "keys" / "robot.json").write_text(json.dumps(service_account(fake)))
        title = "Our Library Mentoring 2026"
        fake.add_spreadsheet(SHEET_ID, own_forms_tabs(), title=title, shared_with={ROBOT})
        settings_path = tmp_path / "settings.toml"
        settings_path.write_text(
            f'[google]\ncredentials = "keys/robot.json"\nsheets_endpoint = "{fake.url}"\n'
            "timeout = 5\nmax_backoff = 0\n"
        )
        address = f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0"
        result = invoke(
            "--config",
            "settings.toml",
            "init",
            "--yes",
            "--force",
            "--spreadsheet",
            address,
            "--committee-email",
            COMMITTEE,
        )
        assert result.exit_code == 0, result.output
        assert "doctor: nothing to fix" in result.output
        settings = load_settings(settings_path)
        assert (settings.spreadsheet.backend, settings.spreadsheet.id) == ("google", SHEET_ID)
        assert settings.program.name == title
        assert settings.google.sheets_endpoint == fake.url
        assert settings.google.credentials == str(tmp_path / "keys" / "robot.json")
        assert settings.tabs.mentors == MENTOR_TAB
        match = invoke("--config", "settings.toml", "match")
        assert match.exit_code == 0, match.output
        assert len(fake.values(SHEET_ID, "Committee Matches")) == 31


# --- through the Forms API ----------------------------------------------------------------

EDIT = "https://docs.google.com/forms/d/{}/edit"
CHECKBOXES = {  # the committee's checkbox questions, with options nobody has ticked yet
    "Areas of science you work in": (*SUBJECTS, "Astronomy"),
    "Areas of science you know well": (*SUBJECTS, "Astronomy"),
    "What kind of support are you looking for?": SUPPORT,
    "What support can you offer?": SUPPORT,
    "Skills you'd like to build": SKILLS,
    "Skills you could teach": SKILLS,
    "How would you like to keep in touch?": CONTACT,
}


def own_form(form_id: str, title: str, headers: tuple[str, ...], first_id: int) -> dict:
    """The committee's form as forms.get returns it: a question per header after Timestamp,
    a checkbox question with an Other: choice for each of CHECKBOXES."""
    items = []
    for n, header in enumerate(headers[1:], start=first_id):
        if header in CHECKBOXES:
            options = [{"value": v} for v in CHECKBOXES[header]] + [{"isOther": True}]
            asks = {"choiceQuestion": {"type": "CHECKBOX", "options": options}}
        else:
            asks = {"textQuestion": {}}
        question = {"questionId": f"{n:08x}", **asks}
        items.append(
            {"itemId": f"{n + 1:08x}", "title": header, "questionItem": {"question": question}}
        )
    return {
        "formId": form_id,
        "info": {"title": title, "documentTitle": title},
        "settings": {},
        "items": items,
        "revisionId": "00000001",
        "responderUri": f"https://docs.google.com/forms/d/e/1FAIpQL{form_id[-8:]}/viewform",
    }


def test_init_with_the_forms_addresses_takes_their_options_exactly_and_makes_the_check_in_form(
    folder,
):
    from sync.google import FORMS_BODY, SHEETS_SCOPE
    from tests.fakes.google_program import user_token

    with FakeGoogle(seed=11) as fake:
        mentee_id, mentor_id = "1ourMenteeForm" + "0" * 30, "1ourMentorForm" + "0" * 30
        fake.add_form(own_form(mentee_id, "Mentee sign-up", MENTEE_HEADERS, 0x10000000))
        fake.add_form(own_form(mentor_id, "Mentor sign-up", MENTOR_HEADERS, 0x20000000))
        (folder / "keys").mkdir()
        token = user_token(fake, [SHEETS_SCOPE, FORMS_BODY])
        (folder / "keys" / "token.json").write_text(json.dumps(token))
        (folder / "settings.toml").write_text(
            f'[google]\ncredentials = "keys/token.json"\nforms_endpoint = "{fake.url}"\n'
            "timeout = 5\nmax_backoff = 0\n"
        )
        result = invoke(
            "--config",
            "settings.toml",
            *INIT_YES,
            "--force",
            "--mentee-form",
            EDIT.format(mentee_id),
            "--mentor-form",
            mentor_id,
            "--create-checkin-form",
        )
        assert result.exit_code == 0, result.output
        made = next(f for f in fake.forms_api.forms if f not in (mentee_id, mentor_id))
        resource = fake.form(made)
    assert (
        "mentee form: 'Mentee sign-up', read through the Forms API (13 questions)" in result.output
    )
    assert (
        f"made the check-in form 'forms: check-in' ({EDIT.format(made)}). One step is left"
        in result.output
    )
    settings = load_settings(folder / "settings.toml")
    assert settings.checkboxes["subjects"] == (*SUBJECTS, "Astronomy")  # though nobody ticked it
    assert settings.checkboxes["skills"] == SKILLS  # the Other: answers are not options
    entry = {
        item["title"]: int(item["questionItem"]["question"]["questionId"], 16)
        for item in resource["items"]
    }
    partner, role = entry["Partner's email"], entry["I am the"]
    assert settings.links.checkin_form == (
        f"{resource['responderUri']}?usp=pp_url&entry.{partner}={{partner}}&entry.{role}={{role}}"
    )
    assert settings.tabs.checkins == "Form Responses 3"
    text = (folder / "settings.toml").read_text()
    assert "# exactly as the form lists them (Forms API)\nsupport = [" in text


def test_init_with_a_forms_address_but_no_google_sign_in_says_how_to_get_one(folder):
    result = invoke(*INIT_YES, "--mentee-form", EDIT.format("1ourMenteeForm" + "0" * 30))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "mentor-sync: usage error: --mentee-form needs Google Forms, and there is no"
        " credentials file at credentials/service-account.json"
        " (google.credentials): run mentor-sync auth forms"
    )
    assert list(folder.iterdir()) == [folder / "forms.xlsx"]


def test_a_question_the_jobs_need_is_kept_and_its_absence_is_a_fix(tmp_path):
    mentor = dict(DEFAULTS["mentor_form"]["questions"], capacity="")
    forms = {
        "mentee_form": FormChoice("Form Responses 1", DEFAULTS["mentee_form"]["questions"], {}),
        "mentor_form": FormChoice("Form Responses 2", mentor, {}),
    }
    plan = plan_settings(DEFAULTS, {}, forms, {})
    assert plan.said == [
        "fix: your mentor form has no question for capacity ('How many mentees can you take on"
        " this year?'), which the jobs need; add the question to the form, or put its header in"
        " the settings: [mentor_form.questions] capacity = ..."
    ]
    settings = settings_over_defaults(tomllib.loads(render(plan, "")), tmp_path)
    assert (
        settings.mentor_form.questions["capacity"] == "How many mentees can you take on this year?"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_init_writes_where_config_says_given_before_or_after_its_name(folder, where):
    config = ["--config", "ours/settings.toml"]
    args = [*config, *INIT_YES] if where == "before" else [*INIT_YES, *config]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert load_settings(folder / "ours" / "settings.toml").spreadsheet.path == str(
        folder / "ours" / ".." / "forms.xlsx"
    )
    assert result.output.splitlines()[-1].startswith(
        "next: mentor-sync --config ours/settings.toml match"
    )


# --- found in review ----------------------------------------------------------------------


def test_init_over_a_settings_file_keeps_its_sender_smtp_and_google_settings_in_the_file(folder):
    old = folder / "settings.toml"
    old.write_text(
        '[email]\nsender = "smtp"\nfrom_name = "Old"\n'
        '[email.smtp]\nhost = "mail.ourlib.org"\nport = 465\nusername_env = ""\n'
        '[google]\ncredentials = "keys/token.json"\ntimeout = 5\n'
    )
    result = invoke(*INIT_YES, "--force")
    assert result.exit_code == 0, result.output
    settings = load_settings(old)
    assert settings.email.sender == "smtp"  # not back to the outbox, which marks emails sent
    assert (settings.email.smtp.host, settings.email.smtp.port) == ("mail.ourlib.org", 465)
    assert settings.google.credentials == str(folder / "keys" / "token.json")
    assert settings.google.timeout == 5
    assert settings.email.from_name == "forms"  # what init asks is init's answer
    assert '# kept from settings.toml\nsender = "smtp"' in old.read_text()


CITIES = ("London, UK", "Boston, USA", "Berlin", "Nairobi, Kenya", "Sydney")
SUPPORT_SOUGHT = (
    "Advice on moving from a postdoc into a library role, and on networking",
    "Mostly help with job applications, CV and interviews, plus moral support",
    "Someone to talk to about leadership, managing people and workload",
)


def rewritten(tabs, tab, header, answer, new_header=None):
    """`tabs` with the answers under `header` of `tab` replaced by answer(n), and the
    header by `new_header` if given."""
    rows = tabs[tab]
    column = rows[0].index(header)
    rows[0][column] = new_header or header
    for n, row in enumerate(rows[1:]):
        row[column] = answer(n)
    return tabs


def free_text_forms(path, mentor_support_too=True):
    """The committee's own forms, but support asked in people's own words (sentences with
    commas in them), and a question on where people are based for the time zone."""
    tabs = own_forms_tabs()
    sought = "What kind of support are you looking for?"
    rewritten(tabs, MENTEE_TAB, sought, lambda n: f"{SUPPORT_SOUGHT[n % 3]} ({n})")
    if mentor_support_too:
        offer = "What support can you offer?"
        rewritten(tabs, MENTOR_TAB, offer, lambda n: f"{SUPPORT_SOUGHT[(n + 1) % 3]} ({n})")
    for tab in (MENTEE_TAB, MENTOR_TAB):
        rewritten(tabs, tab, "Your time zone", lambda n: CITIES[n % 5], "Where are you based?")
    create_workbook(path, tabs)


def test_free_text_asked_for_options_learns_no_options_and_its_rule_compares_words(folder):
    free_text_forms(folder / "forms.xlsx")
    result = invoke(*INIT_YES)
    assert result.exit_code == 0, result.output
    said = result.output.splitlines()
    assert (
        "rule 'support' now of kind \"text\": your forms ask 'What kind of support are you"
        " looking for?' and 'What support can you offer?' in people's own words, not as"
        " options, so the rule compares the words of the answers" in said
    )
    assert (
        "rule 'time zones' dropped: the answers to your mentee form's 'Where are you based?'"
        " and your mentor form's 'Where are you based?' carry no number to measure it by (a"
        ' time zone needs an offset such as "UTC-5"); ask for the UTC offset, then add the'
        " rule back" in said
    )
    assert not any(line.startswith("checkbox options of support") for line in said)
    assert "doctor: nothing to fix" in said
    settings = load_settings(folder / "settings.toml")
    assert settings.checkboxes["support"] == ()  # not the defaults', nor sentence pieces
    assert "support" not in settings.email.shared_interests
    rules = {rule.name: rule.kind for rule in settings.matching.rules}
    assert rules["support"] == "text" and "time zones" not in rules
    scores = every_rule_scores_on_some_pair(folder / "settings.toml")
    assert all(best > 0 for best in scores.values()), scores


def test_an_overlap_rule_over_free_text_on_one_form_only_is_dropped_and_said(folder):
    free_text_forms(folder / "forms.xlsx", mentor_support_too=False)
    result = invoke(*INIT_YES)
    assert result.exit_code == 0, result.output
    assert (
        "rule 'support' dropped: your mentee form's 'What kind of support are you looking"
        " for?' is answered in people's own words, not options ticked, so it has no options"
        " to share with the mentor form's; make it a checkbox question with the mentor"
        " form's options, then add the rule back"
    ) in result.output.splitlines()
    settings = load_settings(folder / "settings.toml")
    assert settings.checkboxes["support"] == ()  # the rule that would compare them is gone
    assert "support" not in {rule.name for rule in settings.matching.rules}


def test_doctor_says_which_rule_scores_no_pair_of_the_responses(folder):
    assert invoke(*INIT_YES).exit_code == 0
    tabs = own_forms_tabs()  # the time zones become cities after init
    for tab in (MENTEE_TAB, MENTOR_TAB):
        rewritten(tabs, tab, "Your time zone", lambda n: CITIES[n % 5])
    create_workbook(folder / "forms.xlsx", tabs)
    result = invoke("doctor")
    assert (
        "fix: the rule 'time zones' (distance) scores 0 on every one of the 450 pairs of the"
        " current responses, so it adds nothing to any suggestion; check that the questions"
        " it compares ([mentee_form.questions] time_zone, [mentor_form.questions] time_zone)"
        " are answered as it expects, or remove the rule"
    ) in result.output.splitlines(), result.output
    assert sum("scores 0 on every one" in line for line in result.output.splitlines()) == 1


def test_microsoft_forms_answers_joined_with_semicolons_are_cut_there():
    learnt = learn_options(
        [
            "Chemistry;Maths, stats & data;",
            "Maths, stats & data;",
            "Chemistry;Physics;",
            "Physics;Ship logs, mostly;",
            "Chemistry;",
        ]
    )
    assert learnt.options == ("Chemistry", "Maths, stats & data", "Physics")
    assert (learnt.answers, learnt.explained) == (5, 4)
    assert learnt.other_texts == ("Ship logs, mostly",)


def test_with_no_answers_yet_the_checkbox_options_are_left_empty_for_doctor_to_flag(folder):
    create_workbook(
        folder / "forms.xlsx",
        {MENTEE_TAB: [list(MENTEE_HEADERS)], MENTOR_TAB: [list(MENTOR_HEADERS)]},
    )
    result = invoke(*INIT_YES)
    said = result.output.splitlines()
    assert (
        "checkbox options of skills: no answers yet: re-run init once people have answered,"
        " or list the form's options here" in said
    )
    settings = load_settings(folder / "settings.toml")
    assert all(settings.checkboxes[key] == () for key in DEFAULTS["checkboxes"])  # not the demo's
    assert any(
        line.startswith("fix: the rule 'skills' (overlap) compares the options chosen in skills")
        for line in said
    ), result.output
    text = (folder / "settings.toml").read_text()
    assert (
        "# no answers yet: re-run init once people have answered, or list the form's options"
        " here\nsubjects = []" in text
    )


@pytest.mark.parametrize(
    "old, problem",
    [
        (
            '[email.smtp]\nhots = "smtp.ourlib.org"\n',
            "unknown setting 'email.smtp.hots'; did you mean 'host'?",
        ),
        ('[email.smtp]\nport = "587"\n', "setting 'email.smtp.port' must be a whole number"),
    ],
)
def test_a_wrong_setting_in_the_file_init_replaces_is_named_with_the_file(folder, old, problem):
    (folder / "old.toml").write_text(old)
    result = invoke("--config", "old.toml", *INIT_YES, "--force")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        "mentor-sync: configuration error: old.toml, whose [google] and [email] sender"
        f" settings init keeps: {problem}"
    ), result.stderr
    assert result.stderr.rstrip().endswith(
        "Fix it there, or move it away to start afresh; nothing was written"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["forms.xlsx", "old.toml"]
    assert (folder / "old.toml").read_text() == old


def test_the_program_is_named_after_the_spreadsheet_without_googles_responses_suffix(folder):
    (folder / "forms.xlsx").rename(folder / "Mentee sign-up (Responses).xlsx")
    result = invoke(*INIT_YES[:2], "--workbook", "Mentee sign-up (Responses).xlsx", *INIT_YES[4:])
    assert result.exit_code == 0, result.output
    settings = load_settings(folder / "settings.toml")
    assert settings.program.name == settings.email.from_name == "Mentee sign-up"
    assert (
        "# the title of the spreadsheet, 'Mentee sign-up (Responses)'\nname = \"Mentee sign-up\""
        in (folder / "settings.toml").read_text()
    )


@pytest.mark.parametrize(
    "role, partner, rating",
    [
        ("I am a...", "Partner's email", "Overall, how is it going? (1-5)"),
        (
            "Are you the mentee or mentor?",
            "Email of your mentor/mentee",
            "On a scale of 1 to 5, how would you rate your mentoring relationship?",
        ),
    ],
)
def test_common_check_in_wordings_are_found(role, partner, rating):
    asked = questions("Timestamp", "Email Address", role, partner, rating, "Have you met?")
    guesses = {g.field: g.header for g in map_fields(DEFAULTS["checkin_form"]["questions"], asked)}
    assert (guesses["role"], guesses["partner"], guesses["rating"]) == (role, partner, rating)


def test_a_name_asked_in_two_parts_reads_the_first_name_and_says_so(folder):
    tabs = own_forms_tabs()
    for tab in (MENTEE_TAB, MENTOR_TAB):
        rows = tabs[tab]
        column = rows[0].index("Your name")
        rows[0][column : column + 1] = ["First name", "Last name", "Preferred name (if different)"]
        for n, row in enumerate(rows[1:]):
            first, last = str(row[column]).split(" ", 1)
            row[column : column + 1] = [first, last, "Ai" if n % 3 == 0 else ""]
    create_workbook(folder / "forms.xlsx", tabs)
    result = invoke(*INIT_YES)
    assert result.exit_code == 0, result.output
    assert (
        "note: your mentee form asks the name in two parts ('First name', 'Last name'), and the"
        " settings read one name column: name is 'First name'"
    ) in result.output
    settings = load_settings(folder / "settings.toml")
    for form in (settings.mentee_form, settings.mentor_form):
        assert form.questions["name"] == "First name"  # not 'Last name'
        assert form.questions["preferred_name"] == "Preferred name (if different)"
    assert (
        "# guessed from 'First name' (the first name: your form asks 'Last name' apart)"
        in (folder / "settings.toml").read_text()
    )


def twin_tabs_workbook(path):
    """Both forms ask the same questions; the committee named the tabs, the mentor's first."""
    mentors = own_forms_tabs()[MENTOR_TAB]
    create_workbook(path, {"Mentor responses": mentors, "Mentee responses": mentors})


def test_on_a_tie_each_form_takes_the_tab_named_after_it(folder):
    twin_tabs_workbook(folder / "forms.xlsx")
    result = invoke(*INIT_YES)
    assert "wrote settings.toml" in result.output.splitlines(), result.output
    settings = load_settings(folder / "settings.toml")
    assert (settings.tabs.mentees, settings.tabs.mentors) == (
        "Mentee responses",
        "Mentor responses",
    )


def test_on_a_tie_init_asks_which_tab_and_the_other_form_takes_the_other(folder):
    twin_tabs_workbook(folder / "forms.xlsx")
    fields = [*DEFAULTS["mentee_form"]["questions"], *DEFAULTS["mentor_form"]["questions"]]
    answers = ["", "Mentees", "Mentor responses", ""]  # the workbook, then the mentee tab twice
    answers += ["" for _ in fields]
    answers += ["Ours", COMMITTEE, "", "", "Europe/Dublin"]
    result = invoke("init", input="\n".join(answers) + "\n")
    assert "wrote settings.toml" in result.output.splitlines(), result.output
    assert "'Mentees' is neither; type 'Mentee responses' or 'Mentor responses'" in result.output
    settings = load_settings(folder / "settings.toml")
    assert (settings.tabs.mentees, settings.tabs.mentors) == (
        "Mentor responses",
        "Mentee responses",
    )


def test_settings_in_a_folder_that_cannot_be_written_are_refused_before_anything_is_read(
    folder,
):
    (folder / "notes.txt").write_text("the committee's own", encoding="utf-8")
    out = folder / "notes.txt" / "settings.toml"
    result = invoke(*INIT_YES, "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mentor-sync: configuration error: cannot write {out}: {folder / 'notes.txt'} is a"
        " file, not a folder; give --out PATH in a folder you can write. Nothing was read,"
        " made or written\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["forms.xlsx", "notes.txt"]


def test_an_answer_that_names_no_workbook_or_spreadsheet_is_asked_again(folder):
    fields = [*DEFAULTS["mentee_form"]["questions"], *DEFAULTS["mentor_form"]["questions"]]
    answers = ["responses.ods", "forms.xlsx", *("" for _ in fields)]
    answers += ["Ours", COMMITTEE, "", "", "Europe/Dublin"]
    result = invoke("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert (
        "'responses.ods' is neither a .xlsx file nor a spreadsheet's address; give the path of"
        " the workbook, or the address of the Google spreadsheet from the browser"
    ) in result.output
    assert load_settings(folder / "settings.toml").spreadsheet.path.endswith("forms.xlsx")
