from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class ReviewSettings(ServiceSettings):
    port: int = Field(8001, validation_alias="REVIEW_PORT")
