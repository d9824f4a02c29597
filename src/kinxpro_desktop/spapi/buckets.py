"""Client-side token buckets, one per operation, so Kinxpro waits instead of being throttled.

Each bucket starts from Amazon's published default (rate per second, burst; SPAPI-NOTES §3.2)
and takes its rate from ``x-amzn-RateLimit-Limit`` whenever Amazon sends one. A call reserves
a token at once (the balance may go negative) and sleeps until the balance it took was
covered, so concurrent callers queue fairly. A 429 empties the bucket: Amazon just told us
its bucket is empty, whatever ours thought.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kinxpro_desktop.core.progress import Cancelled, CancelToken
from kinxpro_desktop.core.sync import BucketState

#: operation -> (requests per second, burst), Amazon's defaults
RATE_TABLE: dict[str, tuple[float, int]] = {
    "getOrders": (0.0167, 20),
    "getOrderItems": (0.5, 30),
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createRestrictedDataToken": (1.0, 10),
    "getMarketplaceParticipations": (0.016, 15),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReports": (0.0222, 10),
    "cancelReport": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "searchListingsItems": (5.0, 5),
    "getListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "patchListingsItemPreview": (1.0, 1),  # mode=VALIDATION_PREVIEW is throttled at 1/s
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    "getEligibleShipmentServices": (6.0, 12),
    "createShipment": (2.0, 2),
    "getShipment": (1.0, 1),
    "cancelShipment": (1.0, 1),
    "getInventorySummaries": (2.0, 2),
}
DEFAULT_PLAN = (1.0, 1)
#: operations whose answers carry another plan's rate header: a VALIDATION_PREVIEW is answered
#: with patchListingsItem's 5/s, while the preview itself is limited to 1/s
HEADER_OF_ANOTHER_PLAN = frozenset({"patchListingsItemPreview"})
#: a reservation waits this much longer than the arithmetic says, for clock granularity
SAFETY = 0.01


class TokenBucket:
    def __init__(self, operation: str, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self.operation = operation
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self.tokens = float(burst)
        self.stamp = clock()
        self.calls = 0
        self.throttled = 0

    def _refill(self, now: float) -> None:
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def reserve(self, now: float) -> float:
        """Take a token; returns how many seconds to wait before using it."""
        self._refill(now)
        self.tokens -= 1.0
        self.calls += 1
        if self.tokens >= 0:
            return 0.0
        return -self.tokens / self.rate * (1 + SAFETY) + SAFETY

    def set_rate(self, rate: float, now: float) -> None:
        self._refill(now)
        self.rate = rate

    def empty(self, now: float) -> None:
        self._refill(now)
        self.tokens = min(self.tokens, 0.0)
        self.throttled += 1

    def state(self, now: float) -> BucketState:
        tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        at = None if wait <= 0 else datetime.now(UTC) + timedelta(seconds=wait)
        return BucketState(
            self.operation,
            self.rate,
            self.burst,
            max(0.0, tokens),
            at,
            calls=self.calls,
            throttled=self.throttled,
        )


class RateLimiter:
    """All buckets of one gateway; thread-safe."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, learn_scale: bool = False
    ) -> None:
        """`learn_scale` (simulator only): the simulator runs Amazon's limits `scale` times
        faster and says so in its rate headers; the first header seen scales every bucket
        that has not had its own header yet."""
        self._clock = clock
        self._learn_scale = learn_scale
        self._scale = 1.0
        self._observed: set[str] = set()
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def _bucket(self, operation: str) -> TokenBucket:
        bucket = self._buckets.get(operation)
        if bucket is None:
            rate, burst = RATE_TABLE.get(operation, DEFAULT_PLAN)
            bucket = TokenBucket(operation, rate * self._scale, burst, self._clock)
            self._buckets[operation] = bucket
        return bucket

    def acquire(self, operation: str, cancel: CancelToken | None = None) -> float:
        """Wait (cancellably) until `operation` may be called; returns the seconds waited."""
        with self._lock:
            wait = self._bucket(operation).reserve(self._clock())
        if wait > 0:
            if cancel is not None:
                if cancel.wait(wait):
                    raise Cancelled()
            else:
                time.sleep(wait)
        return wait

    def observe_limit(self, operation: str, header: str | None) -> None:
        """Apply an ``x-amzn-RateLimit-Limit`` value (ignored when absent or nonsense)."""
        if not header or operation in HEADER_OF_ANOTHER_PLAN:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if not 0 < rate < 1e6:
            return
        with self._lock:
            now = self._clock()
            if self._learn_scale and not self._observed and operation in RATE_TABLE:
                self._scale = rate / RATE_TABLE[operation][0]
                for name, other in self._buckets.items():
                    if name != operation:
                        other.set_rate(RATE_TABLE.get(name, DEFAULT_PLAN)[0] * self._scale, now)
            self._observed.add(operation)
            bucket = self._bucket(operation)
            if abs(bucket.rate - rate) > 1e-12:
                bucket.set_rate(rate, now)

    def throttled(self, operation: str) -> None:
        with self._lock:
            self._bucket(operation).empty(self._clock())

    def snapshot(self) -> list[BucketState]:
        with self._lock:
            now = self._clock()
            return [b.state(now) for _, b in sorted(self._buckets.items())]

    def totals(self) -> tuple[int, int]:
        """(calls, 429s) over all operations."""
        with self._lock:
            return (
                sum(b.calls for b in self._buckets.values()),
                sum(b.throttled for b in self._buckets.values()),
            )
