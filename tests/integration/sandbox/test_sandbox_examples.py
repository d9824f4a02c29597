"""Replay every ``x-amzn-api-sandbox`` static example of the operations the simulator serves.

The request of each example is sent as written, except for identifiers and required inputs
that only make sense in Amazon's own sandbox: for examples that expect success, ids of orders,
SKUs, reports, feeds, documents and shipments are swapped for ids that exist in the simulator,
and missing required inputs (sellerId, marketplaceIds, a patch body) are filled in. Examples
that expect success must succeed with the same status code; examples that expect an error must
be answered with a 4xx error. Either way the body must validate against the model.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from kinxpro_desktop.sandbox import Simulator

from .conftest import SimFactory
from .contracts import OPERATIONS, load_model, operation, response_errors
from .support import US


@dataclass(frozen=True)
class Example:
    sim_operation: str
    status: int
    parameters: dict[str, Any]


def _examples() -> list[Example]:
    out = []
    for sim_op in OPERATIONS:
        _, _, _, op = operation(sim_op)
        for status, response in op["responses"].items():
            static = (response.get("x-amzn-api-sandbox") or {}).get("static", [])
            for example in static:
                params = {
                    name: spec["value"]
                    for name, spec in example["request"].get("parameters", {}).items()
                    if isinstance(spec, dict) and "value" in spec
                }
                out.append(Example(sim_op, int(status), params))
    return out


EXAMPLES = _examples()


def test_the_examples_cover_the_served_operations() -> None:
    covered = {e.sim_operation for e in EXAMPLES}
    # FBA Inventory has no static examples in its model
    assert covered == set(OPERATIONS) - {"getInventorySummaries"}
    assert len(EXAMPLES) >= 55
    assert load_model(OPERATIONS["getOrders"][0])["swagger"] == "2.0"


class World:
    """Entities in the simulator that the success examples are pointed at (made lazily)."""

    def __init__(self, sim: Simulator, http: httpx.Client) -> None:
        self.sim = sim
        self.http = http

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"x-amz-access-token": token} if token else {}
        response = self.http.request(method, path, headers=headers, **kw)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    @cached_property
    def shipped_order(self) -> str:
        now = self.sim.state.now()
        return next(
            o.order_id for o in self.sim.state.world.visible(now) if o.status_at(now) == "Shipped"
        )

    def unshipped_mfn(self) -> tuple[str, list[dict[str, Any]]]:
        now = self.sim.state.now()
        for o in reversed(self.sim.state.world.visible(now)):
            if o.channel == "MFN" and o.marketplace_id == US and o.status_at(now) == "Unshipped":
                return o.order_id, [{"id": ln.item_id, "qty": ln.quantity} for ln in o.lines]
        raise AssertionError("no unshipped US MFN order")

    @cached_property
    def sku(self) -> str:
        return next(li.sku for li in self.sim.state.world.listings if li.marketplace_id == US)

    @cached_property
    def rdt(self) -> str:
        body = {
            "restrictedResources": [
                {"method": m, "path": p}
                for m, p in (
                    ("POST", "/mfn/v0/shipments"),
                    ("GET", "/mfn/v0/shipments/{shipmentId}"),
                    ("DELETE", "/mfn/v0/shipments/{shipmentId}"),
                )
            ]
        }
        return str(
            self.call("POST", "/tokens/2021-03-01/restrictedDataToken", json=body)[
                "restrictedDataToken"
            ]
        )

    def mfn_details(self, details: dict[str, Any]) -> dict[str, Any]:
        order_id, items = self.unshipped_mfn()
        out = copy.deepcopy(details)
        out["AmazonOrderId"] = order_id
        out["ItemList"] = [{"OrderItemId": i["id"], "Quantity": i["qty"]} for i in items]
        return out

    @cached_property
    def shipment(self) -> str:
        details = self.mfn_details(
            {
                "ShipFromAddress": {
                    "Name": "Demo",
                    "AddressLine1": "1 Main St",
                    "Email": "a@b.example",
                    "City": "Seattle",
                    "PostalCode": "98101",
                    "CountryCode": "US",
                    "Phone": "2065550100",
                },
                "PackageDimensions": {"Length": 5, "Width": 5, "Height": 5, "Unit": "inches"},
                "Weight": {"Value": 5, "Unit": "oz"},
                "ShippingServiceOptions": {
                    "DeliveryExperience": "NoTracking",
                    "CarrierWillPickUp": False,
                },
            }
        )
        body = {"ShipmentRequestDetails": details, "ShippingServiceId": "USPS_PTP_GA"}
        payload = self.call("POST", "/mfn/v0/shipments", self.rdt, json=body)["payload"]
        return str(payload["ShipmentId"])

    @cached_property
    def feed_document(self) -> str:
        created = self.call(
            "POST", "/feeds/2021-06-30/documents", json={"contentType": "application/json"}
        )
        feed = {
            "header": {"sellerId": self.sim.credentials.seller_id, "version": "2.0"},
            "messages": [],
        }
        upload = self.http.put(created["url"], content=json.dumps(feed).encode())
        assert upload.status_code == 200
        return str(created["feedDocumentId"])

    @cached_property
    def feed(self) -> str:
        body = {
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [US],
            "inputFeedDocumentId": self.feed_document,
        }
        return str(self.call("POST", "/feeds/2021-06-30/feeds", json=body)["feedId"])

    @cached_property
    def result_document(self) -> str:
        feed_id = self.feed
        self.sim.advance(60)
        return str(self.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}")["resultFeedDocumentId"])

    def new_report(self) -> str:
        body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
        return str(self.call("POST", "/reports/2021-06-30/reports", json=body)["reportId"])

    @cached_property
    def report_document(self) -> str:
        report_id = self.new_report()
        self.sim.advance(60)
        return str(self.call("GET", f"/reports/2021-06-30/reports/{report_id}")["reportDocumentId"])


LISTING_BODY = {
    "productType": "HOME",
    "patches": [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}],
        }
    ],
}
PUT_BODY = {
    "productType": "HOME",
    "requirements": "LISTING",
    "attributes": {
        "item_name": [{"value": "Kinxpro Demo Replayed Item", "marketplace_id": US}],
        "purchasable_offer": [
            {
                "marketplace_id": US,
                "currency": "USD",
                "our_price": [{"schedule": [{"value_with_tax": 9.99}]}],
            }
        ],
    },
}


def _fix_success(ex: Example, params: dict[str, Any], w: World) -> None:
    """Swap Amazon-sandbox identifiers for ones that exist in the simulator."""
    op = ex.sim_operation
    seller = w.sim.credentials.seller_id
    if op == "getOrder2026":
        params["orderId"] = w.shipped_order
    elif op == "searchOrders" and "paginationToken" in params:
        first = {k: v for k, v in params.items() if k != "paginationToken"}
        first["maxResultsPerPage"] = 1
        page = w.call("GET", "/orders/2026-01-01/orders", params=_query(first))
        token = (page.get("pagination") or {}).get("nextToken")
        if token:
            params["paginationToken"] = token
            params["maxResultsPerPage"] = 1
        else:
            del params["paginationToken"]  # no second page to ask for in this marketplace
    elif op == "getOrders":
        params["CreatedAfter"] = "2026-02-20T00:00:00Z"
        if "NextToken" in params:
            first = {k: v for k, v in params.items() if k != "NextToken"}
            first["MaxResultsPerPage"] = 1
            page = w.call("GET", "/orders/v0/orders", params=_query(first))
            params["NextToken"] = page["payload"]["NextToken"]
    elif op == "getOrderItems":
        params["orderId"] = w.shipped_order
    elif op == "confirmShipment":
        order_id, items = w.unshipped_mfn()
        params["orderId"] = order_id
        body = copy.deepcopy(params["body"])
        body["packageDetail"]["orderItems"] = [
            {"orderItemId": i["id"], "quantity": i["qty"]} for i in items
        ]
        params["body"] = body
    elif op in (
        "getListingsItem",
        "patchListingsItem",
        "putListingsItem",
        "deleteListingsItem",
        "searchListingsItems",
    ):
        params["sellerId"] = seller
        params.setdefault("marketplaceIds", [US])
        if op in ("getListingsItem", "deleteListingsItem") or (
            op == "patchListingsItem" and "sku" not in params
        ):
            params["sku"] = w.sku
        params.setdefault("sku", w.sku)
        if op == "patchListingsItem" and not params.get("body"):
            params["body"] = LISTING_BODY
        if op == "putListingsItem" and not params.get("body"):
            params["body"] = PUT_BODY
    elif op in ("getFeed", "cancelFeed"):
        params["feedId"] = w.feed
    elif op == "getFeedDocument":
        params["feedDocumentId"] = w.result_document
    elif op == "createFeed":
        params["body"] = {**params["body"], "inputFeedDocumentId": w.feed_document}
    elif op in ("getReport", "cancelReport"):
        params["reportId"] = w.new_report()
    elif op == "getReportDocument":
        params["reportDocumentId"] = w.report_document
    elif op in ("getEligibleShipmentServices", "createShipment"):
        body = copy.deepcopy(params["body"])
        body["ShipmentRequestDetails"] = w.mfn_details(body["ShipmentRequestDetails"])
        if op == "createShipment":
            body["ShippingServiceId"] = "UPS_PTP_GND"  # the example's service is not offered here
        params["body"] = body
    elif op in ("getShipment", "cancelShipment"):
        params["shipmentId"] = w.shipment


def _fix_error(ex: Example, params: dict[str, Any], w: World) -> None:
    """Error examples keep their bad values; only absent path parts are filled in."""
    if ex.sim_operation.endswith(("ListingsItem", "ListingsItems")):
        params.setdefault("sellerId", w.sim.credentials.seller_id)
        params.setdefault("sku", "NoSuchSku")


def _query(params: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in params.items():
        if isinstance(value, list):
            out[key] = ",".join(map(str, value))
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


@pytest.mark.parametrize(
    "example",
    EXAMPLES,
    ids=[f"{e.sim_operation}-{e.status}-{i}" for i, e in enumerate(EXAMPLES)],
)
def test_sandbox_example_is_answered_per_the_model(make_sim: SimFactory, example: Example) -> None:
    sim = make_sim(orders=1500, days=30, listings=60)
    c = sim.credentials
    with httpx.Client(base_url=sim.base_url, timeout=10) as http:
        token = http.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": c.refresh_token,
                "client_id": c.client_id,
                "client_secret": c.client_secret,
            },
        ).json()["access_token"]
        http.headers["x-amz-access-token"] = token
        w = World(sim, http)
        params = copy.deepcopy(example.parameters)
        success = example.status < 300
        (_fix_success if success else _fix_error)(example, params, w)
        _, path, method, op = operation(example.sim_operation)
        declared = {p["name"]: p for p in op.get("parameters", [])}
        body = None
        query: dict[str, Any] = {}
        for name, value in params.items():
            where = "body" if name == "body" else declared.get(name, {}).get("in", "query")
            if where == "body":
                body = value
            elif where == "path":
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            else:
                query[name] = value
        path = path.replace("{reportId}", "")  # cancelReport's error example has no id
        headers = {}
        if example.sim_operation in ("createShipment", "getShipment", "cancelShipment") and success:
            headers["x-amz-access-token"] = w.rdt
        response = http.request(method, path, params=_query(query), json=body, headers=headers)
    if success:
        assert response.status_code == example.status, response.text
    else:
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["errors"]
    assert response_errors(example.sim_operation, response.status_code, response.content) == []
