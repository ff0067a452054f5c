"""A committee's own forms, not the demo's, as Google Sheets exports their responses (.xlsx):
other wordings for the questions, other checkbox options (two of them with a comma, and
some Other: answers), no question on how often to meet, and one question of their own on
each form. The tabs are named by the committee, the mentor tab comes first, and a tab of
notes sits beside them. Generated from a seed, so the same every time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from mentoring.sheet import Cell
from sync.workbook import create_workbook

MENTEE_TAB, MENTOR_TAB, NOTES_TAB = "Mentee sign-ups", "Mentor sign-ups", "Notes"
MENTEE_HEADERS = (
    "Timestamp",
    "E-mail",
    "Your name",
    "Pronouns (optional)",
    "Organisation / employer",
    "Career stage",
    "How many years have you worked in libraries?",
    "Areas of science you work in",
    "What kind of support are you looking for?",
    "Skills you'd like to build",
    "What do you hope to learn?",
    "How would you like to keep in touch?",
    "Your time zone",
    "How did you hear about the programme?",  # their own question
)
MENTOR_HEADERS = (
    "Timestamp",
    "E-mail",
    "Your name",
    "Pronouns (optional)",
    "Organisation / employer",
    "Job title",
    "How many years have you worked in libraries?",
    "Areas of science you know well",
    "What support can you offer?",
    "Skills you could teach",
    "Tell us about your background",
    "How would you like to keep in touch?",
    "Your time zone",
    "How many mentees could you take?",
    "Have you been a mentor with us before?",
    "Anything else we should know?",  # their own question
)
SUBJECTS = (
    "Life sciences",
    "Chemistry",
    "Physics",
    "Maths & statistics",
    "Engineering",
    "Computing",
    "Earth sciences",
    "Medicine & health",
)
SUPPORT = (
    "Career advice",
    "Moral support",
    "Networking, introductions & visibility",
    "Help with research",
)
SKILLS = (
    "Teaching & instruction",
    "Data management",
    "Grant writing",
    "Publishing, peer review & open access",
    "Leadership",
    "Job hunting",
)
CONTACT = ("E-mail", "Video calls", "Phone", "Meeting at conferences")
# What a few people typed after "Other:", each once.
OTHER_SKILLS = (
    "Python for librarians",
    "Marine archives, mostly",
    "Podcasting",
    "Patents",
    "Museum loans, and a little conservation",
    "Citizen science",
)
STAGES = ("Student", "Early career (0-3 years)", "Mid career", "Changing careers")
ZONES = ("UTC-8 Pacific", "UTC-5 Eastern", "UTC+0 London", "UTC+1 Berlin", "UTC+10 Sydney")
ORGANISATIONS = (
    "Northfield University",
    "City Science Library",
    "Lakeside College",
    "Hill Institute of Technology",
    "Riverside Medical School",
    "Coastal Research Centre",
    "Valley Public Library",
)
FIRST = (  # noqa: SIM905 - a name list reads best as words
    "Aino Bela Cyrus Dara Emil Fenna Gita Hamid Ilse Joao Kemal Liv Marta Nils Oona"
).split()
LAST = (  # noqa: SIM905 - a name list reads best as words
    "Aalto Berg Costa Dahl Eklund Frey Gomes Holm Iqbal Jaeger Kovacs Lind Moss"
).split()
TOPICS = (
    "research data management",
    "grant writing for science",
    "teaching information literacy",
    "open access publishing",
    "leading a small team",
    "finding a job in a science library",
)
START = datetime(2026, 8, 3, 9, 30)


def own_forms_workbook(path: Path, mentees: int = 30, mentors: int = 15, seed: int = 17) -> Path:
    """Write the workbook of `mentees` and `mentors` responses to the committee's own forms."""
    create_workbook(path, own_forms_tabs(mentees, mentors, seed))
    return path


def own_forms_tabs(
    mentees: int = 30, mentors: int = 15, seed: int = 17
) -> dict[str, list[list[Cell]]]:
    """The tabs of `mentees` and `mentors` responses to the committee's own forms, by name."""
    draw = random.Random(seed)
    tabs: dict[str, list[list[Cell]]] = {
        MENTOR_TAB: [list(MENTOR_HEADERS)],
        MENTEE_TAB: [list(MENTEE_HEADERS)],
        NOTES_TAB: [["Note", "By"], ["Forms closed on 30 September", "the chair"]],
    }
    for n in range(mentees):
        tabs[MENTEE_TAB].append(_mentee(draw, n))
    for n in range(mentors):
        tabs[MENTOR_TAB].append(_mentor(draw, n))
    return tabs


def _person(draw: random.Random, n: int, role: str) -> list[Cell]:
    first, last = FIRST[n % len(FIRST)], LAST[(n * 7 + len(role)) % len(LAST)]
    when = START + timedelta(hours=5 * n + (7 if role == "mentor" else 0))
    email = f"{first.lower()}.{last.lower()}.{role}{n}@members.example.edu"
    pronouns = draw.choice(("", "she/her", "he/him", "they/them"))
    organisation = ORGANISATIONS[(n + len(role)) % len(ORGANISATIONS)]
    return [when, email, f"{first} {last}", pronouns, organisation]


def _ticked(draw: random.Random, options: tuple[str, ...], most: int) -> list[str]:
    """Some options, in the form's order, as Google writes them."""
    chosen = set(draw.sample(options, draw.randint(1, most)))
    return [option for option in options if option in chosen]


def _skills(draw: random.Random, n: int, role: str) -> str:
    ticked = _ticked(draw, SKILLS, 3)
    if n % 8 == 3:  # now and then, an Other: answer after the options ticked
        ticked.append(OTHER_SKILLS[n // 8 + (4 if role == "mentor" else 0)])
    return ", ".join(ticked)


def _mentee(draw: random.Random, n: int) -> list[Cell]:
    topic = TOPICS[n % len(TOPICS)]
    return [
        *_person(draw, n, "mentee"),
        STAGES[n % len(STAGES)],
        str(draw.randint(0, 6)),
        ", ".join(_ticked(draw, SUBJECTS, 3)),
        ", ".join(_ticked(draw, SUPPORT, 2)),
        _skills(draw, n, "mentee"),
        f"I hope to learn about {topic} and to meet people who do it every day.",
        ", ".join(_ticked(draw, CONTACT, 2)),
        draw.choice(ZONES),
        draw.choice(("A colleague", "The newsletter", "A conference", "")),
    ]


def _mentor(draw: random.Random, n: int) -> list[Cell]:
    topic = TOPICS[(n * 5) % len(TOPICS)]
    return [
        *_person(draw, n, "mentor"),
        draw.choice(("Science librarian", "Head of research services", "Data librarian")),
        str(draw.randint(5, 30)),
        ", ".join(_ticked(draw, SUBJECTS, 4)),
        ", ".join(_ticked(draw, SUPPORT, 3)),
        _skills(draw, n, "mentor"),
        f"For years I have worked on {topic}; I enjoy sharing what I learnt the hard way.",
        ", ".join(_ticked(draw, CONTACT, 3)),
        draw.choice(ZONES),
        str(1 + n % 3),
        "Yes" if n % 3 == 0 else "No",
        "" if n % 4 else "Happy to take someone changing careers.",
    ]
