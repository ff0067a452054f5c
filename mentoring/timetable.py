"""When each job runs: the committee's words ("daily at 07:00") as a typed value.

One `When` feeds all three ways of running on a schedule: the `schedule`
package (`mentor-sync schedule`), crontab lines and systemd timers (`mentor-sync
cron`), so they cannot disagree. Times are in the program's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mentoring.errors import ConfigError

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
        if self.unit == "hours":
            return f"*-*-* 00/{self.interval}:{self.minute:02d}:00"
        day = f"{self.weekday[:3].title()} " if self.unit == "weeks" else ""
        return f"{day}*-*-* {self.hour:02d}:{self.minute:02d}:00"


def parse_when(text: str, key: str) -> When:
    """`text` as a When; raises ConfigError naming `key` and the forms it may take."""
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
            raise ConfigError(
                f"setting '{key}' is '{text}'; every N {unit} needs an N that divides"
                f" {whole} ({divisors}), so that every day runs at the same times"
            )
        return When(text, unit, n)
    raise ConfigError(f"setting '{key}' is '{text}'; write one of: {', '.join(FORMS)}")
