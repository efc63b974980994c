"""Hop p50/p99 as the benchmark reads them from `/metrics` (`devkit.metrics_text`): a
quantile of a histogram's buckets, estimated as Prometheus' `histogram_quantile` does."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from devkit.metrics_text import buckets, histogram_quantile, since, summed

INF = math.inf


def test_a_quantile_is_interpolated_within_the_bucket_it_falls_in() -> None:
    # 10 hops up to 10 ms, 10 more up to 20 ms, 0 above.
    cumulative = {0.01: 10.0, 0.02: 20.0, 0.05: 20.0, INF: 20.0}
    assert histogram_quantile(0.5, cumulative) == pytest.approx(0.01)
    assert histogram_quantile(0.25, cumulative) == pytest.approx(0.005)  # from 0 below
    assert histogram_quantile(0.75, cumulative) == pytest.approx(0.015)
    assert histogram_quantile(0.99, cumulative) == pytest.approx(0.0198)
    assert histogram_quantile(1.0, cumulative) == pytest.approx(0.02)  # the highest reached


def test_a_quantile_above_the_last_finite_bucket_is_that_bucket_s_bound() -> None:
    cumulative = {0.01: 1.0, 60.0: 2.0, INF: 10.0}
    assert histogram_quantile(0.99, cumulative) == 60.0
    assert histogram_quantile(0.1, cumulative) == pytest.approx(0.01)


def test_nothing_observed_or_no_inf_bucket_gives_no_quantile() -> None:
    assert histogram_quantile(0.5, {0.01: 0.0, INF: 0.0}) is None
    assert histogram_quantile(0.5, {0.01: 3.0, 0.02: 4.0}) is None
    assert histogram_quantile(0.5, {}) is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        histogram_quantile(1.5, {0.01: 1.0, INF: 1.0})


def test_between_two_readings_every_bound_is_kept() -> None:
    """The quantile of what was observed between two readings starts from the bucket below
    the first one reached, even when that bucket gained nothing."""
    before = {0.005: 4.0, 0.01: 4.0, 0.02: 4.0, INF: 4.0}
    after = {0.005: 4.0, 0.01: 6.0, 0.02: 8.0, INF: 8.0}
    delta = since(after, before)
    assert delta == {0.005: 0.0, 0.01: 2.0, 0.02: 4.0, INF: 4.0}
    assert histogram_quantile(0.5, delta) == pytest.approx(0.01)
    assert histogram_quantile(0.25, delta) == pytest.approx(0.0075)


def test_read_off_a_services_metrics_text() -> None:
    """Buckets and counters summed over their labels, as two event types of two consumers
    expose them."""
    registry = CollectorRegistry()
    consumed = Counter(
        "events_consumed_total", "handled", ["service", "event_type"], registry=registry
    )
    hops = Histogram(
        "event_hop_seconds",
        "hop",
        ["service", "event_type"],
        buckets=(0.01, 0.02, 0.05),
        registry=registry,
    )
    for service, event_type, seconds in (
        ("aftersales", "OrderCreated", 0.004),
        ("aftersales", "OrderConfirmed", 0.012),
        ("logistics", "OrderConfirmed", 0.018),
        ("logistics", "OrderConfirmed", 0.3),
    ):
        consumed.labels(service, event_type).inc()
        hops.labels(service, event_type).observe(seconds)
    text = generate_latest(registry).decode()
    assert summed(text, "events_consumed_total") == 4
    read = buckets(text, "event_hop_seconds")
    assert read == {0.01: 1.0, 0.02: 3.0, 0.05: 3.0, INF: 4.0}
    assert histogram_quantile(0.5, read) == pytest.approx(0.015)
    assert histogram_quantile(0.99, read) == 0.05
