import dataclasses

from flask.testing import FlaskClient

from app.factory import create_app
from app.service.health_service_impl import HealthServiceImpl
from app.wiring import Container


def test_live(client: FlaskClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_checks_the_database_and_the_cache(client: FlaskClient) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_not_ready_when_a_dependency_is_down(container: Container) -> None:
    failing = HealthServiceImpl({"database": lambda: True, "cache": lambda: False})
    app = create_app(dataclasses.replace(container, health_service=failing))
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "error"},
    }
