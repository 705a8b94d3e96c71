"""SQLAlchemy models and the session factory; importable without Flask."""
from models.base import Base, as_utc, utcnow
from models.entities import (
    PIPELINE_STATES,
    ROLES,
    AuditEvent,
    BackgroundJob,
    Company,
    DigestOutbox,
    DigestSubscription,
    Hub,
    Introduction,
    Match,
    MatchingWork,
    PairNote,
    PipelineTransition,
    User,
)
from models.notifications import NotificationOutbox, NotificationSetting
from models.session import make_engine, make_session_factory

__all__ = [
    "Base", "as_utc", "utcnow", "PIPELINE_STATES", "ROLES", "AuditEvent", "BackgroundJob", "Company", "DigestOutbox",
    "DigestSubscription", "Hub", "Introduction", "Match", "MatchingWork", "NotificationOutbox",
    "NotificationSetting", "PairNote", "PipelineTransition", "User",
    "make_engine", "make_session_factory",
]
