"""What the committee is told when something needs a person, once per problem.

Each problem has an Email Log key: a problem whose key is logged was already
told, so a job failing for a week gives one email, not 168. A job that fails,
recovers and fails again is a new problem (the key has the streak's start).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentoring.committee import Outcome
from mentoring.health import PairHealth
from mentoring.intake import IntakeIssue
from mentoring.runs import JobHistory

ALERT = "alert"
FAILING, INTAKE, WEAK, CONTACT = "failing", "intake", "weak", "contact"


@dataclass(frozen=True)
class Problem:
    key: str  # its Email Log key
    group: str  # FAILING, INTAKE or WEAK
    text: str  # one line: what happened, in the committee's words


# The heading of each group of problems in the email, and what to do about them.
GROUPS: Mapping[str, tuple[str, str]] = {
    FAILING: (
        "A job keeps failing",
        "Fix what the error says; `mentor-sync doctor`, run where mentor-sync runs, checks"
        " the settings, the spreadsheet and the email sender and says what to fix. Nothing is"
        " lost meanwhile: the job runs again on its schedule, and emails that were due go out"
        " on the first run that works.",
    ),
    INTAKE: (
        "Form responses the tool could not use (the Intake Issues tab)",
        "Correct the answer in the response tab, or ask the person to send the form again;"
        " each line says what the tool does until then.",
    ),
    CONTACT: (
        "Asked the committee to get in touch (the check-in form)",
        "Write to them; the Pair Health tab has their pair's answers, and its Notes column is"
        " the place to say who did.",
    ),
    WEAK: (
        "Suggested pairs that score below the minimum (the Committee Matches tab)",
        "Look at these pairs: set Status to Approved or Rejected (another mentor is suggested"
        " on the next run), or name a mentor in Committee Mentor Email.",
    ),
}


def failing_jobs(failing: Mapping[str, JobHistory]) -> dict[str, Problem]:
    """One problem per job in a streak of failures (see History.failing), by job."""
    problems = {}
    for job, history in sorted(failing.items()):
        since = history.failing_since or history.last.started
        problems[job] = Problem(
            # To the microsecond: a streak that starts in the same second as the last one
            # ended (two runs by hand) is still a new problem.
            f"{ALERT} | {job} failing since {since:%Y-%m-%d %H:%M:%S.%f}",
            FAILING,
            f"mentor-sync {job} failed {history.failures} times in a row, the first at"
            f" {since:%Y-%m-%d %H:%M}. The last error: {history.last.line}",
        )
    return problems


def intake_issues(issues: Iterable[IntakeIssue]) -> list[Problem]:
    return [
        Problem(
            # By person, not row: a sorted response tab is not a new problem.
            f"{ALERT} | intake | {issue.tab} | {issue.person or f'row {issue.row}'}"
            f" | {_without_rows(issue.problem)}",
            INTAKE,
            f"{issue.tab}, row {issue.row}"
            + (f" ({issue.person})" if issue.person else "")
            + f": {issue.problem}",
        )
        for issue in sorted(issues, key=lambda i: (i.tab, i.row, i.problem))
    ]


def _without_rows(problem: str) -> str:
    """The problem without the row numbers it names, which change when a tab is sorted."""
    return re.sub(r"\brows? \d+", "row", problem)


def weak_matches(outcomes: Iterable[Outcome], min_score: int) -> list[Problem]:
    """The weak suggestions the committee has not yet decided on."""
    return [
        Problem(
            f"{ALERT} | weak match | {o.mentee.email} | {o.mentor}",
            WEAK,
            f"{o.mentee.name} ({o.mentee.email}) with {o.mentor}: score {o.score},"
            f" below {min_score}",
        )
        for o in sorted(outcomes, key=lambda o: o.mentee.email)
        if o.weak and o.mentor and not o.reviewed
    ]


def contact_requests(healths: Iterable[PairHealth]) -> list[Problem]:
    """Each person whose latest check-in answer asks the committee to get in touch: told at
    once, not left for the monthly digest. A later answer asking again is a new problem."""
    problems = []
    for health in healths:
        for side in health.sides:
            answer = side.latest
            if answer is None or not answer.contact:
                continue
            problems.append(
                Problem(
                    f"{ALERT} | contact | {health.pair.label} | {side.person.email}"
                    f" | {answer.submitted:%Y-%m-%d %H:%M:%S}",
                    CONTACT,
                    f"{health.pair.who(side.person)}, on {answer.submitted:%Y-%m-%d}"
                    + (f" (rated the relationship {answer.rating} of 5)" if answer.rating else "")
                    + (f': "{answer.progress}"' if answer.progress else ""),
                )
            )
    return problems


def alert_context(
    problems: Sequence[Problem], program: str, spreadsheet: str, now: datetime
) -> dict[str, Any]:
    """What the alert template may use: the problems in groups, each with what to do."""
    groups = []
    for group, (heading, todo) in GROUPS.items():
        items = [p.text for p in problems if p.group == group]
        if items:
            groups.append({"heading": heading, "todo": todo, "items": items})
    return {
        "program": program,
        "count": len(problems),
        "groups": groups,
        "spreadsheet": spreadsheet,
        "now": now,
    }
