"""The key that signs the session cookie: read from the settings or a file, refused when weak."""

import secrets
from pathlib import Path

from promcluster.config import Settings

MIN_KEY_CHARS = 32
# Keys seen in examples, tutorials and earlier versions of this project's README.
KNOWN_KEYS = frozenset(
    {
        "change-me-in-production",
        "changeme",
        "change-me",
        "changeit",
        "secret",
        "secret-key",
        "secret_key",
        "your-secret-key",
        "supersecret",
        "test",
        "testing",
        "dev",
        "development",
        "default",
        "password",
        "promcluster",
    }
)
MIN_DISTINCT_CHARS = 10  # "aaaa…" or "abababab…" is long but guessable

HOW_TO_SET = (
    "Задайте случайный ключ не короче {min} символов в PROMCLUSTER_SECRET_KEY или путь к файлу "
    'с ним в PROMCLUSTER_SECRET_KEY_FILE (например: python -c "import secrets; '
    'print(secrets.token_urlsafe(48))" > var/secret_key; chmod 600 var/secret_key); для '
    "разработки можно включить PROMCLUSTER_DEV_MODE=1. / Set a random key of at least {min} "
    "characters in PROMCLUSTER_SECRET_KEY, or a file holding it in PROMCLUSTER_SECRET_KEY_FILE; "
    "PROMCLUSTER_DEV_MODE=1 allows a weak key for development only."
)


class InsecureKey(ValueError):
    """The secret key is missing, known or too short, outside development mode."""


def weakness(key: str) -> str | None:
    """Why ``key`` cannot sign sessions (Russian / English), or None when it can."""
    if not key:
        return "секретный ключ не задан / the secret key is not set"
    if key.strip().lower() in KNOWN_KEYS or "change-me" in key.lower():
        return (
            "секретный ключ — известное значение по умолчанию / the secret key is a known default"
        )
    if len(key) < MIN_KEY_CHARS:
        return (
            f"секретный ключ короче {MIN_KEY_CHARS} символов / "
            f"the secret key is shorter than {MIN_KEY_CHARS} characters"
        )
    if len(set(key)) < MIN_DISTINCT_CHARS:
        return "секретный ключ слишком однообразен / the secret key is too repetitive"
    return None


def read_key(settings: Settings) -> str:
    """``secret_key``, else the contents of ``secret_key_file`` (surrounding blanks dropped)."""
    if settings.secret_key:
        return settings.secret_key
    path: Path | None = settings.secret_key_file
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InsecureKey(
            f"не удалось прочитать файл секретного ключа {path}: {exc.strerror} / "
            f"cannot read the secret key file {path}. " + HOW_TO_SET.format(min=MIN_KEY_CHARS)
        ) from exc


def signing_key(settings: Settings) -> str:
    """The key to sign session cookies with; raises ``InsecureKey`` for a weak key unless
    ``dev_mode`` is on (where an empty key becomes a random one for this process)."""
    key = read_key(settings)
    problem = weakness(key)
    if problem is None:
        return key
    if settings.dev_mode:
        return key or secrets.token_urlsafe(48)
    raise InsecureKey(f"{problem}. " + HOW_TO_SET.format(min=MIN_KEY_CHARS))
