from app.service.health_service_impl import HealthServiceImpl


def test_ready_when_every_check_passes() -> None:
    report = HealthServiceImpl({"database": lambda: True, "cache": lambda: True}).readiness()
    assert report.status == "ok"
    assert report.checks == {"database": "ok", "cache": "ok"}


def test_unavailable_when_any_check_fails() -> None:
    report = HealthServiceImpl({"database": lambda: True, "cache": lambda: False}).readiness()
    assert report.status == "unavailable"
    assert report.checks == {"database": "ok", "cache": "error"}
