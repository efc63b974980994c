"""The results as markdown tables and a PNG chart (bench/results/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


#: Rows of the CPU table, in the order a message travels.
PROCESSES = (
    "bench process",
    "consumer",
    "minimal endpoint",
    "review",
    "orders",
    "logistics",
    "aftersales",
    "engine",
    "rabbitmq",
)


def cpu_per_unit(r: dict[str, Any]) -> list[str]:
    """CPU milliseconds per unit of work, by process: where each measurement's time goes."""
    e2e = r["end_to_end"]
    journey = {
        name: share * 1000 / e2e["saturation"]
        for name, share in e2e.get("cpu_saturated", {}).items()
    }
    columns = {
        "(1) raw broker, per message": r["raw_broker"]["cpu_ms"],
        "(2) bus, per event": r["bus"]["relayed"]["cpu_ms"],
        "(3) raw engine, per write": r["raw_engine"]["cpu_ms"],
        "(4) minimal endpoint, per request": r["minimal"]["cpu_ms"],
        "(4) `POST /orders`, per request": r["post_orders"]["cpu_ms"],
        "(5) journeys, per journey": journey,
    }
    names = [name for name in PROCESSES if any(c.get(name, 0) >= 0.005 for c in columns.values())]
    names += sorted({n for c in columns.values() for n in c} - set(PROCESSES))
    return [
        "## CPU per unit of work, by process (ms)",
        "",
        "The bench process is the publisher in (1), the relay in (2), the client in (3) and "
        "the load generator in (4) and (5).",
        "",
        "| process | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
        *(
            f"| {name} | " + " | ".join(f"{c.get(name, 0):.2f}" for c in columns.values()) + " |"
            for name in names
        ),
        "| **total** | "
        + " | ".join(f"**{sum(c.values()):.2f}**" for c in columns.values())
        + " |",
        "",
    ]


def _sustainable_row(best: dict[str, Any] | None, saturation: float) -> str:
    """(5): the highest rate of evenly spaced journeys whose hop p99 stayed under 50 ms."""
    if best is None:
        return "| (5) sustainable rate (hop p99 < 50 ms) | none of the sweep | | reported | |"
    return (
        f"| (5) sustainable rate (hop p99 < 50 ms, evenly spaced) | {best['offered']:.1f} "
        f"journeys/s: p50 {best['hop_p50_ms']:.1f} ms, p99 {best['hop_p99_ms']:.1f} ms "
        f"| {best['offered'] / saturation:.2f} of saturation | reported | met |"
    )


def markdown(r: dict[str, Any]) -> str:
    bus, e2e = r["bus"], r["end_to_end"]
    broker, engine = r["raw_broker"]["per_second"], r["raw_engine"]["per_second"]
    relayed, with_store = bus["relayed"]["per_second"], bus["with_store"]["per_second"]
    engine_journeys = engine / r["writes_per_journey"]
    http_ratio = r["post_orders"]["per_second"] / r["minimal"]["per_second"]
    best = e2e.get("sustainable")
    scale = e2e["two_processes"] / e2e["one_process"]
    peak = max(e2e["rss_peak"].values())
    rounds = len(r["rounds"]["raw_broker"])
    rows = [
        f"Machine: {r['machine']}. One run of `make bench`; every figure measured beside its "
        f"baseline on the same broker and engine; (1)-(4) are medians of {rounds} interleaved "
        "rounds (all rounds in results.json).",
        "",
        "| measurement | figure | ratio | target | |",
        "|---|---|---|---|---|",
        f"| (1) raw broker: publish with confirms + consume with acks, quorum queue "
        f"| {broker:.0f} msg/s | 1 | | |",
        f"| (2) the bus: stored events → relay (confirms) → idempotent consumer "
        f"| {relayed:.0f} events/s | {relayed / broker:.2f} of (1) "
        f"| ≥ 0.50 | {_verdict(relayed / broker >= 0.5)} |",
        f"| (2′) the bus with each event's producer write "
        f"| {with_store:.0f} events/s | {with_store / broker:.2f} of (1) | | |",
        f"| (3) raw engine: single-document inserts | {engine:.0f} writes/s | | | |",
        f"| (4) `POST /orders`, {r.get('concurrency', 16)} concurrent "
        f"| {r['post_orders']['per_second']:.0f} req/s, p50 {r['post_orders']['p50_ms']:.0f} ms, "
        f"p99 {r['post_orders']['p99_ms']:.0f} ms | {http_ratio:.2f} of the minimal endpoint "
        f"| ≥ 0.60 | {_verdict(http_ratio >= 0.6)} |",
        f"| (4) minimal FastAPI endpoint, one insert "
        f"| {r['minimal']['per_second']:.0f} req/s, p50 {r['minimal']['p50_ms']:.0f} ms, "
        f"p99 {r['minimal']['p99_ms']:.0f} ms | 1 | | |",
        f"| (5) journeys (create → confirm → shipment), saturated | {e2e['saturation']:.1f}/s "
        f"| {e2e['saturation'] / engine_journeys:.2f} of (3) / {r['writes_per_journey']} writes "
        f"= {engine_journeys:.0f}/s | ≥ 0.50 "
        f"| {_verdict(e2e['saturation'] / engine_journeys >= 0.5)} |",
        _sustainable_row(best, e2e["saturation"]),
        f"| (6) aftersales draining a backlog: 2 processes vs 1 "
        f"| {e2e['two_processes']:.0f} vs {e2e['one_process']:.0f} events/s | {scale:.2f}× "
        f"| ≥ 1.3× | {_verdict(scale >= 1.3)} |",
        f"| (7) largest resident memory of a service under load | {peak:.0f} MB | | < 150 MB "
        f"| {_verdict(peak < 150)} |",
        "",
        *cpu_per_unit(r),
        "## (5) Event hops at offered load: the sweep, in the order offered",
        "",
        "| of saturation | journeys/s offered | achieved | hop p50 | hop p99 | hop max (at most) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {level['share']:.0%} | {level['offered']:.1f} | {level['achieved']:.1f} "
            f"| {level['hop_p50_ms']:.1f} ms | {level['hop_p99_ms']:.1f} ms "
            f"| {level['hop_max_ms']:.1f} ms |"
            for level in e2e["levels"]
        ),
        "",
        "## (5, 6) CPU by process (share of one core; the machine has "
        f"{r['machine'].split(', ')[1]})",
        "",
        "| process | journeys, saturated | backlog, 1 aftersales process "
        "| backlog, 2 aftersales processes |",
        "|---|---|---|---|",
        *(
            f"| {name} | {e2e.get('cpu_saturated', {}).get(name, 0):.0%} "
            f"| {e2e['cpu_one'].get(name, 0):.0%} | {e2e['cpu_two'].get(name, 0):.0%} |"
            for name in sorted(
                set(e2e["cpu_one"]) | set(e2e["cpu_two"]) | set(e2e.get("cpu_saturated", {}))
            )
        ),
        "",
        "## (7) Resident memory (MB)",
        "",
        "| service | idle | peak under load |",
        "|---|---|---|",
        *(
            f"| {name} | {e2e['rss_idle'][name]:.0f} | {e2e['rss_peak'].get(name, 0):.0f} |"
            for name in e2e["rss_idle"]
        ),
        "",
        "## (8) Cost growth with stored orders",
        "",
        "| stored orders | `POST /orders` req/s (p99) | buyer's list p50 / p99 "
        "| merchant's desk p50 / p99 | merchant stats p50 / p99 |",
        "|---|---|---|---|---|",
        *(
            f"| {g['stored']:,} | {g['place']['per_second']:.0f} ({g['place']['p99_ms']:.0f} ms) "
            f"| {g['buyer_list']['p50_ms']:.0f} / {g['buyer_list']['p99_ms']:.0f} ms "
            f"| {g['merchant_desk']['p50_ms']:.0f} / {g['merchant_desk']['p99_ms']:.0f} ms "
            f"| {g['merchant_stats']['p50_ms']:.0f} / {g['merchant_stats']['p99_ms']:.0f} ms |"
            for g in r["growth"]
        ),
    ]
    if "cost_table" in r:  # counted, not timed: the same on every machine (devkit.costs)
        rows += ["", "What one journey costs, counted:", "", r["cost_table"]]
    return "\n".join(rows) + "\n"


def chart(r: dict[str, Any], path: Path) -> None:
    e2e = r["end_to_end"]
    levels = sorted(e2e["levels"], key=lambda level: level["offered"])
    figure, (latency, scale) = plt.subplots(1, 2, figsize=(11, 4.2))
    offered = [level["offered"] for level in levels]
    for key, label in (
        ("hop_p50_ms", "p50"),
        ("hop_p99_ms", "p99"),
        ("hop_max_ms", "max (at most)"),
    ):
        latency.plot(offered, [level[key] for level in levels], marker="o", label=label)
    latency.axhline(50, color="grey", linestyle="--", linewidth=1, label="p99 target")
    latency.set_xlabel("offered load (journeys/s)")
    latency.set_yscale("log")  # the last level is often past the knee: ms to seconds
    latency.set_ylabel("event hop latency (ms, log scale)")
    latency.set_title("Event hop latency vs offered load")
    latency.legend()
    scale.bar(["1 process", "2 processes"], [e2e["one_process"], e2e["two_processes"]])
    scale.set_ylabel("events/s")
    scale.set_title("aftersales drain throughput vs processes")
    figure.suptitle(r["machine"], fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
