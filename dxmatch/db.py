"""Database plumbing for every entry point: engines and sessions from Settings, the schema, the hubs.

The schema is owned by Alembic (`migrations/`); `upgrade()` is what `dxmatch db upgrade`,
`make run` and the web app's first start use. `create_schema()` builds the same tables straight
from the models, which tests use for speed.
"""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from config.reference import HUBS
from config.settings import PROJECT_ROOT, Settings
from models import Base, Hub
from models.session import dispose_engines, shared_engine, shared_session_factory

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"

def get_engine(settings: Settings) -> Engine:
    """One engine per database URL per process (engines own connection pools)."""
    return shared_engine(settings.database_url)


def open_session_factory(settings: Settings) -> sessionmaker[Session]:
    """A session factory bound to the database of `settings`."""
    return shared_session_factory(settings.database_url)


def alembic_config(settings: Settings | None = None) -> Config:
    """The Alembic configuration of this project, pointing at the database of `settings`."""
    ini = str(ALEMBIC_INI) if ALEMBIC_INI.exists() else None
    config = Config(ini)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if settings is not None:
        config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False  # leave the caller's logging alone
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` with Alembic.

    A database whose tables were made by `create_schema()` (no `alembic_version` table yet)
    is stamped at head instead of being created twice.
    """
    engine = get_engine(settings)
    config = alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "companies" in tables:
            command.stamp(config, "head")
        else:
            command.upgrade(config, revision)


def current_revision(settings: Settings) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def create_schema(engine: Engine) -> None:
    """Create every table straight from the models (fast path for tests)."""
    Base.metadata.create_all(engine)


def seed_hubs(session: Session) -> int:
    """Insert the hubs of config.reference.HUBS that are missing, refresh their names; no commit.

    Returns:
        How many hubs were inserted.
    """
    existing = {hub.key: hub for hub in session.scalars(select(Hub))}
    added = 0
    for key, (name_ko, name_en) in HUBS.items():
        hub = existing.get(key)
        if hub is None:
            session.add(Hub(key=key, name_ko=name_ko, name_en=name_en))
            added += 1
        elif (hub.name_ko, hub.name_en) != (name_ko, name_en):
            hub.name_ko, hub.name_en = name_ko, name_en
    session.flush()
    return added


def database_is_empty(session: Session) -> bool:
    """True when there are no companies and no users (what `seed-demo --if-empty` checks)."""
    from models import Company, User

    return session.scalar(select(Company.id).limit(1)) is None and session.scalar(select(User.id).limit(1)) is None


__all__ = [
    "ALEMBIC_INI", "MIGRATIONS_DIR", "alembic_config", "create_schema", "current_revision",
    "database_is_empty", "dispose_engines", "get_engine", "open_session_factory", "seed_hubs", "upgrade",
]
