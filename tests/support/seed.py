"""Recognisable fake orders and buyer data, spread over days, for retention and PII-scan tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii

# Every PII value contains this marker, so a byte scan can find any leak.
MARKER = "Qzvpiimark"


@dataclass(frozen=True)
class Seeded:
    orders: list[Order]
    pii: list[OrderPii]

    def placed(self, order_id: str) -> datetime:
        return next(o.purchase_date for o in self.orders if o.order_id == order_id)


def pii_for(order_id: str, n: int) -> OrderPii:
    return OrderPii(
        order_id=order_id,
        buyer_name=f"{MARKER} Buyer{n:05d}",
        buyer_email=f"{MARKER.lower()}.buyer{n:05d}@pii-example.test",
        buyer_phone=f"+1 555 01{n:05d}",
        recipient_name=f"{MARKER} Recipient{n:05d}",
        address_line1=f"{n:05d} {MARKER} Lane",
        address_line2=f"Apt {MARKER}{n:05d}",
        company=f"{MARKER} Widgets {n:05d}",
        gift_message=f"Happy birthday {MARKER}{n:05d}",
        delivery_instructions=f"Leave by the {MARKER} door {n:05d}",
    )


def pii_strings(p: OrderPii) -> list[str]:
    return [
        v
        for v in (
            p.buyer_name,
            p.buyer_email,
            p.buyer_phone,
            p.recipient_name,
            p.address_line1,
            p.address_line2,
            p.company,
            p.gift_message,
            p.delivery_instructions,
        )
        if v
    ]


def make_orders(now: datetime, count: int = 120, days: int = 60) -> Seeded:
    """`count` merchant-fulfilled orders, placed evenly over the last `days` days."""
    orders: list[Order] = []
    pii: list[OrderPii] = []
    for n in range(count):
        placed = now - timedelta(days=days * n / count, minutes=7)
        oid = f"113-{n:07d}-{(n * 7919) % 10_000_000:07d}"
        price = Money(Decimal("19.99") + n % 5, "USD")
        items = tuple(
            OrderItem(
                order_item_id=f"{oid}-{k}",
                asin=f"B0TEST{k:04d}",
                sku=f"SKU-{k}",
                title=f"Test product {k}",
                quantity_ordered=1 + k,
                quantity_shipped=0,
                item_price=price,
                item_tax=Money(Decimal("1.60"), "USD"),
            )
            for k in range(1 + n % 3)
        )
        orders.append(
            Order(
                order_id=oid,
                marketplace_id="ATVPDKIKX0DER",
                purchase_date=placed,
                last_updated=placed + timedelta(hours=1),
                status="Unshipped",
                fulfillment_channel="MFN",
                order_total=price,
                ship_city="Springfield",
                ship_state="IL",
                ship_postal_code="62704",
                ship_country="US",
                items=items,
            )
        )
        pii.append(pii_for(oid, n))
    return Seeded(orders, pii)


def store_seeded(db: object, seeded: Seeded, retention_days: int = 30) -> None:
    """Upsert the orders and save each order's PII as it would have been at fetch time."""
    db.orders.upsert(seeded.orders)  # type: ignore[attr-defined]
    for o, p in zip(seeded.orders, seeded.pii, strict=True):
        db.orders.save_pii(  # type: ignore[attr-defined]
            [p], now=o.purchase_date + timedelta(hours=2), retention_days=retention_days
        )
