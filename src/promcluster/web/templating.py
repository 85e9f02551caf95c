"""Jinja2 templates with the platform's number and money formats and vocabularies."""

from importlib import resources

from fastapi.templating import Jinja2Templates

from promcluster import labels
from promcluster.russian import (
    file_size,
    long_date,
    money,
    month,
    number,
    percent,
    plural,
    signed,
    signed_percent,
)
from promcluster.urls import is_http_url
from promcluster.web.deps import CSRF_FIELD, csrf_token

templates = Jinja2Templates(directory=str(resources.files("promcluster.web") / "templates"))


def declared(figure) -> str:
    """A declared figure as stated: qualifier, value, unit (``около 240``)."""
    value = money(figure.value) if figure.unit == "rub" else number(figure.value)
    qualifier = labels.QUALIFIERS.get(figure.qualifier or "", "")
    unit = labels.UNITS.get(figure.unit, "") if figure.unit != "rub" else ""
    return " ".join(p for p in (qualifier, value, unit) if p)


def safe_url(value: str | None) -> str:
    """A stored link fit for ``href``: the URL if it is absolute http(s), ``#`` otherwise
    (``javascript:``, ``data:`` … never reach a link; see ``_links.html`` to show them as text)."""
    return value.strip() if is_http_url(value) else "#"  # type: ignore[union-attr]


templates.env.filters.update(
    number=number,
    money=money,
    percent=percent,
    signed=signed,
    signed_percent=signed_percent,
    month=month,
    long_date=long_date,
    file_size=file_size,
    plural=plural,
    declared=declared,
    safe_url=safe_url,
)
templates.env.tests.update(http_url=is_http_url)
templates.env.globals.update(labels=labels, csrf_token=csrf_token, CSRF_FIELD=CSRF_FIELD)
