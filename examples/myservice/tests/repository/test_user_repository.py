from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from app.core.errors import ConflictError
from app.model.user import User
from app.repository.user_repository_impl import UserRepositoryImpl
from app.wiring import Container
from tests.fakes.user_samples import ADDED_FIELDS, USER_A, USER_EXTRA, new_user


@pytest.fixture
def repository(container: Container) -> UserRepositoryImpl:
    return UserRepositoryImpl(container.sessions())


def test_add_assigns_id_defaults_and_aware_timestamps(repository: UserRepositoryImpl) -> None:
    user = repository.add(new_user())
    assert user.id > 0
    assert user.is_active is True
    assert user.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - user.created_at).total_seconds()) < 60


def test_users_are_found_by_id_and_email(repository: UserRepositoryImpl) -> None:
    created = repository.add(new_user())
    by_id = repository.get_by_id(created.id)
    by_email = repository.get_by_email("grace@example.com")
    assert by_id is not None
    assert by_email is not None
    assert by_id.id == by_email.id == created.id
    assert by_id.full_name == "Grace Hopper"
    assert by_id.created_at == created.created_at
    assert by_id.created_at.tzinfo is not None


def test_repr_names_the_user(repository: UserRepositoryImpl) -> None:
    user = repository.add(new_user())
    assert repr(user) == f"User(id={user.id}, email='grace@example.com')"


def test_missing_users_are_none(repository: UserRepositoryImpl) -> None:
    assert repository.get_by_id(999_999) is None
    assert repository.get_by_email("nobody@example.com") is None


def test_duplicate_email_is_a_conflict(
    repository: UserRepositoryImpl, container: Container
) -> None:
    repository.add(new_user())
    with pytest.raises(ConflictError) as caught:
        repository.add(new_user())
    assert caught.value.details == {"field": "email"}
    with container.sessions()() as session:
        assert len(session.scalars(select(User)).all()) == 1


def test_other_integrity_errors_are_not_reported_as_conflicts(
    repository: UserRepositoryImpl,
) -> None:
    user = new_user()
    user.full_name = None  # type: ignore[assignment]
    with pytest.raises(IntegrityError):
        repository.add(user)


def test_naive_datetimes_are_refused(repository: UserRepositoryImpl) -> None:
    user = new_user()
    user.created_at = datetime(2024, 1, 1)
    with pytest.raises(StatementError, match="naive datetime"):
        repository.add(user)


def test_server_defaults_fill_rows_written_without_the_orm(container: Container) -> None:
    with container.sessions().begin() as session:
        session.execute(
            insert(User).values(
                email="raw@example.com",
                password_hash="hash",
                full_name="Raw Insert",
                **USER_EXTRA,
            )
        )
    user = UserRepositoryImpl(container.sessions()).get_by_email("raw@example.com")
    assert user is not None
    assert user.is_active is True
    assert user.created_at.tzinfo is not None


def test_update_changes_the_given_columns(repository: UserRepositoryImpl) -> None:
    user = repository.add(new_user())
    updated = repository.update(user.id, {"full_name": "Grace B. Hopper"})
    assert updated is not None
    assert updated.full_name == "Grace B. Hopper"
    assert updated.email == "grace@example.com"
    assert repository.update(999_999, {"full_name": "Nobody"}) is None


def test_update_to_a_taken_email_is_a_conflict(repository: UserRepositoryImpl) -> None:
    user = repository.add(new_user())
    repository.add(new_user("ada@example.com"))
    with pytest.raises(ConflictError) as caught:
        repository.update(user.id, {"email": "ada@example.com"})
    assert caught.value.details == {"field": "email"}


def test_other_integrity_errors_on_update_are_not_conflicts(
    repository: UserRepositoryImpl,
) -> None:
    user = repository.add(new_user())
    with pytest.raises(IntegrityError):
        repository.update(user.id, {"full_name": None})


@pytest.mark.parametrize("name", ADDED_FIELDS)
def test_an_added_field_is_stored_and_read_back(repository: UserRepositoryImpl, name: str) -> None:
    user = new_user()
    setattr(user, name, USER_A[name])
    created = repository.add(user)
    stored = repository.get_by_id(created.id)
    assert stored is not None
    assert getattr(stored, name) == USER_A[name]
