"""python-amazon-sp-api clients, pointed at the simulator, do the app's main jobs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json

from PIL import Image
from sp_api.api import (
    FeedsV20210630,
    Inventories,
    ListingsItemsV20210801,
    MerchantFulfillment,
    OrdersV0,
    OrdersV20260101,
    Reports,
    Sellers,
    Tokens,
)

from kinxpro_desktop.sandbox import PII_MARKER, Simulator
from tests.support.simulator import SHIP_FROM

from .contracts import schema_errors
from .support import US, sp_client


def unshipped_mfn(sim: Simulator, marketplace: str = US) -> tuple[str, list[tuple[str, int]]]:
    now = sim.state.now()
    for order in reversed(sim.state.world.visible(now)):
        if (
            order.channel == "MFN"
            and order.marketplace_id == marketplace
            and order.status_at(now) == "Unshipped"
        ):
            return order.order_id, [(line.item_id, line.quantity) for line in order.lines]
    raise AssertionError("no unshipped MFN order in the generated data")


def test_search_orders_pages_through_every_order_in_the_window(sim: Simulator) -> None:
    since = "2026-02-01T00:00:00Z"
    seen: list[str] = []
    pages = pages_with_pii = 0
    with sp_client(sim, OrdersV20260101) as orders:
        token = None
        while True:
            extra = {"paginationToken": token} if token else {}
            page = orders.search_orders(
                createdAfter=since,
                marketplaceIds=[US],
                includedData=["BUYER", "RECIPIENT", "FULFILLMENT", "PROCEEDS"],
                maxResultsPerPage=50,
                **extra,
            )
            pages += 1
            seen += [o["orderId"] for o in page.payload["orders"]]
            pages_with_pii += any("buyer" in o for o in page.payload["orders"])
            assert page.rate_limit is not None
            token = page.next_token
            if not token:
                break
    now = sim.state.now()
    expected = [
        o.order_id
        for o in sim.state.world.created_between(1769904000.0, now)
        if o.marketplace_id == US
    ]
    assert seen == expected  # oldest first, no duplicates, nothing missed
    assert pages == -(-len(expected) // 50) and pages > 3
    stats = sim.stats()["operations"]["searchOrders"]  # type: ignore[index]
    assert stats["calls"] == pages and stats["piiResponses"] == pages_with_pii > 0


def test_report_document_is_downloaded_and_decompressed(sim: Simulator) -> None:
    with sp_client(sim, Reports) as reports:
        report_id = reports.create_report(
            reportType="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            dataStartTime="2026-02-20T00:00:00Z",
            marketplaceIds=[US],
        ).payload["reportId"]
        assert reports.get_report(report_id).payload["processingStatus"] == "IN_QUEUE"
        sim.advance(10)
        assert reports.get_report(report_id).payload["processingStatus"] == "IN_PROGRESS"
        sim.advance(30)
        report = reports.get_report(report_id).payload
        assert report["processingStatus"] == "DONE"
        doc = reports.get_report_document(
            report["reportDocumentId"], download=True, character_code="utf-8"
        )
    lines = doc.payload["document"].splitlines()
    header = lines[0].split("\t")
    assert header[:5] == [
        "amazon-order-id",
        "merchant-order-id",
        "purchase-date",
        "last-updated-date",
        "order-status",
    ]
    assert "ship-postal-code" in header and "item-price" in header
    order_ids = {line.split("\t")[0] for line in lines[1:]}
    expected = {
        o.order_id
        for o in sim.state.world.created_between(1771545600.0, sim.state.now())
        if o.marketplace_id == US
    }
    assert order_ids == expected
    assert PII_MARKER not in doc.payload["document"]  # this report carries no buyer identity


def test_mfn_label_is_bought_with_an_rdt_and_decodes(sim: Simulator) -> None:
    order_id, lines = unshipped_mfn(sim)
    details = {
        "AmazonOrderId": order_id,
        "ItemList": [{"OrderItemId": i, "Quantity": q} for i, q in lines],
        "ShipFromAddress": SHIP_FROM,
        "PackageDimensions": {"Length": 10, "Width": 8, "Height": 4, "Unit": "inches"},
        "Weight": {"Value": 12, "Unit": "oz"},
        "ShippingServiceOptions": {
            "DeliveryExperience": "DeliveryConfirmationWithoutSignature",
            "CarrierWillPickUp": False,
            "LabelFormat": "PNG",
        },
    }
    with sp_client(sim, MerchantFulfillment) as mfn:
        services = mfn.get_eligible_shipment_services(details).payload["ShippingServiceList"]
    assert len(services) >= 3 and {s["CarrierName"] for s in services} >= {"USPS", "UPS"}
    with sp_client(sim, Tokens) as tokens:
        rdt = tokens.create_restricted_data_token(
            restrictedResources=[
                {"method": "POST", "path": "/mfn/v0/shipments"},
                {"method": "GET", "path": "/mfn/v0/shipments/{shipmentId}"},
            ]
        ).payload["restrictedDataToken"]
    service = services[0]
    with sp_client(sim, MerchantFulfillment, restricted_data_token=rdt) as mfn_rdt:
        shipment = mfn_rdt.create_shipment(
            details,
            service["ShippingServiceId"],
            ShippingServiceOfferId=service["ShippingServiceOfferId"],
        ).payload
        again = mfn_rdt.get_shipment(shipment["ShipmentId"]).payload
    contents = shipment["Label"]["FileContents"]
    assert contents["Contents"].startswith("H4sI")  # base64 of the gzip magic
    png = gzip.decompress(base64.b64decode(contents["Contents"]))
    digest = hashlib.md5(png).digest()  # noqa: S324 (Amazon's checksum is MD5)
    assert base64.b64encode(digest).decode() == contents["Checksum"]
    assert contents["FileType"] == "image/png"
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (812, 1218)
    assert shipment["ShipToAddress"]["Name"].endswith(PII_MARKER)
    assert again["TrackingId"] == shipment["TrackingId"]
    assert sim.state.world.by_id[order_id].status_at(sim.state.now()) == "Shipped"
    logged = [e for e in sim.pii_log() if e["operation"] == "createShipment"]
    assert logged == [
        {"operation": "createShipment", "orderIds": [order_id], "at": logged[0]["at"]}
    ]


def test_patch_listing_changes_price_and_quantity(sim: Simulator) -> None:
    seller = sim.credentials.seller_id
    listing = next(li for li in sim.state.world.listings if li.marketplace_id == US and li.status)
    patches = [
        {
            "op": "replace",
            "path": "/attributes/purchasable_offer",
            "value": [
                {
                    "marketplace_id": US,
                    "currency": "USD",
                    "our_price": [{"schedule": [{"value_with_tax": 19.99}]}],
                }
            ],
        },
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        },
    ]
    body = {"productType": listing.product_type, "patches": patches}
    with sp_client(sim, ListingsItemsV20210801) as li:
        result = li.patch_listings_item(seller, listing.sku, marketplaceIds=[US], body=body)
        assert result.payload["status"] == "ACCEPTED" and result.payload["issues"] == []
        item = li.get_listings_item(
            seller,
            listing.sku,
            marketplaceIds=[US],
            includedData=["offers", "fulfillmentAvailability"],
        ).payload
        assert item["offers"][0]["price"] == {"amount": "19.99", "currencyCode": "USD"}
        assert item["fulfillmentAvailability"][0]["quantity"] == 7
        patches[0]["value"][0]["our_price"][0]["schedule"][0]["value_with_tax"] = -5  # type: ignore[index]
        patches[1]["value"][0]["quantity"] = 2.5  # type: ignore[index]
        preview = li.patch_listings_item(
            seller, listing.sku, marketplaceIds=[US], mode="VALIDATION_PREVIEW", body=body
        ).payload
    assert preview["status"] == "INVALID"
    assert {i["attributeNames"][0] for i in preview["issues"]} == {
        "purchasable_offer",
        "fulfillment_availability",
    }
    assert listing.price_cents == 1999 and listing.quantity == 7  # the preview changed nothing


def test_json_listings_feed_is_submitted_and_processed(sim: Simulator) -> None:
    seller = sim.credentials.seller_id
    skus = [li.sku for li in sim.state.world.listings if li.marketplace_id == US][:2]
    feed = {
        "header": {"sellerId": seller, "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": 1,
                "sku": skus[0],
                "operationType": "PATCH",
                "productType": "HOME",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 42}],
                    }
                ],
            },
            {
                "messageId": 2,
                "sku": skus[1],
                "operationType": "PARTIAL_UPDATE",
                "productType": "HOME",
                "attributes": {
                    "fulfillment_availability": [
                        {"fulfillment_channel_code": "DEFAULT", "quantity": -1}
                    ]
                },
            },
        ],
    }
    with sp_client(sim, FeedsV20210630) as feeds:
        _, created = feeds.submit_feed(
            "JSON_LISTINGS_FEED",
            io.BytesIO(json.dumps(feed).encode()),
            content_type="application/json; charset=UTF-8",
            marketplaceIds=[US],
        )
        feed_id = created.payload["feedId"]
        sim.advance(30)
        status = feeds.get_feed(feed_id).payload
        assert status["processingStatus"] == "DONE"
        report = json.loads(feeds.get_feed_result_document(status["resultFeedDocumentId"]))
    assert (
        schema_errors("schemas/feeds/listings-feed-processing-report-schema-v2.json", report) == []
    )
    assert report["summary"]["messagesAccepted"] == 1 and report["summary"]["messagesInvalid"] == 1
    assert report["issues"][0]["messageId"] == 2
    assert sim.state.world.by_sku[skus[0]].quantity == 42


def test_orders_v0_pii_only_with_a_restricted_data_token(sim: Simulator) -> None:
    with sp_client(sim, OrdersV0) as orders:
        plain = orders.get_orders(CreatedAfter="2026-02-25T00:00:00Z", MarketplaceIds=[US])
        restricted = orders.get_orders(
            CreatedAfter="2026-02-25T00:00:00Z",
            MarketplaceIds=[US],
            RestrictedResources=["buyerInfo", "shippingAddress"],
        )
        items = orders.get_order_items(plain.payload["Orders"][0]["AmazonOrderId"]).payload
    assert all("BuyerInfo" not in o for o in plain.payload["Orders"])
    assert all("Name" not in o.get("ShippingAddress", {}) for o in plain.payload["Orders"])
    shipped = [o for o in restricted.payload["Orders"] if o["OrderStatus"] == "Shipped"]
    assert shipped and all(o["BuyerInfo"]["BuyerName"].endswith(PII_MARKER) for o in shipped)
    assert items["OrderItems"]
    log = sim.pii_log()
    assert [e["operation"] for e in log] == ["getOrders"]
    assert set(log[0]["orderIds"]) == {o["AmazonOrderId"] for o in shipped} | {  # type: ignore[arg-type]
        o["AmazonOrderId"] for o in restricted.payload["Orders"] if "BuyerInfo" in o
    }


def test_sellers_and_inventory(sim: Simulator) -> None:
    with sp_client(sim, Sellers) as sellers:
        markets = sellers.get_marketplace_participation().payload
    assert {m["marketplace"]["countryCode"] for m in markets} == {"US", "CA", "MX"}
    with sp_client(sim, Inventories) as inventory:
        page = inventory.get_inventory_summary_marketplace(details=True, marketplaceIds=[US])
    summaries = page.payload["inventorySummaries"]
    assert summaries and all("inventoryDetails" in s for s in summaries)
