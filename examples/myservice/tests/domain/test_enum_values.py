import enum

from app.domain import enum_values


class Color(enum.StrEnum):
    LIGHT_BLUE = "light_blue"
    RED = "red"


def test_values_not_member_names_in_definition_order() -> None:
    assert enum_values(Color) == ["light_blue", "red"]
