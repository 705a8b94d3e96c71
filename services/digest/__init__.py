"""The weekly digest: what to tell each subscriber, and sending it exactly once in effect.

The parts: `weeks` (ISO weeks in Korean time), `content` (what a member or a coordinator reads;
nothing confidential), `rendering` (templates and the mail message), `tokens` (unsubscribe
links), `outbox` (sending through a DigestOutbox row per subscription and week; its docstring
holds the exactly-once argument). Callers import from here.
"""
from __future__ import annotations

from services.digest.content import (DigestContent, IntroductionItem, PairItem, PartnerItem, TransitionItem,
                                     UnmetNeedItem, collect_digest, match_url, top_unmet_needs)
from services.digest.outbox import (IN_RUN_RETRIES, MAX_ATTEMPTS, DigestRunSummary, is_eligible,
                                    send_weekly_digest)
from services.digest.rendering import RenderedDigest, build_message, digest_message_id, render_digest
from services.digest.tokens import unsubscribe, unsubscribe_token, unsubscribe_url, verify_unsubscribe_token
from services.digest.weeks import KST, current_week, week_start

__all__ = [
    "IN_RUN_RETRIES", "KST", "MAX_ATTEMPTS", "DigestContent", "DigestRunSummary", "IntroductionItem", "PairItem",
    "PartnerItem", "RenderedDigest", "TransitionItem", "UnmetNeedItem", "build_message", "collect_digest",
    "current_week", "digest_message_id", "is_eligible", "match_url", "render_digest", "send_weekly_digest",
    "top_unmet_needs", "unsubscribe", "unsubscribe_token", "unsubscribe_url", "verify_unsubscribe_token",
    "week_start",
]
