from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class SettlementSettings(ServiceSettings):
    port: int = Field(8005, validation_alias="SETTLEMENT_PORT")
