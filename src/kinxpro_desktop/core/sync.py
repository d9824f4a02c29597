"""What sync reports to the rest of the app (Qt-free, frozen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BucketState:
    """One operation's client-side token bucket, for the rate-limit meter."""

    operation: str
    rate: float  # requests per second currently applied (table, or x-amzn-RateLimit-Limit)
    burst: int
    tokens: float  # tokens left now
    next_call_at: datetime | None  # UTC wall time the next call may go out (None: now)
    calls: int = 0
    throttled: int = 0  # 429 responses received


@dataclass(frozen=True)
class SyncReport:
    started_at: datetime
    finished_at: datetime
    orders_upserted: int = 0
    items_upserted: int = 0
    pii_fetched: int = 0
    listings_upserted: int = 0
    backfilled: bool = False
    new_mfn_order_ids: tuple[str, ...] = ()  # merchant-fulfilled orders seen for the first time
    api_calls: int = 0
    throttled: int = 0
    watermark: datetime | None = None
    notes: tuple[str, ...] = field(default=())  # non-fatal issues worth showing (no PII)
    # orders stored or changed by this run, for views to refresh those rows only
    # (None: not tracked, or more than MAX_TRACKED_IDS, e.g. a backfill: anything may differ)
    order_ids: frozenset[str] | None = None


MAX_TRACKED_IDS = 5000


@dataclass(frozen=True)
class AccountInfo:
    seller_id: str
    marketplaces: tuple[tuple[str, str, str, str], ...]  # (marketplace_id, country, name, currency)


@dataclass(frozen=True)
class SyncState:
    """One sync stream's progress ("orders", "listings", "pii"): a watermark (Amazon's time
    up to which everything is stored) and what is in flight (a report, a page token)."""

    key: str
    watermark: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
