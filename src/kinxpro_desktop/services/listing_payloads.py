"""The wire side of Submit: Amazon's answers and documents read into issues and current
values, and staged changes written as Listings patches (shared by patches and feeds)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kinxpro_desktop.core.listing_edits import (
    PRICE,
    QUANTITY,
    ChangeIssue,
    ChangeStatus,
    StagedChange,
)
from kinxpro_desktop.core.marketplaces import currency_decimals, currency_of

Json = dict[str, Any]


@dataclass(frozen=True)
class SkuResult:
    sku: str
    marketplace_id: str
    status: str  # a ChangeStatus value, or "valid" / "invalid" for a preview only
    fields: tuple[str, ...]
    issues: tuple[str, ...] = ()
    amazon: dict[str, str | None] = field(default_factory=dict)


@dataclass
class SubmitReport:
    preview_only: bool
    via: str = ""  # "patch", "feed", "" (nothing applied)
    results: list[SkuResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[SkuResult]:
        return [r for r in self.results if r.status in (ChangeStatus.REJECTED, "invalid")]

    @property
    def conflicts(self) -> list[SkuResult]:
        return [r for r in self.results if r.status == ChangeStatus.CONFLICT]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


@dataclass
class Item:
    sku: str
    marketplace_id: str
    changes: list[StagedChange]
    product_type: str = ""
    current: Json = field(default_factory=dict)  # Amazon's attributes now

    @property
    def ids(self) -> list[int]:
        return [c.change_id for c in self.changes]

    @property
    def currency(self) -> str:
        return currency_of(self.marketplace_id)


def amazon_issues(raw: object) -> tuple[ChangeIssue, ...]:
    out = []
    for issue in raw if isinstance(raw, list) else []:
        if not isinstance(issue, dict):
            continue
        names = issue.get("attributeNames") or (
            [issue["attributeName"]] if issue.get("attributeName") else []
        )
        out.append(
            ChangeIssue(
                message=str(issue.get("message", "")),
                code=str(issue.get("code", "")),
                severity=str(issue.get("severity", "ERROR")),
                attribute=str(names[0]) if names else "",
            )
        )
    return tuple(out)


def _first(value: object) -> Json:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


def current_values(raw: Json) -> tuple[str, dict[str, str | None], Json]:
    """(productType, {price, quantity} as Amazon has them now, attributes)."""
    summary = _first(raw.get("summaries"))
    attributes = raw.get("attributes") if isinstance(raw.get("attributes"), dict) else {}
    assert isinstance(attributes, dict)
    offer = _first(attributes.get("purchasable_offer"))
    schedule = _first(_first(offer.get("our_price")).get("schedule"))
    price = schedule.get("value_with_tax")
    quantity = _first(attributes.get("fulfillment_availability")).get("quantity")
    values: dict[str, str | None] = {
        PRICE: None if price is None else str(Decimal(str(price))),
        QUANTITY: None if quantity is None else str(quantity),
    }
    return str(summary.get("productType") or "PRODUCT"), values, attributes


def build_patches(item: Item) -> list[Json]:
    patches: list[Json] = []
    decimals = currency_decimals(item.currency)
    for change in item.changes:
        if change.field == PRICE:
            amount = Decimal(change.new_value)
            number: float | int = int(amount) if decimals == 0 else float(amount)
            patches.append(
                {
                    "op": "replace",
                    "path": "/attributes/purchasable_offer",
                    "value": [
                        {
                            "marketplace_id": item.marketplace_id,
                            "currency": item.currency,
                            "our_price": [{"schedule": [{"value_with_tax": number}]}],
                        }
                    ],
                }
            )
        elif change.field == QUANTITY:
            # keep Amazon's other fulfilment fields (a replace drops what is not resent)
            now = dict(_first(item.current.get("fulfillment_availability")))
            now.setdefault("fulfillment_channel_code", "DEFAULT")
            now["quantity"] = int(change.new_value)
            patches.append(
                {"op": "replace", "path": "/attributes/fulfillment_availability", "value": [now]}
            )
    return patches


def group(changes: Sequence[StagedChange]) -> list[Item]:
    by_key: dict[tuple[str, str], Item] = {}
    for c in changes:
        item = by_key.setdefault(c.key, Item(c.sku, c.marketplace_id, []))
        item.changes.append(c)
    return list(by_key.values())


def result_issues(text: str) -> dict[int, list[ChangeIssue]]:
    """A JSON_LISTINGS_FEED processing report: issues by messageId."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    out: dict[int, list[ChangeIssue]] = defaultdict(list)
    for issue in data.get("issues", []) if isinstance(data, dict) else []:
        if isinstance(issue, dict) and isinstance(issue.get("messageId"), int):
            out[issue["messageId"]].extend(amazon_issues([issue]))
    return out
