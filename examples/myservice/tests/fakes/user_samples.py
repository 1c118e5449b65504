"""Sample users: every test that registers or inserts a user takes its values from here.

The built-in user grows with `arcana add field user`; the fields added that way are listed
here with two valid, distinct values each. `REGISTER_EXTRA` holds the REST values of the
required ones (registration needs them), `USER_EXTRA` their Python values (entities),
`USER_A` the Python values of every added field and `ADDED_A` / `ADDED_B` their REST values
(`ADDED_B_PROTO`: as gRPC request fields).
"""

from typing import Any
from uuid import uuid4

from app.model.user import User
from app.wiring import Container

ADDED_FIELDS: tuple[str, ...] = ()
REQUIRED_FIELDS: tuple[str, ...] = ()
OPTIONAL_FIELDS: tuple[str, ...] = ()

REGISTER_EXTRA: dict[str, Any] = {}
USER_EXTRA: dict[str, Any] = {}
USER_A: dict[str, Any] = {}
ADDED_A: dict[str, Any] = {}
ADDED_B: dict[str, Any] = {}
REGISTER_EXTRA_PROTO: dict[str, Any] = {}
ADDED_B_PROTO: dict[str, Any] = {}


def new_user(email: str = "grace@example.com", full_name: str = "Grace Hopper") -> User:
    """A user entity, not yet stored."""
    return User(email=email, password_hash="hash", full_name=full_name, **USER_EXTRA)


def create_user(container: Container) -> int:
    """Insert a user with a unique email; its id."""
    user = new_user(f"{uuid4().hex}@example.com", "Sample User")
    with container.sessions().begin() as session:
        session.add(user)
    return user.id
