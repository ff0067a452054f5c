"""Pair health as the jobs use it: each introduced pair assessed against the Email Log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mentoring.answers import Answers
from mentoring.health import PairHealth, assess
from mentoring.ledger import Ledger
from mentoring.pairs import Pair
from mentoring.settings import Settings


def assess_pairs(
    pairs: Sequence[Pair], answers: Answers, ledger: Ledger, settings: Settings, today: date
) -> list[PairHealth]:
    """The health of every pair introduced by `today`."""
    return [
        assess(
            pair,
            answers.by_pair.get(pair.label, ()),
            ledger.sent_at,
            settings.checkins,
            settings.health,
            today,
            answers.known,
        )
        for pair in pairs
        if pair.introduced_on is not None and pair.introduced_on <= today
    ]
