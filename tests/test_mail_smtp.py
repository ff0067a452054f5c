"""The email jobs through the SMTP sender, to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta

from click.testing import CliRunner

from jobs.cli import cli
from tests.conftest import PEOPLE, mentee, mentor, smtp_program_at, tab_rows
from tests.fakes.smtp_server import free_port


def run(settings_path, day: date, *args):
    result = CliRunner().invoke(
        cli,
        ["--config", str(settings_path), "--as-of", f"{day:%Y-%m-%d}", *args],
        prog_name="mentor-sync",
    )
    return result


def test_run_introduces_and_checks_in_through_a_real_smtp_server(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    day0 = date(2026, 1, 12)
    first = run(settings_path, day0, "run")
    assert first.exit_code == 0, first.output
    assert (
        first.output.splitlines()[-1]
        == "introduce and checkin: 2 sent; Pair Health: 2 pairs, 0 flagged"
    )
    recipients = sorted(sorted(rcpt) for rcpt, _ in inbox.received)
    committee = settings.program.committee_email
    assert recipients == [
        sorted(["ana@m.org", "tom@t.org", committee]),
        sorted(["bo@m.org", "uma@u.org", committee]),
    ]
    [intro] = [m for _, m in inbox.received if "ana@m.org" in m["To"]]
    assert intro["Subject"] == (
        "STS Mentoring Program: introducing Ana Ruiz (mentee) and Tom Ng (mentor)"
    )
    assert "Dear Ana and Tom," in intro.get_body(("plain",)).get_content()
    assert run(settings_path, day0 + timedelta(30), "run").output.splitlines()[-1] == (
        "introduce and checkin: 4 sent; Pair Health: 2 pairs, 0 flagged"
    )
    assert run(settings_path, day0 + timedelta(31), "run").output.splitlines()[-1] == (
        "introduce and checkin: 0 sent; Pair Health: 2 pairs, 0 flagged"
    )
    assert len(inbox.received) == 6
    statuses = {row["Status"] for row in tab_rows(workbook, settings.tabs.email_log)}
    assert statuses == {"sent"}


def test_a_connection_lost_mid_batch_is_never_sent_twice(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    inbox.drop_after = 1
    day0 = date(2026, 1, 12)
    first = run(settings_path, day0, "introduce")
    assert first.exit_code == 1, first.output  # emails that need a look: cron mail says so
    assert first.output.splitlines()[-1] == (
        "introduce: 0 sent, 1 failed, to try again next run, 1 unconfirmed: check them in the"
        " Email Log"
    )
    inbox.drop_after = None
    second = run(settings_path, day0 + timedelta(1), "introduce")
    assert second.output.splitlines()[-2:] == [
        "  check: the introduction of ana@m.org | tom@t.org is 'unconfirmed' in the Email Log;"
        " once you know it went out, write sent there (or a date in Introduced On)",
        "introduce: 1 sent, 1 committee row needs a look",
    ]
    delivered = [m["To"] for _, m in inbox.received]
    assert len(delivered) == len(set(delivered)) == 2
    log = {row["Key"]: row["Status"] for row in tab_rows(workbook, settings.tabs.email_log)}
    assert log == {
        "introduction | ana@m.org | tom@t.org": "unconfirmed",
        "introduction | bo@m.org | uma@u.org": "sent",
    }


def test_an_unreachable_server_fails_the_job_before_anything_is_logged(tmp_path):
    path, workbook, _ = smtp_program_at(tmp_path, free_port(), ["ana@m.org"])
    before = workbook.read_bytes()
    result = run(path, date(2026, 1, 12), "introduce")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "mentor-sync: introduce failed: cannot connect to the SMTP server 127.0.0.1:"
    )
    assert "check email.smtp.host, port and security" in result.stderr
    assert workbook.read_bytes() == before


def test_a_connection_lost_before_the_message_went_is_sent_next_run(smtp_program, server):
    inbox, _ = server
    settings_path, workbook, settings = smtp_program
    inbox.drop_before_data = 1
    day0 = date(2026, 1, 12)
    first = run(settings_path, day0, "introduce")
    assert first.exit_code == 1, first.output
    assert first.output.splitlines()[-1] == ("introduce: 1 sent, 1 failed, to try again next run")
    log = {row["Key"]: row for row in tab_rows(workbook, settings.tabs.email_log)}
    [failed] = [row for row in log.values() if row["Status"] != "sent"]
    assert failed["Status"] == "failed"
    assert "it was not sent, and the next run sends it" in failed["Error"]
    inbox.drop_before_data = None
    second = run(settings_path, day0 + timedelta(1), "introduce")
    assert second.output.splitlines()[-1] == "introduce: 1 sent"
    delivered = [m["To"] for _, m in inbox.received]
    assert len(delivered) == len(set(delivered)) == 2
    statuses = {row["Status"] for row in tab_rows(workbook, settings.tabs.email_log)}
    assert statuses == {"sent"}


LONG = "Anaïs" * 6_400  # 32,000 characters without a space


def test_a_32000_character_name_reaches_a_server_without_8bitmime(tmp_path, server):
    inbox, port = server
    inbox.offers_8bitmime = False
    people = ([mentee("ana@m.org", name=LONG)], [mentor("tom@t.org", name="Tom Ng")])
    path, _, _ = smtp_program_at(tmp_path, port, ["ana@m.org"], people)
    result = run(path, date(2026, 1, 12), "introduce")
    assert result.output.splitlines()[-1] == "introduce: 1 sent", result.output
    [(options, content)] = inbox.raw
    assert "BODY=8BITMIME" not in options and content.isascii()
    assert max(map(len, content.split(b"\r\n"))) <= 998
    [(_, message)] = inbox.received
    assert f"Dear {LONG} and Tom," in message.get_body(("plain",)).get_content()
    assert message["To"].addresses[0].display_name == LONG[:99] + "\u2026"


def test_an_idn_address_goes_punycoded_in_the_envelope_and_the_headers(tmp_path, server):
    inbox, port = server
    people = ([mentee("ana@bücher.example.org", name="Ana Ruiz")], PEOPLE[1][:1])
    path, workbook, settings = smtp_program_at(tmp_path, port, ["ana@bücher.example.org"], people)
    result = run(path, date(2026, 1, 12), "introduce")
    assert result.output.splitlines()[-1] == "introduce: 1 sent", result.output
    [(recipients, message)] = inbox.received
    assert sorted(recipients) == sorted(
        ["ana@xn--bcher-kva.example.org", "tom@t.org", settings.program.committee_email]
    )
    assert [a.addr_spec for a in message["To"].addresses] == [
        "ana@xn--bcher-kva.example.org",
        "tom@t.org",
    ]
    [entry] = tab_rows(workbook, settings.tabs.email_log)
    assert entry["Key"] == "introduction | ana@bücher.example.org | tom@t.org"
