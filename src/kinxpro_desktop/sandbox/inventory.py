"""FBA Inventory API v1: ``getInventorySummaries`` for the seller's FBA listings."""

from __future__ import annotations

from .clock import iso
from .render import MARKETPLACE_ID
from .report_data import inventory_quantities
from .state import SimState
from .wire import JsonObj, Request, Response, Route, invalid_input, json_response

PAGE_SIZE = 50


def summaries(state: SimState, req: Request) -> Response:
    if req.first("granularityType") != "Marketplace":
        raise invalid_input("granularityType must be Marketplace.")
    granularity_id = req.first("granularityId")
    markets = req.values("marketplaceIds")
    if not granularity_id or len(markets) != 1 or not MARKETPLACE_ID.match(markets[0]):
        raise invalid_input("granularityId and exactly one marketplaceIds value are required.")
    details = (req.first("details") or "false").lower() == "true"
    wanted = set(req.values("sellerSkus"))
    single = req.first("sellerSku")
    if single:
        wanted.add(single)
    token = req.first("nextToken")
    if token:
        skus, next_token, _ = state.pager.resume(token, None, PAGE_SIZE)
    else:
        with state.world.lock:
            found = [
                li.sku
                for li in state.world.listings
                if li.channel == "AFN"
                and not li.deleted
                and li.marketplace_id == markets[0]
                and (not wanted or li.sku in wanted)
            ]
        skus, next_token, _ = state.pager.page("inventory", found, PAGE_SIZE)
    rows: list[JsonObj] = []
    with state.world.lock:
        for sku in skus:
            li = state.world.by_sku[sku]
            q = inventory_quantities(li)
            inbound = q["inbound_working"] + q["inbound_shipped"] + q["inbound_receiving"]
            row: JsonObj = {
                "asin": li.asin,
                "fnSku": li.fnsku,
                "sellerSku": li.sku,
                "condition": "NewItem",
                "lastUpdatedTime": iso(li.updated),
                "productName": li.title,
                "totalQuantity": q["fulfillable"] + q["unsellable"] + q["reserved"] + inbound,
                "stores": [],
            }
            if details:
                row["inventoryDetails"] = {
                    "fulfillableQuantity": q["fulfillable"],
                    "inboundWorkingQuantity": q["inbound_working"],
                    "inboundShippedQuantity": q["inbound_shipped"],
                    "inboundReceivingQuantity": q["inbound_receiving"],
                    "reservedQuantity": {
                        "totalReservedQuantity": q["reserved"],
                        "pendingCustomerOrderQuantity": q["reserved"],
                        "pendingTransshipmentQuantity": 0,
                        "fcProcessingQuantity": 0,
                    },
                    "researchingQuantity": {"totalResearchingQuantity": q["researching"]},
                    "unfulfillableQuantity": {"totalUnfulfillableQuantity": q["unsellable"]},
                }
            rows.append(row)
    body: JsonObj = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": granularity_id},
            "inventorySummaries": rows,
        }
    }
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    return json_response(200, body)


ROUTES = [Route("GET", "/fba/inventory/v1/summaries", "getInventorySummaries", summaries)]
