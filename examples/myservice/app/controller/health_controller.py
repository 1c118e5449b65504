from http import HTTPStatus

from flask_smorest import Blueprint

from app.controller.schemas.health_schema import LivenessSchema, ReadinessSchema
from app.dto.health_dto import ReadinessResponse
from app.middleware.container import current_container

blp = Blueprint("health", __name__, url_prefix="/health", description="Liveness and readiness")


@blp.route("/live", methods=["GET"])
@blp.response(HTTPStatus.OK, LivenessSchema)
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@blp.route("/ready", methods=["GET"])
@blp.response(HTTPStatus.OK, ReadinessSchema)
@blp.alt_response(HTTPStatus.SERVICE_UNAVAILABLE, schema=ReadinessSchema)
def ready() -> tuple[ReadinessResponse, int]:
    """The database and the cache answer."""
    report = current_container().health_service.readiness()
    status = HTTPStatus.OK if report.status == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
    return report, status
