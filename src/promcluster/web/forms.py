"""Page helpers shared by every domain: rendering a template with the user and settings,
reading an edit form through a Pydantic shape, and per-field error messages in Russian."""

from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from pydantic import BaseModel, ValidationError

from promcluster import numbers
from promcluster.errors import InvalidField
from promcluster.web.templating import templates
from promcluster.web.validation import russian


def render(request: Request, name: str, user: Any, status_code: int = 200, **context: Any):
    """A page with the current user (or None) and the settings in its context."""
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "settings": request.app.state.settings, **context},
        status_code=status_code,
    )


def form_data(form, schema: type, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Non-empty form fields validated by ``schema`` (a Patch shape); errors per field.
    Fields named in ``lists`` are comma-separated lists; a blank optional field means None."""
    raw: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key == "csrf_token":
            continue
        if key in lists:
            raw.setdefault(key, []).extend(v.strip() for v in str(value).split(",") if v.strip())
        elif str(value).strip() != "":
            raw[key] = _typed(schema, key, str(value).strip())
        elif key in schema.model_fields and not schema.model_fields[key].is_required():
            raw[key] = None
    return schema.model_validate(raw).model_dump(exclude_unset=True)


def _typed(schema: type[BaseModel], key: str, value: str) -> Any:
    """A number field's text as people type it in Russian («1 200 000,50») read as a number;
    other fields, and text that is no number (its error comes from the schema), unchanged."""
    field = schema.model_fields.get(key)
    if field is None or not any(k in (int, float, Decimal) for k in _kinds(field.annotation)):
        return value
    try:
        number = numbers.parse(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _kinds(annotation: Any) -> list[Any]:
    """The types a field takes: each member of a union (``float | None``), each without its
    ``Annotated`` constraints."""
    members = (
        get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    )
    return [get_args(m)[0] if get_origin(m) is Annotated else m for m in members]


def field_errors(exc: InvalidField | ValidationError) -> dict[str, str]:
    """One Russian message per form field (``_`` for the form as a whole)."""
    if isinstance(exc, InvalidField):
        return dict(exc.fields)
    return {str(e["loc"][0]) if e["loc"] else "_": russian(e) for e in exc.errors()}


async def status_form(request: Request, schema: type) -> Any:
    """The status and the version read, as a page's status buttons post them, validated by
    ``schema`` (a Patch shape, or one with ``status`` and ``version``)."""
    form = await request.form()
    return schema.model_validate({"status": form.get("status"), "version": form.get("version")})
