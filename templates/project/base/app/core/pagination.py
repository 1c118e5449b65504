"""Page-based listing rules shared by every resource and adapter."""

from app.core.errors import ValidationFailedError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def check_page(page: int, size: int) -> None:
    """Refuse a page number below 1 or a size outside 1..MAX_PAGE_SIZE, naming each field."""
    errors: dict[str, list[str]] = {}
    if page < 1:
        errors["page"] = ["Must be greater than or equal to 1."]
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors["size"] = [f"Must be between 1 and {MAX_PAGE_SIZE}."]
    if errors:
        raise ValidationFailedError.from_fields(errors)
