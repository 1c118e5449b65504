"""Values every layer shares: the enumerations of the resources (one module per resource).

Nothing here imports a framework or the ORM, so the DTOs, the entities and the adapters can all
depend on it.
"""

import enum


def enum_values(members: type[enum.Enum]) -> list[str]:
    """The values of an enumeration (`"draft"`), as they are stored and as clients send them."""
    return [str(member.value) for member in members]
