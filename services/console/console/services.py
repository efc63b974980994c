"""The services' public HTTP APIs, called with the signed-in user's token.

The console never reads a service's database: every page is what the services answer this
user. A service's refusal comes back as `ServiceProblem` (its problem+json: `detail`, and
each field's message from `errors[].loc`/`msg`), which pages show beside the form it
concerns; a service out of reach, or failing, as `ServiceUnavailable` (502).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request

from console.session import User

SERVICES = ("review", "orders", "logistics", "aftersales", "settlement")


@dataclass
class ServiceProblem(Exception):
    """A service refused what the console asked on the user's behalf (4xx)."""

    service: str
    status: int
    title: str
    detail: str
    #: A field's name (the last part of a validation error's `loc`, or a broken rule's
    #: `field`) → what to fix in it.
    fields: dict[str, str] = field(default_factory=dict)
    #: The whole problem document, for members a page reads (a `reason`, say).
    body: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, service: str, response: httpx.Response) -> ServiceProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        fields = {
            str(error["loc"][-1]): str(error.get("msg", ""))
            for error in body.get("errors") or ()
            if isinstance(error, dict) and error.get("loc")
        }
        # A business rule's refusal names its field too: `issues: [{field, problem}]`.
        for issue in body.get("issues") or ():
            if isinstance(issue, dict) and issue.get("field"):
                name = str(issue["field"]).split("[")[0]
                fields.setdefault(name, str(issue.get("problem", "")))
        return cls(
            service,
            response.status_code,
            str(body.get("title") or response.reason_phrase),
            str(body.get("detail") or f"{service} answered {response.status_code}."),
            fields,
            body,
        )

    def __str__(self) -> str:
        return f"{self.service} {self.status}: {self.detail}"


class ServiceUnavailable(Exception):
    """A service did not answer, or failed (5xx): nothing the user can fix but wait."""

    def __init__(self, service: str, why: str) -> None:
        super().__init__(f"The {service} service {why}. Try again in a moment.")
        self.service = service


class Services:
    """One HTTP client for all the services; each call carries the user's bearer token."""

    def __init__(self, client: httpx.AsyncClient, urls: Mapping[str, str]) -> None:
        self.client, self.urls = client, dict(urls)

    async def request(
        self,
        user: User,
        service: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """The service's answer, whatever its status under 500 (`files` and `data`: a
        multipart form, as an upload takes it)."""
        try:
            response = await self.client.request(
                method,
                f"{self.urls[service]}{path}",
                params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                json=json,
                files=files,
                data=data,
                headers={**(headers or {}), "Authorization": f"Bearer {user.token}"},
            )
        except httpx.TimeoutException:
            raise ServiceUnavailable(service, "took too long to answer") from None
        except httpx.TransportError:
            raise ServiceUnavailable(service, "could not be reached") from None
        if response.status_code >= 500:
            raise ServiceUnavailable(service, f"failed ({response.status_code})")
        return response

    async def call(
        self,
        user: User,
        service: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """The service's JSON answer to a call that succeeds (2xx); `ServiceProblem` else."""
        response = await self.request(user, service, method, path, params=params, json=json)
        if response.status_code >= 400:
            raise ServiceProblem.of(service, response)
        return response.json() if response.content else None

    async def get(self, user: User, service: str, path: str, **params: Any) -> Any:
        return await self.call(user, service, "GET", path, params=params)

    async def post(self, user: User, service: str, path: str, body: Any = None) -> Any:
        return await self.call(user, service, "POST", path, json=body)


def services_of(request: Request) -> Services:
    """The services' client of the console serving `request`."""
    services: Services = request.app.state.console.services
    return services
