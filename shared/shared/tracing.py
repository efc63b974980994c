"""W3C trace context across HTTP and events, with OpenTelemetry.

An HTTP request's `traceparent` (or a new trace) becomes the current span; events recorded
while it runs store its `traceparent` beside them in the outbox; the relay sends it as a
message header; the consumer of another service continues the trace from it, and so on:
one order's work across the four services is one trace. Spans are recorded and exported
only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (OTLP over HTTP); otherwise they only carry
ids (not sampled).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["TRACEPARENT", "SpanKind", "configure_tracing", "current_traceparent", "span"]

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_configured = False


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """Install the process's tracer provider once (the first service app of a process)."""
    global _configured
    if _configured:
        return
    # Without an exporter nothing would read a recorded span: spans then only carry the
    # trace's ids (a non-recording span is a fraction of a recorded one's cost).
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=None if otlp_endpoint else ALWAYS_OFF,
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces"))
        )
    trace.set_tracer_provider(provider)
    _configured = True


@contextmanager
def span(
    name: str, kind: SpanKind, carrier: Mapping[str, Any] | None = None, **attributes: str
) -> Iterator[Span]:
    """A span continuing the trace of `carrier`'s `traceparent`, if it has one."""
    headers = (
        {TRACEPARENT: str(carrier[TRACEPARENT])} if carrier and carrier.get(TRACEPARENT) else {}
    )
    context = _PROPAGATOR.extract(headers)
    tracer = trace.get_tracer("marketplace")
    with tracer.start_as_current_span(
        name, context=context, kind=kind, attributes=attributes
    ) as current:
        yield current


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
