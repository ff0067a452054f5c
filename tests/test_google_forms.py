"""The Forms API path of `init`, through the real googleapiclient against the loopback fake
(built from the discovery document the client ships): a form's questions read exactly, the
prefilled check-in link from the entry ids, the check-in form made, and what Google refuses
said in one line."""

from __future__ import annotations

import json
import webbrowser
from datetime import datetime

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError

from jobs.auth import sign_in
from jobs.backends import forms_credentials
from jobs.settings_file import load_settings
from mentoring.errors import ConfigError
from mentoring.letters import checkin_link
from mentoring.pairs import Person
from mentoring.questions import (
    CHECKBOX,
    CHOICE,
    DATE,
    OTHER,
    PARAGRAPH,
    SCALE,
    TEXT,
    FormShape,
    Question,
    entry_id,
    form_id,
    prefilled_checkin_link,
)
from sync.google import (
    FORMS_BODY,
    FORMS_READONLY,
    SHEETS_SCOPE,
    GoogleError,
    Retry,
    discovery_client,
    load_credentials,
)
from sync.google_forms import create_checkin_form, read_form
from tests.fakes.checkin_year import CHECKIN_HEADER
from tests.fakes.forms_api import METHODS, SCHEMAS, FormsApi
from tests.fakes.google_fake import FakeGoogle
from tests.fakes.google_program import PROGRAM_GMAIL, google_settings, oauth_client, user_token
from tests.test_gmail import SignInPage

EDIT = "https://docs.google.com/forms/d/{}/edit"
MENTEE_FORM = "1mentorSyncMenteeForm000000000000000000000000"
SKILLS = [
    "Instruction & information literacy",
    "Grant writing",
    "Tenure, promotion & publishing",
    "Leadership & management",
]
TIME_ZONES = ["UTC-8 Pacific", "UTC-5 Eastern", "UTC+1 Central Europe"]


def question(question_id: str, title: str, required: bool = False, **asks) -> dict:
    """An item as forms.get returns a question (false and empty fields left out)."""
    body = {"questionId": question_id, **({"required": True} if required else {}), **asks}
    return {"itemId": f"a{question_id[1:]}", "title": title, "questionItem": {"question": body}}


def choices(kind: str, values: list[str], other: bool = False) -> dict:
    options = [{"value": v} for v in values] + ([{"isOther": True}] if other else [])
    return {"choiceQuestion": {"type": kind, "options": options}}


MENTEE_ITEMS = [
    question("3e05d466", "Full name", True, textQuestion={}),
    question("0a1b2c3d", "Pronouns", textQuestion={}),
    {"itemId": "5f000001", "title": "About you", "pageBreakItem": {}},
    question(
        "11111111",
        "Which best describes you?",
        True,
        **choices("RADIO", ["Library school student", "Mid-career librarian"], other=True),
    ),
    question("22222222", "Skills you want to develop", True, **choices("CHECKBOX", SKILLS, True)),
    question("33333333", "Describe your goals", True, textQuestion={"paragraph": True}),
    question("44444444", "Time zone", **choices("DROP_DOWN", TIME_ZONES)),
    {"itemId": "5f000002", "title": "Thank you", "textItem": {}},
    question("55555555", "Years in libraries", scaleQuestion={"low": 0, "high": 3}),
    question("66666666", "Start date", dateQuestion={"includeYear": True}),
    question("77777777", "Best time to call", timeQuestion={}),
    question(
        "7fffffff", "Your confidence", ratingQuestion={"iconType": "STAR", "ratingScaleLevel": 3}
    ),
    {
        "itemId": "5f000003",
        "title": "How often",
        "questionGroupItem": {
            "questions": [
                {"questionId": "0000abcd", "rowQuestion": {"title": "Email"}},
                {"questionId": "0000abce", "rowQuestion": {"title": "Video call"}},
            ],
            "grid": {
                "columns": {"type": "RADIO", "options": [{"value": "Often"}, {"value": "Never"}]}
            },
        },
    },
]


def mentee_form(collect: str = "VERIFIED") -> dict:
    return {
        "formId": MENTEE_FORM,
        "info": {"title": "Mentee application", "documentTitle": "Mentee application"},
        "settings": {"emailCollectionType": collect},
        "items": MENTEE_ITEMS,
        "revisionId": "00000042",
        "responderUri": "https://docs.google.com/forms/d/e/1FAIpQLSmentee/viewform",
    }


@pytest.fixture
def fake():
    with FakeGoogle(seed=5) as google:
        yield google


def no_wait() -> Retry:
    return Retry(tries=3, sleep=lambda seconds: None)


def signed_in(fake, tmp_path, scopes) -> object:
    """A person's OAuth token allowing `scopes`, read from its file as the jobs read it."""
    token = tmp_path / "token.json"
    token.write_text(json.dumps(user_token(fake, scopes)))
    return load_credentials(str(token), scopes, what="the test")


def read(fake, creds, form: str = EDIT.format(MENTEE_FORM)) -> FormShape:
    return read_form(creds, form, endpoint=fake.url, timeout=5, retry=no_wait())


def create(fake, creds, title: str = "STS Mentoring check-in") -> FormShape:
    return create_checkin_form(creds, title, endpoint=fake.url, timeout=5, retry=no_wait())


# --------------------------------------------------------------------------------------------
# Reading a form
# --------------------------------------------------------------------------------------------


def test_a_forms_questions_are_read_exactly_with_kinds_options_and_entry_ids(fake, tmp_path):
    fake.add_form(mentee_form())
    shape = read(fake, signed_in(fake, tmp_path, [SHEETS_SCOPE, FORMS_READONLY]))
    assert shape.title == "Mentee application"
    assert shape.form_id == MENTEE_FORM
    assert shape.responder_url == "https://docs.google.com/forms/d/e/1FAIpQLSmentee/viewform"
    assert shape.collects_emails
    assert shape.questions == (
        Question("Full name", TEXT, entry_id="entry.1040569446", required=True),
        Question("Pronouns", TEXT, entry_id="entry.169552957"),
        Question(
            "Which best describes you?",
            CHOICE,
            ("Library school student", "Mid-career librarian"),
            other=True,
            entry_id="entry.286331153",
            required=True,
        ),
        Question(
            "Skills you want to develop",
            CHECKBOX,
            tuple(SKILLS),
            other=True,
            entry_id="entry.572662306",
            required=True,
        ),
        Question("Describe your goals", PARAGRAPH, entry_id="entry.858993459", required=True),
        Question("Time zone", CHOICE, tuple(TIME_ZONES), entry_id="entry.1145324612"),
        Question("Years in libraries", SCALE, ("0", "1", "2", "3"), entry_id="entry.1431655765"),
        Question("Start date", DATE, entry_id="entry.1717986918"),
        Question("Best time to call", OTHER, entry_id="entry.2004318071"),
        Question("Your confidence", SCALE, ("1", "2", "3"), entry_id="entry.2147483647"),
        Question("How often [Email]", CHOICE, ("Often", "Never"), entry_id="entry.43981"),
        Question("How often [Video call]", CHOICE, ("Often", "Never"), entry_id="entry.43982"),
    )


def test_an_option_with_a_comma_stays_one_option(fake, tmp_path):
    fake.add_form(mentee_form())
    shape = read(fake, signed_in(fake, tmp_path, [FORMS_READONLY]))
    skills = next(q for q in shape.questions if q.title == "Skills you want to develop")
    assert "Tenure, promotion & publishing" in skills.options
    assert len(skills.options) == 4  # "Other" is not an option: it is `other`


@pytest.mark.parametrize(
    ("collect", "collects"),
    [("VERIFIED", True), ("RESPONDER_INPUT", True), ("DO_NOT_COLLECT", False), (None, False)],
)
def test_whether_a_form_collects_email_addresses_is_read(fake, tmp_path, collect, collects):
    form = mentee_form()
    if collect is None:  # a form Google answers without the setting
        del form["settings"]
    else:
        form["settings"]["emailCollectionType"] = collect
    fake.add_form(form)
    assert read(fake, signed_in(fake, tmp_path, [FORMS_READONLY])).collects_emails is collects


@pytest.mark.parametrize(
    "address",
    [
        EDIT.format(MENTEE_FORM),
        f"https://docs.google.com/forms/u/1/d/{MENTEE_FORM}/edit#responses",
        f"  {MENTEE_FORM} ",
    ],
)
def test_a_form_is_found_by_its_edit_address_or_its_id(address):
    assert form_id(address) == MENTEE_FORM


@pytest.mark.parametrize(
    "address",
    [
        "https://docs.google.com/forms/d/e/1FAIpQLSmentee_responder_id_000000000/viewform",
        "https://forms.gle/AbCdEf123456",
        "1FAIpQLSmentee_responder_id_0000000000000000000000000",
    ],
)
def test_a_responder_address_is_refused_with_the_fix_and_nothing_is_asked(fake, tmp_path, address):
    creds = signed_in(fake, tmp_path, [FORMS_READONLY])
    fake.reset_counts()
    with pytest.raises(ConfigError) as refused:
        read(fake, creds, address)
    assert str(refused.value) == (
        f"'{address}' is the address where people answer the form, which Google does not let"
        " mentor-sync read; give the form's edit address instead (open the form in Google Forms"
        " and copy https://docs.google.com/forms/d/.../edit from the browser)"
    )
    assert fake.count("forms") == 0


def test_an_address_that_is_no_form_is_refused():
    with pytest.raises(ConfigError, match=r"'https://example\.org/form' is not a Google form's"):
        form_id("https://example.org/form")


def test_a_missing_forms_scope_is_one_line_naming_the_auth_command(fake, tmp_path):
    fake.add_form(mentee_form())
    with pytest.raises(GoogleError) as refused:
        read(fake, signed_in(fake, tmp_path, [SHEETS_SCOPE]))
    assert str(refused.value) == (
        f"reading the form {MENTEE_FORM} failed (403 PERMISSION_DENIED: Request had"
        " insufficient authentication scopes.); the sign-in does not allow Google Forms;"
        " run mentor-sync auth forms"
    )
    assert fake.count("forms") == 1  # a refusal is not tried again


def test_a_form_not_shared_with_the_account_says_so(fake, tmp_path):
    fake.add_form(mentee_form(), shared_with={"someone.else@example.org"})
    with pytest.raises(GoogleError, match="403") as refused:
        read(fake, signed_in(fake, tmp_path, [FORMS_READONLY]))
    assert str(refused.value).endswith(
        f"check the form's address, and that the form is shared with {PROGRAM_GMAIL} (as an"
        " editor) or owned by it"
    )


def test_a_form_google_failed_to_read_once_is_read_on_the_next_try(fake, tmp_path):
    fake.add_form(mentee_form())
    creds = signed_in(fake, tmp_path, [FORMS_READONLY])
    fake.faults.fail_next(1, "503", api="forms")
    assert read(fake, creds).title == "Mentee application"
    assert [r.status for r in fake.requests if r.api == "forms"] == [503, 200]


# --------------------------------------------------------------------------------------------
# The prefilled link
# --------------------------------------------------------------------------------------------

CHECKIN_TITLES = {"email": "Email Address", "partner": "Partner's email", "role": "I am the"}
RESPONDER = "https://docs.google.com/forms/d/e/1FAIpQLScheckin/viewform"


def checkin_shape(*questions: Question, collects_emails: bool = True) -> FormShape:
    return FormShape("Check-in", questions, RESPONDER, collects_emails=collects_emails)


def test_an_entry_id_is_the_decimal_of_the_hexadecimal_question_id():
    assert entry_id("3e05d466") == "entry.1040569446"
    assert entry_id("7fffffff") == "entry.2147483647"
    assert entry_id("not hex") == ""


def test_a_form_collecting_addresses_gets_a_link_prefilling_partner_and_role():
    shape = checkin_shape(
        Question("I am the", CHOICE, ("Mentee", "Mentor"), entry_id="entry.11"),
        Question("Partner's email", TEXT, entry_id="entry.22"),
    )
    link = prefilled_checkin_link(shape, CHECKIN_TITLES)
    assert link == f"{RESPONDER}?usp=pp_url&entry.22={{partner}}&entry.11={{role}}"
    ana = Person("ana@m.org", "Ana Diaz", "Mentee")
    tom = Person("tom+x@t.org", "Tom Ito", "Mentor")
    assert checkin_link(link, ana, tom) == (
        f"{RESPONDER}?usp=pp_url&entry.22=tom%2Bx@t.org&entry.11=Mentee"
    )


def test_an_email_question_is_prefilled_too_when_the_form_asks_it():
    shape = checkin_shape(
        Question("email address", TEXT, entry_id="entry.33"),  # matched as headers are
        Question("I am the", CHOICE, ("Mentee", "Mentor"), entry_id="entry.11"),
        Question("Partner's email", TEXT, entry_id="entry.22"),
        collects_emails=False,
    )
    link = prefilled_checkin_link(shape, CHECKIN_TITLES)
    assert (
        link == f"{RESPONDER}?usp=pp_url&entry.33={{email}}&entry.22={{partner}}&entry.11={{role}}"
    )


def test_a_check_in_form_without_the_partner_question_has_no_link_and_says_which():
    shape = checkin_shape(
        Question("I am the", CHOICE, entry_id="entry.11"),
        Question("Partners email", TEXT, entry_id="entry.22"),
    )
    with pytest.raises(ConfigError) as refused:
        prefilled_checkin_link(shape, CHECKIN_TITLES)
    assert str(refused.value) == (
        "the check-in form 'Check-in' has no question 'Partner's email'"
        " (checkin_form.questions.partner); did you mean 'Partners email'?"
    )


def test_questions_from_a_response_tab_make_no_link():
    shape = checkin_shape(Question("I am the", CHOICE), Question("Partner's email", TEXT))
    with pytest.raises(ConfigError, match="has no entry id; read the form through the Forms API"):
        prefilled_checkin_link(shape, CHECKIN_TITLES)


# --------------------------------------------------------------------------------------------
# Making the check-in form
# --------------------------------------------------------------------------------------------


def test_the_check_in_form_is_made_with_exactly_form_3s_questions(fake, tmp_path, settings):
    shape = create(fake, signed_in(fake, tmp_path, [SHEETS_SCOPE, FORMS_BODY]))
    made = fake.form(shape.form_id)
    titles = settings.checkin_form.questions
    asked = [(item["title"], item["questionItem"]["question"]) for item in made["items"]]
    assert [(title, {k: v for k, v in q.items() if k != "questionId"}) for title, q in asked] == [
        (
            titles["role"],
            {"required": True, **choices("RADIO", ["Mentee", "Mentor"])},
        ),
        (titles["partner"], {"required": True, "textQuestion": {}}),
        (titles["rating"], {"required": True, "scaleQuestion": {"low": 1, "high": 5}}),
        (titles["met"], {"required": True, **choices("RADIO", ["Yes", "No"])}),
        (titles["progress"], {"textQuestion": {"paragraph": True}}),
        (titles["contact"], {"required": True, **choices("RADIO", ["Yes", "No"])}),
    ]
    assert [t for t, _ in asked] == list(CHECKIN_HEADER[2:])  # Form 3, after Timestamp and Email
    assert made["info"]["title"] == "STS Mentoring check-in"
    assert made["settings"] == {"emailCollectionType": "VERIFIED"}
    assert made["publishSettings"] == {
        "publishState": {"isPublished": True, "isAcceptingResponses": True}
    }
    ids = [q["questionId"] for _, q in asked]
    assert [q.entry_id for q in shape.questions] == [f"entry.{int(i, 16)}" for i in ids]
    assert shape.collects_emails and shape.responder_url == made["responderUri"]
    assert shape == read(fake, signed_in(fake, tmp_path, [FORMS_READONLY]), shape.form_id)


def test_the_made_forms_link_prefills_partner_and_role_from_its_own_ids(fake, tmp_path, settings):
    shape = create(fake, signed_in(fake, tmp_path, [FORMS_BODY]))
    by_title = {q.title: q.entry_id for q in shape.questions}
    partner, role = by_title["Partner's email"], by_title["I am the"]
    link = prefilled_checkin_link(shape, settings.checkin_form.questions)
    assert link == f"{shape.responder_url}?usp=pp_url&{partner}={{partner}}&{role}={{role}}"


def test_making_the_check_in_form_costs_four_calls_and_publishes_it_last(fake, tmp_path):
    shape = create(fake, signed_in(fake, tmp_path, [FORMS_BODY]))
    calls = [
        (r.method, r.path.replace(shape.form_id, "ID"), r.query.get("unpublished"))
        for r in fake.requests
        if r.api == "forms"
    ]
    assert calls == [
        ("POST", "/v1/forms", ["true"]),  # made unpublished: nobody sees it half-made
        ("POST", "/v1/forms/ID:batchUpdate", None),
        ("POST", "/v1/forms/ID:setPublishSettings", None),
        ("GET", "/v1/forms/ID", None),
    ]


def test_reading_scope_alone_makes_no_form_and_names_the_auth_command(fake, tmp_path):
    with pytest.raises(
        GoogleError, match=r"; the sign-in does not allow Google Forms; run mentor-sync auth forms$"
    ):
        create(fake, signed_in(fake, tmp_path, [SHEETS_SCOPE, FORMS_READONLY]))
    assert fake.forms_api.forms == {}


def test_a_create_google_may_have_done_is_not_tried_again(fake, tmp_path):
    creds = signed_in(fake, tmp_path, [FORMS_BODY])
    fake.faults.fail_next(1, "500_after", api="forms")  # made, and yet a 500 is the answer
    with pytest.raises(GoogleError) as unclear:
        create(fake, creds, "Check-in 2026")
    assert str(unclear.value) == (
        "making the form 'Check-in 2026' got no clear answer (500 INTERNAL: Internal error"
        " encountered.); Google may have made it all the same: look in Google Forms for an"
        " empty form of that title, delete it, and try again"
    )
    assert len(fake.forms_api.forms) == 1  # one form, not two


@pytest.mark.parametrize("fault", ["503_after", "503"])
def test_questions_whose_adding_got_no_clear_answer_are_added_once(fake, tmp_path, fault):
    creds = signed_in(fake, tmp_path, [FORMS_BODY])
    fake.faults.fail_next(1, "skip", api="forms")  # forms.create goes through
    fake.faults.fail_next(1, fault, api="forms")  # the batchUpdate: done or not, then a 503
    shape = create(fake, creds)
    assert len(shape.questions) == 6
    assert len(fake.form(shape.form_id)["items"]) == 6


def test_a_form_made_but_not_finished_is_named_so_it_can_be_deleted(fake, tmp_path):
    creds = signed_in(fake, tmp_path, [FORMS_BODY])
    fake.faults.fail_next(1, "skip", api="forms")
    fake.faults.fail_next(3, "503", api="forms")  # every try of the batchUpdate
    with pytest.raises(GoogleError) as unfinished:
        create(fake, creds)
    (made,) = fake.forms_api.forms
    assert str(unfinished.value).endswith(
        f"; the form was made but not finished: delete it in Google Forms"
        f" ({EDIT.format(made)}) and try again"
    )


# --------------------------------------------------------------------------------------------
# The fake follows the discovery document
# --------------------------------------------------------------------------------------------


@pytest.fixture
def forms(fake):
    """googleapiclient's Forms service, as sync/google_forms.py makes it, with a token that
    may make forms."""
    token = Credentials(fake.grant("robot@example.org", [FORMS_BODY]))
    service = discovery_client("forms", "v1", token, fake.url, timeout=5)
    yield service.forms()
    service.close()


def test_the_fake_refuses_a_body_field_the_discovery_document_does_not_have(fake, forms):
    made = forms.create(body={"info": {"title": "Check-in"}}).execute()
    item = {"title": "Partner", "questionItem": {"question": {"textQuestion": {"maxLength": 5}}}}
    body = {"requests": [{"createItem": {"item": item, "location": {"index": 0}}}]}
    with pytest.raises(HttpError) as refused:
        forms.batchUpdate(formId=made["formId"], body=body).execute()
    assert refused.value.resp.status == 400
    assert json.loads(refused.value.content)["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "maxLength" at'
        " 'requests[0].create_item.item.question_item.question.text_question': Cannot find field."
    )
    assert "items" not in fake.form(made["formId"])  # the batch is refused whole


def test_the_fake_refuses_a_value_outside_the_documents_enum(fake, forms):
    made = forms.create(body={"info": {"title": "Check-in"}}).execute()
    settings = {"settings": {"emailCollectionType": "ALWAYS"}, "updateMask": "*"}
    with pytest.raises(HttpError, match="email_collection_type") as refused:
        forms.batchUpdate(
            formId=made["formId"], body={"requests": [{"updateSettings": settings}]}
        ).execute()
    assert refused.value.resp.status == 400


def test_the_fake_takes_every_field_the_document_has_for_a_question(fake, forms):
    made = forms.create(body={"info": {"title": "Check-in"}}).execute()
    options = [{"value": "Yes", "goToAction": "NEXT_SECTION"}, {"value": "No"}]
    choice = {"type": "RADIO", "options": options, "shuffle": True}
    item = {
        "title": "Met?",
        "description": "Since the last check-in",
        "questionItem": {"question": {"required": True, "choiceQuestion": choice}},
    }
    body = {"requests": [{"createItem": {"item": item, "location": {"index": 0}}}]}
    reply = forms.batchUpdate(formId=made["formId"], body=body).execute()
    (created,) = reply["replies"]
    assert len(created["createItem"]["questionId"][0]) == 8
    assert (
        fake.form(made["formId"])["items"][0]["questionItem"]["question"]["choiceQuestion"]
        == choice
    )


def test_the_fake_applies_a_batch_only_to_the_revision_it_names(fake, forms):
    made = forms.create(body={"info": {"title": "Check-in"}}).execute()
    item = {"title": "Partner", "questionItem": {"question": {"textQuestion": {}}}}
    add = {"createItem": {"item": item, "location": {"index": 0}}}
    stale = {"requests": [add], "writeControl": {"requiredRevisionId": "00000000"}}
    with pytest.raises(HttpError, match="is not the latest revision"):
        forms.batchUpdate(formId=made["formId"], body=stale).execute()
    current = {"requiredRevisionId": made["revisionId"]}
    body = {"requests": [add, add], "writeControl": current, "includeFormInResponse": True}
    reply = forms.batchUpdate(formId=made["formId"], body=body).execute()
    assert [i["title"] for i in reply["form"]["items"]] == ["Partner", "Partner"]
    body = {"requests": [{"deleteItem": {"location": {"index": 1}}}]}
    forms.batchUpdate(formId=made["formId"], body=body).execute()
    narrowed = forms.get(formId=made["formId"], fields="items(title)").execute()
    assert narrowed == {"items": [{"title": "Partner"}]}


def test_the_fakes_methods_are_the_documents():
    modelled = {"forms.create", *FormsApi.HANDLERS}  # what the fake routes, by name
    assert modelled == {
        "forms.get",
        "forms.create",
        "forms.batchUpdate",
        "forms.setPublishSettings",
    }
    assert modelled <= {m.name for m in METHODS}
    assert {"Form", "BatchUpdateFormRequest", "SetPublishSettingsRequest"} <= set(SCHEMAS)


# --------------------------------------------------------------------------------------------
# Signing in for Google Forms, and the setting
# --------------------------------------------------------------------------------------------


def test_auth_forms_keeps_one_token_for_the_spreadsheet_and_the_forms(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake's token endpoint is http
    token_line = 'credentials = "credentials/sheets-token.json"\n'
    settings_path = google_settings(
        tmp_path, fake, extra=token_line + f'forms_endpoint = "{fake.url}"\n'
    )
    settings = load_settings(settings_path)
    oauth_client(tmp_path, fake.token_uri, fake)
    webbrowser.register("sign-in-page", None, SignInPage(fake))
    said = sign_in(settings, "forms", datetime(2026, 11, 30, 9), browser="sign-in-page")
    token = tmp_path / "credentials" / "sheets-token.json"
    assert said == f"wrote {token} (readable only by you), allowing {FORMS_BODY}, {SHEETS_SCOPE}"
    assert json.loads(token.read_text())["scopes"] == sorted([SHEETS_SCOPE, FORMS_BODY])
    fake.add_form(mentee_form())
    google = settings.google
    shape = read_form(
        forms_credentials(settings), MENTEE_FORM, endpoint=google.forms_endpoint, retry=no_wait()
    )
    assert shape.title == "Mentee application"


def test_the_forms_endpoint_is_google_unless_set(settings):
    assert settings.google.forms_endpoint == "https://forms.googleapis.com"


def test_a_forms_endpoint_that_is_no_address_is_refused(settings_file):
    settings_file.write_text('[google]\nforms_endpoint = "forms"\n')
    with pytest.raises(
        ConfigError, match=r"setting 'google\.forms_endpoint' must be a web address"
    ):
        load_settings(settings_file)
