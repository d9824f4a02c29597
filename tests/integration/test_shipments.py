"""Confirm shipment against the simulator: the order's status follows, bad carriers, tracking
numbers and dates send nothing, and a lost answer is reconciled with getOrder instead of being
sent twice. Packing slips and pick lists over stored orders, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import OrderPii
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.core.vocabulary import AuditEvent, OrderStatus
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.order_documents import DocumentKind, OrderDocuments
from kinxpro_desktop.services.shipments import InvalidShipment, ShipmentService
from kinxpro_desktop.spapi.errors import OutcomeUnknown
from kinxpro_desktop.spapi.mapping import order_from_2026
from kinxpro_desktop.store.database import Database
from tests.integration.printing.conftest import cups, private_cups  # noqa: F401 (fixtures)
from tests.support.cups import PrivateCups
from tests.support.simulator import creds_for, db_fixture, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SHIPPABLE = ("Unshipped", "Shipped")


sim = sim_fixture(start=START, orders=300, listings=40, time_scale=300.0)


@pytest.fixture
def calls(sim: Simulator) -> list[str]:
    seen: list[str] = []
    sim.state.recorder = lambda operation, _req, _res: seen.append(operation)
    return seen


db = db_fixture("k.db")


@pytest.fixture
def make_service(db: Database, sim: Simulator) -> Iterator[Callable[..., ShipmentService]]:
    conns: list[Connection] = []

    def factory(timeout: float = 5.0) -> ShipmentService:
        conn = Connection(
            None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=timeout
        )
        conn.gateway().backoff_base = 0.02
        conns.append(conn)
        return ShipmentService(db, conn, clock=sim.now)

    yield factory
    for conn in conns:
        conn.close()


def unshipped(
    sim: Simulator,
    db: Database,
    service: ShipmentService,
    n: int = 1,
    statuses: tuple[str, ...] = ("Unshipped",),
) -> list[str]:
    """MFN orders (unshipped by default), read from the simulator and stored as sync would."""
    now = sim.state.now()
    ids = [
        o.order_id
        for o in sorted(sim.state.world.orders, key=lambda o: -o.created)
        if o.channel == "MFN" and o.created <= now and o.status_at(now) in statuses
    ][:n]
    assert len(ids) == n
    gateway = service.connection.gateway()
    for order_id in ids:
        raw = gateway.orders.get_order(order_id, ("FULFILLMENT", "PROCEEDS"))
        with db.transaction() as uow:
            uow.orders.merge_page(
                [order_from_2026(raw)], replace_items=True, now=sim.now(), retention_days=30
            )
    return ids


def test_confirm_reaches_the_simulator_and_updates_the_order(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    calls: list[str],
) -> None:
    service = make_service()
    [order_id] = unshipped(sim, db, service)
    done = service.confirm(
        order_id, "UPS", "1z 999 aa1 01 2345 6784", sim.now() - timedelta(hours=1)
    )
    assert done.status == OrderStatus.SHIPPED and not done.reconciled
    assert done.tracking == "1Z999AA10123456784"
    assert calls.count("confirmShipment") == 1
    stored = db.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.SHIPPED
    [package] = sim.state.world.by_id[order_id].packages
    assert package["carrier"] == "UPS" and package["trackingNumber"] == "1Z999AA10123456784"
    entry = db.audit.latest(AuditEvent.SHIPMENT_CONFIRMED)
    assert entry is not None and entry.object_ids == (order_id,)
    assert entry.detail["result"] == "confirmed"
    with pytest.raises(InvalidShipment, match="only unshipped orders"):
        service.confirm(order_id, "UPS", "1Z999AA10123456784")


@pytest.mark.parametrize(
    ("carrier", "tracking", "ship_date", "words"),
    [
        ("UPS", "9400100000000000000000", None, "does not look like a UPS tracking number"),
        ("USPS", "1Z999AA10123456784", None, "does not look like a USPS tracking number"),
        ("FedEx", "12345", None, "does not look like a FedEx tracking number"),
        ("DHL", "ABC", None, "does not look like a DHL tracking number"),
        ("Royal Mail", "", None, "Enter the Royal Mail tracking number"),
        ("Royal Mail", "AB 12 € 34", None, "not a tracking number"),
        ("Pigeon Post", "123", None, "not in Amazon's carrier list"),
        ("Other", "123", None, "give the carrier's name"),
        ("UPS", "1Z999AA10123456784", "tomorrow", "is not a date"),
        ("UPS", "1Z999AA10123456784", "2099-01-01", "in the future"),
        ("UPS", "1Z999AA10123456784", "2020-01-01", "before the order was placed"),
    ],
)
def test_bad_input_sends_nothing(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    calls: list[str],
    carrier: str,
    tracking: str,
    ship_date: str | None,
    words: str,
) -> None:
    service = make_service()
    [order_id] = unshipped(sim, db, service)
    before = len(calls)
    with pytest.raises(InvalidShipment, match=words):
        service.confirm(order_id, carrier, tracking, ship_date)
    assert calls[before:] == []


def test_unknown_carrier_needs_only_a_tracking_number(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
) -> None:
    service = make_service()
    [order_id] = unshipped(sim, db, service)
    done = service.confirm(order_id, "Other", "ab-123", carrier_name="Local Courier")
    assert done.status == OrderStatus.SHIPPED


def test_timeout_on_confirm_is_reconciled_and_never_sent_twice(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    calls: list[str],
) -> None:
    service = make_service(timeout=1.0)
    [order_id] = unshipped(sim, db, service)
    sim.set_faults("confirmShipment:slow@2")  # Amazon does it, the answer comes too late
    with pytest.raises(OutcomeUnknown, match="did not send it again"):
        service.confirm(order_id, "FedEx", "123456789012")
    deadline = time.monotonic() + 8
    while not sim.state.world.by_id[order_id].packages:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # the seller tries again: getOrder shows Kinxpro's package, so nothing is sent
    done = service.confirm(order_id, "FedEx", "123456789012")
    assert done.reconciled and done.status == OrderStatus.SHIPPED
    time.sleep(0.1)
    assert calls.count("confirmShipment") == 1
    assert len(sim.state.world.by_id[order_id].packages) == 1
    stored = db.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.SHIPPED


def test_a_confirm_interrupted_after_sending_is_reconciled_not_sent_again(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    calls: list[str],
) -> None:
    service = make_service()
    [order_id] = unshipped(sim, db, service)
    orders_api = service.connection.gateway().orders
    real = orders_api.confirm_shipment

    def sent_then_interrupted(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # Amazon has it...
        raise KeyboardInterrupt  # ...but the seller pressed Ctrl-C before the answer was kept

    orders_api.confirm_shipment = sent_then_interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        service.confirm(order_id, "FedEx", "123456789012")
    orders_api.confirm_shipment = real  # type: ignore[method-assign]
    done = service.confirm(order_id, "FedEx", "123456789012")
    assert done.reconciled
    assert calls.count("confirmShipment") == 1


def test_dropped_confirm_is_checked_then_sent_once_more(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    calls: list[str],
) -> None:
    service = make_service()
    [order_id] = unshipped(sim, db, service)
    sim.set_faults("confirmShipment:drop")  # nothing reached Amazon's order
    with pytest.raises(OutcomeUnknown):
        service.confirm(order_id, "USPS", "9400100000000000000000")
    done = service.confirm(order_id, "USPS", "9400100000000000000000")
    assert not done.reconciled and done.status == OrderStatus.SHIPPED
    assert calls.count("confirmShipment") == 2
    assert len(sim.state.world.by_id[order_id].packages) == 1


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode()


def test_packing_slip_and_pick_list_show_the_right_items(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    tmp_path: Path,
) -> None:
    service = make_service()
    ids = unshipped(sim, db, service, n=3, statuses=SHIPPABLE)
    db.orders.save_pii(
        [OrderPii(ids[0], recipient_name="Testy McTestface", address_line1="1 Test Way")],
        now=sim.now(),
        retention_days=30,
    )
    docs = OrderDocuments(db)
    slips = pdftotext(docs.render(DocumentKind.PACKING_SLIP, ids, PageSize.A4), tmp_path)
    for order_id in ids:
        order = db.orders.get(order_id)
        assert order is not None and order_id in slips
        for item in order.items:
            assert item.sku in slips
    assert "Testy McTestface" in slips
    picks = pdftotext(docs.render(DocumentKind.PICK_LIST, ids), tmp_path)
    totals: dict[str, int] = {}
    for order_id in ids:
        order = db.orders.get(order_id)
        assert order is not None
        for item in order.items:
            totals[item.sku] = totals.get(item.sku, 0) + item.quantity_ordered
    for sku, quantity in totals.items():
        line = next(x for x in picks.splitlines() if sku in x)
        assert str(quantity) in line.split()
    assert "Testy McTestface" not in picks
    reveal = db.audit.latest(AuditEvent.REVEAL)
    assert reveal is not None and set(reveal.object_ids) == set(ids)
    assert "Testy" not in str(reveal.detail)


def test_saving_a_packing_slip_is_audited_and_warns(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    tmp_path: Path,
) -> None:
    service = make_service()
    ids = unshipped(sim, db, service, n=2, statuses=SHIPPABLE)
    docs = OrderDocuments(db)
    saved = docs.save(DocumentKind.PACKING_SLIP, ids, tmp_path / "slips.pdf", PageSize.LABEL_4X6)
    assert saved.path.read_bytes()[:5] == b"%PDF-"
    assert "outside Kinxpro's retention" in saved.warning
    entry = db.audit.latest(AuditEvent.DOCUMENT_SAVED)
    assert entry is not None and entry.detail["outside_retention"] is True
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(UserError, match="does not exist"):
        docs.save(DocumentKind.PICK_LIST, ids, tmp_path / "nope" / "x.pdf")
    with pytest.raises(UserError, match="Not in Kinxpro: 111-0000000-0000000"):
        docs.render(DocumentKind.PICK_LIST, ["111-0000000-0000000"])
    _: Any = None


def test_ship_date_today_in_a_zone_ahead_of_utc_is_accepted() -> None:
    from datetime import date

    from kinxpro_desktop.services.shipments import parse_ship_date

    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 00:00 on 3 March in Tokyo
    assert parse_ship_date(date(2026, 3, 3), now) == now
    assert parse_ship_date("2026-03-01", now) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(InvalidShipment, match="in the future"):
        parse_ship_date(date(2026, 3, 4), now)
    with pytest.raises(InvalidShipment, match="in the future"):
        parse_ship_date("2026-03-02T18:00:00Z", now)


@pytest.mark.cups
def test_packing_slip_prints_through_the_printer_and_leaves_nothing(
    make_service: Callable[..., ShipmentService],
    db: Database,
    sim: Simulator,
    cups: PrivateCups,  # noqa: F811 (the fixture imported above)
    qapp: object,
) -> None:
    from kinxpro_desktop.printing.system import SystemPrinter
    from tests.integration.printing.conftest import client_tmp, leftovers
    from tests.integration.printing.test_cups_printing import assert_size, text_of

    service = make_service()
    ids = unshipped(sim, db, service, n=2, statuses=SHIPPABLE)
    db.orders.save_pii(
        [OrderPii(ids[0], recipient_name="Printy McPrintface", address_line1="2 Spool Rd")],
        now=sim.now(),
        retention_days=30,
    )
    docs = OrderDocuments(db, SystemPrinter(cups_server=cups.server))
    job = docs.print(DocumentKind.PACKING_SLIP, ids, cups.pdf_queue, PageSize.LABEL_4X6)
    assert job.completed and job.purged
    [pdf] = cups.new_pdfs(1)
    assert_size(pdf, PageSize.LABEL_4X6, pages=len(ids))
    text = text_of(pdf)
    assert all(order_id in text for order_id in ids) and "Printy McPrintface" in text
    assert leftovers(cups, b"Printy McPrintface") == []
    assert client_tmp(cups) == []
    entry = db.audit.latest(AuditEvent.DOCUMENT_PRINTED)
    assert entry is not None and set(entry.object_ids) == set(ids)
    assert "Printy" not in str(entry.detail)
