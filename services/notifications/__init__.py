"""Mail notifications: introductions proposed and answered, registrations decided.

The parts: `preferences` (each user's switch per kind), `events` (outbox rows recorded in the
transaction of the change, by hooks in services.introductions, services.transitions and
services.companies), `rendering` (the mail, in the recipient's language), `tokens` (unsubscribe
links), `sender` (the background worker's run, with the digest's exactly-once rules).
"""
from __future__ import annotations

from services.notifications.events import ON_COMMIT, introduction_answered, introduction_proposed, registration_decided
from services.notifications.preferences import KIND_LABELS, KINDS, link_holder, save_switches, switches, turn_off
from services.notifications.sender import RETRY_AFTER, NotificationRunSummary, pending_notifications, send_pending
from services.notifications.tokens import unsubscribe_url, verify_unsubscribe_token

__all__ = [
    "KINDS", "KIND_LABELS", "ON_COMMIT", "RETRY_AFTER", "NotificationRunSummary", "introduction_answered",
    "introduction_proposed", "link_holder", "pending_notifications", "registration_decided", "save_switches", "send_pending",
    "switches", "turn_off", "unsubscribe_url", "verify_unsubscribe_token",
]
