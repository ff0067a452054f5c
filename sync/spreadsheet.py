"""The spreadsheet as every job sees it, whatever the backend: the Spreadsheet protocol the
workbook and Google adapters implement, its error, and how a tab is found by its name.
(The senders' protocol is in sync/sender.py.)"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from mentoring.errors import ConfigError, MentorSyncError
from mentoring.sheet import TabEdits, Table, header_key

log = logging.getLogger(__name__)


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

    def write(self, edits: Sequence[TabEdits], later: bool = False) -> None:
        """Apply all edits at once, creating missing tabs; nothing is written if any fails.

        With `later`, an adapter may keep the edits (reads see them) and save them with the
        next write or `flush`, to save once for a job: only for what the next run can do
        again when it is lost (suggestions, rows the send journal has).
        """
        ...

    def flush(self) -> None:
        """Save the edits kept `later`; raises SpreadsheetError as `write` does."""
        ...


def tab_title(
    name: str,
    titles: Collection[str],
    found_again: Callable[[], str | None],
    tool_tabs: Collection[str],
    told: set[str],
) -> str | None:
    """The title of the tab the settings call `name`, among `titles`: that name, the same
    name in other case or spacing (as headers are matched), or, for a tab the tool writes,
    the title `found_again` finds by the tab's marker after a rename (said once per name in
    `told`); None when there is no such tab.

    Raises ConfigError when two tabs have the name, in the same or other case or spacing.
    """
    same = [title for title in titles if header_key(title) == header_key(name)]
    if len(same) > 1:
        raise ConfigError(
            f"there are {len(same)} tabs named like '{name}' ({', '.join(same)}); rename or"
            " delete all but one, so that mentor-sync knows which to use"
        )
    if same:
        return same[0]
    title = found_again() if name in tool_tabs else None
    if title is None or title not in titles or title in tool_tabs:
        return None
    if name not in told:
        told.add(name)
        log.warning(
            "mentor-sync: the tab '%s' is now named '%s'; mentor-sync found it by its marker"
            " and uses it (set the tab's name in the settings to say so)",
            name,
            title,
        )
    return title
