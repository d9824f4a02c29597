"""Labels through the simulator over real HTTP, into a real SQLCipher store: queue, rates,
buy (never twice), checksum mismatch refused, duplicate guard, a lost answer reconciled, batch
with one failure, void inside and outside the window, order stays Shipped."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from kinxpro_desktop.core.progress import CancelToken, ProgressUpdate, no_progress
from kinxpro_desktop.core.shipping import DuplicateLabel, ShipmentStatus
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.labels import LabelService
from kinxpro_desktop.store.database import Database
from tests.integration.labels.conftest import stats, sync_store, to_ship

DAY = 86_400.0


def audit_events(db: Database, event: str) -> list[object]:
    return [e for e in db.audit.entries(limit=5000) if e.event == event]


def test_queue_is_mfn_awaiting_shipment_ship_by_first(labels: LabelService, sim: Simulator) -> None:
    queue = labels.queue()
    assert queue
    assert all(e.status in ("Unshipped", "PartiallyShipped") for e in queue)
    ship_by = [e.ship_by for e in queue if e.ship_by is not None]
    assert ship_by == sorted(ship_by)
    now = sim.now()
    for e in queue:
        assert e.late == (e.ship_by is not None and e.ship_by < now)
    assert any(e.late for e in queue) or any(e.due_today for e in queue)


def test_rates_pick_the_cheapest_protected_in_time_and_list_what_to_do(
    labels: LabelService,
) -> None:
    order_id = to_ship(labels)[0]
    updates: list[ProgressUpdate] = []
    [quote] = labels.rates([order_id], CancelToken(), updates.append)
    assert not quote.error and len(quote.offers) >= 3
    default = quote.default
    assert default is not None
    candidates = [o for o in quote.offers if o.arrives_in_time and o.protected]
    if candidates:
        assert default.protected and default.arrives_in_time
        assert default.price.amount == min(o.price.amount for o in candidates)
    assert any(n.carrier == "DHL_ECOMMERCE" and "Seller Central" in n.action for n in quote.notes)
    assert updates[-1].done == updates[-1].total == 1


def test_heavy_package_lists_the_rejected_service(labels: LabelService) -> None:
    from kinxpro_desktop.core.shipping import Package

    order_id = to_ship(labels)[0]
    quote = labels.quote(order_id, Package(20, 20, 20, 80 * 16))
    assert all(o.carrier != "USPS" for o in quote.offers)
    assert any(n.carrier == "USPS" and "70 lb" in n.reason for n in quote.notes)


def test_buy_stores_the_decoded_label_audits_and_ships_the_order(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    order_id = to_ship(labels)[0]
    result = labels.buy(order_id)
    assert result.ok, result.message
    record = result.shipment
    assert record is not None and record.status is ShipmentStatus.PURCHASED
    assert record.tracking_id and record.has_label and record.label_format == "PDF"
    _fmt, data = db.shipments.label(record.row_id) or ("", b"")
    assert data.startswith(b"%PDF-")
    assert record.void_deadline is not None
    [entry] = audit_events(db, AuditEvent.LABEL_PURCHASE)
    assert entry.object_ids == (order_id,)  # type: ignore[attr-defined]
    assert entry.detail["tracking_id"] == record.tracking_id  # type: ignore[attr-defined]
    assert sim.state.world.by_id[order_id].status_at(sim.state.now()) == "Shipped"
    assert stats(sim, "confirmShipment").get("calls", 0) == 0  # the label ships the order
    # the package is remembered per SKU for single-item orders
    order = db.orders.get(order_id)
    assert order is not None
    if len(order.items) == 1 and order.items[0].quantity_ordered == 1:
        assert labels.packages.sku_package(order.items[0].sku) is not None


def test_format_as_a_free_string_and_retry_without_it(labels: LabelService, sim: Simulator) -> None:
    order_id = to_ship(labels)[0]
    result = labels.buy(order_id, label_format="ZPL")  # outside Amazon's enum: refused
    assert result.ok, result.message
    assert result.retried_without_format
    assert result.shipment is not None and result.shipment.label_format == "PDF"
    created = stats(sim, "createShipment")
    assert created["calls"] == 2 and created["ok"] == 1, created


def test_checksum_mismatch_is_refused_and_nothing_stored(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    order_id = to_ship(labels)[0]
    sim.add_faults("createShipment:checksum-mismatch")
    result = labels.buy(order_id)
    assert not result.ok
    assert "checksum" in result.message and "do not buy a new one" in result.message
    record = result.shipment
    assert record is not None and record.status is ShipmentStatus.PURCHASED
    assert not record.has_label and db.shipments.label(record.row_id) is None
    # bought is bought: the duplicate guard holds; a reprint downloads it again
    with pytest.raises(DuplicateLabel):
        labels.buy(order_id)


def test_duplicate_guard_needs_a_reason_which_is_audited(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    order_id = to_ship(labels)[0]
    assert labels.buy(order_id).ok
    with pytest.raises(DuplicateLabel, match="give a reason"):
        labels.buy(order_id)
    assert stats(sim, "createShipment")["calls"] == 1
    # after a void the order is Shipped on Amazon and may be labelled again, with a reason
    labels.void(order_id)
    again = labels.buy(order_id, reason="box was damaged, repacked")
    assert again.ok, again.message
    reasons = [
        e.detail.get("duplicate_reason") for e in audit_events(db, AuditEvent.LABEL_PURCHASE)
    ]  # type: ignore[attr-defined]
    assert "box was damaged, repacked" in reasons


def test_timeout_on_create_shipment_is_reconciled_without_a_second_purchase(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    order_id = to_ship(labels)[0]
    sim.add_faults("createShipment:slow@4")  # Amazon buys it after the client gave up (3 s)
    first = labels.buy(order_id)
    assert not first.ok and "did not buy again" in first.message
    [row] = labels.shipments(order_id)
    assert row.status is ShipmentStatus.UNKNOWN
    deadline = time.monotonic() + 10
    while stats(sim, "createShipment").get("ok", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    second = labels.buy(order_id)  # reconciles before sending anything
    assert second.ok and second.reconciled, second.message
    assert second.shipment is not None and second.shipment.has_label
    created = stats(sim, "createShipment")
    assert created["calls"] == 1 and created["ok"] == 1, created
    assert [s.status for s in labels.shipments(order_id)] == [ShipmentStatus.PURCHASED]


def test_dropped_create_shipment_is_not_bought_again_until_the_grace_passes(
    make_labels: object, sim: Simulator
) -> None:
    labels: LabelService = make_labels(unknown_grace=timedelta(hours=1))  # type: ignore[operator]
    order_id = to_ship(labels)[0]
    sim.add_faults("createShipment:drop")  # Amazon never saw it
    assert not labels.buy(order_id).ok
    assert not labels.buy(order_id).ok  # still within the grace: nothing sent
    assert stats(sim, "createShipment")["calls"] == 1
    sim.advance(2 * 3600)
    result = labels.buy(order_id)
    assert result.ok, result.message
    assert stats(sim, "createShipment")["calls"] == 2
    assert [s.order_id for s in sim.state.shipments.values()].count(order_id) == 1


def test_batch_of_20_with_one_failure_goes_on(labels: LabelService, sim: Simulator) -> None:
    order_ids = to_ship(labels, 20)
    sim.add_faults("createShipment:500")  # the first purchase's answer is lost
    seen: list[ProgressUpdate] = []
    batch = labels.buy_many(order_ids, CancelToken(), seen.append)
    assert len(batch.results) == 20 and not batch.cancelled
    assert batch.failed == 1 and batch.bought == 19
    failed = next(r for r in batch.results if not r.ok)
    assert failed.order_id == order_ids[0]
    assert seen[-1].done == seen[-1].total == 20


def test_batch_cancel_stops_before_the_next_order(labels: LabelService) -> None:
    order_ids = to_ship(labels, 5)
    token = CancelToken()

    def progress(update: ProgressUpdate) -> None:
        if update.done == 2:
            token.cancel()

    batch = labels.buy_many(order_ids, token, progress)
    assert batch.cancelled and len(batch.results) == 2 and batch.bought == 2


def test_void_inside_the_window_and_the_order_stays_shipped(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    order_id = to_ship(labels)[0]
    assert labels.buy(order_id).ok
    voided = labels.void(order_id)
    assert voided.status is ShipmentStatus.REFUND_PENDING
    assert sim.state.world.by_id[order_id].status_at(sim.state.now()) == "Shipped"
    assert audit_events(db, AuditEvent.LABEL_VOID)
    sync_store(db, sim)  # what the next sync brings: still Shipped
    order = db.orders.get(order_id)
    assert order is not None and order.status == "Shipped"
    sim.advance(1.5 * DAY)
    [refreshed] = labels.refresh_refunds()
    assert refreshed.status is ShipmentStatus.REFUND_APPLIED


def test_void_outside_the_window_is_refused_in_words(labels: LabelService, sim: Simulator) -> None:
    order_ids = [
        e.order_id
        for e in labels.queue()
        if e.marketplace_id != "ATVPDKIKX0DER" and e.shipment is None
    ][:1] or to_ship(labels)
    order_id = order_ids[0]
    result = labels.buy(order_id)
    assert result.ok and result.shipment is not None
    window = (result.shipment.void_deadline - result.shipment.created_at).total_seconds()  # type: ignore[operator]
    sim.advance(window + 3600)
    from kinxpro_desktop.core.errors import UserError

    with pytest.raises(UserError, match="did not void") as caught:
        labels.void(order_id)
    assert "void window" in caught.value.message
    assert labels.shipments(order_id)[0].status is ShipmentStatus.PURCHASED


def test_no_ship_from_address_says_what_to_do(make_labels: object) -> None:
    from kinxpro_desktop.core.errors import UserError

    labels: LabelService = make_labels(ship_from_default=None)  # type: ignore[operator]
    with pytest.raises(UserError, match="ship-from address"):
        labels.rates(to_ship(labels), CancelToken(), no_progress)


def test_rate_and_buy_overlaps_quotes_and_purchases(labels: LabelService, sim: Simulator) -> None:
    from kinxpro_desktop.services.labels_batch import rate_and_buy

    order_ids = to_ship(labels, 6)
    batch = rate_and_buy(labels, order_ids, CancelToken(), no_progress)
    assert [r.order_id for r in batch.results] == order_ids
    assert batch.bought == 6, [r.message for r in batch.results]
    assert stats(sim, "getEligibleShipmentServices")["calls"] == 6
    assert stats(sim, "createShipment")["calls"] == 6


def test_crash_after_sending_is_reconciled_from_the_pending_intent(
    labels: LabelService, db: Database, sim: Simulator
) -> None:
    """Kinxpro died between sending createShipment and storing the answer: the intent row is
    still Pending, Amazon has the label. The next buy finds it instead of buying again."""
    from kinxpro_desktop.services.labels_rates import check_ship_from, shipment_details

    order_id = to_ship(labels)[0]
    quote = labels.quote(order_id)
    assert quote.default is not None
    with db.transaction() as uow:
        uow.shipments.add_intent(order_id, quote.default.carrier, quote.default.name, sim.now())
    order = db.orders.get(order_id)
    assert order is not None
    details = shipment_details(order, quote.package, check_ship_from(labels.ship_from()))
    labels.gateway().mfn.create_shipment(details, quote.default.service_id)  # the lost answer
    result = labels.buy(order_id)
    assert result.ok and result.reconciled, result.message
    assert stats(sim, "createShipment")["calls"] == 1
    [record] = labels.shipments(order_id)
    assert record.status is ShipmentStatus.PURCHASED and record.has_label


def test_two_buys_at_once_buy_one_label(labels: LabelService, sim: Simulator) -> None:
    import threading

    order_id = to_ship(labels)[0]
    quote = labels.quote(order_id)
    results: list[object] = []
    start = threading.Barrier(2)

    def buy() -> None:
        start.wait()
        try:
            results.append(labels.buy(order_id, quote=quote))
        except DuplicateLabel as exc:
            results.append(exc)

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sum(1 for r in results if getattr(r, "ok", False)) == 1, results
    other = next(r for r in results if not getattr(r, "ok", False))
    # the second either met the purchase under way or the label it bought
    assert isinstance(other, DuplicateLabel) or "being bought right now" in other.message
    assert stats(sim, "createShipment")["calls"] == 1
