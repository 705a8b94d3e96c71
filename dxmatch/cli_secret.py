"""`dxmatch secret-key`: the signing key of sessions and mail links, generated once per instance.

`make run` calls it before serving, so a fresh checkout needs nothing else: the key is written
to `<instance>/secret_key` (mode 0600) and `Settings.from_env` reads it whenever
DXMATCH_SECRET_KEY is unset. An existing file is never overwritten (that would sign everyone out).
"""
from __future__ import annotations

import os

import click


def register(main: click.Group) -> None:
    """Add `secret-key` to the `dxmatch` group."""
    from dxmatch.cli_runtime import cli_settings

    @main.command("secret-key")
    def secret_key() -> None:
        """Generate <instance>/secret_key (random, 0600) unless it exists or DXMATCH_SECRET_KEY is set."""
        from config.settings import ensure_secret_key_file

        if os.environ.get("DXMATCH_SECRET_KEY"):
            click.echo("DXMATCH_SECRET_KEY is set; no key file needed", err=True)
            return
        path, created = ensure_secret_key_file(cli_settings().instance_dir)
        click.echo(f"{'created' if created else 'kept'} {path}", err=True)
