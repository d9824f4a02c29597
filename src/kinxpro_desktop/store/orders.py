"""Orders, order items and order PII. Returns core dataclasses, never rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kinxpro_desktop.core.errors import PiiPastRetention
from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii
from kinxpro_desktop.core.retention import PII_FIELDS, cutoff
from kinxpro_desktop.store.schema import order_items, order_pii, orders
from kinxpro_desktop.store.timefmt import from_db, opt_from_db, opt_to_db, to_db

_ORDER_UPDATE_COLUMNS = (
    "marketplace_id",
    "purchase_date",
    "last_updated",
    "status",
    "fulfillment_channel",
    "total_minor",
    "currency",
    "ship_city",
    "ship_state",
    "ship_postal_code",
    "ship_country",
    "ship_by",
    "deliver_by",
)
_ITEM_UPDATE_COLUMNS = (
    "asin",
    "sku",
    "title",
    "quantity_ordered",
    "quantity_shipped",
    "price_minor",
    "tax_minor",
    "currency",
)


def _order_row(o: Order) -> dict[str, object]:
    return {
        "order_id": o.order_id,
        "marketplace_id": o.marketplace_id,
        "purchase_date": to_db(o.purchase_date),
        "last_updated": to_db(o.last_updated),
        "status": o.status,
        "fulfillment_channel": o.fulfillment_channel,
        "total_minor": o.order_total.minor_units,
        "currency": o.order_total.currency,
        "ship_city": o.ship_city,
        "ship_state": o.ship_state,
        "ship_postal_code": o.ship_postal_code,
        "ship_country": o.ship_country,
        "ship_by": opt_to_db(o.ship_by),
        "deliver_by": opt_to_db(o.deliver_by),
    }


def _item_row(order_id: str, i: OrderItem) -> dict[str, object]:
    return {
        "order_id": order_id,
        "order_item_id": i.order_item_id,
        "asin": i.asin,
        "sku": i.sku,
        "title": i.title,
        "quantity_ordered": i.quantity_ordered,
        "quantity_shipped": i.quantity_shipped,
        "price_minor": i.item_price.minor_units,
        "tax_minor": i.item_tax.minor_units,
        "currency": i.item_price.currency,
    }


_UPSERT_ORDER = sqlite_insert(orders)
_UPSERT_ORDER = _UPSERT_ORDER.on_conflict_do_update(
    index_elements=[orders.c.order_id],
    set_={c: getattr(_UPSERT_ORDER.excluded, c) for c in _ORDER_UPDATE_COLUMNS},
)
_UPSERT_ITEM = sqlite_insert(order_items)
_UPSERT_ITEM = _UPSERT_ITEM.on_conflict_do_update(
    index_elements=[order_items.c.order_id, order_items.c.order_item_id],
    set_={c: getattr(_UPSERT_ITEM.excluded, c) for c in _ITEM_UPDATE_COLUMNS},
)
_UPSERT_PII = sqlite_insert(order_pii)
_UPSERT_PII = _UPSERT_PII.on_conflict_do_update(
    index_elements=[order_pii.c.order_id],
    set_={c: getattr(_UPSERT_PII.excluded, c) for c in (*PII_FIELDS, "fetched_at", "placed_at")},
)


class OrderRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def upsert(self, batch: Sequence[Order]) -> int:
        """Insert or update orders with their items, in one transaction. Idempotent."""
        if not batch:
            return 0
        order_rows = [_order_row(o) for o in batch]
        item_rows = [_item_row(o.order_id, i) for o in batch for i in o.items]
        with self._engine.begin() as conn:
            conn.execute(_UPSERT_ORDER, order_rows)
            if item_rows:
                conn.execute(_UPSERT_ITEM, item_rows)
        return len(order_rows)

    def save_pii(self, batch: Sequence[OrderPii], *, now: datetime, retention_days: int) -> int:
        """Store buyer data. Refuses (saving nothing) if any order is past the window."""
        if not batch:
            return 0
        limit = to_db(cutoff(now, retention_days))
        ids = [p.order_id for p in batch]
        with self._engine.begin() as conn:
            placed = dict(
                conn.execute(
                    select(orders.c.order_id, orders.c.purchase_date).where(
                        orders.c.order_id.in_(bindparam("ids", expanding=True))
                    ),
                    {"ids": ids},
                ).all()
            )
            unknown = [i for i in ids if i not in placed]
            if unknown:
                raise PiiPastRetention(
                    f"Buyer data was not saved: order(s) {', '.join(unknown[:5])} are not in "
                    "the store. Sync orders first."
                )
            expired = [i for i in ids if placed[i] <= limit]
            if expired:
                raise PiiPastRetention(
                    f"Buyer data was not saved for order(s) {', '.join(expired[:5])}: they were "
                    f"placed more than {retention_days} days ago, past the retention window."
                )
            fetched = to_db(now)
            rows = [
                {**asdict(p), "placed_at": placed[p.order_id], "fetched_at": fetched} for p in batch
            ]
            conn.execute(_UPSERT_PII, rows)
        return len(rows)

    def get(self, order_id: str) -> Order | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(orders).where(orders.c.order_id == order_id)).first()
            if row is None:
                return None
            items = conn.execute(
                select(order_items)
                .where(order_items.c.order_id == order_id)
                .order_by(order_items.c.order_item_id)
            ).all()
        return Order(
            order_id=row.order_id,
            marketplace_id=row.marketplace_id,
            purchase_date=from_db(row.purchase_date),
            last_updated=from_db(row.last_updated),
            status=row.status,
            fulfillment_channel=row.fulfillment_channel,
            order_total=Money.from_minor(row.total_minor, row.currency),
            ship_city=row.ship_city,
            ship_state=row.ship_state,
            ship_postal_code=row.ship_postal_code,
            ship_country=row.ship_country,
            ship_by=opt_from_db(row.ship_by),
            deliver_by=opt_from_db(row.deliver_by),
            items=tuple(
                OrderItem(
                    order_item_id=i.order_item_id,
                    asin=i.asin,
                    sku=i.sku,
                    title=i.title,
                    quantity_ordered=i.quantity_ordered,
                    quantity_shipped=i.quantity_shipped,
                    item_price=Money.from_minor(i.price_minor, i.currency),
                    item_tax=Money.from_minor(i.tax_minor, i.currency),
                )
                for i in items
            ),
        )

    def get_pii(self, order_id: str) -> OrderPii | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(order_pii).where(order_pii.c.order_id == order_id)).first()
        if row is None:
            return None
        return OrderPii(order_id=row.order_id, **{f: getattr(row, f) for f in PII_FIELDS})

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())

    def count_with_pii(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(order_pii)).scalar_one())
