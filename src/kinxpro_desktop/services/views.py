"""What the Orders and Listings tabs read: pages, counts, one order's detail, audited reveals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import Money, Order, OrderPii
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.retention import cutoff, expires_at, is_past_window, utcnow
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.queries import (
    ListingFilter,
    ListingRow,
    OrderFilter,
    OrderRow,
    QuickCounts,
    ViewQueries,
)

__all__ = [
    "ListingFilter",
    "ListingRow",
    "OrderDetail",
    "OrderFilter",
    "OrderRow",
    "OrderTotals",
    "QuickCounts",
    "StoreTotals",
    "ViewService",
]


@dataclass(frozen=True)
class OrderTotals:
    """An order's money as the store holds it.

    The store keeps each item's price and tax and Amazon's order total; shipping, gift wrap
    and promotion discounts are not stored separately, so they appear together as
    ``other`` (order total minus items minus tax), which is honest and adds up.
    """

    items: Money
    tax: Money
    other: Money
    order_total: Money

    @classmethod
    def of(cls, order: Order) -> OrderTotals:
        currency = order.order_total.currency
        items = sum((i.item_price.amount for i in order.items), Decimal(0))
        tax = sum((i.item_tax.amount for i in order.items), Decimal(0))
        other = order.order_total.amount - items - tax
        return cls(
            Money(items, currency),
            Money(tax, currency),
            Money(other, currency),
            order.order_total,
        )


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    has_buyer_data: bool
    buyer_data_expires: datetime | None  # when the retention wipe will delete it
    retention_days: int = 30
    past_retention: bool = False  # placed before the retention window: any buyer data is gone
    fetches_buyer_data: bool = False  # a merchant-fulfilled order awaiting shipment

    @property
    def totals(self) -> OrderTotals:
        return OrderTotals.of(self.order)


@dataclass(frozen=True)
class StoreTotals:
    orders: int
    listings: int


class _WithoutBuyerSearch(ViewQueries):
    """For an operator who may not see buyer data (an analyst): search text never matches
    buyer names, since a match would tell that a name is held."""

    def _buyers(self, needle: str) -> list[str]:
        return []


class ViewService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._q = ViewQueries(db.engine)
        self._blind = _WithoutBuyerSearch(db.engine)
        self._privacy = PrivacyService(db, clock)
        self._clock = clock

    def _orders(self) -> ViewQueries:
        """The order reads for the bound operator: an analyst's never touch buyer data."""
        return self._q if self._db.access.sees_buyer_data else self._blind

    def _masked(self, row: OrderRow) -> OrderRow:
        held = row.has_buyer_data and self._db.access.sees_buyer_data
        return row if held == row.has_buyer_data else replace(row, has_buyer_data=False)

    def count_orders(self, f: OrderFilter) -> int:
        return self._orders().count_orders(f)

    def order_page(
        self, f: OrderFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[OrderRow]:
        rows = self._orders().order_page(f, sort, descending, offset, limit)
        return [self._masked(r) for r in rows]

    def order_keys(
        self,
        f: OrderFilter,
        sort: str,
        descending: bool,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[str]:
        return self._orders().order_keys(f, sort, descending, should_stop)

    def order_head(
        self, f: OrderFilter, sort: str, descending: bool, limit: int
    ) -> tuple[int, list[OrderRow]]:
        """The match count and the first `limit` rows: a new filter's first paint."""
        total, rows = self._orders().order_head(f, sort, descending, limit)
        return total, [self._masked(r) for r in rows]

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, OrderRow]:
        found = self._orders().orders_by_id(order_ids)
        return {k: self._masked(r) for k, r in found.items()}

    def listing_keys(self, f: ListingFilter, sort: str, descending: bool) -> list[int]:
        return self._q.listing_keys(f, sort, descending)

    def quick_counts(self, end_of_today: datetime) -> QuickCounts:
        return self._q.quick_counts(self._clock(), end_of_today)

    def order_marketplaces(self) -> list[str]:
        return self._q.order_marketplaces()

    def listing_statuses(self) -> list[str]:
        return self._q.listing_statuses()

    def listings_by_id(self, listing_ids: Sequence[int]) -> dict[int, ListingRow]:
        return self._q.listings_by_id(listing_ids)

    def store_totals(self) -> StoreTotals:
        """Distinct orders and listings held (what the tables show without a filter)."""
        return StoreTotals(self._q.count_orders(OrderFilter()), self._q.count_listings())

    def buyer_data_to_delete(self, retention_days: int) -> int:
        """How many orders' buyer data a wipe with ``retention_days`` would delete now."""
        return self._q.count_pii_placed_by(cutoff(self._clock(), retention_days))

    def order_statuses(self) -> list[str]:
        return self._q.order_statuses()

    def count_listings(self, f: ListingFilter | None = None) -> int:
        return self._q.count_listings(f)

    def listing_page(
        self, f: ListingFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[ListingRow]:
        return self._q.listing_page(f, sort, descending, offset, limit)

    def order_detail(self, order_id: str) -> OrderDetail:
        order = self._db.orders.get(order_id)
        if order is None:
            raise UserError(f"Order {order_id} is no longer in the local store; sync again.")
        # An analyst never sees buyer data: not even whether any is held.
        has = self._db.access.sees_buyer_data and self._db.orders.get_pii(order_id) is not None
        days = self._privacy.retention_days()
        return OrderDetail(
            order,
            has,
            expires_at(order.purchase_date, days) if has else None,
            retention_days=days,
            past_retention=is_past_window(order.purchase_date, self._clock(), days),
            fetches_buyer_data=order.fulfillment_channel == "MFN"
            and order.status in AWAITING_SHIPMENT,
        )

    def reveal_buyer_data(self, order_id: str, actor: str) -> OrderPii:
        """Unmask one order's buyer data; every reveal is audited (order id only)."""
        self._db.access.require(Permission.SEE_BUYER_DATA)
        pii = self._db.orders.get_pii(order_id)
        if pii is None:
            raise UserError(
                f"No buyer data is held for order {order_id}: it is fetched only for "
                "merchant-fulfilled orders awaiting shipment, and deleted when the retention "
                "window ends."
            )
        self._db.audit.append("reveal", actor, (order_id,), {"fields": "buyer,address"})
        return pii
