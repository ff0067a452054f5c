"""Realistic, deterministic form responses for the demo, the tests and the benchmarks.

`program_tabs` makes both response tabs as lists of rows (header first). With
`quirks=True` it adds the quirks of real response tabs listed in the forms
README: edited and repeated responses, blank rows, committee columns, text
timestamps, options with commas, Other: answers, bad emails, formula-looking
answers and a person who applied in both roles.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from mentoring.settings import Settings
from mentoring.sheet import Cell

FIRST = (  # noqa: SIM905 - a name list reads best as words
    "Ada Amara Ben Carmen Chen Dana Diego Elena Farah Grace Hana Ivan Jamal Julia Kofi Lena "
    "Luis Maya Mei Nadia Noor Omar Priya Rafael Rosa Sam Sofia Tariq Uma Wei Yara Zoe Aiko "
    "Bruno Chloe Emeka Freya Hugo Ines Jonas "
).split()
LAST = (  # noqa: SIM905 - a name list reads best as words
    "Abbott Bauer Castillo Dubois Eze Fischer Garcia Haddad Ito Jensen Kaur Larsen Moreau "
    "Nakamura Okafor Patel Quinn Rossi Silva Tanaka Umar Varga Wong Xu Yilmaz Zhang Andersen "
    "Brooks Costa Diaz "
).split()
INSTITUTIONS = {  # name: email domain (all under example.edu, which nobody receives)
    "University of Michigan": "umich",
    "Iowa State University": "iastate",
    "Oregon State University": "oregonstate",
    "University of Toronto": "utoronto",
    "Purdue University": "purdue",
    "Rice University": "rice",
    "MIT Libraries": "mit",
    "University of Edinburgh": "ed",
    "National Library of Medicine": "nlm",
    "Caltech Library": "caltech",
    "University of Arizona": "arizona",
    "Texas A&M University": "tamu",
    "McGill University": "mcgill",
    "University of Melbourne": "unimelb",
    "Georgia Tech": "gatech",
    "NOAA Central Library": "noaa",
    "University of Washington": "uw",
    "Simmons University": "simmons",
    "Drexel University": "drexel",
    "Cornell University": "cornell",
}
STAGES = (
    "Library school student",
    "Newer science librarian (under 3 years)",
    "Mid-career librarian",
    "Librarian changing career paths",
)
RHYTHMS = ("Every two weeks", "Monthly", "Every two months", "Quarterly")
ZONES = (
    "UTC-8 Pacific",
    "UTC-7 Mountain",
    "UTC-6 Central",
    "UTC-5 Eastern",
    "UTC+0 UK & Ireland",
    "UTC+1 Central Europe",
    "UTC+10 Eastern Australia",
)
POSITIONS = (
    "Science Librarian",
    "Data Services Librarian",
    "Engineering Librarian",
    "Head of Research Support",
    "Health Sciences Librarian",
    "Scholarly Communication Librarian",
)
GOALS = (
    "I want to build a research data service for my campus.",
    "Preparing for my first liaison role in the sciences.",
    "Learning how to run systematic review consultations.",
    "Moving from public libraries into an academic science library.",
    "Getting ready for tenure review and publishing my first article.",
)
EXPERIENCES = (
    "I built our research data management service and teach data curation workshops.",
    "I lead systematic review consultations with health sciences faculty.",
    "I moved from a public library into engineering liaison work ten years ago.",
    "I have served on tenure committees and mentor new librarians through review.",
    "I write grants for digital library projects and love sharing what works.",
    "I teach information literacy to chemistry and biology undergraduates.",
    "I manage collection development for physics, astronomy and mathematics.",
    "I run our open access fund and advise on scholarly communication.",
)
START = datetime(2026, 9, 1, 9, 0, 0)


def program_tabs(
    settings: Settings,
    mentees: int = 60,
    mentors: int = 35,
    seed: int = 2026,
    quirks: bool = True,
    capacity: int | None = None,
) -> dict[str, list[list[Cell]]]:
    """Both response tabs, keyed by the configured tab names.

    `capacity` gives every mentor the same answer to the capacity question
    (for benchmarks); by default the answers vary from 1 to 3.
    """
    rng = random.Random(seed)
    people = _people(rng, mentees + mentors)
    mentee_rows = [_mentee(rng, settings, person, i) for i, person in enumerate(people[:mentees])]
    mentor_rows = [_mentor(rng, settings, person, i) for i, person in enumerate(people[mentees:])]
    if capacity is not None:
        for row in mentor_rows:
            row["capacity"] = str(capacity)
    tables: dict[str, list[list[Cell]]] = {
        form.tab: [
            list(form.questions.values()),
            *([row.get(field, "") for field in form.questions] for row in rows),
        ]
        for form, rows in ((settings.mentee_form, mentee_rows), (settings.mentor_form, mentor_rows))
    }
    if quirks:
        _add_quirks(tables, settings)
    return tables


def _people(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(names)
    people = []
    for index in range(count):
        name = names[index % len(names)] + ("" if index < len(names) else f" {index}")
        institution = rng.choice(sorted(INSTITUTIONS))
        email = f"{name.lower().replace(' ', '.')}@{INSTITUTIONS[institution]}.example.edu"
        people.append((name, email, institution))
    return people


def _answers(rng, settings: Settings, person, when: datetime, ranges) -> dict[str, Cell]:
    """The answers both forms share; `ranges` gives how many options to tick per checkbox."""
    name, email, institution = person
    answers: dict[str, Cell] = {
        "timestamp": when + timedelta(seconds=rng.randrange(3600)),
        "email": email,
        "name": name,
        "pronouns": rng.choice(("she/her", "he/him", "they/them", "")),
        "institution": institution,
        "rhythm": rng.choice(RHYTHMS),
        "time_zone": rng.choice(ZONES),
    }
    for field, (low, high) in ranges.items():
        answers[field] = _pick(rng, settings.checkboxes[field], low, high)
    return answers


def _mentee(rng, settings: Settings, person, index: int) -> dict[str, Cell]:
    ranges = {"subjects": (1, 3), "support": (1, 3), "skills": (1, 4), "communication": (1, 2)}
    answers = _answers(rng, settings, person, START + timedelta(hours=7 * index), ranges)
    answers.update(
        career_stage=rng.choice(STAGES), years=rng.randrange(0, 6), goals=rng.choice(GOALS)
    )
    return answers


def _mentor(rng, settings: Settings, person, index: int) -> dict[str, Cell]:
    ranges = {"subjects": (2, 4), "support": (2, 4), "skills": (2, 5), "communication": (1, 3)}
    answers = _answers(rng, settings, person, START + timedelta(hours=11 * index), ranges)
    answers.update(
        position=rng.choice(POSITIONS),
        years=rng.randrange(5, 30),
        experience=" ".join(rng.sample(EXPERIENCES, 2)),
        capacity=rng.choice(("1", "1", "1", "1", "1", "2", "2", "3")),
        returning=rng.choice(("Yes", "No")),
    )
    return answers


def _pick(rng: random.Random, options: Sequence[str], low: int, high: int) -> str:
    chosen = rng.sample(list(options), rng.randint(low, min(high, len(options))))
    return ", ".join(o for o in options if o in chosen)  # Google keeps the form's order


def _add_quirks(tables: dict[str, list[list[Cell]]], settings: Settings) -> None:
    mentee_tab, mentor_tab = settings.mentee_form.tab, settings.mentor_form.tab
    mentees, mentors = tables[mentee_tab], tables[mentor_tab]
    q = settings.mentee_form.questions
    col = {field: list(q).index(field) for field in q}
    mcol = {
        field: list(settings.mentor_form.questions).index(field)
        for field in settings.mentor_form.questions
    }

    # An option with a comma, and an Other: answer that has a comma of its own.
    mentees[3][col["skills"]] = "Grant writing, Tenure, promotion & publishing"
    mentees[4][col["skills"]] = "Systematic reviews, Patent searching, prior art"
    # Formula-looking answers, which must come back as text, never as formulas.
    mentees[5][col["name"]] = f"@{mentees[5][col['name']]}"
    mentors[2][mcol["name"]] = f"=Dr. {mentors[2][mcol['name']]}"
    # An email typed with capitals and spaces.
    mentees[6][col["email"]] = "  " + str(mentees[6][col["email"]]).upper() + " "
    # Timestamps pasted as US-locale text, one with a day above 12.
    mentees[7][col["timestamp"]] = "09/14/2026 10:15:00"
    mentees[8][col["timestamp"]] = "9/20/2026 16:40:31"
    # Rows that cannot be used: no email, a bad email, a required answer missing.
    mentees[9][col["email"]] = ""
    mentees[10][col["email"]] = str(mentees[10][col["email"]]).replace("@", " at ")
    mentees[11][col["institution"]] = ""
    # Someone who applied twice: the second response, later, wins.
    again = list(mentees[12])
    again[col["timestamp"]] = datetime(2026, 11, 20, 8, 30)
    again[col["skills"]] = "Research data management, Leadership & management"
    mentees.append(again)
    # An edited response: a newer Timestamp on a row above an older copy.
    older = list(mentees[13])
    older[col["timestamp"]] = datetime(2026, 9, 2, 7, 0)
    mentees[13][col["timestamp"]] = datetime(2026, 11, 25, 12, 0)
    mentees.append(older)
    # A mentor who also applied as a mentee.
    mentees[14][col["email"]] = mentors[5][mcol["email"]]
    mentees[14][col["name"]] = mentors[5][mcol["name"]]
    # Capacity answers: blank (the default), free text with a number, and nonsense.
    mentors[6][mcol["capacity"]] = ""
    mentors[7][mcol["capacity"]] = "2 if possible"
    mentors[8][mcol["capacity"]] = "a few"
    # Blank rows, and a committee column to the right of the responses.
    mentees.insert(20, [""] * len(mentees[0]))
    mentees.insert(35, [None] * len(mentees[0]))
    # A question the tool does not use, and a committee column to the right.
    mentees[0].append("Anything else the committee should know?")
    mentees[1].append("I can only meet after 4 pm Eastern.")
    mentees[0].append("Committee notes")
    mentees[2].extend(["", "Met at the spring conference"])
