"""What every editable record shares, whatever its domain: optimistic locking with timestamps,
fetching by id with a precise error, and the version check and flush that turn races into
``Conflict``."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Integer, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from promcluster.errors import Conflict, InvalidField, NotFound


class Versioned:
    """Optimistic locking (a stale ``version`` raises on flush), timestamps, audit.
    ``record_label`` names the kind of record in messages («кластер»)."""

    __audited__ = True
    record_label: ClassVar[str]

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def get(session: Session, model: type, id_: int, field: str | None = None):
    """The record ``id_`` of ``model``; InvalidField when named by a ``field``, else NotFound."""
    obj = session.get(model, id_)
    if obj is None:
        label = getattr(model, "record_label", model.__name__)
        message = f"{label}: нет записи с идентификатором {id_}"
        if field:
            raise InvalidField(field, message)
        raise NotFound(message)
    return obj


def check_version(obj: Any, data: dict[str, Any]) -> None:
    """Take ``version`` out of ``data``; a version other than the record's is a ``Conflict``."""
    version = data.pop("version", None)
    if version is not None and version != obj.version:
        raise Conflict(
            f"запись изменена другим пользователем (ваша версия {version}, текущая "
            f"{obj.version}); обновите страницу и повторите изменение"
        )


def flush(session: Session) -> None:
    """Write pending changes; races that the checks above could not see become ``Conflict``."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("запись изменена другим пользователем; повторите изменение") from exc
    except IntegrityError as exc:
        raise Conflict(
            "такая запись уже есть (одновременное добавление); обновите страницу и проверьте данные"
        ) from exc
