"""What the Orders and Listings tabs read: pages, counts, one order's detail, audited reveals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Order, OrderPii
from kinxpro_desktop.core.retention import expires_at, utcnow
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.queries import ListingRow, OrderFilter, OrderRow, ViewQueries

__all__ = ["ListingRow", "OrderDetail", "OrderFilter", "OrderRow", "ViewService"]


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    has_buyer_data: bool
    buyer_data_expires: datetime | None  # when the retention wipe will delete it


class ViewService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._q = ViewQueries(db.engine)
        self._privacy = PrivacyService(db, clock)
        self._clock = clock

    def count_orders(self, f: OrderFilter) -> int:
        return self._q.count_orders(f)

    def order_page(
        self, f: OrderFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[OrderRow]:
        return self._q.order_page(f, sort, descending, offset, limit)

    def order_statuses(self) -> list[str]:
        return self._q.order_statuses()

    def count_listings(self, text: str = "", with_issues: bool = False) -> int:
        return self._q.count_listings(text, with_issues)

    def listing_page(
        self, text: str, with_issues: bool, sort: str, descending: bool, offset: int, limit: int
    ) -> list[ListingRow]:
        return self._q.listing_page(text, with_issues, sort, descending, offset, limit)

    def order_detail(self, order_id: str) -> OrderDetail:
        order = self._db.orders.get(order_id)
        if order is None:
            raise UserError(f"Order {order_id} is no longer in the local store; sync again.")
        has = self._db.orders.get_pii(order_id) is not None
        return OrderDetail(
            order,
            has,
            expires_at(order.purchase_date, self._privacy.retention_days()) if has else None,
        )

    def reveal_buyer_data(self, order_id: str, actor: str) -> OrderPii:
        """Unmask one order's buyer data; every reveal is audited (order id only)."""
        pii = self._db.orders.get_pii(order_id)
        if pii is None:
            raise UserError(
                f"No buyer data is held for order {order_id}: it is fetched only for "
                "merchant-fulfilled orders awaiting shipment, and deleted when the retention "
                "window ends."
            )
        self._db.audit.append("reveal", actor, (order_id,), {"fields": "buyer,address"})
        return pii
