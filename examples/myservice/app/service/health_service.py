from typing import Protocol

from app.dto.health_dto import ReadinessResponse


class HealthService(Protocol):
    def readiness(self) -> ReadinessResponse:
        """Check every backing service the application needs to serve requests."""
        ...
