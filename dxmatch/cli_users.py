"""`dxmatch user create|list|set-password|deactivate|activate`: the accounts a hub operator manages.

Self-registration only creates company members; admins and hub coordinators are created here,
by whoever runs the server. Passwords are prompted for (hidden, twice) or read from standard
input with `--password-stdin`, never taken as an argument (it would land in the shell history).
"""
from __future__ import annotations

import sys

import click
from sqlalchemy import select

from models import ROLES, Company, User


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _fail_validation(exc: Exception) -> None:
    errors = getattr(exc, "detail", {}).get("errors", [])
    for error in errors:
        click.echo(f"error: {error['field']}: {error['reason']}", err=True)
    sys.exit(1)


def _user_or_fail(session, email: str) -> User:
    from services.auth import find_user_by_email

    user = find_user_by_email(session, email)
    if user is None:
        _fail(f"no user {email}")
    return user


def register(main: click.Group) -> None:
    """Add the account commands to the `dxmatch` group."""
    from dxmatch.cli_runtime import cli_session, cli_settings

    @main.group()
    def user() -> None:
        """Accounts: admins, hub coordinators and company members."""

    @user.command("create")
    @click.argument("email")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--hub", "hub_key", help="The coordinator's hub key (e.g. ochang).")
    @click.option("--company", "company_id", help="The member's company (its profile id).")
    @click.option("--name", default="", help="Display name.")
    @click.option("--language", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create(email: str, role: str, hub_key: str | None, company_id: str | None, name: str, language: str,
               password_stdin: bool) -> None:
        """Create an account (exit 1 with the reasons when it is refused)."""
        from services import audit
        from services.auth import create_user
        from services.errors import ValidationFailed

        with cli_session() as session:
            company = None
            if company_id is not None:
                company = session.scalar(select(Company).where(Company.external_id == company_id))
                if company is None:
                    _fail(f"company: no company {company_id}")
            password = _read_password(password_stdin)
            try:
                account = create_user(session, email=email, password=password, role=role, name=name or email,
                                      hub_key=hub_key, company_id=company.id if company else None, language=language)
            except ValidationFailed as exc:
                _fail_validation(exc)
            audit.record(session, None, "user.create", hub_key=account.hub_key, company_id=account.company_id,
                         user=account.email, role=role)
            session.commit()
            click.echo(f"created {role} {account.email}")

    @user.command("list")
    @click.option("--role", type=click.Choice(ROLES))
    def list_users(role: str | None) -> None:
        """Every account: role, e-mail, hub or company, active."""
        with cli_session() as session:
            query = select(User).order_by(User.role, User.email)
            if role:
                query = query.where(User.role == role)
            for account in session.scalars(query):
                scope = account.hub_key or (account.company.external_id if account.company else "")
                state = "active" if account.active else "inactive"
                click.echo(f"{account.role:<12} {account.email:<36} {scope:<20} {state}")

    @user.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def set_password_cmd(email: str, password_stdin: bool) -> None:
        """Replace an account's password."""
        from services.auth import set_password
        from services.errors import ValidationFailed

        with cli_session() as session:
            account = _user_or_fail(session, email)
            try:
                set_password(session, account, _read_password(password_stdin))
            except ValidationFailed as exc:
                _fail_validation(exc)
            session.commit()
            click.echo(f"password changed for {account.email}")

    for command, active in (("deactivate", False), ("activate", True)):
        def toggle(email: str, active: bool = active) -> None:
            from services.auth import set_active

            with cli_session() as session:
                account = _user_or_fail(session, email)
                set_active(session, account, active)
                session.commit()
                click.echo(f"{account.email} {'active' if active else 'inactive'}")

        toggle.__doc__ = ("Let an account sign in again." if active else
                          "Stop an account: no sign-in, no API token, no digest.")
        user.command(command)(click.argument("email")(toggle))
