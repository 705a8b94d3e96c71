"""Digest weeks are ISO weeks in Korean time; the scheduler fires Mondays at 08:00 KST."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dxmatch.cli_digest import next_send_time
from services.digest import KST, current_week, week_start
from services.errors import ValidationFailed


def test_the_week_turns_at_midnight_in_korea_not_in_utc():
    sunday_evening_utc = datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc)  # Monday 01:00 KST

    assert current_week(sunday_evening_utc) == "2026-W49"
    assert current_week(datetime(2026, 11, 29, 14, 59, tzinfo=timezone.utc)) == "2026-W48"


def test_a_week_starts_on_its_monday_at_midnight_kst_even_across_new_year():
    assert week_start("2026-W01") == datetime(2025, 12, 29, tzinfo=KST)
    assert week_start("2026-W53") == datetime(2026, 12, 28, tzinfo=KST)


@pytest.mark.parametrize("bad", ["2025-W53", "2026-W00", "26-W01", "2026W01", "2026-01", ""])
def test_a_malformed_or_impossible_week_is_rejected(bad):
    with pytest.raises(ValidationFailed):
        week_start(bad)


@pytest.mark.parametrize(
    ("now_kst", "expected_kst"),
    [
        (datetime(2026, 11, 30, 7, 59), datetime(2026, 11, 30, 8, 0)),
        (datetime(2026, 11, 30, 8, 0), datetime(2026, 12, 7, 8, 0)),
        (datetime(2026, 12, 6, 23, 0), datetime(2026, 12, 7, 8, 0)),
        (datetime(2026, 12, 2, 12, 0), datetime(2026, 12, 7, 8, 0)),
    ],
)
def test_the_scheduler_fires_at_the_next_monday_eight_oclock_kst(now_kst, expected_kst):
    assert next_send_time(now_kst.replace(tzinfo=KST)) == expected_kst.replace(tzinfo=KST)
