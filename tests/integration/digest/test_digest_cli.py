"""`dxmatch digest send` as an operator runs it: to the file outbox, or to SMTP when configured."""
from __future__ import annotations

from collections import Counter

import click
import pytest
from click.testing import CliRunner

from dxmatch.cli_digest import register


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def main() -> None:
        pass

    register(main)
    return main


def test_send_writes_the_outbox_prints_a_summary_and_a_rerun_sends_nothing(cli, settings, world):
    runner = CliRunner()

    first = runner.invoke(cli, ["digest", "send", "--week", world.week])
    second = runner.invoke(cli, ["digest", "send", "--week", world.week])

    assert first.exit_code == 0, first.output
    assert first.stdout.strip().splitlines()[-1] == "sent 5, skipped 2, failed 0"
    assert second.stdout.strip().splitlines()[-1] == "sent 0, skipped 7, failed 0"
    assert len(list((settings.instance_dir / "outbox").glob("*.eml"))) == 5


def test_send_uses_smtp_when_dxmatch_smtp_url_is_set(cli, settings, world, smtp_server, monkeypatch):
    monkeypatch.setenv("DXMATCH_SMTP_URL", smtp_server.url)

    result = CliRunner().invoke(cli, ["digest", "send", "--week", world.week])

    assert result.exit_code == 0, result.output
    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})
    assert not (settings.instance_dir / "outbox").exists()


def test_a_dry_run_lists_recipients_and_sends_nothing(cli, settings, world):
    result = CliRunner().invoke(cli, ["digest", "send", "--week", world.week, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert {line.split(":")[0].removeprefix("would send to ") for line in result.stdout.splitlines()
            if line.startswith("would send to")} == world.eligible
    assert "(dry run: would send 5)" in result.stdout
    assert not (settings.instance_dir / "outbox").exists()


def test_failures_exit_non_zero_so_cron_reports_them(cli, settings, world, smtp_server, monkeypatch):
    smtp_server.handler.reply = lambda n, rcpt: "550 5.1.1 No such user" if rcpt == world.users["jane"].email else None
    monkeypatch.setenv("DXMATCH_SMTP_URL", smtp_server.url)

    result = CliRunner().invoke(cli, ["digest", "send", "--week", world.week])

    assert result.exit_code == 1
    assert result.stdout.strip().splitlines()[-1] == "sent 4, skipped 2, failed 1"
    assert "jane@member.example" in result.stderr


def test_a_malformed_week_is_a_usage_error(cli, settings):
    result = CliRunner().invoke(cli, ["digest", "send", "--week", "2026-49"])

    assert result.exit_code == 2
    assert "2025-W02" in result.output


def test_send_says_why_each_skipped_subscriber_got_no_mail(cli, settings, world, session):
    first = CliRunner().invoke(cli, ["digest", "send", "--week", world.week])
    second = CliRunner().invoke(cli, ["digest", "send", "--week", world.week])
    session.expire_all()
    third = CliRunner().invoke(cli, ["digest", "send", "--week", _next_week(world.week)])

    assert first.exit_code == 0, first.output
    assert _skips(first.stdout) == {
        world.users["gone"].email: "unsubscribed",
        world.users["inactive"].email: "account deactivated",
    }
    assert _skips(second.stdout) == {
        **{address: "already sent this week" for address in world.eligible},
        world.users["gone"].email: "unsubscribed",
        world.users["inactive"].email: "account deactivated",
    }
    assert _skips(third.stdout)[world.users["jane"].email] == "nothing new since the last digest"


def _skips(stdout: str) -> dict[str, str]:
    """`skipped ADDRESS: REASON` lines as {address: reason}."""
    lines = [line.removeprefix("skipped ") for line in stdout.splitlines() if line.startswith("skipped ")]
    return dict(line.split(": ", 1) for line in lines)


def _next_week(week: str) -> str:
    from datetime import timedelta

    from services.digest import week_start

    return (week_start(week) + timedelta(days=7)).strftime("%G-W%V")
