"""Every command's set-up in one place: its settings, a session on an up-to-date schema, and the
matching Runtime (the same index and builder as the site, with jobs run at once).

Engine modules are imported inside the functions, so `dxmatch --help` stays fast.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings

if TYPE_CHECKING:
    from services.runtime import Runtime


def cli_settings() -> Settings:
    """The command's settings, read from the environment once per invocation (kept on the root context)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Settings.from_env()
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings.from_env()
    return root.obj


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate the schema (a fresh database is created on first use), make sure every hub exists."""
    from dxmatch import db

    db.upgrade(settings)
    sessions = db.open_session_factory(settings)
    with sessions() as session:
        db.seed_hubs(session)
        session.commit()
    return sessions


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session on an up-to-date schema for one command."""
    with open_database(settings or cli_settings())() as session:
        yield session


def cli_runtime(settings: Settings | None = None) -> Runtime:
    """A Runtime on an up-to-date schema for one command."""
    from services.runtime import Runtime

    settings = settings or cli_settings()
    return Runtime(settings, open_database(settings), jobs="inline")


def finish_matching(runtime: Runtime, *, quiet: bool = False) -> None:
    """Apply pending matching work now (a command the operator waits for), with a progress bar on a terminal."""
    from tqdm import tqdm

    bar = tqdm(total=100, desc="matching", unit="%", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def progress(fraction: float, _message: str | None = None) -> None:
        bar.update(max(0, int(fraction * 100) - bar.n))

    try:
        result = runtime.process_now(progress, publish=True)
    finally:
        bar.close()
    if not quiet:
        if result.version is None:
            click.echo(f"index {runtime.store.current_version()} is up to date")
        else:
            kind = "rebuilt" if result.full else "updated"
            click.echo(f"index {kind} ({result.version}); proposals refreshed for {result.manufacturers} manufacturers")
