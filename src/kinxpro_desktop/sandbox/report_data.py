"""Report documents with Amazon's column names: tab-separated flat files, and one JSON report."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from .catalog import MARKETS
from .clock import iso
from .data import DAY, Listing, Order, World
from .render import amount

LISTINGS_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity",
    "open-date", "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee",
    "item-note", "item-condition", "zshop-category1", "zshop-browse-path",
    "zshop-storefront-feature", "asin1", "asin2", "asin3", "will-ship-internationally",
    "expedited-shipping", "zshop-boldface", "product-id", "bid-for-featured-placement",
    "add-delete", "pending-quantity", "fulfillment-channel", "merchant-shipping-group", "status",
)  # fmt: skip
ORDERS_COLUMNS = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
    "order-status", "fulfillment-channel", "sales-channel", "order-channel",
    "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity", "currency",
    "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
    "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
    "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
)  # fmt: skip
INVENTORY_COLUMNS = (
    "sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
    "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity",
    "afn-fulfillable-quantity", "afn-unsellable-quantity", "afn-reserved-quantity",
    "afn-total-quantity", "per-unit-volume", "afn-inbound-working-quantity",
    "afn-inbound-shipped-quantity", "afn-inbound-receiving-quantity",
    "afn-researching-quantity", "afn-reserved-future-supply", "afn-future-supply-buyable",
)  # fmt: skip
SETTLEMENT_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
    "total-amount", "currency", "transaction-type", "order-id", "merchant-order-id",
    "adjustment-id", "shipment-id", "marketplace-name", "amount-type", "amount-description",
    "amount", "fulfillment-id", "posted-date", "posted-date-time", "order-item-code",
    "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)  # fmt: skip


def _tsv(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> tuple[bytes, int]:
    lines = ["\t".join(columns)]
    count = 0
    for row in rows:
        lines.append("\t".join(row.get(c, "").replace("\t", " ") for c in columns))
        count += 1
    return ("\n".join(lines) + "\n").encode("utf-8"), count


def _local(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _offset_iso(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def listings_report(world: World, markets: set[str]) -> tuple[bytes, int]:
    def rows() -> Iterable[dict[str, str]]:
        for li in world.listings:
            if li.deleted or li.marketplace_id not in markets:
                continue
            status = "Active" if "BUYABLE" in li.status else "Inactive"
            if li.status == ("DISCOVERABLE",):
                status = "Incomplete"
            yield {
                "item-name": li.title,
                "listing-id": li.listing_id,
                "seller-sku": li.sku,
                "price": amount(li.price_cents),
                "quantity": "" if li.channel == "AFN" else str(li.quantity),
                "open-date": _local(li.created),
                "item-is-marketplace": "y",
                "product-id-type": "1",
                "item-condition": "11",
                "asin1": li.asin,
                "will-ship-internationally": "1",
                "product-id": li.asin,
                "pending-quantity": "0",
                "fulfillment-channel": "AMAZON_NA" if li.channel == "AFN" else "DEFAULT",
                "merchant-shipping-group": "Migrated Template",
                "status": status,
            }

    return _tsv(LISTINGS_COLUMNS, rows())


def orders_report(
    world: World, orders: list[Order], markets: set[str], now: float
) -> tuple[bytes, int]:
    def rows() -> Iterable[dict[str, str]]:
        for o in orders:
            if o.marketplace_id not in markets:
                continue
            updated, status = o.stage_at(now)
            buyer = world.buyer(o)
            market = MARKETS[o.marketplace_id]
            for line in o.lines:
                yield {
                    "amazon-order-id": o.order_id,
                    "merchant-order-id": o.order_id,
                    "purchase-date": _offset_iso(o.created),
                    "last-updated-date": _offset_iso(updated),
                    "order-status": status,
                    "fulfillment-channel": "Amazon" if o.channel == "AFN" else "Merchant",
                    "sales-channel": market.name,
                    "ship-service-level": "Standard"
                    if o.service_level.startswith("Std")
                    else "Expedited",
                    "product-name": line.listing.title,
                    "sku": line.listing.sku,
                    "asin": line.listing.asin,
                    "item-status": "Cancelled" if status == "Canceled" else status,
                    "quantity": str(line.quantity),
                    "currency": market.currency,
                    "item-price": amount(line.unit_cents * line.quantity),
                    "item-tax": amount(line.tax_cents),
                    "shipping-price": amount(line.shipping_cents),
                    "shipping-tax": "0.00",
                    "gift-wrap-price": "0.00",
                    "gift-wrap-tax": "0.00",
                    "item-promotion-discount": "0.00",
                    "ship-promotion-discount": "0.00",
                    "ship-city": buyer.city,
                    "ship-state": buyer.state,
                    "ship-postal-code": buyer.postal,
                    "ship-country": buyer.country,
                    "is-business-order": "true" if o.business else "false",
                }

    return _tsv(ORDERS_COLUMNS, rows())


def inventory_quantities(li: Listing) -> dict[str, int]:
    """FBA quantities for a listing (shared by the inventory report and API)."""
    h = sum(ord(c) for c in li.sku)
    fulfillable = li.quantity
    return {
        "fulfillable": fulfillable,
        "unsellable": h % 3,
        "reserved": h % 5,
        "inbound_working": (h // 3) % 4,
        "inbound_shipped": (h // 5) % 6,
        "inbound_receiving": (h // 7) % 3,
        "researching": h % 2,
    }


def inventory_report(world: World, markets: set[str]) -> tuple[bytes, int]:
    def rows() -> Iterable[dict[str, str]]:
        for li in world.listings:
            if li.deleted or li.channel != "AFN" or li.marketplace_id not in markets:
                continue
            q = inventory_quantities(li)
            warehouse = q["fulfillable"] + q["unsellable"] + q["reserved"]
            inbound = q["inbound_working"] + q["inbound_shipped"] + q["inbound_receiving"]
            yield {
                "sku": li.sku,
                "fnsku": li.fnsku,
                "asin": li.asin,
                "product-name": li.title,
                "condition": "New",
                "your-price": amount(li.price_cents),
                "mfn-listing-exists": "No",
                "afn-listing-exists": "Yes",
                "afn-warehouse-quantity": str(warehouse),
                "afn-fulfillable-quantity": str(q["fulfillable"]),
                "afn-unsellable-quantity": str(q["unsellable"]),
                "afn-reserved-quantity": str(q["reserved"]),
                "afn-total-quantity": str(warehouse + inbound),
                "per-unit-volume": "0.12",
                "afn-inbound-working-quantity": str(q["inbound_working"]),
                "afn-inbound-shipped-quantity": str(q["inbound_shipped"]),
                "afn-inbound-receiving-quantity": str(q["inbound_receiving"]),
                "afn-researching-quantity": str(q["researching"]),
                "afn-reserved-future-supply": "0",
                "afn-future-supply-buyable": "0",
            }

    return _tsv(INVENTORY_COLUMNS, rows())


def sales_and_traffic_report(
    orders: list[Order], markets: list[str], start: float, end: float, now: float
) -> tuple[bytes, int]:
    by_date: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_asin: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    currency = MARKETS[markets[0]].currency if markets and markets[0] in MARKETS else "USD"
    for o in orders:
        if o.marketplace_id not in markets or o.status_at(now) == "Canceled":
            continue
        day = datetime.fromtimestamp(o.created, UTC).strftime("%Y-%m-%d")
        for line in o.lines:
            sales = line.unit_cents * line.quantity
            by_date[day]["sales"] += sales
            by_date[day]["units"] += line.quantity
            by_date[day]["items"] += 1
            key = (line.listing.asin, line.listing.sku)
            by_asin[key]["sales"] += sales
            by_asin[key]["units"] += line.quantity
            by_asin[key]["items"] += 1
    doc = {
        "reportSpecification": {
            "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
            "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "CHILD"},
            "dataStartTime": iso(start)[:10],
            "dataEndTime": iso(end)[:10],
            "marketplaceIds": markets,
        },
        "salesAndTrafficByDate": [
            {
                "date": day,
                "salesByDate": {
                    "orderedProductSales": {"amount": v["sales"] / 100, "currencyCode": currency},
                    "unitsOrdered": v["units"],
                    "totalOrderItems": v["items"],
                },
                "trafficByDate": {
                    "pageViews": v["units"] * 23,
                    "sessions": v["units"] * 17,
                    "buyBoxPercentage": 97.5,
                    "unitSessionPercentage": round(100 / 17, 2),
                },
            }
            for day, v in sorted(by_date.items())
        ],
        "salesAndTrafficByAsin": [
            {
                "parentAsin": asin,
                "childAsin": asin,
                "sku": sku,
                "salesByAsin": {
                    "unitsOrdered": v["units"],
                    "orderedProductSales": {"amount": v["sales"] / 100, "currencyCode": currency},
                    "totalOrderItems": v["items"],
                },
                "trafficByAsin": {"pageViews": v["units"] * 23, "sessions": v["units"] * 17},
            }
            for (asin, sku), v in sorted(by_asin.items())
        ],
    }
    rows = len(doc["salesAndTrafficByDate"])  # type: ignore[arg-type]
    return json.dumps(doc, indent=1).encode("utf-8"), rows


def settlement_report(
    settlement_id: str,
    orders: list[Order],
    start: float,
    end: float,
    now: float,
    market: str = "ATVPDKIKX0DER",
) -> tuple[bytes, int]:
    """A settlement period's order transactions in one marketplace (the US unless the
    report says otherwise), summary row first."""
    domain, currency = MARKETS[market].domain, MARKETS[market].currency
    rows: list[dict[str, str]] = []
    total = 0
    for o in orders:
        if o.marketplace_id != market or o.status_at(now) != "Shipped":
            continue
        shipped_at = o.stages[-1][0]
        if not start <= shipped_at < end:
            continue
        for line in o.lines:
            principal = line.unit_cents * line.quantity
            commission = -round(principal * 0.15)
            fba_fee = -(322 * line.quantity) if o.channel == "AFN" else 0
            parts = [
                ("ItemPrice", "Principal", principal),
                ("ItemPrice", "Tax", line.tax_cents),
                ("ItemPrice", "Shipping", line.shipping_cents),
                ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -line.tax_cents),
                ("ItemFees", "Commission", commission),
            ]
            if fba_fee:
                parts.append(("ItemFees", "FBAPerUnitFulfillmentFee", fba_fee))
            for amount_type, description, cents in parts:
                total += cents
                rows.append(
                    {
                        "settlement-id": settlement_id,
                        "transaction-type": "Order",
                        "order-id": o.order_id,
                        "merchant-order-id": o.order_id,
                        "shipment-id": f"D{o.order_id[-7:]}",
                        "marketplace-name": domain,
                        "amount-type": amount_type,
                        "amount-description": description,
                        "amount": amount(cents),
                        "fulfillment-id": "AFN" if o.channel == "AFN" else "MFN",
                        "posted-date": datetime.fromtimestamp(shipped_at, UTC).strftime("%Y-%m-%d"),
                        "posted-date-time": _offset_iso(shipped_at),
                        "order-item-code": line.item_id,
                        "sku": line.listing.sku,
                        "quantity-purchased": str(line.quantity),
                    }
                )
    summary = {
        "settlement-id": settlement_id,
        "settlement-start-date": _offset_iso(start),
        "settlement-end-date": _offset_iso(end),
        "deposit-date": _offset_iso(end + 2 * DAY),
        "total-amount": amount(total),
        "currency": currency,
    }
    return _tsv(SETTLEMENT_COLUMNS, [summary, *rows])


MARKETS_US = "ATVPDKIKX0DER"
MARKET_JP = "A1VC38T7YXB528"

#: the All Listings report as Amazon.co.jp sends it: Japanese column names (models#2293)
LISTINGS_COLUMNS_JP = (
    "商品名", "出品ID", "出品者SKU", "価格", "数量", "出品日", "商品IDタイプ", "コンディション説明",
    "コンディション", "ASIN 1", "国外へ配送可", "迅速な配送", "商品ID", "在庫数",
    "フルフィルメント・チャンネル", "ステータス",
)  # fmt: skip
_JP_NOUNS = (
    "ステンレス製 真空断熱 水筒 500ml", "竹製 まな板 大", "電気ケトル 1.0L", "ヨガマット 厚手 10mm",
    "シリコン製 調理スプーン", "折りたたみ 収納ボックス", "ワイヤレス イヤホン 充電ケース付き",
)  # fmt: skip


#: the English names Amazon uses for those columns (preferredReportDocumentLocale en_US)
_JP_COLUMNS_IN_ENGLISH = dict(
    zip(
        LISTINGS_COLUMNS_JP,
        (
            "item-name", "listing-id", "seller-sku", "price", "quantity", "open-date",
            "product-id-type", "item-note", "item-condition", "asin1",
            "will-ship-internationally", "expedited-shipping", "product-id",
            "pending-quantity", "fulfillment-channel", "status",
        ),
        strict=True,
    )
)  # fmt: skip


def listings_report_jp(world: World, *, english_headers: bool = False) -> tuple[bytes, int]:
    """Amazon.co.jp's All Listings report: Japanese headers and titles, prices in yen. The
    simulated JP shop mirrors the US catalogue (the world has no JP orders). With
    `english_headers` (preferredReportDocumentLocale en_US) only the header row is English."""

    def rows() -> Iterable[dict[str, str]]:
        for li in world.listings:
            if li.deleted or li.marketplace_id != MARKETS_US:
                continue
            noun = _JP_NOUNS[sum(map(ord, li.sku)) % len(_JP_NOUNS)]
            yield {
                "商品名": f"【{li.sku}】{noun}",
                "出品ID": li.listing_id,
                "出品者SKU": li.sku,
                "価格": str(li.price_cents * 15 // 10),
                "数量": "" if li.channel == "AFN" else str(li.quantity),
                "出品日": datetime.fromtimestamp(int(li.created), UTC).strftime(
                    "%Y/%m/%d %H:%M:%S JST"
                ),
                "商品IDタイプ": "1",
                "コンディション": "11",
                "ASIN 1": li.asin,
                "商品ID": li.asin,
                "在庫数": "0",
                "フルフィルメント・チャンネル": "AMAZON_JP" if li.channel == "AFN" else "DEFAULT",
                "ステータス": "出品中" if "BUYABLE" in li.status else "停止中",
            }

    if not english_headers:
        return _tsv(LISTINGS_COLUMNS_JP, rows())
    english = tuple(_JP_COLUMNS_IN_ENGLISH[c] for c in LISTINGS_COLUMNS_JP)
    renamed = ({_JP_COLUMNS_IN_ENGLISH[k]: v for k, v in row.items()} for row in rows())
    return _tsv(english, renamed)


LEDGER_COLUMNS = (
    "Date", "FNSKU", "ASIN", "MSKU", "Title", "Disposition", "Starting Warehouse Balance",
    "In Transit Between Warehouses", "Receipts", "Customer Shipments", "Customer Returns",
    "Vendor Returns", "Warehouse Transfer In/Out", "Found", "Lost", "Damaged", "Disposed",
    "Other Events", "Ending Warehouse Balance", "Unknown Events", "Location",
)  # fmt: skip


def ledger_summary_report(
    world: World, orders: list[Order], markets: set[str], start: float, end: float, now: float
) -> tuple[bytes, int]:
    """GET_LEDGER_SUMMARY_VIEW_DATA, monthly by country: one row per FBA SKU and month."""
    shipped: dict[tuple[str, str], int] = defaultdict(int)
    for o in orders:
        if o.channel != "AFN" or o.marketplace_id not in markets or o.status_at(now) != "Shipped":
            continue
        month = datetime.fromtimestamp(o.created, UTC).strftime("%m/%Y")
        for line in o.lines:
            shipped[(line.listing.sku, month)] += line.quantity
    months: list[str] = []
    t = start
    while t <= end:
        m = datetime.fromtimestamp(t, UTC).strftime("%m/%Y")
        if m not in months:
            months.append(m)
        t += DAY

    def rows() -> Iterable[dict[str, str]]:
        for li in world.listings:
            if li.deleted or li.channel != "AFN" or li.marketplace_id not in markets:
                continue
            country = MARKETS[li.marketplace_id].country
            for month in months:
                out = shipped.get((li.sku, month), 0)
                ending = li.quantity
                receipts = out + (sum(map(ord, li.sku)) % 7)
                yield {
                    "Date": month,
                    "FNSKU": li.fnsku,
                    "ASIN": li.asin,
                    "MSKU": li.sku,
                    "Title": li.title,
                    "Disposition": "SELLABLE",
                    "Starting Warehouse Balance": str(ending + out - receipts),
                    "In Transit Between Warehouses": "0",
                    "Receipts": str(receipts),
                    "Customer Shipments": str(-out),
                    "Customer Returns": "0",
                    "Vendor Returns": "0",
                    "Warehouse Transfer In/Out": "0",
                    "Found": "0",
                    "Lost": "0",
                    "Damaged": "0",
                    "Disposed": "0",
                    "Other Events": "0",
                    "Ending Warehouse Balance": str(ending),
                    "Unknown Events": "0",
                    "Location": country,
                }

    return _tsv(LEDGER_COLUMNS, rows())
