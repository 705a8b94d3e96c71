"""The `dxmatch` command: schema, bulk import/export, demo data, the web server.

Sub-command modules written elsewhere (`dxmatch.cli_match`, `dxmatch.cli_digest`) plug in
through a `register(main)` function and are added at the bottom of this file when importable.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from dxmatch.cli_runtime import cli_session, cli_settings

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dxmatch")
def main() -> None:
    """dxmatch: match manufacturers with SW/AI suppliers for regional DX hubs.

    Configuration comes from DXMATCH_* environment variables (see README).
    """


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to migrate to.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (Alembic) and make sure every hub exists."""
    from dxmatch import db as database

    settings = cli_settings()
    database.upgrade(settings, revision)
    with database.open_session_factory(settings)() as session:
        added = database.seed_hubs(session)
        session.commit()
    click.echo(f"schema at {database.current_revision(settings)}; {added} hubs added")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), help="Default: from the file extension.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def import_command(file: Path, fmt: str | None, progress: bool | None) -> None:
    """Load company profiles from a JSONL, CSV (UTF-8 or CP949) or Excel .xlsx FILE (existing ids are updated).

    Exit status: 0 all loaded, 1 some rows rejected (listed on stderr), 2 file unreadable.
    """
    from services.profiles import format_of, import_file
    from services.profiles.readers import ENCODING_LABELS, UnreadableFile, detect_encoding

    fmt = fmt or format_of(file)
    if fmt is None:
        click.echo(f"error: cannot tell the format of {file}; use .jsonl/.csv/.xlsx or --format", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        with open(file, "rb") as handle:
            encoding = ENCODING_LABELS[detect_encoding(handle.read())] if fmt == "csv" else None
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except UnicodeDecodeError as exc:
        click.echo(f"error: cannot read {file}: {exc.reason} (byte {exc.start})", err=True)
        sys.exit(EXIT_UNREADABLE)
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        with cli_session() as session:
            report = import_file(session, file, fmt, progress=progress)
    except (OSError, UnicodeDecodeError, UnreadableFile) as exc:
        click.echo(f"error: cannot read {file}: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    _finish_matching()
    for error in report.errors:
        click.echo(str(error), err=True)
    if encoding:
        click.echo(f"read as {encoding}")
    click.echo(report.summary())
    sys.exit(0 if report.ok else EXIT_REJECTED)


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write every company to FILE as profile-format JSONL ("-" for standard output)."""
    from services.profiles import export_jsonl

    with cli_session() as session, click.open_file(str(file), "w", encoding="utf-8") as handle:
        count = export_jsonl(session, handle)
    click.echo(f"exported {count} companies", err=str(file) == "-")


@main.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has companies or users.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo hub (fixtures/) and print the demo accounts with their passwords."""
    from dxmatch import db as database
    from fixtures.loader import FIXTURES_DIR, load_demo, read_users

    with cli_session() as session:
        if if_empty and not database.database_is_empty(session):
            click.echo("database not empty; demo data not loaded")
            users = FIXTURES_DIR / "users.json"
            if users.exists():
                _print_accounts([(u["role"], u["email"], u["password"]) for u in read_users(users)])
            return
        report = load_demo(session)
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(f"demo data: {report.companies.summary()}, {report.users_created} users created")
    _finish_matching()
    _print_accounts([(a.role, a.email, a.password) for a in report.accounts])


def _print_accounts(rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        return
    click.echo("demo accounts (role, e-mail, password):")
    for role, email, password in rows:
        click.echo(f"  {role:<12} {email:<36} {password}")


def _finish_matching() -> None:
    """Apply the matching work a command recorded (the CLI waits for it; pages would not)."""
    from dxmatch.cli_runtime import cli_runtime, finish_matching

    finish_matching(cli_runtime())


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: $PORT, else 5000.")
@click.option("--workers", type=click.IntRange(0, 64), default=0,
              help="gunicorn worker processes (Linux); 0 serves one waitress process.  [default: 0]")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="threads per process")
def serve(host: str, port: int | None, workers: int, threads: int) -> None:
    """Serve the web app: several gunicorn workers, or one waitress process (the fallback)."""
    settings = cli_settings()
    port = port or settings.port
    click.echo(f"dxmatch on http://{host}:{port}/", err=True)
    if workers > 0:
        try:
            from dxmatch.server import serve_gunicorn
        except ImportError as exc:  # gunicorn is Unix-only
            click.echo(f"gunicorn unavailable ({exc}); serving with waitress", err=True)
        else:
            serve_gunicorn(host, port, workers, threads)
            return
    from waitress import serve as waitress_serve

    from dxmatch.process_tuning import single_threaded_native_code
    from web import create_app

    single_threaded_native_code()
    waitress_serve(create_app(), host=host, port=port, threads=threads)


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, cron).")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=10, show_default=True,
              help="lower CPU priority than the web processes (0: the same)")
def worker(burst: bool, niceness: int) -> None:
    """Run background jobs from Redis (DXMATCH_REDIS_URL): index builds, recomputes, bulk matching.

    Jobs are throughput work: at a lower CPU priority they use the cores the site leaves idle
    instead of slowing the pages people are waiting for.
    """
    from redis import Redis
    from rq import SimpleWorker

    from dxmatch.process_tuning import lower_priority
    from services.jobs import RQ_QUEUE
    from services.tasks import worker_runtime

    settings = cli_settings()
    if not settings.redis_url:
        click.echo("error: set DXMATCH_REDIS_URL to run a worker (without it the site runs jobs in-process)",
                   err=True)
        sys.exit(EXIT_UNREADABLE)
    lower_priority(niceness)
    runtime = worker_runtime(settings)
    runtime.encoder()  # load the model before the first job
    recovered = runtime.recover()  # work a killed worker left pending
    if recovered:
        click.echo(f"pending matching work found; job {recovered} queued", err=True)
    connection = Redis.from_url(settings.redis_url)
    SimpleWorker([RQ_QUEUE], connection=connection).work(burst=burst, with_scheduler=False)


def _register_optional(module_names: tuple[str, ...]) -> None:
    """Add the sub-commands of optional modules that are installed."""
    for name in module_names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        register = getattr(module, "register", None)
        if register is not None:
            register(main)


_register_optional(("dxmatch.cli_match", "dxmatch.cli_model", "dxmatch.cli_digest", "dxmatch.cli_users", "dxmatch.cli_secret"))


if __name__ == "__main__":  # pragma: no cover
    main()
