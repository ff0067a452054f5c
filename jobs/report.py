"""`mentor-sync report [COHORT] [--out FILE]`: the year in figures and charts.

One read of every tab it needs, the figures counted with pandas, the Program Report tab
written in one write, and the charts drawn into one self-contained HTML file
(sync/charts.py). A tab that is not there yet leaves its charts as a sentence that says
so. `run` refreshes the tab alone (no file) when the report's time in [schedule] is due.
pandas loads here, and matplotlib in sync/charts.py, only when a report is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobs.program import check_tabs, past_tables, response_tab
from mentoring import program_report as pr
from mentoring.addresses import email_at
from mentoring.answers import read_answers
from mentoring.committee import (
    APPROVED,
    HOLD,
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    OVERRIDE,
    REJECTED,
    REJECTED_STATUS,
    SCORE,
    STATUS,
    SUGGESTED,
    rejected_mentors,
    row_mentor,
    row_status,
)
from mentoring.digest import told_flag
from mentoring.errors import ConfigError, MentorSyncError
from mentoring.health import ACTIVE as HEALTH_ACTIVE
from mentoring.health import ENDED, FLAG, STATE, YEAR_OVER, flag_kinds, pair_rows
from mentoring.intake import places_offered, question_columns
from mentoring.ledger import SENT, Ledger, LogEntry
from mentoring.outgoing import addressee, pair_label
from mentoring.past_pairs import PAST_COHORT, PAST_MENTEE, PAST_MENTOR, past_pairs
from mentoring.report_charts import sections
from mentoring.settings import Form, Settings
from mentoring.sheet import Table, cell, cell_text
from mentoring.summary import count
from mentoring.timestamps import guess_date_order, parse_timestamp
from mentoring.years import CLOSED_ON
from sync.files import unwritable_folder
from sync.spreadsheet import Spreadsheet

if TYPE_CHECKING:
    import pandas as pd

NO_ANSWER = "(no answer)"
_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_REJECTED = REJECTED_STATUS.casefold()


def report_tabs(settings: Settings) -> list[str]:
    """Every tab a report reads, in its one read."""
    tabs = settings.tabs
    wanted = [tabs.mentees, tabs.mentors, tabs.committee, tabs.email_log, tabs.checkins]
    wanted += [tabs.pair_health, tabs.program_report]
    return wanted + ([settings.matching.past_pairs_tab] if settings.matching.past_pairs_tab else [])


@dataclass(frozen=True)
class ReportMade:
    """What a report did: the cohort, the tab's figures and cells changed, the file."""

    cohort: str
    figures: int
    cells: int
    path: Path | None
    charts: int
    notes: tuple[str, ...]

    def summary(self) -> str:
        changed = f"{count(self.cells, 'cell')} changed" if self.cells else "no changes"
        tab = f"the Program Report tab ({count(self.figures, 'figure')}, {changed})"
        if self.path is None:
            return f"report {self.cohort}: {tab}"
        return f"report {self.cohort}: {self.path} ({count(self.charts, 'chart')}) and {tab}"

    def details(self) -> list[str]:
        return [f"  {note}" for note in self.notes]


def report_file(folder: Path, cohort: str) -> Path:
    """Where a report goes without --out: report-COHORT.html in `folder` (the settings')."""
    return folder / f"report-{_FILE_NAME.sub('-', cohort).strip('-') or 'cohort'}.html"


def run_report(
    sheet: Spreadsheet,
    settings: Settings,
    now: datetime,
    cohort: str | None = None,
    out: Path | None = None,
    folder: Path | None = None,
) -> ReportMade:
    """Count the year of `cohort` (None: the current one), write the Program Report tab and
    then the HTML file (`out`, or report-COHORT.html in `folder`; neither: no file).

    Raises ConfigError for a tab or column the tool needs and cannot find, or a file the
    report must not replace or cannot be written (then nothing is written at all), and
    MentorSyncError when the file fails to save after the tab was written."""
    tab = settings.tabs.program_report
    found = sheet.read(report_tabs(settings))
    # A tab the tool writes and the committee renamed is refused, as match refuses it, not
    # reported as "not made yet".
    check_tabs(sheet, found, settings, [tab, settings.tabs.committee, settings.tabs.pair_health])
    year = count_year(sheet, found, settings, cohort, now.date())
    edits = pr.report_tab(found.get(tab), tab, year.cohort, year.figures)
    path = out or (report_file(folder, year.cohort) if folder is not None else None)
    page = None
    if path is not None:
        check_out(path, program_files(settings))
        from sync.charts import report_page  # matplotlib loads for a report only

        page = report_page(settings.program.name, year, now)
    sheet.write([edits])
    if path is not None and page is not None:
        _save(path, page.html)
    notes = tuple(dict.fromkeys(c.note for part in sections(year) for c in part.charts if c.note))
    charts = page.charts if page is not None else 0
    return ReportMade(year.cohort, len(year.figures), len(edits.cells), path, charts, notes)


def program_files(settings: Settings) -> dict[Path, str]:
    """The program's own files, which a report never replaces: what each is, by path."""
    ops = settings.operations
    workbook = settings.spreadsheet.path if settings.spreadsheet.backend == "workbook" else ""
    files = {
        workbook: "the workbook",
        ops.journal_file: "the send journal",
        ops.state_file: "the state file",
        ops.log_file: "the log file",
        ops.lock_file: "the lock file",
        settings.matching.past_pairs_file: "the Past Pairs file",
    }
    return {Path(path): what for path, what in files.items() if path}


def check_out(path: Path, own: Mapping[Path, str]) -> None:
    """Refuse a file for the report that is a folder, one of the program's own files (`own`:
    what each is, by path), an existing file that is not an earlier report (an .html page),
    or in no folder that can be written. Raises ConfigError, before anything is written."""
    try:
        if path.is_dir():
            raise ConfigError(
                f"{path} is a folder; name a file with --out, such as {path / 'report.html'}"
            )
        refuse_own(path, own)
        if path.exists() and not _is_page(path):
            raise ConfigError(
                f"{path} is a file but not an earlier report (an .html page), and the report"
                " would replace it; name a new file with --out, or move that one away."
                " Nothing was written"
            )
        _check_folder(path.parent)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the report to {path} ({exc.strerror or exc}); name a file in a"
            " folder you can write with --out. Nothing was written"
        ) from exc


def refuse_own(path: Path, own: Mapping[Path, str]) -> None:
    """Refuse (ConfigError) a file for the report that is one of `own` (what each is, by
    path), named or linked to. Raises OSError when a file cannot be looked at."""
    for mine, what in own.items():
        if _same_file(path, mine):
            raise ConfigError(
                f"{path} is {what}, which the report would replace; name another file"
                " with --out, such as report.html. Nothing was written"
            )


def _same_file(path: Path, other: Path) -> bool:
    if path.resolve() == other.resolve():
        return True
    return path.exists() and other.exists() and path.samefile(other)


def _is_page(path: Path) -> bool:
    """Whether `path` looks like a page a report wrote: .html or .htm, and an HTML doctype."""
    if path.suffix.casefold() not in (".html", ".htm"):
        return False
    with path.open("rb") as file:
        start = file.read(64)
    return start.removeprefix(b"\xef\xbb\xbf").lstrip().lower().startswith(b"<!doctype html")


def _check_folder(folder: Path) -> None:
    """Refuse (ConfigError) a folder for the report that cannot be made or written in."""
    if why := unwritable_folder(folder):
        raise ConfigError(
            f"cannot write the report in {folder}: {why}; name a file in a folder you can"
            " write with --out. Nothing was written"
        )


def _save(path: Path, page: str) -> None:
    """Save the page once the tab is written; raises MentorSyncError when it cannot be."""
    from sync.charts import save_page

    try:
        save_page(path, page)
    except OSError as exc:
        raise MentorSyncError(
            f"the Program Report tab is written, but the report cannot be saved to {path}"
            f" ({exc.strerror or exc}); run report again, with --out naming a file in a"
            " folder you can write"
        ) from exc


def count_year(
    sheet: Spreadsheet,
    found: Mapping[str, Table],
    settings: Settings,
    cohort: str | None,
    today: date,
) -> pr.Year:
    """The year's figures, counted from the tabs as read (pandas does the counting)."""
    tabs = settings.tabs
    mentees = _answers(
        response_tab(sheet, dict(found), tabs.mentees, "mentee responses", "tabs.mentees"),
        settings.mentee_form,
        settings,
        "mentee",
    )
    mentors = _answers(
        response_tab(sheet, dict(found), tabs.mentors, "mentor responses", "tabs.mentors"),
        settings.mentor_form,
        settings,
        "mentor",
    )
    history = past_tables(settings, dict(found))
    closed = _closed(history)
    if cohort is None:
        cohort = pr.default_cohort(mentees["submitted"].dropna(), closed, today)
    past = {f"{mentee} | {mentor}" for mentee, mentor in past_pairs(history)}
    groups = tuple(g for g in settings.report_groups if g in settings.mentee_form.questions)
    notes: dict[str, str] = {}
    latest = _latest(mentees)
    table = found.get(tabs.email_log)
    log = Ledger(table, tabs.email_log).entries() if table is not None else []
    read = _Read(found, log, settings, past, notes)
    figures = [
        *_applications(mentees, mentors),
        *_who_applied(latest, groups),
        *_slate(found.get(tabs.committee), latest, mentors, groups, settings, notes),
        *_checkins(read),
        *_pairs(read),
        *_past_years(history),
    ]
    earlier = pr.earlier_reports(found.get(tabs.program_report), cohort)
    rounds = tuple(c.name for c in settings.checkins)
    return pr.Year(cohort, tuple(figures), notes, earlier, groups, rounds)


@dataclass(frozen=True)
class _Read:
    """What the pairs' figures are counted from: the tabs as read, the Email Log's entries,
    the settings, the pairs of closed years (by label), and the sentences for the charts
    with nothing to draw (added to as the figures are counted)."""

    found: Mapping[str, Table]
    log: Sequence[LogEntry]
    settings: Settings
    past: set[str]
    notes: dict[str, str]


# Reading the tabs into frames.


def _frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame.from_records(list(records), columns=list(columns))


def _answers(table: Table, form: Form, settings: Settings, role: str) -> pd.DataFrame:
    """A form's responses: row, submitted, email and each question's answer as text.
    Raises ConfigError, as intake does, naming every question whose column the tab lacks."""
    at = question_columns(table, form, f"{role}_form", settings)
    answers = {field: index for field, index in at.items() if field not in ("timestamp", "email")}
    stamps = [cell(row, at.get("timestamp")) for row in table.rows]
    date_order = settings.intake.date_order
    order = guess_date_order(stamps) if date_order == "auto" else date_order
    records = [
        {
            "row": row.number,
            "submitted": parse_timestamp(stamp, order),
            "email": email_at(row, at.get("email")),
            **{field: cell_text(row, index) for field, index in answers.items()},
        }
        for row, stamp in zip(table.rows, stamps, strict=True)
    ]
    frame = _frame(records, ["row", "submitted", "email", *answers])
    import pandas as pd

    frame["submitted"] = pd.to_datetime(frame["submitted"])
    return frame


def _latest(responses: pd.DataFrame) -> pd.DataFrame:
    """Each applicant (an address) once, with the answers of their latest response."""
    people = responses[responses["email"] != ""]
    ordered = people.sort_values(["submitted", "row"], na_position="first", kind="stable")
    return ordered.drop_duplicates("email", keep="last").set_index("email")


def _closed(history: Sequence[Table]) -> dict[str, date | None]:
    """Each cohort of Past Pairs, with the last day one of its pairs was closed."""
    closed: dict[str, date | None] = {}
    for table in history:
        at, on = table.column(PAST_COHORT), table.column(CLOSED_ON)
        for row in table.rows:
            name = cell_text(row, at)
            if not name:
                continue
            moment = parse_timestamp(cell(row, on), "month-first")
            days = [d for d in (closed.get(name), moment.date() if moment else None) if d]
            closed[name] = max(days, default=None)
    return closed


# The figures, section by section.


def _applications(mentees: pd.DataFrame, mentors: pd.DataFrame) -> list[pr.Figure]:
    figures = []
    forms = (
        (mentees, pr.MENTEE_APPLICATIONS, pr.MENTEE_APPLICANTS, pr.MENTEE_WEEKS),
        (mentors, pr.MENTOR_APPLICATIONS, pr.MENTOR_APPLICANTS, pr.MENTOR_WEEKS),
    )
    for frame, applications, applicants, weeks in forms:
        import pandas as pd

        sent = frame["submitted"].dropna()
        figures.append(pr.Figure(pr.APPLICATIONS, applications, "", len(sent)))
        people = frame.loc[frame["email"] != "", "email"].nunique()
        figures.append(pr.Figure(pr.APPLICATIONS, applicants, "", int(people)))
        monday = sent.dt.normalize() - pd.to_timedelta(sent.dt.day_of_week, unit="D")
        by_week = monday.dt.strftime("%Y-%m-%d").value_counts().sort_index()
        figures += [pr.Figure(pr.APPLICATIONS, weeks, w, int(n)) for w, n in by_week.items()]
    return figures


def _who_applied(latest: pd.DataFrame, groups: Sequence[str]) -> list[pr.Figure]:
    figures = []
    for group in groups:
        answers = latest[group].replace("", NO_ANSWER).value_counts().sort_index()
        name = f"by {pr.group_label(group)}"
        figures += [pr.Figure(pr.APPLIED, name, str(a), int(n)) for a, n in answers.items()]
    return figures


def _slate(
    table: Table | None,
    latest: pd.DataFrame,
    mentors: pd.DataFrame,
    groups: Sequence[str],
    settings: Settings,
    notes: dict[str, str],
) -> list[pr.Figure]:
    """The committee tab: matched and not, scores, scores and the unmatched by group (the
    fairness figures), mentor load against capacity, and the committee's decisions."""
    if table is None or not any(table.header):
        said = f"no '{settings.tabs.committee}' tab yet (the match job makes it)"
        keys = ["slate", "scores", "load", "decisions", *(f"fairness:{g}" for g in groups)]
        notes.update(dict.fromkeys(keys, said))
        return []
    rows = _committee(table)
    matched = rows[rows["matched"]]
    scores = matched["score"].dropna()
    figures = [
        pr.Figure(pr.SLATE, pr.IN_SLATE, "", len(rows)),
        pr.Figure(pr.SLATE, pr.MATCHED, "", len(matched)),
        pr.Figure(pr.SLATE, pr.UNMATCHED, "", len(rows) - len(matched)),
        pr.Figure(pr.SLATE, pr.SHARE_MATCHED, "", pr.share(len(matched), len(rows))),
        pr.Figure(pr.SLATE, pr.MEAN_SCORE, "", _round(scores.mean())),
        pr.Figure(pr.SLATE, pr.MEDIAN_SCORE, "", _round(scores.median())),
    ]
    bins = scores.map(pr.score_bin).value_counts()
    figures += [pr.Figure(pr.SLATE, pr.SCORES, b, int(bins.get(b, 0))) for b in pr.SCORE_BINS]
    figures += _fairness(rows, latest, groups)
    figures += _load(rows, mentors, settings)
    figures += _decisions(rows)
    return figures


def _committee(table: Table) -> pd.DataFrame:
    """One row per mentee of the committee tab: their mentor, score, status and whether
    they are matched (a mentor, and not Rejected), with the mentors rejected for them."""
    import pandas as pd

    fix = "Rename the column back; the match job made it."
    at = {
        name: table.require(name, what="a column of the committee's matches", fix=fix)
        for name in (MENTEE_EMAIL, MENTOR_EMAIL, OVERRIDE, SCORE, STATUS, REJECTED)
    }
    records = []
    for row in table.rows:
        status = row_status(row, at).casefold()
        suggested = email_at(row, at[MENTOR_EMAIL])
        rejected = set(rejected_mentors(row, at))
        if status == _REJECTED and suggested:
            rejected.add(suggested)
        records.append(
            {
                "email": email_at(row, at[MENTEE_EMAIL]),
                "mentor": row_mentor(row, at),
                "override": bool(email_at(row, at[OVERRIDE])),
                "status": status,
                "score": cell(row, at[SCORE]),
                "rejected": len(rejected),
            }
        )
    columns = ["email", "mentor", "override", "status", "score", "rejected"]
    rows = _frame(records, columns)
    rows = rows[rows["email"] != ""].drop_duplicates("email")
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce")
    rows["matched"] = (rows["mentor"] != "") & (rows["status"] != _REJECTED)
    return rows


def _fairness(rows: pd.DataFrame, latest: pd.DataFrame, groups: Sequence[str]) -> list[pr.Figure]:
    """By each answer of each group question: mentees matched and unmatched, and the mean
    score of the matched."""
    figures = []
    for group in groups:
        label = pr.group_label(group)
        answer = rows["email"].map(latest[group]).fillna("").replace("", NO_ANSWER)
        applied = latest[group].replace("", NO_ANSWER)
        every = sorted({*applied, *answer})
        by = rows.assign(answer=answer).groupby("answer")
        matched = by["matched"].sum()
        unmatched = by["matched"].count() - matched
        means = rows[rows["matched"]].assign(answer=answer).groupby("answer")["score"].mean()
        for name, values in (("matched", matched), ("unmatched", unmatched)):
            figures += [
                pr.Figure(pr.FAIRNESS, f"{name} by {label}", a, int(values.get(a, 0)))
                for a in every
            ]
        figures += [
            pr.Figure(pr.FAIRNESS, f"mean score by {label}", a, _round(means.get(a))) for a in every
        ]
    return figures


def _load(rows: pd.DataFrame, mentors: pd.DataFrame, settings: Settings) -> list[pr.Figure]:
    """Each mentor of the form (latest response): mentees on matched rows against the
    places they offered (the capacity answer; intake.default_capacity when blank or not
    a number up to intake.max_capacity)."""
    people = _latest(mentors)
    intake = settings.intake

    def places(answer: str) -> int:
        number = places_offered(answer, intake)
        return intake.default_capacity if number is None else number

    capacity = people["capacity"].map(places) if "capacity" in people else intake.default_capacity
    load = rows[rows["matched"]]["mentor"].value_counts().reindex(people.index, fill_value=0)
    mentors_of = people.assign(load=load, capacity=capacity)
    most = int(max(mentors_of["load"].max(), mentors_of["capacity"].max(), 0)) if len(people) else 0
    having = mentors_of["load"].value_counts()
    offering = mentors_of["capacity"].value_counts()
    figures = [
        pr.Figure(pr.LOAD, pr.MENTORS, "", len(people)),
        pr.Figure(pr.LOAD, pr.PLACES, "", int(mentors_of["capacity"].sum())),
        pr.Figure(pr.LOAD, pr.FILLED, "", int(mentors_of[["load", "capacity"]].min(axis=1).sum())),
        pr.Figure(pr.LOAD, pr.OVER, "", int((mentors_of["load"] > mentors_of["capacity"]).sum())),
    ]
    for name, counts in ((pr.WITH_MENTEES, having), (pr.OFFERING, offering)):
        figures += [
            pr.Figure(pr.LOAD, name, str(n), int(counts.get(n, 0))) for n in range(most + 1)
        ]
    return figures


def _decisions(rows: pd.DataFrame) -> list[pr.Figure]:
    waiting = ["", SUGGESTED.casefold()]
    undecided = rows["status"].isin(waiting) & (rows["mentor"] != "") & ~rows["override"]
    counts = {
        pr.APPROVED: int((rows["status"] == APPROVED.casefold()).sum()),
        pr.HELD: int((rows["status"] == HOLD.casefold()).sum()),
        pr.REJECTED: int(rows["rejected"].sum()),
        pr.OVERRIDDEN: int(rows["override"].sum()),
        pr.WAITING: int(undecided.sum()),
    }
    return [pr.Figure(pr.DECISIONS, pr.DECIDED, kind, n) for kind, n in counts.items()]


def _round(value: Any) -> float | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else round(float(value), 1)


def _checkins(read: _Read) -> list[pr.Figure]:
    """Per check-in of the calendar: emails sent (the Email Log), answered (an answer on the
    check-in form counts for the latest check-in sent to that person of that pair at or
    before it), and the ratings and "have you met" of those answers."""
    import pandas as pd

    settings = read.settings
    rounds = [c.name for c in settings.checkins]
    sends = _sends(read.log, settings, read.past)
    table = read.found.get(settings.tabs.checkins)
    answers = _checkin_answers(table, settings, set(sends["label"]), read.notes)
    if sends.empty:
        return []
    sent = sends["round"].value_counts()
    figures = [pr.Figure(pr.CHECKINS, pr.SENT, r, int(sent.get(r, 0))) for r in rounds]
    if answers is None:
        return figures
    counted = pd.merge_asof(
        answers.sort_values("submitted"),
        sends.sort_values("sent_at"),
        left_on="submitted",
        right_on="sent_at",
        by=["label", "person"],
        direction="backward",
    ).dropna(subset=["round"])
    answered = counted.drop_duplicates(["label", "person", "round"])["round"].value_counts()
    figures += [pr.Figure(pr.CHECKINS, pr.ANSWERED, r, int(answered.get(r, 0))) for r in rounds]
    total = pr.share(int(answered.sum()), len(sends))
    figures.append(pr.Figure(pr.CHECKINS, pr.ANSWERED_SHARE, "", total))
    return figures + _said(counted, rounds)


def _sends(log: Sequence[LogEntry], settings: Settings, past: set[str]) -> pd.DataFrame:
    """Each check-in the Email Log has as sent to a person of a pair of this year."""
    import pandas as pd

    rounds = {c.name for c in settings.checkins}
    records = [
        {
            "label": label,
            "person": addressee(entry.key),
            "round": entry.kind,
            "sent_at": entry.sent_at,
        }
        for entry in log
        if entry.kind in rounds
        and entry.state == SENT
        and entry.sent_at is not None
        and (label := pair_label(entry.key))
        and label not in past
    ]
    sends = _frame(records, ["label", "person", "round", "sent_at"])
    sends["sent_at"] = pd.to_datetime(sends["sent_at"])
    return sends


def _said(counted: pd.DataFrame, rounds: Sequence[str]) -> list[pr.Figure]:
    """The ratings (each round's mean, how many of each, the year's mean) and the answers
    to "have you met" of the answers counted for each round."""
    import pandas as pd

    ratings = counted.dropna(subset=["rating"])
    mean = ratings.groupby("round")["rating"].mean()
    figures = [pr.Figure(pr.CHECKINS, pr.MEAN_RATING, r, _round(mean.get(r))) for r in rounds]
    everyone = _round(ratings["rating"].mean())
    figures.append(pr.Figure(pr.CHECKINS, pr.MEAN_RATING_ALL, "", everyone))
    rated = pd.crosstab(ratings["round"], ratings["rating"].astype(int))
    for n, name in enumerate(pr.RATINGS, start=1):
        column = rated[n] if n in rated else pd.Series(dtype=int)
        figures += [pr.Figure(pr.CHECKINS, name, r, int(column.get(r, 0))) for r in rounds]
    met = counted["met"].str.casefold()
    for said, name in (("yes", pr.MET_YES), ("no", pr.MET_NO)):
        times = counted[met == said]["round"].value_counts()
        figures += [pr.Figure(pr.CHECKINS, name, r, int(times.get(r, 0))) for r in rounds]
    return figures


def _checkin_answers(
    table: Table | None, settings: Settings, labels: set[str], notes: dict[str, str]
) -> pd.DataFrame | None:
    """The check-in form's usable answers about the pairs `labels`, each with its pair and
    its person; None, with a note, when there are none to count."""
    tab = settings.tabs.checkins
    try:
        rows = read_answers(table, settings.checkin_form, settings.intake.date_order)
    except ConfigError as exc:
        notes.update(
            dict.fromkeys(("ratings", "met"), f"the check-in answers cannot be read: {exc}")
        )
        return None
    if not rows.known:
        said = (
            f"no check-in answers yet (no tab '{tab}': link the check-in form to the spreadsheet)"
        )
        notes.update(dict.fromkeys(("ratings", "met"), said))
        return None
    records = []
    for a in rows.answers:
        label = next(
            (p for p in (f"{a.email} | {a.partner}", f"{a.partner} | {a.email}") if p in labels), ""
        )
        if label:
            records.append(
                {
                    "label": label,
                    "person": a.email,
                    "submitted": a.submitted,
                    "rating": a.rating,
                    "met": a.met,
                }
            )
    if not records:
        notes.update(dict.fromkeys(("ratings", "met"), "no check-in answers yet"))
        return None
    import pandas as pd

    answers = _frame(records, ["label", "person", "submitted", "rating", "met"])
    answers["submitted"] = pd.to_datetime(answers["submitted"])
    answers["rating"] = pd.to_numeric(answers["rating"])
    return answers


def _pairs(read: _Read) -> list[pr.Figure]:
    """Pair Health: the pairs by State (ended: ended early), flagged now, and the flags
    raised this year (told in a digest, or shown now) and cleared since."""
    tab = read.settings.tabs.pair_health
    table = read.found.get(tab)
    if table is None or not any(table.header):
        said = f"no '{tab}' tab yet (the checkin job makes it)"
        read.notes.update(dict.fromkeys(("pairs", "flags"), said))
        return []
    records = [
        {
            "label": f"{pair[0]} | {pair[1]}",
            "state": str(values.get(STATE) or "").strip(),
            "flag": values.get(FLAG),
        }
        for _, pair, values in pair_rows(table)
        if pair is not None and f"{pair[0]} | {pair[1]}" not in read.past
    ]
    rows = _frame(records, ["label", "state", "flag"])
    states = rows["state"].str.casefold().value_counts()
    figures = [pr.Figure(pr.PAIRS, pr.INTRODUCED, "", len(rows))]
    named = ((pr.ACTIVE, HEALTH_ACTIVE), (pr.YEAR_OVER, YEAR_OVER), (pr.ENDED_EARLY, ENDED))
    figures += [pr.Figure(pr.PAIRS, pr.BY_STATE, name, int(states.get(s, 0))) for name, s in named]
    now = {(row.label, kind) for row in rows.itertuples() for kind in flag_kinds(row.flag)}
    figures.append(
        pr.Figure(pr.PAIRS, pr.FLAGGED, "", int(rows["flag"].map(flag_kinds).map(bool).sum()))
    )
    told = _flags_told(read.log, read.past)
    for name, flags in ((pr.RAISED, told | now), (pr.CLEARED, told - now)):
        figures += [
            pr.Figure(pr.PAIRS, name, said, sum(1 for _, k in flags if k == kind))
            for kind, said in pr.FLAG_NAMES.items()
        ]
    return figures


def _flags_told(log: Sequence[LogEntry], past: set[str]) -> set[tuple[str, str]]:
    """(pair, kind) of each flag a digest told the committee of (its Email Log rows)."""
    told = set()
    for entry in log:
        flag = told_flag(entry.key)
        if flag is not None and entry.state == SENT and flag[0] not in past:
            told.add(flag)
    return told


def _past_years(history: Sequence[Table]) -> list[pr.Figure]:
    """The pairs of each cohort of Past Pairs."""
    closed: dict[str, int] = {}
    for table in history:
        at, mentee, mentor = (table.column(c) for c in (PAST_COHORT, PAST_MENTEE, PAST_MENTOR))
        for row in table.rows:
            if email_at(row, mentee) and email_at(row, mentor):
                name = cell_text(row, at) or "(no cohort)"
                closed[name] = closed.get(name, 0) + 1
    return [pr.Figure(pr.PAST, pr.CLOSED, name, n) for name, n in closed.items()]
