from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field, TypeAdapter

from logistics.domain.routes import DEFAULT_ROUTES, Route
from shared.settings import ServiceSettings

_ROUTE_TABLE = TypeAdapter(tuple[Route, ...])


class LogisticsSettings(ServiceSettings):
    port: int = Field(8003, validation_alias="LOGISTICS_PORT")
    #: R-LOG-6: a JSON file holding the route table (a list of routes as `GET /routes`
    #: shows them); unset: the documented defaults of `logistics.domain.routes`.
    routes_file: Path | None = Field(None, validation_alias="LOGISTICS_ROUTES_FILE")

    def route_table(self) -> tuple[Route, ...]:
        if self.routes_file is None:
            return DEFAULT_ROUTES
        return _ROUTE_TABLE.validate_python(json.loads(self.routes_file.read_text()))
