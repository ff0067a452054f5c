from datetime import date, datetime

import pytest

from mentoring.timestamps import guess_date_order, parse_timestamp


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("11/26/2026 14:03:12", "month-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("26/11/2026 14:03:12", "day-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("03/04/2026 08:00:00", "month-first", datetime(2026, 3, 4, 8, 0, 0)),
        ("03/04/2026 08:00:00", "day-first", datetime(2026, 4, 3, 8, 0, 0)),
        ("26.11.2026 14:03:12", "day-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("11/26/2026 2:03:12 PM", "month-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("11/26/2026 12:03:12 AM", "month-first", datetime(2026, 11, 26, 0, 3, 12)),
        ("11/26/2026", "month-first", datetime(2026, 11, 26)),
        ("2026-11-26 14:03:12", "day-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("2026-11-26T14:03:12.250Z", "month-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("2026/11/26 14:03:12", "day-first", datetime(2026, 11, 26, 14, 3, 12)),
        ("11/26/26 14:03", "month-first", datetime(2026, 11, 26, 14, 3)),
        ("46352,5", "day-first", datetime(2026, 11, 26, 12, 0)),
        # Serial day numbers, as the Sheets API gives with unformatted values.
        (46352.585555555556, "month-first", datetime(2026, 11, 26, 14, 3, 12)),
        (46352, "month-first", datetime(2026, 11, 26)),
        ("46352.585555555556", "month-first", datetime(2026, 11, 26, 14, 3, 12)),
        # Real date-time cells, as in a downloaded .xlsx.
        (datetime(2026, 11, 26, 14, 3, 12), "day-first", datetime(2026, 11, 26, 14, 3, 12)),
        (date(2026, 11, 26), "day-first", datetime(2026, 11, 26)),
    ],
)
def test_every_form_of_timestamp_is_read(value, order, expected):
    assert parse_timestamp(value, order) == expected


@pytest.mark.parametrize(
    "value", [None, "", "yesterday", "13/26/2026 10:00:00", 5, True, "2026-02-30", "26/11/2026"]
)
def test_unreadable_timestamps_give_none(value):
    # "26/11/2026" read month-first has no month 26.
    assert parse_timestamp(value, "month-first") is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["03/04/2026 10:00", "26/11/2026 09:00"], "day-first"),
        (["03/04/2026 10:00", "11/26/2026 09:00"], "month-first"),
        (["03/04/2026 10:00", "04/05/2026 09:00"], "month-first"),  # nothing tells: fallback
        ([datetime(2026, 1, 1), 46000.5, None], "month-first"),
    ],
)
def test_date_order_is_guessed_from_days_above_twelve(values, expected):
    assert guess_date_order(values) == expected


def test_guess_falls_back_to_the_given_order():
    assert guess_date_order(["01/02/2026"], fallback="day-first") == "day-first"
