from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class LogisticsSettings(ServiceSettings):
    port: int = Field(8003, validation_alias="LOGISTICS_PORT")
