"""The CLI prints a service error's English message (the code's text), whatever the catalog holds in Korean."""
from __future__ import annotations

from click.testing import CliRunner

from dxmatch.cli import main
from services.errors import MESSAGES


def test_a_week_that_does_not_exist_is_refused_in_english_by_digest_send(settings, session):
    result = CliRunner().invoke(main, ["digest", "send", "--week", "2026-W60", "--dry-run"])
    assert result.exit_code == 2
    assert "There is no ISO week 2026-W60." in result.output
    malformed = CliRunner().invoke(main, ["digest", "send", "--week", "week 5", "--dry-run"])
    assert malformed.exit_code == 2 and MESSAGES["digest.bad_week"] in malformed.output
