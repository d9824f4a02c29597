"""Operation behaviour beyond the library round trips: paging rules, state changes, reports."""

from __future__ import annotations

import base64
import gzip
import json

import httpx
import pytest

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.report_data import (
    INVENTORY_COLUMNS,
    LISTINGS_COLUMNS,
    ORDERS_COLUMNS,
    SETTLEMENT_COLUMNS,
)

from .support import US

SEARCH = "/orders/2026-01-01/orders"


def test_pagination_token_requires_the_same_filters(http: httpx.Client) -> None:
    params = {
        "createdAfter": "2026-02-01T00:00:00Z",
        "maxResultsPerPage": 5,
        "fulfilledBy": "MERCHANT",
    }
    first = http.get(SEARCH, params=params).json()
    token = first["pagination"]["nextToken"]
    same = http.get(SEARCH, params={**params, "paginationToken": token, "maxResultsPerPage": 7})
    assert same.status_code == 200 and len(same.json()["orders"]) == 7
    changed = http.get(SEARCH, params={**params, "fulfilledBy": "AMAZON", "paginationToken": token})
    assert changed.status_code == 400 and changed.json()["errors"][0]["code"] == "InvalidInput"
    both = http.get(
        SEARCH,
        params={"createdAfter": "2026-02-01T00:00:00Z", "lastUpdatedAfter": "2026-02-01T00:00:00Z"},
    )
    assert both.status_code == 400


def test_filters_by_status_and_channel(sim: Simulator, http: httpx.Client) -> None:
    params = {
        "lastUpdatedAfter": "2026-01-01T00:00:00Z",
        "fulfillmentStatuses": "UNSHIPPED",
        "fulfilledBy": "MERCHANT",
        "includedData": "FULFILLMENT",
    }
    orders = http.get(SEARCH, params=params).json()["orders"]
    assert orders and {o["fulfillment"]["fulfillmentStatus"] for o in orders} == {"UNSHIPPED"}
    assert {o["fulfillment"]["fulfilledBy"] for o in orders} == {"MERCHANT"}


def test_confirm_shipment_ships_the_order(sim: Simulator, http: httpx.Client) -> None:
    now = sim.state.now()
    order = next(
        o
        for o in reversed(sim.state.world.visible(now))
        if o.channel == "MFN" and o.status_at(now) == "Unshipped"
    )
    body = {
        "marketplaceId": order.marketplace_id,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z999AA10123456784",
            "shipDate": sim.now_iso(),
            "orderItems": [
                {"orderItemId": ln.item_id, "quantity": ln.quantity} for ln in order.lines
            ],
        },
    }
    path = f"/orders/v0/orders/{order.order_id}/shipmentConfirmation"
    assert http.post(path, json=body).status_code == 204
    assert http.post(path, json=body).status_code == 400  # already shipped
    got = http.get(
        f"/orders/2026-01-01/orders/{order.order_id}",
        params={"includedData": "FULFILLMENT,PACKAGES"},
    )
    shipped = got.json()["order"]
    assert shipped["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shipped["packages"][0]["trackingNumber"] == "1Z999AA10123456784"


def test_put_then_delete_a_listing(sim: Simulator, http: httpx.Client) -> None:
    seller = sim.credentials.seller_id
    path = f"/listings/2021-08-01/items/{seller}/KX-NEW-0001"
    body = {
        "productType": "HOME",
        "attributes": {
            "item_name": [{"value": "Kinxpro Demo New Lamp", "marketplace_id": US}],
            "purchasable_offer": [
                {
                    "marketplace_id": US,
                    "currency": "USD",
                    "our_price": [{"schedule": [{"value_with_tax": 24.5}]}],
                }
            ],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
        },
    }
    created = http.put(path, params={"marketplaceIds": US}, json=body).json()
    assert created["status"] == "ACCEPTED"
    item = http.get(path, params={"marketplaceIds": US, "includedData": "summaries,offers"}).json()
    assert item["offers"][0]["price"]["amount"] == "24.50"
    assert http.delete(path, params={"marketplaceIds": US}).json()["status"] == "ACCEPTED"
    assert http.get(path, params={"marketplaceIds": US}).status_code == 404
    search = http.get(
        f"/listings/2021-08-01/items/{seller}", params={"marketplaceIds": US, "pageSize": 20}
    ).json()
    assert search["numberOfResults"] > 20 and search["pagination"]["nextToken"]


@pytest.mark.parametrize(
    ("report_type", "columns"),
    [
        ("GET_MERCHANT_LISTINGS_ALL_DATA", LISTINGS_COLUMNS),
        ("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", ORDERS_COLUMNS),
        ("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", ORDERS_COLUMNS),
        ("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", INVENTORY_COLUMNS),
        ("GET_SALES_AND_TRAFFIC_REPORT", None),
    ],
)
def test_requested_report_types(
    sim: Simulator, http: httpx.Client, report_type: str, columns: tuple[str, ...] | None
) -> None:
    body = {
        "reportType": report_type,
        "marketplaceIds": [US],
        "dataStartTime": "2026-02-01T00:00:00Z",
    }
    report_id = http.post("/reports/2021-06-30/reports", json=body).json()["reportId"]
    sim.advance(60)
    report = http.get(f"/reports/2021-06-30/reports/{report_id}").json()
    assert report["processingStatus"] == "DONE"
    meta = http.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
    download = http.get(meta["url"])
    # Amazon sends the All Listings report in Cp1252 (and says so); the others in UTF-8
    charset = "Cp1252" if report_type == "GET_MERCHANT_LISTINGS_ALL_DATA" else "UTF-8"
    assert (
        meta["compressionAlgorithm"] == "GZIP"
        and f"charset={charset}" in download.headers["content-type"]
    )
    text = gzip.decompress(download.content).decode(charset)
    if columns is None:
        document = json.loads(text)
        assert document["reportSpecification"]["reportType"] == report_type
        assert document["salesAndTrafficByDate"] and document["salesAndTrafficByAsin"]
    else:
        lines = text.splitlines()
        assert tuple(lines[0].split("\t")) == columns and len(lines) > 1
        assert all(len(line.split("\t")) == len(columns) for line in lines)


def test_settlement_reports_appear_by_themselves(sim: Simulator, http: httpx.Client) -> None:
    requested = http.post(
        "/reports/2021-06-30/reports",
        json={"reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "marketplaceIds": [US]},
    )
    assert requested.status_code == 400
    listed = http.get(
        "/reports/2021-06-30/reports",
        params={"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "pageSize": 100},
    ).json()["reports"]
    assert len(listed) >= 3 and {r["processingStatus"] for r in listed} == {"DONE"}
    meta = http.get(f"/reports/2021-06-30/documents/{listed[0]['reportDocumentId']}").json()
    lines = gzip.decompress(http.get(meta["url"]).content).decode().splitlines()
    assert tuple(lines[0].split("\t")) == SETTLEMENT_COLUMNS
    assert lines[1].split("\t")[4]  # total-amount on the summary row


def test_cancel_report_only_in_queue(sim: Simulator, http: httpx.Client) -> None:
    body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    first = http.post("/reports/2021-06-30/reports", json=body).json()["reportId"]
    assert http.delete(f"/reports/2021-06-30/reports/{first}").status_code == 200
    assert (
        http.get(f"/reports/2021-06-30/reports/{first}").json()["processingStatus"] == "CANCELLED"
    )
    second = http.post("/reports/2021-06-30/reports", json=body).json()["reportId"]
    sim.advance(60)
    assert http.delete(f"/reports/2021-06-30/reports/{second}").status_code == 400


def test_mfn_cancel_returns_the_order_to_unshipped(sim: Simulator, http: httpx.Client) -> None:
    now = sim.state.now()
    order = next(
        o
        for o in reversed(sim.state.world.visible(now))
        if o.channel == "MFN" and o.status_at(now) == "Unshipped"
    )
    rdt = http.post(
        "/tokens/2021-03-01/restrictedDataToken",
        json={
            "restrictedResources": [
                {"method": "POST", "path": "/mfn/v0/shipments"},
                {"method": "DELETE", "path": "/mfn/v0/shipments/{shipmentId}"},
            ]
        },
    ).json()["restrictedDataToken"]
    details = {
        "AmazonOrderId": order.order_id,
        "ItemList": [{"OrderItemId": ln.item_id, "Quantity": ln.quantity} for ln in order.lines],
        "ShipFromAddress": {
            "Name": "Demo",
            "AddressLine1": "1 Main St",
            "Email": "ship@demo.example",
            "City": "Seattle",
            "PostalCode": "98101",
            "CountryCode": "US",
            "Phone": "2065550100",
        },
        "PackageDimensions": {"Length": 5, "Width": 5, "Height": 5, "Unit": "inches"},
        "Weight": {"Value": 300, "Unit": "g"},
        "ShippingServiceOptions": {
            "DeliveryExperience": "NoTracking",
            "CarrierWillPickUp": False,
            "LabelFormat": "ZPL203",
        },
    }
    services = http.post(
        "/mfn/v0/eligibleShippingServices", json={"ShipmentRequestDetails": details}
    ).json()
    service_id = services["payload"]["ShippingServiceList"][0]["ShippingServiceId"]
    as_rdt = {"x-amz-access-token": rdt}
    created = http.post(
        "/mfn/v0/shipments",
        json={"ShipmentRequestDetails": details, "ShippingServiceId": service_id},
        headers=as_rdt,
    ).json()["payload"]
    label = gzip.decompress(base64.b64decode(created["Label"]["FileContents"]["Contents"]))
    assert (
        label.startswith(b"^XA")
        and created["Label"]["FileContents"]["FileType"] == "application/zpl"
    )
    assert sim.state.world.by_id[order.order_id].status_at(sim.state.now()) == "Shipped"
    cancelled = http.delete(f"/mfn/v0/shipments/{created['ShipmentId']}", headers=as_rdt).json()[
        "payload"
    ]
    assert cancelled["Status"] == "RefundPending"
    # Amazon's model: after a label refund request the order stays Shipped
    assert sim.state.world.by_id[order.order_id].status_at(sim.state.now()) == "Shipped"
