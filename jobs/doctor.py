"""`mentor-sync doctor`: check the settings, the spreadsheet and the sender; say what to fix.

Each check gives one line: `ok:` when it is fine, `fix:` with what to do when it is not,
`note:` for what is fine today but will need a person later. Beyond what is there, it
checks what the jobs would make of it (mentoring/checkup.py): sample or empty names and
addresses, checkbox answers that fit no option, a rule that scores no pair of the
responses, a Committee Mentor Email one typo from a mentor's, an editor's lock on the
workbook. No secret is ever printed: files are named by path, accounts by email, the
SMTP login by the names of its environment variables. Google that cannot be reached at
all is said once: the later checks that need it are left.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from jobs.backends import SIGNED_IN, gmail_credentials, open_journal, open_spreadsheet
from jobs.settings_file import load_settings, sample_settings
from mentoring import checkup
from mentoring.addresses import email_at
from mentoring.checkup import FIX, NOTE, OK, Finding
from mentoring.errors import ConfigError, MentorSyncError, did_you_mean
from mentoring.intake import missing_questions
from mentoring.settings import Form, Settings
from mentoring.sheet import NOTHING_DONE, Table
from mentoring.summary import count
from mentoring.tool_tabs import check_tool_tabs
from sync.state import load_history

if TYPE_CHECKING:
    from sync.gsheets import GoogleSpreadsheet

__all__ = ["FIX", "NOTE", "OK", "Finding", "doctor", "summary"]
# Google stops refreshing the tokens of an OAuth app left in "Testing" 7 days after sign-in.
TESTING_DAYS = 7


def doctor(
    settings_path: Path, now: datetime, environ: Mapping[str, str] | None = None
) -> list[Finding]:
    """Every check, in order; stops early only when the settings cannot be read."""
    try:
        settings = load_settings(settings_path, environ)
    except ConfigError as exc:
        return [Finding(FIX, f"the settings: {exc}")]
    findings = [Finding(OK, f"the settings in {settings_path} are valid")]
    findings += checkup.program_settings(settings, sample_settings())
    findings += checkup.rules_without_options(settings)
    sheet = _Sheet()
    findings += sheet.check(settings)
    environ = os.environ if environ is None else environ
    findings += _sender(settings, now, environ, google=not sheet.unreachable)
    findings += _operations(settings, now)
    return findings


def _operations(settings: Settings, now: datetime) -> Iterator[Finding]:
    """The files the jobs keep (log, last runs, lock) can be written; no job keeps failing."""
    ops = settings.operations
    files = [ops.state_file, ops.journal_file, ops.lock_file]
    files += [ops.log_file] if ops.log_file else []
    for name in files:
        folder = Path(name).parent
        if not os.access(folder if folder.exists() else folder.parent, os.W_OK):
            yield Finding(
                FIX,
                f"the jobs cannot write {name} (the folder is not writable by this user);"
                " make the folder writable, or name another place in [operations]",
            )
            return
    zone = settings.program.time_zone or "this machine's time zone"
    times = ", ".join(f"{job} {when.text}" for job, when in settings.schedule.jobs().items())
    yield Finding(OK, f"the jobs log to {ops.log_file or 'stderr only'}; times ({zone}): {times}")
    yield _journal(settings)
    history = load_history(Path(ops.state_file), now)
    for job, known in sorted(history.failing(1).items()):
        runs = f"{known.failures} runs" if known.failures > 1 else "run"
        yield Finding(NOTE, f"{job} failed its last {runs}: {known.last.line}")


def summary(findings: list[Finding]) -> str:
    fixes = sum(f.level == FIX for f in findings)
    if not fixes:
        return "doctor: nothing to fix"
    return f"doctor: {count(fixes, 'thing')} to fix"


def _journal(settings: Settings) -> Finding:
    """Which records say what was sent: the Email Log always, the send journal when found."""
    path = settings.operations.journal_file
    try:
        journal = open_journal(settings, create=False)
    except MentorSyncError as exc:
        return Finding(FIX, str(exc))
    if journal is None:
        return Finding(
            NOTE,
            f"no send journal at {path} yet (a new machine?): the Email Log alone says what was"
            " sent until the next job makes one; copy the journal along if you move the program",
        )
    with journal:
        emails = count(len(journal.entries()), "email")
    return Finding(OK, f"the send journal {path} knows {emails} of the program")


class _Sheet:
    """The spreadsheet's checks; `unreachable` after them when Google could not be reached."""

    unreachable = False

    def check(self, settings: Settings) -> list[Finding]:
        try:
            sheet = open_spreadsheet(settings)
            tabs = sheet.tab_names()
            forms = [settings.mentee_form, settings.mentor_form, settings.checkin_form]
            found = sheet.read([form.tab for form in forms])
            t = settings.tabs
            own = sheet.read([t.committee, t.intake_issues, t.email_log, t.pair_health])
        except MentorSyncError as exc:
            self.unreachable = settings.spreadsheet.backend == "google" and _unreachable(exc)
            return [Finding(FIX, str(exc))]
        # The google backend's spreadsheet is a GoogleSpreadsheet, which has a title.
        where = (
            f"the Google spreadsheet '{cast('GoogleSpreadsheet', sheet).title}'"
            if settings.spreadsheet.backend == "google"
            else settings.spreadsheet.path
        )
        findings = [Finding(OK, f"opened {where}, which has {len(tabs)} tabs")]
        findings += _locks(settings)
        findings += _forms(settings, found, tabs)
        findings += _own_tabs(settings, own)
        mentors = found.get(settings.mentor_form.tab)
        committee = own.get(t.committee)
        if mentors is not None and committee is not None:
            findings += checkup.near_miss_mentors(committee, _addresses(mentors, settings))
        mentees = found.get(settings.mentee_form.tab)
        if mentees is not None and mentors is not None:
            findings += checkup.rules_that_never_score(settings, mentees, mentors)
        return findings


def _unreachable(exc: MentorSyncError) -> bool:
    from sync.google import unreachable  # loaded already: the spreadsheet is on Google

    return unreachable(exc)


def _locks(settings: Settings) -> list[Finding]:
    """An editor's lock file beside the workbook: it is open in Excel or LibreOffice."""
    if settings.spreadsheet.backend != "workbook":
        return []
    workbook = Path(settings.spreadsheet.path)
    try:
        beside = [entry.name for entry in workbook.parent.iterdir()]
    except OSError:
        return []
    return checkup.editor_locks(workbook.name, beside)


def _forms(settings: Settings, found: Mapping[str, Table], tabs: list[str]) -> Iterator[Finding]:
    """Each form's response tab: there, with every question's column, its checkbox answers
    fitting the options the settings list."""
    forms = [
        (settings.mentee_form, "tabs.mentees", "mentee_form"),
        (settings.mentor_form, "tabs.mentors", "mentor_form"),
    ]
    for form, key, section in forms:
        if form.tab in found:
            yield from _headers(found[form.tab], form, section, settings)
            yield from checkup.checkbox_fit(found[form.tab], form, section, settings)
        else:
            yield Finding(
                FIX,
                f"no tab '{form.tab}' (the {section.split('_')[0]} form's responses) in the"
                f" spreadsheet{did_you_mean(form.tab, tabs)} Set {key} in the settings to"
                " the name of the form's response tab",
            )
    checkin = settings.checkin_form
    if checkin.tab in found:
        yield from _headers(found[checkin.tab], checkin, "checkin_form", settings)
        return
    t = settings.tabs
    ours = {*vars(t).values(), settings.matching.past_pairs_tab}
    near = did_you_mean(checkin.tab, [name for name in tabs if name not in ours])
    what = f"no tab '{checkin.tab}' (the check-in form's responses)"
    if near:
        yield Finding(FIX, f"{what}{near} If so, set tabs.checkins in the settings to its name")
    else:
        yield Finding(
            NOTE,
            f"{what} yet; link the check-in form to the spreadsheet (in the form:"
            " Responses > Link to Sheets), and set tabs.checkins to the tab's name",
        )


def _own_tabs(settings: Settings, own: Mapping[str, Table]) -> Iterator[Finding]:
    """The tabs the tool writes: found, or made by the first run; their markers intact."""
    t = settings.tabs
    for name in (t.committee, t.intake_issues, t.email_log, t.pair_health):
        if name in own:
            yield Finding(OK, f"found the tab '{own[name].name}'")
        else:
            yield Finding(NOTE, f"no tab '{name}' yet; the first run makes it")
    try:
        check_tool_tabs(own, settings)
    except ConfigError as exc:  # said as a job refuses; doctor writes nothing anyway
        yield Finding(FIX, str(exc).removesuffix(f". {NOTHING_DONE}"))


def _headers(table: Table, form: Form, section: str, settings: Settings) -> Iterator[Finding]:
    """Every question of the form whose column the tab lacks, at once, each with its fix."""
    missing = missing_questions(table, form, section, settings)
    for text in missing:
        yield Finding(FIX, text)
    if not missing:
        yield Finding(
            OK,
            f"tab '{table.name}' has every column the settings name ({len(table.rows)} responses)",
        )


def _addresses(mentors: Table, settings: Settings) -> set[str]:
    """The mentors' addresses in their response tab."""
    column = mentors.column(settings.mentor_form.questions["email"])
    return {address for row in mentors.rows if (address := email_at(row, column))}


def _sender(
    settings: Settings, now: datetime, environ: Mapping[str, str], google: bool = True
) -> Iterator[Finding]:
    """The sender works from here; Gmail is signed in to unless `google` is False (Google
    could not be reached for the spreadsheet)."""
    email = settings.email
    if email.sender == "outbox":
        yield Finding(OK, f"emails are written as .eml files into {email.outbox}, not sent")
        return
    if email.sender == "smtp":
        yield _smtp_login(settings, environ)
        return
    yield from _gmail(settings, now, google)


def _gmail(settings: Settings, now: datetime, google: bool) -> Iterator[Finding]:
    """The Gmail token (or the Workspace delegation) can send, and signs in."""
    # Google's clients load only when the program sends with Gmail.
    from sync.google import (
        READING_SCOPES,
        SENDING_SCOPES,
        GoogleError,
        Retry,
        TimedRequest,
        granted_scopes,
        unreachable,
    )

    delegated = bool(settings.google.gmail_delegated_user)
    try:
        creds = gmail_credentials(settings)
    except ConfigError as exc:
        told = delegated or "mentor-sync auth gmail" in str(exc)
        yield Finding(FIX, f"{exc}" if told else f"{exc}; for a token, run mentor-sync auth gmail")
        return
    if not google:
        return
    if not delegated:
        scopes = granted_scopes(creds)
        if scopes and not scopes & SENDING_SCOPES:  # a file without scopes: the sign-in tells
            yield Finding(
                FIX,
                f"the Gmail token {settings.google.gmail_token} does not allow sending mail (it"
                f" has: {', '.join(sorted(scopes)) or 'no scopes'}); run mentor-sync auth"
                " gmail and allow 'Send email on your behalf'",
            )
            return
        if scopes and settings.google.gmail_readonly and not scopes & READING_SCOPES:
            yield Finding(
                FIX,
                "google.gmail_readonly is true but the Gmail token cannot read mail; run"
                " mentor-sync auth gmail again, or set gmail_readonly = false",
            )
    try:
        Retry.from_settings(settings.google).call(
            "signing in to Gmail", lambda: creds.refresh(TimedRequest(settings.google.timeout))
        )
    except GoogleError as exc:
        fix = "run mentor-sync auth gmail"
        if unreachable(exc):
            yield Finding(FIX, str(exc))
            return
        if delegated:
            fix = (
                "check the domain-wide delegation of the service account (its client ID, with"
                " the scope https://www.googleapis.com/auth/gmail.send) in the Admin console"
            )
        yield Finding(FIX, f"{exc}; {fix}")
        return
    who = settings.google.gmail_delegated_user or getattr(creds, "account", "") or ""
    sender = settings.email.from_address or settings.program.committee_email
    signed_in = f"signed in to Gmail as {who}" if who else "signed in to Gmail"
    yield Finding(OK, f"{signed_in}; emails are sent from {sender}")
    if who and who.casefold() != sender.casefold():
        yield Finding(
            NOTE,
            f"Gmail sends as {who}, but the emails say they are from {sender} (email.from_address):"
            f" Gmail replaces it with {who} unless {sender} is one of its addresses"
            " (Gmail settings > Accounts > Send mail as)",
        )
    if not delegated:
        yield from _testing_expiry(Path(settings.google.gmail_token), now)


def _smtp_login(settings: Settings, environ: Mapping[str, str]) -> Finding:
    """Whether this environment has the SMTP login the settings name (the variables are named,
    never their values). A user name's variable that is unset is a fix, not a note: the
    sender would then try the server without logging in, which most servers refuse at the
    first email; a committee whose server needs no login says so with username_env = ""."""
    smtp = settings.email.smtp
    server = f"the SMTP server {smtp.host}:{smtp.port}"
    if not smtp.username_env:
        return Finding(OK, f'emails go through {server} without logging in (username_env = "")')
    user, password = smtp.username_env, smtp.password_env
    if not environ.get(user):
        return Finding(
            FIX,
            f"the environment variable {user} (email.smtp.username_env) is not set, so"
            f" mentor-sync would send through {server} without logging in. Set {user} to the"
            f" SMTP user name and {password} to its password ({_how_to_set(user, password)});"
            ' or, if the server needs no login, set username_env = "" in [email.smtp]',
        )
    if not environ.get(password):
        return Finding(
            FIX,
            f"the environment variable {password} (email.smtp.password_env) is not set,"
            f" though {user} is: the SMTP login needs both. Set it: {_how_to_set(password)}",
        )
    return Finding(
        OK,
        f"emails go through {server}, logging in with {user} and {password} (both set here;"
        " jobs run by cron or systemd need them too: see mentor-sync cron)",
    )


def _how_to_set(*variables: str) -> str:
    exports = " and ".join(f"export {name}=..." for name in variables)
    where = "in the shell that runs the jobs; for cron or systemd, as mentor-sync cron shows"
    return f"{exports} {where}"


def _testing_expiry(path: Path, now: datetime) -> Iterator[Finding]:
    """When the OAuth app is in Testing, Google stops the token 7 days after sign-in."""
    signed_in = _json(path).get(SIGNED_IN)
    if not signed_in:
        return
    try:
        ends = datetime.fromisoformat(signed_in) + timedelta(days=TESTING_DAYS)
    except ValueError:
        return
    now = now.astimezone(ends.tzinfo)
    if ends > now:
        days = max(1, (ends.date() - now.date()).days)
        yield Finding(
            NOTE,
            f"if your OAuth app is in Testing, the Gmail token expires in {count(days, 'day')}"
            f" ({ends:%Y-%m-%d}): publish the app (OAuth consent"
            " screen > Publish app) or re-run mentor-sync auth gmail every week",
        )


def _json(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
