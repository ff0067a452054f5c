"""The program's clock: what time it is in the program's time zone.

The core never reads the clock; jobs take `now` from here and pass it down.
Time zones come from pytz, the database the `schedule` package also uses, so the
scheduler and the jobs agree on when "today" starts.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

import pytz

from mentoring.errors import ConfigError, did_you_mean
from mentoring.settings import Settings


def program_zone(name: str) -> tzinfo | None:
    """The tz database zone `name`, or None for this machine's own zone ("").

    Raises ConfigError for a name the database does not have.
    """
    if not name:
        return None
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise ConfigError(
            f"setting 'program.time_zone' is '{name}', which is not a time zone name"
            f"{did_you_mean(name, pytz.all_timezones)}; use a name such as America/New_York"
            ' or Europe/London, or "" for this machine\'s time zone'
        ) from None


def program_now(settings: Settings, as_of: date | None = None) -> datetime:
    """Now, in the program's time zone (aware); on the day `as_of` when one is given."""
    zone = program_zone(settings.program.time_zone)
    now = datetime.now(zone) if zone else datetime.now().astimezone()
    if as_of is None or as_of == now.date():
        return now
    moment = datetime.combine(as_of, now.time().replace(tzinfo=None))
    return zone.localize(moment) if isinstance(zone, pytz.BaseTzInfo) else moment.astimezone()


def wall_moment(zone: tzinfo | None, reading: datetime) -> datetime:
    """The moment (aware) the wall clock of `zone` (None: this machine's) reads `reading`
    (naive): the first of the two when the clocks go back over it; when they go forward over
    it, as long after the jump as `reading` is after the jump's start (02:30, on the night
    02:00 becomes 03:00, is 03:30), as `schedule` does on that day."""
    moments = {_read_as(zone, reading, first) for first in (True, False)}
    real = [moment for moment in moments if _reading(zone, moment) == reading]
    # Read with the offset from before a jump forward, a skipped time is the later moment.
    return (min(real) if real else max(moments)).astimezone(zone)


def _read_as(zone: tzinfo | None, reading: datetime, first: bool) -> datetime:
    """`reading` as the first (or the second) of the two moments it could be."""
    if isinstance(zone, pytz.BaseTzInfo):
        return zone.localize(reading, is_dst=first)
    fold = reading.replace(fold=0 if first else 1)
    return fold.astimezone() if zone is None else fold.replace(tzinfo=zone)


def _reading(zone: tzinfo | None, moment: datetime) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)
