"""Links the platform stores and shows: only absolute ``http(s)`` addresses with a host.

A stored link ends up in an ``href``; anything else (``javascript:``, ``data:``, ``vbscript:``,
a relative path) could run a script or mislead, so every URL field of the API, the forms and the
imports goes through :func:`http_url`, and templates show a link only if :func:`is_http_url`.
"""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, HttpUrl, TypeAdapter, ValidationError

URL_MAX_CHARS = 300  # the shortest URL column (enterprises.website)
SCHEMES = ("http", "https")
_STRUCTURE = TypeAdapter(HttpUrl)  # the WHATWG parser browsers use: host, port, characters
MESSAGE = "ожидается адрес, начинающийся с http:// или https:// (например, https://example.ru)"


def http_url(value: str) -> str:
    """``value`` trimmed if it is an absolute http(s) URL with a host; ValueError otherwise."""
    value = value.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ValueError(f"{MESSAGE}; пробелы и управляющие символы в адресе недопустимы")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError(MESSAGE) from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValueError(MESSAGE)
    try:
        _STRUCTURE.validate_python(value)
    except ValidationError:
        raise ValueError(f"{MESSAGE}; адрес «{value[:80]}» не разбирается") from None
    return value


def is_http_url(value: object) -> bool:
    """Whether ``value`` may be rendered as a link (a string :func:`http_url` accepts)."""
    if not isinstance(value, str):
        return False
    try:
        http_url(value)
    except ValueError:
        return False
    return True


HttpUrlText = Annotated[
    str,
    Field(
        max_length=URL_MAX_CHARS,
        description="абсолютный адрес http:// или https://",
        examples=["https://example.ru"],
    ),
    AfterValidator(http_url),
]
