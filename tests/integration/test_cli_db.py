"""`dxmatch db upgrade`: the Alembic path that `make run` takes builds exactly the models' schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, select

from config.reference import HUBS
from config.settings import Settings
from dxmatch import db
from dxmatch.cli import main
from models import Base, Hub


def test_db_upgrade_builds_the_schema_of_the_models_on_an_empty_database(empty_db_url, monkeypatch):
    monkeypatch.setenv("DXMATCH_DATABASE_URL", empty_db_url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"{len(HUBS)} hubs added" in result.stdout
    engine = db.get_engine(Settings.from_env())
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
    with db.open_session_factory(Settings.from_env())() as session:
        assert sorted(session.scalars(select(Hub.key))) == sorted(HUBS)


def test_db_upgrade_twice_changes_nothing(empty_db_url, monkeypatch):
    monkeypatch.setenv("DXMATCH_DATABASE_URL", empty_db_url)
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "0 hubs added" in result.stdout
    assert db.current_revision(Settings.from_env()) is not None


def test_upgrade_adopts_a_database_built_from_the_models_without_recreating_it(session, settings):
    # `session` built the tables with create_all; upgrade stamps them instead of failing on "table exists".
    db.upgrade(settings)
    assert db.current_revision(settings) is not None
    db.upgrade(settings)


def test_seed_hubs_restores_missing_hubs_and_is_idempotent(session):
    session.delete(session.get(Hub, "seoul"))
    session.commit()
    assert db.seed_hubs(session) == 1
    assert db.seed_hubs(session) == 0
    assert session.get(Hub, "seoul").name_ko == "서울"
