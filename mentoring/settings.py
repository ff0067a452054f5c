"""The committee's settings as typed values, validated from the parsed TOML.

`parse_settings` takes the dictionary that `tomllib` gives and either returns a
`Settings` or raises a SettingsError that names the key, says what was expected
and, for a misspelt key, suggests the closest one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

from mentoring.errors import SettingsError, did_you_mean
from mentoring.rules import MatchingSettings, parse_matching
from mentoring.timetable import When, parse_when

_T = TypeVar("_T")
BACKENDS = ("workbook", "google")
SENDERS = ("outbox", "smtp", "gmail")
SMTP_SECURITY = ("starttls", "ssl", "none")
DATE_ORDERS = ("auto", "month-first", "day-first")
# Kinds of email the Email Log has besides the check-ins, which no check-in may be named.
RESERVED_KINDS = ("introduction", "reminder", "alert", "digest", "not matched", "mentor pool")

# The questions each form must have, because the jobs cannot work without them: their
# headers cannot be "".
NEEDED_QUESTIONS: Mapping[str, tuple[str, ...]] = {
    "mentee_form": ("timestamp", "email", "name"),
    "mentor_form": ("timestamp", "email", "name", "capacity"),
    "checkin_form": ("timestamp", "email", "partner"),
}


@dataclass(frozen=True)
class Program:
    name: str
    committee_email: str
    time_zone: str  # a tz database name; "" for the machine's own time zone


@dataclass(frozen=True)
class SpreadsheetSettings:
    backend: str
    path: str  # the workbook; jobs resolve it against the settings file's folder
    id: str  # the Google spreadsheet's id (taken from its address if one is given)


@dataclass(frozen=True)
class Google:
    """How to reach Google: credential files, endpoints, and the patience of each call."""

    credentials: str  # a service-account key or an OAuth token, for the spreadsheet
    gmail_token: str  # the OAuth token `mentor-sync auth gmail` writes
    oauth_client: str  # the OAuth client (Desktop app) file from the Cloud console
    gmail_delegated_user: str  # Workspace: send as this user through `credentials`
    gmail_readonly: bool  # also ask for gmail.readonly, to confirm interrupted sends
    timeout: float
    tries: int
    max_backoff: float
    sheets_endpoint: str
    gmail_endpoint: str
    forms_endpoint: str


@dataclass(frozen=True)
class Tabs:
    mentees: str
    mentors: str
    committee: str
    intake_issues: str
    email_log: str
    checkins: str  # the check-in form's responses, read
    pair_health: str  # written
    program_report: str  # written by `mentor-sync report`


@dataclass(frozen=True)
class Form:
    """One form's response tab: the header text of each question the tool reads."""

    tab: str
    questions: Mapping[str, str]
    required: tuple[str, ...]


@dataclass(frozen=True)
class Intake:
    date_order: str
    default_capacity: int
    max_capacity: int


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str
    username_env: str
    password_env: str
    timeout: float


@dataclass(frozen=True)
class EmailSettings:
    sender: str
    from_name: str
    from_address: str
    cc_committee: bool
    daily_cap: int
    outbox: str  # a folder; jobs resolve it against the settings file's folder
    templates: str  # "" for the built-in templates
    shared_interests: tuple[str, ...]  # mentee questions whose shared answers emails name
    smtp: Smtp


@dataclass(frozen=True)
class Links:
    goals_worksheet: str
    first_meeting_worksheet: str
    checkin_form: str


@dataclass(frozen=True)
class Checkin:
    """One email of the year's calendar, sent to each person of a pair `days` after the
    introduction. `name` identifies it in the Email Log."""

    name: str
    days: int
    template: str


NEVER = When("off")


@dataclass(frozen=True)
class Schedule:
    """When `mentor-sync schedule` runs each job (and what `mentor-sync cron` prints)."""

    match: When
    introduce: When
    checkin: When
    report: When = NEVER  # the year's report, off unless the committee asks for it

    def jobs(self) -> dict[str, When]:
        """Each job's times; the report only when it is on (it is not one of the daily jobs,
        and most programs make it by hand)."""
        jobs = {"match": self.match, "introduce": self.introduce, "checkin": self.checkin}
        return jobs | ({} if self.report.off else {"report": self.report})


@dataclass(frozen=True)
class Operations:
    """Where the jobs keep their log, their last runs and their lock."""

    log_file: str  # "" for none; jobs resolve the paths against the settings file's folder
    log_max_kb: int
    log_backups: int
    state_file: str
    journal_file: str  # the send journal (sqlite), beside the state file
    lock_file: str
    lock_wait: float


@dataclass(frozen=True)
class Alerts:
    """When the committee gets an email saying that something needs a person."""

    to: str  # "" for program.committee_email
    failures: int  # a job failing this many runs in a row; 0 for never
    intake_issues: bool
    weak_matches: bool
    contact_requests: bool


@dataclass(frozen=True)
class Health:
    """How the Pair Health tab reads the check-in answers, and what it tells whom."""

    answer_within_days: int  # a check-in unanswered this long counts as unanswered
    reminders: bool  # one reminder then, to the person who has not answered
    quiet_checkins: int  # flag a pair after this many unanswered check-ins in a row
    low_rating: int  # flag a pair rated this or lower (1 to 5)
    digest: str  # "monthly", "weekly" or "off"


DIGESTS = ("monthly", "weekly", "off")


@dataclass(frozen=True)
class Report:
    """What `mentor-sync report` groups the applicants by."""

    # Mentee questions, one answer each; () for matching.summary_group and the questions of
    # the "same" and "distance" rules (report_groups says which).
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Notify:
    """When the scheduled runs tell the people the final slate leaves unmatched."""

    unmatched_on: date | None  # the day the slate is final; None for never


@dataclass(frozen=True)
class Settings:
    program: Program
    spreadsheet: SpreadsheetSettings
    tabs: Tabs
    intake: Intake
    mentee_form: Form
    mentor_form: Form
    checkin_form: Form
    checkboxes: Mapping[str, tuple[str, ...]]
    matching: MatchingSettings
    email: EmailSettings
    links: Links
    checkins: tuple[Checkin, ...]
    google: Google
    schedule: Schedule
    operations: Operations
    alerts: Alerts
    health: Health
    report: Report
    notify: Notify

    @property
    def alert_to(self) -> str:
        return self.alerts.to or self.program.committee_email

    @property
    def report_groups(self) -> tuple[str, ...]:
        """The mentee questions the report groups people by: report.groups, or by default
        matching.summary_group and the mentee questions of the rules that compare one
        answer ("same" and "distance")."""
        if self.report.groups:
            return self.report.groups
        single = [r.mentee for r in self.matching.rules if r.kind in ("same", "distance")]
        summary = [self.matching.summary_group] if self.matching.summary_group else []
        return tuple(dict.fromkeys([*summary, *single]))


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    list: "a list",
    bool: "true or false",
    dict: "a table",
}


# Settings whose value may be a secret typed into the wrong place (a password where the
# name of its environment variable belongs): an error never repeats their value.
_SECRET_NAME = re.compile(r"password|secret|token|key|_env$", re.IGNORECASE)


def _not_value(where: str, value: Any) -> str:
    """How an error about a setting ends: ", not <value>", unless the value may be a secret."""
    if _SECRET_NAME.search(where):
        return " (the value is not repeated here, in case it is a secret)"
    return f", not {value!r}"


class _Section:
    """Reads one TOML table, checking every key's type and rejecting unknown keys."""

    def __init__(self, data: Any, path: str, known: tuple[str, ...]):
        if not isinstance(data, Mapping):
            raise SettingsError(f"[{path}] must be a table of settings{_not_value(path, data)}")
        for key in data:
            if key not in known:
                raise SettingsError(
                    f"unknown setting '{path}.{key}'{did_you_mean(key, known)}"
                    f" (known: {', '.join(known)})"
                )
        self.data, self.path = data, path

    def get(self, key: str, kind: type[_T]) -> _T:
        if key not in self.data:
            raise SettingsError(f"missing setting '{self.path}.{key}' ({_TYPE_NAMES[kind]})")
        value = self.data[key]
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            where = f"{self.path}.{key}"
            raise SettingsError(
                f"setting '{where}' must be {_TYPE_NAMES[kind]}{_not_value(where, value)}"
            )
        return cast(_T, value)  # an instance of `kind`, checked above

    def text_list(self, key: str) -> tuple[str, ...]:
        items = self.get(key, list)
        if not all(isinstance(item, str) for item in items):
            raise SettingsError(f"setting '{self.path}.{key}' must be a list of texts")
        return tuple(items)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in allowed:
            raise SettingsError(
                f"setting '{self.path}.{key}' is '{value}'; use one of: {', '.join(allowed)}"
            )
        return value


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Validate the merged settings dictionary; raises SettingsError naming the bad key."""
    _Section(
        data,
        "settings",
        (
            "program",
            "spreadsheet",
            "tabs",
            "intake",
            "mentee_form",
            "mentor_form",
            "checkin_form",
            "checkboxes",
            "matching",
            "email",
            "links",
            "checkins",
            "google",
            "schedule",
            "operations",
            "alerts",
            "health",
            "report",
            "notify",
        ),
    )
    program = _Section(data.get("program", {}), "program", ("name", "committee_email", "time_zone"))
    sheet = _Section(data.get("spreadsheet", {}), "spreadsheet", ("backend", "path", "id"))
    tab_keys = (
        "mentees",
        "mentors",
        "committee",
        "intake_issues",
        "email_log",
        "checkins",
        "pair_health",
        "program_report",
    )
    tabs_section = _Section(data.get("tabs", {}), "tabs", tab_keys)
    tabs = Tabs(*(tabs_section.get(key, str) for key in tab_keys))
    mentee_form = _form(data.get("mentee_form", {}), "mentee_form", tabs.mentees)
    mentor_form = _form(data.get("mentor_form", {}), "mentor_form", tabs.mentors)
    checkin_form = _form(data.get("checkin_form", {}), "checkin_form", tabs.checkins)
    checkboxes = _checkboxes(
        data.get("checkboxes", {}), {*mentee_form.questions, *mentor_form.questions}
    )
    matching = parse_matching(
        data.get("matching", {}), list(mentee_form.questions), list(mentor_form.questions)
    )
    named = {f"tabs.{key}": getattr(tabs, key) for key in tab_keys}
    if matching.past_pairs_tab:  # "" for none
        named["matching.past_pairs_tab"] = matching.past_pairs_tab
    _one_tab_each(named)
    return Settings(
        program=Program(
            program.get("name", str),
            program.get("committee_email", str).strip(),
            program.get("time_zone", str).strip(),
        ),
        spreadsheet=_spreadsheet(sheet),
        tabs=tabs,
        intake=_intake(data.get("intake", {})),
        mentee_form=mentee_form,
        mentor_form=mentor_form,
        checkin_form=checkin_form,
        checkboxes=checkboxes,
        matching=matching,
        email=_email(data.get("email", {}), mentee_form),
        links=_links(data.get("links", {})),
        checkins=_checkins(data.get("checkins", [])),
        google=_google(data.get("google", {})),
        schedule=_schedule(data.get("schedule", {})),
        operations=_operations(data.get("operations", {})),
        alerts=_alerts(data.get("alerts", {})),
        health=_health(data.get("health", {})),
        report=_report(data.get("report", {}), mentee_form, checkboxes),
        notify=_notify(data.get("notify", {})),
    )


def _one_tab_each(named: Mapping[str, str]) -> None:
    """Refuse two settings (tab names by setting) that name the same tab."""
    seen: dict[str, str] = {}
    for key, tab in named.items():
        name = tab.strip().casefold()
        if name in seen:
            raise SettingsError(
                f"settings {seen[name]} and {key} both name the tab '{tab}'; each needs a tab"
                " of its own"
            )
        seen[name] = key


def _report(data: Any, mentee_form: Form, checkboxes: Mapping[str, tuple[str, ...]]) -> Report:
    section = _Section(data, "report", ("groups",))
    groups = tuple(dict.fromkeys(section.text_list("groups")))
    for key in groups:
        if key not in mentee_form.questions:
            raise SettingsError(
                f"'report.groups' names '{key}', which is not a question of the mentee form"
                f"{did_you_mean(key, mentee_form.questions)}"
            )
        if key in checkboxes:
            raise SettingsError(
                f"'report.groups' names '{key}', a checkbox question (one person, several"
                " answers); name questions with one answer each, such as career_stage"
            )
    return Report(groups)


def _notify(data: Any) -> Notify:
    section = _Section(data, "notify", ("unmatched_on",))
    if "unmatched_on" not in section.data:
        raise SettingsError("missing setting 'notify.unmatched_on' (a day as YYYY-MM-DD, or \"\")")
    value = section.data["unmatched_on"]
    if isinstance(value, date) and not isinstance(value, datetime):  # a TOML date, unquoted
        return Notify(value)
    text = value.strip() if isinstance(value, str) else None
    if text == "":
        return Notify(None)
    try:
        return Notify(date.fromisoformat(text or ""))
    except ValueError:
        raise SettingsError(
            "setting 'notify.unmatched_on' must be the day the slate is final as YYYY-MM-DD"
            f' (such as "2027-02-01"), or "" for never, not {value!r}'
        ) from None


def _health(data: Any) -> Health:
    keys = ("answer_within_days", "reminders", "quiet_checkins", "low_rating", "digest")
    section = _Section(data, "health", keys)
    health = Health(
        answer_within_days=section.get("answer_within_days", int),
        reminders=section.get("reminders", bool),
        quiet_checkins=section.get("quiet_checkins", int),
        low_rating=section.get("low_rating", int),
        digest=section.choice("digest", DIGESTS),
    )
    if not 1 <= health.answer_within_days <= 365:
        raise SettingsError("setting 'health.answer_within_days' must be between 1 and 365 (days)")
    if not 1 <= health.quiet_checkins <= 20:
        raise SettingsError("setting 'health.quiet_checkins' must be between 1 and 20 (check-ins)")
    if not 0 <= health.low_rating <= 5:
        raise SettingsError(
            "setting 'health.low_rating' must be between 0 (never flag) and 5 (the scale is 1 to 5)"
        )
    return health


def _schedule(data: Any) -> Schedule:
    keys = ("match", "introduce", "checkin", "report")
    section = _Section(data, "schedule", keys)
    return Schedule(*(parse_when(section.get(key, str), f"schedule.{key}") for key in keys))


def _operations(data: Any) -> Operations:
    files = ("log_file", "state_file", "journal_file", "lock_file")
    section = _Section(data, "operations", (*files, "log_max_kb", "log_backups", "lock_wait"))
    operations = Operations(
        log_file=section.get("log_file", str).strip(),
        log_max_kb=section.get("log_max_kb", int),
        log_backups=section.get("log_backups", int),
        state_file=section.get("state_file", str).strip(),
        journal_file=section.get("journal_file", str).strip(),
        lock_file=section.get("lock_file", str).strip(),
        lock_wait=section.get("lock_wait", float),
    )
    for key in ("state_file", "journal_file", "lock_file"):
        if not getattr(operations, key):
            raise SettingsError(f"setting 'operations.{key}' cannot be empty; name a file")
    if not 1 <= operations.log_max_kb <= 1_000_000:
        raise SettingsError("setting 'operations.log_max_kb' must be between 1 and 1000000 (KB)")
    if not 0 <= operations.log_backups <= 100:
        raise SettingsError("setting 'operations.log_backups' must be between 0 and 100 (files)")
    if not 0 <= operations.lock_wait <= 3600:
        raise SettingsError("setting 'operations.lock_wait' must be between 0 and 3600 seconds")
    return operations


def _alerts(data: Any) -> Alerts:
    section = _Section(
        data, "alerts", ("to", "failures", "intake_issues", "weak_matches", "contact_requests")
    )
    alerts = Alerts(
        to=section.get("to", str).strip(),
        failures=section.get("failures", int),
        intake_issues=section.get("intake_issues", bool),
        weak_matches=section.get("weak_matches", bool),
        contact_requests=section.get("contact_requests", bool),
    )
    if not 0 <= alerts.failures <= 100:
        raise SettingsError("setting 'alerts.failures' must be between 0 (never) and 100 (runs)")
    return alerts


# A spreadsheet's address: https://docs.google.com/spreadsheets/d/<id>/edit#gid=0
_SPREADSHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SPREADSHEET_ID = re.compile(r"[A-Za-z0-9_-]{20,}")


def spreadsheet_id(given: str) -> str:
    """The id in a Google spreadsheet's address, or the id given alone; "" for a text that
    is neither."""
    found = _SPREADSHEET_URL.search(given.strip())
    sheet_id = found.group(1) if found else given.strip()
    return sheet_id if _SPREADSHEET_ID.fullmatch(sheet_id) else ""


def _spreadsheet(section: _Section) -> SpreadsheetSettings:
    backend = section.choice("backend", BACKENDS)
    given = section.get("id", str).strip()
    found = _SPREADSHEET_URL.search(given)
    sheet_id = found.group(1) if found else given
    if backend == "google" and not spreadsheet_id(given):
        what = f"'{given}' is not a spreadsheet id or address" if given else "it is empty"
        raise SettingsError(
            f"setting 'spreadsheet.id' must name the Google spreadsheet, and {what}; copy the"
            " spreadsheet's address from the browser (https://docs.google.com/spreadsheets/d/...)"
        )
    return SpreadsheetSettings(backend=backend, path=section.get("path", str), id=sheet_id)


def _google(data: Any) -> Google:
    texts = ("credentials", "gmail_token", "oauth_client", "gmail_delegated_user")
    endpoints = ("sheets_endpoint", "gmail_endpoint", "forms_endpoint")
    section = _Section(
        data, "google", (*texts, "gmail_readonly", "timeout", "tries", "max_backoff", *endpoints)
    )
    google = Google(
        **{key: section.get(key, str).strip() for key in (*texts, *endpoints)},
        gmail_readonly=section.get("gmail_readonly", bool),
        timeout=section.get("timeout", float),
        tries=section.get("tries", int),
        max_backoff=section.get("max_backoff", float),
    )
    if not 0 < google.timeout <= 600:
        raise SettingsError("setting 'google.timeout' must be between 0 and 600 seconds")
    if not 1 <= google.tries <= 20:
        raise SettingsError("setting 'google.tries' must be between 1 and 20")
    if not 0 <= google.max_backoff <= 600:
        raise SettingsError("setting 'google.max_backoff' must be between 0 and 600 seconds")
    for key in endpoints:
        if not re.fullmatch(r"https?://[^/\s]+/?", getattr(google, key)):
            raise SettingsError(
                f"setting 'google.{key}' must be a web address such as https://host,"
                f" not '{getattr(google, key)}'; leave it out to use Google's"
            )
    return google


def _email(data: Any, mentee_form: Form) -> EmailSettings:
    keys = ("sender", "from_name", "from_address", "cc_committee", "daily_cap", "outbox")
    section = _Section(data, "email", (*keys, "templates", "shared_interests", "smtp"))
    smtp_keys = ("host", "port", "security", "username_env", "password_env", "timeout")
    smtp = _Section(section.get("smtp", dict), "email.smtp", smtp_keys)
    settings = EmailSettings(
        sender=section.choice("sender", SENDERS),
        from_name=section.get("from_name", str),
        from_address=section.get("from_address", str).strip(),
        cc_committee=section.get("cc_committee", bool),
        daily_cap=section.get("daily_cap", int),
        outbox=section.get("outbox", str),
        templates=section.get("templates", str),
        shared_interests=section.text_list("shared_interests"),
        smtp=Smtp(
            host=smtp.get("host", str),
            port=smtp.get("port", int),
            security=smtp.choice("security", SMTP_SECURITY),
            username_env=_variable_name(smtp, "username_env", required=False),
            # No password without a user name: username_env = "" turns the login off.
            password_env=_variable_name(
                smtp, "password_env", required=bool(smtp.get("username_env", str).strip())
            ),
            timeout=smtp.get("timeout", float),
        ),
    )
    for key in settings.shared_interests:
        if key not in mentee_form.questions:
            raise SettingsError(
                f"'email.shared_interests' names '{key}', which is not a question of the mentee"
                f" form{did_you_mean(key, mentee_form.questions)}"
            )
    if settings.daily_cap < 1:
        raise SettingsError("setting 'email.daily_cap' must be 1 or more (emails a day)")
    if not 0 < settings.smtp.timeout <= 600:
        raise SettingsError("setting 'email.smtp.timeout' must be between 0 and 600 seconds")
    return settings


# What a shell (and systemd, and cron) accepts as the name of an environment variable.
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The SMTP login's settings: what their variable holds, and the name the defaults give it.
_LOGIN = {
    "username_env": ("user name", "MENTOR_SYNC_SMTP_USERNAME"),
    "password_env": ("password", "MENTOR_SYNC_SMTP_PASSWORD"),
}


def _variable_name(smtp: _Section, key: str, required: bool) -> str:
    """The name of the environment variable that holds part of the SMTP login; "" (no
    login) only when not `required`. The error never repeats the value: a committee that
    wrote the password itself here must not find it in a log."""
    name = smtp.get(key, str).strip()
    if _VARIABLE_NAME.fullmatch(name) or (not name and not required):
        return name
    what, example = _LOGIN[key]
    if name:
        wrong = (
            "is not the name of an environment variable (the value is not repeated here, in"
            f" case it is the {what} itself)"
        )
    else:
        wrong = "is empty, but username_env names a login"
    raise SettingsError(
        f"setting 'email.smtp.{key}' {wrong}; it must be the NAME of the environment variable"
        f" that holds the SMTP {what}: letters, digits and _, such as {example}. Write"
        f' {key} = "{example}" and set {example} where the jobs run (mentor-sync cron shows'
        " how)" + ("" if name else '; or, to send without logging in, set username_env = ""')
    )


def _links(data: Any) -> Links:
    keys = ("goals_worksheet", "first_meeting_worksheet", "checkin_form")
    section = _Section(data, "links", keys)
    return Links(*(section.get(key, str).strip() for key in keys))


def _checkins(data: Any) -> tuple[Checkin, ...]:
    if not isinstance(data, list):
        raise SettingsError("'checkins' must be a list of [[checkins]] tables")
    checkins = []
    for number, item in enumerate(data, start=1):
        section = _Section(item, f"checkins {number}", ("name", "days", "template"))
        checkin = Checkin(
            section.get("name", str).strip(), section.get("days", int), section.get("template", str)
        )
        if not checkin.name:
            raise SettingsError(f"[[checkins]] {number} needs a name (how the Email Log calls it)")
        if checkin.name.casefold() in RESERVED_KINDS:
            raise SettingsError(
                f"[[checkins]] {number} is named '{checkin.name}', which the Email Log uses for"
                " other emails; give it another name"
            )
        if not 1 <= checkin.days <= 3660:
            raise SettingsError(
                f"[[checkins]] {number} ('{checkin.name}'): days must be 1 to 3660"
                " (days after the introduction)"
            )
        checkins.append(checkin)
    names = [c.name.casefold() for c in checkins]
    if len(set(names)) < len(names):
        raise SettingsError("two [[checkins]] have the same name; each needs its own")
    return tuple(sorted(checkins, key=lambda c: c.days))


def _intake(data: Any) -> Intake:
    section = _Section(data, "intake", ("date_order", "default_capacity", "max_capacity"))
    intake = Intake(
        date_order=section.choice("date_order", DATE_ORDERS),
        default_capacity=section.get("default_capacity", int),
        max_capacity=section.get("max_capacity", int),
    )
    if not 0 <= intake.default_capacity <= intake.max_capacity:
        raise SettingsError(
            "setting 'intake.default_capacity' must be between 0 and intake.max_capacity"
        )
    return intake


def _form(data: Any, path: str, tab: str) -> Form:
    section = _Section(data, path, ("questions", "required"))
    questions = section.get("questions", dict)
    for key, header in questions.items():
        if not isinstance(header, str):
            raise SettingsError(
                f"setting '{path}.questions.{key}' must be the question's header text"
            )
    for key in NEEDED_QUESTIONS[path]:
        if key not in questions:
            raise SettingsError(f"missing setting '{path}.questions.{key}' (the question's header)")
    for key in NEEDED_QUESTIONS[path]:
        if not questions[key].strip():
            raise SettingsError(f"setting '{path}.questions.{key}' cannot be empty")
    required = section.text_list("required")
    for key in required:
        if key not in questions:
            raise SettingsError(
                f"'{path}.required' names '{key}', which is not in {path}.questions"
                f"{did_you_mean(key, questions)}"
            )
    active = {key: header for key, header in questions.items() if header.strip()}
    return Form(tab=tab, questions=active, required=required)


def _checkboxes(data: Any, fields: set[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, Mapping):
        raise SettingsError("[checkboxes] must map a question's field name to its list of options")
    # An empty list is how a committee's file switches off the options of a question the
    # defaults list but its forms do not ask: there is nothing to check it against.
    listed = {key: options for key, options in data.items() if key in fields or options != []}
    section = _Section(listed, "checkboxes", tuple(sorted(fields)))
    return {key: section.text_list(key) for key in listed}
