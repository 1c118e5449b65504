import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.model.used_refresh_token import UsedRefreshToken
from app.repository.refresh_token_repository_impl import RefreshTokenRepositoryImpl
from app.wiring import Container


@pytest.fixture
def repository(container: Container) -> RefreshTokenRepositoryImpl:
    return RefreshTokenRepositoryImpl(container.sessions())


def in_an_hour() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def stored(container: Container) -> dict[str, datetime]:
    with container.sessions()() as session:
        rows = session.scalars(select(UsedRefreshToken)).all()
        return {row.token_id: row.expires_at for row in rows}


def test_a_token_id_can_be_claimed_once(
    repository: RefreshTokenRepositoryImpl, container: Container
) -> None:
    expires_at = in_an_hour()
    assert repository.claim("a" * 32, expires_at)
    assert not repository.claim("a" * 32, expires_at)
    assert repository.claim("b" * 32, expires_at)
    assert stored(container) == {"a" * 32: expires_at, "b" * 32: expires_at}


def test_claims_survive_a_new_repository(
    repository: RefreshTokenRepositoryImpl, container: Container
) -> None:
    assert repository.claim("persisted", in_an_hour())
    assert not RefreshTokenRepositoryImpl(container.sessions()).claim("persisted", in_an_hour())


def test_concurrent_claims_of_one_token_id_have_one_winner(
    repository: RefreshTokenRepositoryImpl,
) -> None:
    results: list[bool] = []
    start = threading.Barrier(4)

    def claim() -> None:
        start.wait()
        results.append(repository.claim("contested", in_an_hour()))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_expired_token_ids_are_removed(
    repository: RefreshTokenRepositoryImpl, container: Container
) -> None:
    now = datetime.now(UTC)
    with container.sessions().begin() as session:
        session.add_all(
            [
                UsedRefreshToken(token_id="expired", expires_at=now - timedelta(seconds=1)),
                UsedRefreshToken(token_id="expiring-now", expires_at=now),
                UsedRefreshToken(token_id="valid", expires_at=now + timedelta(minutes=5)),
            ]
        )
    assert repository.remove_expired(now) == 2
    assert set(stored(container)) == {"valid"}
    assert repository.remove_expired(now) == 0


def test_claiming_removes_expired_token_ids(
    repository: RefreshTokenRepositoryImpl, container: Container
) -> None:
    repository.claim("long-gone", datetime.now(UTC) - timedelta(days=1))
    repository.claim("fresh", in_an_hour())
    assert set(stored(container)) == {"fresh"}


def test_other_integrity_errors_are_not_reported_as_used(
    repository: RefreshTokenRepositoryImpl, container: Container
) -> None:
    with pytest.raises(IntegrityError):
        repository.claim("no-expiry", None)  # type: ignore[arg-type]
    assert stored(container) == {}


def test_repr_names_the_token_id() -> None:
    expires_at = datetime(2030, 1, 1, tzinfo=UTC)
    token = UsedRefreshToken(token_id="abc", expires_at=expires_at)
    assert repr(token) == f"UsedRefreshToken(token_id='abc', expires_at={expires_at!r})"
