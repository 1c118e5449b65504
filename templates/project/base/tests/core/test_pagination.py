import pytest

from app.core.errors import ValidationFailedError
from app.core.pagination import MAX_PAGE_SIZE, check_page


def test_a_valid_page_passes() -> None:
    check_page(1, MAX_PAGE_SIZE)


@pytest.mark.parametrize(
    ("page", "size", "fields"),
    [(0, 20, {"page"}), (1, 0, {"size"}), (0, MAX_PAGE_SIZE + 1, {"page", "size"})],
)
def test_invalid_pages_name_the_fields(page: int, size: int, fields: set[str]) -> None:
    with pytest.raises(ValidationFailedError) as error:
        check_page(page, size)

    assert set(error.value.details["fields"]) == fields
