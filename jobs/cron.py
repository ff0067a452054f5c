"""`mentor-sync cron`: the schedule as crontab lines, or as systemd timers, with absolute
paths, for a machine that runs the jobs without `mentor-sync schedule`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from mentoring.settings import Settings


def program_command(argv0: str) -> list[str]:
    """How cron should start mentor-sync: the absolute path of the `mentor-sync` this was
    started as, or this Python running the package."""
    invoked = Path(argv0)
    if invoked.name == "mentor-sync" and invoked.exists():
        return [str(invoked.resolve())]
    return [str(Path(sys.executable).absolute()), "-m", "jobs"]


def crontab_lines(settings: Settings, settings_path: Path, command: list[str]) -> list[str]:
    """The crontab lines for the [schedule] times (comments say how to install them)."""
    base = _command(command, settings_path)
    zone = settings.program.time_zone
    lines = [
        f"# mentor-sync for {settings.program.name}: the times of [schedule] in {settings_path}.",
        "# Install: run `crontab -e` and paste these lines (keep any lines you already have).",
        "# --quiet: cron mails you only when a job fails; every run is in the log file.",
    ]
    if zone:
        lines += [
            f"# CRON_TZ makes the times {zone} (cronie: Fedora, RHEL, Arch, Alpine). Debian and",
            "# Ubuntu cron ignore it: there the times are the machine's (see `timedatectl`).",
            f"CRON_TZ={zone}",
        ]
    lines += _environment_note(settings)
    for job, when in settings.schedule.jobs().items():
        if when.off:
            lines.append(f"# {job} is off (schedule.{job} = '{when.text}')")
        else:
            # cron reads a bare % as a line break.
            lines.append(f"{when.cron()} {base} {job}".replace("%", r"\%"))
    return lines


def systemd_units(settings: Settings, settings_path: Path, command: list[str]) -> list[str]:
    """A oneshot service template and one timer per job, as files to save."""
    base = _command(command, settings_path)
    zone = f" {settings.program.time_zone}" if settings.program.time_zone else ""
    lines = [
        f"# mentor-sync for {settings.program.name} as systemd timers. Save each file below in",
        "# ~/.config/systemd/user/ (then `loginctl enable-linger` so they run while you are",
        "# logged out), and start the timers:",
    ]
    jobs = {job: when for job, when in settings.schedule.jobs().items() if not when.off}
    timers = " ".join(f"mentor-sync-{job}.timer" for job in jobs)
    lines += [f"#   systemctl --user daemon-reload && systemctl --user enable --now {timers}", ""]
    lines += [
        "# ---- mentor-sync@.service",
        "[Unit]",
        f"Description=mentor-sync %i ({_systemd(settings.program.name)})",
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart={_systemd(base)} %i",
        "# Exit code 75: another run was in progress; this one did nothing and is not a failure.",
        "SuccessExitStatus=75",
    ]
    login = _smtp_login(settings)
    if login:
        environment = settings_path.parent.resolve() / "mentor-sync.env"
        lines += [
            f"# The SMTP login: {environment} holds the lines {login[0]}=... and",
            f"# {login[1]}=... (make it yours alone: chmod 600 {environment.name}).",
            f"EnvironmentFile={environment}",
        ]
    for job, when in jobs.items():
        lines += [
            "",
            f"# ---- mentor-sync-{job}.timer",
            "[Unit]",
            f"Description=mentor-sync {job}: {when.text}",
            "",
            "[Timer]",
            f"OnCalendar={when.calendar()}{zone}",
            "# A time missed while the machine was off runs once when it is back.",
            "Persistent=true",
            f"Unit=mentor-sync@{job}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
        ]
    return lines


def _systemd(text: str) -> str:
    """`text` in a unit file, where % starts a specifier."""
    return text.replace("%", "%%")


def _command(command: list[str], settings_path: Path) -> str:
    config = str(settings_path.resolve())
    return shlex.join([*command, "--config", config, "--quiet"])


def _smtp_login(settings: Settings) -> tuple[str, str] | None:
    """The names of the variables that hold the SMTP login, when the sender logs in."""
    smtp = settings.email.smtp
    if settings.email.sender != "smtp" or not smtp.username_env:
        return None
    return smtp.username_env, smtp.password_env


def _environment_note(settings: Settings) -> list[str]:
    login = _smtp_login(settings)
    if not login:
        return []
    return [
        "# cron starts jobs with almost no environment: set the SMTP login here, as",
        f"# {login[0]}=... and {login[1]}=... lines (this file is yours",
        "# alone: `crontab -e` keeps it out of other users' reach).",
    ]
