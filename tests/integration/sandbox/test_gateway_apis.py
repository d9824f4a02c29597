"""Each per-API module of the gateway against the simulator (every response checked against
Amazon's models by the conftest): MFN labels with one RDT, confirmShipment, listings with
VALIDATION_PREVIEW, reports, inventory, paging."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from typing import Any

import pytest

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.spapi.gateway import SpApiGateway
from tests.support.simulator import SHIP_FROM, creds_for

from .conftest import SimFactory

US = "ATVPDKIKX0DER"


@pytest.fixture
def sim(make_sim: SimFactory) -> Simulator:
    return make_sim(orders=1500, listings=45)


@pytest.fixture
def gw(sim: Simulator) -> Iterator[SpApiGateway]:
    with SpApiGateway.from_credentials(
        creds_for(sim), endpoint=sim.base_url, timeout=10
    ) as gateway:
        gateway.backoff_base = 0.01
        yield gateway


def unshipped(sim: Simulator) -> tuple[str, list[tuple[str, int]]]:
    now = sim.state.now()
    order = next(
        o
        for o in reversed(sim.state.world.visible(now))
        if o.channel == "MFN" and o.marketplace_id == US and o.status_at(now) == "Unshipped"
    )
    return order.order_id, [(ln.item_id, ln.quantity) for ln in order.lines]


def details(order_id: str, lines: list[tuple[str, int]]) -> dict[str, Any]:
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


def test_mfn_labels_bought_read_and_cancelled_with_one_rdt(
    sim: Simulator, gw: SpApiGateway
) -> None:
    bought = []
    for _ in range(2):
        request = details(*unshipped(sim))  # the next one: a bought label ships the order
        services = gw.mfn.eligible_services(request)["ShippingServiceList"]
        service = services[0]
        bought.append(
            gw.mfn.create_shipment(
                request, service["ShippingServiceId"], offer_id=service["ShippingServiceOfferId"]
            )
        )
    label = gzip.decompress(base64.b64decode(bought[0]["Label"]["FileContents"]["Contents"]))
    assert label.startswith(b"%PDF")
    again = gw.mfn.get_shipment(bought[0]["ShipmentId"])
    assert again["TrackingId"] == bought[0]["TrackingId"]
    cancelled = gw.mfn.cancel_shipment(bought[1]["ShipmentId"])
    assert cancelled["Status"] in ("RefundPending", "RefundApplied", "RefundRejected")
    stats = sim.stats()["operations"]
    assert stats["createRestrictedDataToken"]["calls"] == 1  # one RDT, reused for an hour


def test_an_expired_rdt_is_replaced_once(sim: Simulator, gw: SpApiGateway) -> None:
    request = details(*unshipped(sim))
    service = gw.mfn.eligible_services(request)["ShippingServiceList"][0]
    shipment = gw.mfn.create_shipment(request, service["ShippingServiceId"])
    sim.set_faults("getShipment:expired-token")
    assert gw.mfn.get_shipment(shipment["ShipmentId"])["ShipmentId"] == shipment["ShipmentId"]
    assert sim.stats()["operations"]["createRestrictedDataToken"]["calls"] == 2


def test_confirm_shipment_marks_the_order_shipped(sim: Simulator, gw: SpApiGateway) -> None:
    order_id, lines = unshipped(sim)
    gw.orders.confirm_shipment(
        order_id,
        US,
        {
            "packageReferenceId": "1",
            "carrierCode": "USPS",
            "trackingNumber": "9400100000000000000001",
            "shipDate": sim.now_iso(),
            "orderItems": [{"orderItemId": i, "quantity": q} for i, q in lines],
        },
    )
    assert sim.state.world.by_id[order_id].status_at(sim.state.now()) == "Shipped"


def test_listing_patch_preview_changes_nothing_then_the_patch_does(
    sim: Simulator, gw: SpApiGateway
) -> None:
    li = next(x for x in sim.state.world.listings if x.marketplace_id == US and x.status)
    item = gw.listings.get_item(li.sku, US)
    product_type = item["summaries"][0]["productType"]
    patches = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2.5}],
        }
    ]
    preview = gw.listings.patch_item(li.sku, US, product_type, patches, preview=True)
    assert preview["status"] == "INVALID" and preview["issues"]
    patches[0]["value"][0]["quantity"] = 9  # type: ignore[index]
    preview = gw.listings.patch_item(li.sku, US, product_type, patches, preview=True)
    assert preview["status"] == "VALID" and li.quantity != 9
    done = gw.listings.patch_item(li.sku, US, product_type, patches)
    assert done["status"] == "ACCEPTED" and li.quantity == 9


def test_paged_listings_inventory_and_orders(sim: Simulator, gw: SpApiGateway) -> None:
    items = list(gw.listings.search_all(US))
    expected = [x for x in sim.state.world.listings if x.marketplace_id == US and not x.deleted]
    assert len(items) == len(expected) > 20  # more than one page of 20
    assert len({i["sku"] for i in items}) == len(items)
    summaries = list(gw.inventory.all_summaries(US))
    assert all("sellerSku" in s for s in summaries)
    pages = list(
        gw.orders.search_all(
            {
                "createdAfter": "2026-02-25T00:00:00Z",
                "marketplaceIds": [US],
                "maxResultsPerPage": 20,
            }
        )
    )
    ids = [o["orderId"] for page in pages for o in page["orders"]]
    assert len(pages) > 1 and len(ids) == len(set(ids))


def test_reports_created_listed_and_downloaded(sim: Simulator, gw: SpApiGateway) -> None:
    report_id = gw.reports.create("GET_MERCHANT_LISTINGS_ALL_DATA", [US])
    sim.advance(60)
    report = gw.reports.get(report_id)
    assert report["processingStatus"] == "DONE"
    listed = [r["reportId"] for r in gw.reports.list(["GET_MERCHANT_LISTINGS_ALL_DATA"])]
    assert report_id in listed
    text = gw.reports.download(str(report["reportDocumentId"]))
    assert text.splitlines()[0].startswith("item-name\t")
