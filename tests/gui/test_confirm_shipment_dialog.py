"""The Confirm shipment dialog offscreen against the simulator: the tracking number is checked
as the seller types (nothing sent while it is wrong), confirming reaches the simulator and
updates the stored order, and a timeout injected on confirmShipment does not send it twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QDate

from kinxpro_desktop.core.vocabulary import OrderStatus
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.shipments import ShipmentService
from kinxpro_desktop.spapi.mapping import order_from_2026
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.ui.dialogs.confirm_shipment import ConfirmShipmentDialog
from tests.support.simulator import creds_for, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


sim = sim_fixture(start=START, orders=300, listings=30, time_scale=300.0)


@pytest.fixture
def calls(sim: Simulator) -> list[str]:
    seen: list[str] = []
    sim.state.recorder = lambda operation, _req, _res: seen.append(operation)
    return seen


@pytest.fixture
def shipments(database: Database, sim: Simulator) -> Iterator[ShipmentService]:
    conn = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=1.0)
    conn.gateway().backoff_base = 0.02
    yield ShipmentService(database, conn, clock=sim.now)
    conn.close()


@pytest.fixture
def order_id(database: Database, sim: Simulator, shipments: ShipmentService) -> str:
    now = sim.state.now()
    found = next(
        o.order_id
        for o in sorted(sim.state.world.orders, key=lambda o: -o.created)
        if o.channel == "MFN" and o.created <= now and o.status_at(now) == "Unshipped"
    )
    raw = shipments.connection.gateway().orders.get_order(found, ("FULFILLMENT", "PROCEEDS"))
    with database.transaction() as uow:
        uow.orders.merge_page(
            [order_from_2026(raw)], replace_items=True, now=sim.now(), retention_days=30
        )
    return found


@pytest.fixture
def dialog(
    make_ctx: Callable[..., Any], shipments: ShipmentService, order_id: str, qtbot: Any
) -> ConfirmShipmentDialog:
    widget = ConfirmShipmentDialog(make_ctx(), order_id, shipments=shipments)
    qtbot.addWidget(widget)
    today = shipments.clock().date()  # the simulator's day, not the machine's
    widget.ship_date.setDate(QDate(today.year, today.month, today.day))
    return widget


def test_tracking_is_checked_as_typed_and_nothing_is_sent(
    dialog: ConfirmShipmentDialog, calls: list[str]
) -> None:
    before = len(calls)
    assert not dialog.ok.isEnabled()  # no tracking number yet
    dialog.carrier.setCurrentText("UPS")
    dialog.tracking.setText("9400100000000000000000")
    assert "does not look like a UPS tracking number" in dialog.error.text()
    assert not dialog.ok.isEnabled()
    dialog.confirm()
    dialog.carrier.setCurrentText("Other")
    dialog.tracking.setText("LOCAL-123")
    assert "carrier's name" in dialog.error.text() and dialog.carrier_name.isEnabled()
    dialog.carrier.setCurrentText("Royal Mail")  # no known format: any letters and digits
    assert dialog.error.text() == "" and dialog.ok.isEnabled()
    assert calls[before:] == []


def test_confirm_reaches_the_simulator_and_updates_the_order(
    dialog: ConfirmShipmentDialog,
    database: Database,
    sim: Simulator,
    order_id: str,
    calls: list[str],
    qtbot: Any,
) -> None:
    dialog.carrier.setCurrentText("UPS")
    dialog.tracking.setText("1Z999AA10123456784")
    with qtbot.waitSignal(dialog.confirmed, timeout=10_000) as blocker:
        dialog.ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert blocker.args[0].status == OrderStatus.SHIPPED
    assert calls.count("confirmShipment") == 1
    stored = database.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.SHIPPED
    assert sim.state.world.by_id[order_id].packages[0]["trackingNumber"] == "1Z999AA10123456784"


def test_timeout_on_confirm_is_not_sent_twice(
    dialog: ConfirmShipmentDialog,
    database: Database,
    sim: Simulator,
    order_id: str,
    calls: list[str],
    qtbot: Any,
) -> None:
    sim.set_faults("confirmShipment:slow@2")
    dialog.carrier.setCurrentText("FedEx")
    dialog.tracking.setText("123456789012")
    dialog.ok.click()
    qtbot.waitUntil(lambda: "did not send it again" in dialog.error.text(), timeout=10_000)
    assert dialog.ok.isEnabled()  # the values are kept; trying again is safe
    deadline = time.monotonic() + 8
    while not sim.state.world.by_id[order_id].packages:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with qtbot.waitSignal(dialog.confirmed, timeout=10_000) as blocker:
        dialog.ok.click()
    assert blocker.args[0].reconciled
    assert calls.count("confirmShipment") == 1
    assert len(sim.state.world.by_id[order_id].packages) == 1
    stored = database.orders.get(order_id)
    assert stored is not None and stored.status == OrderStatus.SHIPPED
