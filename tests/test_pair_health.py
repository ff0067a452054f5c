"""Check-in answers: the Pair Health tab and its flags, reminders, the committee's digest, and
closing a year so that the next one never pairs anyone with a past partner."""

from __future__ import annotations

import email
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.config import load_settings
from mentoring.answers import read_answers
from mentoring.digest import period
from mentoring.health import COLUMNS, health_tab
from mentoring.sheet import Row, Table, apply_edits
from tests.conftest import add_settings, committee_by_email, set_committee_cells, tab_rows

DAY0 = date(2026, 10, 5)  # both pairs are introduced on this day, after they applied
CHECKIN_HEADER = (
    "Timestamp",
    "Email Address",
    "I am the",
    "Partner's email",
    "How is the mentoring relationship going?",
    "Have you met since the last check-in?",
    "Progress on your goals",
    "Would you like someone from the committee to contact you?",
)


def invoke(settings_path: Path, day: date, *args: str):
    result = CliRunner().invoke(
        cli,
        ["--config", str(settings_path), "--as-of", f"{day:%Y-%m-%d}", *args],
        prog_name="mentor-sync",
    )
    return result


def on(days: int) -> date:
    return DAY0 + timedelta(days=days)


def link_the_checkin_form(path: Path) -> None:
    """The check-in form's response tab, empty, as linking the form to the spreadsheet makes it."""
    book = openpyxl.load_workbook(path)
    book.create_sheet("Form Responses 3").append(CHECKIN_HEADER)
    book.save(path)


def answer(path: Path, days: int, email_: str, partner: str, rating=4, met="Yes", contact="No"):
    """One response to the check-in form, as Google Forms appends it, `days` after DAY0."""
    book = openpyxl.load_workbook(path)
    role = "Mentee" if email_ in ("ana@m.org", "bo@m.org") else "Mentor"
    when = datetime.combine(on(days), datetime.min.time()) + timedelta(hours=15)
    book["Form Responses 3"].append([when, email_, role, partner, rating, met, "", contact])
    book.save(path)


def health(path: Path) -> dict[str, dict]:
    return {row["Mentee Email"]: row for row in tab_rows(path, "Pair Health")}


def emails(outbox: Path, kind: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(outbox.glob(f"{kind}*.eml"))
    ]


def text(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture
def year(program, settings_file):
    """Both pairs of the matched program approved and introduced on DAY0: (settings file,
    workbook). Digests are off unless a test turns them on."""
    path, settings = program
    set_committee_cells(
        path,
        settings,
        {e: {"Status": "Approved", "Introduced On": DAY0} for e in ("ana@m.org", "bo@m.org")},
    )
    add_settings(settings_file, '\n[health]\ndigest = "off"\n')
    link_the_checkin_form(path)
    return settings_file, path


def checkins(settings_file: Path, *days: int) -> None:
    for day in days:
        result = invoke(settings_file, on(day), "checkin")
        assert result.exit_code == 0, result.output


def test_each_flag_in_plain_words(year):
    settings_file, path = year
    checkins(settings_file, 30)  # check-in 1 to all four
    answer(path, 32, "ana@m.org", "tom@t.org", rating=2, met="No", contact="Yes")
    answer(path, 33, "bo@m.org", "uma@u.org", rating=5, met="Yes")
    answer(path, 34, "uma@u.org", "bo@m.org", rating=4, met="Yes")
    checkins(settings_file, 120)  # check-in 2
    answer(path, 121, "uma@u.org", "bo@m.org", rating=4, met="Yes")
    checkins(settings_file, 140)  # check-in 2 is 20 days old: past answer_within_days (14)
    rows = health(path)
    assert rows["ana@m.org"]["Flag"] == (
        "no answer to the last 2 check-ins (mentor); rating 2 or lower (mentee: 2);"
        " have not met; asked the committee to get in touch (mentee, 2026-11-06)"
    )
    ana = rows["ana@m.org"]
    assert (ana["Check-ins to Mentee"], ana["Answered by Mentee"]) == (2, 1)
    assert (ana["Check-ins to Mentor"], ana["Answered by Mentor"]) == (2, 0)
    assert (ana["Mentee Rating"], ana["Mentor Rating"]) == (2, None)
    assert ana["Met Since Last Check-in"] == "No (2026-11-06)"
    assert ana["Last Answer"].date() == on(32)
    assert ana["State"] == "active"
    # bo left check-in 2 unanswered, but one check-in is not two; uma answered both.
    bo = rows["bo@m.org"]
    assert bo["Flag"] is None
    assert (bo["Answered by Mentee"], bo["Answered by Mentor"]) == (1, 2)
    assert bo["Met Since Last Check-in"] == "Yes (2027-02-03)"
    # A flag goes when its reason does: tom answers, with a good rating.
    answer(path, 141, "tom@t.org", "ana@m.org", rating=4, met="Yes")
    checkins(settings_file, 142)
    assert health(path)["ana@m.org"]["Flag"] == (
        "rating 2 or lower (mentee: 2); asked the committee to get in touch (mentee, 2026-11-06)"
    )


def test_a_low_rating_from_either_side_and_the_threshold_is_the_committees(year):
    settings_file, path = year
    add_settings(settings_file, "low_rating = 3\n")  # still in [health]
    checkins(settings_file, 30)
    answer(path, 31, "tom@t.org", "ana@m.org", rating=3)
    checkins(settings_file, 31)
    assert health(path)["ana@m.org"]["Flag"] == "rating 3 or lower (mentor: 3)"


def test_the_committees_notes_stay_with_their_pair_when_the_tab_is_sorted(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    header = [c.value for c in tab[1]]
    rows = [[c.value for c in row] for row in tab.iter_rows(min_row=2)]
    notes, mentee = header.index("Notes"), header.index("Mentee Email")
    for row in rows:
        row[notes] = f"called {row[mentee]}"
    tab.delete_rows(2, tab.max_row)
    for row in reversed(rows):  # sorted the other way, with a column of their own
        tab.append(row)
    tab.cell(1, len(header) + 1, "Follow-up")
    tab.cell(2, len(header) + 1, "in May")
    book.save(path)
    followed = tab.cell(2, mentee + 1).value
    checkins(settings_file, 45)
    rows = health(path)
    assert {e: r["Notes"] for e, r in rows.items()} == {e: f"called {e}" for e in rows}
    assert rows[followed]["Follow-up"] == "in May"


def test_one_reminder_after_the_days_without_an_answer_and_never_again(year):
    settings_file, path = year
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)
    answer(path, 35, "ana@m.org", "tom@t.org")
    checkins(settings_file, 43)  # 13 days: not yet
    assert emails(outbox, "reminder") == []
    checkins(settings_file, 44, 45, 60, 90)
    reminders = emails(outbox, "reminder")
    # ana answered; tom, bo and uma did not, and get one reminder each.
    assert sorted(m["To"].addresses[0].addr_spec for m in reminders) == [
        "bo@m.org",
        "tom@t.org",
        "uma@u.org",
    ]
    assert {m["Date"].datetime.date() for m in reminders} == {on(44)}
    [to_tom] = [m for m in reminders if "tom@t.org" in m["To"]]
    assert "On November 4 we asked how it is going with Ana Ruiz" in text(to_tom)
    log = {row["Key"]: row for row in tab_rows(path, "Email Log")}
    assert log["reminder | check-in 1 | ana@m.org | tom@t.org | to tom@t.org"]["Status"] == "sent"
    # Check-in 2 goes to all; a reminder of check-in 1 is no longer due once it has.
    checkins(settings_file, 120, 121)
    assert len(emails(outbox, "reminder")) == 3


def test_reminders_can_be_turned_off(year):
    settings_file, path = year
    add_settings(settings_file, "reminders = false\n")
    checkins(settings_file, 30, 50)
    assert emails(path.parent / "outbox", "reminder") == []
    assert len(emails(path.parent / "outbox", "check-in")) == 4


def test_without_a_check_in_form_nobody_is_reminded_or_flagged_for_not_answering(year):
    settings_file, path = year
    book = openpyxl.load_workbook(path)
    del book["Form Responses 3"]  # people answer the check-ins by email
    book.save(path)
    checkins(settings_file, 30, 50, 120, 150)
    assert emails(path.parent / "outbox", "reminder") == []
    ana = health(path)["ana@m.org"]
    assert (ana["Check-ins to Mentee"], ana["Answered by Mentee"], ana["Flag"]) == (2, 0, None)


def test_the_digest_tells_new_flags_unanswered_check_ins_and_closed_pairs_once(year):
    settings_file, path = year
    text_ = settings_file.read_text().replace('digest = "off"', 'digest = "monthly"')
    settings_file.write_text(text_)
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)  # 2026-11-04: check-ins sent, nothing to say yet
    assert emails(outbox, "digest") == []
    answer(path, 32, "ana@m.org", "tom@t.org", rating=1, met="No")
    checkins(settings_file, 33)  # the flags of ana's answer
    [first] = emails(outbox, "digest")
    assert first["Subject"] == "STS Mentoring Program: the pairs in November 2026"
    body = text(first)
    assert (
        "- Ana Ruiz and Tom Ng (ana@m.org, tom@t.org): rating 2 or lower (mentee: 1)\n"
        "- Ana Ruiz and Tom Ng (ana@m.org, tom@t.org): have not met\n"
    ) in body
    assert "without an answer" not in body  # 3 days is not yet late
    assert f"The spreadsheet: {path}" in body
    checkins(settings_file, 34, 45)  # November again: no second digest
    assert len(emails(outbox, "digest")) == 1
    # December: the check-ins left unanswered, and bo's pair ended by the committee.
    set_committee_cells(path, load_settings(settings_file), {"bo@m.org": {"Status": "Rejected"}})
    checkins(settings_file, 60)
    second = text(emails(outbox, "digest")[1])
    assert "the pairs in December 2026" in emails(outbox, "digest")[1]["Subject"]
    assert "No new flags since the last digest." in second
    assert (
        "Check-ins still without an answer (1):\n"
        "- Tom Ng <tom@t.org>, mentor of Ana Ruiz: 'check-in 1', sent 2026-11-04\n"
    ) in second
    assert (
        "Pairs whose year closed (1):\n"
        "- bo@m.org and uma@u.org: no longer Approved in the committee tab;"
    ) in second
    assert health(path)["bo@m.org"]["State"] == "ended"
    log = {row["Key"]: row for row in tab_rows(path, "Email Log")}
    assert log["digest | 2026-12"]["Kind"] == "digest"
    assert log["digest | closed | bo@m.org | uma@u.org"]["Status"] == "sent"


def test_answers_of_no_pair_go_to_intake_issues_and_are_not_counted(year):
    settings_file, path = year
    checkins(settings_file, 30)
    answer(path, 31, "ana@m.org", "uma@u.org", rating=1, contact="Yes")  # bo's mentor
    answer(path, 31, "zoe@z.org", "tom@t.org")
    answer(path, 31, "bo@m.org", "uma@u.org", rating="1.5")  # counted, but for its rating
    assert invoke(settings_file, on(31), "match").exit_code == 0
    issues = {row["Person"]: row for row in tab_rows(path, "Intake Issues")}
    assert issues["bo@m.org"]["Problem"].startswith("the rating '1.5' is not a number from 1")
    assert issues["ana@m.org"]["Tab"] == "Form Responses 3"
    assert issues["ana@m.org"]["Problem"] == (
        "names uma@u.org as their partner, but their partner is tom@t.org; not counted in"
        " Pair Health until Partner's email is corrected in this row (they asked the"
        " committee to get in touch; they rated the relationship 1 of 5)"
    )
    assert issues["zoe@z.org"]["Problem"].startswith("zoe@z.org is not in an introduced pair")
    checkins(settings_file, 31)
    rows = health(path)
    assert rows["ana@m.org"]["Answered by Mentee"] == 0
    assert rows["ana@m.org"]["Flag"] is None and rows["bo@m.org"]["Flag"] is None


@pytest.mark.parametrize("renamed", ["tab", "question"])
def test_a_check_in_tab_that_cannot_be_read_is_told_and_the_emails_still_go(year, renamed):
    settings_file, path = year
    book = openpyxl.load_workbook(path)
    if renamed == "tab":
        book["Form Responses 3"].title = "Form Responses 3 (old)"  # renamed by a committee member
    else:
        book["Form Responses 3"].cell(1, 5).value = "How is it going? (1 to 5)"
    book.save(path)
    result = invoke(settings_file, on(30), "checkin")
    assert result.exit_code == 0, result.output
    assert len(emails(path.parent / "outbox", "check-in")) == 4
    assert invoke(settings_file, on(30), "match").exit_code == 0
    [issue] = [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"]
    expected = (
        "no tab 'Form Responses 3' (the check-in form's responses); did you mean"
        " 'Form Responses 3 (old)'? If so, set tabs.checkins"
        if renamed == "tab"
        else "no column 'How is the mentoring relationship going?' (check-in form, field"
        " 'rating') in tab 'Form Responses 3'"
    )
    assert issue["Problem"].startswith(expected)
    assert issue["Problem"].endswith(
        "Until then the check-in answers are not read: Pair Health counts none, and nobody"
        " is reminded or flagged for not answering"
    )
    [alert] = emails(path.parent / "outbox", "alert")
    assert "the check-in answers are not read" in text(alert)


def test_check_in_rows_that_cannot_be_read_say_why(settings):
    def row(number, when, email_, partner, rating, met="Yes", contact=""):
        return Row(number, (when, email_, "Mentee", partner, rating, met, "", contact))

    day = datetime(2026, 3, 1)
    table = Table(
        "Form Responses 3",
        CHECKIN_HEADER,
        (
            row(2, day, "ana@m.org", "tom@t.org", "5 - great"),
            row(3, day, "", "tom@t.org", 3),
            row(4, day, "ana@m.org", "", 3),
            row(5, "soon", "ana@m.org", "tom@t.org", 3),
            row(6, day, "ANA@M.ORG ", "tom@t.org", "great", met=""),
            row(7, day, "ana@m.org", "tom@t.org", "1.5", met="Not yet", contact="Yes, please"),
            row(8, day, "ana@m.org", "tom@t.org", 4.0, met="Sí", contact="maybe later"),
        ),
    )
    rows = read_answers(table, settings.checkin_form)
    read = [(a.row, a.email, a.rating, a.met, a.contact) for a in rows.answers]
    assert read == [
        (2, "ana@m.org", 5, "Yes", False),
        (6, "ana@m.org", None, "", False),
        (7, "ana@m.org", None, "", True),
        (8, "ana@m.org", 4, "", True),
    ]
    problems = {issue.row: issue.problem for issue in rows.issues}
    assert problems[3].startswith("no email address;")
    assert problems[4].startswith("Partner's email: no answer;")
    assert problems[5].startswith("the Timestamp 'soon' cannot be read as a date")
    # What could not be read in a usable row is its note, told when the row is counted.
    notes = {a.row: a.note for a in rows.answers}
    assert notes[2] == ""
    assert notes[6].startswith("the rating 'great' is not a number from 1 to 5")
    assert notes[7].startswith("the rating '1.5' is not a number from 1 to 5")
    assert "'Not yet' to 'Have you met since the last check-in?' is neither" in notes[7]
    assert notes[8] == (
        "'Sí' to 'Have you met since the last check-in?' is neither Yes nor No; read as no"
        " answer to it; 'maybe later' to 'Would you like someone from the committee to"
        " contact you?' is neither Yes nor No; read as a request to get in touch"
    )


def test_a_second_year_never_pairs_anyone_with_a_past_partner(year):
    settings_file, path = year
    settings = load_settings(settings_file)
    before = committee_by_email(path, settings)
    assert before["ana@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    assert before["bo@m.org"]["Suggested Mentor Email"] == "uma@u.org"
    checkins(settings_file, 30)
    answer(path, 31, "ana@m.org", "tom@t.org", rating=5)
    answer(path, 32, "tom@t.org", "anna@m.org", rating="1.5")  # a partner mistyped
    assert invoke(settings_file, on(33), "match").exit_code == 0
    assert len([r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"]) == 1
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(2, [c.value for c in tab[1]].index("Notes") + 1, "a lovely pair")
    tab.cell(1, tab.max_column + 1, "Follow-up")
    tab.cell(3, tab.max_column, "in May")
    book.save(path)
    set_committee_cells(path, settings, {"ana@m.org": {"Notes": "first choice"}})
    unchanged = path.read_bytes()
    preview = invoke(settings_file, on(366), "close-year", "2026", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "close-year 2026: 2 pairs would be copied to Past Pairs (dry run" in preview.output
    assert path.read_bytes() == unchanged
    closed = invoke(settings_file, on(366), "close-year", "2026")
    assert closed.exit_code == 0, closed.output
    assert "close-year 2026: 2 pairs copied to Past Pairs" in closed.output
    assert "still hold the applications of 2 mentees and 2 mentors of 2026" in closed.output
    past = tab_rows(path, "Past Pairs")
    assert [(r["Cohort"], r["Mentee Email"], r["Mentor Email"]) for r in past] == [
        ("2026", "ana@m.org", "tom@t.org"),
        ("2026", "bo@m.org", "uma@u.org"),
    ]
    assert past[0]["Introduced On"].date() == DAY0
    assert past[0]["Closed On"].date() == on(366)
    # The committee's texts of both tabs go along, Notes joined.
    assert [(r["Notes"], r["Follow-up"]) for r in past] == [
        ("first choice; a lovely pair", None),
        (None, "in May"),
    ]
    assert committee_by_email(path, settings) == {}
    assert health(path) == {}
    # Closing again finds nothing left to close and changes nothing.
    unchanged = path.read_bytes()
    again = invoke(settings_file, on(367), "close-year", "2026")
    assert "close-year 2026: no introduced pairs to close" in again.output
    assert path.read_bytes() == unchanged
    # The next year: both apply again; the matcher reads Past Pairs and pairs them anew.
    assert invoke(settings_file, on(370), "match").exit_code == 0
    after = committee_by_email(path, settings)
    assert after["ana@m.org"]["Suggested Mentor Email"] == "uma@u.org"
    assert after["bo@m.org"]["Suggested Mentor Email"] == "tom@t.org"
    assert "mentee took part before (mentee 2026 with tom@t.org)" in after["ana@m.org"]["Why"]
    assert "mentor took part before (mentor 2026 with bo@m.org)" in after["ana@m.org"]["Why"]
    # Last year's check-in answers are about a closed pair: no intake issue.
    assert [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"] == []
    # A committee that pairs ana with tom again gets no emails for them, and is told why.
    set_committee_cells(
        path,
        settings,
        {"ana@m.org": {"Status": "Approved", "Committee Mentor Email": "tom@t.org"}},
    )
    outbox = {p.name for p in (path.parent / "outbox").glob("*.eml")}
    again = invoke(settings_file, on(371), "run")
    assert again.exit_code == 0, again.output
    new = {p.name for p in (path.parent / "outbox").glob("*.eml")} - outbox
    assert [name.split("_")[0] for name in new] == ["alert"]  # the committee is told
    assert (
        "ana@m.org and tom@t.org were a pair in an earlier year (Past Pairs); mentor-sync"
        " sends them no emails"
    ) in again.output
    [row] = [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Committee Matches"]
    assert "were a pair in an earlier year (Past Pairs)" in row["Problem"]


def test_a_digest_period_is_a_month_or_a_week():
    assert period(datetime(2026, 12, 31, 9), "monthly") == ("digest | 2026-12", "December 2026")
    # ISO weeks: 2027-01-01 is a Friday of 2026's week 53, which began on Monday 28 December.
    assert period(datetime(2027, 1, 1, 9), "weekly") == (
        "digest | 2026-W53",
        "the week of 2026-12-28",
    )


def test_rows_of_ended_pairs_and_of_the_committee_are_kept_in_pair_health():
    header = (*COLUMNS, "Follow-up")
    ended = dict.fromkeys(header)
    ended.update(
        {
            "Mentee Email": "old@m.org",
            "Mentor Email": "old@t.org",
            "State": "active",
            "Notes": "moved to another mentor",
        }
    )
    loose = dict.fromkeys(header)
    loose["Notes"] = "remember the spring meeting"
    table = Table(
        "Pair Health",
        header,
        (Row(2, tuple(ended.values())), Row(3, tuple(loose.values()))),
        last_row=3,
    )
    written = health_tab(table, "Pair Health", [])
    assert written.ended == ("old@m.org | old@t.org",)
    after = apply_edits(table, written.edits)
    rows = [dict(zip(after.header, row.cells, strict=False)) for row in after.rows]
    assert [(r["Mentee Email"], r["State"], r["Notes"]) for r in rows] == [
        ("old@m.org", "ended", "moved to another mentor"),
        (None, None, "remember the spring meeting"),
    ]


def test_asking_the_committee_to_get_in_touch_is_told_at_once_and_once(year):
    settings_file, path = year
    outbox = path.parent / "outbox"
    checkins(settings_file, 30)
    answer(path, 31, "bo@m.org", "uma@u.org", rating=3, contact="Yes")
    checkins(settings_file, 31, 32, 40)
    [alert] = emails(outbox, "alert")
    assert alert["Subject"] == "STS Mentoring Program: 1 thing needs a look"
    assert (
        "Asked the committee to get in touch (the check-in form):\n"
        "- Bo <bo@m.org>, mentee of Uma, on 2026-11-05 (rated the relationship 3 of 5)\n"
    ) in text(alert)
    # Asking again in a later answer is a new request.
    answer(path, 41, "bo@m.org", "uma@u.org", rating=3, contact="Yes")
    checkins(settings_file, 41, 42)
    assert len(emails(outbox, "alert")) == 2


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda tab: tab.cell(1, 2, "Mentee e-mail"),
            "no column 'Mentee Email' (a column of Pair Health) in tab 'Pair Health'; did you"
            " mean 'Mentee e-mail'? Rename it back; mentor-sync finds each pair's Notes by it.",
        ),
        (
            lambda tab: tab.cell(1, tab.max_column + 1, "notes"),
            "two columns of tab 'Pair Health' are named 'Notes'; rename one",
        ),
        (
            lambda tab: tab.cell(3, tab.max_column + 2, "call back"),
            "tab 'Pair Health' has text in row 3, column R, which has no name in row 1",
        ),
    ],
)
def test_a_pair_health_tab_that_would_lose_a_note_is_left_as_it_is(year, edit, said):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(2, 16, "a note to keep")
    edit(tab)
    book.save(path)
    before = [[c.value for c in row] for row in book["Pair Health"].iter_rows()]
    result = invoke(settings_file, on(31), "checkin")
    # The job says so and fails (so cron and the alerts tell of it), and writes the Email
    # Log as ever; the tab stays exactly as the committee left it.
    assert result.exit_code == 1
    assert f"Pair Health not written: {said}" in result.output
    after = openpyxl.load_workbook(path)["Pair Health"]
    assert [[c.value for c in row] for row in after.iter_rows()] == before


def test_two_rows_of_one_pair_become_one_with_both_notes(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    notes = [c.value for c in tab[1]].index("Notes") + 1
    copy = [c.value for c in tab[2]]
    tab.cell(2, notes, "called in May")
    tab.append(copy)
    tab.cell(tab.max_row, notes, "met at the conference")
    book.save(path)
    checkins(settings_file, 31)
    rows = tab_rows(path, "Pair Health")
    assert len(rows) == 2
    mentee = copy[1]
    assert health(path)[mentee]["Notes"] == "called in May; met at the conference"


def test_close_year_refuses_a_tab_whose_text_it_could_not_carry(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    tab = book["Pair Health"]
    tab.cell(3, tab.max_column + 2, "call back")  # under no name in row 1
    book.save(path)
    unchanged = path.read_bytes()
    result = invoke(settings_file, on(366), "close-year", "2026")
    assert result.exit_code == 2
    assert "tab 'Pair Health' has text in row 3, column R, which has no name in row 1" in (
        result.output
    )
    assert path.read_bytes() == unchanged


def test_close_year_joins_a_column_both_tabs_have_whatever_its_case(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    for tab_name, header, text_ in (
        ("Committee Matches", "Follow-up", "call in January"),
        ("Pair Health", "follow-up", "emailed"),
    ):
        tab = book[tab_name]
        emails_at = [c.value for c in tab[1]].index("Mentee Email") + 1
        tab.cell(1, tab.max_column + 1, header)
        row = next(
            r for r in range(2, tab.max_row + 1) if tab.cell(r, emails_at).value == "ana@m.org"
        )
        tab.cell(row, tab.max_column, text_)
    book.save(path)
    assert invoke(settings_file, on(366), "close-year", "2026").exit_code == 0
    past = {r["Mentee Email"]: r for r in tab_rows(path, "Past Pairs")}
    assert past["ana@m.org"]["Follow-up"] == "call in January; emailed"


def test_a_pair_health_tab_without_its_header_row_is_refused_and_nothing_is_sent(year):
    settings_file, path = year
    checkins(settings_file, 30)
    book = openpyxl.load_workbook(path)
    book["Pair Health"].insert_rows(1)
    book.save(path)
    before = path.read_bytes()
    sent = len(list((path.parent / "outbox").glob("*.eml")))
    result = invoke(settings_file, on(45), "checkin")
    assert result.exit_code == 2
    assert (
        "tab 'Pair Health' (Pair Health) has its header in row 2, not in row 1 (a row was"
        " inserted above it, or the rows were moved); delete the rows above the header so that"
        " it is row 1 again. Nothing was written or sent"
    ) in result.output
    assert path.read_bytes() == before
    assert len(list((path.parent / "outbox").glob("*.eml"))) == sent
    assert len(tab_rows_after_blank(path)) == 3


def tab_rows_after_blank(path: Path) -> list:
    return [
        r for r in openpyxl.load_workbook(path)["Pair Health"].iter_rows(values_only=True) if any(r)
    ]


def test_the_answers_of_a_pair_on_hold_are_no_intake_issue(year):
    settings_file, path = year
    checkins(settings_file, 30)
    answer(path, 32, "ana@m.org", "tom@t.org", rating=4)
    settings = load_settings(settings_file)
    set_committee_cells(path, settings, {"ana@m.org": {"Status": "Hold"}})
    assert invoke(settings_file, on(33), "match").exit_code == 0
    assert [r for r in tab_rows(path, "Intake Issues") if r["Tab"] == "Form Responses 3"] == []


def test_a_pair_whose_mentor_left_the_forms_keeps_its_pair_health_row(year):
    settings_file, path = year
    checkins(settings_file, 30)
    before = health(path)["ana@m.org"]
    book = openpyxl.load_workbook(path)
    responses = book["Form Responses 2"]
    header = [c.value for c in responses[1]]
    [number] = [
        r[0].row
        for r in responses.iter_rows(min_row=2)
        if r[header.index("Email Address")].value == "tom@t.org"
    ]
    responses.delete_rows(number)
    book.save(path)
    result = invoke(settings_file, on(31), "checkin")
    assert "the mentor tom@t.org is not in the mentor responses" in result.output
    assert health(path)["ana@m.org"] == before  # kept as it was, not "ended"
