"""The pager's page numbers (``PageOf.window``)."""

import pytest

from promcluster.pagination import PageOf


def window(page: int, pages: int) -> list[int | None]:
    return PageOf([], total=pages * 10, page=page, per_page=10).window()


@pytest.mark.parametrize(
    ("page", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 335, [1, 2, 3, None, 335]),
        (5, 335, [1, 2, 3, 4, 5, 6, 7, None, 335]),  # 2 is shown, not an ellipsis for it
        (100, 335, [1, None, 98, 99, 100, 101, 102, None, 335]),
        (335, 335, [1, None, 333, 334, 335]),
        (7, 9, [1, None, 5, 6, 7, 8, 9]),
        (999, 335, [1, None, 335]),  # a page past the end still links the first and the last
    ],
)
def test_the_first_the_last_and_two_either_side(page, pages, shown):
    assert window(page, pages) == shown
