"""`dxmatch digest send` and `dxmatch digest schedule`; `dxmatch.cli` calls `register(main)`."""
from __future__ import annotations

import logging
import sys
import time
from datetime import datetime, timedelta

import click
from tqdm import tqdm

from config.settings import Settings
from services.digest import KST, DigestRunSummary, current_week, send_weekly_digest
from services.errors import ValidationFailed
from services.mailer import mailer_from_settings

log = logging.getLogger(__name__)

SEND_WEEKDAY = 0  # Monday
SEND_HOUR_KST = 8


def run_digest(
    settings: Settings, *, week: str | None = None, dry_run: bool = False, show_progress: bool = True
) -> DigestRunSummary:
    """One digest run against the database and mail transport of `settings`."""
    from dxmatch.db import open_session_factory

    week = week or current_week()

    def progress(subs):  # noqa: ANN001, ANN202
        return tqdm(subs, desc=f"digest {week}", unit="sub", file=sys.stderr, disable=not show_progress)

    with open_session_factory(settings)() as session:
        return send_weekly_digest(
            session, mailer_from_settings(settings), settings, week=week, dry_run=dry_run, progress=progress
        )


def this_weeks_send_time(now: datetime) -> datetime:
    """Monday 08:00 KST of the week `now` falls in (KST)."""
    local = now.astimezone(KST)
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime(monday.year, monday.month, monday.day, SEND_HOUR_KST, tzinfo=KST)


def next_send_time(now: datetime) -> datetime:
    """The first Monday 08:00 KST strictly after `now`."""
    slot = this_weeks_send_time(now)
    return slot if slot > now else slot + timedelta(days=7)


@click.group("digest")
def digest() -> None:
    """The weekly digest mail."""


@digest.command("send")
@click.option("--week", metavar="YYYY-Www", help="ISO week to send (default: the current week in Korea).")
@click.option("--dry-run", is_flag=True, help="Show who would get which mail; send and record nothing.")
def send_command(week: str | None, dry_run: bool) -> None:
    """Send the weekly digest to every subscriber who has not had this week's yet; say why each other one was skipped."""
    settings = Settings.from_env()
    try:
        summary = run_digest(settings, week=week, dry_run=dry_run)
    except ValidationFailed as exc:
        raise click.BadParameter(exc.message, param_hint="--week") from exc
    for recipient, subject in summary.would_send:
        click.echo(f"would send to {recipient}: {subject}")
    for line in summary.skip_lines():
        click.echo(line)
    for recipient, error in summary.failed:
        click.echo(f"FAILED (given up) {recipient}: {error}", err=True)
    for recipient, error in summary.retry_later:
        click.echo(f"failed, will retry next run {recipient}: {error}", err=True)
    click.echo(summary.line())
    if summary.failed or summary.retry_later:
        sys.exit(1)  # cron mails the operator on a non-zero exit


@digest.command("schedule")
@click.option(
    "--catch-up/--no-catch-up",
    default=True,
    show_default=True,
    help="At start, send this week's digest if Monday 08:00 KST has passed (already-sent mail is skipped).",
)
def schedule_command(catch_up: bool) -> None:
    """Run forever, sending the digest every Monday at 08:00 KST."""
    settings = Settings.from_env()
    now = datetime.now(KST)
    if catch_up and now >= this_weeks_send_time(now):
        _scheduled_run(settings)
    while True:
        target = next_send_time(datetime.now(KST))
        click.echo(f"next digest at {target.isoformat()}")
        while (left := (target - datetime.now(KST)).total_seconds()) > 0:
            time.sleep(min(left, 300))  # wake up regularly: survives clock jumps and suspend
        _scheduled_run(settings)


def _scheduled_run(settings: Settings) -> None:
    try:
        summary = run_digest(settings, show_progress=False)
        click.echo(f"{summary.week}: {summary.line()}")
    except Exception:  # keep the scheduler alive; the next run retries what is left
        log.exception("digest run failed")


def register(main: click.Group) -> None:
    """Add the `digest` command group to the main CLI."""
    main.add_command(digest)
