"""The loopback fake of Google (tests/fakes/google_fake.py), driven by the real clients: gspread for
Sheets, googleapiclient for Gmail, google-auth for the token endpoint."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from email.message import EmailMessage

import google.auth.exceptions
import google.auth.transport.requests
import google.oauth2.credentials
import gspread
import httplib2
import pytest
import requests
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tests.fakes.google_fake import FakeGoogle, Loopback, loopback_session
from tests.fakes.google_program import private_key

SHEETS = "https://www.googleapis.com/auth/spreadsheets"
GMAIL = "https://www.googleapis.com/auth/gmail."
ROBOT = "mentor-sync@sts-program.iam.gserviceaccount.com"
PROGRAM = "sts.mentoring@example.com"
SHEET = "1fakeSpreadsheet000000000000000000000000000"
FORM = "Form Responses 1"
ANSWERS = [
    ["Timestamp", "Email Address", "Name", "Years"],
    [datetime(2026, 11, 29, 10, 0, 0), "ana@m.org", "=HYPERLINK(1)", 3],
    [],
    [date(2026, 1, 2), "bo@m.org", "", 4.5, True],
]


@pytest.fixture
def fake():
    with FakeGoogle(seed=3) as google:
        google.add_spreadsheet(
            SHEET, {FORM: ANSWERS, "Committee": [["Mentee Email"]]}, shared_with={ROBOT}
        )
        yield google


def sheets(fake: FakeGoogle, who: str = ROBOT, scopes=(SHEETS,)) -> gspread.Client:
    return gspread.Client(auth=None, session=loopback_session(fake, fake.grant(who, list(scopes))))


def unformatted(spreadsheet, *ranges, **params):
    params = {"valueRenderOption": "UNFORMATTED_VALUE"} | params
    return spreadsheet.values_batch_get(list(ranges), params=params)["valueRanges"]


# ------------------------------------------------------------------------------------ Sheets


def test_metadata_lists_the_tabs_as_google_does(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    metadata = spreadsheet.fetch_sheet_metadata()
    assert metadata["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{SHEET}/edit"
    assert metadata["properties"] == {
        "title": "Mentoring",
        "locale": "en_US",
        "autoRecalc": "ON_CHANGE",
        "timeZone": "Etc/GMT",
    }
    form, committee = (s["properties"] for s in metadata["sheets"])
    assert form == {
        "sheetId": 0,
        "title": FORM,
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    assert committee["index"] == 1 and committee["sheetId"] > 0
    assert [w.title for w in spreadsheet.worksheets()] == [FORM, "Committee"]
    assert fake.grid(SHEET, FORM) == (1000, 26)
    masked = spreadsheet.fetch_sheet_metadata(
        {
            "fields": "spreadsheetId,properties(title,locale),sheets.properties(title)",
            "ranges": "Committee!A1",
        }
    )
    assert masked == {
        "spreadsheetId": SHEET,
        "properties": {"title": "Mentoring", "locale": "en_US"},
        "sheets": [{"properties": {"title": "Committee"}}],
    }


def test_reads_are_trimmed_with_serial_dates_and_no_values_key_when_empty(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    whole, cells, empty = unformatted(
        spreadsheet, f"'{FORM}'", f"'{FORM}'!B2:C4", f"'{FORM}'!F1:G9"
    )
    assert whole["range"] == f"'{FORM}'!A1:Z1000"  # a whole tab is echoed as its grid
    assert whole["values"] == [
        ["Timestamp", "Email Address", "Name", "Years"],
        [46355.416666666664, "ana@m.org", "=HYPERLINK(1)", 3],  # text, never a formula
        [],
        [46024, "bo@m.org", "", 4.5, True],
    ]
    assert cells == {
        "range": f"'{FORM}'!B2:C4",
        "majorDimension": "ROWS",
        "values": [["ana@m.org", "=HYPERLINK(1)"], [], ["bo@m.org"]],
    }
    assert empty == {"range": f"'{FORM}'!F1:G9", "majorDimension": "ROWS"}
    assert fake.values(SHEET, FORM) == whole["values"]
    formatted = spreadsheet.values_get(f"'{FORM}'!A2:E4")["values"]
    assert formatted == [
        ["11/29/2026 10:00:00", "ana@m.org", "=HYPERLINK(1)", "3"],
        [],
        ["1/2/2026", "bo@m.org", "", "4.5", "TRUE"],
    ]
    as_text = unformatted(spreadsheet, f"'{FORM}'!A2:A4", dateTimeRenderOption="FORMATTED_STRING")
    assert as_text[0]["values"] == [["11/29/2026 10:00:00"], [], ["1/2/2026"]]
    assert spreadsheet.values_get("Committee!A:A")["range"] == "Committee!A1:A1000"
    by_column = spreadsheet.values_get(f"'{FORM}'!B1:C9", params={"majorDimension": "COLUMNS"})
    assert by_column["values"] == [
        ["Email Address", "ana@m.org", "", "bo@m.org"],
        ["Name", "=HYPERLINK(1)"],
    ]


def test_raw_keeps_text_and_user_entered_parses_it_as_a_person_typing(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    typed = ["=1+1", "'=1+1", "2026-11-29", "11/29/2026 9:05:00", "1,234.5", "0042", "TRUE"]
    spreadsheet.values_batch_update(
        {"valueInputOption": "RAW", "data": [{"range": "Committee!A2", "values": [typed]}]}
    )
    spreadsheet.values_batch_update(
        {"valueInputOption": "USER_ENTERED", "data": [{"range": "Committee!A3", "values": [typed]}]}
    )
    assert fake.values(SHEET, "Committee")[1:] == [
        typed,
        [2, "=1+1", 46355, 46355.37847222222, 1234.5, 42, True],
    ]
    assert fake.formulas(SHEET, "Committee") == [(3, 1, "=1+1")]
    shown = spreadsheet.values_get("Committee!A3:G3")["values"][0]
    assert shown == ["2", "=1+1", "2026-11-29", "11/29/2026 9:05:00", "1,234.5", "42", "TRUE"]
    with_formulas = spreadsheet.values_get("Committee!A3", params={"valueRenderOption": "FORMULA"})
    assert with_formulas["values"] == [["=1+1"]]
    spreadsheet.values_update(
        "Committee!A3", params={"valueInputOption": "RAW"}, body={"values": [["", None]]}
    )
    assert fake.values(SHEET, "Committee")[2][:2] == ["", "=1+1"]  # "" clears, null skips
    assert fake.formulas(SHEET, "Committee") == []


def test_writes_report_what_they_changed_and_fail_whole_outside_the_grid(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    reply = spreadsheet.values_batch_update(
        {
            "valueInputOption": "RAW",
            "data": [
                {"range": "Committee!A1:C2", "values": [["a", None], ["b", "c"]]},
                {"range": f"'{FORM}'!F5", "values": [[1], [2]]},
            ],
        }
    )
    assert reply["totalUpdatedCells"] == 5 and reply["totalUpdatedSheets"] == 2
    assert [r["updatedRange"] for r in reply["responses"]] == ["Committee!A1:B2", f"'{FORM}'!F5:F6"]
    before = fake.snapshot(SHEET)
    with pytest.raises(gspread.exceptions.APIError) as raised:
        spreadsheet.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Committee!A2", "values": [["changed"]]},
                    {"range": "Committee!A1000", "values": [["x"], ["y"]]},
                ],
            }
        )
    assert raised.value.code == 400
    assert raised.value.error == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": (
            "Range ('Committee'!A1000:A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
        ),
    }
    for bad_range, message in [
        ("Committee!A1001", "Range ('Committee'!A1001) exceeds grid limits."),
        ("Nowhere!A1", "Unable to parse range: Nowhere!A1"),
        (
            "Committee!A1:B1",
            "Requested writing within range ['Committee'!A1:B1], but tried writing to column [C]",
        ),
    ]:
        with pytest.raises(gspread.exceptions.APIError, match=re.escape(message)):
            spreadsheet.values_update(
                bad_range, params={"valueInputOption": "RAW"}, body={"values": [["a", "b", "c"]]}
            )
    assert fake.snapshot(SHEET) == before


def test_append_writes_under_the_table_and_grows_the_grid(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    fake.add_spreadsheet("small", {"Log": [["When", "What"], ["x", "y"]]}, rows=2, columns=2)
    small = sheets(fake).open_by_key("small")
    reply = small.values_append(
        "Log", params={"valueInputOption": "RAW"}, body={"values": [["z", "w"]]}
    )
    assert reply["tableRange"] == "Log!A1:B2"
    assert reply["updates"]["updatedRange"] == "Log!A3:B3"
    assert fake.grid("small", "Log") == (3, 2)
    reply = spreadsheet.values_append(
        "Committee!A1", params={"valueInputOption": "RAW"}, body={"values": [["ana@m.org"]]}
    )
    assert reply["tableRange"] == "Committee!A1"
    assert reply["updates"]["updatedRange"] == "Committee!A2"


def test_batch_update_is_atomic_and_answers_each_request(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    reply = spreadsheet.batch_update(
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {
                            "title": "Email Log",
                            "index": 1,
                            "gridProperties": {
                                "rowCount": 10,
                                "columnCount": 3,
                                "frozenRowCount": 1,
                            },
                        }
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
            ]
        }
    )
    added = reply["replies"][0]["addSheet"]["properties"]
    assert reply["replies"][1] == {}
    assert added["title"] == "Email Log" and added["index"] == 1
    assert added["gridProperties"] == {"rowCount": 10, "columnCount": 3, "frozenRowCount": 1}
    assert fake.tab_titles(SHEET) == [FORM, "Email Log", "Committee"]
    before = fake.snapshot(SHEET)
    with pytest.raises(gspread.exceptions.APIError) as raised:
        spreadsheet.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "Intake Issues"}}},
                    {"addSheet": {"properties": {"title": "Committee"}}},
                ]
            }
        )
    assert raised.value.error["message"] == (
        'Invalid requests[1].addSheet: A sheet with the name "Committee" already exists. '
        "Please enter another name."
    )
    with pytest.raises(gspread.exceptions.APIError, match='Unknown name "mergeCells"'):
        spreadsheet.batch_update(
            {
                "requests": [
                    {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5}},
                    {"mergeCells": {}},
                ]
            }
        )
    assert fake.snapshot(SHEET) == before


def test_dimension_and_cell_requests(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    committee = spreadsheet.worksheet("Committee").id
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "insertDimension": {
                        "range": {
                            "sheetId": 0,
                            "dimension": "ROWS",
                            "startIndex": 1,
                            "endIndex": 2,
                        },
                        "inheritFromBefore": True,
                    }
                },
                {
                    "deleteDimension": {
                        "range": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "startIndex": 2,
                            "endIndex": 3,
                        }
                    }
                },
                {"appendDimension": {"sheetId": committee, "dimension": "COLUMNS", "length": 4}},
                {
                    "updateCells": {
                        "start": {"sheetId": committee, "rowIndex": 1, "columnIndex": 0},
                        "fields": "userEnteredValue,userEnteredFormat.numberFormat",
                        "rows": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "=1+1"}},
                                    {
                                        "userEnteredValue": {"numberValue": 46355},
                                        "userEnteredFormat": {
                                            "numberFormat": {
                                                "type": "DATE",
                                                "pattern": "yyyy-mm-dd",
                                            }
                                        },
                                    },
                                    {"userEnteredValue": {"formulaValue": "=6/4"}},
                                    {"userEnteredValue": {"boolValue": False}},
                                ]
                            }
                        ],
                    }
                },
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": committee,
                            "startRowIndex": 1,
                            "startColumnIndex": 3,
                            "endColumnIndex": 4,
                        },
                        "rule": {"condition": {"type": "BOOLEAN"}, "showCustomUi": True},
                    }
                },
                {
                    "repeatCell": {
                        "range": {"sheetId": committee, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": committee, "title": "Matches"},
                        "fields": "title",
                    }
                },
            ]
        }
    )
    assert fake.values(SHEET, FORM)[:3] == [
        ["Timestamp", "Email Address", "Years"],
        [],
        [46355.416666666664, "ana@m.org", 3],
    ]
    assert fake.grid(SHEET, FORM) == (1001, 25)
    assert fake.grid(SHEET, "Matches") == (1000, 30)
    assert fake.values(SHEET, "Matches") == [["Mentee Email"], ["=1+1", 46355, 1.5, False]]
    assert fake.formulas(SHEET, "Matches") == [(2, 3, "=6/4")]
    assert spreadsheet.values_get("Matches!B2")["values"] == [["2026-11-29"]]
    with pytest.raises(gspread.exceptions.APIError, match="No grid with id: 999"):
        spreadsheet.batch_update({"requests": [{"deleteSheet": {"sheetId": 999}}]})


def test_who_may_do_what(fake):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        sheets(fake).open_by_key("1noSuchSpreadsheet")
    with pytest.raises(PermissionError) as not_shared:
        sheets(fake, "stranger@example.com").open_by_key(SHEET)
    assert not_shared.value.__cause__.error == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }
    readonly = sheets(fake, scopes=[SHEETS + ".readonly"]).open_by_key(SHEET)
    assert readonly.values_get("Committee!A1")["values"] == [["Mentee Email"]]
    with pytest.raises(gspread.exceptions.APIError) as read_only:
        readonly.values_clear("Committee")
    assert read_only.value.error["message"] == "Request had insufficient authentication scopes."
    stranger = gspread.Client(auth=None, session=loopback_session(fake, "ya29.made-up"))
    with pytest.raises(gspread.exceptions.APIError) as unknown:
        stranger.open_by_key(SHEET)
    assert unknown.value.code == 401 and unknown.value.error["status"] == "UNAUTHENTICATED"
    assert unknown.value.response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert [r.status for r in fake.requests] == [404, 403, 200, 200, 403, 401]


def test_injected_faults_look_like_googles(fake):
    spreadsheet = sheets(fake).open_by_key(SHEET)
    fake.reset_counts()
    for kind in ("429", "skip", "429", "500", "503", "html500"):
        fake.faults.fail_next(1, kind)
    with pytest.raises(gspread.exceptions.APIError) as read_quota:
        spreadsheet.values_get("Committee")
    assert "quota metric 'Read requests'" in read_quota.value.error["message"]
    spreadsheet.values_get("Committee")  # "skip": this one goes through
    seen = []
    for _ in range(4):
        with pytest.raises(gspread.exceptions.APIError) as raised:
            spreadsheet.values_clear("Committee!A1")
        error = raised.value
        seen.append((error.response.status_code, error.code, error.error["status"]))
        if error.code == 429:
            assert "quota metric 'Write requests'" in error.error["message"]
    assert seen[:3] == [
        (429, 429, "RESOURCE_EXHAUSTED"),
        (500, 500, "INTERNAL"),
        (503, 503, "UNAVAILABLE"),
    ]
    html = raised.value.response  # gspread cannot read an HTML page: its APIError code is -1
    assert seen[3][0] in (500, 502) and seen[3][1] == -1
    assert html.headers["Content-Type"].startswith("text/html") and "Server Error" in html.text
    assert fake.count("sheets") == 6 and fake.values(SHEET, "Committee") == [["Mentee Email"]]
    fake.faults.always = "503"
    with pytest.raises(gspread.exceptions.APIError):
        spreadsheet.values_get("Committee")
    fake.faults.always = None


def statuses_at_rate(seed: int) -> list[int]:
    """What 20 unauthenticated reads get with half the requests faulted (0: timed out)."""
    with FakeGoogle(seed=seed) as fake, requests.Session() as http:
        fake.faults.rate, fake.faults.delay = 0.5, 0.2
        statuses = []
        for _ in range(20):
            try:
                statuses.append(http.get(fake.url + "/v4/spreadsheets/x", timeout=0.1).status_code)
            except requests.RequestException:
                statuses.append(0)
        return statuses


def test_random_faults_are_drawn_from_the_seed():
    statuses = statuses_at_rate(seed=5)
    assert statuses == statuses_at_rate(seed=5) != statuses_at_rate(seed=6)
    assert 401 in statuses and set(statuses) - {401}  # some faulted, some reached auth


def test_timeouts_before_and_after_the_request_is_applied(fake):
    client = sheets(fake)
    spreadsheet = client.open_by_key(SHEET)
    client.set_timeout(0.1)
    fake.faults.delay = 0.3
    fake.faults.fail_next(1, "timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        spreadsheet.values_update(
            "Committee!A2", params={"valueInputOption": "RAW"}, body={"values": [["lost"]]}
        )
    assert fake.values(SHEET, "Committee") == [["Mentee Email"]]  # not applied
    fake.faults.fail_next(1, "timeout_after")
    with pytest.raises(requests.exceptions.ReadTimeout):
        spreadsheet.values_update(
            "Committee!A2", params={"valueInputOption": "RAW"}, body={"values": [["kept"]]}
        )
    assert fake.values(SHEET, "Committee") == [["Mentee Email"], ["kept"]]  # applied all the same


# ------------------------------------------------------------------------------------- Gmail


def gmail(fake: FakeGoogle, *scopes: str, timeout: float | None = None):
    credentials = google.oauth2.credentials.Credentials(
        token=fake.grant(PROGRAM, [GMAIL + s for s in scopes])
    )
    return gmail_api(fake, http=AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout)))


def gmail_api(fake: FakeGoogle, **auth):
    """The real Gmail client, from its bundled discovery document, pointed at the fake.
    A Resource: use it in a with block, which closes its connections."""
    return build(
        "gmail",
        "v1",
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": fake.url + "/"},
        **auth,
    )


def letter(to: str | None = "ana@m.org", message_id: str = "<intro-1@sts.example>") -> dict:
    message = EmailMessage()
    message["From"] = PROGRAM
    if to:
        message["To"] = to
    message["Subject"] = "Your mentor"
    message["Message-ID"] = message_id
    message.set_content("Hello Ana")
    return {"raw": base64.urlsafe_b64encode(message.as_bytes()).decode()}


def test_gmail_sends_and_finds_a_message_by_its_message_id(fake):
    with gmail(fake, "send", "readonly") as service:
        check_sending_and_finding(fake, service.users().messages())


def check_sending_and_finding(fake, messages):
    sent = messages.send(userId="me", body=letter()).execute()
    assert sent["labelIds"] == ["SENT"] and sent["threadId"] == sent["id"]
    [received] = fake.sent
    assert (received["To"], received["Subject"]) == ("ana@m.org", "Your mentor")
    assert received.get_body(("plain",)).get_content() == "Hello Ana\n"
    found = messages.list(userId="me", q="rfc822msgid:intro-1@sts.example").execute()
    assert found == {
        "messages": [{"id": sent["id"], "threadId": sent["id"]}],
        "resultSizeEstimate": 1,
    }
    assert messages.list(userId="me", q="rfc822msgid:<intro-2@sts.example>").execute() == {
        "resultSizeEstimate": 0
    }
    assert [(r.api, r.method, r.path) for r in fake.requests] == [
        ("gmail", "POST", "/gmail/v1/users/me/messages/send"),
        ("gmail", "GET", "/gmail/v1/users/me/messages"),
        ("gmail", "GET", "/gmail/v1/users/me/messages"),
    ]


@pytest.mark.parametrize(
    ("scopes", "call", "status", "message"),
    [
        (["readonly"], "send", 403, "Request had insufficient authentication scopes."),
        (["send"], "list", 403, "Request had insufficient authentication scopes."),
        (["send", "metadata"], "list", 403, "Metadata scope does not support 'q' parameter"),
        (["send"], "no recipient", 400, "Recipient address required"),
        (
            ["send"],
            "no raw",
            400,
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        ),
    ],
)
def test_gmail_refuses_as_google_does(fake, scopes, call, status, message):
    service = gmail(fake, *scopes)
    messages = service.users().messages()
    request = {
        "send": lambda: messages.send(userId="me", body=letter()),
        "list": lambda: messages.list(userId="me", q="rfc822msgid:x@y"),
        "no recipient": lambda: messages.send(userId="me", body=letter(to=None)),
        "no raw": lambda: messages.send(userId="me", body={}),
    }[call]()
    with service, pytest.raises(HttpError) as raised:
        request.execute()
    assert raised.value.resp.status == status
    assert json.loads(raised.value.content)["error"]["message"] == message
    assert fake.sent == []


def test_a_gmail_timeout_after_sending_leaves_the_email_sent(fake):
    fake.faults.delay = 0.3
    fake.faults.fail_next(1, "timeout_after")
    with gmail(fake, "send", timeout=0.1) as service, pytest.raises(TimeoutError):
        service.users().messages().send(userId="me", body=letter()).execute()
    assert len(fake.sent) == 1  # the ambiguous case: the client gave up, the email went
    fake.faults.fail_next(1, "503")
    with gmail(fake, "send") as service, pytest.raises(HttpError) as raised:
        service.users().messages().send(userId="me", body=letter()).execute()
    assert raised.value.resp.status == 503 and len(fake.sent) == 1


@pytest.mark.parametrize(("kind", "status"), [("500_after", 500), ("503_after", 503)])
def test_a_gmail_send_can_be_made_and_answered_with_googles_5xx(fake, kind, status):
    fake.faults.fail_next(1, kind)
    with gmail(fake, "send") as service, pytest.raises(HttpError) as raised:
        service.users().messages().send(userId="me", body=letter()).execute()
    error = json.loads(raised.value.content)["error"]
    assert (raised.value.resp.status, error["code"], error["message"]) == (
        status,
        status,
        "Backend Error",
    )
    assert error["errors"] == [
        {"message": "Backend Error", "domain": "global", "reason": "backendError"}
    ]
    assert len(fake.sent) == 1  # sent all the same
    assert fake.requests[-1].status == status


def test_a_gmail_send_can_be_made_and_answered_with_googles_html_502(fake):
    fake.faults.fail_next(1, "html502_after")
    with gmail(fake, "send") as service, pytest.raises(HttpError) as raised:
        service.users().messages().send(userId="me", body=letter()).execute()
    assert raised.value.resp.status == 502
    assert raised.value.resp["content-type"].startswith("text/html")
    assert b"That\xe2\x80\x99s an error." in raised.value.content
    assert len(fake.sent) == 1


def test_random_faults_can_be_done_then_answered_with_an_error_and_spare_the_reads(fake):
    fake.faults.rate, fake.faults.kinds, fake.faults.writes_only = 1.0, ("500_after",), True
    with gmail(fake, "send", "readonly") as service:
        messages = service.users().messages()
        for n in range(3):
            with pytest.raises(HttpError):
                messages.send(userId="me", body=letter(message_id=f"<{n}@sts.example>")).execute()
        listed = messages.list(userId="me", q="rfc822msgid:1@sts.example").execute()
    assert len(fake.sent) == 3 and listed["resultSizeEstimate"] == 1
    assert [r.status for r in fake.requests] == [500, 500, 500, 200]


def test_random_faults_can_be_aimed_at_gmail_alone(fake):
    fake.faults.rate, fake.faults.kinds, fake.faults.apis = 1.0, ("500_after",), ("gmail",)
    spreadsheet = sheets(fake).open_by_key(SHEET)
    spreadsheet.worksheet("Committee").update([["ana@m.org"]], "A2", raw=True)
    with gmail(fake, "send") as service, pytest.raises(HttpError):
        service.users().messages().send(userId="me", body=letter()).execute()
    assert {(r.api, r.status) for r in fake.requests} == {("sheets", 200), ("gmail", 500)}
    assert fake.values(SHEET, "Committee")[1] == ["ana@m.org"] and len(fake.sent) == 1


def test_an_unknown_fault_kind_is_refused_rather_than_ignored(fake):
    with pytest.raises(ValueError, match="unknown fault kind '500after'; the kinds are 429"):
        fake.faults.kinds = ("500", "500after")
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.faults.fail_next(1, "html502")


# -------------------------------------------------------------------------------------- auth


def test_a_service_account_signs_in_at_the_token_endpoint(fake):
    info = {
        "type": "service_account",
        "client_email": ROBOT,
        "private_key": private_key(),
        "private_key_id": "1",
        "token_uri": fake.token_uri,
        "project_id": "p",
    }
    credentials = service_account.Credentials.from_service_account_info(info, scopes=[SHEETS])
    client = gspread.Client(credentials)
    with client.http_client.session as session:
        session.mount("https://sheets.googleapis.com", Loopback(fake.url))
        assert client.open_by_key(SHEET).worksheet("Committee").acell("A1").value == "Mentee Email"
    assert [r.api for r in fake.requests][:2] == ["token", "sheets"]
    delegated = credentials.with_subject("chair@sts.example")  # domain-wide delegation: sub
    delegated.refresh(google.auth.transport.requests.Request())
    # The delegated token speaks for its subject.
    loopback_session(fake, delegated.token).get(
        f"https://sheets.googleapis.com/v4/spreadsheets/{SHEET}"
    )
    assert fake.requests[-1].identity == "chair@sts.example"


def test_user_credentials_refresh_until_the_token_is_revoked(fake):
    fake.add_refresh_token("1//refresh", PROGRAM, [GMAIL + "send", GMAIL + "readonly"])
    credentials = google.oauth2.credentials.Credentials(
        token=None,
        refresh_token="1//refresh",
        client_id="id",
        client_secret="secret",
        token_uri=fake.token_uri,
        scopes=[GMAIL + "send", GMAIL + "readonly"],
    )
    request = google.auth.transport.requests.Request()
    credentials.refresh(request)
    assert credentials.valid and credentials.granted_scopes == [GMAIL + "readonly", GMAIL + "send"]
    with gmail_api(fake, credentials=credentials) as service:
        service.users().messages().send(userId="me", body=letter()).execute()
    assert len(fake.sent) == 1
    fake.revoke("1//refresh")
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        credentials.refresh(request)
    with pytest.raises(
        google.auth.exceptions.RefreshError, match="Token has been expired or revoked"
    ):
        credentials.refresh(request)
