"""A page's posted form with pickers, read through its Pydantic shape in one step, so that the
pickers' refusals and the shape's come back together (every refused field at once)."""

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from promcluster.errors import InvalidField
from promcluster.pickers.service import PickedForm
from promcluster.web.forms import field_errors, form_data


def picked_data(
    picked: PickedForm,
    schema: type,
    lists: tuple[str, ...] = (),
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``form_data`` of the form with its pickers resolved, plus the ``fixed`` values a page
    sets itself (the cluster of its path); one InvalidField naming every refused field (a
    picker's own message wins over the shape's for the same field)."""
    form = picked.form
    if fixed:
        form = FormData([*form.multi_items(), *((k, str(v)) for k, v in fixed.items())])
    try:
        data = form_data(form, schema, lists)
    except ValidationError as exc:
        refused = {**field_errors(exc), **picked.errors}
    else:
        refused = dict(picked.errors)
    if refused:
        (field, message), *others = refused.items()
        raise InvalidField(field, message, dict(others))
    return data
