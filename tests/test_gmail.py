"""The Gmail sender through the real googleapiclient, against the loopback fake of Gmail:
each email at most once whatever the network does and whatever Gmail answers (a 5xx may
come after the email went), exactly once when Gmail can be asked, the Workspace service
account, and the sign-in of `mentor-sync auth gmail`."""

from __future__ import annotations

import json
import socket
import stat
import threading
import webbrowser
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlencode, urlparse

import gspread
import pytest
import requests

from jobs.auth import sign_in
from jobs.backends import gmail_credentials, make_sender, open_spreadsheet
from jobs.mail import INTRODUCE, run_mail
from jobs.settings_file import load_settings, load_templates
from mentoring.errors import ConfigError
from sync.gmail import GmailSender
from sync.google import GMAIL_READONLY, GMAIL_SEND, SHEETS_SCOPE, Retry, load_credentials
from sync.sender import SendError
from tests.conftest import as_a_stopped_run_left_it
from tests.fakes.google_fake import FakeGoogle, loopback_session
from tests.fakes.google_program import (
    PROGRAM_GMAIL,
    SHEET_ID,
    cli_run,
    google_settings,
    oauth_client,
    user_token,
)
from tests.fakes.network import hangs_up, silent_port
from tests.test_google_backend import COMMITTEE, approve, committee_edits, new_program

DAY0 = date(2026, 1, 12)
PAIRS = ["ana@m.org", "bo@m.org"]


@pytest.fixture
def fake():
    with FakeGoogle(seed=3) as google:
        yield google


def log_statuses(fake, settings_path) -> list[str]:
    rows = fake.values(SHEET_ID, load_settings(settings_path).tabs.email_log)
    status = rows[0].index("Status")
    return [row[status] for row in rows[1:]]


def email_log(fake, settings_path) -> dict[str, dict[str, str]]:
    """The Email Log by mentee: each row's cells by column name."""
    rows = fake.values(SHEET_ID, load_settings(settings_path).tabs.email_log)
    by_column = [dict(zip(rows[0], row + [""] * len(rows[0]), strict=False)) for row in rows[1:]]
    return {row["Key"].split(" | ")[1]: row for row in by_column}


def sent_to(fake) -> Counter:
    """How many times Gmail sent to each mentee."""
    return Counter(m["To"].addresses[0].addr_spec for m in fake.sent)


def gmail_requests(fake, method: str) -> list:
    return [r for r in fake.requests if r.api == "gmail" and r.method == method]


def matched_and_approved(fake, folder, **options):
    settings_path = new_program(fake, folder, timeout=0.25, **options)
    assert cli_run(settings_path, DAY0, "match").exit_code == 0
    approve(fake, settings_path, PAIRS)
    fake.faults.delay = 0.5
    return settings_path


def test_without_gmail_readonly_an_unanswered_send_is_never_sent_again(fake, tmp_path):
    settings_path = matched_and_approved(fake, tmp_path, readonly=False)
    fake.faults.fail_next(1, "timeout_after", api="gmail")  # Gmail took it, but never said so
    first = cli_run(settings_path, DAY0, "introduce")
    assert first.exit_code == 1
    assert "1 unconfirmed: check them in the Email Log" in first.output
    assert len(fake.sent) == 2
    assert sorted(log_statuses(fake, settings_path)) == ["sent", "unconfirmed"]
    again = cli_run(settings_path, DAY0 + timedelta(1), "introduce")
    assert again.output.splitlines()[-1].startswith("introduce: 0 sent")
    assert len(fake.sent) == 2


# Answers that do not prove Gmail did not send: made, then answered badly (or not at all) ...
SENT_THEN_ERROR = ["500_after", "503_after", "html502_after", "timeout_after"]
# ... and the same answers when Gmail did not send.
NOT_SENT_ERROR = ["500", "503", "html500", "timeout"]


@pytest.mark.parametrize("kind", SENT_THEN_ERROR + NOT_SENT_ERROR)
def test_with_gmail_readonly_a_send_that_may_have_gone_out_is_looked_up_and_sent_exactly_once(
    fake, tmp_path, kind
):
    settings_path = matched_and_approved(fake, tmp_path, readonly=True)
    fake.faults.fail_next(1, kind, api="gmail")
    result = cli_run(settings_path, DAY0, "introduce")
    assert result.output.splitlines()[-1] == "introduce: 2 sent", result.output
    assert sent_to(fake) == {"ana@m.org": 1, "bo@m.org": 1}
    assert log_statuses(fake, settings_path) == ["sent", "sent"]
    searches = gmail_requests(fake, "GET")
    assert all(s.query["q"][0].startswith("rfc822msgid:") for s in searches)
    note = email_log(fake, settings_path)["ana@m.org"]["Error"]
    if kind in SENT_THEN_ERROR:  # found at once, and not sent again
        assert (len(searches), len(gmail_requests(fake, "POST"))) == (1, 2)
        assert note.endswith(" the send, but has it in the sent mail")
    else:  # looked for twice (search lags), then sent again
        assert (len(searches), len(gmail_requests(fake, "POST"))) == (2, 3)
        assert note == ""


@pytest.mark.parametrize(
    "kind", ["500_after", "503_after", "html502_after", "500", "503", "html500"]
)
def test_without_gmail_readonly_a_server_error_is_never_sent_again_and_the_rest_wait(
    fake, tmp_path, kind
):
    settings_path = matched_and_approved(fake, tmp_path, readonly=False)
    fake.faults.fail_next(1, kind, api="gmail")
    first = cli_run(settings_path, DAY0, "introduce")
    assert first.exit_code == 1
    assert first.output.splitlines()[-1] == (
        "introduce: 0 sent, 1 failed, to try again next run,"
        " 1 unconfirmed: check them in the Email Log"
    )
    said = " ".join(first.output.split())
    assert f"look for it in the sent mail of {PROGRAM_GMAIL} (search for rfc822msgid:" in said
    assert "With gmail.readonly granted (google.gmail_readonly = true, then" in said
    assert len(fake.sent) == (1 if kind.endswith("_after") else 0)  # at most once
    log = email_log(fake, settings_path)
    assert (log["ana@m.org"]["Status"], log["bo@m.org"]["Status"]) == ("unconfirmed", "failed")
    assert log["bo@m.org"]["Error"].startswith("not tried: Gmail answered 50")
    again = cli_run(settings_path, DAY0 + timedelta(1), "introduce")
    assert again.output.splitlines()[-1] == "introduce: 1 sent, 1 committee row needs a look"
    assert "introduction of ana@m.org | tom@t.org is 'unconfirmed'" in again.output
    assert sent_to(fake)["bo@m.org"] == 1 and sent_to(fake)["ana@m.org"] <= 1
    assert gmail_requests(fake, "GET") == []


def test_with_gmail_readonly_a_send_that_cannot_be_looked_up_is_never_sent_again(fake, tmp_path):
    settings_path = matched_and_approved(fake, tmp_path, readonly=True, tries=2)
    fake.faults.fail_next(1, "500_after", api="gmail")
    fake.faults.fail_next(2, "503", api="gmail")  # both tries of the look-up
    first = cli_run(settings_path, DAY0, "introduce")
    assert first.exit_code == 1
    said = " ".join(first.output.split())
    assert "and looking it up in the sent mail failed too; it may have gone out" in said
    log = email_log(fake, settings_path)
    assert (log["ana@m.org"]["Status"], log["bo@m.org"]["Status"]) == ("unconfirmed", "failed")
    assert cli_run(settings_path, DAY0 + timedelta(1), "introduce").exit_code == 0
    assert sent_to(fake) == {"ana@m.org": 1, "bo@m.org": 1}


@pytest.mark.parametrize("readonly", [True, False], ids=["readonly", "send only"])
def test_a_quota_answer_proves_gmail_did_not_send_so_it_is_tried_again(fake, tmp_path, readonly):
    settings_path = matched_and_approved(fake, tmp_path, readonly=readonly)
    fake.faults.fail_next(2, "429", api="gmail")
    result = cli_run(settings_path, DAY0, "introduce")
    assert result.output.splitlines()[-1] == "introduce: 2 sent", result.output
    assert sent_to(fake) == {"ana@m.org": 1, "bo@m.org": 1}
    assert len(gmail_requests(fake, "POST")) == 4 and gmail_requests(fake, "GET") == []


def gmail_at(settings_path, endpoint: str) -> None:
    """Point the settings' google.gmail_endpoint at `endpoint`."""
    text = settings_path.read_text(encoding="utf-8")
    start = text.index('gmail_endpoint = "')
    end = text.index("\n", start)
    settings_path.write_text(f'{text[:start]}gmail_endpoint = "{endpoint}"{text[end:]}')


def test_emails_gmail_could_not_be_reached_for_wait_for_the_next_run_not_for_the_committee(
    fake, tmp_path
):
    settings_path = matched_and_approved(fake, tmp_path, readonly=False)
    with silent_port() as port:  # the connection never opens: no network, or a firewall
        gmail_at(settings_path, f"http://127.0.0.1:{port}")
        first = cli_run(settings_path, DAY0, "introduce")
    assert first.exit_code == 1
    assert first.output.splitlines()[-1] == "introduce: 0 sent, 2 failed, to try again next run"
    log = email_log(fake, settings_path)
    assert (log["ana@m.org"]["Status"], log["bo@m.org"]["Status"]) == ("failed", "failed")
    assert log["ana@m.org"]["Error"].startswith(
        f"introduction | ana@m.org | tom@t.org was not sent: cannot reach 127.0.0.1:{port}:"
        " the connection did not open in time"
    )
    assert log["bo@m.org"]["Error"].startswith("not tried: ")  # the batch stopped there
    gmail_at(settings_path, fake.url)
    again = cli_run(settings_path, DAY0 + timedelta(1), "introduce")
    assert again.output.splitlines()[-1] == "introduce: 2 sent", again.output
    assert sent_to(fake) == {"ana@m.org": 1, "bo@m.org": 1}


def signed_in_token(fake, token_uri: str, access_token: str) -> dict:
    """A Gmail token file holding an access token good for the next hour, renewed at
    `token_uri`, as a sign-in leaves it."""
    expiry = datetime.now(UTC) + timedelta(hours=1)
    return {
        **user_token(fake, [GMAIL_SEND]),
        "token": access_token,
        "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "token_uri": token_uri,
    }


def test_a_sign_in_that_cannot_be_renewed_mid_batch_is_not_taken_for_a_send(fake, tmp_path):
    settings = load_settings(google_settings(tmp_path, fake, readonly=False, timeout=1.0))
    with hangs_up() as (sign_in_at, renewals):  # Google's sign-in, lost mid-answer
        token = signed_in_token(fake, sign_in_at, fake.grant(PROGRAM_GMAIL, [GMAIL_SEND]))
        (tmp_path / "credentials" / "gmail-token.json").write_text(json.dumps(token))
        retry = Retry(tries=2, sleep=lambda seconds: None)
        with GmailSender(gmail_credentials(settings), settings.google, retry) as sender:
            assert sender.send(letter(1), "intro 1") == ""
            sender.creds.expiry = datetime.now(UTC).replace(tzinfo=None)  # the hour is up
            with pytest.raises(SendError) as caught:
                sender.send(letter(2), "intro 2")
    assert sent_to(fake) == {"mentee1@m.org": 1} and len(renewals) == 2
    assert str(caught.value).startswith(
        "intro 2 was not sent: signing in to Gmail failed after 2 tries (cannot reach Google's"
        " sign-in ("
    )
    # Not "maybe sent": the next run sends it; and nothing more is tried in this one.
    assert (caught.value.maybe_sent, caught.value.fatal) == (False, True)


def test_a_token_gmail_refuses_whose_renewal_fails_was_not_sent(fake, tmp_path):
    settings = load_settings(google_settings(tmp_path, fake, readonly=False, timeout=1.0))
    with hangs_up() as (sign_in_at, renewals):
        token = signed_in_token(fake, sign_in_at, "ya29.revoked-before-its-hour-was-up")
        (tmp_path / "credentials" / "gmail-token.json").write_text(json.dumps(token))
        retry = Retry(tries=2, sleep=lambda seconds: None)
        sender = GmailSender(gmail_credentials(settings), settings.google, retry)
        with sender, pytest.raises(SendError) as caught:
            sender.send(letter(1), "intro 1")
    # Gmail answered 401 to each send; renewing the sign-in then failed each time.
    assert [r.status for r in gmail_requests(fake, "POST")] == [401, 401] and len(renewals) == 2
    assert fake.sent == []
    assert str(caught.value).startswith(
        "Gmail could not send intro 1 after 2 tries (SIGN_IN: cannot reach Google's sign-in ("
    )
    assert (caught.value.maybe_sent, caught.value.fatal) == (False, True)


def gmail_sender(fake, folder, *, readonly: bool, timeout: float = 0.25) -> GmailSender:
    """The sender as the jobs make it, with a Retry that does not sleep."""
    settings = load_settings(google_settings(folder, fake, readonly=readonly, timeout=timeout))
    retry = Retry(tries=6, sleep=lambda seconds: None)
    return GmailSender(gmail_credentials(settings), settings.google, retry)


def letter(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = PROGRAM_GMAIL
    message["To"] = f"mentee{n}@m.org"
    message["Subject"] = "Your mentor"
    message["Message-ID"] = f"<intro-{n}@sts.example>"
    message.set_content("Hello")
    return message


def test_a_message_gmail_cannot_use_is_refused_at_once(fake, tmp_path):
    message = letter(1)
    del message["To"]
    with gmail_sender(fake, tmp_path, readonly=True) as sender, pytest.raises(SendError) as no:
        sender.send(message, "intro 1")
    assert (
        str(no.value) == "Gmail refused intro 1 (400 INVALID_ARGUMENT: Recipient address required)"
    )
    assert not no.value.maybe_sent and not no.value.fatal
    assert fake.sent == [] and len(gmail_requests(fake, "POST")) == 1


AFTER = ("500_after", "503_after")
BEFORE_OR_AFTER = ("500", "503", "html500", "500_after", "503_after", "html502_after")


@pytest.mark.parametrize("kinds", [AFTER, BEFORE_OR_AFTER], ids=["after", "before or after"])
@pytest.mark.parametrize("readonly", [True, False], ids=["readonly", "send only"])
def test_200_sends_with_30_percent_answered_5xx_go_out_once_or_are_reported_maybe_sent(
    fake, tmp_path, readonly, kinds
):
    fake.faults.rate, fake.faults.kinds, fake.faults.writes_only = 0.3, kinds, True
    outcomes: dict[str, str | SendError] = {}
    # Every fault here is an answer, none a silence: a timeout longer than any slow moment
    # of a busy machine keeps a late 200 from becoming a "maybe sent" the counts below
    # do not expect (it did once, at 0.25 s, under load).
    with gmail_sender(fake, tmp_path, readonly=readonly, timeout=5.0) as sender:
        for n in range(200):
            try:
                outcomes[f"mentee{n}@m.org"] = sender.send(letter(n), f"intro {n}")
            except SendError as exc:
                outcomes[f"mentee{n}@m.org"] = exc
    sends = gmail_requests(fake, "POST")
    errors = [r for r in sends if r.status >= 500]
    assert len(errors) >= 40  # about 30% of the sends were answered 5xx
    delivered = sent_to(fake)
    reported_sent = {to for to, outcome in outcomes.items() if isinstance(outcome, str)}
    assert all(delivered[to] == 1 for to in reported_sent)
    if readonly:  # every one delivered exactly once, and reported sent
        assert delivered == {to: 1 for to in outcomes} and reported_sent == set(outcomes)
        # Each email was made by one send; a 5xx to any other send was Gmail not taking it.
        made_then_error = len(errors) - (len(sends) - len(outcomes))
        found = [o for o in outcomes.values() if o.endswith("but has it in the sent mail")]
        assert len(found) == made_then_error > 0
    else:  # one send each: at most once, and every one not confirmed reported maybe sent
        assert len(sends) == len(outcomes) and max(delivered.values()) == 1
        unconfirmed = [o for o in outcomes.values() if isinstance(o, SendError)]
        assert len(unconfirmed) == len(errors)
        assert all(error.maybe_sent and error.fatal for error in unconfirmed)


def test_a_token_that_cannot_send_stops_the_batch_and_nothing_is_lost(fake, tmp_path):
    settings_path = matched_and_approved(fake, tmp_path)
    token = user_token(fake, [GMAIL_READONLY], refresh="1//read-only")
    (tmp_path / "credentials" / "gmail-token.json").write_text(json.dumps(token))
    result = cli_run(settings_path, DAY0, "introduce")
    assert "Gmail refused to send introduction | ana@m.org | tom@t.org" in result.output
    assert "check that the token has gmail.send" in result.output
    assert fake.sent == []
    assert log_statuses(fake, settings_path) == ["failed", "failed"]
    # With a token that can send, the next run sends both.
    token = user_token(fake, [GMAIL_SEND], refresh="1//can-send")
    (tmp_path / "credentials" / "gmail-token.json").write_text(json.dumps(token))
    assert cli_run(settings_path, DAY0, "introduce").output.splitlines()[-1] == "introduce: 2 sent"


def test_a_workspace_service_account_sends_as_the_delegated_user(fake, tmp_path):
    delegated = 'gmail_delegated_user = "mentoring@sts-program.example.org"\n'
    settings_path = matched_and_approved(fake, tmp_path, extra=delegated)
    (tmp_path / "credentials" / "gmail-token.json").unlink()  # not needed in Workspace
    result = cli_run(settings_path, DAY0, "introduce")
    assert result.output.splitlines()[-1] == "introduce: 2 sent", result.output
    assert {m["From"].addresses[0].addr_spec for m in fake.sent} == {PROGRAM_GMAIL}
    sends = [r for r in fake.requests if r.api == "gmail" and r.method == "POST"]
    assert {r.identity for r in sends} == {"mentoring@sts-program.example.org"}


class SignInPage(webbrowser.BaseBrowser):
    """A browser in which the person allows every scope asked for: the page redirects to
    mentor-sync's local address with a code, as Google's sign-in page does."""

    def __init__(self, fake: FakeGoogle):
        super().__init__("sign-in page")
        self.fake = fake

    def open(self, url, new=0, autoraise=True):
        asked = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        self.fake.add_authorization_code("4/code", PROGRAM_GMAIL, asked["scope"].split())
        back = {"state": asked["state"], "code": "4/code", "scope": asked["scope"]}
        target = f"{asked['redirect_uri']}?{urlencode(back)}"
        threading.Thread(target=requests.get, args=(target,), daemon=True).start()
        return True


def test_auth_gmail_signs_in_and_keeps_a_private_token_that_sends(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake's token endpoint is http
    settings_path = matched_and_approved(fake, tmp_path)
    settings = load_settings(settings_path)
    token_file = tmp_path / "credentials" / "gmail-token.json"
    token_file.unlink()
    oauth_client(tmp_path, fake.token_uri, fake)
    webbrowser.register("sign-in-page", None, SignInPage(fake))
    said = sign_in(settings, "gmail", datetime(2026, 1, 12, 9, 0), browser="sign-in-page")
    assert said == (
        f"wrote {token_file} (readable only by you), allowing {GMAIL_READONLY}, {GMAIL_SEND}"
    )
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = json.loads(token_file.read_text())
    assert token["type"] == "authorized_user"
    assert token["scopes"] == sorted([GMAIL_SEND, GMAIL_READONLY])
    assert token["mentor_sync_signed_in"] == "2026-01-12T09:00:00"
    creds = load_credentials(str(token_file), [GMAIL_SEND], what="the test")
    assert creds.refresh_token
    result = cli_run(settings_path, DAY0, "introduce")
    assert result.output.splitlines()[-1] == "introduce: 2 sent", result.output


def test_the_daily_cap_counts_what_the_log_on_google_says_was_sent_today(fake, tmp_path):
    settings_path = matched_and_approved(fake, tmp_path)
    text = settings_path.read_text().replace("[email]\n", "[email]\ndaily_cap = 1\n")
    settings_path.write_text(text)
    first = cli_run(settings_path, DAY0, "introduce").output.splitlines()[-1]
    again = cli_run(settings_path, DAY0, "introduce").output.splitlines()[-1]
    tomorrow = cli_run(settings_path, DAY0 + timedelta(1), "introduce").output.splitlines()[-1]
    assert [first, again, tomorrow] == [
        "introduce: 1 sent, 1 wait for the next run (daily cap of 1 reached)",
        "introduce: 0 sent, 1 wait for the next run (daily cap of 1 reached)",
        "introduce: 1 sent",
    ]
    assert len(fake.sent) == 2


@pytest.mark.parametrize("went_out", [True, False])
def test_with_gmail_readonly_a_stopped_runs_sending_rows_are_looked_up(fake, tmp_path, went_out):
    settings_path = matched_and_approved(fake, tmp_path, readonly=True)
    assert cli_run(settings_path, DAY0, "introduce").exit_code == 0
    log = load_settings(settings_path).tabs.email_log
    key = "introduction | ana@m.org | tom@t.org"
    # As a run stopped mid-send leaves it: the row `sending`, no Introduced On yet.
    committee_edits(fake, log, {key: {"Status": "sending"}}, key="Key")
    as_a_stopped_run_left_it(settings_path, key)
    committee = load_settings(settings_path).tabs.committee
    committee_edits(fake, committee, {"ana@m.org": {"Introduced On": ""}})
    if not went_out:
        fake.sent[:] = [m for m in fake.sent if "ana@m.org" not in m["To"]]
    result = cli_run(settings_path, DAY0 + timedelta(1), "introduce")
    assert result.exit_code == 0, result.output
    assert "1 left 'sending' by a stopped run settled" in result.output.splitlines()[-1]
    assert log_statuses(fake, settings_path) == ["sent", "sent"]
    to = sorted(tuple(a.addr_spec for a in m["To"].addresses) for m in fake.sent)
    assert to == [("ana@m.org", "tom@t.org"), ("bo@m.org", "uma@u.org")]
    rows = fake.values(SHEET_ID, committee)
    introduced = {row[1]: row[rows[0].index("Introduced On")] for row in rows[1:]}
    assert introduced["ana@m.org"] == ("2026-01-12" if went_out else "2026-01-13")


def test_a_tab_sorted_while_emails_go_out_gets_each_date_on_its_own_row(fake, tmp_path):
    settings_path = matched_and_approved(fake, tmp_path)
    settings = load_settings(settings_path)
    tab = settings.tabs.committee
    committee_edits(fake, tab, {"bo@m.org": {"Status": "Hold"}})
    person = gspread.Client(
        auth=None, session=loopback_session(fake, fake.grant(COMMITTEE, [SHEETS_SCOPE]))
    )
    sender = make_sender(settings)
    send = sender.send

    def send_while_the_committee_sorts(message, key):
        send(message, key)
        rows = fake.values(SHEET_ID, tab)  # meanwhile someone sorts the tab Z to A
        width = len(rows[0])
        body = sorted(rows[1:], key=lambda r: r[1], reverse=True)
        padded = [row + [""] * (width - len(row)) for row in body]
        person.open_by_key(SHEET_ID).worksheet(tab).update(padded, "A2", raw=True)

    sender.send = send_while_the_committee_sorts
    now = datetime(2026, 1, 12, 9).astimezone()
    run_mail(INTRODUCE, open_spreadsheet(settings), settings, load_templates(settings), sender, now)
    rows = fake.values(SHEET_ID, tab)
    assert [row[1] for row in rows[1:]] == ["bo@m.org", "ana@m.org"]
    column = rows[0].index("Introduced On")
    introduced = {row[1]: (row + [""] * column)[column] for row in rows[1:]}
    assert introduced == {"ana@m.org": "2026-01-12", "bo@m.org": ""}


def test_auth_gives_up_on_a_token_endpoint_that_never_answers(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    settings = load_settings(google_settings(tmp_path, fake, timeout=0.3))
    with socket.socket() as silent:  # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        oauth_client(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}/token", fake)
        webbrowser.register("sign-in-page", None, SignInPage(fake))
        with pytest.raises(ConfigError, match="cannot reach Google's sign-in to finish"):
            sign_in(settings, "gmail", datetime(2026, 1, 12, 9), browser="sign-in-page")
