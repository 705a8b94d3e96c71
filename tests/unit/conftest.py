"""Unit tests need no database: a test here that asks for one (directly or through another fixture) fails.

Tests that read or write rows belong in tests/integration, so `pytest tests/unit` stays fast and
runs anywhere, and a test's folder says what it needs.
"""
from __future__ import annotations

import pytest

DATABASE_FIXTURES = frozenset({"db_url", "empty_db_url", "engine", "session"})


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Refuse, before any fixture runs, a unit test whose fixtures reach a database."""
    wanted = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if wanted:
        pytest.fail(f"{item.nodeid} is a unit test but uses {', '.join(sorted(wanted))}: "
                    "move it to tests/integration", pytrace=False)
