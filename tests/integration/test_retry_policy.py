"""The per-operation retry policy, through the simulator's fault injection over real HTTP.

Reads are retried on 429, 5xx, timeouts and dropped connections. A non-idempotent write whose
answer is lost (timeout, dropped connection, 5xx, damaged body) reaches the simulator exactly
once and raises OutcomeUnknown; a 429 on a write is retried (Amazon did nothing).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sp_api.auth import access_token_client

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.spapi.errors import OutcomeUnknown, TransientError
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.spapi.policy import POLICIES, WRITES
from tests.support.simulator import SHIP_FROM, creds_for, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"


sim = sim_fixture(start=START, orders=300, listings=30, time_scale=300.0)


@pytest.fixture
def gateway(sim: Simulator) -> Iterator[SpApiGateway]:
    with SpApiGateway.from_credentials(creds_for(sim), endpoint=sim.base_url, timeout=5) as gw:
        gw.backoff_base = 0.02
        gw.discover_account()  # learns the simulator's time scale from its rate header
        yield gw


def calls(sim: Simulator, operation: str) -> int:
    """What the simulator's /_sandbox/stats says reached it (over HTTP, as a tool would)."""
    stats = httpx.get(f"{sim.base_url}/_sandbox/stats", timeout=5).json()
    op = stats["operations"].get(operation)
    return int(op["calls"]) if op else 0


def wait_for_calls(sim: Simulator, operation: str, expected: int, within: float = 5.0) -> int:
    """A slow answer is counted when the simulator finishes it, after the client gave up."""
    deadline = time.monotonic() + within
    seen = calls(sim, operation)
    while seen < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = calls(sim, operation)
    time.sleep(0.3)  # and nothing else arrives afterwards
    return calls(sim, operation)


def unshipped_mfn(sim: Simulator) -> tuple[str, list[tuple[str, int]]]:
    now = sim.state.now()
    for order in reversed(sim.state.world.visible(now)):
        if (
            order.channel == "MFN"
            and order.marketplace_id == US
            and order.status_at(now) == "Unshipped"
        ):
            return order.order_id, [(ln.item_id, ln.quantity) for ln in order.lines]
    raise AssertionError("no unshipped MFN order in the generated data")


def shipment_details(sim: Simulator) -> dict[str, Any]:
    order_id, lines = unshipped_mfn(sim)
    return {
        "AmazonOrderId": order_id,
        "ItemList": [{"OrderItemId": i, "Quantity": q} for i, q in lines],
        "ShipFromAddress": SHIP_FROM,
        "PackageDimensions": {"Length": 10, "Width": 8, "Height": 4, "Unit": "inches"},
        "Weight": {"Value": 12, "Unit": "oz"},
        "ShippingServiceOptions": {
            "DeliveryExperience": "DeliveryConfirmationWithoutSignature",
            "CarrierWillPickUp": False,
            "LabelFormat": "PDF",
        },
    }


def buy_label(gw: SpApiGateway, sim: Simulator) -> Callable[[], object]:
    details = shipment_details(sim)
    service = gw.mfn.eligible_services(details)["ShippingServiceList"][0]
    gw.mfn.rdt.token(None)  # the RDT is fetched before the faults are armed

    def buy() -> object:
        return gw.mfn.create_shipment(
            details, service["ShippingServiceId"], offer_id=service["ShippingServiceOfferId"]
        )

    return buy


def confirm(gw: SpApiGateway, sim: Simulator) -> Callable[[], object]:
    order_id, lines = unshipped_mfn(sim)
    package = {
        "packageReferenceId": "1",
        "carrierCode": "USPS",
        "trackingNumber": "9400100000000000000001",
        "shipDate": sim.now_iso(),
        "orderItems": [{"orderItemId": i, "quantity": q} for i, q in lines],
    }
    return lambda: gw.orders.confirm_shipment(order_id, US, package)


def patch_listing(gw: SpApiGateway, sim: Simulator) -> Callable[[], object]:
    li = next(x for x in sim.state.world.listings if x.marketplace_id == US and x.status)
    patches = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        }
    ]
    return lambda: gw.listings.patch_item(li.sku, US, li.product_type, patches)


def submit_feed(gw: SpApiGateway, sim: Simulator) -> Callable[[], object]:
    document = gw.feeds.create_document()
    content = json.dumps(
        {"header": {"sellerId": sim.credentials.seller_id, "version": "2.0"}, "messages": []}
    ).encode()
    gw.feeds.upload(document, content)
    return lambda: gw.feeds.create("JSON_LISTINGS_FEED", document["feedDocumentId"], [US])


def request_report(gw: SpApiGateway, sim: Simulator) -> Callable[[], object]:
    return lambda: gw.reports.create("GET_MERCHANT_LISTINGS_ALL_DATA", [US])


WRITERS: dict[str, Callable[[SpApiGateway, Simulator], Callable[[], object]]] = {
    "createShipment": buy_label,
    "confirmShipment": confirm,
    "patchListingsItem": patch_listing,
    "createFeed": submit_feed,
    "createReport": request_report,
}


def test_the_policy_table_names_exactly_the_non_idempotent_writes() -> None:
    assert set(WRITES) == set(WRITERS)
    for operation in WRITES:
        assert POLICIES[operation].reconcile, f"{operation} says nothing about reconciling"


@pytest.mark.parametrize("operation", sorted(WRITERS))
def test_a_dropped_write_reaches_amazon_once_and_is_not_resent(
    operation: str, sim: Simulator, gateway: SpApiGateway
) -> None:
    send = WRITERS[operation](gateway, sim)
    before = calls(sim, operation)
    sim.set_faults(f"{operation}:drop")
    with pytest.raises(OutcomeUnknown) as caught:
        send()
    assert wait_for_calls(sim, operation, before + 1) == before + 1
    error = caught.value
    assert error.operation == operation
    assert "Kinxpro did not send it again" in error.message
    assert "HTTP" not in error.message and "Traceback" not in error.message
    assert POLICIES[operation].reconcile in error.message


@pytest.mark.parametrize("operation", ["createShipment", "confirmShipment"])
def test_a_write_that_times_out_reaches_amazon_once(
    operation: str, sim: Simulator, gateway: SpApiGateway
) -> None:
    send = WRITERS[operation](gateway, sim)
    gateway._http.timeout = httpx.Timeout(0.5)
    sim.set_faults(f"{operation}:slow@1.5")
    with pytest.raises(OutcomeUnknown, match="did not answer in time"):
        send()
    assert wait_for_calls(sim, operation, 1) == 1
    if operation == "createShipment":
        assert len(sim.state.shipments) == 1  # Amazon did buy it: sending again buys twice


@pytest.mark.parametrize("kind", ["500", "503", "malformed"])
def test_a_write_answered_with_a_5xx_or_damaged_body_is_not_resent(
    kind: str, sim: Simulator, gateway: SpApiGateway
) -> None:
    send = buy_label(gateway, sim)
    sim.set_faults(f"createShipment:{kind}x3")
    with pytest.raises(OutcomeUnknown):
        send()
    assert wait_for_calls(sim, "createShipment", 1) == 1


def test_a_throttled_write_is_retried_because_amazon_did_nothing(
    sim: Simulator, gateway: SpApiGateway
) -> None:
    send = buy_label(gateway, sim)
    sim.set_faults("createShipment:429x2")
    shipment = send()
    assert isinstance(shipment, dict) and shipment["ShipmentId"]
    assert calls(sim, "createShipment") == 3
    assert len(sim.state.shipments) == 1


def test_a_token_failure_before_a_write_is_retried(sim: Simulator, gateway: SpApiGateway) -> None:
    """The access token is fetched before the write leaves Kinxpro: nothing was sent."""
    send = confirm(gateway, sim)
    access_token_client.cache.clear()
    sim.set_faults("lwa:503x2")
    send()
    assert calls(sim, "confirmShipment") == 1
    assert sim.state.faults.injected == {"lwa:503": 2}


@pytest.mark.parametrize("kind", ["503x2", "500x2", "drop", "malformed", "429x2"])
def test_a_read_is_retried(kind: str, sim: Simulator, gateway: SpApiGateway) -> None:
    sim.set_faults(f"searchOrders:{kind}")
    body = gateway.search_orders(
        {"createdAfter": "2026-02-20T00:00:00Z", "marketplaceIds": [US], "maxResultsPerPage": 10}
    )
    assert body["orders"]
    assert calls(sim, "searchOrders") == (3 if "x2" in kind else 2)


def test_a_read_that_times_out_is_retried(sim: Simulator, gateway: SpApiGateway) -> None:
    gateway._http.timeout = httpx.Timeout(0.5)
    sim.set_faults("getReports:slow@1")
    reports = list(gateway.reports.list(["GET_MERCHANT_LISTINGS_ALL_DATA"]))
    assert isinstance(reports, list)
    assert wait_for_calls(sim, "getReports", 2) == 2


def test_a_read_gives_up_with_a_message_in_words(sim: Simulator, gateway: SpApiGateway) -> None:
    gateway.max_attempts = 3
    sim.set_faults("searchOrders:503x*")
    with pytest.raises(TransientError) as caught:
        gateway.search_orders({"createdAfter": "2026-02-20T00:00:00Z", "marketplaceIds": [US]})
    message = caught.value.message
    assert message.startswith("The orders search failed after 3 attempts")
    assert "simulated Amazon" in message and "next sync" in message
    assert "HTTP" not in message and "503" not in message
    assert caught.value.status == 503 and "ServiceUnavailable" in caught.value.detail
