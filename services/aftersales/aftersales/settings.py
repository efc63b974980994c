from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class AftersalesSettings(ServiceSettings):
    port: int = Field(8004, validation_alias="AFTERSALES_PORT")
