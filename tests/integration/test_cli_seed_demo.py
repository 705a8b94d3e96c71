"""`dxmatch seed-demo` and fixtures/loader.py: the demo hub loads once, shows its logins, and is idempotent."""
from __future__ import annotations

import json
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

import fixtures.loader as loader
from dxmatch.cli import main
from models import Company, DigestSubscription, MatchingWork, User
from tests.integration.test_import_export import FORGE, HANBIT, VISION

USERS = [
    {"email": "Admin@Demo.example", "password": "admin-pass-1", "name": "관리자", "role": "admin",
     "hub": None, "company": None, "language": "ko", "subscribe": False},
    {"email": "ochang@demo.example", "password": "coord-pass-1", "name": "이수진", "role": "coordinator",
     "hub": "ochang", "company": None, "language": "ko", "subscribe": True},
    {"email": "jane@vision.example", "password": "member-pass-1", "name": "Jane Park", "role": "member",
     "hub": None, "company": "s-vision", "language": "en", "subscribe": True},
]


@pytest.fixture
def demo_dir(tmp_path, monkeypatch):
    """A small demo folder in the shape of fixtures/, used by the loader and by the CLI."""
    folder = tmp_path / "fixtures"
    folder.mkdir()
    lines = [json.dumps(r, ensure_ascii=False) for r in (HANBIT, VISION, FORGE)]
    (folder / "companies.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "users.json").write_text(json.dumps(USERS, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(loader, "FIXTURES_DIR", folder)
    return folder


def rebuilds_requested(session) -> int:
    """Full index rebuilds the loader recorded (the matching job proposes the demo pairs from them)."""
    return session.scalar(select(func.count(MatchingWork.id)).where(MatchingWork.company_external_id.is_(None)))


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in (Company, User, DigestSubscription))


def test_load_demo_creates_companies_users_and_subscriptions(session, demo_dir):
    report = loader.load_demo(session)
    assert (report.companies.created, report.users_created, report.subscriptions_created) == (3, 3, 2)
    assert report.errors == []
    assert counts(session) == (3, 3, 2)
    jane = session.scalar(select(User).where(User.email == "jane@vision.example"))
    assert jane.company.external_id == "s-vision" and jane.language == "en"
    assert check_password_hash(jane.password_hash, "member-pass-1")
    assert rebuilds_requested(session) == 1


def test_loading_the_demo_twice_changes_nothing(session, demo_dir):
    loader.load_demo(session)
    before = counts(session)
    hashes = sorted(session.scalars(select(User.password_hash)))
    report = loader.load_demo(session)
    assert counts(session) == before
    assert sorted(session.scalars(select(User.password_hash))) == hashes
    assert (report.companies.created, report.companies.changed_ids, report.users_created) == (0, [], 0)
    assert rebuilds_requested(session) == 1  # nothing changed, so no second rebuild


def test_a_demo_user_of_an_unknown_company_is_reported_not_created(session, demo_dir):
    broken = [{**USERS[2], "email": "ghost@demo.example", "company": "s-nowhere"}]
    (demo_dir / "users.json").write_text(json.dumps(broken), encoding="utf-8")
    report = loader.load_demo(session)
    assert report.errors == ["users.json entry 1: unknown company 's-nowhere'"]
    assert report.users_created == 0


def test_seed_demo_prints_the_demo_accounts_with_their_passwords(session, demo_dir):
    result = CliRunner().invoke(main, ["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "loaded 3, rejected 0" in result.stdout
    for user in USERS:
        assert user["email"].lower() in result.stdout and user["password"] in result.stdout


def test_seed_demo_if_empty_leaves_a_used_database_alone(session, demo_dir):
    runner = CliRunner()
    runner.invoke(main, ["seed-demo", "--if-empty"])
    session.execute(Company.__table__.update().where(Company.external_id == "s-forge").values(name="Renamed"))
    session.commit()
    result = runner.invoke(main, ["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "database not empty" in result.stdout
    assert "coord-pass-1" in result.stdout  # the logins are still shown
    assert session.scalar(select(Company.name).where(Company.external_id == "s-forge")) == "Renamed"


def test_the_shipped_demo_data_loads_without_a_single_error(session):
    report = loader.load_demo(session)
    assert report.errors == []
    assert report.companies.loaded > 0 and report.users_created > 0
    kinds = dict(session.execute(select(Company.kind, func.count()).group_by(Company.kind)).all())
    assert kinds.get("manufacturer", 0) > 0 and kinds.get("supplier", 0) > 0
    languages = set(session.scalars(select(Company.language)))
    assert languages == {"ko", "en"}
