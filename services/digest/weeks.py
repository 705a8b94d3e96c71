"""ISO weeks in Korean time: which week a digest belongs to and the period it covers."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from models import utcnow
from services.clock import LOCAL_ZONE
from services.errors import ValidationFailed

KST = LOCAL_ZONE  # the one clock of pages and mails (Asia/Seoul)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def current_week(now: datetime | None = None) -> str:
    """The ISO week (YYYY-Www) it is now in Korea, where the hubs are."""
    year, week, _ = (now or utcnow()).astimezone(KST).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> datetime:
    """Monday 00:00 KST of an ISO week, as an aware datetime; rejects malformed weeks."""
    found = _WEEK.match(week or "")
    if not found:
        raise ValidationFailed("digest.bad_week", week=week)
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError as exc:
        raise ValidationFailed("digest.no_such_week", week=week) from exc
    return datetime(monday.year, monday.month, monday.day, tzinfo=KST)


def period_start(week: str, last_sent_week: str | None) -> datetime:
    """Where the digest of `week` starts: after the last one sent, else one week back (nothing is told twice)."""
    if last_sent_week and last_sent_week < week:
        return week_start(last_sent_week)
    return week_start(week) - timedelta(days=7)
