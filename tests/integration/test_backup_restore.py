"""The README's backup and restore, done for real: `pg_dump -Fc`, `pg_restore` into a new database, same data."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, select

from models import Base, make_engine, make_session_factory
from services import auth
from tests.factories import gen_company, gen_match, gen_user


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}


def test_a_pg_dump_restored_into_a_new_database_holds_the_same_data_and_takes_new_rows(
        session, engine, db_url, empty_db_url, tmp_path: Path):
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_dump and pg_restore back up PostgreSQL, the production database; SQLite is a file to copy")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        from tests.conftest import unavailable

        unavailable("needs pg_dump and pg_restore (postgresql-client)")
    maker = gen_company(session, "manufacturer", hub="ochang")
    english = gen_company(session, "manufacturer", hub="changwon", language="en")
    supplier = gen_company(session, "supplier")
    gen_match(session, maker, supplier, status="introduced")
    gen_match(session, english, supplier)
    member = gen_user(session, "member", company=maker)
    auth.issue_api_token(session, member)
    gen_user(session, "coordinator", hub="ochang")
    session.commit()
    original = _contents(engine)
    assert all(original[name] for name in ("companies", "matches", "users", "hubs"))

    dump = tmp_path / "dxmatch.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), _libpq(db_url)], check=True, timeout=120)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(empty_db_url), str(dump)],
                   check=True, timeout=120)

    restored_engine = make_engine(empty_db_url)
    try:
        assert _contents(restored_engine) == original
        with make_session_factory(restored_engine)() as restored:  # sequences came along: new rows get new ids
            newcomer = gen_company(restored, "supplier")
            assert newcomer.id > max(row[0] for row in original["companies"])
    finally:
        restored_engine.dispose()
