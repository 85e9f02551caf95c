"""Settings from the environment (prefix ``PROMCLUSTER_``); the only module that reads it."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/promcluster.db"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class Settings(BaseSettings):
    """Runtime configuration of the platform."""

    model_config = SettingsConfigDict(env_prefix="PROMCLUSTER_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = "change-me-in-production"
    # Map background tiles; empty string disables tiles (points and labels still show).
    tile_url: str = OSM_TILES
    tile_attribution: str = "© участники OpenStreetMap"
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = 50
    secure_cookies: bool = False


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        return None
    return Path(url.removeprefix(prefix))
