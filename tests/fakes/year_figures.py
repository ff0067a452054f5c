"""The figures of the Program Report tab, counted again from a workbook in plain Python over
the rows openpyxl reads, as docs/report.md defines them, without mentor-sync's code: what
`mentor-sync report` wrote is checked against these."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from statistics import mean, median

import openpyxl

ROUNDS = ("check-in 1", "check-in 2", "check-in 3", "closing")
GROUPS = {
    "career stage": "Which best describes you?",
    "rhythm": "How often would you like to meet?",
    "time zone": "Time zone",
}
FLAG_WORDS = {
    "quiet": "no answer to ",
    "rating": "rating ",
    "not met": "have not met",
    "contact": "asked the committee",
}
# Each kind of flag as the tab and the chart name it (docs/report.md).
FLAG_NAMES = {
    "quiet": "no answer",
    "rating": "low rating",
    "not met": "not met",
    "contact": "asked for contact",
}


def rows(book, tab: str) -> list[dict]:
    """A tab's non-blank rows as dictionaries by header, each with its row number."""
    if tab not in book.sheetnames:
        return []
    values = list(book[tab].iter_rows(values_only=True))
    header = [str(h).strip() if h is not None else "" for h in values[0]]
    found = []
    for number, row in enumerate(values[1:], start=2):
        if any(v not in (None, "") for v in row):
            found.append({"#": number, **dict(zip(header, row, strict=False))})
    return found


def text(value) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def email(value) -> str:
    return str(value or "").strip().lower()


def moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):  # a serial day number, as Google reads dates
        return datetime(1899, 12, 30) + timedelta(days=value)
    for form in ("%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(value).strip(), form)
        except ValueError:
            continue
    return None


def one(value: float) -> float:
    return round(value, 1)


def latest(responses: list[dict]) -> dict[str, dict]:
    """Each address once, with its latest response (by Timestamp, then by row)."""
    by_email: dict[str, dict] = {}
    for row in responses:
        address = email(row["Email Address"])
        if not address:
            continue
        key = (moment(row["Timestamp"]) or datetime.min, row["#"])
        known = by_email.get(address)
        if known is None or key > (moment(known["Timestamp"]) or datetime.min, known["#"]):
            by_email[address] = row
    return by_email


def expected_figures(path, cohort: str) -> dict[tuple[str, str, str], float | None]:
    """Every figure of `cohort` the Program Report tab of the workbook at `path` should
    hold, by (section, figure, group)."""
    book = openpyxl.load_workbook(path)
    figures: dict[tuple[str, str, str], float | None] = {}
    mentees, mentors = rows(book, "Form Responses 1"), rows(book, "Form Responses 2")
    for role, responses in (("mentee", mentees), ("mentor", mentors)):
        stamps = [m for r in responses if (m := moment(r["Timestamp"])) is not None]
        figures["applications", f"{role} applications", ""] = len(stamps)
        people = {email(r["Email Address"]) for r in responses} - {""}
        figures["applications", f"{role} applicants", ""] = len(people)
        weeks = Counter((s - timedelta(days=s.weekday())).strftime("%Y-%m-%d") for s in stamps)
        for week, n in weeks.items():
            figures["applications", f"{role} applications by week", week] = n
    applicants = latest(mentees)
    for label, question in GROUPS.items():
        for answer, n in Counter(
            text(r[question]) or "(no answer)" for r in applicants.values()
        ).items():
            figures["who applied", f"by {label}", answer] = n
    committee = [r for r in rows(book, "Committee Matches") if email(r["Mentee Email"])]
    seen, slate = set(), []
    for r in committee:
        if email(r["Mentee Email"]) not in seen:
            seen.add(email(r["Mentee Email"]))
            slate.append(r)
    if slate:
        figures.update(slate_figures(slate, applicants, latest(mentors)))
    figures.update(checkin_figures(book))
    figures.update(pair_figures(book))
    for r in rows(book, "Past Pairs"):
        if email(r["Mentee Email"]) and email(r["Mentor Email"]):
            key = ("past years", "pairs closed", text(r["Cohort"]) or "(no cohort)")
            figures[key] = figures.get(key, 0) + 1
    return figures


def slate_figures(slate, applicants, mentors) -> dict:
    figures = {}

    def mentor_of(r):
        return email(r["Committee Mentor Email"]) or email(r["Suggested Mentor Email"])

    def status(r):
        return text(r["Status"]).casefold()

    matched = [r for r in slate if mentor_of(r) and status(r) != "rejected"]
    scores = [float(r["Score"]) for r in matched if isinstance(r["Score"], (int, float))]
    figures["slate", "mentees in the committee tab", ""] = len(slate)
    figures["slate", "mentees matched", ""] = len(matched)
    figures["slate", "mentees unmatched", ""] = len(slate) - len(matched)
    figures["slate", "share matched (%)", ""] = one(100 * len(matched) / len(slate))
    figures["slate", "mean score", ""] = one(mean(scores)) if scores else None
    figures["slate", "median score", ""] = one(median(scores)) if scores else None
    bins = [f"{low}-{low + 9}" for low in range(0, 90, 10)] + ["90-100"]
    for n, name in enumerate(bins):
        figures["slate", "scores", name] = sum(1 for s in scores if min(int(s // 10), 9) == n)
    for label, question in GROUPS.items():

        def group(r, question=question):
            person = applicants.get(email(r["Mentee Email"]))
            return (text(person[question]) if person else "") or "(no answer)"

        answers = {text(p[question]) or "(no answer)" for p in applicants.values()}
        answers |= {group(r) for r in slate}
        for answer in answers:
            mine = [r for r in slate if group(r) == answer]
            won = [r for r in mine if r in matched]
            figures["fairness", f"matched by {label}", answer] = len(won)
            figures["fairness", f"unmatched by {label}", answer] = len(mine) - len(won)
            marks = [float(r["Score"]) for r in won if isinstance(r["Score"], (int, float))]
            figures["fairness", f"mean score by {label}", answer] = (
                one(mean(marks)) if marks else None
            )
    load = Counter(mentor_of(r) for r in matched)
    capacity = {}
    for address, r in mentors.items():
        answer = text(r["How many mentees can you take on this year?"])
        found = re.match(r"\s*(\d+)", answer)
        capacity[address] = int(found[1]) if found and int(found[1]) <= 5 else 1
    figures["mentor load", "mentors", ""] = len(mentors)
    figures["mentor load", "places offered", ""] = sum(capacity.values())
    figures["mentor load", "places filled", ""] = sum(min(load[m], c) for m, c in capacity.items())
    figures["mentor load", "mentors over capacity", ""] = sum(
        load[m] > c for m, c in capacity.items()
    )
    most = max([*(load[m] for m in mentors), *capacity.values()])
    for n in range(most + 1):
        having = sum(1 for m in mentors if load[m] == n)
        figures["mentor load", "mentors with this many mentees", str(n)] = having
        offering = sum(1 for c in capacity.values() if c == n)
        figures["mentor load", "mentors offering this many places", str(n)] = offering
    rejected = 0
    for r in slate:
        listed = {e for e in re.split(r"[,;\s]+", str(r["Rejected Mentors"] or "").lower()) if e}
        if status(r) == "rejected" and email(r["Suggested Mentor Email"]):
            listed.add(email(r["Suggested Mentor Email"]))
        rejected += len(listed)
    overridden = [r for r in slate if email(r["Committee Mentor Email"])]
    decisions = {
        "approved": sum(status(r) == "approved" for r in slate),
        "held": sum(status(r) == "hold" for r in slate),
        "rejected": rejected,
        "overridden": len(overridden),
        "waiting": sum(
            status(r) in ("", "suggested") and bool(mentor_of(r)) and r not in overridden
            for r in slate
        ),
    }
    for kind, n in decisions.items():
        figures["committee", "decisions", kind] = n
    return figures


def checkin_figures(book) -> dict:
    """Check-ins sent (Email Log), and the answers counted for each (the latest check-in
    sent to that person of that pair at or before the answer)."""
    figures = {}
    sends = []
    for r in rows(book, "Email Log"):
        key = str(r["Key"])
        parts = key.split(" | ")
        if r["Kind"] in ROUNDS and text(r["Status"]).casefold() == "sent" and len(parts) == 4:
            sends.append(
                (
                    f"{parts[1]} | {parts[2]}",
                    parts[3].removeprefix("to "),
                    r["Kind"],
                    moment(r["Sent At"]),
                )
            )
    if not sends:
        return figures
    for name in ROUNDS:
        figures["check-ins", "sent", name] = sum(1 for s in sends if s[2] == name)
    if "Form Responses 3" not in book.sheetnames:
        return figures
    labels = {s[0] for s in sends}
    counted = []  # (label, person, round, rating, met)
    for r in rows(book, "Form Responses 3"):
        me, partner = email(r["Email Address"]), email(r["Partner's email"])
        label = next((x for x in (f"{me} | {partner}", f"{partner} | {me}") if x in labels), None)
        when = moment(r["Timestamp"])
        if label is None or when is None:
            continue
        before = [s for s in sends if s[0] == label and s[1] == me and s[3] <= when]
        if not before:
            continue
        asked = max(before, key=lambda s: s[3])
        rating = re.match(
            r"\s*([1-5])(?![\d.,])", str(r["How is the mentoring relationship going?"] or "")
        )
        met = text(r["Have you met since the last check-in?"]).casefold()
        counted.append((label, me, asked[2], int(rating[1]) if rating else None, met))
    if not counted:
        return figures
    answered = {(c[0], c[1], c[2]) for c in counted}
    for name in ROUNDS:
        figures["check-ins", "answered", name] = sum(1 for a in answered if a[2] == name)
    figures["check-ins", "answered (%)", ""] = one(100 * len(answered) / len(sends))
    ratings = [c for c in counted if c[3] is not None]
    for name in ROUNDS:
        mine = [c[3] for c in ratings if c[2] == name]
        figures["check-ins", "mean rating", name] = one(mean(mine)) if mine else None
        for n in range(1, 6):
            figures["check-ins", f"rated {n}", name] = mine.count(n)
        figures["check-ins", "met: yes", name] = sum(
            1 for c in counted if c[2] == name and c[4] == "yes"
        )
        figures["check-ins", "met: no", name] = sum(
            1 for c in counted if c[2] == name and c[4] == "no"
        )
    figures["check-ins", "mean rating, all rounds", ""] = (
        one(mean(c[3] for c in ratings)) if ratings else None
    )
    return figures


def kinds(flag) -> set[str]:
    parts = [p.strip() for p in str(flag or "").split("; ")]
    return {k for k, w in FLAG_WORDS.items() if any(p.startswith(w) for p in parts)}


def pair_figures(book) -> dict:
    figures = {}
    if "Pair Health" not in book.sheetnames:
        return figures
    pairs = [
        r
        for r in rows(book, "Pair Health")
        if email(r["Mentee Email"]) and email(r["Mentor Email"])
    ]
    figures["pairs", "pairs introduced", ""] = len(pairs)
    states = Counter(text(r["State"]).casefold() for r in pairs)
    for name, state in (("active", "active"), ("year over", "year over"), ("ended early", "ended")):
        figures["pairs", "pairs", name] = states[state]
    figures["pairs", "flagged now", ""] = sum(1 for r in pairs if kinds(r["Flag"]))
    now = {
        (f"{email(r['Mentee Email'])} | {email(r['Mentor Email'])}", k)
        for r in pairs
        for k in kinds(r["Flag"])
    }
    told = set()
    for r in rows(book, "Email Log"):
        parts = str(r["Key"]).split(" | ")
        if parts[:2] == ["digest", "flag"] and text(r["Status"]).casefold() == "sent":
            told.add((f"{parts[2]} | {parts[3]}", parts[4]))
    for kind, name in FLAG_NAMES.items():
        figures["pairs", "flags raised", name] = sum(1 for _, k in told | now if k == kind)
        figures["pairs", "flags cleared", name] = sum(1 for _, k in told - now if k == kind)
    return figures


def tab_figures(path, cohort: str) -> dict[tuple[str, str, str], float | None]:
    """The figures of `cohort` the Program Report tab holds, as read by openpyxl."""
    book = openpyxl.load_workbook(path)
    found = {}
    for r in rows(book, "Program Report"):
        if text(r["Cohort"]) == cohort:
            key = (text(r["Section"]), text(r["Figure"]), text(r["Group"]))
            found[key] = r["Value"]
    return found
