"""`mentor-sync doctor`: check the settings, the spreadsheet and the sender; say what to fix.

Each check gives one line: `ok:` when it is fine, `fix:` with what to do when
it is not, `note:` for what is fine today but will need a person later. No
secret is ever printed: files are named by path, accounts by email, the SMTP
login by the names of its environment variables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from jobs.backends import SIGNED_IN, gmail_credentials, open_journal, open_spreadsheet
from jobs.settings_file import load_settings
from mentoring.errors import ConfigError, MentorSyncError, did_you_mean
from mentoring.settings import Form, Settings
from mentoring.sheet import Table
from mentoring.summary import count
from mentoring.tool_tabs import check_tool_tabs
from sync.state import load_history

if TYPE_CHECKING:
    from sync.gsheets import GoogleSpreadsheet

OK, FIX, NOTE = "ok", "fix", "note"
# Google stops refreshing the tokens of an OAuth app left in "Testing" 7 days after sign-in.
TESTING_DAYS = 7


@dataclass(frozen=True)
class Finding:
    level: str
    text: str

    def __str__(self) -> str:
        return f"{self.level}: {self.text}"


def doctor(
    settings_path: Path, now: datetime, environ: Mapping[str, str] | None = None
) -> list[Finding]:
    """Every check, in order; stops early only when the settings cannot be read."""
    try:
        settings = load_settings(settings_path, environ)
    except ConfigError as exc:
        return [Finding(FIX, f"the settings: {exc}")]
    findings = [Finding(OK, f"the settings in {settings_path} are valid")]
    findings += _spreadsheet(settings)
    findings += _sender(settings, now, os.environ if environ is None else environ)
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


def _spreadsheet(settings: Settings) -> Iterator[Finding]:
    google = settings.spreadsheet.backend == "google"
    try:
        sheet = open_spreadsheet(settings)
        tabs = sheet.tab_names()
        found = sheet.read(
            [settings.mentee_form.tab, settings.mentor_form.tab, settings.checkin_form.tab]
        )
    except MentorSyncError as exc:
        yield Finding(FIX, str(exc))
        return
    # The google backend's spreadsheet is a GoogleSpreadsheet, which has a title.
    where = (
        f"the Google spreadsheet '{cast('GoogleSpreadsheet', sheet).title}'"
        if google
        else settings.spreadsheet.path
    )
    yield Finding(OK, f"opened {where}, which has {len(tabs)} tabs")
    t = settings.tabs
    forms = [
        (settings.mentee_form, "tabs.mentees", "mentee_form"),
        (settings.mentor_form, "tabs.mentors", "mentor_form"),
    ]
    for form, key, section in forms:
        if form.tab in found:
            yield from _headers(found[form.tab], form, section)
        else:
            yield Finding(
                FIX,
                f"no tab '{form.tab}' (the {section.split('_')[0]} form's responses) in the"
                f" spreadsheet{did_you_mean(form.tab, tabs)} Set {key} in the settings to"
                " the name of the form's response tab",
            )
    checkin = settings.checkin_form
    if checkin.tab in found:
        yield from _headers(found[checkin.tab], checkin, "checkin_form")
    else:
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
    own = sheet.read([t.committee, t.intake_issues, t.email_log, t.pair_health])
    for name in (t.committee, t.intake_issues, t.email_log, t.pair_health):
        if name in own:
            yield Finding(OK, f"found the tab '{own[name].name}'")
        else:
            yield Finding(NOTE, f"no tab '{name}' yet; the first run makes it")
    try:
        check_tool_tabs(own, settings)
    except ConfigError as exc:
        yield Finding(FIX, str(exc))


def _headers(table: Table, form: Form, section: str) -> Iterator[Finding]:
    missing = [
        (field, header)
        for field, header in form.questions.items()
        if header and table.column(header) is None
    ]
    for field, header in missing:
        yield Finding(
            FIX,
            f"tab '{table.name}' has no column '{header}' ({section}.questions.{field})"
            f"{did_you_mean(header, table.header) or '.'} If the question was reworded in"
            f" the form, put its new text in the settings: [{section}.questions] {field} = ...",
        )
    if not missing:
        yield Finding(
            OK,
            f"tab '{table.name}' has every column the settings name ({len(table.rows)} responses)",
        )


def _sender(settings: Settings, now: datetime, environ: Mapping[str, str]) -> Iterator[Finding]:
    email = settings.email
    if email.sender == "outbox":
        yield Finding(OK, f"emails are written as .eml files into {email.outbox}, not sent")
        return
    if email.sender == "smtp":
        yield _smtp_login(settings, environ)
        return
    # Google's clients load only when the program sends with Gmail.
    from sync.google import (
        READING_SCOPES,
        SENDING_SCOPES,
        GoogleError,
        Retry,
        TimedRequest,
        granted_scopes,
    )

    try:
        creds = gmail_credentials(settings)
    except ConfigError as exc:
        yield Finding(FIX, f"{exc}; for a token, run mentor-sync auth gmail")
        return
    delegated = bool(settings.google.gmail_delegated_user)
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
