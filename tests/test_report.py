"""`mentor-sync report`: the year's HTML report and the Program Report tab, on the demo, on
Google within one read and one write, with a sentence where a tab is not there yet, and
refreshed by `run` when [schedule] says so."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path

import gspread
import openpyxl
import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.settings_file import load_settings
from sync.google import SHEETS_SCOPE
from sync.state import load_history
from tests.conftest import PEOPLE, add_settings, mentee, mentor
from tests.fakes.commands import invoke
from tests.fakes.google_fake import FakeGoogle, loopback_session, to_serial
from tests.fakes.google_program import SHEET_ID, cli_run, rows_of
from tests.fakes.year_figures import GROUPS, expected_figures, tab_figures
from tests.test_google_backend import COMMITTEE, approve, new_program

AS_OF = "2026-11-30"
# Every chart of the report: applications, who applied and the mean score for each group,
# the slate, the scores and mentor load, the committee's decisions, the five charts of the
# pairs' year, and the past years.
CHARTS = 1 + 2 * len(GROUPS) + 3 + 1 + 5 + 1


class Page(HTMLParser):
    """What a test needs of the report's HTML: its charts, the sentences in place of the
    others, every address it refers to, and its style sheets."""

    def __init__(self, text: str):
        super().__init__()
        self.svgs = 0
        self.figures: list[str] = []  # the id of each <figure>
        self.empty: list[str] = []  # those with a sentence instead of a chart
        self.addresses: list[str] = []  # every src, href and xlink:href
        self.tags: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        values = dict(attrs)
        self.addresses += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href")]
        if tag == "svg":
            self.svgs += 1
        if tag == "figure":
            self.figures.append(values.get("id", ""))
            if "empty" in (values.get("class") or ""):
                self.empty.append(values.get("id", ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def demo_program(folder: Path) -> Path:
    made = CliRunner().invoke(cli, ["--as-of", AS_OF, "demo", "--dir", str(folder)])
    assert made.exit_code == 0, made.output
    return folder / "settings.toml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo, and its report: (the folder, the report's output)."""
    folder = tmp_path_factory.mktemp("report") / "demo"
    settings_path = demo_program(folder)
    result = invoke(settings_path, "--as-of", AS_OF, "report")
    assert result.exit_code == 0, result.output
    return folder, result


@pytest.fixture
def demo_copy(demo, tmp_path):
    folder, _ = demo
    copy = tmp_path / "demo"
    shutil.copytree(folder, copy)
    return copy / "settings.toml"


def test_the_demos_report_embeds_every_chart_and_needs_nothing_from_elsewhere(demo):
    folder, result = demo
    html = folder / "report-2026.html"
    assert f"report 2026: {html} (16 charts) and the Program Report tab (" in result.output
    page = Page(html.read_text(encoding="utf-8"))
    # Every chart is an inline SVG, but the past years': the demo has none.
    assert page.svgs == CHARTS - 1 and len(page.figures) == CHARTS
    assert page.empty == ["past"]
    assert "No past years yet: Past Pairs has no pairs" in html.read_text(encoding="utf-8")
    # Nothing is fetched: no script, image, style sheet or frame, and no address but the
    # page's own anchors.
    assert not page.tags & {"script", "img", "link", "iframe", "object", "embed"}
    assert page.addresses and all(a.startswith("#") for a in page.addresses)
    assert "@media print" in "".join(page.styles)


def test_the_demos_program_report_tab_holds_the_figures_counted_from_the_workbook(demo):
    folder, _ = demo
    workbook = folder / "mentoring.xlsx"
    written = tab_figures(workbook, "2026")
    assert len(written) > 100
    assert written == expected_figures(workbook, "2026")
    # A few of them as the demo's own story tells them.
    assert written["slate", "mentees in the committee tab", ""] == 57
    assert written["committee", "decisions", "approved"] == 6
    assert written["pairs", "flagged now", ""] == 2
    # Each kind of flag by the name the chart and docs/report.md give it.
    raised = {group: n for (_, name, group), n in written.items() if name == "flags raised"}
    assert raised == {"no answer": 1, "low rating": 1, "not met": 1, "asked for contact": 1}


def test_a_second_report_on_an_unchanged_workbook_changes_no_cell(demo_copy):
    workbook = demo_copy.parent / "mentoring.xlsx"
    before = workbook.read_bytes()
    again = invoke(demo_copy, "--as-of", AS_OF, "report")
    assert again.exit_code == 0, again.output
    assert "the Program Report tab (" in again.output and ", no changes)" in again.output
    assert workbook.read_bytes() == before


def test_status_says_when_the_report_was_made_and_how_to_make_one(demo_copy, tmp_path):
    lines = invoke(demo_copy, "--as-of", AS_OF, "status").stdout.splitlines()
    assert lines[-1].startswith("report: last made 2026-11-30 ")
    assert lines[-1].endswith(
        "; `mentor-sync report` makes the HTML file of charts and the Program Report tab again"
    )
    fresh = tmp_path / "fresh"
    lines = invoke(demo_program(fresh), "status").stdout.splitlines()
    assert lines[-1] == (
        "report: none made yet; `mentor-sync report` makes the HTML file of charts and the"
        " Program Report tab"
    )


def test_a_later_cohort_keeps_the_earlier_ones_rows_and_compares_with_them(demo_copy):
    workbook = demo_copy.parent / "mentoring.xlsx"
    before = tab_figures(workbook, "2026")
    closed = invoke(demo_copy, "--as-of", AS_OF, "close-year", "2026")
    assert closed.exit_code == 0, closed.output
    # The applications are the closed year's, so the current cohort is the next one.
    out = demo_copy.parent / "next.html"
    result = invoke(demo_copy, "--as-of", AS_OF, "report", "--out", str(out))
    assert result.exit_code == 0, result.output
    # The closed pairs' year is in Past Pairs now, so this year has none of its own yet.
    assert f"report 2027: {out} (12 charts)" in result.output
    assert tab_figures(workbook, "2026") == before
    now = tab_figures(workbook, "2027")
    assert now["past years", "pairs closed", "2026"] == 6
    page = out.read_text(encoding="utf-8")
    assert sorted(Page(page).empty) == ["checkins", "flags", "met", "pairs", "ratings"]
    assert '<table class="years">' in page


def test_without_check_in_answers_or_past_pairs_the_charts_say_so(program, tmp_path):
    result = invoke(tmp_path / "settings.toml", "report", "2026")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    html = (tmp_path / "report-2026.html").read_text(encoding="utf-8")
    no_answers = (
        "No check-in answers yet (no tab &#x27;Form Responses 3&#x27;: link the check-in form"
        " to the spreadsheet)."
    )
    assert html.count(no_answers) == 2  # the ratings and "have you met"
    assert (
        "No past years yet: Past Pairs has no pairs and the Program Report tab no earlier" in html
    )
    assert "No &#x27;Pair Health&#x27; tab yet (the checkin job makes it)." in html
    assert "No check-ins sent yet." in html
    # The sentences are the report's details too.
    assert "  no past years yet: Past Pairs has no pairs" in result.output
    page = Page(html)
    assert sorted(page.empty) == ["checkins", "flags", "met", "pairs", "past", "ratings"]
    assert page.svgs == CHARTS - 6
    assert tab_figures(tmp_path / "program.xlsx", "2026") == expected_figures(
        tmp_path / "program.xlsx", "2026"
    )


def test_a_form_answer_in_the_tab_is_text_never_a_formula(tmp_path, settings_file, settings):
    from tests.conftest import match, program_workbook

    sly = '=HYPERLINK("http://evil.example","Early career")'
    people = ([mentee("ana@m.org", career_stage=sly), mentee("bo@m.org")], PEOPLE[1])
    workbook = program_workbook(tmp_path / "program.xlsx", settings, *people)
    match(workbook, settings)
    assert invoke(settings_file, "report", "2026").exit_code == 0
    sheet = openpyxl.load_workbook(workbook)["Program Report"]
    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value == sly]
    assert cells and all(c.data_type == "s" for c in cells)
    html = (tmp_path / "report-2026.html").read_text(encoding="utf-8")
    assert Page(html).addresses and all(a.startswith("#") for a in Page(html).addresses)


def test_a_dollar_sign_in_an_answer_is_drawn_as_it_is_never_as_maths(
    tmp_path, settings_file, settings
):
    from tests.conftest import match, program_workbook

    answers = ["$$", "when $$ allows", "$x^2$"]
    people = [mentee(f"p{n}@m{n}.org", career_stage=a) for n, a in enumerate(answers)]
    workbook = program_workbook(tmp_path / "program.xlsx", settings, people, PEOPLE[1])
    match(workbook, settings)
    result = invoke(settings_file, "report", "2026")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report-2026.html").read_text(encoding="utf-8")
    # Each answer is one text of the chart, letter for letter.
    assert all(f">{a}</text>" in html for a in answers)


@pytest.mark.parametrize(
    "args, said",
    [
        (["report", ""], "Invalid value for 'COHORT': the cohort is empty"),
        (["report", "--out", "."], "Invalid value for '--out'"),
    ],
)
def test_a_bad_cohort_or_file_is_a_usage_error_that_changes_nothing(program, tmp_path, args, said):
    workbook, _ = program
    before = workbook.read_bytes()
    result = invoke(tmp_path / "settings.toml", *args)
    assert result.exit_code == 2 and said in result.stderr
    assert workbook.read_bytes() == before
    assert (
        not (tmp_path / "mentor-sync-state.json").exists()
        or "report" not in load_history(tmp_path / "mentor-sync-state.json", datetime.now()).jobs
    )


@pytest.mark.parametrize(
    "name, what",
    [
        ("settings.toml", "the settings file"),
        ("mentoring.xlsx", "the workbook"),
        ("mentor-sync-journal.sqlite3", "the send journal"),
        ("mentor-sync-state.json", "the state file"),
        ("mentor-sync.log", "the log file"),
        ("mentor-sync.lock", "the lock file"),
        ("workbook-link.html", "the workbook"),  # a link to it
    ],
)
def test_out_never_replaces_a_file_of_the_program(demo_copy, name, what):
    folder = demo_copy.parent
    (folder / "workbook-link.html").symlink_to(folder / "mentoring.xlsx")
    workbook = (folder / "mentoring.xlsx").read_bytes()
    files = [f for f in folder.iterdir() if f.is_file() and not f.name.startswith("report-")]
    before = {f: f.read_bytes() for f in files}
    result = invoke(demo_copy, "--as-of", AS_OF, "report", "--out", str(folder / name))
    assert result.exit_code == 2
    assert f"{folder / name} is {what}, which the report would replace; name another" in (
        result.stderr
    )
    assert (folder / "mentoring.xlsx").read_bytes() == workbook  # no Program Report written
    for file, was in before.items():
        now = file.read_bytes()
        # The runner adds to its log and remembers the failed run; nothing else moves.
        assert b"<!DOCTYPE" not in now
        assert now.startswith(was) or file.name == "mentor-sync-state.json"


@pytest.mark.parametrize(
    "name, text",
    [
        ("notes.txt", "The committee's notes\n"),
        ("budget.html", "Budget: 300\n"),  # .html, but no page a report wrote
        ("page.txt", "<!DOCTYPE html><html></html>\n"),  # a page, but no .html
    ],
)
def test_out_never_replaces_a_file_that_is_not_an_earlier_report(demo_copy, name, text):
    folder = demo_copy.parent
    (folder / name).write_text(text, encoding="utf-8")
    workbook = (folder / "mentoring.xlsx").read_bytes()
    result = invoke(demo_copy, "--as-of", AS_OF, "report", "--out", str(folder / name))
    assert result.exit_code == 2
    assert f"{folder / name} is a file but not an earlier report (an .html page)" in result.stderr
    assert (folder / name).read_text(encoding="utf-8") == text
    assert (folder / "mentoring.xlsx").read_bytes() == workbook


def test_an_earlier_report_is_replaced_and_a_file_in_no_folder_is_refused(demo_copy):
    folder = demo_copy.parent
    earlier = folder / "earlier.HTM"
    earlier.write_text("\ufeff <!doctype HTML><html>last year</html>", encoding="utf-8")
    made = invoke(demo_copy, "--as-of", AS_OF, "report", "--out", str(earlier))
    assert made.exit_code == 0, made.output
    assert "last year" not in earlier.read_text(encoding="utf-8")
    workbook = (folder / "mentoring.xlsx").read_bytes()
    (folder / "notes.txt").write_text("notes", encoding="utf-8")
    inside_a_file = folder / "notes.txt" / "report.html"
    refused = invoke(demo_copy, "--as-of", AS_OF, "report", "--out", str(inside_a_file))
    assert refused.exit_code == 2
    assert f"{folder / 'notes.txt'} is a file, not a folder" in refused.stderr
    assert refused.stderr.rstrip().endswith("Nothing was written")
    assert (folder / "mentoring.xlsx").read_bytes() == workbook


def test_a_report_group_must_be_a_one_answer_question_of_the_mentee_form(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[report]\ngroups = ["career_stag"]\n')
    result = invoke(settings_path, "report")
    assert result.exit_code == 2
    assert (
        "'report.groups' names 'career_stag', which is not a question of the mentee form;"
        " did you mean 'career_stage'?"
    ) in result.stderr


# Refreshed by `run`, when [schedule] says so.


def test_run_refreshes_the_tab_once_after_the_reports_time_and_never_when_it_is_off(
    program, tmp_path
):
    workbook, _ = program
    settings_path = tmp_path / "settings.toml"
    first = invoke(settings_path, "run")
    assert first.exit_code == 0 and "report" not in first.output
    assert "Program Report" not in openpyxl.load_workbook(workbook).sheetnames
    add_settings(settings_path, '[schedule]\nreport = "daily at 00:00"\n')
    due = invoke(settings_path, "run")
    assert due.exit_code == 0, due.output
    assert "report 2026: the Program Report tab (" in due.output
    assert tab_figures(workbook, "2026") == expected_figures(workbook, "2026")
    assert not list(tmp_path.glob("*.html"))  # the tab alone: no file
    history = load_history(tmp_path / "mentor-sync-state.json", datetime.now().astimezone())
    assert history.jobs["report"].last_ok is not None
    again = invoke(settings_path, "run")
    assert again.exit_code == 0 and "report" not in again.output


def test_the_report_is_a_scheduled_job_only_when_it_has_a_time(program, tmp_path):
    settings_path = tmp_path / "settings.toml"
    assert " report" not in invoke(settings_path, "cron").stdout
    add_settings(settings_path, '[schedule]\nreport = "monday at 08:00"\n')
    lines = invoke(settings_path, "cron").stdout.splitlines()
    (line,) = [line for line in lines if line.endswith(" report")]
    assert line.startswith("0 8 * * 1 ") and "--quiet report" in line


# On Google.

DAY0 = date(2026, 1, 12)


def answer(fake: FakeGoogle, settings_path: Path, day: int, person: str, partner: str, rating):
    """One answer to the check-in form, as the form appends it to its tab on `day`."""
    settings = load_settings(settings_path)
    values = {
        "timestamp": to_serial(datetime.combine(DAY0 + timedelta(day), time(15))),
        "email": person,
        "role": "Mentee" if person.endswith("@m.org") else "Mentor",
        "partner": partner,
        "rating": rating,
        "met": "No" if rating < 3 else "Yes",
        "contact": "No",
    }
    client = gspread.Client(
        auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
    )
    tab = client.open_by_key(SHEET_ID).worksheet(settings.checkin_form.tab)
    below = len(fake.values(SHEET_ID, settings.checkin_form.tab)) + 1
    questions = settings.checkin_form.questions
    tab.update([[values.get(name, "") for name in questions]], f"A{below}", raw=True)


def as_workbook(fake: FakeGoogle, path: Path) -> Path:
    """Every tab of the fake's spreadsheet, as its values read, in a workbook."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title in fake.tab_titles(SHEET_ID):
        sheet = book.create_sheet(title)
        for row in fake.values(SHEET_ID, title):
            sheet.append(row)
    book.save(path)
    return path


def test_on_google_the_report_reads_once_writes_once_and_holds_its_spreadsheets_figures(tmp_path):
    sly = '=HYPERLINK("http://evil.example","Early career")'
    people = (
        [
            mentee("ana@m.org", name="Ana Ruiz", career_stage=sly),
            mentee("bo@m.org", subjects="Engineering"),
        ],
        [mentor("tom@t.org", name="Tom Ng"), mentor("uma@u.org", subjects="Engineering")],
    )
    with FakeGoogle(seed=5) as fake:
        settings_path = new_program(fake, tmp_path, people)
        assert cli_run(settings_path, DAY0, "run").exit_code == 0
        approve(fake, settings_path, ["ana@m.org", "bo@m.org"])
        for day in (0, 30):
            assert cli_run(settings_path, DAY0 + timedelta(day), "run").exit_code == 0
        answer(fake, settings_path, 31, "ana@m.org", "tom@t.org", 4)
        answer(fake, settings_path, 33, "uma@u.org", "bo@m.org", 2)  # flagged on day 45
        assert cli_run(settings_path, DAY0 + timedelta(45), "run").exit_code == 0
        answer(fake, settings_path, 46, "tom@t.org", "ana@m.org", 5)
        fake.reset_counts()
        made = cli_run(
            settings_path, DAY0 + timedelta(50), "report", "--out", str(tmp_path / "r.html")
        )
        assert made.exit_code == 0, made.output
        # The tab list, one values:batchGet of every tab, one write that adds the tab.
        assert fake.count("sheets") == 3
        assert fake.formulas(SHEET_ID, "Program Report") == []
        assert sly in [row[3] for row in fake.values(SHEET_ID, "Program Report")]
        copy = as_workbook(fake, tmp_path / "google.xlsx")
        written = tab_figures(copy, "2026")
        assert written == expected_figures(copy, "2026")
        assert written["check-ins", "answered", "check-in 1"] == 3
        assert written["check-ins", "mean rating", "check-in 1"] == 3.7
        page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
        assert page.svgs == CHARTS - 1 and page.empty == ["past"]
        before = fake.snapshot(SHEET_ID)
        fake.reset_counts()
        again = cli_run(
            settings_path, DAY0 + timedelta(50), "report", "--out", str(tmp_path / "r.html")
        )
        assert again.exit_code == 0 and ", no changes)" in again.output
        assert fake.count("sheets") == 2  # nothing to write: no write
        assert fake.snapshot(SHEET_ID) == before
        # `run` refreshing the tab reads in `run`'s one read and writes only what changed.
        add_settings(settings_path, '[schedule]\nreport = "daily at 00:00"\n')
        fake.reset_counts()
        due = cli_run(settings_path, DAY0 + timedelta(51), "run")
        assert due.exit_code == 0 and "report 2026: the Program Report tab" in due.output
        refreshed = fake.count("sheets")
        fake.reset_counts()
        assert cli_run(settings_path, DAY0 + timedelta(51), "run").exit_code == 0
        # The tab's figures are as the report left them: no write, and no read more.
        assert "no changes" in due.output
        assert refreshed == fake.count("sheets")
        assert rows_of(fake.values(SHEET_ID, "Program Report"))[0] == [
            "Cohort",
            "Section",
            "Figure",
            "Group",
            "Value",
        ]


def test_when_the_tab_cannot_be_written_the_earlier_page_is_kept(tmp_path):
    with FakeGoogle(seed=5) as fake:
        settings_path = new_program(fake, tmp_path, tries=2)
        assert cli_run(settings_path, DAY0, "run").exit_code == 0
        earlier = tmp_path / "r.html"
        earlier.write_text("<!DOCTYPE html><html>last year's report</html>", encoding="utf-8")
        before = fake.snapshot(SHEET_ID)
        fake.faults.fail_next(2, "skip")  # the tab list and the read go through ...
        fake.faults.always = "500"  # ... and every try of the write fails
        result = cli_run(settings_path, DAY0, "report", "--out", str(earlier))
        fake.faults.always = None
        assert result.exit_code == 1
        assert "failed after 2 tries (500 INTERNAL" in result.stderr
        # A 500 does not prove the write was not made (here it was not).
        assert result.stderr.rstrip().endswith(
            "(it may or may not have been written; run again, which writes the same)"
        )
        assert fake.snapshot(SHEET_ID) == before
        assert earlier.read_text(encoding="utf-8") == (
            "<!DOCTYPE html><html>last year's report</html>"
        )


def test_a_report_group_whose_question_left_the_form_is_named_with_the_setting(program, tmp_path):
    workbook, _ = program
    book = openpyxl.load_workbook(workbook)
    sheet = book["Form Responses 1"]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("How often would you like to meet?") + 1)
    book.save(workbook)
    settings_path = tmp_path / "settings.toml"
    add_settings(settings_path, '[report]\ngroups = ["rhythm"]\n')
    result = invoke(settings_path, "report")
    assert result.exit_code == 2
    assert "has no column 'How often would you like to meet?' (mentee_form.questions.rhythm)" in (
        result.stderr
    )
    assert "take it out of the rule 'meeting rhythm', report.groups" in result.stderr


def test_a_renamed_committee_tab_is_refused_as_match_refuses_it(demo_copy):
    """Not reported as "no Committee Matches yet": the figures would be of an empty slate."""
    workbook = demo_copy.parent / "mentoring.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Committee Matches"].title = "Matches 2026"
    book.save(workbook)
    before = workbook.read_bytes()
    result = invoke(demo_copy, "--as-of", AS_OF, "report")
    assert result.exit_code == 2, result.output
    assert "'Matches 2026' has its columns" in result.stderr
    assert workbook.read_bytes() == before
