"""Prometheus metrics every service exposes at `/metrics`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

#: What a service counts of each event type it publishes or handles.
PER_EVENT_TYPE = ["service", "event_type"]

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_PUBLISHED = Counter(
    "events_published_total", "Events confirmed by the broker", PER_EVENT_TYPE
)
EVENTS_CONSUMED = Counter("events_consumed_total", "Events handled successfully", PER_EVENT_TYPE)
EVENTS_FAILED = Counter("events_failed_total", "Handler failures (each attempt)", PER_EVENT_TYPE)
EVENTS_PARKED = Counter(
    "events_parked_total", "Events parked in the dead-letter queue", PER_EVENT_TYPE
)
HANDLER_SECONDS = Histogram(
    "event_handler_duration_seconds", "Event handler latency", PER_EVENT_TYPE
)
#: Fine below 100 ms, where a hop on a healthy platform falls: the benchmark reads its p50
#: and p99 from these buckets (`devkit.metrics_text.histogram_quantile`).
HOP_BUCKETS = (
    *(0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1),
    *(0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
EVENT_HOP_SECONDS = Histogram(
    "event_hop_seconds",
    "From an event's publication to its handling here (wall clock)",
    PER_EVENT_TYPE,
    buckets=HOP_BUCKETS,
)
EVENTS_FORGOTTEN = Counter(
    "events_forgotten_total",
    "Published events removed from their aggregate's outbox (the relay's last step)",
    ["service"],
)
ENGINE_COMMANDS = Counter(
    "engine_commands_total",
    "Database commands sent, by the work that sent them (`shared.costs`)",
    ["service", "work", "command", "collection"],
)
OUTBOX_BACKLOG = Gauge(
    "outbox_backlog", "Aggregates with events not yet published (last relay pass)", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_age_seconds",
    "Age of the oldest event not yet published (last relay pass; 0 when none)",
    ["service"],
)
DEAD_LETTERS = Gauge(
    "dead_letter_queue_depth", "Messages parked in the service's dead-letter queue", ["service"]
)
DEADLINES_OVERDUE = Gauge(
    "deadlines_overdue_pending",
    "Deadlines already passed and not yet acted on (last pass of the deadline job)",
    ["service", "deadline"],
)
CALENDAR_PROVISIONAL = Counter(
    "calendar_provisional_computations_total",
    "Answers computed on a provisional calendar year (R-CAL-2): add the country's notice",
    ["country", "year"],
)
