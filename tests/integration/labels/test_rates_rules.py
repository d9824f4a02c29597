"""The default-service rule, quotes read from answers shaped like real ones (formats outside
Amazon's enum, missing fields), and package presets on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kinxpro_desktop.core.models import Money, Order, OrderItem
from kinxpro_desktop.core.shipping import Package
from kinxpro_desktop.services.labels_packages import DEFAULT_BOXES, PackagePresets
from kinxpro_desktop.services.labels_rates import parse_quote
from kinxpro_desktop.store.database import Database

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def order(
    deliver_in_days: float | None = 5, items: tuple[tuple[str, int], ...] = (("A", 1),)
) -> Order:
    usd = Money(Decimal(0), "USD")
    return Order(
        order_id="111-1111111-1111111",
        marketplace_id="ATVPDKIKX0DER",
        purchase_date=NOW,
        last_updated=NOW,
        status="Unshipped",
        fulfillment_channel="MFN",
        order_total=usd,
        deliver_by=None if deliver_in_days is None else NOW + timedelta(days=deliver_in_days),
        items=tuple(
            OrderItem(f"i{n}", "B0", sku, "t", q, 0, usd, usd) for n, (sku, q) in enumerate(items)
        ),
    )


def service(sid: str, amount: float, days: int, protected: bool, **extra: object) -> dict:
    out: dict[str, object] = {
        "ShippingServiceId": sid,
        "ShippingServiceOfferId": f"{sid}-offer",
        "CarrierName": sid.split("_")[0],
        "ShippingServiceName": sid,
        "Rate": {"CurrencyCode": "USD", "Amount": amount},
        "LatestEstimatedDeliveryDate": (NOW + timedelta(days=days))
        .isoformat()
        .replace("+00:00", "Z"),
        "Benefits": {"IncludedBenefits": ["CLAIMS_PROTECTED"] if protected else []},
    }
    out.update(extra)
    return out


def test_cheapest_protected_service_arriving_in_time_is_the_default() -> None:
    payload = {
        "ShippingServiceList": [
            service("CHEAP_LATE", 3.0, 9, True),
            service("CHEAP_UNPROTECTED", 4.0, 3, False),
            service("GOOD", 6.0, 4, True),
            service("PRICEY", 9.0, 2, True),
        ]
    }
    quote = parse_quote(order(5), Package(1, 1, 1, 1), payload)
    assert quote.default_service_id == "GOOD"
    assert [o.service_id for o in quote.offers] == [
        "CHEAP_LATE",
        "CHEAP_UNPROTECTED",
        "GOOD",
        "PRICEY",
    ]


def test_without_anything_in_time_the_fastest_is_the_default() -> None:
    payload = {
        "ShippingServiceList": [service("SLOW", 3.0, 9, True), service("FAST", 8.0, 6, True)]
    }
    assert parse_quote(order(2), Package(1, 1, 1, 1), payload).default_service_id == "FAST"


def test_formats_are_free_strings_and_broken_entries_are_skipped() -> None:
    payload = {
        "ShippingServiceList": [
            service("DHL_PAKET", 5.0, 3, True, AvailableLabelFormats=["ZPL", "PDF", ""]),
            {"ShippingServiceId": "NO_RATE"},
            "not an object",
        ],
        "TemporarilyUnavailableCarrierList": [{"CarrierName": "UPS"}],
    }
    quote = parse_quote(order(None), Package(1, 1, 1, 1), payload)
    assert [o.service_id for o in quote.offers] == ["DHL_PAKET"]
    assert quote.offers[0].formats == ("ZPL", "PDF", "")
    assert quote.notes[0].carrier == "UPS" and "try again later" in quote.notes[0].action


def test_no_offers_explains_what_to_do() -> None:
    payload = {
        "ShippingServiceList": [],
        "TermsAndConditionsNotAcceptedCarrierList": [{"CarrierName": "FEDEX"}],
    }
    quote = parse_quote(order(), Package(1, 1, 1, 1), payload)
    assert quote.default is None
    assert "FEDEX" in quote.error and "Seller Central" in quote.error


def test_package_presets(db: Database) -> None:
    presets = PackagePresets(db)
    assert presets.for_order(order()) == DEFAULT_BOXES["Small box"]
    state = presets.remembered_after_purchase(order(), Package(9, 6, 3, 12, "x"))
    assert state is not None
    with db.transaction() as uow:
        uow.settings.set("labels.packages", state, now=NOW)
    assert presets.for_order(order()) == Package(9, 6, 3, 12, "SKU A")
    # several items: the multi-item box weighing the known per-SKU weights
    assert presets.for_order(order(items=(("A", 2),))) == Package(14, 12, 6, 24, "Medium box")
    presets.save_box("Shoe box", Package(14, 8, 5, 32), now=NOW)
    presets.set_multi_box("Shoe box", now=NOW)
    assert presets.for_order(order(items=(("A", 1), ("B", 1)))).preset == "Shoe box"
    assert presets.remembered_after_purchase(order(items=(("A", 2),)), Package(1, 1, 1, 1)) is None
