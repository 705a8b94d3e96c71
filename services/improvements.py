"""When a recomputed pair counts as improved, and how long the pages flag it.

Kept apart from `services.matching` so that the web app's template helpers can flag a pair
without importing the engine stack (matcher, numpy, FAISS) that the matching use cases need.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from models import Match
from models.base import as_utc, utcnow

IMPROVEMENT_MARGIN = 0.02  # a recompute that raises a pair's score by 2 points or more reports it as improved
IMPROVED_SHOWN_FOR = timedelta(days=28)  # pages flag such a pair for four weeks; the digest reports it once


def recently_improved(match: Match, now: datetime | None = None) -> bool:
    """Whether pages flag the pair as improved: a recompute raised its score within `IMPROVED_SHOWN_FOR`."""
    if match.improved_at is None or match.previous_score is None:
        return False
    return (now or utcnow()) - as_utc(match.improved_at) <= IMPROVED_SHOWN_FOR
