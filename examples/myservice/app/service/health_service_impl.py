from collections.abc import Callable, Mapping

from app.dto.health_dto import CheckStatus, ReadinessResponse


class HealthServiceImpl:
    def __init__(self, checks: Mapping[str, Callable[[], bool]]) -> None:
        self._checks = checks

    def readiness(self) -> ReadinessResponse:
        results: dict[str, CheckStatus] = {
            name: "ok" if check() else "error" for name, check in self._checks.items()
        }
        ready = all(status == "ok" for status in results.values())
        return ReadinessResponse(status="ok" if ready else "unavailable", checks=results)
