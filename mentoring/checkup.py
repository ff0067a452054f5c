"""What `mentor-sync doctor` finds in what the jobs would read: each a `Finding` with its fix.

The checks of content, not only presence: settings left at the demo's sample values or
empty, checkbox answers that fit none of the options the settings list, an overlap rule
with no options to compare, a rule that scores no pair, a Committee Mentor Email one
typo away from a mentor's address, and an editor's lock file beside the workbook. Pure:
the job reads the tabs and the folder and passes them in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from mentoring.addresses import email_at
from mentoring.committee import OVERRIDE
from mentoring.errors import ConfigError
from mentoring.intake import read_responses, split_choices
from mentoring.settings import Form, Settings
from mentoring.sheet import Table, cell_text
from mentoring.summary import count

OK, FIX, NOTE = "ok", "fix", "note"
# Domains kept for examples (RFC 2606), where no mail arrives: the sample settings use one.
SAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
# A checkbox question whose answers fit none of its options this often has the wrong list.
UNFIT_SHARE = 0.25
# A rule that scores no pair among fewer pairs than this may just have found no fit yet.
MIN_PAIRS_SCORED = 25
# The committee's address left empty: said by doctor, and by a job that would send.
NO_COMMITTEE_EMAIL = (
    "setting 'program.committee_email' is empty, but the emails name it (and come from it,"
    " unless email.from_address is set) and the committee's alerts go to it; set it to the"
    " committee's address"
)


@dataclass(frozen=True)
class Finding:
    """One line of doctor: `ok` when fine, `fix` with what to do, `note` for later."""

    level: str
    text: str

    def __str__(self) -> str:
        return f"{self.level}: {self.text}"


def program_settings(settings: Settings, sample: Settings) -> list[Finding]:
    """The names and addresses the emails show, when empty or still the `sample` settings'
    (the defaults the program ships), which would go out in real emails."""
    program, email = settings.program, settings.email
    found = []
    if not program.name.strip():
        found.append(
            Finding(
                FIX,
                "setting 'program.name' is empty, so the emails would say \"Welcome to the"
                " !\"; set it to your program's name",
            )
        )
    elif program.name == sample.program.name:
        found.append(_sample("program.name", program.name, "your program's name"))
    if email.from_name and email.from_name == sample.email.from_name:
        found.append(_sample("email.from_name", email.from_name, 'your committee\'s name (or "")'))
    if not program.committee_email:
        found.append(Finding(FIX, NO_COMMITTEE_EMAIL))
    addresses = {
        "program.committee_email": program.committee_email,
        "email.from_address": email.from_address,
        "alerts.to": settings.alerts.to,
    }
    for key, address in addresses.items():
        if address.rpartition("@")[2].casefold() in SAMPLE_DOMAINS:
            found.append(
                Finding(
                    FIX,
                    f"setting '{key}' is a sample address, {address}, where no mail arrives;"
                    " set it to the address the emails should use",
                )
            )
    return found


def _sample(key: str, value: str, wanted: str) -> Finding:
    return Finding(
        FIX,
        f"setting '{key}' is still the sample's '{value}', which the emails show; set it to"
        f" {wanted}",
    )


def checkbox_fit(table: Table, form: Form, section: str, settings: Settings) -> list[Finding]:
    """Per checkbox question of `form` (read from its response `table`): the share of the
    answers that fit none of the options [checkboxes] lists, when it is too large to be the
    odd "Other:" answer. A question whose column is missing is left to the header check."""
    found = []
    for field, header in form.questions.items():
        options = settings.checkboxes.get(field)
        column = table.column(header)
        if not options or column is None:
            continue
        answers = [text for row in table.rows if (text := cell_text(row, column))]
        unfit = sum(1 for answer in answers if not set(split_choices(answer, options)) & {*options})
        if unfit >= 2 and unfit >= UNFIT_SHARE * len(answers):
            share = round(100 * unfit / len(answers))
            found.append(
                Finding(
                    FIX,
                    f"{field} ({section}, tab '{table.name}'): {share}% of {len(answers)}"
                    f" answers fit none of the {len(options)} options in [checkboxes] {field};"
                    " copy the form's options there, exactly as the form words them",
                )
            )
    return found


def rules_without_options(settings: Settings) -> Iterator[Finding]:
    """The overlap rules comparing a question that [checkboxes] lists no options for: each
    answer is then one whole text, so two people fit only when they ticked exactly the same
    options, and the rule all but stops scoring."""
    for rule in settings.matching.rules:
        if rule.kind != "overlap":
            continue
        sides = dict.fromkeys((rule.mentee, rule.mentor))  # one field when both use the same
        for field in (f for f in sides if not settings.checkboxes.get(f)):
            yield Finding(
                FIX,
                f"the rule '{rule.name}' (overlap) compares the options chosen in {field}, but"
                f" [checkboxes] lists none for {field}: each answer is taken whole, so the rule"
                f" scores only people who ticked exactly the same options; list the form's"
                f" options in [checkboxes] {field}",
            )


def rules_that_never_score(settings: Settings, mentees: Table, mentors: Table) -> list[Finding]:
    """The scoring rules that give 0 to every pair of the current responses: the questions
    they compare are not what they expect (free text for options, a city for a time zone),
    and every suggestion is the worse for it. Nothing when the responses cannot be read,
    which the header check says."""
    rules = settings.matching.rules
    if not any(rule.weight > 0 for rule in rules):
        return []
    try:
        people = read_responses(mentees, mentors, settings)
    except ConfigError:
        return []
    if len(people.mentees) * len(people.mentors) < MIN_PAIRS_SCORED:
        return []
    from mentoring.scoring import ScoreBoard  # numpy and scikit-learn: only with responses

    board = ScoreBoard(rules, people.mentees, people.mentors)
    pairs = count(len(people.mentees) * len(people.mentors), "pair")
    return [
        Finding(
            FIX,
            f"the rule '{scored.rule.name}' ({scored.rule.kind}) scores 0 on every one of the"
            f" {pairs} of the current responses, so it adds nothing to any suggestion; check"
            f" that the questions it compares ([mentee_form.questions] {scored.rule.mentee},"
            f" [mentor_form.questions] {scored.rule.mentor}) are answered as it expects, or"
            " remove the rule",
        )
        for scored in board.rules
        if scored.rule.weight > 0 and not scored.values(slice(None)).max() > 0
    ]


def near_miss_mentors(committee: Table, mentors: Collection[str]) -> list[Finding]:
    """Each Committee Mentor Email that is no mentor's address but close to one (a typo
    away, or the same name at another domain), naming its row: until it is corrected, the
    row's mentee has no mentor."""
    column = committee.column(OVERRIDE)
    if column is None:
        return []
    found = []
    for row in committee.rows:
        typed = email_at(row, column)
        if not typed or typed in mentors:
            continue
        near = _near(typed, mentors)
        if near:
            found.append(
                Finding(
                    FIX,
                    f"tab '{committee.name}' row {row.number}: {OVERRIDE} '{typed}' is no"
                    f" mentor's address; did you mean {' or '.join(repr(a) for a in near)}?"
                    " Correct it in the tab (until then that mentee has no mentor)",
                )
            )
    return found


def _near(typed: str, mentors: Iterable[str]) -> list[str]:
    """The mentors' addresses one edit from `typed`; failing that, those with its name."""
    ordered = sorted(mentors)
    close = [address for address in ordered if _one_edit(typed, address)]
    if close:
        return close
    name = typed.partition("@")[0]
    return [address for address in ordered if address.partition("@")[0] == name]


def _one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one character added, dropped, changed, or two neighbours
    swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    start = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    a_rest, b_rest = a[start:], b[start:]
    if len(a) == len(b):
        swapped = len(a_rest) >= 2 and a_rest[:2] == b_rest[1::-1] and a_rest[2:] == b_rest[2:]
        return a_rest[1:] == b_rest[1:] or swapped
    return a_rest[1:] == b_rest if len(a) > len(b) else a_rest == b_rest[1:]


def editor_locks(workbook: str, beside: Iterable[str]) -> list[Finding]:
    """The editors' lock files among the file names `beside` the workbook named `workbook`:
    while it is open there, a job's save is refused or later saved over."""
    names = set(beside)
    # Excel names its lock ~$ and the file's name, or, for some names, with ~$ in place of
    # the name's first two letters; LibreOffice names it .~lock.NAME#.
    editors = {
        "Excel": [f"~${workbook}", f"~${workbook[2:]}"],
        "LibreOffice": [f".~lock.{workbook}#"],
    }
    found = []
    for editor, locks in editors.items():
        lock = next((name for name in locks if name in names), None)
        if lock is not None:
            found.append(
                Finding(
                    FIX,
                    f"{workbook} is open in {editor} (its lock file {lock} is beside it); close"
                    " it before the jobs run, or their saves are refused or saved over. If"
                    " nobody has it open, the lock file is left from a crash: delete it",
                )
            )
    return found
