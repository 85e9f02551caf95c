"""Lists: optional equality filters (``where_given``), one page at a time (``paginate`` →
``PageOf``) and the API shape of a page (``Page``), shared by every domain's lists."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass
class PageOf:
    """Rows of one page and the total count under the same filters."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def window(self, radius: int = 2) -> list[int | None]:
        """The page numbers a pager shows: the first, the last and ``radius`` either side of
        the current one, with None where a run of numbers is left out (an ellipsis)."""
        around = range(max(1, self.page - radius), min(self.pages, self.page + radius) + 1)
        shown: list[int | None] = []
        for n in sorted({1, self.pages, *around}):
            if shown and n - shown[-1] > 2:
                shown.append(None)
            elif shown and n - shown[-1] == 2:
                shown.append(n - 1)  # one number left out is shown rather than an ellipsis
            shown.append(n)
        return shown


def where_given(query: Select, *conditions: tuple[Any, Any]) -> Select:
    """``query`` filtered by ``column == value`` for each (column, value) whose value is given
    (not None): a list's optional equality filters."""
    for column, value in conditions:
        if value is not None:
            query = query.where(column == value)
    return query


def paginate(session: Session, query: Select, page: int, per_page: int) -> PageOf:
    """Run ``query`` for one page (1-based) and count all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return PageOf(list(rows), total or 0, page, per_page)


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    per_page: int
