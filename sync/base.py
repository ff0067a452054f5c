"""The interfaces every adapter implements, so that every job runs on any backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mentoring.errors import MentorSyncError
from mentoring.sheet import TabEdits, Table


class SpreadsheetError(MentorSyncError):
    """Raised when the spreadsheet cannot be read or written; the message says what to do."""


class Spreadsheet(Protocol):
    """A spreadsheet of tabs: one read of all the tabs a job needs, one write of its changes."""

    def read(self, tabs: Sequence[str], fresh: bool = False) -> dict[str, Table]:
        """The named tabs that exist; a missing tab is simply absent from the result.

        An adapter may keep what it read for the rest of a run; `fresh` reads the tabs
        again, as they are now (after the committee perhaps sorted them).
        """
        ...

    def tab_names(self) -> list[str]:
        """The names of every tab, in order (for suggesting a tab name that is close)."""
        ...

    def write(self, edits: Sequence[TabEdits]) -> None:
        """Apply all edits at once, creating missing tabs; nothing is written if any fails."""
        ...
