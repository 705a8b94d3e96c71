"""The tables of dxmatch (SQLAlchemy 2.0, typed). No Flask here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

# Pipeline states of a proposed pair, in order; declined can be reached from any open state.
PIPELINE_STATES: tuple[str, ...] = ("proposed", "introduced", "meeting", "contract", "declined")
ROLES: tuple[str, ...] = ("admin", "coordinator", "member")


class Hub(Base):
    __tablename__ = "hubs"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Company(Base):
    """A manufacturer (demand) or a supplier (SW/AI firm), all fields of profile-format.md."""

    __tablename__ = "companies"
    __table_args__ = (Index("ix_companies_hub_kind_name", "hub_key", "kind", "name"),)  # a hub's paged list

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # manufacturer | supplier
    name: Mapped[str] = mapped_column(String(200))
    hub_key: Mapped[str] = mapped_column(ForeignKey("hubs.key"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="ko")
    employees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # manufacturer only
    industry: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_security_certification: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # supplier only
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries_served: Mapped[list[str]] = mapped_column(JSON, default=list)
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    # how many new introductions a month the supplier can take on; None = not stated (no limit)
    # indexed: pages ask for the suppliers that stated one (a few) on every request, not a scan of all companies
    monthly_capacity: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # platform state
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | pending | rejected
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    hub: Mapped[Hub] = relationship()
    members: Mapped[list["User"]] = relationship(back_populates="company")


class User(Base):
    """A login: admin, a hub coordinator (bound to a hub) or a company member (bound to a company)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | coordinator | member
    hub_key: Mapped[str | None] = mapped_column(ForeignKey("hubs.key"), nullable=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="ko")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    api_token_hash: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    # Bumped on sign-out, password change or reset, deactivation and role change: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The one outstanding password-reset link: sha256 of its token (never the token) and when it stops working.
    password_reset_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    password_reset_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Company | None] = relationship(back_populates="members")


class Match(Base):
    """A proposed (manufacturer, supplier) pair with its score, explanation and pipeline state."""

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("manufacturer_id", "supplier_id", name="uq_matches_pair"),
        Index("ix_matches_hub_status_score", "hub_key", "status", "score"),  # a hub's pairs of a state, best first
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    hub_key: Mapped[str] = mapped_column(ForeignKey("hubs.key"), index=True)  # the manufacturer's hub
    score: Mapped[float] = mapped_column(Float)
    # set by a recompute that raised the score noticeably: the digest reports the pair as improved
    previous_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    improved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)  # rank among the manufacturer's partners
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    manufacturer: Mapped[Company] = relationship(foreign_keys=[manufacturer_id])
    supplier: Mapped[Company] = relationship(foreign_keys=[supplier_id])
    transitions: Mapped[list["PipelineTransition"]] = relationship(
        back_populates="match", order_by="PipelineTransition.at", cascade="all, delete-orphan"
    )
    introduction: Mapped["Introduction | None"] = relationship(back_populates="match", cascade="all, delete-orphan")


class PipelineTransition(Base):
    """Every pipeline move of a pair: from, to, who, when (UTC)."""

    __tablename__ = "pipeline_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)  # why a pair was declined (DECLINE_REASONS)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    match: Mapped[Match] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class PairNote(Base):
    """A hub staff member's internal note on a pair: never shown to the companies, never mailed."""

    __tablename__ = "pair_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship()


class Introduction(Base):
    """Double opt-in for a pair: each side's answer; confidential data flows only when both accepted."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), unique=True)
    manufacturer_response: Mapped[str] = mapped_column(String(16), default="pending")  # pending|accepted|declined
    supplier_response: Mapped[str] = mapped_column(String(16), default="pending")
    manufacturer_responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    supplier_responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    match: Mapped[Match] = relationship(back_populates="introduction")

    @property
    def both_accepted(self) -> bool:
        return self.manufacturer_response == "accepted" and self.supplier_response == "accepted"


class AuditEvent(Base):
    """Who saw or changed what, when (UTC). Append-only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. confidential.view, pipeline.move
    hub_key: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), nullable=True, index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class DigestSubscription(Base):
    """A weekly digest subscription of a user (company member or coordinator)."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_sent_week: Mapped[str | None] = mapped_column(String(8), nullable=True)  # YYYY-Www

    user: Mapped[User] = relationship()


class DigestOutbox(Base):
    """One row per (subscription, ISO week), written before sending: exactly-once in effect."""

    __tablename__ = "digest_outbox"
    __table_args__ = (UniqueConstraint("subscription_id", "week", name="uq_digest_outbox_sub_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("digest_subscriptions.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # YYYY-Www
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MatchingWork(Base):
    """Durable "matching pending" work: a company changed and its index rows and proposals must follow.

    Written in the same transaction as the change itself, so a crash can lose neither; a worker
    applies pending rows to the next index snapshot and marks them done in one unit of work.
    `company_external_id` None asks for a full rebuild (first build, `dxmatch index rebuild`).
    """

    __tablename__ = "matching_work"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(64), default="changed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class BackgroundJob(Base):
    """A background job the pages can show ("매칭 다시 계산 중… 40%"): state and progress, one row per run."""

    __tablename__ = "background_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # matching.process | matching.rebuild | ...
    hub_key: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0-100
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
