"""Wires the service from its ports (`shared.ports`): storage, posting, handlers, jobs."""

from __future__ import annotations

from dataclasses import dataclass

from settlement.adapters.entries import Entries
from settlement.adapters.payouts import PayoutQueries, PayoutRecord, ReleaseSchedule
from settlement.adapters.queries import ENTRIES, ORDERS, PAYOUTS, RELEASES
from settlement.domain.order import OrderSettlement
from settlement.service_layer.events import SettlementEventHandlers
from settlement.service_layer.jobs import SettlementJobs
from settlement.service_layer.posting import OrderLedger
from settlement.service_layer.refunds import RefundReports
from settlement.service_layer.statements import SettlementReports
from shared.app import Wiring
from shared.ports import Ports


@dataclass(frozen=True)
class SettlementServices:
    ledger: OrderLedger
    events: SettlementEventHandlers
    jobs: SettlementJobs
    reports: SettlementReports
    refunds: RefundReports


async def bootstrap(ports: Ports) -> Wiring:
    orders = ports.replicas(ORDERS, OrderSettlement)
    entries = Entries(ports.collection(ENTRIES))
    releases = ReleaseSchedule(ports.collection(RELEASES))
    payouts = ports.repository(PAYOUTS, PayoutRecord)
    payout_queries = PayoutQueries(ports.collection(PAYOUTS))
    ledger = OrderLedger(orders, entries, releases, ports.clock, ports.policy, ports.categories)
    events = SettlementEventHandlers(orders, ledger)
    jobs = SettlementJobs(
        ledger, entries, releases, payouts, payout_queries, ports.clock, ports.policy
    )
    reports = SettlementReports(entries, payout_queries, payouts, orders)
    return Wiring(
        services=SettlementServices(ledger, events, jobs, reports, RefundReports(entries)),
        handlers=events.table(),
        jobs=[("releases", jobs.post_due_releases), ("payouts", jobs.payouts_due)],
    )
