"""No applicant is left without word: once the slate is final, each mentee without a mentor
and each mentor without a mentee get one kind email, once, and nobody Approved or on Hold
gets one (mentor-sync notify-unmatched, or notify.unmatched_on in `run`)."""

from __future__ import annotations

import email
from collections import Counter
from datetime import date, datetime, timedelta
from email import policy

import openpyxl
import pytest

from jobs.mail import CHECKIN, INTRODUCE, NOTIFY, run_mail
from jobs.settings_file import load_settings, load_templates
from mentoring.committee import COLUMNS as COMMITTEE_COLUMNS
from mentoring.errors import ConfigError
from mentoring.outgoing import notice_key, pair_label
from mentoring.sheet import TabEdits
from sync.journal import Journal
from sync.sender import SendError
from sync.workbook import WorkbookSpreadsheet
from tests.conftest import (
    add_settings,
    committee_by_email,
    match,
    mentee,
    mentor,
    program_memory,
    program_workbook,
    set_committee_cells,
    tab_rows,
)
from tests.fakes.edits import invoke
from tests.test_mail import Memory, at

FINAL = date(2027, 2, 1)  # the day the committee says the slate is final
COHORT = "2027"
NOTICE_KINDS = ("not matched", "mentor pool")

# Ana is approved, Bo on hold, Cy's pair waits for the committee (which named Cy's mentor but
# has not approved yet), Ed's is rejected with no other mentor named, and the match left him
# none. Di and Fay share the mentors' institution, so no mentor may take them. Wes offers no
# place. Gus left a required answer blank, and one response has no address: neither applied
# in a form the tool can use.
MENTEES = [
    mentee("ana@m.org", name="Ana Ruiz"),
    mentee("bo@m.org", name="Bo Lee"),
    mentee("cy@m.org", name="Cy Park"),
    mentee("ed@m.org", name="Ed Stone"),
    mentee("di@m.org", name="Di Cho", institution="Mentor U"),
    mentee("fay@m.org", name="Fay Wu", institution="Mentor U"),
    mentee("gus@m.org", name="Gus Hale", institution=""),
    {**mentee("x@m.org"), "email": "", "name": "Nameless Applicant"},
]
MENTORS = [
    *(
        mentor(f"{n}@t.org", name=f"{n.title()} Mentor", institution="Mentor U")
        for n in ("tom", "uma", "vic", "xav")
    ),
    mentor("wes@t.org", name="Wes Mentor", institution="Mentor U", capacity="0"),
]


def message_to(sender: Memory, address: str):
    """The one email the sender took for `address`."""
    [message] = [m for m in sender.messages if f"<{address}>" in str(m["To"])]
    return message


@pytest.fixture
def program(settings):
    """The program above in memory, matched, decided on by the committee, and matched again
    (as `run` does before it sends), so that the match has seen Ed's rejection."""
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    cy_mentor = mentors_of(sheet, settings)["cy@m.org"]
    set_committee_cells(
        sheet,
        settings,
        {
            "ana@m.org": {"Status": "Approved"},
            "bo@m.org": {"Status": "Hold"},
            "cy@m.org": {"Committee Mentor Email": cy_mentor},
            "ed@m.org": {"Status": "Rejected"},
        },
    )
    match(sheet, settings)
    return sheet, settings


def mentors_of(sheet, settings) -> dict[str, str]:
    """Each mentee's suggested mentor, as the match left it."""
    rows = committee_by_email(sheet, settings)
    return {email: row["Suggested Mentor Email"] for email, row in rows.items()}


def rejected_of(sheet, settings) -> dict[str, str]:
    """The mentor each mentee's row has in Rejected Mentors (one at most here)."""
    rows = committee_by_email(sheet, settings)
    return {email: row["Rejected Mentors"] for email, row in rows.items()}


# The email pass of `run`, which matched just before: the only one that sends the notices
# from notify.unmatched_on.
RUN = (INTRODUCE, CHECKIN)


def notify(sheet, settings, day, sender, dry_run=False, journal=None, job=NOTIFY):
    templates = load_templates(settings)
    after_match = job == RUN
    return run_mail(
        job, sheet, settings, templates, sender, at(day), dry_run, journal, None, after_match
    )


def notices_logged(sheet, settings) -> dict[str, dict]:
    rows = (
        tab_rows(sheet, settings.tabs.email_log) if settings.tabs.email_log in sheet.tables else []
    )
    return {row["Key"]: row for row in rows if row["Kind"] in NOTICE_KINDS}


def expected_keys(sheet, settings) -> set[str]:
    """The notices this program calls for, worked out here from the committee tab."""
    mentors = mentors_of(sheet, settings)
    assert {mentors[m] for m in ("di@m.org", "ed@m.org", "fay@m.org")} == {None}  # none left
    assert None not in {mentors[m] for m in ("ana@m.org", "bo@m.org", "cy@m.org")}
    rejected = rejected_of(sheet, settings)["ed@m.org"]
    assert rejected not in mentors.values()  # Ed's mentor, whom the committee rejected
    told_mentees = ["di@m.org", "ed@m.org", "fay@m.org"]
    told_mentors = ["wes@t.org", rejected]
    return {notice_key("not matched", COHORT, e) for e in told_mentees} | {
        notice_key("mentor pool", COHORT, e) for e in told_mentors
    }


def test_each_unmatched_person_gets_exactly_one_such_email_nobody_else_and_a_second_run_none(
    program,
):
    sheet, settings = program
    expected = expected_keys(sheet, settings)
    sender = Memory()
    report = notify(sheet, settings, FINAL, sender)
    assert report.summary() == "notify-unmatched: 5 sent, 4 applicants not told (why: above)"
    assert sender.delivered == Counter({key: 1 for key in expected})
    logged = notices_logged(sheet, settings)
    assert set(logged) == expected
    assert {row["Status"] for row in logged.values()} == {"sent"}
    # Nobody Approved, on Hold, or waiting for the committee (mentee or mentor) has one.
    mentors = mentors_of(sheet, settings)
    spared = {"ana@m.org", "bo@m.org", "cy@m.org"}
    spared |= {mentors[m] for m in spared}
    assert not {key.split(" | ")[2] for key in logged} & spared
    for later in (1, 300):  # the next day, and late in the same year
        again = notify(sheet, settings, FINAL + timedelta(days=later), sender)
        assert again.summary().startswith("notify-unmatched: 0 sent,")
    assert sender.delivered == Counter({key: 1 for key in expected})
    # A notice names no pair: no pair's email can ever be taken for it.
    assert {pair_label(key) for key in expected} == {""}


def test_the_emails_are_kind_named_and_give_the_committees_address(program):
    sheet, settings = program
    sender = Memory()
    notify(sheet, settings, FINAL, sender)
    ed = message_to(sender, "ed@m.org")
    assert ed["To"] == "Ed Stone <ed@m.org>"
    assert ed["Subject"] == (
        "STS Mentoring Program: no mentor for you this year, and why we keep your application"
    )
    text = ed.get_body(("plain",)).get_content()
    assert text.startswith("Dear Ed,\n")
    assert "We keep your application" in text and settings.program.committee_email in text
    assert ed.get_body(("html",)) is not None
    wes = message_to(sender, "wes@t.org")
    assert wes["Subject"] == "STS Mentoring Program: thank you, you are in our mentor pool"
    words = wes.get_body(("plain",)).get_content()
    assert words.startswith("Dear Wes,\n") and "appropriate mentee match" in words
    assert "Cc" not in ed and "Cc" not in wes  # the committee is in Cc of introductions only


def test_the_dry_run_lists_who_would_get_which_and_who_is_not_told_and_changes_nothing(program):
    sheet, settings = program
    before, writes = dict(sheet.tables), sheet.writes
    sender = Memory()
    report = notify(sheet, settings, FINAL, sender, dry_run=True)
    assert sheet.tables == before and sheet.writes == writes and not sender.delivered
    assert len(report.would_send) == 5
    assert (
        "would send not matched to ed@m.org: STS Mentoring Program: no mentor for you this"
        " year, and why we keep your application"
    ) in report.would_send
    assert any(
        line.startswith("would send mentor pool to wes@t.org: ") for line in report.would_send
    )
    cy_mentor = mentors_of(sheet, settings)["cy@m.org"]
    details = report.details()
    assert (
        f"  not told: Cy Park <cy@m.org> (mentee): {settings.tabs.committee} row 4 pairs"
        f" cy@m.org with {cy_mentor} and is still Suggested; approve the pair, or write"
        " Rejected, and the next run decides"
    ) in details
    # Cy's mentor waits with Cy: the line names the row, for either of them.
    mentor_name = f"{cy_mentor.split('@')[0].title()} Mentor"
    assert (
        f"  not told: {mentor_name} <{cy_mentor}> (mentor): {settings.tabs.committee} row 4"
        f" pairs cy@m.org with {cy_mentor} and is still Suggested; approve the pair, or write"
        " Rejected, and the next run decides"
    ) in details
    [gus] = [line for line in details if "gus@m.org" in line]
    assert gus.startswith(
        "  not told: Gus Hale <gus@m.org>: their response could not be used, so they did not"
        " apply in a form the tool can read (Form Responses 1 row 8, in Intake Issues: no answer"
    )
    assert any(
        line.startswith("  not told: Nameless Applicant: their response") for line in details
    )
    assert report.summary() == (
        "notify-unmatched: 5 would be sent (dry run: nothing sent or logged),"
        " 4 applicants not told (why: above)"
    )


def test_a_row_that_waits_for_the_committee_tells_neither_of_its_people(program):
    sheet, settings = program
    rejected = rejected_of(sheet, settings)
    waiting = {
        "ed@m.org": {"Status": "Rejected", "Committee Mentor Email": "wes@t.org"},
        "cy@m.org": {"Status": "Aproved"},  # a typo: the tool cannot tell what was meant
    }
    set_committee_cells(sheet, settings, waiting)
    sender = Memory()
    report = notify(sheet, settings, FINAL, sender)
    # Di and Fay, whom no mentor can take, and the mentor Ed's Rejected row gave up.
    assert set(sender.delivered) == {
        notice_key("not matched", COHORT, "di@m.org"),
        notice_key("not matched", COHORT, "fay@m.org"),
        notice_key("mentor pool", COHORT, rejected["ed@m.org"]),
    }
    tab = settings.tabs.committee
    assert (
        f"  not told: Wes Mentor <wes@t.org> (mentor): {tab} row 5 (ed@m.org) is Rejected with"
        " wes@t.org named in Committee Mentor Email; approve the new pair, or clear the cell,"
        " and the next run decides"
    ) in report.details()
    assert (
        f"  not told: Cy Park <cy@m.org> (mentee): {tab} row 4 (cy@m.org) has Status 'Aproved',"
        " which is not one of Suggested, Approved, Rejected, Hold; correct it, and the next run"
        " decides"
    ) in report.details()


def test_a_maybe_sent_notice_is_never_sent_again(program, tmp_path):
    sheet, settings = program
    journal = Journal(tmp_path / "journal.sqlite3", "memory")
    di = notice_key("not matched", COHORT, "di@m.org")
    lost = SendError("connection lost", maybe_sent=True, fatal=True)
    sender = Memory(fail={"di@m.org": lost})
    first = notify(sheet, settings, FINAL, sender, journal=journal)
    # Di's went first and may have gone; the connection is gone, so the rest wait.
    assert (len(first.unconfirmed), len(first.failed), len(first.sent)) == (1, 4, 0)
    assert notices_logged(sheet, settings)[di]["Status"] == "unconfirmed"
    assert journal.entries()[di].status == "unconfirmed"
    sender.fail = {}
    second = notify(sheet, settings, FINAL + timedelta(days=1), sender, journal=journal)
    assert len(second.sent) == 4 and di not in sender.delivered
    # Even with its Email Log row deleted, the journal keeps it from going again.
    log = sheet.tables[settings.tabs.email_log]
    [row] = [r.number for r in log.rows if r.cells[0] == di]
    sheet.write([TabEdits(log.name, {(row, c): None for c in range(1, 9)})])
    third = notify(sheet, settings, FINAL + timedelta(days=2), sender, journal=journal)
    assert third.sent == [] and third.restored == 1 and di not in sender.delivered
    assert notices_logged(sheet, settings)[di]["Status"] == "unconfirmed"
    journal.close()


def test_resend_in_status_sends_a_notice_once_more(program):
    sheet, settings = program
    sender = Memory()
    notify(sheet, settings, FINAL, sender)
    di = notice_key("not matched", COHORT, "di@m.org")
    first = notices_logged(sheet, settings)[di]["Message Id"]
    log = sheet.tables[settings.tabs.email_log]
    [row] = [r.number for r in log.rows if r.cells[0] == di]
    sheet.write([TabEdits(log.name, {(row, log.header.index("Status") + 1): "resend"})])
    again = notify(sheet, settings, FINAL + timedelta(days=3), sender)
    assert [line.split(":")[0] for line in again.sent] == ["sent not matched to di@m.org"]
    entry = notices_logged(sheet, settings)[di]
    assert entry["Message Id"] == first.replace("@", ".1@") and entry["Sent At"].date() == FINAL
    assert notify(sheet, settings, FINAL + timedelta(days=4), sender).sent == []
    # Asked again for someone the committee has paired since: nothing goes, and a line says so.
    fay = notice_key("not matched", COHORT, "fay@m.org")
    [row] = [r.number for r in log.rows if r.cells[0] == fay]
    sheet.write([TabEdits(log.name, {(row, log.header.index("Status") + 1): "resend"})])
    set_committee_cells(sheet, settings, {"fay@m.org": {"Status": "Approved"}})
    paired = notify(sheet, settings, FINAL + timedelta(days=5), sender)
    assert paired.sent == [] and paired.problems == (
        f"{settings.tabs.committee} row 7: Approved, but no mentor is named; set Committee"
        " Mentor Email",
        f"the Email Log asks to send '{fay}' again, but that person is not left unmatched by"
        " this slate (or the cohort is another year's); nothing was sent. Clear resend from"
        " its Status in the Email Log, or correct their row in the committee tab if they are"
        " in fact unmatched",
    )


def test_the_daily_cap_sends_the_pairs_emails_first_and_the_rest_next_run(settings_file):
    add_settings(settings_file, f'\n[email]\ndaily_cap = 3\n[notify]\nunmatched_on = "{FINAL}"\n')
    settings = load_settings(settings_file)
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    sender = Memory()
    first = notify(sheet, settings, FINAL, sender, job=RUN)
    assert first.summary().startswith(
        "introduce and checkin: 3 sent, 1 wait for the next run (daily cap of 3"
    )
    assert sum(key.startswith("introduction |") for key in sender.delivered) == 1
    later = notify(sheet, settings, FINAL + timedelta(days=1), sender, job=RUN)
    assert later.summary().startswith("introduce and checkin: 1 sent,")
    # Di and Fay, whom no mentor can take, and Wes, who offers no place; the other rows
    # wait for the committee.
    assert len(notices_logged(sheet, settings)) == 3
    assert set(sender.delivered.values()) == {1}


def test_the_settings_day_sends_them_in_run_on_and_after_it_and_not_before(tmp_path, settings_file):
    add_settings(settings_file, f'\n[notify]\nunmatched_on = "{FINAL}"\n')
    settings = load_settings(settings_file)
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES[:6], MENTORS)

    def run(day):
        result = invoke(settings_file, day, "run")
        assert result.exit_code == 0, result.output
        return result

    run(FINAL - timedelta(days=40))  # the match makes the rows
    decided = {"ana@m.org": {"Status": "Approved"}, "bo@m.org": {"Status": "Hold"}}
    set_committee_cells(workbook, settings, decided)
    run(FINAL - timedelta(days=1))
    assert notices(workbook) == {}
    on_the_day = run(FINAL)
    told = notices(workbook)
    assert set(told) == {
        notice_key("not matched", COHORT, "di@m.org"),
        notice_key("not matched", COHORT, "fay@m.org"),
        notice_key("mentor pool", COHORT, "wes@t.org"),
    }
    assert {row["Sent At"].date() for row in told.values()} == {FINAL}
    assert "  not told: Cy Park <cy@m.org> (mentee): " in on_the_day.output
    # Days after it, a late applicant no mentor can take is told on that day's run.
    apply_late(workbook, settings, mentee("hal@m.org", name="Hal Moss", institution="Mentor U"))
    run(FINAL + timedelta(days=10))
    later = notices(workbook)
    assert set(later) - set(told) == {notice_key("not matched", COHORT, "hal@m.org")}
    assert later[notice_key("not matched", COHORT, "hal@m.org")]["Sent At"].date() == (
        FINAL + timedelta(days=10)
    )
    # A month on, the day is over as far as the runs go: a day left in the settings from
    # last year must not write to next year's applicants.
    apply_late(workbook, settings, mentee("ivy@m.org", name="Ivy Dunn", institution="Mentor U"))
    run(FINAL + timedelta(days=30))
    assert notices(workbook) == later


def apply_late(workbook, settings, answers) -> None:
    """A response to the mentee form, added to its tab as Google adds one."""
    book = openpyxl.load_workbook(workbook)
    values = {"timestamp": datetime(2027, 2, 5, 10), **answers}
    book[settings.tabs.mentees].append([values.get(f, "") for f in settings.mentee_form.questions])
    book.save(workbook)


def notices(workbook) -> dict[str, dict]:
    book = openpyxl.load_workbook(workbook)
    if "Email Log" not in book.sheetnames:
        return {}
    rows = list(book["Email Log"].iter_rows(values_only=True))
    found = [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
    return {row["Key"]: row for row in found if row["Kind"] in NOTICE_KINDS}


def test_the_command_says_who_it_told_and_who_it_did_not(tmp_path, settings_file, settings):
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES, MENTORS)
    match(workbook, settings)
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    dry = invoke(settings_file, FINAL, "notify-unmatched", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would send not matched to di@m.org: " in dry.output
    assert not (tmp_path / "outbox").exists() and notices(workbook) == {}
    result = invoke(settings_file, FINAL, "notify-unmatched")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("notify-unmatched: 3 sent,")
    emails = {
        str(message["To"])
        for message in (
            email.message_from_bytes(f.read_bytes(), policy=policy.default)
            for f in (tmp_path / "outbox").glob("*.eml")
        )
    }
    assert emails == {"Di Cho <di@m.org>", "Fay Wu <fay@m.org>", "Wes Mentor <wes@t.org>"}
    again = invoke(settings_file, FINAL + timedelta(days=1), "notify-unmatched")
    assert again.output.splitlines()[-1].startswith("notify-unmatched: 0 sent,")
    marked = invoke(settings_file, FINAL, "resend", notice_key("mentor pool", COHORT, "wes@t.org"))
    assert marked.output.splitlines()[-1] == (
        "resend: 'mentor pool | 2027 | wes@t.org' is marked resend in the Email Log; the next"
        " notify-unmatched run (or mentor-sync run, in the days after notify.unmatched_on)"
        " sends it"
    )


@pytest.mark.parametrize(
    ("template", "to", "subject"),
    [
        ("not_matched", "Sam", "no mentor for you this year, and why we keep your application"),
        ("mentor_pool", "Alex", "thank you, you are in our mentor pool"),
    ],
)
def test_test_email_sends_a_sample_of_each_notice_to_the_committee(
    tmp_path, settings_file, settings, template, to, subject
):
    program_workbook(tmp_path / "program.xlsx", settings, MENTEES[:1], MENTORS[:1])
    result = invoke(settings_file, FINAL, "test-email", template)
    assert result.exit_code == 0, result.output
    [file] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["Subject"] == f"[test] STS Mentoring Program: {subject}"
    assert message["To"] == settings.program.committee_email
    # No pair is approved yet: the made-up one's mentee or mentor is greeted.
    assert message.get_body(("plain",)).get_content().startswith(f"Dear {to},")


def test_overridden_templates_are_used(program, tmp_path):
    sheet, settings = program
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "not_matched.txt").write_text(
        "Subject: {{ program }} {{ cohort }}: not this time\n\n"
        "Dear {{ recipient.first_name }}, our own words; {{ committee_email }}.\n",
        encoding="utf-8",
    )
    add_settings(tmp_path / "settings.toml", '\n[email]\ntemplates = "ours"\n')
    settings = load_settings(tmp_path / "settings.toml")
    sender = Memory()
    notify(sheet, settings, FINAL, sender)
    di = message_to(sender, "di@m.org")
    assert di["Subject"] == "STS Mentoring Program 2027: not this time"
    assert di.get_content_type() == "text/plain"  # our .txt alone: no built-in HTML beside it
    assert di.get_content() == (f"Dear Di, our own words; {settings.program.committee_email}.\n")
    wes = message_to(sender, "wes@t.org")
    assert wes["Subject"] == "STS Mentoring Program: thank you, you are in our mentor pool"


def test_a_broken_notice_template_stops_every_email_job_before_anything_is_sent(program, tmp_path):
    sheet, _ = program
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "mentor_pool.txt").write_text(
        "Subject: Hello\n\nDear {{ mentor.first_name }}\n", encoding="utf-8"
    )
    add_settings(tmp_path / "settings.toml", '\n[email]\ntemplates = "ours"\n')
    settings = load_settings(tmp_path / "settings.toml")
    set_committee_cells(sheet, settings, {"cy@m.org": {"Status": "Approved"}})
    sender = Memory()
    for job in (NOTIFY, INTRODUCE, CHECKIN):
        with pytest.raises(ConfigError, match=r"mentor_pool\.txt: 'mentor' is undefined"):
            notify(sheet, settings, FINAL, sender, job=job)
    assert not sender.delivered and settings.tabs.email_log not in sheet.tab_names()


def test_someone_told_in_december_is_not_told_again_in_january_but_is_a_year_on(program):
    sheet, settings = program
    sender = Memory()
    december = date(2026, 12, 30)
    notify(sheet, settings, december, sender)
    assert len(sender.delivered) == 5
    january = notify(sheet, settings, date(2027, 1, 2), sender)
    assert january.sent == [] and len(sender.delivered) == 5
    assert (
        "  not told: Di Cho <di@m.org> (mentee): had the 'not matched' email on 2026-12-30,"
        " under another cohort; not told again so soon (the tool tells them again from"
        " 2027-07-01; until then, write to them yourselves)"
    ) in january.details()
    next_year = notify(sheet, settings, date(2027, 12, 20), sender)
    assert len(next_year.sent) == 5
    assert notice_key("not matched", "2027", "di@m.org") in sender.delivered


def test_a_mentee_who_applied_after_the_last_match_waits_for_the_next(tmp_path, settings):
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES[:1], MENTORS[:2])
    match(workbook, settings)
    set_committee_cells(workbook, settings, {"ana@m.org": {"Status": "Approved"}})
    [free] = {"tom@t.org", "uma@t.org"} - {mentors_of(workbook, settings)["ana@m.org"]}
    apply_late(workbook, settings, MENTEES[1])
    sender = Memory()
    report = notify(WorkbookSpreadsheet(workbook), settings, FINAL, sender)
    assert [line.split(":")[0] for line in report.sent] == [f"sent mentor pool to {free}"]
    assert (
        f"  not told: Bo Lee <bo@m.org> (mentee): no row in {settings.tabs.committee} yet;"
        " the next match gives them one"
    ) in report.details()


# The reviewer's findings, worst first: each test below failed before its fix.


@pytest.mark.parametrize("slate", ["no tab", "no rows"])
def test_without_a_slate_notify_unmatched_refuses_and_nobody_is_told(
    tmp_path, settings_file, settings, slate
):
    """No committee tab (or one without rows) is no slate, not a slate that pairs nobody:
    every mentor would be told "in the pool", the approved ones too."""
    tab = settings.tabs.committee
    extra = {tab: [list(COMMITTEE_COLUMNS)]} if slate == "no rows" else None
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES, MENTORS, extra)
    for args in (["--dry-run"], []):
        result = invoke(settings_file, FINAL, "notify-unmatched", *args)
        assert result.exit_code == 2, result.output
        said = f"no {tab} yet" if slate == "no tab" else f"no rows in {tab} yet"
        assert result.output.splitlines()[-1] == (
            f"mentor-sync: configuration error: {said}; run match first, and let the committee"
            " decide, before telling anyone they are unmatched. Nothing was written or sent"
        )
    assert not (tmp_path / "outbox").exists() and notices(workbook) == {}
    assert "Email Log" not in openpyxl.load_workbook(workbook).sheetnames


def test_run_on_the_settings_day_without_a_slate_tells_nobody_and_says_why(tmp_path, settings_file):
    add_settings(settings_file, f'\n[notify]\nunmatched_on = "{FINAL}"\n')
    settings = load_settings(settings_file)
    workbook = program_workbook(tmp_path / "program.xlsx", settings, [], MENTORS)
    ran = invoke(settings_file, FINAL, "run")  # nobody has applied as a mentee yet
    assert ran.exit_code == 0, ran.output
    assert (
        f"  not told: anyone left unmatched: no rows in {settings.tabs.committee} yet, so"
        " nobody is known to be paired or left out"
    ) in ran.output.splitlines()
    assert notices(workbook) == {} and not list((tmp_path / "outbox").glob("*.eml"))


def test_a_renamed_committee_tab_is_refused_as_match_refuses_it_and_nobody_is_told(
    tmp_path, settings_file
):
    add_settings(settings_file, f'\n[notify]\nunmatched_on = "{FINAL}"\n')
    settings = load_settings(settings_file)
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES, MENTORS)
    match(workbook, settings)
    decided = ("ana@m.org", "bo@m.org", "cy@m.org", "ed@m.org")
    set_committee_cells(workbook, settings, {m: {"Status": "Approved"} for m in decided})
    book = openpyxl.load_workbook(workbook)
    book[settings.tabs.committee].title = "Matches (final)"
    book.save(workbook)
    refused = invoke(settings_file, FINAL, "match")
    assert refused.exit_code == 2
    assert "but tab 'Matches (final)' has its columns" in refused.output
    for command in ("notify-unmatched", "run"):
        result = invoke(settings_file, FINAL, command)
        assert (result.exit_code, result.output) == (2, refused.output)
    # introduce never sends the notices, whatever the settings' day says.
    assert invoke(settings_file, FINAL, "introduce").exit_code == 0
    assert notices(workbook) == {} and not list((tmp_path / "outbox").glob("*.eml"))


def test_introduce_and_checkin_never_send_the_notices_run_sends_them_after_its_match(
    tmp_path, settings_file
):
    """The schedule runs introduce hourly and match at 07:00: an introduce run early on the
    day must not tell "not this year" to a mentee the day's match then pairs."""
    add_settings(settings_file, f'\n[notify]\nunmatched_on = "{FINAL}"\n')
    settings = load_settings(settings_file)
    mentors = [*MENTORS, mentor("yan@t.org", name="Yan Mentor", institution="Mentor U")]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, MENTEES[:4], mentors)
    assert invoke(settings_file, FINAL - timedelta(days=3), "match").exit_code == 0
    rejected = mentors_of(workbook, settings)["ed@m.org"]
    decided = {m: {"Status": "Approved"} for m in ("ana@m.org", "bo@m.org", "cy@m.org")}
    set_committee_cells(workbook, settings, {**decided, "ed@m.org": {"Status": "Rejected"}})
    for job in ("introduce", "checkin"):
        result = invoke(settings_file, FINAL, job)
        assert result.exit_code == 0, result.output
        assert notices(workbook) == {} and "not told" not in result.output
    ran = invoke(settings_file, FINAL, "run")
    assert ran.exit_code == 0, ran.output
    # The match offered Ed the mentor with a free place: that pair waits for the committee,
    # so neither hears anything; the mentor the committee rejected is in the pool.
    assert mentors_of(workbook, settings)["ed@m.org"] == "yan@t.org"
    assert set(notices(workbook)) == {
        notice_key("mentor pool", COHORT, rejected),
        notice_key("mentor pool", COHORT, "wes@t.org"),
    }
    assert (
        f"  not told: Ed Stone <ed@m.org> (mentee): {settings.tabs.committee} row 5 pairs"
        " ed@m.org with yan@t.org and is still Suggested; approve the pair, or write"
        " Rejected, and the next run decides"
    ) in ran.output.splitlines()


def test_a_rejection_the_match_has_not_seen_yet_tells_neither_person_until_it_has(settings):
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    ed_mentor = mentors_of(sheet, settings)["ed@m.org"]
    set_committee_cells(sheet, settings, {"ed@m.org": {"Status": "Rejected"}})
    sender = Memory()
    report = notify(sheet, settings, FINAL, sender)
    assert not {key.split(" | ")[2] for key in sender.delivered} & {"ed@m.org", ed_mentor}
    why = (
        f"{settings.tabs.committee} row 5 (ed@m.org) is Rejected, and no match has run since"
        f" ({ed_mentor} is not in Rejected Mentors yet), so the match may suggest another"
        " mentor; run match first, and the next run decides"
    )
    name = f"{ed_mentor.split('@')[0].title()} Mentor"
    assert f"  not told: Ed Stone <ed@m.org> (mentee): {why}" in report.details()
    assert f"  not told: {name} <{ed_mentor}> (mentor): {why}" in report.details()


@pytest.mark.parametrize(
    ("status", "typed"),
    [
        ("Approved", "yan@t.rog"),
        ("Hold", "yan@t.orgg"),
    ],
)
def test_a_committee_mentor_who_is_no_mentor_holds_every_mentor_pool_notice(
    settings, status, typed
):
    mentors = [*MENTORS, mentor("yan@t.org", name="Yan Mentor", institution="Mentor U")]
    sheet = program_memory(settings, MENTEES[:4], mentors)
    match(sheet, settings)
    suggested = mentors_of(sheet, settings)["ana@m.org"]
    alternatives = committee_by_email(sheet, settings)["ana@m.org"]["Alternatives"]
    assert "Yan Mentor <yan@t.org> 50 (has a free place)" in alternatives
    chosen = {"Status": status, "Committee Mentor Email": typed}
    set_committee_cells(sheet, settings, {"ana@m.org": chosen})
    sender = Memory()
    report = notify(sheet, settings, FINAL, sender)
    # Yan may be Ana's mentor: no mentor is told they are in the pool, Yan nor anyone.
    assert not [key for key in sender.delivered if key.startswith("mentor pool")]
    tab = settings.tabs.committee
    assert (
        f"  not told: {tab} row 2 (ana@m.org) is {status} with '{typed.lower()}' as its mentor,"
        " which is not the address of a mentor in the mentor responses; type the mentor's"
        " address alone in Committee Mentor Email (as Suggested Mentor Email has it), and the"
        " next run tells the mentors without a mentee (no mentor is told they are in the pool"
        " until then)"
    ) in report.details()
    if status == "Approved":  # what introduce says of the row, notify-unmatched says too
        assert (
            f"  check: {tab} row 2: the mentor {typed.lower()} is not in the mentor responses;"
            " no emails for this pair"
        ) in report.details()
    set_committee_cells(sheet, settings, {"ana@m.org": {"Committee Mentor Email": "yan@t.org"}})
    corrected = notify(sheet, settings, FINAL + timedelta(days=1), sender)
    assert [line.split(":")[0] for line in corrected.sent] == [
        f"sent mentor pool to {suggested}",
        "sent mentor pool to wes@t.org",
    ]


def test_an_alternatives_entry_pasted_whole_names_the_mentor_who_is_then_not_told(settings):
    mentors = [*MENTORS, mentor("yan@t.org", name="Yan Mentor", institution="Mentor U")]
    sheet = program_memory(settings, MENTEES[:4], mentors)
    match(sheet, settings)
    suggested = mentors_of(sheet, settings)["ana@m.org"]
    pasted = "Yan Mentor <yan@t.org> 50 (has a free place)"  # as Alternatives has it
    chosen = {"Status": "Approved", "Committee Mentor Email": pasted}
    set_committee_cells(sheet, settings, {"ana@m.org": chosen})
    sender = Memory()
    notify(sheet, settings, FINAL, sender)
    # Yan is Ana's mentor; the mentor the match had suggested, and Wes, have no mentee.
    assert sorted(key for key in sender.delivered if key.startswith("mentor pool")) == sorted(
        [f"mentor pool | 2027 | {suggested}", "mentor pool | 2027 | wes@t.org"]
    )


@pytest.mark.parametrize("introduced_by", ["the tool", "hand"])
def test_the_people_of_a_pair_that_ended_after_its_introduction_are_not_told(
    settings, introduced_by
):
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    tom = mentors_of(sheet, settings)["ana@m.org"]
    sender = Memory()
    introduced = FINAL - timedelta(days=20)
    if introduced_by == "the tool":
        notify(sheet, settings, introduced, sender, job=INTRODUCE)
        assert set(sender.delivered) == {f"introduction | ana@m.org | {tom}"}
        evidence = f"introduced on {introduced}"
    else:
        introduced_on = datetime.combine(introduced, datetime.min.time())
        set_committee_cells(sheet, settings, {"ana@m.org": {"Introduced On": introduced_on}})
        evidence = f"{settings.tabs.committee} row 2 still has its Introduced On"
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Rejected"}})
    said = (
        f"their pair (ana@m.org and {tom}) ended after its introduction ({evidence}); write to"
        " them yourselves"
    )
    report = notify(sheet, settings, FINAL, sender)
    assert f"  not told: Ana Ruiz <ana@m.org> (mentee): {said}" in report.details()
    assert f"  not told: Tom Mentor <{tom}> (mentor): {said}" in report.details()
    if introduced_by == "the tool":
        # The match (as `run` makes it first) clears Introduced On: the Email Log still tells.
        match(sheet, settings)
        assert committee_by_email(sheet, settings)["ana@m.org"]["Introduced On"] is None
        again = notify(sheet, settings, FINAL + timedelta(days=1), sender)
        assert f"  not told: Tom Mentor <{tom}> (mentor): {said}" in again.details()
    told = {key.split(" | ")[2] for key in sender.delivered if " | 2027 | " in key}
    assert "di@m.org" in told and not told & {"ana@m.org", tom}


def test_an_introduced_pair_with_a_mistyped_status_waits_rather_than_ending(settings):
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    on = datetime.combine(FINAL - timedelta(days=20), datetime.min.time())
    mistyped = {"Status": "Aproved", "Introduced On": on}
    set_committee_cells(sheet, settings, {"ana@m.org": mistyped})
    report = notify(sheet, settings, FINAL, Memory(), dry_run=True)
    assert (
        f"  not told: Ana Ruiz <ana@m.org> (mentee): {settings.tabs.committee} row 2"
        " (ana@m.org) has Status 'Aproved', which is not one of Suggested, Approved, Rejected,"
        " Hold; correct it, and the next run decides"
    ) in report.details()


def test_a_second_slate_in_the_same_year_says_who_was_told_already(program):
    """The keys name the year, and are in Email Logs already: a second slate of the same
    year cannot tell anyone again under them, so the run says who it does not tell."""
    sheet, settings = program
    sender = Memory()
    january = notify(sheet, settings, date(2027, 1, 10), sender)
    assert len(january.sent) == 5 and "told already" not in january.summary()
    december = notify(sheet, settings, date(2027, 12, 20), sender)
    assert december.sent == [] and len(sender.delivered) == 5
    assert (
        "  told already: Di Cho <di@m.org> (mentee): on 2027-01-10 ('not matched | 2027 |"
        " di@m.org'); to tell them again for a new slate, write resend in its Status in the"
        " Email Log"
    ) in december.details()
    assert december.summary() == (
        "notify-unmatched: 0 sent, 5 told already, 4 applicants not told (why: above)"
    )


ODD_NAMES = ["Ruiz, Ana", "<b>Bo</b> & Co", "{{ committee_email }}", "Dr. Cy\nBcc: evil@x.org"]


def test_names_from_the_form_neither_add_a_header_nor_run_as_template_code(settings):
    odd = [mentee(f"m{i}@m.org", name=n, institution="Mentor U") for i, n in enumerate(ODD_NAMES)]
    sheet = program_memory(settings, odd, [mentor("tom@t.org", institution="Mentor U")])
    match(sheet, settings)
    sender = Memory()
    notify(sheet, settings, FINAL, sender)
    messages = {str(m["To"]).rpartition("<")[2].rstrip(">"): m for m in sender.messages}
    assert set(messages) == {"m0@m.org", "m1@m.org", "m2@m.org", "m3@m.org", "tom@t.org"}
    cy = messages["m3@m.org"]
    assert cy["Bcc"] is None and "\n" not in str(cy["To"])
    assert cy.get_body(("plain",)).get_content().startswith("Dear Cy,\n")
    ana = messages["m0@m.org"].get_body(("plain",)).get_content()
    assert ana.startswith("Dear Ana,\n")
    braces = messages["m2@m.org"].get_body(("plain",)).get_content()
    assert braces.startswith("Dear committee_email,\n")  # the text, never the address
    html = messages["m1@m.org"].get_body(("html",)).get_content()
    assert "<b>Bo" not in html and "&lt;/b" in html


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ('"Feb 1"', "not 'Feb 1'"),
        ("3", "not 3"),
    ],
)
def test_a_notify_day_that_is_no_day_is_refused_with_the_fix(settings_file, typed, said):
    add_settings(settings_file, f"\n[notify]\nunmatched_on = {typed}\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(settings_file)
    assert str(refused.value) == (
        "setting 'notify.unmatched_on' must be the day the slate is final as YYYY-MM-DD"
        f' (such as "2027-02-01"), or "" for never, {said}'
    )


def test_a_notify_day_may_be_a_toml_date_and_a_check_in_cannot_take_a_notices_name(
    settings_file,
):
    add_settings(settings_file, "\n[notify]\nunmatched_on = 2027-02-01\n")
    assert load_settings(settings_file).notify.unmatched_on == FINAL
    add_settings(
        settings_file, '\n[[checkins]]\nname = "Not Matched"\ndays = 30\ntemplate = "checkin"\n'
    )
    with pytest.raises(ConfigError, match="'Not Matched', which the Email Log uses"):
        load_settings(settings_file)


def test_an_approved_mentor_whose_response_went_to_intake_issues_is_named_there(settings):
    """The mentor's response is unusable now (a required answer blanked): every pool notice
    waits, the line says where to correct it, and nobody is said not to have applied."""
    sheet = program_memory(settings, MENTEES, MENTORS)
    match(sheet, settings)
    tom = mentors_of(sheet, settings)["ana@m.org"]
    set_committee_cells(sheet, settings, {"ana@m.org": {"Status": "Approved"}})
    blanked = [{**m, "institution": ""} if m["email"] == tom else m for m in MENTORS]
    later = program_memory(settings, MENTEES, blanked)
    later.tables[settings.tabs.committee] = sheet.tables[settings.tabs.committee]
    sender = Memory()
    report = notify(later, settings, FINAL, sender)
    assert not [key for key in sender.delivered if key.startswith("mentor pool")]
    said = "\n".join(report.details())
    assert f"is Approved with '{tom}' as its mentor, whose response (Form Responses 2 row" in said
    assert "is in Intake Issues; correct it there" in said
    assert not [line for line in report.details() if tom in line and "did not apply" in line]
