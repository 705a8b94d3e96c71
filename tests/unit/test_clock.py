"""Pages and mails show one clock: Korean time, one format per language, whatever zone a time was stored in."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.clock import format_date, format_datetime, format_period, iso_datetime, to_local


def test_a_utc_time_late_in_the_evening_is_the_next_day_in_seoul():
    late = datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc)

    assert to_local(late).date() == date(2026, 12, 3)
    assert format_datetime(late, "ko") == "2026년 12월 3일 08:30"
    assert format_datetime(late, "en") == "3 Dec 2026, 08:30"
    assert format_date(late, "ko") == "2026년 12월 3일"


def test_a_naive_time_from_sqlite_is_read_as_utc():
    assert format_datetime(datetime(2026, 12, 2, 23, 30), "ko") == "2026년 12월 3일 08:30"
    assert iso_datetime(datetime(2026, 12, 2, 23, 30)) == "2026-12-03T08:30:00+09:00"


def test_a_plain_day_is_not_moved():
    assert format_date(date(2026, 12, 3), "ko") == "2026년 12월 3일"
    assert format_date(date(2026, 12, 3), "en") == "3 Dec 2026"


@pytest.mark.parametrize(
    ("start", "end", "ko", "en"),
    [
        (date(2026, 11, 23), date(2026, 11, 29), "11월 23일–29일", "23–29 November"),
        (date(2026, 11, 30), date(2026, 12, 6), "11월 30일–12월 6일", "30 November–6 December"),
        (date(2026, 12, 28), date(2027, 1, 3), "2026년 12월 28일–2027년 1월 3일", "28 December 2026–3 January 2027"),
    ],
)
def test_a_period_names_the_month_and_year_only_where_they_change(start, end, ko, en):
    assert format_period(start, end, "ko") == ko
    assert format_period(start, end, "en") == en
