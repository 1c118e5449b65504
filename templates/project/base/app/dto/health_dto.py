from typing import Literal

from pydantic import BaseModel, ConfigDict

CheckStatus = Literal["ok", "error"]


class ReadinessResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckStatus]
