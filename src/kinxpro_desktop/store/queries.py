"""Read-only queries behind the Orders and Listings tables: filtering, sorting and paging
happen in SQL so that 100,000 rows never pass through Python at once."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, Select, and_, func, or_, select

from kinxpro_desktop.core.models import Money
from kinxpro_desktop.store.schema import listings, order_items, order_pii, orders


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    purchase_date: str  # local display is the UI's job; ISO UTC here
    status: str
    fulfillment_channel: str
    total: Money
    item_count: int
    ship_to: str  # city, state, country (not PII here)
    ship_by: str
    has_buyer_data: bool


@dataclass(frozen=True)
class ListingRow:
    sku: str
    marketplace_id: str
    asin: str
    title: str
    price: Money | None
    quantity: int | None
    status: str
    fulfillment_channel: str
    issues: tuple[str, ...]


@dataclass(frozen=True)
class OrderFilter:
    text: str = ""  # order id, SKU, ASIN or product title
    status: str = ""  # "" = any
    channel: str = ""  # "" | "MFN" | "AFN"
    needs_shipping: bool = False


ORDER_SORT = {
    "order_id": orders.c.order_id,
    "purchase_date": orders.c.purchase_date,
    "status": orders.c.status,
    "fulfillment_channel": orders.c.fulfillment_channel,
    "total": orders.c.total_minor,
    "ship_by": orders.c.ship_by,
}
LISTING_SORT = {
    "sku": listings.c.sku,
    "title": listings.c.title,
    "price": listings.c.price_minor,
    "quantity": listings.c.quantity,
    "status": listings.c.status,
    "asin": listings.c.asin,
}
AWAITING_SHIPMENT = ("Unshipped", "PartiallyShipped", "UNSHIPPED", "PARTIALLY_SHIPPED")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _order_where(f: OrderFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.text.strip():
        pattern = _like(f.text.strip())
        in_items = (
            select(order_items.c.order_id)
            .where(
                or_(
                    order_items.c.sku.like(pattern, escape="\\"),
                    order_items.c.asin.like(pattern, escape="\\"),
                    order_items.c.title.like(pattern, escape="\\"),
                )
            )
            .scalar_subquery()
        )
        clauses.append(
            or_(orders.c.order_id.like(pattern, escape="\\"), orders.c.order_id.in_(in_items))
        )
    if f.status:
        clauses.append(orders.c.status == f.status)
    if f.channel:
        clauses.append(orders.c.fulfillment_channel == f.channel)
    if f.needs_shipping:
        clauses.append(
            and_(orders.c.fulfillment_channel == "MFN", orders.c.status.in_(AWAITING_SHIPMENT))
        )
    return clauses


class ViewQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- orders ---------------------------------------------------------------------------
    def count_orders(self, f: OrderFilter) -> int:
        stmt = select(func.count()).select_from(orders).where(*_order_where(f))
        with self._engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def order_page(
        self, f: OrderFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[OrderRow]:
        column = ORDER_SORT.get(sort, orders.c.purchase_date)
        items = (
            select(order_items.c.order_id, func.sum(order_items.c.quantity_ordered).label("n"))
            .group_by(order_items.c.order_id)
            .subquery()
        )
        stmt: Select[tuple[object, ...]] = (
            select(orders, items.c.n, order_pii.c.order_id.label("pii"))
            .outerjoin(items, items.c.order_id == orders.c.order_id)
            .outerjoin(order_pii, order_pii.c.order_id == orders.c.order_id)
            .where(*_order_where(f))
            .order_by(column.desc() if descending else column.asc(), orders.c.order_id)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [
            OrderRow(
                order_id=r.order_id,
                purchase_date=r.purchase_date,
                status=r.status,
                fulfillment_channel=r.fulfillment_channel,
                total=Money.from_minor(r.total_minor, r.currency),
                item_count=int(r.n or 0),
                ship_to=", ".join(p for p in (r.ship_city, r.ship_state, r.ship_country) if p),
                ship_by=r.ship_by or "",
                has_buyer_data=r.pii is not None,
            )
            for r in rows
        ]

    def order_statuses(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(
                conn.execute(select(orders.c.status).distinct().order_by(orders.c.status)).scalars()
            )

    # -- listings -------------------------------------------------------------------------
    def _listing_where(self, text: str, with_issues: bool) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if text.strip():
            pattern = _like(text.strip())
            clauses.append(
                or_(
                    listings.c.sku.like(pattern, escape="\\"),
                    listings.c.asin.like(pattern, escape="\\"),
                    listings.c.title.like(pattern, escape="\\"),
                )
            )
        if with_issues:
            clauses.append(listings.c.issues_json != "[]")
        return clauses

    def count_listings(self, text: str = "", with_issues: bool = False) -> int:
        stmt = (
            select(func.count())
            .select_from(listings)
            .where(*self._listing_where(text, with_issues))
        )
        with self._engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def listing_page(
        self,
        text: str,
        with_issues: bool,
        sort: str,
        descending: bool,
        offset: int,
        limit: int,
    ) -> list[ListingRow]:
        column = LISTING_SORT.get(sort, listings.c.sku)
        stmt = (
            select(listings)
            .where(*self._listing_where(text, with_issues))
            .order_by(column.desc() if descending else column.asc(), listings.c.id)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [
            ListingRow(
                sku=r.sku,
                marketplace_id=r.marketplace_id,
                asin=r.asin,
                title=r.title,
                price=None
                if r.price_minor is None
                else Money.from_minor(r.price_minor, r.currency or "USD"),
                quantity=r.quantity,
                status=r.status,
                fulfillment_channel=r.fulfillment_channel,
                issues=tuple(str(i) for i in json.loads(r.issues_json or "[]")),
            )
            for r in rows
        ]
