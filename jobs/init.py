"""`mentor-sync init`: from the forms' responses to a working settings file.

It reads every tab of the workbook (or of the Google spreadsheet), finds which tab holds
the mentee, the mentor and the check-in form, matches each field of the settings to a
question header (mentoring/form_fields.py), learns each checkbox question's options from
the answers (mentoring/learnt_options.py), asks the person what it cannot find out, and
writes a short settings file (mentoring/first_settings.py says what goes in it). With
--yes it asks nothing and takes every guess. The command line then runs doctor on the file.

Given the forms' edit addresses, it reads them through the Forms API (sync/google_forms.py):
their questions' kinds and options replace what the answers teach. It can make the
check-in form there too, and writes its prefilled link. How the committee reaches Google
and sends mail ([google], email.sender, [email.smtp]) is kept from the settings file it
replaces, as `mentor-sync auth` left it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jobs.backends import forms_credentials, open_spreadsheet
from jobs.clock import machine_zone, program_zone
from jobs.settings_file import default_settings_data, settings_over_defaults
from mentoring.addresses import address_problem
from mentoring.errors import ConfigError
from mentoring.first_settings import (
    TAB_KEYS,
    FormChoice,
    Setting,
    SettingsPlan,
    plan_settings,
    render,
)
from mentoring.form_fields import (
    FORM_NAMES,
    FORMS,
    Guess,
    TabMatch,
    as_asked,
    choose_tabs,
    match_tabs,
    runner_up,
    tab_of,
    untabbed_match,
)
from mentoring.learnt_options import (
    checkbox_fields,
    options_by_field,
    tab_questions,
    with_answer_kinds,
)
from mentoring.questions import FormShape, prefilled_checkin_link
from mentoring.settings import Settings, spreadsheet_id
from mentoring.sheet import Table, header_key
from mentoring.summary import count
from sync.files import replace_file, unwritable_folder
from sync.spreadsheet import Spreadsheet

RESPONSES_SUFFIX = "(Responses)"  # Google's, on the spreadsheet a form makes for its answers
NOT_ASKED = ("-", "none")  # what a person types for "my form does not ask this"
# The command line's option for each form's address (its edit address, for the Forms API).
FORM_OPTIONS = {
    "mentee_form": "--mentee-form",
    "mentor_form": "--mentor-form",
    "checkin_form": "--checkin-form",
}


@dataclass(frozen=True)
class InitRequest:
    """What the command line was given."""

    out: Path
    config: Path | None = None  # the settings file the command line names (--config)
    workbook: Path | None = None
    spreadsheet: str = ""
    yes: bool = False
    force: bool = False
    name: str = ""
    committee_email: str = ""
    from_address: str = ""
    from_name: str = ""
    time_zone: str | None = None  # None when not given ("" is this machine's zone)
    forms: Mapping[str, str] = field(default_factory=dict)  # form: its address (Forms API)
    create_checkin_form: bool = False


@dataclass(frozen=True)
class Conversation:
    """How init talks with the person: `ask` a question with a default answer, `confirm` a
    yes-or-no question (no by default). With --yes, `ask` takes the default and `confirm`
    says no."""

    say: Callable[[str], None]
    ask: Callable[[str, str], str]
    confirm: Callable[[str], bool]
    interactive: bool = True


@dataclass(frozen=True)
class Responses:
    """The spreadsheet init reads, as it will be named in the settings."""

    tables: dict[str, Table]  # every tab but the tool's own, by name
    tab_names: tuple[str, ...]
    title: str  # the workbook's file name without .xlsx, or the Google spreadsheet's title
    where: str  # how to name it to the person
    spreadsheet: dict[str, Setting]  # the [spreadsheet] settings that open it
    kept: dict[str, dict[str, Setting]]  # how Google and mail are reached, from the old file
    reach: Settings  # the settings init reads with: the defaults, and the two tables above


def refusal(request: InitRequest) -> str:
    """Why init cannot go on as the command line asks ("" when it can), before it reads or
    writes anything."""
    if request.workbook and request.spreadsheet:
        return "give --workbook PATH or --spreadsheet URL_OR_ID, not both"
    if request.yes and not (request.workbook or request.spreadsheet):
        return "--yes needs the responses: give --workbook PATH or --spreadsheet URL_OR_ID"
    if request.committee_email and address_problem(request.committee_email):
        problem = address_problem(request.committee_email)
        return f"--committee-email '{request.committee_email}' is not an email address ({problem})"
    if request.yes and not request.committee_email:
        return (
            "--yes needs --committee-email ADDR: the address the committee reads, which every"
            " email gives and the alerts go to; init cannot guess it"
        )
    if request.forms.get("checkin_form") and request.create_checkin_form:
        return "give --checkin-form URL or --create-checkin-form, not both"
    if request.yes and request.out.exists() and not request.force:
        return (
            f"{request.out} exists already; add --force to replace it, or --out PATH to write"
            " the settings somewhere else"
        )
    return ""


def google_refusal(request: InitRequest, environ: Mapping[str, str]) -> str:
    """Why init cannot reach Google Forms as the command line asks ("" when it may)."""
    given = [FORM_OPTIONS[form] for form in FORM_OPTIONS if request.forms.get(form)]
    given += ["--create-checkin-form"] if request.create_checkin_form else []
    if not given:
        return ""
    google = {key: setting.value for key, setting in kept_settings(request)["google"].items()}
    reach = settings_over_defaults({"google": google}, request.out.parent, environ)
    if Path(reach.google.credentials).is_file():
        return ""
    return (
        f"{given[0]} needs Google Forms, and there is no credentials file at"
        f" {reach.google.credentials} (google.credentials): run mentor-sync auth forms to sign"
        " in (after a first mentor-sync init without the forms' addresses, which makes the"
        " settings file it keeps the token for), or put there the key of a service account"
        " the forms are shared with"
    )


def init_settings(
    request: InitRequest, talk: Conversation, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Write the settings file `request.out` from the responses; None when the person chose
    to keep the file that is there. Raises ConfigError when the spreadsheet cannot be read
    or holds no tab init recognises as the mentee or the mentor form; nothing is written
    then."""
    environ = os.environ if environ is None else environ
    out = request.out
    # Asked first, before anything is read or made in Google Forms for nothing.
    if out.exists() and not request.force and not talk.confirm(f"{out} exists; replace it?"):
        talk.say(f"{out} kept as it was; nothing written (--out PATH writes elsewhere)")
        return None
    if why := unwritable_folder(out.parent):
        raise ConfigError(
            f"cannot write {out}: {why}; give --out PATH in a folder you can write. Nothing"
            " was read, made or written"
        )
    defaults = default_settings_data()
    responses = read_responses(request, defaults, talk, environ)
    shapes = read_forms(request, responses.reach, talk)
    chosen, matches = find_forms(responses, defaults, shapes)
    _say_tabs(talk, responses, chosen, matches)
    chosen = _confirm_tabs(chosen, matches, talk)
    forms = {form: _confirm(match, talk) for form, match in chosen.items()}
    if "checkin_form" in shapes and "checkin_form" not in forms:
        forms["checkin_form"] = _untabbed(shapes["checkin_form"], defaults, talk)
    forms = with_answer_kinds(forms, responses.tables, shapes)
    checkboxes = _checkbox_options(defaults, responses.tables, forms, shapes, talk)
    given: dict[str, dict[str, Setting]] = {"spreadsheet": responses.spreadsheet}
    # Table by table: the [email] init asks about keeps email.sender from the old file.
    for table, settings in [
        *responses.kept.items(),
        *_program(request, talk, responses.title, environ).items(),
    ]:
        given[table] = given.get(table, {}) | settings
    name = given["program"]["name"].value
    links = _checkin_link(request, responses.reach, shapes, forms, defaults, name, talk)
    given["links"] = links
    plan = plan_settings(defaults, given, forms, checkboxes, responses.tab_names)
    for line in plan.said:
        talk.say(line)
    try:
        return _write(request, plan, _heading(given, responses), talk, environ)
    except OSError as exc:
        made = (
            f"; it is {links['checkin_form'].why}: give its edit address with --checkin-form"
            " next time instead of making another"
            if request.create_checkin_form
            else ""
        )
        raise ConfigError(
            f"cannot write {out} ({exc.strerror or exc}); give --out PATH in a folder you can"
            f" write, and run init again. Nothing was written{made}"
        ) from exc


def read_responses(
    request: InitRequest,
    defaults: Mapping[str, Any],
    talk: Conversation,
    environ: Mapping[str, str],
) -> Responses:
    """Every tab of the spreadsheet but the ones the tool writes. Raises ConfigError when
    there is no such workbook, or the settings for Google do not let init open it."""
    folder = request.out.parent
    workbook, sheet_id = _source(request, talk)
    if workbook is not None and not workbook.is_file():
        raise ConfigError(
            f"no workbook at {workbook}; give the .xlsx file of the forms' responses"
            " (in Google Sheets: File > Download > Microsoft Excel)"
        )
    if workbook is not None:
        path = Path(os.path.relpath(workbook.resolve(), folder.resolve())).as_posix()
        data: dict[str, Any] = {"spreadsheet": {"path": path}}
    else:
        data = {"spreadsheet": {"backend": "google", "id": sheet_id}}
    kept = kept_settings(request)
    data["google"] = {key: setting.value for key, setting in kept["google"].items()}
    settings = settings_over_defaults(data, folder, environ)
    sheet = open_spreadsheet(settings, workbook)
    names = tuple(sheet.tab_names())
    ours = {header_key(defaults["tabs"][key]) for key in _TOOL_TABS}
    ours.add(header_key(defaults["matching"]["past_pairs_tab"]))
    read = sheet.read([name for name in names if header_key(name) not in ours])
    tables = {name: table for name, table in read.items() if any(map(str.strip, table.header))}
    if workbook is not None:
        title, where = workbook.stem, str(workbook)
        opened = {"path": Setting(data["spreadsheet"]["path"], f"the workbook {workbook.name}")}
    else:
        title = _google_title(sheet)
        where = f"the Google spreadsheet '{title}'"
        opened = {
            "backend": Setting("google", "the forms' responses are in a Google spreadsheet"),
            "id": Setting(settings.spreadsheet.id, where),
        }
    return Responses(tables, names, title, where, opened, kept, settings)


def _source(request: InitRequest, talk: Conversation) -> tuple[Path | None, str]:
    """The workbook, or the Google spreadsheet's address, as given or as the person says;
    the one workbook of the folder is the answer by default."""
    if request.workbook or request.spreadsheet:
        return request.workbook, request.spreadsheet
    here = [p for p in sorted(Path().glob("*.xlsx")) if not p.name.startswith("~$")]
    while True:
        given = talk.ask(
            "The responses: a workbook (.xlsx) or a Google spreadsheet's address",
            str(here[0]) if len(here) == 1 else "",
        ).strip()
        if Path(given).suffix.casefold() == ".xlsx" or Path(given).is_file():
            return Path(given), ""
        if spreadsheet_id(given) or not talk.interactive:
            return None, given
        talk.say(
            f"'{given}' is neither a .xlsx file nor a spreadsheet's address; give the path of"
            " the workbook, or the address of the Google spreadsheet from the browser"
        )


_TOOL_TABS = ("committee", "intake_issues", "email_log", "pair_health")
# The [google] settings that name a file, relative to the settings file's folder.
_GOOGLE_FILES = ("credentials", "gmail_token", "oauth_client")
# What init keeps of the settings file it replaces, by table: those keys, or all ().
_KEPT: dict[str, tuple[str, ...]] = {"google": (), "email": ("sender",), "email.smtp": ()}


def kept_settings(request: InitRequest) -> dict[str, dict[str, Setting]]:
    """The settings of the file init replaces (or of --config's) that say how the committee
    reaches Google and sends mail, as `mentor-sync auth` and the person left them: [google],
    email.sender and [email.smtp], by table, kept in the new file. A file name is made
    relative to the new file's folder."""
    kept: dict[str, dict[str, Setting]] = {table: {} for table in _KEPT}
    source = next((p for p in (request.out, request.config) if p and p.is_file()), None)
    if source is None:
        return kept
    try:
        old = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read {source} ({exc}); init keeps its [google] and [email] sender"
            " settings, so fix it, or move it away to start afresh"
        ) from exc
    for table, keys in _KEPT.items():
        found: Any = old
        for part in table.split("."):
            found = found.get(part, {}) if isinstance(found, dict) else {}
        for key, value in found.items() if isinstance(found, dict) else ():
            if (keys and key not in keys) or isinstance(value, dict):
                continue
            if key in _GOOGLE_FILES and isinstance(value, str) and value:
                place = (source.parent / value).resolve()
                value = Path(os.path.relpath(place, request.out.parent.resolve())).as_posix()
            kept[table][key] = Setting(value, f"kept from {source}")
    _check_kept(kept, source, request.out.parent)
    return kept


def _check_kept(kept: Mapping[str, Mapping[str, Setting]], source: Path, folder: Path) -> None:
    """Raises ConfigError, naming the old file and the setting, when what init keeps of it
    does not load over the defaults (a misspelt key, a port written as text)."""
    data = SettingsPlan({table: dict(settings) for table, settings in kept.items()}).data()
    try:
        settings_over_defaults(data, folder, {})
    except ConfigError as exc:
        raise ConfigError(
            f"{source}, whose [google] and [email] sender settings init keeps: {exc}. Fix it"
            " there, or move it away to start afresh; nothing was written"
        ) from exc


def _google_title(sheet: Spreadsheet) -> str:
    title = getattr(sheet, "title", "")  # a GoogleSpreadsheet has one
    return title if isinstance(title, str) else ""


def find_forms(
    responses: Responses,
    defaults: Mapping[str, Any],
    shapes: Mapping[str, FormShape] | None = None,
) -> tuple[dict[str, TabMatch], dict[tuple[str, str], TabMatch]]:
    """The tab of each form, and every form matched with every tab; raises ConfigError,
    saying what it looked for, when no tab is the mentee or the mentor form. A form read
    through the Forms API (`shapes`) gives its questions' kinds and options exactly, and
    counts the tab holding its questions as the form's own."""
    shapes = shapes or {}
    questions = {
        name: as_asked(tab_questions(table), shapes.values())
        for name, table in responses.tables.items()
    }
    forms = {form: defaults[form]["questions"] for form in FORMS}
    default_tabs = {form: defaults["tabs"][TAB_KEYS[form]] for form in FORMS}
    for form, shape in shapes.items():
        default_tabs[form] = tab_of(shape, questions) or default_tabs[form]
    matches = match_tabs(questions, forms, set(defaults["checkboxes"]), default_tabs)
    chosen = choose_tabs(matches)
    missing = [FORM_NAMES[form] for form in FORMS[:2] if form not in chosen]
    if missing:
        looked = ", ".join(f"'{name}'" for name in responses.tables) or "none has a header row"
        examples = "', '".join([h for h in forms["mentee_form"].values() if h][2:6])
        raise ConfigError(
            f"no tab of {responses.where} looks like the responses of the"
            f" {' or the '.join(missing)} form (tabs: {looked}); init looked for a header"
            f" row of a form's questions, such as 'Timestamp', '{examples}'. Link each"
            " form to the spreadsheet (in the form: Responses > Link to Sheets), then"
            " give init that spreadsheet, or its download as .xlsx. Nothing was written"
        )
    return chosen, matches


def read_forms(request: InitRequest, reach: Settings, talk: Conversation) -> dict[str, FormShape]:
    """The forms whose addresses the command line gives, read through the Forms API."""
    if not request.forms:
        return {}
    from sync.google_forms import read_form  # Google's clients load for the Forms path only

    creds = forms_credentials(reach, make=request.create_checkin_form)
    shapes = {}
    for form, address in request.forms.items():
        shape = read_form(creds, address, **_reaching(reach))
        asked = count(len(shape.questions), "question")
        talk.say(f"{FORM_NAMES[form]} form: '{shape.title}', read through the Forms API ({asked})")
        if not shape.collects_emails:
            talk.say(
                f"note: the form '{shape.title}' does not collect email addresses itself; the"
                " jobs need each person's address, so its email question must be required (or"
                " turn on Settings > Responses > Collect email addresses in the form)"
            )
        shapes[form] = shape
    return shapes


def _reaching(reach: Settings) -> dict[str, Any]:
    """How the Forms API is called: the endpoint, timeout and patience of [google]."""
    from sync.google import Retry

    google = reach.google
    return {
        "endpoint": google.forms_endpoint,
        "timeout": google.timeout,
        "retry": Retry.from_settings(google),
    }


def _say_tabs(
    talk: Conversation,
    responses: Responses,
    chosen: Mapping[str, TabMatch],
    matches: Mapping[tuple[str, str], TabMatch],
) -> None:
    """Which tab init takes for each form, and why; and the tabs it leaves alone."""
    for form in FORMS:
        name = FORM_NAMES[form]
        match = chosen.get(form)
        if match is None:
            talk.say(f"{name} form: no tab has its responses yet; its questions stay the defaults")
            continue
        said = f"{name} form: tab '{match.tab}', as {match.why()}"
        other = runner_up(matches, match)
        if other is not None and other.found:
            said += f" (tab '{other.tab}' has {other.found})"
        talk.say(said)
    taken = {match.tab for match in chosen.values()}
    left = [f"'{tab}'" for tab in responses.tables if tab not in taken]
    if left:
        talk.say(f"not a form's responses, left alone: {', '.join(left)}")


def _confirm_tabs(
    chosen: Mapping[str, TabMatch],
    matches: Mapping[tuple[str, str], TabMatch],
    talk: Conversation,
) -> dict[str, TabMatch]:
    """When interactive, each form whose tab another tab ties with (as many of its
    questions), confirmed or changed; a form whose tab is taken takes the other's."""
    confirmed = dict(chosen)
    for form in chosen if talk.interactive else ():
        match = confirmed[form]
        other = runner_up(matches, match)
        if other is None or other.found != match.found:
            continue
        tabs = (match.tab, other.tab)
        question = f"The {FORM_NAMES[form]} form's tab ('{tabs[0]}' or '{tabs[1]}')"
        while (answer := talk.ask(question, match.tab).strip()) not in tabs:
            talk.say(f"'{answer}' is neither; type '{tabs[0]}' or '{tabs[1]}'")
        if answer == match.tab:
            continue
        for holder, held in list(confirmed.items()):
            if held.tab == answer:  # the form that had it takes this form's tab
                confirmed[holder] = matches[holder, match.tab]
        confirmed[form] = matches[form, answer]
    return confirmed


def _confirm(match: TabMatch, talk: Conversation) -> FormChoice:
    """Each field's header: the guesses, confirmed or changed one by one when interactive."""
    name = FORM_NAMES[match.form]
    header = [h for h in match.header if h.strip()]
    if talk.interactive:
        talk.say(f"\nThe {name} form's questions (tab '{match.tab}'):")
        for number, text in enumerate(header, start=1):
            talk.say(f"  {number:>2}. {text}")
        talk.say(
            f"For each setting, press Enter to keep the guess, type another question's"
            f" number, or {NOT_ASKED[0]} if your form does not ask it."
        )
    chosen: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for guess in match.guesses:
        taken = {header_key(h) for h in chosen.values() if h}
        answer = _field_answer(guess, header, taken, talk)
        chosen[guess.field] = answer
        reasons[guess.field] = (
            guess.reason() if answer == guess.header else _chosen_reason(answer, guess)
        )
    if not talk.interactive:
        same = sum(1 for g in match.guesses if g.exact)
        talk.say(f"{name} form, tab '{match.tab}' ({count(same, 'header')} as in the defaults):")
        for guess in match.guesses:
            if not guess.exact:
                talk.say(f"  {guess.field}: {_told(guess)}")
    _say_split_name(match, chosen, talk)
    used = {header_key(h) for h in chosen.values() if h}
    unused = [h for h in header if header_key(h) not in used]
    if unused:
        talk.say("  not used: " + ", ".join(f"'{h}'" for h in unused))
    reason = f"the tab of your {name} form's responses: {match.why()}"
    return FormChoice(match.tab, chosen, reasons, reason)


def _say_split_name(match: TabMatch, chosen: Mapping[str, str], talk: Conversation) -> None:
    """A name asked in two parts: the settings read one column, the first name, and say so."""
    split = next((g for g in match.guesses if g.split and chosen.get(g.field) == g.header), None)
    if split is None:
        return
    talk.say(
        f"note: your {FORM_NAMES[match.form]} form asks the name in two parts ('{split.header}',"
        f" '{split.split}'), and the settings read one name column: name is '{split.header}',"
        " which the emails greet people by and the committee tab shows beside each address."
        " For whole names, add a full-name question to the form and put its header in"
        f" [{match.form}.questions] name"
    )


def _told(guess: Guess) -> str:
    if not guess.header:
        return f"not asked (nothing close to '{guess.wanted}')"
    return f"'{guess.header}'" + ("" if guess.exact else f" ({guess.closest()})")


def _chosen_reason(answer: str, guess: Guess) -> str:
    if not answer:
        return "your form does not ask this, as you said at init's prompt"
    return f"'{answer}', chosen at init's prompt for '{guess.wanted}'"


def _field_answer(guess: Guess, header: Sequence[str], taken: set[str], talk: Conversation) -> str:
    """The header the person gives for one field: the guess by default (none when another
    field has it already), a number of the list, a header's text, or "-" for none."""
    default = guess.header if guess.header and header_key(guess.header) not in taken else ""
    if not talk.interactive:
        return default
    default_header = f"the defaults' '{guess.wanted}'" if guess.wanted else "not asked by default"
    question = f"{guess.field} ({default_header})"
    while True:
        answer = talk.ask(question, default or NOT_ASKED[0]).strip()
        if answer.casefold() in NOT_ASKED or not answer:
            return ""
        if answer.isdigit() and 1 <= int(answer) <= len(header):
            answer = header[int(answer) - 1]
        found = next((h for h in header if header_key(h) == header_key(answer)), None)
        if found is None:
            talk.say(f"'{answer}' is not one of the questions listed; give its number, or -")
        elif header_key(found) in taken:
            talk.say(f"'{found}' is the answer to another setting already; choose another, or -")
        else:
            return found


def _checkbox_options(
    defaults: Mapping[str, Any],
    tables: Mapping[str, Table],
    forms: Mapping[str, FormChoice],
    shapes: Mapping[str, FormShape],
    talk: Conversation,
) -> dict[str, Setting]:
    """The options of each checkbox question, said as they are found."""
    fields = checkbox_fields(defaults["checkboxes"], forms, shapes)
    options = options_by_field(fields, forms, tables, shapes)
    for key, setting in options.items():
        talk.say(f"checkbox options of {key}: {setting.why}")
        if setting.value:
            talk.say("  " + "; ".join(setting.value))
    return options


def _untabbed(shape: FormShape, defaults: Mapping[str, Any], talk: Conversation) -> FormChoice:
    """The check-in form read through the Forms API, with no response tab yet."""
    match = untabbed_match("checkin_form", defaults["checkin_form"]["questions"], shape)
    return replace(_confirm(match, talk), tab="")


def _program(
    request: InitRequest, talk: Conversation, title: str, environ: Mapping[str, str]
) -> dict[str, dict[str, Setting]]:
    """The program's name, committee address, sender and time zone: given, asked, or the
    defaults init can justify."""
    plain = _without_suffix(title)
    name = _given_or_asked(request.name, "--name", talk, "Program name", plain)
    committee = _address(request.committee_email, talk)
    sender_name = _given_or_asked(
        request.from_name, "--from-name", talk, "Emails come from (a name)", name.value
    )
    if not request.from_name and sender_name.value == name.value:
        sender_name = replace(sender_name, why="the program's name")
    sender = _sender_address(request.from_address, talk)
    zone = _zone(request.time_zone, talk, environ)
    if not request.name and name.value == plain:
        name = replace(name, why=f"the title of the spreadsheet, '{title}'")
    return {
        "program": {"name": name, "committee_email": committee, "time_zone": zone},
        "email": {"from_name": sender_name, "from_address": sender},
    }


def _without_suffix(title: str) -> str:
    """The spreadsheet's title without what Google adds to a form's responses spreadsheet:
    "Mentee sign-up (Responses)" is the program "Mentee sign-up"."""
    plain = title.strip()
    if plain.casefold().endswith(RESPONSES_SUFFIX.casefold()):
        plain = plain[: -len(RESPONSES_SUFFIX)].rstrip()
    return plain or title


def _given_or_asked(
    given: str, flag: str, talk: Conversation, question: str, default: str
) -> Setting:
    if given:
        return Setting(given, f"given with {flag}")
    answer = talk.ask(question, default).strip() or default
    return Setting(answer, "typed at init's prompt" if answer != default else "")


def _address(given: str, talk: Conversation) -> Setting:
    if given:
        return Setting(given, "given with --committee-email")
    while True:
        answer = talk.ask("Committee email (where the committee reads mail)", "").strip()
        problem = address_problem(answer) if answer else "nothing typed"
        if not problem:
            return Setting(answer, "typed at init's prompt")
        talk.say(f"'{answer}' is not an email address ({problem}); the emails need one")


def _sender_address(given: str, talk: Conversation) -> Setting:
    if given:
        if address_problem(given):
            raise ConfigError(
                f"--from-address '{given}' is not an email address ({address_problem(given)})"
            )
        return Setting(given, "given with --from-address")
    while True:
        answer = talk.ask("Emails come from (an address; Enter for the committee email)", "")
        if not answer.strip() or not address_problem(answer.strip()):
            return Setting(answer.strip(), "typed at init's prompt")
        talk.say(f"'{answer}' is not an email address ({address_problem(answer.strip())})")


def _zone(given: str | None, talk: Conversation, environ: Mapping[str, str]) -> Setting:
    """The program's time zone: given, or this machine's, written by name so that the jobs
    keep it when they run elsewhere (a server, a CI runner in UTC)."""
    if given is not None:
        program_zone(given)  # raises ConfigError naming a close zone
        return Setting(given, "given with --time-zone")
    zone, source = machine_zone(environ)
    while True:
        answer = talk.ask("Time zone of the program", zone).strip()
        try:
            program_zone(answer)
        except ConfigError as exc:
            talk.say(str(exc))
            continue
        if answer != zone:
            return Setting(answer, "typed at init's prompt")
        return Setting(answer, f"from {source}" if zone else "")


def _checkin_link(
    request: InitRequest,
    reach: Settings,
    shapes: Mapping[str, FormShape],
    forms: Mapping[str, FormChoice],
    defaults: Mapping[str, Any],
    name: str,
    talk: Conversation,
) -> dict[str, Setting]:
    """links.checkin_form: the prefilled link of the check-in form init makes, or of the
    one given (--checkin-form), from its questions' entry ids; none otherwise."""
    titles = dict(defaults["checkin_form"]["questions"])
    if request.create_checkin_form:
        from sync.google_forms import create_checkin_form  # Google's clients, for this only

        creds = forms_credentials(reach, make=True)
        shape = create_checkin_form(
            creds, f"{name}: check-in", questions=titles, **_reaching(reach)
        )
        edit = f"https://docs.google.com/forms/d/{shape.form_id}/edit"
        talk.say(
            f"made the check-in form '{shape.title}' ({edit}). One step is left, which Google"
            " lets no program do: open it, and in Responses > Link to Sheets choose the"
            " spreadsheet of the other two forms"
        )
        why = f"the prefilled link of the check-in form init made, '{shape.title}' ({edit})"
    elif "checkin_form" in shapes:
        shape = shapes["checkin_form"]
        titles |= {key: header for key, header in forms["checkin_form"].headers.items()}
        why = f"the prefilled link of the check-in form '{shape.title}', from its questions"
    else:
        return {}
    return {"checkin_form": Setting(prefilled_checkin_link(shape, titles), why)}


def _heading(given: Mapping[str, Mapping[str, Setting]], responses: Responses) -> str:
    name = given["program"]["name"].value
    return (
        f"mentor-sync settings for {name}, written by `mentor-sync init` from"
        f" {responses.where}.\nOnly what differs from the defaults is here; the defaults,"
        " with what each setting means,\nare config/settings.toml of mentor-sync."
    )


def _write(
    request: InitRequest,
    plan: SettingsPlan,
    heading: str,
    talk: Conversation,
    environ: Mapping[str, str],
) -> Path:
    """Write the settings, atomically, once they load over the defaults."""
    out = request.out
    text = render(plan, heading)
    try:
        settings_over_defaults(tomllib.loads(text), out.parent, environ)
    except ConfigError as exc:
        raise ConfigError(
            f"init made settings that do not load ({exc}); nothing was written. Please report"
            " this with the headers of your forms"
        ) from exc
    replace_file(out, text.encode("utf-8"))
    talk.say(f"wrote {out}")
    return out
