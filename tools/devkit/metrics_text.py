"""Reading what a service exposes at `/metrics` (Prometheus' text format): its samples, a
counter summed over its labels, a histogram's cumulative buckets, and a quantile estimated
from them as Prometheus' `histogram_quantile` does."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from prometheus_client.parser import text_string_to_metric_families


class Sample(NamedTuple):
    name: str
    labels: dict[str, str]
    value: float


def samples(text: str) -> Iterator[Sample]:
    """Every sample in `text`, by its full name (`events_consumed_total`,
    `event_hop_seconds_bucket`, ...)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield Sample(sample.name, dict(sample.labels), float(sample.value))


def summed(text: str, name: str) -> float:
    """The samples named `name`, summed over all their labels."""
    return sum(sample.value for sample in samples(text) if sample.name == name)


def buckets(text: str, histogram: str) -> dict[float, float]:
    """The histogram's cumulative buckets summed over its other labels: upper bound (`le`,
    +Inf included) -> observations at most that bound."""
    found: dict[float, float] = {}
    for sample in samples(text):
        if sample.name == f"{histogram}_bucket":
            bound = float(sample.labels["le"])
            found[bound] = found.get(bound, 0.0) + sample.value
    return found


def since(after: Mapping[float, float], before: Mapping[float, float]) -> dict[float, float]:
    """The buckets of what was observed between two readings (every bound kept, unlike a
    `Counter`'s subtraction, which drops the empty ones the interpolation starts from)."""
    return {bound: count - before.get(bound, 0.0) for bound, count in after.items()}


def histogram_quantile(quantile: float, cumulative: Mapping[float, float]) -> float | None:
    """The `quantile` (0..1) of the observations counted in `cumulative` (upper bound ->
    observations at most that bound, +Inf included), as Prometheus' `histogram_quantile`
    estimates it: linear within the bucket it falls in, from the bucket below's bound (0
    below the first bucket); the highest finite bound when it falls in +Inf. None when
    nothing was observed, or without the +Inf bucket every histogram has.

    For the quantile of what was observed between two readings, of their `since` (as
    Prometheus does of a `rate`)."""
    if not 0 <= quantile <= 1:
        raise ValueError(f"a quantile is between 0 and 1, not {quantile}")
    bounds = sorted(cumulative)
    if len(bounds) < 2 or bounds[-1] != math.inf:
        return None
    total = cumulative[math.inf]
    if total <= 0:
        return None
    rank = quantile * total
    below, below_count = 0.0, 0.0
    for index, bound in enumerate(bounds):
        count = cumulative[bound]
        # The first bucket reaching the rank (an empty one never holds it: for quantile 0,
        # the lowest bucket anything fell in).
        if count >= rank and count > below_count:
            if bound == math.inf:
                return below
            if index == 0 and bound <= 0:  # as Prometheus: nothing to interpolate from
                return bound
            return below + (bound - below) * (rank - below_count) / (count - below_count)
        below, below_count = bound, count
    return below  # not reached: the +Inf bucket holds every observation


def highest_bound(cumulative: Mapping[float, float]) -> float | None:
    """The upper bound of the highest bucket any observation fell in (what a histogram
    tells of the largest: at most that); None when nothing was observed."""
    previous = 0.0
    highest: float | None = None
    for bound in sorted(cumulative):
        if cumulative[bound] > previous:
            highest = bound
        previous = cumulative[bound]
    return highest
