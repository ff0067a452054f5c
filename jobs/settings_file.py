"""Loading the committee's settings file, layered over the documented defaults."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jobs.clock import program_zone
from mentoring.addresses import address_problem
from mentoring.errors import SettingsError, did_you_mean
from mentoring.letters import Templates
from mentoring.settings import Settings, parse_settings

# The settings file when --config is not given: the one `init` writes in this folder, or,
# where there is none, config/settings.toml (the default of earlier versions).
DEFAULT_CONFIG = Path("settings.toml")
EARLIER_DEFAULT_CONFIG = Path("config/settings.toml")
# Environment variables that, when set, name the Google files instead of the settings.
GOOGLE_FILE_VARIABLES = {
    "credentials": "MENTOR_SYNC_GOOGLE_CREDENTIALS",
    "gmail_token": "MENTOR_SYNC_GMAIL_TOKEN",
    "oauth_client": "MENTOR_SYNC_OAUTH_CLIENT",
}
# Tables whose keys the committee may add to: the options of its own checkbox questions.
OPEN_TABLES = ("checkboxes",)


def default_settings_text() -> str:
    """The shipped config/settings.toml: every setting, its default and what it means."""
    return resources.files("config").joinpath("settings.toml").read_text(encoding="utf-8")


def sample_settings() -> Settings:
    """The settings the program ships, alone: the demo's names and addresses."""
    return parse_settings(_parse(default_settings_text(), "the built-in defaults"))


def default_config() -> Path:
    """The settings file to use when --config is not given."""
    if not DEFAULT_CONFIG.is_file() and EARLIER_DEFAULT_CONFIG.is_file():
        return EARLIER_DEFAULT_CONFIG
    return DEFAULT_CONFIG


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read `path` over the defaults and validate; relative paths become relative to its folder.

    Raises SettingsError when the file is missing, is not valid TOML, or a setting is wrong.
    """
    if not path.is_file():
        raise SettingsError(
            f"no settings file at {path}; run 'mentor-sync init' to write one from your forms'"
            " responses, pass --config PATH, or run 'mentor-sync demo' to try the tool on"
            " sample data"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path} is not UTF-8 text ({exc}); save it as UTF-8") from exc
    return settings_over_defaults(_parse(text, str(path)), path.parent, environ)


def default_settings_data() -> dict[str, Any]:
    """The shipped defaults as TOML reads them: tables of plain values."""
    return _parse(default_settings_text(), "the built-in defaults")


def settings_over_defaults(
    data: Mapping[str, Any], folder: Path, environ: Mapping[str, str] | None = None
) -> Settings:
    """`data` (a settings file as TOML reads it) over the defaults, validated, with relative
    paths made relative to `folder`, where the settings file is or will be.

    Raises SettingsError when a setting is wrong.
    """
    settings = parse_settings(_layer(default_settings_data(), data))
    workbook = folder / settings.spreadsheet.path
    sheet = dataclasses.replace(settings.spreadsheet, path=str(workbook))
    matching = settings.matching
    if matching.past_pairs_file:
        past = str(folder / matching.past_pairs_file)
        matching = dataclasses.replace(matching, past_pairs_file=past)
    email = dataclasses.replace(
        settings.email,
        outbox=str(folder / settings.email.outbox),
        templates=str(folder / settings.email.templates) if settings.email.templates else "",
    )
    environ = os.environ if environ is None else environ
    files: dict[str, Any] = {  # str values, for str fields: replace() cannot tell by the keys
        key: environ.get(variable) or str(folder / getattr(settings.google, key))
        for key, variable in GOOGLE_FILE_VARIABLES.items()
    }
    google = dataclasses.replace(settings.google, **files)
    ops = settings.operations
    operations = dataclasses.replace(
        ops,
        log_file=str(folder / ops.log_file) if ops.log_file else "",
        state_file=str(folder / ops.state_file),
        journal_file=str(folder / ops.journal_file),
        lock_file=str(folder / ops.lock_file),
    )
    settings = dataclasses.replace(
        settings,
        spreadsheet=sheet,
        matching=matching,
        email=email,
        google=google,
        operations=operations,
    )
    program_zone(settings.program.time_zone)
    _check_addresses(settings)
    templates = load_templates(settings)
    for checkin in settings.checkins:
        templates.require(checkin.template, f"the check-in '{checkin.name}'")
    templates.require("introduction", "every introduction")
    templates.require("alert", "the alerts to the committee")
    if settings.health.reminders:
        templates.require("reminder", "the reminders of unanswered check-ins")
    if settings.health.digest != "off":
        templates.require("digest", "the committee's digest")
    templates.require("not_matched", "the notice to each mentee left without a mentor")
    templates.require("mentor_pool", "the notice to each mentor left without a mentee")
    return settings


def _check_addresses(settings: Settings) -> None:
    """Raise SettingsError for a settings address that no email could carry: the same rule as
    for the forms' addresses (mentoring.addresses)."""
    addresses = {
        "program.committee_email": settings.program.committee_email,
        "email.from_address": settings.email.from_address,
        "alerts.to": settings.alerts.to,
    }
    for name, address in addresses.items():
        problem = address_problem(address) if address else ""
        if problem:
            raise SettingsError(
                f"setting '{name}' is '{address}', not a usable email address ({problem})"
            )


def load_templates(settings: Settings) -> Templates:
    """The built-in templates, with the committee's own folder (email.templates) over them.

    A template of the folder replaces the built-in one of the same file name. A NAME.txt
    of the folder without a NAME.html beside it makes that email plain text: the built-in
    NAME.html, written for the built-in text, is left out rather than sent beside the
    committee's words, where most mail programs would show it instead of them.

    Raises SettingsError when that folder is missing or a template is not UTF-8.
    """
    sources = {
        item.name: item.read_text(encoding="utf-8")
        for item in resources.files("config").joinpath("templates").iterdir()
        if item.name.endswith((".txt", ".html"))
    }
    if settings.email.templates:
        folder = Path(settings.email.templates)
        if not folder.is_dir():
            raise SettingsError(
                f"no templates folder at {folder}; fix email.templates in the settings"
                ' (or set it to "" for the built-in templates)'
            )
        files = [file for file in sorted(folder.iterdir()) if file.suffix in (".txt", ".html")]
        for file in files:
            try:
                sources[file.name] = file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise SettingsError(
                    f"template {file} is not UTF-8 text ({exc}); save it as UTF-8"
                ) from exc
        own = {file.name for file in files}
        for file in files:
            if file.suffix == ".txt" and f"{file.stem}.html" not in own:
                sources.pop(f"{file.stem}.html", None)
    return Templates(sources)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"{source} is not valid TOML: {exc}; mend that line (a text needs quotes around"
            " it, a section its [brackets])"
        ) from exc


def _layer(base: Mapping[str, Any], top: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """Tables merge key by key; any other value in `top` replaces the one in `base`.

    A key the defaults do not have is a misspelling, except in the tables that
    name things of the committee's own (OPEN_TABLES).
    """
    merged = dict(base)
    for key, value in top.items():
        where = f"{path}.{key}" if path else key
        if key not in base and path not in OPEN_TABLES:
            known = ", ".join(base)
            raise SettingsError(
                f"unknown setting '{where}'{did_you_mean(key, base)} (known here: {known})"
            )
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = _layer(below, value, where)
        else:
            merged[key] = value
    return merged
