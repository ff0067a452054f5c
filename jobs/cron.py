"""`mentor-sync cron`: the schedule as crontab lines, or as systemd timers, with absolute
paths, for a machine that runs the jobs without `mentor-sync schedule`."""

from __future__ import annotations

import shlex
import sys
from datetime import date, datetime, time
from pathlib import Path

from jobs.clock import clock_gaps, program_zone, wall_moment
from mentoring.settings import Settings
from mentoring.timetable import Gap, When

# How many years after this one the timers list the days the clocks jump over a time.
GAP_YEARS = 5


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
            "# cronie's source warns that a CRON_TZ time in the hour the clocks change may be",
            "# missed or run twice; `mentor-sync schedule` and `cron --systemd` run it once.",
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


def systemd_units(
    settings: Settings, settings_path: Path, command: list[str], today: date
) -> list[str]:
    """A oneshot service template and one timer per job, as files to save. A timer runs a
    time the clocks skip when `mentor-sync schedule` does, on the days they skip it from
    `today` to the end of GAP_YEARS years later."""
    base = _command(command, settings_path)
    zone = f" {settings.program.time_zone}" if settings.program.time_zone else ""
    until = today.year + GAP_YEARS
    gaps = _gaps(settings.program.time_zone, today, until)
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
            *_moved_runs(when, gaps, zone, until),
            "# A time missed while the machine was off runs once when it is back.",
            "Persistent=true",
            f"Unit=mentor-sync@{job}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
        ]
    return lines


def _gaps(time_zone: str, today: date, until: int) -> list[Gap]:
    """The gaps the clocks of `time_zone` ("" for this machine's) leave from `today` to the
    end of the year `until`."""
    zone = program_zone(time_zone)
    start = wall_moment(zone, datetime.combine(today, time()))
    return clock_gaps(zone, start, wall_moment(zone, datetime(until + 1, 1, 1)))


def _moved_runs(when: When, gaps: list[Gap], zone: str, until: int) -> list[str]:
    """OnCalendar= lines for the runs the gaps move: systemd skips a time that does not
    happen, where `mentor-sync schedule` runs it later by the length of the jump."""
    moved = [(gap, reading) for gap in gaps for reading in when.moved_by(gap)]
    if not moved:
        return []
    pairs = sorted({(f"{run - gap.length:%H:%M}", f"{run:%H:%M}") for gap, run in moved})
    skipped, runs = (", ".join(times) for times in zip(*pairs, strict=True))
    it = "it" if len(pairs) == 1 else "them"
    return [
        f"# The clocks go forward over {skipped} on the days below; `mentor-sync schedule`",
        f"# runs {it} at {runs} then, and so do these lines. Listed to the end of {until}:",
        "# run `mentor-sync cron --systemd` again before then.",
        *(f"OnCalendar={run:%Y-%m-%d %H:%M:%S}{zone}" for _, run in moved),
    ]


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
