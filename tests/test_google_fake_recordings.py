"""The loopback fake of the Sheets API against Google's own answers.

The recorded gspread test traffic (vcrpy cassettes, see shared/google-api-recordings/README.md
beside the repository) is replayed request by request against `FakeGoogle`, and each answer is
compared with the recorded one: the same status, the same keys (less a short list of things
the fake does not model), the same JSON types, and the same values — among them every values
read (`values`, `range`) and every range Google echoes (updatedRange, clearedRange,
tableRange). The recordings are read in place and never copied into the repository.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from tests.fakes.google_fake import FakeGoogle

RECORDINGS = (
    Path(__file__).resolve().parents[2] / "shared" / "google-api-recordings" / "gspread-cassettes"
)
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
ROBOT = "gspread-tests@recordings.iam.gserviceaccount.com"

# Keys Google sends that the fake leaves out on purpose: formatting and theme defaults.
NOT_MODELLED_KEYS = {"defaultFormat", "spreadsheetTheme"}

# batchUpdate requests the fake does not implement whose effect no later recorded answer that
# the fake serves can show (pixel sizes and hidden rows live only in grid data): skipped, and
# the replay goes on.
INVISIBLE_KINDS = {"updateDimensionProperties", "autoResizeDimensions"}

# Metadata reads of things the fake does not model (grid data, notes, named ranges).
NOT_MODELLED_FIELDS = re.compile(r"data|namedRanges")


def diff(recorded, served, where: str = "") -> list[str]:
    """Where `served` differs from `recorded`: keys, JSON types and values."""
    if isinstance(recorded, dict) and isinstance(served, dict):
        out = []
        wanted = {k for k in recorded if k not in NOT_MODELLED_KEYS}
        if wanted != set(served):
            out.append(f"{where}: keys {sorted(wanted)} != {sorted(served)}")
        for key in wanted & set(served):
            out += diff(recorded[key], served[key], f"{where}.{key}")
        return out
    if isinstance(recorded, list) and isinstance(served, list):
        if len(recorded) != len(served):
            return [f"{where}: {len(recorded)} items != {len(served)}: {served!r:.200}"]
        return [
            d
            for i, (r, s) in enumerate(zip(recorded, served, strict=True))
            for d in diff(r, s, f"{where}[{i}]")
        ]
    if type(recorded) is not type(served) or recorded != served:
        return [f"{where}: {recorded!r} != {served!r}"]
    return []


class Replay:
    """Replays the Sheets requests of the cassettes against one fake and tallies what it
    compared and what it skipped (and why)."""

    def __init__(self, fake: FakeGoogle):
        self.fake = fake
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + fake.grant(ROBOT, SCOPES)
        self.compared: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.mismatches: list[str] = []

    def cassette(self, path: Path) -> None:
        known: set[str] = set()  # spreadsheets the cassette made, so the fake has them too
        desynced: set[str] = set()  # ... after a change the fake does not model
        interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
        for number, interaction in enumerate(interactions):
            request, response = interaction["request"], interaction["response"]
            url = urlsplit(request["uri"])
            status = response["status"]["code"]
            if url.netloc != "sheets.googleapis.com":
                self.drive(request, response, known, desynced)
                continue
            sheet_id = re.match(r"/v4/spreadsheets/([^/:]+)", url.path).group(1)
            if sheet_id not in known and status in (403, 404):
                if status == 403:  # it exists, but is not shared with the caller
                    self.fake.add_spreadsheet(sheet_id, {}, shared_with={"owner@example.com"})
            elif sheet_id not in known:
                self.skipped["a spreadsheet the cassette did not create (listed, copied)"] += 1
                continue
            if sheet_id in desynced:
                self.skipped["after a change the fake does not model"] += 1
                continue
            kind = self.kind(request["method"], url)
            body = request["body"]
            if kind == "batchUpdate":
                body, why = self.batch_update(json.loads(body), response)
                if why == "invisible":
                    self.skipped["batchUpdate the fake need not model"] += 1
                    continue
                if why:
                    desynced.add(sheet_id)
                    self.skipped[f"{why} (not modelled), and what follows"] += 1
                    continue
            if kind == "metadata" and NOT_MODELLED_FIELDS.search(
                parse_qs(url.query).get("fields", [""])[0]
            ):
                self.skipped["metadata fields the fake does not model"] += 1
                continue
            self.compare(path.stem, number, request, response, kind, body)

    @staticmethod
    def kind(method: str, url) -> str:
        path = url.path
        if path.endswith(":batchUpdate"):
            return "values:batchUpdate" if "/values" in path else "batchUpdate"
        for verb in (":append", ":clear", ":batchGet", ":batchClear"):
            if path.endswith(verb):
                return "values" + verb
        if "/values/" in path:
            return {"GET": "values get", "PUT": "values update"}[method]
        return "metadata"

    def drive(self, request, response, known: set[str], desynced: set[str]) -> None:
        """Drive calls are not replayed; a spreadsheet Drive creates is made in the fake."""
        url = urlsplit(request["uri"])
        if request["method"] == "POST" and url.path == "/drive/v3/files":
            made = json.loads(request["body"])
            if made.get("mimeType") == "application/vnd.google-apps.spreadsheet":
                new_id = json.loads(response["body"]["string"])["id"]
                self.fake.add_spreadsheet(new_id, {"Sheet1": []}, title=made["name"])
                known.add(new_id)
        elif request["method"] in ("PUT", "POST", "PATCH"):  # an import or a copy: content
            file_id = re.search(r"/files/([^/?]+)", url.path)  # the fake cannot know
            if file_id:
                desynced.add(file_id.group(1))
        self.skipped["Drive API (not served by the fake)"] += 1

    def batch_update(self, body: dict, response) -> tuple[dict, str]:
        """The request to replay (addSheet given the sheetId Google chose, so that later
        requests naming it still match), or why it cannot be replayed."""
        kinds = [next(iter(r)) for r in body["requests"]]
        unmodelled = [k for k in kinds if not hasattr(FakeGoogle, f"_bu_{k}")]
        if unmodelled:
            return body, "invisible" if set(unmodelled) <= INVISIBLE_KINDS else unmodelled[0]
        recorded = json.loads(response["body"]["string"])
        for request, reply in zip(body["requests"], recorded.get("replies", []), strict=False):
            if "addSheet" in request and "addSheet" in reply:
                sheet_id = reply["addSheet"]["properties"]["sheetId"]
                request["addSheet"]["properties"]["sheetId"] = sheet_id
        return body, ""

    def compare(self, cassette: str, number: int, request, response, kind: str, body) -> None:
        url = urlsplit(request["uri"])
        target = self.fake.url + url.path + (f"?{url.query}" if url.query else "")
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Content-Type": "application/json"} if data else {}
        got = self.http.request(request["method"], target, data=data, headers=headers)
        recorded_status = response["status"]["code"]
        name = f"{cassette}#{number} {request['method']} {unquote(url.path)[16:]}?{url.query}"
        if got.status_code != recorded_status:
            self.mismatches.append(
                f"{name}: status {got.status_code} != {recorded_status}: {got.text:.300}"
            )
            return
        text = response["body"]["string"]
        problems = diff(json.loads(text) if text else {}, got.json() if got.content else {})
        self.mismatches += [f"{name}: {p}" for p in problems]
        self.compared[kind if recorded_status == 200 else f"{kind} ({recorded_status})"] += 1
        if kind == "batchUpdate":
            for item in body["requests"]:
                self.compared["  of which " + next(iter(item))] += 1


def test_the_fake_answers_the_recorded_sheets_requests_as_google_did():
    if not RECORDINGS.is_dir():
        pytest.skip(
            "the recorded Google traffic (../shared/google-api-recordings) is not on this machine"
        )
    with FakeGoogle() as fake:
        replay = Replay(fake)
        with replay.http:
            for cassette in sorted(RECORDINGS.glob("*.json")):
                replay.cassette(cassette)
    print("\ncompared:", dict(sorted(replay.compared.items())))
    print("skipped:", dict(replay.skipped))
    assert not replay.mismatches, "\n".join(replay.mismatches[:40])
    compared = sum(n for k, n in replay.compared.items() if not k.startswith(" "))
    assert compared >= 1000
    for kind in (
        "metadata",
        "values get",
        "values update",
        "values:batchGet",
        "values:batchUpdate",
        "values:append",
        "values:clear",
        "batchUpdate",
        "  of which addSheet",
        "  of which updateSheetProperties",
        "metadata (404)",
        "metadata (403)",
        "batchUpdate (400)",
        "values update (400)",
    ):
        assert replay.compared[kind] >= 1, kind
