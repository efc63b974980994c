"""The database round-trips a piece of code costs (issue #9: each one is CPU in the service
and in the engine, so the hot paths are held to a count, not only to a benchmark)."""

from __future__ import annotations

from pymongo import AsyncMongoClient, monitoring

from shared.mongo import Document


class RoundTrips(monitoring.CommandListener):
    """`(command, collection)` of every command the clients it listens to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self.sent.append((event.command_name, target if isinstance(target, str) else ""))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> list[tuple[str, str]]:
        """What was sent since the last `take`."""
        sent, self.sent = self.sent, []
        return sent


def client(mongo_url: str, recorder: RoundTrips) -> AsyncMongoClient[Document]:
    """A client with the platform's options (`shared.mongo.connect`) reporting to `recorder`."""
    return AsyncMongoClient(mongo_url, tz_aware=True, uuidRepresentation="standard",
                            event_listeners=[recorder])  # fmt: skip
