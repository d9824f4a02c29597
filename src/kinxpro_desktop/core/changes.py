"""What a job changed, so that views refresh only those rows (Qt-free, frozen).

Each field is a set of ids, or ``None`` when the job cannot say which rows changed
("anything may have changed": views re-read what they show and compare).
"""

from __future__ import annotations

from dataclasses import dataclass

from kinxpro_desktop.core.sync import SyncReport

Ids = frozenset[str] | None

_NONE: frozenset[str] = frozenset()


def _merge(a: Ids, b: Ids) -> Ids:
    if a is None or b is None:
        return None
    return a | b


@dataclass(frozen=True)
class Changes:
    orders: Ids = _NONE
    listings: Ids = _NONE  # "marketplace_id/sku"
    shipments: Ids = _NONE
    reports: Ids = _NONE

    @classmethod
    def everything(cls) -> Changes:
        return cls(None, None, None, None)

    @classmethod
    def from_sync(cls, report: SyncReport) -> Changes:
        """The orders a sync stored (when it tracked them); listings are replaced per
        marketplace, so any listing may have changed when some were stored."""
        if report.order_ids is not None:
            orders: Ids = report.order_ids
        else:
            orders = None if report.orders_upserted or report.pii_fetched else _NONE
        return cls(orders=orders, listings=None if report.listings_upserted else _NONE)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            _merge(self.orders, other.orders),
            _merge(self.listings, other.listings),
            _merge(self.shipments, other.shipments),
            _merge(self.reports, other.reports),
        )

    @staticmethod
    def touches(ids: Ids) -> bool:
        return ids is None or bool(ids)

    def __bool__(self) -> bool:
        return any(
            self.touches(i) for i in (self.orders, self.listings, self.shipments, self.reports)
        )
