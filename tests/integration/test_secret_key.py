"""A served app never signs sessions or mail links with a key anyone can know (ASVS V11, V13)."""
from __future__ import annotations

import dataclasses
import os
import stat

import pytest
from click.testing import CliRunner

from config.settings import Settings
from dxmatch.cli import main
from web import create_app
from web.config import InsecureConfiguration


@pytest.mark.parametrize("key", ["dev-only-change-me", "", "short-but-not-empty"])
def test_a_served_app_refuses_an_empty_published_or_short_secret_key(settings: Settings, key: str):
    with pytest.raises(InsecureConfiguration, match="DXMATCH_SECRET_KEY"):
        create_app({"DXMATCH_SETTINGS": dataclasses.replace(settings, secret_key=key)})


def test_a_served_app_starts_with_a_long_random_key(settings: Settings):
    key = "k" * 8 + os.urandom(24).hex()
    app = create_app({"DXMATCH_SETTINGS": dataclasses.replace(settings, secret_key=key)})
    assert app.secret_key == key and app.config["DXMATCH_SETTINGS"].secret_key == key


def test_a_test_app_without_a_key_signs_with_a_fixed_testing_key(settings: Settings):
    app = create_app({"DXMATCH_SETTINGS": dataclasses.replace(settings, secret_key=""), "TESTING": True})
    assert app.secret_key


def test_secret_key_command_writes_a_private_key_once_and_settings_read_it(settings: Settings, monkeypatch):
    monkeypatch.delenv("DXMATCH_SECRET_KEY", raising=False)
    assert Settings.from_env().secret_key == ""
    first = CliRunner().invoke(main, ["secret-key"])
    assert first.exit_code == 0, first.output
    path = settings.instance_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = Settings.from_env().secret_key
    assert len(key) >= 32
    again = CliRunner().invoke(main, ["secret-key"])
    assert again.exit_code == 0 and Settings.from_env().secret_key == key  # never overwritten: nobody signed out
    assert create_app().secret_key == key  # what `make run` serves with: no refusal, no published key


def test_the_environment_variable_wins_over_the_key_file(settings: Settings, monkeypatch):
    CliRunner().invoke(main, ["secret-key"])
    monkeypatch.setenv("DXMATCH_SECRET_KEY", "e" * 40)
    assert Settings.from_env().secret_key == "e" * 40
