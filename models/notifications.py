"""Mail notifications: one outbox row per (event, recipient), and each user's switch per kind."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.entities import User


class NotificationOutbox(Base):
    """One mail to one user about one event, written in the transaction of the change it reports.

    `event_key` names the event (kind, subject and round), so recording it twice fails on the unique key
    instead of mailing twice; the Message-ID is fixed here, so a resent copy is the same mail.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (UniqueConstraint("event_key", "user_id", name="uq_notification_outbox_event_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), nullable=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the mail says: side, answer, reason
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|sending|sent|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # last `sending`
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user: Mapped[User] = relationship()


class NotificationSetting(Base):
    """A user's choice for one kind of notification; no row means on (the default)."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_settings_user_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
