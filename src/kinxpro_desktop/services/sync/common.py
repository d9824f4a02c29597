"""Shared pieces of the sync streams: counters, report polling, order writes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.spapi.errors import ReportFailed
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.schema import order_items, orders
from kinxpro_desktop.store.timefmt import from_db

Clock = Callable[[], datetime]
#: how long one run waits for Amazon to build a report before leaving it for the next run
REPORT_WAIT_SECONDS = 20 * 60


@dataclass
class Counts:
    orders: int = 0
    items: int = 0
    pii: int = 0
    listings: int = 0
    backfilled: bool = False
    new_mfn: list[str] = field(default_factory=list)
    watermark: datetime | None = None
    notes: list[str] = field(default_factory=list)


def wait_for_report(
    gateway: SpApiGateway,
    report_id: str,
    cancel: CancelToken,
    progress: ProgressFn,
    phase: str,
) -> dict[str, object]:
    """Poll getReport until DONE/CANCELLED/FATAL; the interval grows from 0.2 s to 15 s."""
    waited = 0.0
    interval = 0.2
    while True:
        report = gateway.get_report(report_id, cancel)
        status = report["processingStatus"]
        if status in ("DONE", "CANCELLED", "FATAL"):
            return report
        progress(ProgressUpdate(phase))
        if waited >= REPORT_WAIT_SECONDS:
            raise ReportFailed(
                f"Amazon is still preparing report {report_id} ({status}); Kinxpro will pick "
                "it up at the next sync."
            )
        if cancel.wait(interval):
            raise Cancelled()
        waited += interval
        interval = min(15.0, interval * 1.5)


_CARRIED = ("ship_city", "ship_state", "ship_postal_code", "ship_country")


def write_orders(
    db: Database,
    conn: Connection,
    batch: Sequence[Order],
    *,
    replace_items: bool,
    now: datetime,
    retention_days: int,
) -> set[str]:
    """Upsert `batch` in `conn`'s transaction; returns the ids that were new.

    City/state/postal/country and ship-by dates already known are kept when the new copy
    lacks them (searchOrders carries no address without RECIPIENT, which is PII-gated).
    `replace_items`: the batch holds each order's full item set (API orders); otherwise
    (report orders, whose items have no Amazon item id) items are written only for new orders.
    """
    if not batch:
        return set()
    ids = [o.order_id for o in batch]
    known = {
        r.order_id: r
        for r in conn.execute(
            select(
                orders.c.order_id,
                *(orders.c[c] for c in _CARRIED),
                orders.c.ship_by,
                orders.c.deliver_by,
            ).where(orders.c.order_id.in_(bindparam("ids", expanding=True))),
            {"ids": ids},
        )
    }
    merged: list[Order] = []
    for o in batch:
        old = known.get(o.order_id)
        if old is not None:
            carry: dict[str, object] = {c: getattr(old, c) for c in _CARRIED if not getattr(o, c)}
            if o.ship_by is None and old.ship_by:
                carry["ship_by"] = from_db(old.ship_by)
            if o.deliver_by is None and old.deliver_by:
                carry["deliver_by"] = from_db(old.deliver_by)
            if not replace_items:
                carry["items"] = ()
            if carry:
                o = dataclasses.replace(o, **carry)  # type: ignore[arg-type]
        merged.append(o)
    if replace_items:
        conn.execute(
            delete(order_items).where(order_items.c.order_id.in_(bindparam("ids", expanding=True))),
            {"ids": ids},
        )
    db.orders.store_page(merged, now=now, retention_days=retention_days, conn=conn)
    return {i for i in ids if i not in known}
