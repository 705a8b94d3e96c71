"""Sign-up, sign-in, password change and reset as a stranger sees them (ASVS V6): a strong-password policy,
one valid e-mail address per account, no account enumeration, throttling, single-use reset links."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from dxmatch.cli import main
from models import User, utcnow
from services import auth as accounts
from tests.factories import gen_user
from web import create_app

NEW_PASSWORD = "a long and unusual passphrase"


def _supplier_form(email: str, password: str = NEW_PASSWORD, name: str = "새싹AI") -> dict[str, str]:
    return {"kind": "supplier", "hub": "ochang", "email": email, "password": password, "name": name,
            "capabilities": "공정 데이터 분석\n비전 검사", "certifications": "ISO 27001"}


def _mails(settings) -> list[EmailMessage]:
    folder = settings.outbox_dir
    if not folder.exists():
        return []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("password, reason", [
    ("password", "12자 이상"), ("12345678", "12자 이상"), ("password1234", "너무 흔한"),
    ("new-owner@supplier.example.com", "이메일 주소"), ("new-owner-passphrase-99", "이메일 주소"),
])
def test_registration_refuses_weak_passwords_with_a_korean_reason(client, session, password, reason):
    response = client.post("/register", data=_supplier_form("new-owner@supplier.example.com", password))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and reason in html
    assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("email", ["comma@example.com, victim2@victim.example", "a@b", "two@@example.com", "x@localhost"])
def test_registration_refuses_anything_but_one_valid_address(client, session, email):
    response = client.post("/register", data=_supplier_form(email))
    assert response.status_code == 422 and 'id="email-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_user_create_refuses_a_list_of_addresses(session):
    result = CliRunner().invoke(main, ["user", "create", "comma@example.com, victim2@victim.example", "--role", "admin",
                                       "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 1 and "error: email: not a valid e-mail address" in result.stderr


def test_cli_user_create_and_set_password_apply_the_password_policy(session):
    weak = CliRunner().invoke(main, ["user", "create", "ops@hub.example.com", "--role", "admin", "--password-stdin"],
                              input="password1234\n")
    assert weak.exit_code == 1 and "error: password: too common" in weak.stderr
    user = gen_user(session, "admin")
    same = CliRunner().invoke(main, ["user", "set-password", user.email, "--password-stdin"], input=user.email + "\n")
    assert same.exit_code == 1 and "must not contain your e-mail address" in same.stderr


def test_registering_a_taken_address_answers_like_a_new_one_and_mails_its_holder(client, session, settings):
    holder = gen_user(session, "member", email="taken@supplier.example.com")
    new = client.post("/register", data=_supplier_form("fresh@supplier.example.com", name="새싹AI 1"))
    taken = client.post("/register", data=_supplier_form("TAKEN@supplier.example.com", name="새싹AI 2"))
    assert (new.status_code, new.headers["Location"]) == (taken.status_code, taken.headers["Location"]) == (302, "/login")
    assert "already" not in client.get("/login").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == holder.email)) == 1
    mails = {m["To"]: m for m in _mails(settings)}
    assert set(mails) == {"fresh@supplier.example.com", "taken@supplier.example.com"}
    assert "이미 dxmatch 계정이 있는" in _body(mails["taken@supplier.example.com"])
    assert "/reset-password" in _body(mails["taken@supplier.example.com"])


def test_a_failed_sign_in_checks_a_password_hash_whether_or_not_the_account_exists(client, session, monkeypatch):
    user = gen_user(session, "member")
    checked: list[str] = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    client.post("/login", data={"email": user.email, "password": "wrong password"})
    client.post("/login", data={"email": "nobody@nowhere.example.com", "password": "wrong password"})
    assert len(checked) == 2  # the unknown address costs the same scrypt check as a wrong password


def _limited_app(settings, **limits):
    return create_app({"DXMATCH_SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_STORAGE_URI": "memory://", **limits})


def test_failed_sign_ins_are_limited_per_account_from_any_address(settings, session):
    user = gen_user(session, "member")
    other = gen_user(session, "member")
    client = _limited_app(settings, LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute").test_client()
    codes = [client.post("/login", data={"email": user.email, "password": "guess"},
                         environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.post("/login", data={"email": other.email, "password": other.password},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_registration_is_rate_limited(settings, session):
    client = _limited_app(settings, REGISTER_RATE_LIMIT="2 per hour").test_client()
    codes = [client.post("/register", data={"kind": "supplier"}).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_password_change_needs_the_current_password_and_a_policy_compliant_new_one(client, auth, session):
    user = gen_user(session, "member")
    auth.login(user)
    wrong = client.post("/account/password", data={"current_password": "not it", "password": NEW_PASSWORD,
                                                   "password_again": NEW_PASSWORD})
    assert wrong.status_code == 422 and "현재 비밀번호가 올바르지 않습니다" in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={"current_password": user.password, "password": "12345678",
                                                  "password_again": "12345678"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    session.expire_all()
    assert accounts.authenticate(session, user.email, user.password) is not None


def _reset_link(settings, email: str) -> str:
    [mail] = [m for m in _mails(settings) if m["To"] == email]
    line = next(li for li in _body(mail).splitlines() if "/reset-password/" in li)
    return line.strip().split("127.0.0.1:5000", 1)[1]


def test_password_reset_by_mail_works_once_and_ends_every_session(app, client, session, settings):
    user = gen_user(session, "member")
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": user.password})
    asked = client.post("/reset-password", data={"email": user.email})
    unknown = client.post("/reset-password", data={"email": "nobody@nowhere.example.com"})
    assert asked.status_code == unknown.status_code == 200
    assert asked.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m["To"] for m in _mails(settings)] == [user.email]
    link = _reset_link(settings, user.email)
    stored = session.scalar(select(User.password_reset_hash).where(User.id == user.id))
    assert stored and link.rsplit("/", 1)[1] not in stored  # only a hash of the token is kept
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    session.expire_all()
    assert accounts.authenticate(session, user.email, NEW_PASSWORD) is not None
    assert client.get(link).status_code == 404  # single use
    assert browser.get("/account").status_code == 302  # the old session ended


def test_an_expired_reset_link_is_refused(client, session, settings):
    user = gen_user(session, "member")
    client.post("/reset-password", data={"email": user.email})
    link = _reset_link(settings, user.email)
    session.get(User, user.id).password_reset_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code == 404
    session.expire_all()
    assert accounts.authenticate(session, user.email, user.password) is not None


LIST_ADDRESS = "comma@example.com, victim2@victim.example"


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_an_account_with_a_list_for_an_address_gets_no_digest_and_cannot_subscribe(client, auth, session, settings):
    from services.digest import send_weekly_digest

    legacy = gen_user(session, "coordinator", email=LIST_ADDRESS, subscribe=True)  # stored before validation existed
    mailer = _Recorder()
    summary = send_weekly_digest(session, mailer, settings)
    assert mailer.sent == [] and summary.skipped.get("not a valid e-mail address") == [LIST_ADDRESS]
    auth.login(legacy)
    refused = client.post("/digest/subscribe")
    assert refused.status_code == 422 and "올바른 이메일 주소가 아닙니다" in refused.get_data(as_text=True)


def test_sign_ins_sign_outs_and_resets_are_audited_and_failures_logged_without_address_or_password(
        client, session, caplog):
    from models import AuditEvent

    user = gen_user(session, "member")
    client.post("/login", data={"email": user.email, "password": "my-secret-guess-1"})
    client.post("/login", data={"email": user.email, "password": user.password})
    client.post("/logout")
    client.post("/reset-password", data={"email": user.email})
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert {"user.sign_in", "user.sign_out"} <= set(actions)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset_request")) is not None
    failures = [r for r in caplog.records if r.name == "dxmatch.security"]
    assert len(failures) == 1 and "sign-in failed" in failures[0].getMessage()
    assert "my-secret-guess-1" not in caplog.text and user.email not in caplog.text
