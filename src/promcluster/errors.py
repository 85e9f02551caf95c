"""Domain exceptions; the API, pages and CLI translate them for their users."""

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base of every error a user can act on."""


class InvalidField(DomainError):
    """A value that the platform refuses, with the field it belongs to; ``others``: more
    refused fields of the same request, each with its message (all are shown at once)."""

    def __init__(self, field: str, message: str, others: dict[str, str] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.fields = {field: message, **(others or {})}


class FieldChecks:
    """Checks of a request's fields that report every refused field, not only the first:
    ``check`` runs one and keeps what it refused, ``done`` raises them together."""

    def __init__(self) -> None:
        self.refused: dict[str, str] = {}

    def check(self, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)``, or None when it refused a field (kept for ``done``)."""
        try:
            return function(*args)
        except InvalidField as exc:
            for field, message in exc.fields.items():
                self.refused.setdefault(field, message)
            return None

    def done(self) -> None:
        """Raise every refused field in one ``InvalidField``, if any."""
        if self.refused:
            (field, message), *others = self.refused.items()
            raise InvalidField(field, message, dict(others))


class NotFound(DomainError):
    """A record that does not exist."""


class Conflict(DomainError):
    """A duplicate or a concurrent edit."""


class PermissionDenied(DomainError):
    """The user may not do this."""
