"""Orders, buyer data and listings sync through the simulator over loopback HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from kinxpro_desktop.core.progress import CancelToken, ProgressUpdate
from kinxpro_desktop.sandbox import PII_MARKER, Simulator
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.listings import ListingRepository
from kinxpro_desktop.store.schema import audit_log, listings

from .support import assert_matches_simulator, watermark


def ops(sim: Simulator, name: str) -> int:
    entry = sim.stats()["operations"]
    assert isinstance(entry, dict)
    calls = entry.get(name, {}).get("calls", 0)
    return int(calls)


def test_backfill_then_incremental_match_the_simulator(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    updates: list[ProgressUpdate] = []
    first = service.run(CancelToken(), updates.append)
    assert first.backfilled and first.orders_upserted >= 1000
    assert ops(sim, "createReport") == 1 + 3  # orders report + one listings report per market
    assert_matches_simulator(db, sim)
    phases = {u.phase for u in updates}
    assert "Saving orders from the report" in phases
    sim.advance(6 * 3600)  # new orders arrive, statuses move on
    second = service.run(CancelToken(), updates.append)
    assert not second.backfilled and second.orders_upserted > 0
    assert watermark(db) > first.watermark  # type: ignore[operator]
    assert_matches_simulator(db, sim)
    stats = sim.stats()["totals"]
    assert isinstance(stats, dict) and stats["throttled"] == 0
    assert first.throttled == second.throttled == 0


def test_second_incremental_sync_without_changes_makes_one_search_call(
    sim: Simulator, service: SyncService
) -> None:
    service.run(CancelToken(), lambda _: None)
    service.run(CancelToken(), lambda _: None)
    before = ops(sim, "searchOrders")
    report = service.run(CancelToken(), lambda _: None)
    assert ops(sim, "searchOrders") == before + 1
    assert ops(sim, "createReport") == 4  # listings are not due again within the hour
    assert report.throttled == 0


def test_pii_only_for_open_merchant_orders_inside_the_window(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    PrivacyService(db).set_retention(1, "test")  # some open MFN orders are older than 1 day
    report = service.run(CancelToken(), lambda _: None)
    log = sim.pii_log()
    assert log and report.pii_fetched > 0
    world = sim.state.world
    fetched: set[str] = set()
    from kinxpro_desktop.sandbox.clock import parse_iso

    for entry in log:
        assert entry["operation"] == "getOrder2026"
        at = parse_iso(str(entry["at"]))
        for order_id in entry["orderIds"]:  # type: ignore[attr-defined]
            o = world.by_id[order_id]
            assert o.channel == "MFN"
            assert o.status_at(at) in ("Unshipped", "PartiallyShipped")
            assert o.created > at - 86400
            fetched.add(order_id)
    older_open = [
        o
        for o in world.orders
        if o.channel == "MFN"
        and o.status_at(sim.now().timestamp()) == "Unshipped"
        and o.created < sim.now().timestamp() - 2 * 86400
    ]
    assert older_open, "the seed must have open MFN orders outside a 1-day window"
    assert not fetched & {o.order_id for o in older_open}
    assert db.orders.count_with_pii() == len(fetched) == report.pii_fetched
    # audit: one pii_fetch per order, one sync entry, and no buyer data anywhere in it
    with db.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.event, audit_log.c.object_ids, audit_log.c.detail))
        entries = list(rows)
    pii_entries = [r for r in entries if r.event == "pii_fetch"]
    assert {json.loads(r.object_ids)[0] for r in pii_entries} == fetched
    syncs = [json.loads(r.detail) for r in entries if r.event == "sync"]
    assert syncs[-1]["outcome"] == "ok" and syncs[-1]["pii_fetched"] == len(fetched)
    assert all(PII_MARKER not in (r.detail + r.object_ids) for r in entries)
    # a second run fetches nothing again
    service.run(CancelToken(), lambda _: None)
    assert len(sim.pii_log()) == len(log)


def test_listings_issues_and_fba_quantities(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    report = service.run(CancelToken(), lambda _: None)
    world = sim.state.world
    live = [li for li in world.listings if not li.deleted]
    assert report.listings_upserted == len(live)
    repo = ListingRepository(db.engine)
    assert repo.count() == len(live)
    from kinxpro_desktop.sandbox.report_data import inventory_quantities

    for li in live:
        got = repo.get(li.marketplace_id, li.sku)
        assert got is not None and got.title == li.title and got.asin == li.asin
        assert got.fulfillment_channel == li.channel
        if li.channel == "AFN":
            assert got.quantity == inventory_quantities(li)["fulfillable"]
        else:
            assert got.quantity == li.quantity
            assert got.price is not None and got.price.minor_units == li.price_cents
        assert len(got.issues) == len(li.issues)
    with db.engine.connect() as conn:
        assert conn.execute(select(listings.c.sku).where(listings.c.issues_json != "[]")).first()


def test_resumes_a_report_in_flight_instead_of_requesting_another(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    cancel = CancelToken()

    def stop_while_waiting(update: ProgressUpdate) -> None:
        if update.phase.startswith("Waiting for Amazon's orders report"):
            cancel.cancel()

    sim.set_rate_limits(True)
    import pytest

    from kinxpro_desktop.core.progress import Cancelled

    with pytest.raises(Cancelled):
        service.run(cancel, stop_while_waiting)
    assert ops(sim, "createReport") == 1
    service.run(CancelToken(), lambda _: None)
    assert ops(sim, "createReport") == 1 + 3
    assert_matches_simulator(db, sim)
    with db.engine.connect() as conn:
        details = [json.loads(r[0]) for r in conn.execute(select(audit_log.c.detail))]
    assert [d["outcome"] for d in details if "outcome" in d] == ["cancelled", "ok"]


def test_catch_up_after_a_long_gap_uses_a_report(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    service.run(CancelToken(), lambda _: None)
    sim.advance(3 * 86400)
    report = service.run(CancelToken(), lambda _: None)
    assert report.backfilled
    assert ops(sim, "createReport") == 1 + 3 + 1 + 3  # listings were due again too
    assert_matches_simulator(db, sim)
    assert watermark(db) > sim.now() - timedelta(hours=1)
