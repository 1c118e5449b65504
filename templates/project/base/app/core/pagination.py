"""Page-based listing and row-id rules shared by every resource and adapter."""

from app.core.errors import NotFoundError, ValidationFailedError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
"""Deeper pages are refused: their OFFSET would be slow, and beyond BIGINT it overflows."""
MAX_ROW_ID = 2**63 - 1
"""The largest id a BIGINT key holds; larger ids name no row."""


def is_row_id(value: int) -> bool:
    """Whether `value` can be the id of a row (1..MAX_ROW_ID); other ids are simply not found."""
    return 1 <= value <= MAX_ROW_ID


def require_row_id(row_id: int, what: str) -> None:
    """Answer an id no row can have as `what` not found, the answer a missing row gets."""
    if not is_row_id(row_id):
        raise NotFoundError(f"{what} not found", {"id": row_id})


def check_page(page: int, size: int) -> None:
    """Refuse a page outside 1..MAX_PAGE or a size outside 1..MAX_PAGE_SIZE, naming each field."""
    errors: dict[str, list[str]] = {}
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = [f"Must be between 1 and {MAX_PAGE}."]
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors["size"] = [f"Must be between 1 and {MAX_PAGE_SIZE}."]
    if errors:
        raise ValidationFailedError.from_fields(errors)
