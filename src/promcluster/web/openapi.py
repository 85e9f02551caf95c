"""The API's error answers in its OpenAPI, in one place: every operation lists the statuses the
error handlers and limits may give, each with the ``{"detail": ...}`` body they carry (a message,
or for 422 the list of field errors)."""

from typing import Any

from fastapi import FastAPI

ERRORS = {
    400: "неверный запрос",
    401: "требуется вход в систему, или неверные имя и пароль HTTP Basic",
    403: "недостаточно прав, нет CSRF-токена или запрос с чужого сайта",
    404: "запись не найдена",
    409: "запись изменена другим пользователем (устаревшая версия) или конфликт данных",
    413: "тело запроса больше допустимого",
    422: "неверные данные: ошибки по полям",
    429: "слишком много запросов; повторить через Retry-After секунд",
}
READ_ONLY = {"get", "head"}  # a read conflicts with nothing: no 409
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "title": "Detail",
            "description": "сообщение или, для 422, список ошибок по полям",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
            ],
        }
    },
    "required": ["detail"],
}
RETRY_AFTER = {
    "Retry-After": {"description": "через сколько секунд повторить", "schema": {"type": "integer"}}
}


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI list the error answers of every operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_errors(generate())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def add_errors(schema: dict[str, Any]) -> None:
    """Add the error answers (and the ``Error`` schema) to an OpenAPI document in place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if str(status) in responses or (status == 409 and method in READ_ONLY):
                    continue
                answer: dict[str, Any] = {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                if status == 429:
                    answer["headers"] = RETRY_AFTER
                responses[str(status)] = answer
