"""Compare the store with the simulator's world."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select, text

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.schema import order_items, orders
from kinxpro_desktop.store.sync_state import SyncStateRepository

V0 = {"Canceled": "Canceled"}


def stored(db: Database) -> tuple[dict[str, tuple[str, str]], dict[str, Counter[tuple[str, int]]]]:
    with db.engine.connect() as conn:
        rows = {
            r.order_id: (r.status, r.fulfillment_channel)
            for r in conn.execute(
                select(orders.c.order_id, orders.c.status, orders.c.fulfillment_channel)
            )
        }
        items: dict[str, Counter[tuple[str, int]]] = {}
        for r in conn.execute(
            select(order_items.c.order_id, order_items.c.sku, order_items.c.quantity_ordered)
        ):
            items.setdefault(r.order_id, Counter())[(r.sku, r.quantity_ordered)] += 1
    return rows, items


def watermark(db: Database) -> datetime:
    wm = SyncStateRepository(db.engine).get("orders").watermark
    assert wm is not None
    return wm


def assert_matches_simulator(db: Database, sim: Simulator) -> None:
    """Every order the simulator had up to the watermark is stored exactly once, with its
    channel, its items, and its status as of the watermark (unless it changed since)."""
    wm = watermark(db).timestamp()
    now = sim.now().timestamp()
    assert wm <= now
    rows, items = stored(db)
    world = sim.state.world
    with world.lock:
        expected = [o for o in world.orders if o.created <= wm]
        for o in expected:
            assert o.order_id in rows, f"order {o.order_id} lost"
            status, channel = rows[o.order_id]
            assert channel == o.channel
            changed_since = any(wm < t <= now for t, _ in o.stages)
            if not changed_since:
                assert status == o.status_at(wm), o.order_id
            want = Counter((ln.listing.sku, ln.quantity) for ln in o.lines)
            assert items.get(o.order_id) == want, f"items of {o.order_id}"
        later = {o.order_id for o in world.orders if o.created > now}
    assert not (set(rows) & later)
    assert len(rows) >= len(expected)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
