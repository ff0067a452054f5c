"""Google Forms through the Forms API v1 (google-api-python-client, from the discovery
document the library ships): a form's questions read exactly, and the check-in form made.

`read_form` is one forms.get. `create_checkin_form` is forms.create (which takes the title
only, and leaves the form unpublished), one forms.batchUpdate adding every question and
turning on "Collect email addresses", forms.setPublishSettings to publish it, and a last
forms.get for the questions' ids. Forms created through the API are unpublished by default
since 2026 (Google's "API changes to Google Forms"), so publishing is asked for; doing it
after the questions are in means nobody ever sees a half-made form.

A prefilled link names a question "entry." and its questionId read as a hexadecimal number
(mentoring.questions.entry_id). Google's reference does not say so; code that builds
prefilled links from the API relies on it, and no test here can check it against Google.

Calls go through the project's Retry. forms.create is not tried again after an answer that
does not prove it failed (a 5xx, or none): Google may have made the form. The batchUpdate
is tried again only after forms.get shows the questions are not in (Google applies a batch
whole or not at all).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mentoring.errors import ConfigError
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
    checkin_questions,
    entry_id,
    form_id,
)
from sync.google import (
    CallProblem,
    Credentials,
    GoogleError,
    Retry,
    describe,
    discovery_client,
    identity,
    signed_in,
)

GOOGLE_FORMS = "https://forms.googleapis.com"
DEFAULT_TIMEOUT = 30.0
# The emails carry each person's address to the committee: the form records it itself.
EMAIL_COLLECTION = "VERIFIED"
COLLECTING = {"VERIFIED", "RESPONDER_INPUT"}  # FormSettings.emailCollectionType values
_CHOICE_KINDS = {"RADIO": CHOICE, "DROP_DOWN": CHOICE, "CHECKBOX": CHECKBOX}
T = TypeVar("T")


def read_form(
    credentials: Credentials,
    form: str,
    *,
    endpoint: str = GOOGLE_FORMS,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry | None = None,
) -> FormShape:
    """The questions of `form` (its edit address or id) exactly as the form asks them.

    Raises ConfigError for an address where people answer the form (the API cannot read
    it), and GoogleError, in one line saying what to do, when Google refuses or fails.
    """
    wanted = form_id(form)
    with _Forms(credentials, endpoint, timeout, retry) as session:
        return shape_of(session.get(wanted))


def create_checkin_form(
    credentials: Credentials,
    title: str,
    *,
    questions: Mapping[str, str] | None = None,
    endpoint: str = GOOGLE_FORMS,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry | None = None,
) -> FormShape:
    """Make the check-in form (Form 3), titled `title`, collecting respondents' email
    addresses and published; its questions are titled as `questions`
    (checkin_form.questions: field to title) names them, the shipped defaults unless given.

    Raises GoogleError when Google refuses or fails; once the form exists, the message
    gives its address, to finish or delete it.
    """
    asked = checkin_questions(questions or shipped_checkin_titles())
    with _Forms(credentials, endpoint, timeout, retry) as session:
        made = session.create(title)
        try:
            session.add_questions(made, asked)
            session.publish(made)
            return shape_of(session.get(made))
        except GoogleError as exc:
            raise GoogleError(
                f"{exc}; the form was made but not finished: delete it in Google Forms"
                f" (https://docs.google.com/forms/d/{made}/edit) and try again",
                exc.status,
                exc.reason,
                exc.detail,
            ) from exc


def shipped_checkin_titles() -> dict[str, str]:
    """The check-in questions' titles in the shipped settings (checkin_form.questions)."""
    import tomllib
    from importlib import resources

    text = resources.files("config").joinpath("settings.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["checkin_form"]["questions"])


class _Forms:
    """The Forms API for one person's credentials: each call tried as Retry says, and its
    failure told in terms of forms."""

    def __init__(
        self, credentials: Credentials, endpoint: str, timeout: float, retry: Retry | None
    ):
        self.retry = retry or Retry()
        self.account = identity(credentials)
        signed_in(credentials, timeout, self.retry, "Google Forms")
        self.service = discovery_client("forms", "v1", credentials, endpoint, timeout)
        self.forms = self.service.forms()

    def __enter__(self) -> _Forms:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.service.close()

    def get(self, form: str) -> dict[str, Any]:
        request = self.forms.get(formId=form)
        return self._call(f"reading the form {form}", lambda: request.execute(num_retries=0))

    def create(self, title: str) -> str:
        """A new, empty, unpublished form titled `title`; its id."""
        request = self.forms.create(body={"info": {"title": title}}, unpublished=True)

        def once() -> dict[str, Any]:
            try:
                return request.execute(num_retries=0)
            except Exception as exc:
                problem = describe(exc)
                if problem is not None and problem.maybe_done:
                    raise _maybe_made(title, problem) from exc
                raise

        return str(self._call(f"making the form '{title}'", once)["formId"])

    def add_questions(self, form: str, questions: tuple[Question, ...]) -> None:
        """Add `questions` in order and turn on "Collect email addresses", in one batch."""
        requests: list[dict[str, Any]] = [
            {"createItem": {"item": item_of(question), "location": {"index": index}}}
            for index, question in enumerate(questions)
        ]
        requests.append(
            {
                "updateSettings": {
                    "settings": {"emailCollectionType": EMAIL_COLLECTION},
                    "updateMask": "emailCollectionType",
                }
            }
        )
        request = self.forms.batchUpdate(formId=form, body={"requests": requests})
        tried = False

        def once() -> None:
            nonlocal tried
            if tried and self.forms.get(formId=form).execute(num_retries=0).get("items"):
                return  # the try that got no clear answer was done
            tried = True
            request.execute(num_retries=0)

        self._call(f"adding the questions to the form {form}", once)

    def publish(self, form: str) -> None:
        """Publish the form, open to responses (setting it again changes nothing)."""
        state = {"isPublished": True, "isAcceptingResponses": True}
        body = {"publishSettings": {"publishState": state}, "updateMask": "publishState"}
        request = self.forms.setPublishSettings(formId=form, body=body)
        self._call(f"publishing the form {form}", lambda: request.execute(num_retries=0))

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return self.retry.call(what, call)
        except GoogleError as exc:
            raise _in_terms_of_forms(what, exc, self.account) from exc


def _maybe_made(title: str, problem: CallProblem) -> GoogleError:
    said = f"{problem.status} {problem.reason}: " if problem.status else ""
    return GoogleError(
        f"making the form '{title}' got no clear answer ({said}{problem.message}); Google may"
        " have made it all the same: look in Google Forms for an empty form of that title,"
        " delete it, and try again",
        problem.status,
        problem.reason,
        problem.message,
    )


def _in_terms_of_forms(what: str, exc: GoogleError, account: str) -> GoogleError:
    """`exc` with the advice that fits a form instead of a spreadsheet."""
    said = f"{what} failed ({exc.status} {exc.reason}: {exc.detail})".replace(" :", ":")
    if exc.status == 403 and "scope" in exc.detail.lower():
        advice = "the sign-in does not allow Google Forms; run mentor-sync auth forms"
    elif exc.status == 403 and exc.reason == "SERVICE_DISABLED":
        advice = (
            "turn on the Google Forms API for the Cloud project (APIs & Services > Library >"
            " Google Forms API)"
        )
    elif exc.status in (403, 404):
        advice = (
            f"check the form's address, and that the form is shared with {account} (as an"
            " editor) or owned by it"
        )
    elif exc.status == 400:
        advice = "Google could not use mentor-sync's request: report this message"
    else:
        return exc  # no answer, 401, 429, 5xx: the general advice fits
    return GoogleError(f"{said}; {advice}", exc.status, exc.reason, exc.detail)


# --------------------------------------------------------------------------------------------
# Items of the Forms API and mentor-sync's questions
# --------------------------------------------------------------------------------------------


def shape_of(form: Mapping[str, Any]) -> FormShape:
    """A FormShape from a Form resource as forms.get returns it."""
    settings = form.get("settings") or {}
    questions: list[Question] = []
    for item in form.get("items") or ():
        questions.extend(questions_of(item))
    return FormShape(
        title=str((form.get("info") or {}).get("title", "")),
        questions=tuple(questions),
        responder_url=str(form.get("responderUri", "")),
        form_id=str(form.get("formId", "")),
        collects_emails=settings.get("emailCollectionType") in COLLECTING,
    )


def questions_of(item: Mapping[str, Any]) -> list[Question]:
    """The questions of one item as its answers land in the response tab: a question item is
    one, a grid one per row ("Title [Row]"), and text, images, videos and page breaks none."""
    title = str(item.get("title", ""))
    if "questionItem" in item:
        return [question_of(title, item["questionItem"].get("question") or {})]
    group = item.get("questionGroupItem")
    if not group:
        return []
    columns = (group.get("grid") or {}).get("columns") or {}
    return [
        question_of(
            f"{title} [{(row.get('rowQuestion') or {}).get('title', '')}]",
            {**row, "choiceQuestion": columns},
        )
        for row in group.get("questions") or ()
    ]


def question_of(title: str, question: Mapping[str, Any]) -> Question:
    """One Question from the API's, with its kind, options and prefill entry id."""
    kind, other = OTHER, False
    options: tuple[str, ...] = ()
    if "choiceQuestion" in question:
        choice = question["choiceQuestion"]
        kind = _CHOICE_KINDS.get(choice.get("type", ""), OTHER)
        listed = choice.get("options") or ()
        options = tuple(str(o.get("value", "")) for o in listed if not o.get("isOther"))
        other = any(o.get("isOther") for o in listed)
    elif "textQuestion" in question:
        kind = PARAGRAPH if question["textQuestion"].get("paragraph") else TEXT
    elif "scaleQuestion" in question:
        scale = question["scaleQuestion"]
        kind = SCALE
        options = tuple(str(n) for n in range(scale.get("low", 0), scale.get("high", 0) + 1))
    elif "ratingQuestion" in question:
        kind = SCALE
        levels = question["ratingQuestion"].get("ratingScaleLevel", 0)
        options = tuple(str(n) for n in range(1, levels + 1))
    elif "dateQuestion" in question:
        kind = DATE
    return Question(
        title=title,
        kind=kind,
        options=options,
        other=other,
        entry_id=entry_id(str(question.get("questionId", ""))),
        required=bool(question.get("required", False)),
    )


def item_of(question: Question) -> dict[str, Any]:
    """The Forms API item that asks `question` (the inverse of question_of)."""
    if question.kind in (CHOICE, CHECKBOX):
        options: list[dict[str, Any]] = [{"value": value} for value in question.options]
        if question.other:
            options.append({"isOther": True})
        asks: dict[str, Any] = {
            "choiceQuestion": {
                "type": "CHECKBOX" if question.kind == CHECKBOX else "RADIO",
                "options": options,
            }
        }
    elif question.kind in (TEXT, PARAGRAPH):
        asks = {"textQuestion": {"paragraph": question.kind == PARAGRAPH}}
    elif question.kind == SCALE:
        numbers = [int(n) for n in question.options]
        asks = {"scaleQuestion": {"low": min(numbers), "high": max(numbers)}}
    elif question.kind == DATE:
        asks = {"dateQuestion": {"includeYear": True}}
    else:
        raise ConfigError(f"mentor-sync cannot make a question of kind '{question.kind}'")
    body = {"required": question.required, **asks}
    return {"title": question.title, "questionItem": {"question": body}}
