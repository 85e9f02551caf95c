"""Settings from the environment (prefix ``PROMCLUSTER_``); the only module that reads it."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/promcluster.db"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class Settings(BaseSettings):
    """Runtime configuration of the platform."""

    model_config = SettingsConfigDict(env_prefix="PROMCLUSTER_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # A read replica (PostgreSQL hot standby) for anonymous GET and HEAD requests; signed-in
    # users and every write stay on ``database_url`` (docs/SCALING.md). Empty or unset: one
    # database for everything.
    database_read_url: str | None = None
    # PostgreSQL connections each worker process keeps open (and as many more under load, closed
    # after use); workers × 2 × this must stay below the server's ``max_connections``.
    database_pool_size: int = Field(10, ge=1, le=100)
    # Signs the session cookie (which carries only a random token checked in the database).
    # Empty or short keys are refused unless ``dev_mode`` is set; ``secret_key_file`` is read
    # when ``secret_key`` is empty (``make run`` writes a random one into var/).
    secret_key: str = ""
    secret_key_file: Path | None = None
    dev_mode: bool = False
    # Map background tiles; empty string disables tiles (points and labels still show).
    tile_url: str = OSM_TILES
    tile_attribution: str = "© участники OpenStreetMap"
    host: str = "127.0.0.1"
    port: int = 8000
    # ``serve``: worker processes (0: one per core), the proxies whose X-Forwarded-* headers are
    # believed (comma-separated addresses, or "*"), and where fitted models are kept between
    # processes (docs/OPERATIONS.md, "Workers"; empty: none kept, each process fits its own).
    workers: int = Field(0, ge=0)
    forwarded_allow_ips: str = "127.0.0.1"
    cache_dir: Path | None = Path("var/cache")
    # ``serve``: the niche and discovery pages of this many regions (those with clusters, then
    # those with the most firms) computed after each worker's warm-up, and how long a page whose
    # result is not ready yet waits before answering «идёт расчёт…» (docs/OPERATIONS.md).
    warm_up_regions: int = Field(8, ge=0, le=85)
    computing_wait_seconds: float = Field(0.5, ge=0, le=30)
    page_size: int = 50
    secure_cookies: bool = False

    # Sessions and login throttling (see docs/SECURITY.md).
    session_idle_minutes: int = 120
    session_lifetime_hours: int = 12
    login_free_failures: int = 5  # refused passwords per account or address before delays
    login_window_minutes: int = 15
    login_max_delay_seconds: int = 900

    # Request limits: any body, and an uploaded import file.
    max_body_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 200 * 1024 * 1024
    # Anonymous calls of expensive endpoints (classification, search, exports, niches) per
    # client address and minute; 0 switches the limit off.
    anonymous_expensive_per_minute: int = 60

    # Imports: what a file may hold, and what is kept of its rejected rows.
    import_max_rows: int = 2_000_000
    import_max_unpacked_bytes: int = 1024 * 1024 * 1024
    import_max_compression_ratio: int = 200
    import_max_cell_chars: int = 4000
    import_report_max_rows: int = 10_000
    import_report_value_chars: int = 200
    import_stale_minutes: int = 5

    # Jobs (imports, search reindexing, generated files) go through a Huey queue kept in a
    # SQLite file (docs/adr/0011): by default next to a SQLite database
    # (``promcluster-jobs.db``), else ``var/jobs.db``. The web application runs a consumer
    # thread itself unless ``jobs_embedded`` is false (production runs ``promcluster worker``
    # as its own service). Uploads wait for their job in ``upload_dir`` (default: the system's
    # temporary directory; with a separate worker service it must be a directory both
    # services see); so do the files jobs generate, kept ``jobs_keep_hours`` after the job
    # ended. A job (not an import) whose heartbeat is older than ``jobs_stale_minutes`` is
    # marked interrupted.
    jobs_file: Path | None = None
    jobs_embedded: bool = True
    jobs_workers: int = 1
    jobs_poll_seconds: float = 1.0
    jobs_stale_minutes: int = Field(5, ge=1)
    jobs_keep_hours: int = Field(24, ge=1)
    upload_dir: Path | None = None
    # Documents of clusters (docs/DOSSIER.md): their files, named by SHA-256, and the largest
    # file accepted.
    files_dir: Path = Path("var/files")
    max_document_bytes: int = Field(50 * 1024 * 1024, ge=1)
    # Observability (docs/OPERATIONS.md): one JSON line per request instead of plain text, and
    # Prometheus metrics at /metrics: off (404), loopback (127.0.0.1 and ::1 only) or on.
    log_json: bool = False
    metrics: Literal["off", "loopback", "on"] = "off"
    # Backups of PostgreSQL: the directory of pg_dump and pg_restore when they are not on the
    # PATH or older than the server (e.g. /usr/lib/postgresql/16/bin).
    pg_bin_dir: Path | None = None

    @field_validator("database_read_url", mode="before")
    @classmethod
    def _no_read_url(cls, value: object) -> object:
        """``PROMCLUSTER_DATABASE_READ_URL=`` reads from the primary database."""
        return None if value == "" else value

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """``PROMCLUSTER_CACHE_DIR=`` keeps no fitted models on disk."""
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()


def jobs_path(settings: Settings) -> Path:
    """The SQLite file of the job queue (``jobs_file``, or one beside a SQLite database)."""
    if settings.jobs_file is not None:
        return settings.jobs_file
    database = sqlite_path(settings.database_url)
    if database is None:
        return Path("var/jobs.db")
    return database.with_name(f"{database.stem}-jobs.db")


def prometheus_multiproc_dir() -> Path | None:
    """The directory of prometheus-client's multi-process mode (``PROMETHEUS_MULTIPROC_DIR``,
    read by the library itself when it loads, hence not a ``PROMCLUSTER_`` setting), or None."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        return None
    return Path(url.removeprefix(prefix))
