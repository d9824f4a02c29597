"""Report parsing by header name and JSON mapping: bad data gives a clear error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.flatfile import parse_listings_report, parse_orders_report
from kinxpro_desktop.spapi.mapping import order_from_2026

ORDERS = (
    "sku\tamazon-order-id\tquantity\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\titem-price\titem-tax\tcurrency\tship-city\n"
    "A-1\t111-0000001-0000001\t2\t2026-01-01T10:00:00+00:00\t2026-01-02T10:00:00+00:00\t"
    "Shipped\tMerchant\tAmazon.com\t20.00\t1.60\tUSD\tSeattle\n"
    "B-2\t111-0000001-0000001\t1\t2026-01-01T10:00:00+00:00\t2026-01-02T11:00:00+00:00\t"
    "Shipped\tMerchant\tAmazon.com\t5.00\t0.40\tUSD\tSeattle\n"
    "C-3\t702-0000001-0000002\t1\t2026-01-03T10:00:00+00:00\t2026-01-03T10:00:00+00:00\t"
    "Pending\tAmazon\tAmazon.ca\t\t\tCAD\t\n"
)


def test_orders_report_parsed_by_header_name() -> None:
    first, second = parse_orders_report(ORDERS)
    assert first.order_id == "111-0000001-0000001" and first.fulfillment_channel == "MFN"
    assert first.marketplace_id == "ATVPDKIKX0DER" and first.ship_city == "Seattle"
    assert [(i.sku, i.quantity_ordered) for i in first.items] == [("A-1", 2), ("B-2", 1)]
    assert first.order_total.amount == Decimal("27.00")
    assert first.last_updated.hour == 11
    assert second.fulfillment_channel == "AFN" and second.marketplace_id == "A2EUQ1WTGCTBG2"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("amazon-order-id\tsku\n1\tx\n", "lacks the column"),
        (ORDERS.replace("20.00", "twenty"), "item-price"),
        (ORDERS.replace("\t2\t", "\t2.5\t", 1), "quantity"),
        (ORDERS.replace("Amazon.com\t", "Amazon.example\t", 1), "sales-channel"),
        (ORDERS.replace("2026-01-02T10:00:00+00:00", "02/01/2026"), "last-updated-date"),
    ],
)
def test_bad_orders_reports_raise_clear_errors(text: str, needle: str) -> None:
    with pytest.raises(BadResponse, match=needle):
        parse_orders_report(text)


def test_listings_report() -> None:
    text = (
        "status\tseller-sku\titem-name\tprice\tquantity\tfulfillment-channel\tasin1\n"
        "Active\tS-1\tMug\t9.99\t4\tDEFAULT\tB000000001\n"
        "Active\tS-2\tCup\t3.50\t\tAMAZON_NA\tB000000002\n"
    )
    mfn, afn = parse_listings_report(text, "ATVPDKIKX0DER", "USD")
    assert (mfn.sku, mfn.quantity, mfn.fulfillment_channel) == ("S-1", 4, "MFN")
    assert mfn.price is not None and mfn.price.minor_units == 999
    assert (afn.quantity, afn.fulfillment_channel) == (None, "AFN")


GOOD = {
    "orderId": "111-0000001-0000001",
    "createdTime": "2026-01-01T10:00:00Z",
    "lastUpdatedTime": "2026-01-01T11:00:00Z",
    "salesChannel": {"marketplaceId": "ATVPDKIKX0DER"},
    "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
    "orderItems": [
        {
            "orderItemId": "1",
            "quantityOrdered": 2,
            "product": {
                "sellerSku": "A",
                "price": {"unitPrice": {"amount": "3.00", "currencyCode": "USD"}},
            },
        }
    ],
}


def test_order_mapping() -> None:
    order = order_from_2026(GOOD)
    assert order.status == "Unshipped" and order.fulfillment_channel == "MFN"
    assert order.items[0].item_price.amount == Decimal("6.00")


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"orderItems": "nope"}, "orderItems"),
        ({"createdTime": 12}, "createdTime"),
        (
            {"fulfillment": {"fulfillmentStatus": "LOST", "fulfilledBy": "MERCHANT"}},
            "fulfillmentStatus",
        ),
        ({"orderItems": [{"orderItemId": "1", "quantityOrdered": "many"}]}, "quantityOrdered"),
    ],
)
def test_wrong_types_are_refused(patch: dict[str, object], needle: str) -> None:
    with pytest.raises(BadResponse, match=needle):
        order_from_2026({**GOOD, **patch})
