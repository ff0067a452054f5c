"""When each job runs: the committee's words ("daily at 07:00") as a typed value.

One `When` feeds all three ways of running on a schedule: the `schedule`
package (`mentor-sync schedule`), crontab lines and systemd timers (`mentor-sync
cron`), so they cannot disagree. Times are in the program's time zone.

A time the clocks skip when they go forward (02:30 on the night 02:00 becomes
03:00) runs as long after the jump as it was after the jump's start (03:30), as
`schedule` does; a `Gap` says when the clocks skip, and `When.moved_by` which runs
it moves. A time the clocks repeat when they go back runs once, the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from mentoring.errors import SettingsError

OFF = "off"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FORMS = (
    "daily at HH:MM",
    "hourly",
    "hourly at :MM",
    "every N minutes",
    "every N hours",
    "monday at HH:MM (any weekday)",
    "off",
)

_DAILY = re.compile(r"(?:daily|every day) at (?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")
_WEEKLY = re.compile(
    rf"(?:every )?(?P<day>{'|'.join(WEEKDAYS)}) at (?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)"
)
_HOURLY = re.compile(r"(?:hourly|every hour)(?: at :(?P<m>[0-5]\d))?")
_EVERY = re.compile(r"every (?P<n>\d+) (?P<unit>minutes|hours)")
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Gap:
    """The wall clock jumping forward: from `start` (naive, as the clock read) it reads
    `start + length`, so the times in between do not happen that day."""

    start: datetime
    length: timedelta

    def skipped(self) -> list[datetime]:
        """Each minute the wall clock does not read."""
        return [self.start + n * MINUTE for n in range(self.length // MINUTE)]


@dataclass(frozen=True)
class When:
    """Every `interval` `unit` ("minutes", "hours", "days" or "weeks"), at `hour`:`minute`
    (the minute only, for hours), on `weekday` for weeks; `unit` "" is never."""

    text: str
    unit: str = ""
    interval: int = 1
    hour: int = 0
    minute: int = 0
    weekday: str = ""

    @property
    def off(self) -> bool:
        return not self.unit

    def slots(self) -> list[tuple[str, str]]:
        """The same moments as `schedule` jobs: (period, time) pairs where period is "hour"
        (time ":MM"), "day" or a weekday (time "HH:MM"). Every N minutes or hours becomes
        one job per slot, so the times count from midnight as cron's do, not from the
        moment the scheduler started."""
        if self.unit == "minutes":
            return [("hour", f":{m:02d}") for m in range(0, 60, self.interval)]
        if self.unit == "hours" and self.interval == 1:
            return [("hour", f":{self.minute:02d}")]
        if self.unit == "hours":
            return [("day", f"{h:02d}:{self.minute:02d}") for h in range(0, 24, self.interval)]
        if self.unit == "weeks":
            return [(self.weekday, f"{self.hour:02d}:{self.minute:02d}")]
        if self.unit == "days":
            return [("day", f"{self.hour:02d}:{self.minute:02d}")]
        return []

    def fires_at(self, reading: datetime) -> bool:
        """Whether the wall clock reading `reading` (naive) is one of these times."""
        if self.off or reading.second or reading.microsecond:
            return False
        if self.unit == "minutes":
            return reading.minute % self.interval == 0
        if self.unit == "hours":
            return reading.minute == self.minute and reading.hour % self.interval == 0
        if self.unit == "weeks" and WEEKDAYS[reading.weekday()] != self.weekday:
            return False
        return (reading.hour, reading.minute) == (self.hour, self.minute)

    def latest(self, reading: datetime) -> datetime | None:
        """The last of these times at or before the wall-clock reading `reading` (naive):
        the run a job that missed it still owes (`run` refreshing the report). None when
        off. Every time comes back within a week, so a week back is as far as it looks."""
        if self.off:
            return None
        start = reading.replace(second=0, microsecond=0)
        week = timedelta(weeks=1) // MINUTE
        return next(
            (start - n * MINUTE for n in range(week + 1) if self.fires_at(start - n * MINUTE)),
            None,
        )

    def moved_by(self, gap: Gap) -> list[datetime]:
        """The runs `gap` moves (naive wall-clock readings): each of these times that the
        clocks skip, as long after the jump as it was after the start of the gap; a moved
        run that lands on one of these times is left out, as it runs then anyway."""
        moved = (reading + gap.length for reading in gap.skipped() if self.fires_at(reading))
        return [reading for reading in moved if not self.fires_at(reading)]

    def cron(self) -> str:
        """The five time fields of a crontab line."""
        if self.unit == "minutes":
            return f"*/{self.interval} * * * *" if self.interval > 1 else "* * * * *"
        if self.unit == "hours":
            hours = f"*/{self.interval}" if self.interval > 1 else "*"
            return f"{self.minute} {hours} * * *"
        day = (
            str((WEEKDAYS.index(self.weekday) + 1) % 7) if self.unit == "weeks" else "*"
        )  # 0 Sunday
        return f"{self.minute} {self.hour} * * {day}"

    def calendar(self) -> str:
        """The same moments as a systemd OnCalendar= expression (without the time zone)."""
        if self.unit == "minutes":
            return f"*-*-* *:00/{self.interval}:00"
        if self.unit == "hours" and self.interval > 1:
            # Not "00/3": systemd 252 cannot work out what follows 21:00 the night before the
            # clocks jump at midnight (America/Santiago), and a timer skips what it cannot.
            hours = ",".join(f"{h:02d}" for h in range(0, 24, self.interval))
            return f"*-*-* {hours}:{self.minute:02d}:00"
        if self.unit == "hours":
            return f"*-*-* 00/1:{self.minute:02d}:00"
        day = f"{self.weekday[:3].title()} " if self.unit == "weeks" else ""
        return f"{day}*-*-* {self.hour:02d}:{self.minute:02d}:00"


def parse_when(text: str, key: str) -> When:
    """`text` as a When; raises SettingsError naming `key` and the forms it may take."""
    said = " ".join(text.strip().casefold().split())
    if said in (OFF, "never", ""):
        return When(text)
    if found := _DAILY.fullmatch(said):
        return When(text, "days", 1, int(found["h"]), int(found["m"]))
    if found := _WEEKLY.fullmatch(said):
        return When(text, "weeks", 1, int(found["h"]), int(found["m"]), found["day"])
    if found := _HOURLY.fullmatch(said):
        return When(text, "hours", 1, 0, int(found["m"] or 0))
    if found := _EVERY.fullmatch(said):
        n, unit = int(found["n"]), found["unit"]
        whole = 60 if unit == "minutes" else 24
        if n < 1 or whole % n:
            divisors = ", ".join(str(d) for d in range(1, whole) if whole % d == 0)
            raise SettingsError(
                f"setting '{key}' is '{text}'; every N {unit} needs an N that divides"
                f" {whole} ({divisors}), so that every day runs at the same times"
            )
        return When(text, unit, n)
    raise SettingsError(f"setting '{key}' is '{text}'; write one of: {', '.join(FORMS)}")
