"""A small two-hub world for web tests: every role, a pair in each hub, an open introduction."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models import Company, Introduction, Match, User
from services import auth
from tests.factories import gen_company, gen_match

PASSWORD = "world-password-1"
# One cheap hash for every world user: the access matrix logs in hundreds of times.
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
SECRET_NOTES = "SECRET-M1-비밀 증설 계획"
SECRET_EMAIL = "secret-m1@hanbit.example.com"
SUPPLIER_EMAIL = "secret-s1@vision.example.com"


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    match: Match | None = None  # ochang: m1 <-> s1, introduced
    other_match: Match | None = None  # changwon: m2 <-> s2


def _user(session: Session, key: str, role: str, **kw) -> User:
    user = User(email=f"{key}@world.example.com", name=key, password_hash=_HASH, role=role, **kw)
    session.add(user)
    session.flush()
    user.password = PASSWORD  # type: ignore[attr-defined]
    return user


def build_world(session: Session, *, introduced: bool = True) -> World:
    """Hubs ochang (the tested one) and changwon (the other), with one user per access category."""
    w = World()
    c = w.companies
    c["m1"] = gen_company(session, "manufacturer", hub="ochang", confidential_notes=SECRET_NOTES, contact_email=SECRET_EMAIL)
    c["s1"] = gen_company(session, "supplier", hub="ochang", contact_email=SUPPLIER_EMAIL)
    c["m3"] = gen_company(session, "manufacturer", hub="ochang")
    c["m2"] = gen_company(session, "manufacturer", hub="changwon")
    c["s2"] = gen_company(session, "supplier", hub="changwon")
    c["pending"] = gen_company(session, "supplier", hub="ochang", status="pending")
    w.match = gen_match(session, c["m1"], c["s1"], status="introduced" if introduced else "proposed")
    if introduced:
        session.add(Introduction(match_id=w.match.id))
    w.other_match = gen_match(session, c["m2"], c["s2"])
    u = w.users
    u["admin"] = _user(session, "admin", "admin")
    u["coord"] = _user(session, "coord", "coordinator", hub_key="ochang")
    u["coord_other"] = _user(session, "coord_other", "coordinator", hub_key="changwon")
    for key in ("m1", "s1", "m2", "m3"):
        u[key] = _user(session, key, "member", company_id=c[key].id)
    session.commit()
    for key, user in u.items():
        w.tokens[key] = auth.issue_api_token(session, user)
    return w
