"""Amazon's per-operation token buckets.

Rates and bursts are the defaults in each operation's "Usage Plan" table in the official models
(see tests/contracts/sp-api-models/README.md). A bucket starts full (``burst`` tokens), refills at
``rate`` tokens per second of *real* time multiplied by the time scale, and a request that finds
it empty is answered with 429 ``QuotaExceeded``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

#: operation name -> (rate in requests per second, burst)
RATE_TABLE: dict[str, tuple[float, int]] = {
    # Orders v0
    "getOrders": (0.0167, 20),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    # Orders 2026-01-01 (getOrder is named getOrder2026 here to keep it apart from v0's)
    "searchOrders": (0.0056, 20),
    "getOrder2026": (0.5, 30),
    # Tokens, Sellers
    "createRestrictedDataToken": (1.0, 10),
    "getMarketplaceParticipations": (0.016, 15),
    # Listings Items 2021-08-01
    "getListingsItem": (5.0, 10),
    "searchListingsItems": (5.0, 5),
    "patchListingsItem": (5.0, 5),
    "putListingsItem": (5.0, 10),
    "deleteListingsItem": (5.0, 5),
    # Feeds 2021-06-30
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "cancelFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
    # Reports 2021-06-30
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReports": (0.0222, 10),
    "cancelReport": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    # Merchant Fulfillment v0
    "getEligibleShipmentServices": (6.0, 12),
    "createShipment": (2.0, 2),
    "getShipment": (1.0, 1),
    "cancelShipment": (1.0, 1),
    # FBA Inventory v1
    "getInventorySummaries": (2.0, 2),
}


@dataclass
class Bucket:
    rate: float
    burst: int
    tokens: float
    stamp: float


class RateLimiter:
    """One token bucket per operation; thread-safe."""

    def __init__(self, time_scale: float = 1.0, enabled: bool = True) -> None:
        self.time_scale = time_scale
        self.enabled = enabled
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    @staticmethod
    def limit(operation: str) -> tuple[float, int] | None:
        return RATE_TABLE.get(operation)

    def try_acquire(self, operation: str) -> bool:
        """Take one token for ``operation``; False when its bucket is empty."""
        if not self.enabled:
            return True
        plan = RATE_TABLE.get(operation)
        if plan is None:
            return True
        rate, burst = plan
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                bucket = Bucket(rate, burst, float(burst), now)
                self._buckets[operation] = bucket
            else:
                refill = (now - bucket.stamp) * rate * self.time_scale
                bucket.tokens = min(float(burst), bucket.tokens + refill)
                bucket.stamp = now
            if bucket.tokens >= 1.0 - 1e-9:  # float error must not cost a token
                bucket.tokens -= 1.0
                return True
            return False

    def drain(self, operation: str) -> None:
        """Empty one bucket (used by tests and the 429-storm fault)."""
        plan = RATE_TABLE.get(operation)
        if plan is None:
            return
        with self._lock:
            self._buckets[operation] = Bucket(plan[0], plan[1], 0.0, time.monotonic())

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    @staticmethod
    def header_value(operation: str) -> str | None:
        plan = RATE_TABLE.get(operation)
        if plan is None:
            return None
        return format(plan[0], "g")
