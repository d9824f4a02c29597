"""Listings Items API 2021-08-01: get, search, patch, put (with VALIDATION_PREVIEW), delete."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

from .catalog import MARKETS
from .clock import iso
from .data import Listing
from .listing_controls import inject_issue as inject_issue  # re-exported for tests
from .listing_controls import inject_listing_issue as inject_listing_issue  # (tests)
from .listing_controls import injected_issues, issue, preview_allowed
from .render import MARKETPLACE_ID, amount, money
from .state import SimState
from .wire import (
    ApiError,
    JsonObj,
    Request,
    Response,
    Route,
    invalid_input,
    json_response,
    not_found,
    require_str,
)

INCLUDED = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
MAX_PRICE = 100_000.0
ZERO_DECIMAL = frozenset({"JPY"})


def _markets(state: SimState, req: Request) -> list[str]:
    if req.params["sellerId"] != state.credentials.seller_id:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")
    markets = req.values("marketplaceIds")
    if not markets:
        raise invalid_input("Missing required parameter marketplaceIds.")
    for market in markets:
        if not MARKETPLACE_ID.match(market):
            raise invalid_input(f"Invalid marketplace id {market!r}.")
    return markets


def _seller_and_market(state: SimState, req: Request) -> str:
    markets = _markets(state, req)
    if len(markets) != 1:
        raise invalid_input("marketplaceIds must contain exactly one marketplace id.")
    return markets[0]


def _included(req: Request) -> set[str]:
    values = set(req.values("includedData")) or {"summaries"}
    if values - INCLUDED:
        raise invalid_input(f"Invalid includedData: {', '.join(sorted(values - INCLUDED))}.")
    return values


def render_item(li: Listing, included: set[str]) -> JsonObj:
    mp = li.marketplace_id
    market = MARKETS[mp]
    item: JsonObj = {"sku": li.sku}
    if "summaries" in included:
        summary: JsonObj = {
            "marketplaceId": mp,
            "asin": li.asin,
            "productType": li.product_type,
            "conditionType": "new_new",
            "status": list(li.status),
            "itemName": li.title,
            "createdDate": iso(li.created),
            "lastUpdatedDate": iso(li.updated),
        }
        if li.channel == "AFN":
            summary["fnSku"] = li.fnsku
        item["summaries"] = [summary]
    if "attributes" in included:
        channel = "AMAZON_NA" if li.channel == "AFN" else "DEFAULT"
        item["attributes"] = {
            "item_name": [
                {"value": li.title, "language_tag": market.language, "marketplace_id": mp}
            ],
            "condition_type": [{"value": "new_new", "marketplace_id": mp}],
            "purchasable_offer": [
                {
                    "marketplace_id": mp,
                    "currency": market.currency,
                    "our_price": [
                        {"schedule": [{"value_with_tax": float(amount(li.price_cents))}]}
                    ],
                }
            ],
            "fulfillment_availability": [
                {"fulfillment_channel_code": channel, "quantity": li.quantity}
            ],
        }
    if "issues" in included:
        item["issues"] = [dict(known, marketplaceIds=[mp]) for known in li.issues]
    if "offers" in included:
        item["offers"] = [
            {"marketplaceId": mp, "offerType": "B2C", "price": money(li.price_cents, mp)}
        ]
    if "fulfillmentAvailability" in included:
        code = "AMAZON_NA" if li.channel == "AFN" else "DEFAULT"
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": code, "quantity": li.quantity}
        ]
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": mp, "productType": li.product_type}]
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": mp, "relationships": []}]
    if "procurement" in included:
        item["procurement"] = []
    return item


def _listing(state: SimState, sku: str, mp: str) -> Listing | None:
    li = state.world.by_sku.get(sku)
    if li is None or li.deleted or li.marketplace_id != mp:
        return None
    return li


def get_item(state: SimState, req: Request) -> Response:
    mp = _seller_and_market(state, req)
    included = _included(req)
    sku = unquote(req.params["sku"])
    with state.world.lock:
        li = _listing(state, sku, mp)
        if li is None:
            raise not_found(f"SKU '{sku}' not found in marketplace {mp}")
        return json_response(200, render_item(li, included))


def search_items(state: SimState, req: Request) -> Response:
    markets = set(_markets(state, req))
    included = _included(req)
    size = req.integer("pageSize", 10, 1, 20)
    token = req.first("pageToken")
    if token:
        ids, next_token, _ = state.pager.resume(token, None, size)
        total = None
    else:
        identifiers = set(req.values("identifiers"))
        id_type = req.first("identifiersType")
        if identifiers and id_type not in ("SKU", "ASIN", "FNSKU"):
            raise invalid_input(
                "identifiersType (SKU, ASIN or FNSKU) is required with identifiers."
            )
        statuses = set(req.values("withStatus"))
        with state.world.lock:
            found = []
            for li in state.world.listings:
                if li.deleted or li.marketplace_id not in markets:
                    continue
                key = {"SKU": li.sku, "ASIN": li.asin, "FNSKU": li.fnsku}.get(id_type or "", "")
                if identifiers and key not in identifiers:
                    continue
                if statuses and not statuses & set(li.status):
                    continue
                found.append(li.sku)
        total = len(found)
        ids, next_token, _ = state.pager.page("listings", found, size, {"total": str(total)})
    with state.world.lock:
        items = [render_item(state.world.by_sku[sku], included) for sku in ids]
    body: JsonObj = {"numberOfResults": total if total is not None else len(items), "items": items}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    return json_response(200, body)


def _price_issues(value: Any, currency: str) -> tuple[list[JsonObj], int | None]:
    """Validate a purchasable_offer attribute value; returns (issues, price in cents)."""
    try:
        offer = value[0]
        price = offer["our_price"][0]["schedule"][0]["value_with_tax"]
    except (TypeError, KeyError, IndexError):
        return [
            issue("90244", "'purchasable_offer' is not in the expected shape.", "purchasable_offer")
        ], None
    issues: list[JsonObj] = []
    if not isinstance(price, int | float) or isinstance(price, bool):
        issues.append(issue("90244", "The price must be a number.", "purchasable_offer"))
    elif price <= 0:
        issues.append(issue("90244", "The price must be greater than 0.", "purchasable_offer"))
    elif price > MAX_PRICE:
        issues.append(
            issue("90244", f"The price must not exceed {MAX_PRICE:.2f}.", "purchasable_offer")
        )
    elif currency in ZERO_DECIMAL and price != int(price):
        issues.append(
            issue("90244", f"Prices in {currency} cannot have decimals.", "purchasable_offer")
        )
    if offer.get("currency") not in (None, currency):
        issues.append(issue("90244", f"The currency must be {currency}.", "purchasable_offer"))
    cents = round(price * 100) if not issues else None
    return issues, cents


def _quantity_issues(value: Any) -> tuple[list[JsonObj], int | None]:
    try:
        quantity = value[0]["quantity"]
    except (TypeError, KeyError, IndexError):
        return [
            issue(
                "90244",
                "'fulfillment_availability' is not in the expected shape.",
                "fulfillment_availability",
            )
        ], None
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        return [
            issue("90244", "The quantity must be a whole number.", "fulfillment_availability")
        ], None
    if quantity < 0:
        return [
            issue("90244", "The quantity must not be negative.", "fulfillment_availability")
        ], None
    return [], quantity


def apply_attributes(
    attributes: dict[str, Any], currency: str
) -> tuple[list[JsonObj], dict[str, Any]]:
    issues: list[JsonObj] = []
    changes: dict[str, Any] = {}
    if "purchasable_offer" in attributes:
        found, cents = _price_issues(attributes["purchasable_offer"], currency)
        issues += found
        changes["price_cents"] = cents
    if "fulfillment_availability" in attributes:
        found, quantity = _quantity_issues(attributes["fulfillment_availability"])
        issues += found
        changes["quantity"] = quantity
    if "item_name" in attributes:
        try:
            title = attributes["item_name"][0]["value"]
        except (TypeError, KeyError, IndexError):
            title = None
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            issues.append(issue("90244", "'item_name' must be 1 to 200 characters.", "item_name"))
        changes["title"] = title
    return issues, changes


def _submission(
    state: SimState,
    sku: str,
    status: str,
    issues: list[JsonObj],
    li: Listing | None,
    mp: str,
    req: Request,
) -> Response:
    body: JsonObj = {
        "sku": sku,
        "status": status,
        "submissionId": uuid.uuid4().hex,
        "issues": issues,
    }
    if li is not None and "identifiers" in set(req.values("includedData")):
        body["identifiers"] = [{"marketplaceId": mp, "asin": li.asin}]
    return json_response(200, body)


def _mode(req: Request) -> bool:
    mode = req.first("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise invalid_input(f"Invalid mode {mode!r}.")
    return mode == "VALIDATION_PREVIEW"


def patch_item(state: SimState, req: Request) -> Response:
    mp = _seller_and_market(state, req)
    preview = _mode(req)
    if preview and not preview_allowed(state):
        raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
    sku = unquote(req.params["sku"])
    body = req.json()
    require_str(body, "productType")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        raise invalid_input("patches must be a non-empty array.")
    attributes: dict[str, Any] = {}
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in (
            "add",
            "replace",
            "merge",
            "delete",
        ):
            raise invalid_input(f"Invalid patch operation {patch!r}.")
        path = patch.get("path")
        if not isinstance(path, str) or not path.startswith("/attributes/"):
            raise invalid_input(f"Invalid patch path {path!r}.")
        if patch["op"] != "delete":
            attributes[path.removeprefix("/attributes/")] = patch.get("value")
    with state.world.lock:
        li = _listing(state, sku, mp)
        if li is None:
            problem = issue(
                "4000003", f"The SKU '{sku}' does not exist in marketplace {mp}.", "sku"
            )
            return _submission(state, sku, "INVALID", [problem], None, mp, req)
        issues, changes = apply_attributes(attributes, MARKETS[mp].currency)
        issues += injected_issues(state, sku, preview=preview)
        if any(i["severity"] == "ERROR" for i in issues):
            return _submission(state, sku, "INVALID", issues, li, mp, req)
        if preview:
            return _submission(state, sku, "VALID", [], li, mp, req)
        commit(state, li, changes)
        return _submission(state, sku, "ACCEPTED", [], li, mp, req)


def commit(state: SimState, li: Listing, changes: dict[str, Any]) -> None:
    if changes.get("price_cents") is not None:
        li.price_cents = changes["price_cents"]
    if changes.get("quantity") is not None:
        li.quantity = changes["quantity"]
    if changes.get("title"):
        li.title = changes["title"]
    li.updated = state.now()


def put_item(state: SimState, req: Request) -> Response:
    mp = _seller_and_market(state, req)
    preview = _mode(req)
    sku = unquote(req.params["sku"])
    body = req.json()
    product_type = require_str(body, "productType")
    attributes = body.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid_input("attributes must be an object.")
    issues, changes = apply_attributes(attributes, MARKETS[mp].currency)
    with state.world.lock:
        existing = state.world.by_sku.get(sku)
        if existing is not None and existing.marketplace_id != mp and not existing.deleted:
            issues.append(issue("8541", f"The SKU '{sku}' is used in another marketplace.", "sku"))
        for required in ("item_name", "purchasable_offer"):
            if required not in attributes:
                issues.append(
                    issue("90220", f"'{required}' is required but not supplied.", required)
                )
        if issues:
            return _submission(state, sku, "INVALID", issues, None, mp, req)
        if preview:
            return _submission(state, sku, "VALID", [], existing, mp, req)
        now = state.now()
        if existing is None or existing.deleted:
            n = len(state.world.listings)
            existing = Listing(
                sku=sku,
                asin=f"B0SIM{n:05d}",
                fnsku=f"X00SIM{n:04d}",
                title=changes["title"],
                product_type=product_type,
                marketplace_id=mp,
                price_cents=changes["price_cents"],
                quantity=changes.get("quantity") or 0,
                channel="MFN",
                status=("DISCOVERABLE",),
                created=now,
                updated=now,
                listing_id=f"SIM{n:07d}",
            )
            state.world.listings.append(existing)
            state.world.by_sku[sku] = existing
        else:
            existing.product_type = product_type
            commit(state, existing, changes)
        return _submission(state, sku, "ACCEPTED", [], existing, mp, req)


def delete_item(state: SimState, req: Request) -> Response:
    mp = _seller_and_market(state, req)
    sku = unquote(req.params["sku"])
    with state.world.lock:
        li = _listing(state, sku, mp)
        if li is None:
            problem = issue(
                "4000003", f"The SKU '{sku}' does not exist in marketplace {mp}.", "sku"
            )
            return _submission(state, sku, "INVALID", [problem], None, mp, req)
        li.deleted = True
        li.updated = state.now()
    return _submission(state, sku, "ACCEPTED", [], None, mp, req)


_ITEM = "/listings/2021-08-01/items/{sellerId}/{sku}"
ROUTES = [
    Route("GET", "/listings/2021-08-01/items/{sellerId}", "searchListingsItems", search_items),
    Route("GET", _ITEM, "getListingsItem", get_item),
    Route("PATCH", _ITEM, "patchListingsItem", patch_item),
    Route("PUT", _ITEM, "putListingsItem", put_item),
    Route("DELETE", _ITEM, "deleteListingsItem", delete_item),
]
