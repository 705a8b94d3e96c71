"""One clock for everything a person reads: times stored in UTC, shown in Korean time, one format per language.

The hubs are in Korea, so pages and mails show Asia/Seoul time; a coordinator reading the audit log
and a member reading the digest see the same "14:05" for the same moment. Rows keep UTC (`utcnow`);
only what is shown is converted, here, so no template formats a date on its own.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date

LOCAL_ZONE = ZoneInfo("Asia/Seoul")

# One pattern per language (CLDR): 2026년 12월 3일 / 3 Dec 2026; times on the 24-hour clock in both.
_DATE_PATTERNS = {"ko": "y년 M월 d일", "en": "d MMM y"}
_LOCALES = {"ko": "ko_KR", "en": "en_GB"}


def _language(language: str) -> str:
    return language if language in _DATE_PATTERNS else "en"


def to_local(moment: datetime) -> datetime:
    """`moment` in Korean time; a naive value is UTC (SQLite drops the zone of what `utcnow` wrote)."""
    aware = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL_ZONE)


def format_date(day: date | datetime, language: str) -> str:
    """A calendar day as its reader writes it; a datetime is first moved to Korean time (23:30 UTC is the next day)."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    lang = _language(language)
    return _babel_date(day, format=_DATE_PATTERNS[lang], locale=_LOCALES[lang])


def format_datetime(moment: datetime, language: str) -> str:
    """A moment in Korean time to the minute: 2026년 12월 3일 14:05 / 3 Dec 2026, 14:05."""
    local = to_local(moment)
    separator = " " if _language(language) == "ko" else ", "
    return f"{format_date(local.date(), language)}{separator}{local:%H:%M}"


def iso_datetime(moment: datetime) -> str:
    """The machine-readable form of the same moment (`<time datetime=...>`), with its +09:00 offset."""
    return to_local(moment).isoformat(timespec="seconds")


def format_period(start: date, end: date, language: str) -> str:
    """A span of days, naming the month and year only where they change: 11월 23일–29일 / 23–29 November."""
    lang = _language(language)
    locale = _LOCALES[lang]
    if lang == "ko":
        first = "y년 M월 d일" if start.year != end.year else "M월 d일"
        last = "y년 M월 d일" if start.year != end.year else ("d일" if start.month == end.month else "M월 d일")
    else:
        last = "d MMMM y" if start.year != end.year else "d MMMM"
        first = "d MMMM y" if start.year != end.year else ("d" if start.month == end.month else "d MMMM")
    if start == end:
        return _babel_date(end, format=last if lang == "en" else first, locale=locale)
    return f"{_babel_date(start, format=first, locale=locale)}–{_babel_date(end, format=last, locale=locale)}"
