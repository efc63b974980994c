from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class OrdersSettings(ServiceSettings):
    port: int = Field(8002, validation_alias="ORDERS_PORT")
