"""Orders, order items and order PII. Returns core dataclasses, never rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, func, select

from kinxpro_desktop.core.errors import PiiPastRetention
from kinxpro_desktop.core.models import Money, Order, OrderItem, OrderPii
from kinxpro_desktop.core.retention import PII_FIELDS, cutoff
from kinxpro_desktop.store import order_search
from kinxpro_desktop.store.pii_crypto import PiiCipher, cipher_for
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


#: known address parts kept when a newer copy of the order lacks them
_CARRIED = ("ship_city", "ship_state", "ship_postal_code", "ship_country")
_ORDER_COLUMNS = ("order_id", *_ORDER_UPDATE_COLUMNS)
_ITEM_COLUMNS = ("order_id", "order_item_id", *_ITEM_UPDATE_COLUMNS)
_PII_COLUMNS = ("order_id", "placed_at", *PII_FIELDS, "fetched_at")


def _upsert_sql(table: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> str:
    """Positional upsert SQL built once from constant names (no user input)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (constant identifiers)
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


# Executed with exec_driver_sql and tuples: SQLAlchemy's per-row parameter handling cost
# 2-4x the SQLite work itself at sync volumes (bench/bench_store.py).
_UPSERT_ORDER = _upsert_sql("orders", _ORDER_COLUMNS, ("order_id",))
_UPSERT_ITEM = _upsert_sql("order_items", _ITEM_COLUMNS, ("order_id", "order_item_id"))
_UPSERT_PII = _upsert_sql("order_pii", _PII_COLUMNS, ("order_id",))


def _order_row(o: Order) -> tuple[object, ...]:
    return (
        o.order_id,
        o.marketplace_id,
        to_db(o.purchase_date),
        to_db(o.last_updated),
        o.status,
        o.fulfillment_channel,
        o.order_total.minor_units,
        o.order_total.currency,
        o.ship_city,
        o.ship_state,
        o.ship_postal_code,
        o.ship_country,
        opt_to_db(o.ship_by),
        opt_to_db(o.deliver_by),
    )


def _item_row(order_id: str, i: OrderItem) -> tuple[object, ...]:
    return (
        order_id,
        i.order_item_id,
        i.asin,
        i.sku,
        i.title,
        i.quantity_ordered,
        i.quantity_shipped,
        i.item_price.minor_units,
        i.item_tax.minor_units,
        i.item_price.currency,
    )


def _pii_row(cipher: PiiCipher, p: OrderPii, placed_at: str, fetched_at: str) -> tuple[object, ...]:
    sealed = cipher.seal_fields(
        p.order_id, placed_at, PII_FIELDS, [getattr(p, f) for f in PII_FIELDS]
    )
    return (p.order_id, placed_at, *sealed, fetched_at)


def open_pii(
    cipher: PiiCipher, order_id: str, placed_at: str, values: list[str]
) -> OrderPii | None:
    """A stored row's buyer data, or None when its day key is gone (deleted)."""
    opened = cipher.open_fields(order_id, placed_at, PII_FIELDS, values)
    if opened is None:
        return None
    return OrderPii(order_id=order_id, **dict(zip(PII_FIELDS, opened, strict=True)))


class OrderRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def cipher(self) -> PiiCipher:
        return cipher_for(self._engine)

    def upsert(self, batch: Sequence[Order]) -> int:
        """Insert or update orders with their items, in one transaction. Idempotent."""
        if not batch:
            return 0
        with self._engine.begin() as conn:
            self._write_orders(conn, batch)
        return len(batch)

    @staticmethod
    def _write_orders(conn: Connection, batch: Sequence[Order]) -> None:
        conn.exec_driver_sql(_UPSERT_ORDER, [_order_row(o) for o in batch])
        items = [_item_row(o.order_id, i) for o in batch for i in o.items]
        if items:
            conn.exec_driver_sql(_UPSERT_ITEM, items)
        order_search.flush(conn)

    def store_page(
        self,
        batch: Sequence[Order],
        pii: Sequence[OrderPii] = (),
        *,
        now: datetime,
        retention_days: int,
        conn: Connection | None = None,
    ) -> int:
        """One sync page: orders, items and the PII that came with them, in one transaction
        (or in `conn`'s, so a watermark can commit with it). PII past the window is refused."""
        if conn is None:
            with self._engine.begin() as own:
                return self.store_page(batch, pii, now=now, retention_days=retention_days, conn=own)
        if batch:
            self._write_orders(conn, batch)
        if pii:
            placed = {o.order_id: to_db(o.purchase_date) for o in batch}
            missing = [p.order_id for p in pii if p.order_id not in placed]
            if missing:
                placed.update(self._placed(conn, missing))
            self._write_pii(conn, pii, placed, now, retention_days)
        return len(batch)

    @staticmethod
    def _placed(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        return dict(
            conn.execute(  # type: ignore[arg-type]
                select(orders.c.order_id, orders.c.purchase_date).where(
                    orders.c.order_id.in_(bindparam("ids", expanding=True))
                ),
                {"ids": list(ids)},
            ).all()
        )

    def _write_pii(
        self,
        conn: Connection,
        batch: Sequence[OrderPii],
        placed: dict[str, str],
        now: datetime,
        retention_days: int,
    ) -> None:
        ids = [p.order_id for p in batch]
        unknown = [i for i in ids if i not in placed]
        if unknown:
            raise PiiPastRetention(
                f"Buyer data was not saved: order(s) {', '.join(unknown[:5])} are not in "
                "the store. Sync orders first."
            )
        limit = to_db(cutoff(now, retention_days))
        expired = [i for i in ids if placed[i] <= limit]
        if expired:
            raise PiiPastRetention(
                f"Buyer data was not saved for order(s) {', '.join(expired[:5])}: they were "
                f"placed more than {retention_days} days ago, past the retention window."
            )
        fetched = to_db(now)
        cipher = self.cipher
        conn.exec_driver_sql(
            _UPSERT_PII, [_pii_row(cipher, p, placed[p.order_id], fetched) for p in batch]
        )

    def merge_page(
        self,
        conn: Connection,
        batch: Sequence[Order],
        *,
        replace_items: bool,
        now: datetime,
        retention_days: int,
        pii: Sequence[OrderPii] = (),
    ) -> set[str]:
        """Upsert `batch` (and `pii`) in `conn`'s transaction; returns the ids that were new.

        City/state/postal/country and ship-by dates already known are kept when the new copy
        lacks them (searchOrders carries no address without RECIPIENT, which is PII-gated).
        `replace_items`: the batch holds each order's full item set (API orders); otherwise
        (report orders, whose items have no Amazon item id) items are written only for new
        orders.
        """
        if not batch and not pii:
            return set()
        ids = [o.order_id for o in batch]
        known = (
            {
                r.order_id: r
                for r in conn.execute(
                    select(
                        orders.c.order_id,
                        *(orders.c[c] for c in _CARRIED),
                        orders.c.ship_by,
                        orders.c.deliver_by,
                    ).where(orders.c.order_id.in_(bindparam("ids", expanding=True))),
                    {"ids": ids},
                )
            }
            if ids
            else {}
        )
        merged: list[Order] = []
        for o in batch:
            old = known.get(o.order_id)
            if old is not None:
                carry: dict[str, object] = {
                    c: getattr(old, c) for c in _CARRIED if not getattr(o, c)
                }
                if o.ship_by is None and old.ship_by:
                    carry["ship_by"] = from_db(old.ship_by)
                if o.deliver_by is None and old.deliver_by:
                    carry["deliver_by"] = from_db(old.deliver_by)
                if not replace_items:
                    carry["items"] = ()
                if carry:
                    o = dataclasses.replace(o, **carry)  # type: ignore[arg-type]
            merged.append(o)
        if replace_items and ids:
            conn.execute(
                delete(order_items).where(
                    order_items.c.order_id.in_(bindparam("ids", expanding=True))
                ),
                {"ids": ids},
            )
        self.store_page(merged, pii, now=now, retention_days=retention_days, conn=conn)
        return {i for i in ids if i not in known}

    def awaiting_pii(
        self, *, placed_after: datetime, statuses: Collection[str], channel: str
    ) -> list[str]:
        """Ids of orders of `channel` in `statuses`, placed after `placed_after`, without
        buyer data held; oldest first."""
        with self._engine.connect() as conn:
            return [
                str(r[0])
                for r in conn.execute(
                    select(orders.c.order_id)
                    .outerjoin(order_pii, order_pii.c.order_id == orders.c.order_id)
                    .where(
                        orders.c.fulfillment_channel == channel,
                        orders.c.status.in_(sorted(statuses)),
                        orders.c.purchase_date > to_db(placed_after),
                        order_pii.c.order_id.is_(None),
                    )
                    .order_by(orders.c.purchase_date)
                )
            ]

    def save_pii(self, batch: Sequence[OrderPii], *, now: datetime, retention_days: int) -> int:
        """Store buyer data. Refuses (saving nothing) if any order is past the window."""
        if not batch:
            return 0
        with self._engine.begin() as conn:
            placed = self._placed(conn, [p.order_id for p in batch])
            self._write_pii(conn, batch, placed, now, retention_days)
        return len(batch)

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
        return open_pii(
            self.cipher, row.order_id, row.placed_at, [getattr(row, f) for f in PII_FIELDS]
        )

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())

    def count_with_pii(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(order_pii)).scalar_one())
