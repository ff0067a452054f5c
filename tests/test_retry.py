"""The one retry policy of both Google APIs: what is tried again, how long it waits, and
what it says after the last try."""

from __future__ import annotations

import json

import gspread
import pytest
import requests
from googleapiclient.errors import HttpError
from httplib2 import Response as Httplib2Response

from sync.google import GoogleError, NoAnswerError, Retry, describe


def api_error(status: int, body: str, kind: str = "gspread") -> Exception:
    if kind == "gspread":
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        return gspread.exceptions.APIError(response)
    return HttpError(Httplib2Response({"status": status}), body.encode())


def google_body(status: int, word: str) -> str:
    return json.dumps({"error": {"code": status, "message": "...", "status": word}})


def failing(errors):
    """A call that raises each of `errors` in turn, then answers "done"."""
    errors = list(errors)
    calls = []

    def call():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "done"

    return call, calls


@pytest.mark.parametrize("kind", ["gspread", "googleapiclient"])
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, google_body(429, "RESOURCE_EXHAUSTED")),
        (500, google_body(500, "INTERNAL")),
        (503, google_body(503, "UNAVAILABLE")),
        (502, "<!DOCTYPE html><html><title>Error 502 (Server Error)!!1</title></html>"),
    ],
)
def test_quota_and_server_errors_are_tried_again_whatever_the_body(kind, status, body):
    call, calls = failing([api_error(status, body, kind)] * 2)
    retry = Retry(tries=3, sleep=lambda s: None, jitter=lambda: 0.5)
    assert retry.call("reading the spreadsheet", call) == "done"
    assert len(calls) == 3
    assert retry.waited == [1.5, 2.5]


@pytest.mark.parametrize(
    "error",
    [requests.ConnectionError("reset"), requests.ReadTimeout("slow"), TimeoutError("slow")],
)
def test_lost_connections_and_timeouts_are_tried_again(error):
    call, calls = failing([error])
    assert Retry(tries=2, sleep=lambda s: None).call("reading", call) == "done"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
    ],
)
def test_errors_that_asking_again_cannot_change_are_never_retried(status, word):
    call, calls = failing([api_error(status, google_body(status, word))])
    with pytest.raises(GoogleError) as raised:
        Retry(tries=5, sleep=lambda s: None).call("reading the spreadsheet", call)
    assert len(calls) == 1
    assert (raised.value.status, raised.value.reason) == (status, word)


def test_the_wait_doubles_with_jitter_and_is_capped():
    call, _ = failing([api_error(429, google_body(429, "RESOURCE_EXHAUSTED"))] * 8)
    retry = Retry(tries=9, cap=64, sleep=lambda s: None, jitter=lambda: 0.25)
    retry.call("writing", call)
    assert retry.waited == [1.25, 2.25, 4.25, 8.25, 16.25, 32.25, 64, 64]


def test_after_the_last_try_the_message_says_what_failed_and_what_to_do():
    call, _ = failing([api_error(503, google_body(503, "UNAVAILABLE"))] * 3)
    with pytest.raises(GoogleError) as raised:
        Retry(tries=3, sleep=lambda s: None).call("opening the spreadsheet", call)
    assert str(raised.value) == (
        "opening the spreadsheet failed after 3 tries (503 UNAVAILABLE: ...); run again later"
    )


def test_no_answer_at_the_last_try_is_unsure():
    call, _ = failing([requests.ReadTimeout("slow")] * 2)
    with pytest.raises(NoAnswerError):
        Retry(tries=2, sleep=lambda s: None).call("writing", call)


def test_a_bug_is_not_mistaken_for_a_network_problem():
    assert describe(KeyError("values")) is None
    call, calls = failing([KeyError("values")])
    with pytest.raises(KeyError):
        Retry(tries=3, sleep=lambda s: None).call("reading", call)
    assert len(calls) == 1


def test_gmails_rate_limit_403s_are_waited_out_but_its_refusals_are_not():
    def gmail_403(reason):
        body = {"error": {"code": 403, "message": "...", "errors": [{"reason": reason}]}}
        return api_error(403, json.dumps(body), "googleapiclient")

    assert describe(gmail_403("userRateLimitExceeded")).transient
    assert describe(gmail_403("rateLimitExceeded")).transient
    assert not describe(gmail_403("insufficientPermissions")).transient


def test_an_api_not_enabled_is_told_apart_from_a_sheet_not_shared():
    body = {
        "error": {
            "code": 403,
            "message": "Google Sheets API has not been used in project 1 before or it is disabled.",
            "status": "PERMISSION_DENIED",
            "details": [{"reason": "SERVICE_DISABLED"}],
        }
    }
    assert describe(api_error(403, json.dumps(body))).reason == "SERVICE_DISABLED"
