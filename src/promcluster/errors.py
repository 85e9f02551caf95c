"""Domain exceptions; the API, pages and CLI translate them for their users."""


class DomainError(Exception):
    """Base of every error a user can act on."""


class InvalidField(DomainError):
    """A value that the platform refuses, with the field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DomainError):
    """A record that does not exist."""


class Conflict(DomainError):
    """A duplicate or a concurrent edit."""


class PermissionDenied(DomainError):
    """The user may not do this."""
