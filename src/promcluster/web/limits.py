"""Bounds on what one request may carry: the sizes of strings, lists and integers in every
request schema and parameter, in one place (docs/SECURITY.md lists them). The types work both in
Pydantic models and as FastAPI path and query parameters, and show in the OpenAPI."""

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import AfterValidator

INT_MAX = 2**31 - 1  # PostgreSQL ``integer``: record ids, versions, counts
MONEY_MAX = 2**63 - 1  # roubles (``bigint`` columns)
CODE_CHARS = 20  # classifier codes (OKVED2, OKPD2), region codes, short keys
SHORT_CHARS = 50  # phones, periods, registry numbers, vocabulary keys
EMAIL_CHARS = 200
NAME_CHARS = 500  # names, titles, addresses, document references (URLs: promcluster.urls)
FULL_NAME_CHARS = 1000  # an enterprise's full legal name
TEXT_CHARS = 10_000  # descriptions, notes, messages
QUERY_CHARS = 300  # free text in a query string
TYPED_CHARS = 100  # what is typed in a search box for suggestions
LIST_ITEMS = 1_000  # items of any list in a request

Id = Annotated[int, Ge(1), Le(INT_MAX)]
Count = Annotated[int, Ge(0), Le(INT_MAX)]
Version = Annotated[int, Ge(0), Le(INT_MAX)]
Code = Annotated[str, MaxLen(CODE_CHARS)]
Short = Annotated[str, MaxLen(SHORT_CHARS)]
Email = Annotated[str, MaxLen(EMAIL_CHARS)]
Line = Annotated[str, MaxLen(NAME_CHARS)]
Text = Annotated[str, MaxLen(TEXT_CHARS)]
Search = Annotated[str, MaxLen(QUERY_CHARS)]
Codes = Annotated[list[Code], MaxLen(LIST_ITEMS)]
Ids = Annotated[list[Id], MinLen(1), MaxLen(LIST_ITEMS)]


def as_utc(value: datetime) -> datetime:
    """A stored timestamp (naive, in UTC) with its zone, so clients need not guess it."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
