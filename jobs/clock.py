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
