"""The errors the core raises; each says what is wrong and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MentorSyncError(Exception):
    """Base of every error mentor-sync reports to a person."""


class ConfigError(MentorSyncError):
    """Raised when the settings, a tab or a header do not fit what the tool needs.

    The CLI turns it into exit code 2.
    """


def did_you_mean(wanted: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" for the closest candidate, or "" if none is close."""
    by_folded = {c.casefold(): c for c in candidates if c}
    close = difflib.get_close_matches(wanted.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f"; did you mean '{by_folded[close[0]]}'?" if close else ""
