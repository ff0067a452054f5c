"""The Google Forms API v1 of the loopback fake (tests/fakes/google_fake.py), built from the
discovery document google-api-python-client ships (discovery_cache/documents/forms.v1.json).

From the document come each method's path, HTTP verb, query parameters and scopes, and the
schema every request body is checked against: a field the document does not have, a value
of the wrong type or outside an enum is answered 400 as Google answers it ("Invalid JSON
payload received. Unknown name ..."). A body the client sends that Google would refuse is
refused here, so the fake cannot drift from the client it serves.

Modelled: forms.get (with `fields`), forms.create (the title only; unpublished unless
`unpublished=false`, as Google makes forms created through the API since 2026),
forms.batchUpdate (createItem, deleteItem, updateFormInfo, updateSettings; atomic, with
writeControl and includeFormInResponse) and forms.setPublishSettings. Item and question ids
are 8 hexadecimal digits, as Google makes them. What a form's answers look like (responses,
watches) is not modelled: such a call is refused with a 400 that says so.
"""

from __future__ import annotations

import copy
import json
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import ClassVar

from tests.fakes.google_fake import ApiError, apply_mask, bad_request, mask_paths

DISCOVERY = json.loads(
    resources.files("googleapiclient")
    .joinpath("discovery_cache/documents/forms.v1.json")
    .read_text(encoding="utf-8")
)
SCHEMAS: dict[str, dict] = DISCOVERY["schemas"]
GLOBAL_PARAMETERS = set(DISCOVERY["parameters"])
INSUFFICIENT_SCOPES = "Request had insufficient authentication scopes."
QUESTION_KINDS = tuple(k for k in SCHEMAS["Question"]["properties"] if k.endswith("Question"))
ITEM_KINDS = tuple(k for k in SCHEMAS["Item"]["properties"] if k.endswith("Item"))
REQUEST_KINDS = tuple(SCHEMAS["Request"]["properties"])
FILE_ID = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class Method:
    """One method of the discovery document: `name` as "forms.batchUpdate"."""

    name: str
    http_method: str
    path: re.Pattern
    request: str | None  # the schema of its body
    parameters: frozenset[str]  # its query parameters, the document's global ones included
    scopes: frozenset[str]


def methods(resources_: dict, prefix: str = "") -> list[Method]:
    """Every method of the document's resources, nested ones included."""
    found = []
    for name, resource in resources_.items():
        for verb, method in resource.get("methods", {}).items():
            found.append(
                Method(
                    name=f"{prefix}{name}.{verb}",
                    http_method=method["httpMethod"],
                    path=_pattern(method["flatPath"]),
                    request=(method.get("request") or {}).get("$ref"),
                    parameters=frozenset(method.get("parameters", {})) | GLOBAL_PARAMETERS,
                    scopes=frozenset(method["scopes"]),
                )
            )
        found += methods(resource.get("resources", {}), f"{prefix}{name}.")
    return found


def _pattern(flat_path: str) -> re.Pattern:
    """The request paths of a method: "v1/forms/{formId}:batchUpdate", its {names} captured."""
    parts = re.split(r"\{(\w+)\}", flat_path)
    return re.compile(
        "/"
        + "".join(re.escape(p) if n % 2 == 0 else f"(?P<{p}>[^/:]+)" for n, p in enumerate(parts))
    )


METHODS = methods(DISCOVERY["resources"])


# --------------------------------------------------------------------------------------------
# Bodies against the document's schemas
# --------------------------------------------------------------------------------------------


def snake(name: str) -> str:
    """A JSON field name as Google names it in messages: the proto field (create_item)."""
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


def camel(name: str) -> str:
    """A proto field name (create_item), which Google also accepts, as its JSON name."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def checked(value, schema: dict, where: str = ""):
    """`value` as Google reads it against `schema` (field names in their JSON form); raises
    Google's 400 for an unknown field, a wrong type or a value outside an enum."""
    if "$ref" in schema:
        return checked(value, SCHEMAS[schema["$ref"]], where)
    kind = schema.get("type")
    if kind == "object":
        return _checked_object(value, schema, where)
    if kind == "array":
        if not isinstance(value, list):
            raise _invalid(where, "TYPE_MESSAGE", value)
        return [checked(item, schema["items"], f"{where}[{n}]") for n, item in enumerate(value)]
    if kind == "string":
        if schema.get("format") == "int64" and isinstance(value, int) and value is not True:
            return str(value)
        if not isinstance(value, str):
            raise _invalid(where, "TYPE_STRING", value)
        if "enum" in schema and value not in schema["enum"]:
            raise _invalid(where, "enum", value)
        return value
    if kind == "integer":
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _invalid(where, f"TYPE_{schema.get('format', 'int32').upper()}", value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _invalid(where, "TYPE_BOOL", value)
        return value
    if kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _invalid(where, "TYPE_DOUBLE", value)
        return value
    return value  # "any"


def _checked_object(value, schema: dict, where: str) -> dict:
    if not isinstance(value, dict):
        raise _invalid(where, "TYPE_MESSAGE", value)
    properties = schema.get("properties", {})
    out = {}
    for key, item in value.items():
        name = camel(key)
        if name in properties:
            out[name] = checked(item, properties[name], _joined(where, snake(name)))
        elif "additionalProperties" in schema:
            out[key] = checked(item, schema["additionalProperties"], f"{where}[{key}]")
        else:
            at = f" at '{where}'" if where else ""
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.',
                details=[_violation(where, f'Unknown name "{key}"')],
            )
    return out


def _joined(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _invalid(where: str, expected: str, value) -> ApiError:
    message = f"Invalid value at '{where}' ({expected}), {json.dumps(value)}"
    return bad_request(message, details=[_violation(where, message)])


def _violation(where: str, description: str) -> dict:
    return {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": where, "description": description}],
    }


def proto_json(value):
    """`value` as Google writes a message back: fields at their default (false, 0, "", an
    empty list) left out; a message that is set stays, even empty ("textQuestion": {})."""
    if isinstance(value, dict):
        return {
            key: proto_json(item)
            for key, item in value.items()
            if item not in (False, 0, "", [], None)
        }
    if isinstance(value, list):
        return [proto_json(item) for item in value]
    return value


# The order of a Form's fields in Google's answers.
FORM_ORDER = ("formId", "info", "settings", "items", "revisionId", "responderUri")


def in_order(form: dict) -> dict:
    rank = {name: n for n, name in enumerate(FORM_ORDER)}
    return dict(sorted(form.items(), key=lambda field: rank.get(field[0], len(rank))))


class Refused(Exception):
    """A batchUpdate request Google refuses; the batch adds "Invalid requests[N].kind: "."""


# --------------------------------------------------------------------------------------------
# The forms
# --------------------------------------------------------------------------------------------


@dataclass
class StoredForm:
    resource: dict  # the Form as forms.get returns it
    shared_with: set[str] | None = None  # None: any caller may use it


class FormsApi:
    """The forms the fake holds and the Forms API methods on them; FakeGoogle routes
    /v1/forms... here, holding its lock."""

    def __init__(self, ids: random.Random):
        self.forms: dict[str, StoredForm] = {}
        self._ids = ids
        self._revision = 0

    # ----- set-up and inspection -----

    def add(self, form: dict, shared_with: set[str] | None = None) -> str:
        """Keep `form` (a Form as forms.get returns it, checked against the document);
        a missing formId, responderUri or revisionId is made up. Returns its id."""
        resource = checked(copy.deepcopy(form), SCHEMAS["Form"], "form")
        resource.setdefault("formId", self._form_id())
        resource.setdefault("responderUri", self._responder_uri())
        resource.setdefault("revisionId", self._next_revision())
        shared = None if shared_with is None else {s.lower() for s in shared_with}
        self.forms[resource["formId"]] = StoredForm(resource, shared)
        return resource["formId"]

    # ----- HTTP -----

    def call(self, method: str, path: str, query: dict, body: dict, identity, scopes) -> dict:
        """Answer one request to /v1/forms...: find its method in the document, check the
        caller's scopes, the query and the body, then do it."""
        for found in METHODS:
            matched = found.path.fullmatch(path)
            if matched and found.http_method == method:
                return self._call(found, matched.groupdict(), query, body, identity, scopes)
        raise ApiError(404, "Method not found.", "NOT_FOUND")

    def _call(self, method: Method, ids: dict, query: dict, body: dict, identity, scopes):
        if not scopes & method.scopes:
            raise ApiError(
                403,
                INSUFFICIENT_SCOPES,
                "PERMISSION_DENIED",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                        "domain": "googleapis.com",
                        "metadata": {"service": "forms.googleapis.com", "method": method.name},
                    }
                ],
            )
        for name in query:
            if name not in method.parameters:
                raise bad_request(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query'
                    f" parameter. Field '{name}' could not be found in request message."
                )
        request = checked(body, SCHEMAS[method.request]) if method.request else {}
        options = {k: v[0] for k, v in query.items()}
        if method.name == "forms.create":
            return self._create(request, options, identity)
        handler = self.HANDLERS.get(method.name)
        if handler is None:
            raise bad_request(f"The loopback fake does not model {method.name}.")
        return handler(self, self._form(ids["formId"], identity), request, options)

    def _get(self, stored: StoredForm, request: dict, options: dict) -> dict:
        reply = copy.deepcopy(stored.resource)
        return apply_mask(reply, mask_paths(options["fields"])) if "fields" in options else reply

    def _form(self, form_id: str, identity: str) -> StoredForm:
        stored = self.forms.get(form_id)
        if stored is None:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        if stored.shared_with is not None and identity not in stored.shared_with:
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        return stored

    # ----- forms.create -----

    def _create(self, request: dict, options: dict, identity: str) -> dict:
        info = request.get("info") or {}
        extra = [k for k in ("items", "settings") if request.get(k)] + [
            f"info.{k}" for k in info if k not in ("title", "documentTitle")
        ]
        if extra:
            raise bad_request(
                f"Only info.title and info.document_title may be set when creating a form, not"
                f" {', '.join(extra)}; add the rest with forms.batchUpdate."
            )
        published = options.get("unpublished", "").lower() == "false"
        form = {
            "formId": self._form_id(),
            "info": {
                "title": info.get("title", ""),
                "documentTitle": info.get("documentTitle") or info.get("title") or "Untitled form",
            },
            "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
            "revisionId": self._next_revision(),
            "responderUri": self._responder_uri(),
            "publishSettings": {
                "publishState": {"isPublished": published, "isAcceptingResponses": published}
            },
        }
        self.forms[form["formId"]] = StoredForm(in_order(proto_json(form)), {identity})
        return copy.deepcopy(self.forms[form["formId"]].resource)

    # ----- forms.batchUpdate -----

    def _batch_update(self, stored: StoredForm, request: dict) -> dict:
        """The requests in order on a copy, kept only if all succeed (Google applies a batch
        whole or not at all); one reply per request, {} when it has none."""
        work = copy.deepcopy(stored.resource)
        required = (request.get("writeControl") or {}).get("requiredRevisionId")
        if required and required != work["revisionId"]:
            raise bad_request(
                f"The revision ID {required} is not the latest revision of the form,"
                f" {work['revisionId']}."
            )
        replies = []
        for n, item in enumerate(request.get("requests") or ()):
            kinds = [k for k in REQUEST_KINDS if k in item]
            if len(kinds) != 1:
                raise bad_request(f"Invalid requests[{n}]: exactly one kind of request is needed.")
            handler = getattr(self, f"_bu_{kinds[0]}", None)
            if handler is None:
                raise bad_request(f"The loopback fake does not model requests[{n}].{kinds[0]}.")
            try:
                replies.append(handler(work, item[kinds[0]]) or {})
            except Refused as refusal:
                raise bad_request(f"Invalid requests[{n}].{kinds[0]}: {refusal}") from None
        work["revisionId"] = self._next_revision()
        stored.resource = in_order(proto_json(work))
        reply = {"replies": replies, "writeControl": {"requiredRevisionId": work["revisionId"]}}
        if request.get("includeFormInResponse"):
            reply["form"] = copy.deepcopy(stored.resource)
        return reply

    def _bu_createItem(self, form: dict, args: dict) -> dict:
        items = form.setdefault("items", [])
        item, index = args.get("item"), (args.get("location") or {}).get("index")
        if item is None or index is None:
            raise Refused("item and location.index are required")
        if not 0 <= index <= len(items):
            raise Refused(f"location.index {index} is outside the form's items [0, {len(items)}]")
        kinds = [k for k in ITEM_KINDS if k in item]
        if len(kinds) != 1:
            raise Refused("an item needs exactly one kind (questionItem, textItem, ...)")
        taken = set(self._ids_in(form))
        item["itemId"] = self._new_id(taken, item.get("itemId"), "item")
        asked = []
        if "questionItem" in item:
            asked = [(item["questionItem"].get("question") or {})]
        elif "questionGroupItem" in item:
            asked = item["questionGroupItem"].get("questions") or []
        question_ids = []
        for question in asked:
            _check_question(question, grouped="questionGroupItem" in item)
            made = self._new_id(taken, question.pop("questionId", None), "question")
            question_ids.append(made)
            ordered = {"questionId": made, **question}  # in the order Google writes them
            question.clear()
            question.update(ordered)
        items.insert(index, {"itemId": item.pop("itemId"), **item})
        return {"createItem": {"itemId": items[index]["itemId"], "questionId": question_ids}}

    def _bu_deleteItem(self, form: dict, args: dict) -> None:
        index, items = (args.get("location") or {}).get("index"), form.get("items") or []
        if index is None or not 0 <= index < len(items):
            raise Refused(f"location.index {index} is not an item of the form")
        del items[index]

    def _bu_updateSettings(self, form: dict, args: dict) -> None:
        _update_masked(form.setdefault("settings", {}), args.get("settings"), args, "FormSettings")

    def _bu_updateFormInfo(self, form: dict, args: dict) -> None:
        if "documentTitle" in args.get("updateMask", ""):
            raise Refused("info.document_title cannot be changed through the Forms API")
        _update_masked(form.setdefault("info", {}), args.get("info"), args, "Info")

    # ----- forms.setPublishSettings -----

    def _set_publish_settings(self, stored: StoredForm, request: dict) -> dict:
        form = stored.resource
        if "publishSettings" not in form:
            raise bad_request("Legacy forms aren't supported: they have no publish settings.")
        state = (request.get("publishSettings") or {}).get("publishState") or {}
        if state.get("isAcceptingResponses") and not state.get("isPublished"):
            raise bad_request("A form that is not published cannot accept responses.")
        if request.get("updateMask", "*") not in ("*", "publishState"):
            raise bad_request(f"Invalid update mask: {request['updateMask']}")
        form["publishSettings"] = proto_json({"publishState": state})
        form["revisionId"] = self._next_revision()
        return {"formId": form["formId"], "publishSettings": copy.deepcopy(form["publishSettings"])}

    # ----- ids -----

    @staticmethod
    def _ids_in(form: dict):
        for item in form.get("items") or ():
            yield item.get("itemId")
            question = (item.get("questionItem") or {}).get("question") or {}
            group = (item.get("questionGroupItem") or {}).get("questions") or []
            for q in [question, *group]:
                yield q.get("questionId")

    def _new_id(self, taken: set, given: str | None, what: str) -> str:
        """`given` if free, else Google's kind of id: 8 hexadecimal digits (whose decimal
        value, as a prefilled link's entry number, fits in 31 bits)."""
        if given:
            if given in taken:
                raise Refused(f"the {what} id {given} is already used in the form")
            taken.add(given)
            return given
        while (made := f"{self._ids.randrange(0x10000000, 0x80000000):08x}") in taken:
            pass
        taken.add(made)
        return made

    def _form_id(self) -> str:
        return "1" + "".join(self._ids.choice(FILE_ID) for _ in range(43))

    def _responder_uri(self) -> str:
        responder = "1FAIpQLS" + "".join(self._ids.choice(FILE_ID) for _ in range(48))
        return f"https://docs.google.com/forms/d/e/{responder}/viewform"

    def _next_revision(self) -> str:
        self._revision += 1
        return f"{self._revision:08d}"

    # The methods on a stored form, by the discovery document's name (forms.create, which
    # makes one, is routed before them).
    HANDLERS: ClassVar[dict[str, Callable[[FormsApi, StoredForm, dict, dict], dict]]] = {
        "forms.get": lambda api, stored, request, options: api._get(stored, request, options),
        "forms.batchUpdate": lambda api, stored, request, options: api._batch_update(
            stored, request
        ),
        "forms.setPublishSettings": lambda api, stored, request, options: api._set_publish_settings(
            stored, request
        ),
    }


def _check_question(question: dict, grouped: bool) -> None:
    """What Google refuses in a new question beyond the schema."""
    kinds = [k for k in QUESTION_KINDS if k in question]
    if len(kinds) != 1:
        raise Refused("a question needs exactly one kind (textQuestion, choiceQuestion, ...)")
    if kinds[0] == "fileUploadQuestion":
        raise Refused("file upload questions cannot be created through the Forms API")
    if (kinds[0] == "rowQuestion") != grouped:
        raise Refused("rowQuestion is for the questions of a questionGroupItem, and only them")
    if kinds[0] == "choiceQuestion":
        _check_choice(question["choiceQuestion"])
    if kinds[0] == "scaleQuestion":
        scale = question["scaleQuestion"]
        low, high = scale.get("low", 0), scale.get("high", 0)
        if low not in (0, 1) or not 2 <= high <= 10:
            raise Refused(f"a scale runs from 0 or 1 to 2..10, not {low} to {high}")


def _check_choice(choice: dict) -> None:
    if choice.get("type", "CHOICE_TYPE_UNSPECIFIED") == "CHOICE_TYPE_UNSPECIFIED":
        raise Refused("choiceQuestion.type is required")
    options = choice.get("options") or []
    values = [o.get("value", "") for o in options if not o.get("isOther")]
    others = [o for o in options if o.get("isOther")]
    if not options or "" in values:
        raise Refused("a choice question needs options, each with a value")
    if len(set(values)) != len(values):
        raise Refused("the options of a choice question must differ")
    if others and (len(others) > 1 or choice["type"] == "DROP_DOWN"):
        raise Refused('only one "Other" option, and only for RADIO and CHECKBOX')


def _update_masked(target: dict, source: dict | None, args: dict, schema: str) -> None:
    """Copy the fields named in args["updateMask"] ("*": all) from `source` to `target`."""
    mask = args.get("updateMask", "")
    if source is None or not mask:
        raise Refused("the new values and an updateMask naming at least one field are needed")
    fields = SCHEMAS[schema]["properties"]
    names = list(fields) if mask.strip() == "*" else [camel(p.strip()) for p in mask.split(",")]
    for name in names:
        if name.split(".")[0] not in fields:
            raise Refused(f"updateMask names {name}, which {schema} does not have")
        head = name.split(".")[0]
        if head in source:
            target[head] = copy.deepcopy(source[head])
        else:
            target.pop(head, None)
