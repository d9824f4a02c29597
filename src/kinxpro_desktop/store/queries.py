"""The read queries behind the Orders and Listings tables, as one object for the views
service (orders in `order_queries`, listings in `listing_queries`)."""

from __future__ import annotations

from sqlalchemy import Engine

from kinxpro_desktop.store.listing_queries import (
    LISTING_SORT,
    ListingFilter,
    ListingQueries,
    ListingRow,
)
from kinxpro_desktop.store.order_queries import (
    ORDER_SORT,
    OrderFilter,
    OrderQueries,
    OrderRow,
    QuickCounts,
    _order_where,
    buyers_matching,
)

__all__ = [
    "LISTING_SORT",
    "ORDER_SORT",
    "ListingFilter",
    "ListingRow",
    "OrderFilter",
    "OrderRow",
    "QuickCounts",
    "ViewQueries",
    "_order_where",
    "buyers_matching",
]


class ViewQueries(OrderQueries, ListingQueries):
    """Both tables' queries over one engine."""

    def __init__(self, engine: Engine) -> None:
        OrderQueries.__init__(self, engine)
