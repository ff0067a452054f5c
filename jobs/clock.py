"""The program's clock: what time it is in the program's time zone.

The core never reads the clock; jobs take `now` from here and pass it down.
Time zones come from pytz, the database the `schedule` package also uses, so the
scheduler and the jobs agree on when "today" starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

import pytz

from mentoring.errors import SettingsError, did_you_mean
from mentoring.settings import Settings
from mentoring.timetable import Gap


def program_zone(name: str) -> tzinfo | None:
    """The tz database zone `name`, or None for this machine's own zone ("").

    Raises SettingsError for a name the database does not have.
    """
    if not name:
        return None
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        raise SettingsError(
            f"setting 'program.time_zone' is '{name}', which is not a time zone name"
            f"{did_you_mean(name, pytz.all_timezones)}; use a name such as America/New_York"
            ' or Europe/London, or "" for this machine\'s time zone'
        ) from None


def machine_zone(
    environ: Mapping[str, str], localtime: Path = Path("/etc/localtime")
) -> tuple[str, str]:
    """This machine's time zone as a tz database name, and where it was read: the TZ
    variable, or the zone file `localtime` links to; ("", "") when neither names a zone."""
    for given, source in ((environ.get("TZ", ""), "the TZ variable"), (_link(localtime), "")):
        name = given.lstrip(":").partition("zoneinfo/")[2] or given.lstrip(":")
        if name in pytz.all_timezones_set:
            return name, source or f"{localtime}, this machine's time zone"
    return "", ""


def _link(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


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


def clock_gaps(zone: tzinfo | None, start: datetime, end: datetime) -> list[Gap]:
    """Each time the wall clock of `zone` (None: this machine's) jumps forward between
    `start` and `end` (aware), as the Gap it leaves. Looks a day at a time, so two changes of
    the clocks within one day (no zone has them) would be missed."""
    gaps = []
    day = timedelta(days=1)
    moment = start
    while moment < end:
        before, after = _offset(zone, moment), _offset(zone, moment + day)
        if after > before:
            jump = _jump(zone, moment, moment + day)
            reading = (jump.astimezone(pytz.utc) + before).replace(tzinfo=None)
            gaps.append(Gap(reading, after - before))
        moment += day
    return gaps


def _offset(zone: tzinfo | None, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None  # astimezone always gives an aware datetime
    return offset


def _jump(zone: tzinfo | None, before: datetime, after: datetime) -> datetime:
    """The first whole second with the offset `after` has (it differs from `before`'s)."""
    offset = _offset(zone, after)
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, datetime.fromtimestamp(middle, pytz.utc)) == offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, pytz.utc)
