"""Pydantic validation errors in the platform's language, one message per field."""

from typing import Any

MESSAGES = {
    "missing": "обязательное поле",
    "extra_forbidden": "неизвестное поле",
    "string_type": "ожидается строка",
    "string_too_short": "слишком короткое значение (минимум {min_length})",
    "string_too_long": "слишком длинное значение (максимум {max_length})",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "finite_number": "ожидается конечное число",
    "bool_parsing": "ожидается да/нет (true/false)",
    "date_from_datetime_parsing": "ожидается дата в формате ГГГГ-ММ-ДД",
    "date_parsing": "ожидается дата в формате ГГГГ-ММ-ДД",
    "greater_than_equal": "значение должно быть не меньше {ge}",
    "less_than_equal": "значение должно быть не больше {le}",
    "list_type": "ожидается список",
    "too_short": "нужно хотя бы {min_length} значение",
    "too_long": "слишком много значений (максимум {max_length})",
    "literal_error": "допустимые значения: {expected}",
    "json_invalid": "тело запроса — не JSON",
    "model_attributes_type": "ожидается объект JSON",
}


def russian(error: dict[str, Any]) -> str:
    """The Russian message for one pydantic error (our own validators already speak Russian)."""
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    template = MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    ctx = {k: str(v).replace(" or ", " или ") for k, v in error.get("ctx", {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split(" (")[0]
