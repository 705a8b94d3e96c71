"""The CLI's matching Runtime: the same index and builder as the site, with jobs run at once."""
from __future__ import annotations

import sys

import click

from config.settings import Settings
from services.runtime import Runtime


def cli_runtime(settings: Settings | None = None) -> Runtime:
    """A Runtime on an up-to-date schema for one command (settings from the environment by default)."""
    from dxmatch import db

    settings = settings or Settings.from_env()
    db.upgrade(settings)
    return Runtime(settings, db.open_session_factory(settings), jobs="inline")


def finish_matching(runtime: Runtime, *, quiet: bool = False) -> None:
    """Apply pending matching work now (a command the operator waits for), with a progress bar on a terminal."""
    from tqdm import tqdm

    bar = tqdm(total=100, desc="matching", unit="%", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def progress(fraction: float, _message: str | None = None) -> None:
        bar.update(max(0, int(fraction * 100) - bar.n))

    try:
        result = runtime.process_now(progress)
    finally:
        bar.close()
    if not quiet:
        if result.version is None:
            click.echo(f"index {runtime.store.current_version()} is up to date")
        else:
            kind = "rebuilt" if result.full else "updated"
            click.echo(f"index {kind} ({result.version}); proposals refreshed for {result.manufacturers} manufacturers")
