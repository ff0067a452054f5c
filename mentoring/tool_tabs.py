"""The tabs mentor-sync writes, and the check that each one still has its header in row 1.

People edit the spreadsheet: they insert a row above a header or clear it. A tool tab
read that way would be taken for a new one and rewritten, putting the committee's texts
on other rows (or, for the Email Log, forgetting what was sent), so every job checks its
tool tabs right after reading them and refuses, naming the tab and the row where its
header went, before it writes or sends anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mentoring.committee import COLUMNS as COMMITTEE_COLUMNS
from mentoring.health import COLUMNS as HEALTH_COLUMNS
from mentoring.ledger import LOG_COLUMNS
from mentoring.past_pairs import PAST_MENTEE, PAST_MENTOR
from mentoring.reports import INTAKE_COLUMNS
from mentoring.settings import Settings
from mentoring.sheet import NOTHING_DONE, Table, is_new_tab, looks_like_header


@dataclass(frozen=True)
class ToolTab:
    """A tab the tool writes: its role (which names its marker in the spreadsheet, so a
    renamed tab is found again), what it is in the committee's words, and its columns."""

    role: str
    what: str
    columns: tuple[str, ...]

    @property
    def setting(self) -> str:
        """The setting that names the tab."""
        return "matching.past_pairs_tab" if self.role == "past_pairs" else f"tabs.{self.role}"


def tool_tabs(settings: Settings) -> dict[str, ToolTab]:
    """The tabs the tool writes, by the name the settings give them."""
    tabs = settings.tabs
    found = {
        tabs.committee: ToolTab("committee", "the committee's matches", COMMITTEE_COLUMNS),
        tabs.email_log: ToolTab("email_log", "the Email Log", LOG_COLUMNS),
        tabs.pair_health: ToolTab("pair_health", "Pair Health", HEALTH_COLUMNS),
        tabs.intake_issues: ToolTab("intake_issues", "Intake Issues", INTAKE_COLUMNS),
    }
    if settings.matching.past_pairs_tab:
        past = ToolTab("past_pairs", "previous pairs", (PAST_MENTEE, PAST_MENTOR))
        found[settings.matching.past_pairs_tab] = past
    return found


def check_tool_tabs(found: Mapping[str, Table], settings: Settings) -> None:
    """Raise TabShapeError for the first tool tab in `found` whose header is not in row 1."""
    for name, tab in tool_tabs(settings).items():
        is_new_tab(found.get(name), tab.columns, tab.what)


def renamed_tool_tab(name: str, tab: ToolTab, candidate: Table) -> str:
    """Why `candidate`, a tab of a name close to the missing tool tab `name`, is probably
    that tab renamed ("" when its rows do not look like it): making a new one would leave
    the committee's texts (or the record of what was sent) in the renamed tab."""
    rows = [candidate.header, *(row.cells for row in candidate.rows[:5])]
    if not any(looks_like_header(cells, tab.columns) for cells in rows):
        return ""
    return (
        f"no tab '{name}' ({tab.what}), but tab '{candidate.name}' has its columns; if it is"
        f" that tab renamed, rename it back, or set {tab.setting} in the settings to"
        f" '{candidate.name}'. {NOTHING_DONE}"
    )
