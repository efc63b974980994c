"""The bench's HTTP load generator: aiohttp, because the load must not be what is measured.

On this machine httpx (the project's client everywhere else: tests, devkit) costs the
calling process 3-6 ms of CPU per request at 16-48 concurrent requests, aiohttp about
0.2 ms: with httpx, the bench client took most of a core and capped both `POST /orders`
and the minimal endpoint near 300 req/s (measured with `bench/run.py`).
"""

from __future__ import annotations

from typing import Any

import aiohttp


class Load:
    """A pooled client session: `post`/`get` return the status and the body's text."""

    def __init__(self, connections: int = 64) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Load:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._connections),
            timeout=aiohttp.ClientTimeout(total=60),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the load client is not open")
        return self._session

    async def post(
        self, url: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        """With `json` None, no body and no content type (as the commands expect)."""
        skip = () if json is not None else ("Content-Type",)
        async with self.session.post(
            url, json=json, headers=headers, skip_auto_headers=skip
        ) as response:
            return Answer(response.status, await response.text())

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> Answer:
        async with self.session.get(url, headers=headers) as response:
            return Answer(response.status, await response.text())


class Answer:
    __slots__ = ("status", "text")

    def __init__(self, status: int, text: str) -> None:
        self.status, self.text = status, text

    def expect(self, status: int, what: str) -> str:
        if self.status != status:
            raise RuntimeError(f"{what} gave {self.status}: {self.text[:500]}")
        return self.text
