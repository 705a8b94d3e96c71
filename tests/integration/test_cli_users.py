"""`dxmatch user …`: how an operator creates admins and coordinators, resets passwords, stops accounts."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from dxmatch.cli import main
from models import AuditEvent, Company, User
from services.auth import authenticate


def invoke(*args: str, password: str | None = None):
    return CliRunner().invoke(main, ["user", *args], input=None if password is None else password + "\n")


def test_create_a_coordinator_who_can_then_sign_in(session):
    result = invoke("create", "Coord@Ochang.kr", "--role", "coordinator", "--hub", "ochang", "--name", "김코디",
                    "--password-stdin", password="pass-phrase-1")
    assert result.exit_code == 0, result.output
    session.expire_all()
    user = authenticate(session, "coord@ochang.kr", "pass-phrase-1")
    assert (user.role, user.hub_key, user.name) == ("coordinator", "ochang", "김코디")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create")).detail["user"] == "coord@ochang.kr"


def test_refusals_name_the_field_and_create_nothing(session):
    cases = [
        (["create", "c@x.kr", "--role", "coordinator", "--hub", "jeju", "--password-stdin"], "error: hub: unknown hub"),
        (["create", "c@x.kr", "--role", "coordinator", "--password-stdin"], "error: hub: a coordinator needs a hub"),
        (["create", "m@x.kr", "--role", "member", "--company", "m-none", "--password-stdin"], "error: company:"),
        (["create", "not-an-address", "--role", "admin", "--password-stdin"], "error: email:"),
    ]
    for args, message in cases:
        result = invoke(*args, password="pass-phrase-1")
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
    short = invoke("create", "a@x.kr", "--role", "admin", "--password-stdin", password="short")
    assert short.exit_code == 1 and "error: password: at least 12 characters" in short.stderr
    session.expire_all()
    assert session.scalars(select(User)).all() == []


def test_a_member_is_bound_to_the_company_named_by_its_profile_id(session):
    session.add(Company(external_id="m-hanbit", kind="manufacturer", name="한빛정밀", hub_key="changwon"))
    session.commit()
    result = invoke("create", "m@hanbit.kr", "--role", "member", "--company", "m-hanbit", "--language", "en",
                    "--password-stdin", password="pass-phrase-1")
    assert result.exit_code == 0, result.output
    listing = invoke("list", "--role", "member")
    assert "m@hanbit.kr" in listing.stdout and "m-hanbit" in listing.stdout
    session.expire_all()
    assert session.scalar(select(User)).company.external_id == "m-hanbit"


def test_an_existing_address_is_refused(session):
    assert invoke("create", "a@x.kr", "--role", "admin", "--password-stdin", password="pass-phrase-1").exit_code == 0
    again = invoke("create", "A@X.kr", "--role", "admin", "--password-stdin", password="pass-phrase-2")
    assert again.exit_code == 1 and "error: email: already registered" in again.stderr


def test_set_password_replaces_the_old_one(session):
    invoke("create", "a@x.kr", "--role", "admin", "--password-stdin", password="pass-phrase-1")
    result = invoke("set-password", "a@x.kr", "--password-stdin", password="pass-phrase-2")
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert authenticate(session, "a@x.kr", "pass-phrase-1") is None
    assert authenticate(session, "a@x.kr", "pass-phrase-2") is not None
    assert invoke("set-password", "nobody@x.kr", "--password-stdin", password="pass-phrase-2").exit_code == 1


def test_a_deactivated_account_cannot_sign_in_until_activated(session):
    invoke("create", "a@x.kr", "--role", "admin", "--password-stdin", password="pass-phrase-1")
    assert invoke("deactivate", "a@x.kr").exit_code == 0
    session.expire_all()
    assert authenticate(session, "a@x.kr", "pass-phrase-1") is None
    assert "inactive" in invoke("list").stdout
    assert invoke("activate", "a@x.kr").exit_code == 0
    session.expire_all()
    assert authenticate(session, "a@x.kr", "pass-phrase-1") is not None
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.create", "user.deactivate", "user.activate"]
