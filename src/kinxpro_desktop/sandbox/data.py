"""Seeded, deterministic generator of the simulated seller's world: listings and orders.

Orders carry a status timeline (Pending -> Unshipped -> [PartiallyShipped] -> Shipped, or
Canceled) with absolute times, so the world moves as the simulated clock runs: FBA orders ship
by themselves, MFN orders wait for the seller (confirmShipment or a purchased label) unless they
are old. Orders after the start time are generated a day at a time as the clock reaches them.
The same seed and start give byte-identical data.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalog import (
    ADJECTIVES,
    FIRST_NAMES,
    LAST_NAMES,
    MARKET_WEIGHTS,
    MARKETS,
    PII_MARKER,
    PLACES,
    PRODUCT_LINES,
    SHIP_SERVICE_LEVELS,
    STREET_SUFFIXES,
    STREETS,
    VARIANTS,
)

DAY = 86400.0
HOUR = 3600.0
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(slots=True)
class Listing:
    sku: str
    asin: str
    fnsku: str
    title: str
    product_type: str
    marketplace_id: str
    price_cents: int
    quantity: int
    channel: str  # "AFN" or "MFN"
    status: tuple[str, ...]  # () means inactive
    created: float
    updated: float
    issues: list[dict[str, object]] = field(default_factory=list)
    deleted: bool = False
    listing_id: str = ""


@dataclass(slots=True)
class Line:
    item_id: str
    listing: Listing
    quantity: int
    unit_cents: int
    tax_cents: int  # for the whole line
    shipping_cents: int


@dataclass(slots=True)
class Order:
    idx: int
    order_id: str
    marketplace_id: str
    channel: str  # "AFN" or "MFN"
    created: float
    stages: list[tuple[float, str]]  # ascending (time, Orders v0 status)
    lines: list[Line]
    service_level: str
    prime: bool
    business: bool
    packages: list[dict[str, object]] = field(default_factory=list)

    def stage_at(self, now: float) -> tuple[float, str]:
        current = self.stages[0]
        for stage in self.stages:
            if stage[0] > now:
                break
            current = stage
        return current

    def status_at(self, now: float) -> str:
        return self.stage_at(now)[1]

    def updated_at(self, now: float) -> float:
        return self.stage_at(now)[0]

    @property
    def ship_by(self) -> float:
        return self.created + (2 * DAY if self.channel == "MFN" else DAY)

    @property
    def deliver_by(self) -> float:
        return self.ship_by + (3 * DAY if self.prime else 7 * DAY)

    def total_cents(self) -> int:
        return sum(
            ln.unit_cents * ln.quantity + ln.tax_cents + ln.shipping_cents for ln in self.lines
        )


@dataclass(frozen=True)
class Buyer:
    name: str
    email: str
    phone: str
    line1: str
    line2: str
    city: str
    state: str
    postal: str
    country: str


def _b36(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, rem = divmod(value, 36)
        out.append(_B36[rem])
    return "".join(reversed(out))


def _mix(seed: int, index: int, salt: int) -> int:
    """A cheap deterministic 64-bit hash of three integers."""
    value = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt) & (2**64 - 1)
    value ^= value >> 31
    value = (value * 0x94D049BB133111EB) & (2**64 - 1)
    return value ^ (value >> 29)


class World:
    """All listings and orders; thread-safe through ``lock``."""

    def __init__(self, seed: int, orders: int, days: int, listings: int, start: float) -> None:
        if orders < 0 or days <= 0 or listings <= 0:
            raise ValueError("orders must be >= 0, days and listings > 0")
        self.seed = seed
        self.start = start
        self.days = days
        self.daily_rate = orders / days
        self.lock = threading.RLock()
        self.listings: list[Listing] = []
        self.by_sku: dict[str, Listing] = {}
        self.orders: list[Order] = []
        self.by_id: dict[str, Order] = {}
        self._created: list[float] = []
        self._ev_times: list[float] = []
        self._ev_idx: list[int] = []
        self._market_listings: dict[str, list[Listing]] = {}
        self._generated_until = start
        self._chunk = 0
        self._make_listings(listings)
        rng = random.Random(seed)
        self._add_orders(rng, orders, start - days * DAY, start)

    # ----------------------------------------------------------------- listings
    def _make_listings(self, count: int) -> None:
        rng = random.Random(self.seed * 7919 + 17)
        for i in range(count):
            pick = rng.random()
            market = MARKET_WEIGHTS[-1][0]
            acc = 0.0
            for candidate, weight in MARKET_WEIGHTS:
                acc += weight
                if pick < acc:
                    market = candidate
                    break
            ptype, code, nouns = PRODUCT_LINES[i % len(PRODUCT_LINES)]
            noun = nouns[int(rng.random() * len(nouns))]
            adjective = ADJECTIVES[int(rng.random() * len(ADJECTIVES))]
            variant = VARIANTS[int(rng.random() * len(VARIANTS))]
            base = 499 + int(rng.random() * 11500)
            price = int(base * market.price_factor) // 100 * 100 + 99
            channel = "AFN" if rng.random() < 0.7 else "MFN"
            roll = rng.random()
            status: tuple[str, ...] = ("BUYABLE", "DISCOVERABLE")
            issues: list[dict[str, object]] = []
            if roll < 0.06:
                status = ()
            elif roll < 0.12:
                status = ("DISCOVERABLE",)
                issues.append(
                    {
                        "code": "90220",
                        "message": "'item_package_weight' is required but not supplied.",
                        "severity": "ERROR",
                        "attributeNames": ["item_package_weight"],
                        "categories": ["MISSING_ATTRIBUTE"],
                    }
                )
            elif roll < 0.18:
                issues.append(
                    {
                        "code": "18027",
                        "message": "The main image does not meet the image requirements.",
                        "severity": "WARNING",
                        "attributeNames": ["main_product_image_locator"],
                        "categories": ["INVALID_ATTRIBUTE"],
                    }
                )
            created = self.start - (30 + rng.random() * 700) * DAY
            listing = Listing(
                sku=f"KX-{code}-{i + 1:04d}",
                asin="B0" + _b36(_mix(self.seed, i, 1), 8),
                fnsku="X00" + _b36(_mix(self.seed, i, 2), 7),
                title=f"Kinxpro Demo {adjective} {noun}, {variant}",
                product_type=ptype,
                marketplace_id=market.marketplace_id,
                price_cents=price,
                quantity=0 if not status else int(rng.random() * 240),
                channel=channel,
                status=status,
                created=created,
                updated=created + rng.random() * (self.start - created),
                issues=issues,
                listing_id=_b36(_mix(self.seed, i, 3), 10),
            )
            self.listings.append(listing)
            self.by_sku[listing.sku] = listing
        for listing in self.listings:
            if listing.status:
                self._market_listings.setdefault(listing.marketplace_id, []).append(listing)

    # ------------------------------------------------------------------- orders
    def _add_orders(self, rng: random.Random, count: int, t0: float, t1: float) -> None:
        if count <= 0:
            return
        span = t1 - t0
        times = sorted(t0 + rng.random() * span for _ in range(count))
        weights = [(m.marketplace_id, w) for m, w in MARKET_WEIGHTS]
        new: list[Order] = []
        rand = rng.random
        for created in times:
            pick = rand()
            mp = weights[-1][0]
            acc = 0.0
            for candidate, weight in weights:
                acc += weight
                if pick < acc:
                    mp = candidate
                    break
            pool = self._market_listings.get(mp) or self.listings
            market = MARKETS[mp]
            while True:
                prefix = market.order_prefixes[int(rand() * len(market.order_prefixes))]
                oid = f"{prefix}-{int(rand() * 1e7):07d}-{int(rand() * 1e7):07d}"
                if oid not in self.by_id:
                    break
            roll = rand()
            n_lines = 1 if roll < 0.75 else 2 if roll < 0.92 else 3 if roll < 0.98 else 4
            first = pool[int(rand() * len(pool))]
            channel = first.channel
            prime = channel == "AFN" and rand() < 0.8
            lines: list[Line] = []
            used: set[str] = set()
            for n in range(n_lines):
                listing = first if n == 0 else pool[int(rand() * len(pool))]
                if listing.sku in used or listing.channel != channel:
                    continue
                used.add(listing.sku)
                qty = 1 if rand() < 0.85 else 2 + int(rand() * 2)
                unit = listing.price_cents
                ship = 0 if prime else int((399 + int(rand() * 300)) * market.price_factor)
                tax = round((unit * qty + ship) * market.tax_rate)
                item_id = f"{int(rand() * 9e13) + 10**13:014d}"
                lines.append(Line(item_id, listing, qty, unit, tax, ship))
            stages = self._timeline(rand, created, channel, len(lines) > 1)
            level = SHIP_SERVICE_LEVELS[0] if rand() < 0.8 else SHIP_SERVICE_LEVELS[1]
            order = Order(
                idx=len(self.orders) + len(new),
                order_id=oid,
                marketplace_id=mp,
                channel=channel,
                created=created,
                stages=stages,
                lines=lines,
                service_level=level,
                prime=prime,
                business=rand() < 0.05,
            )
            new.append(order)
            self.by_id[oid] = order
        self.orders.extend(new)
        self._created.extend(o.created for o in new)
        events = [(t, o.idx) for o in new for t, _ in o.stages]
        events.sort()
        if self._ev_times and events and events[0][0] < self._ev_times[-1]:
            merged = sorted(list(zip(self._ev_times, self._ev_idx, strict=True)) + events)
            self._ev_times = [t for t, _ in merged]
            self._ev_idx = [i for _, i in merged]
        else:
            self._ev_times.extend(t for t, _ in events)
            self._ev_idx.extend(i for _, i in events)

    def _timeline(
        self, r: Callable[[], float], created: float, channel: str, multi: bool
    ) -> list[tuple[float, str]]:
        stages = [(created, "Pending")]
        stuck = r() < 0.01  # a few orders stay in payment review for a day or more
        paid = created + ((1 + r() * 2) * DAY if stuck else (5 + r() * 55) * 60)
        if r() < 0.04:
            stages.append((created + (0.5 + r() * 30) * HOUR, "Canceled"))
            return stages
        stages.append((paid, "Unshipped"))
        ship = paid + (4 + r() * 32) * HOUR if channel == "AFN" else paid + (12 + r() * 48) * HOUR
        if channel == "MFN" and ship >= self.start:
            return stages  # waits for the seller to ship
        if multi and r() < 0.3:
            stages.append(((paid + ship) / 2, "PartiallyShipped"))
        stages.append((ship, "Shipped"))
        return stages

    def ensure(self, now: float) -> None:
        """Generate the daily chunks of new orders up to one day past ``now``."""
        with self.lock:
            while self._generated_until <= now + DAY:
                rng = random.Random(self.seed * 1_000_003 + self._chunk + 1)
                expected = self.daily_rate * (0.8 + 0.4 * rng.random())
                count = int(expected) + (1 if rng.random() < expected % 1 else 0)
                t0 = self._generated_until
                self._add_orders(rng, count, t0, t0 + DAY)
                self._generated_until = t0 + DAY
                self._chunk += 1

    # ------------------------------------------------------------------ queries
    def created_between(self, after: float, before: float) -> list[Order]:
        lo = bisect.bisect_right(self._created, after)
        hi = bisect.bisect_right(self._created, before)
        return self.orders[lo:hi]

    def updated_between(self, after: float, before: float, now: float) -> list[Order]:
        lo = bisect.bisect_right(self._ev_times, after)
        hi = bisect.bisect_right(self._ev_times, before)
        seen: set[int] = set()
        out: list[tuple[float, str, Order]] = []
        for i in range(lo, hi):
            idx = self._ev_idx[i]
            if idx in seen:
                continue
            seen.add(idx)
            order = self.orders[idx]
            updated = order.updated_at(now)
            if after < updated <= before:
                out.append((updated, order.order_id, order))
        out.sort(key=lambda row: (row[0], row[1]))
        return [row[2] for row in out]

    def add_stage(self, order: Order, at: float, status: str) -> None:
        """Record a seller action (shipment, cancellation) at simulated time ``at``."""
        with self.lock:
            order.stages = [s for s in order.stages if s[0] <= at] + [(at, status)]
            pos = bisect.bisect_right(self._ev_times, at)
            self._ev_times.insert(pos, at)
            self._ev_idx.insert(pos, order.idx)

    def buyer(self, order: Order) -> Buyer:
        """The order's fake, recognisable buyer (derived from the seed and order index)."""
        h = (self.seed * 2_654_435_761 + order.idx * 40_503 + 12_345) % 4_294_967_291
        market = MARKETS[order.marketplace_id]
        first = FIRST_NAMES[h % len(FIRST_NAMES)]
        last = LAST_NAMES[(h // 20) % len(LAST_NAMES)]
        city, state, postal = PLACES[market.country][(h // 320) % len(PLACES[market.country])]
        number = 100 + (h // 7) % 9800
        street = f"{STREETS[(h // 11) % len(STREETS)]} {STREET_SUFFIXES[(h // 13) % 6]}"
        if market.country == "US":
            postal_code = f"{postal}{(h // 17) % 100:02d}"
        elif market.country == "CA":
            postal_code = f"{postal} {(h // 17) % 10}{_B36[10 + (h // 19) % 26]}{(h // 23) % 10}"
        else:
            postal_code = f"{postal}{(h // 17) % 1000:03d}"
        return Buyer(
            name=f"{first} {last}-{PII_MARKER}",
            email=f"{PII_MARKER.lower()}.{h % 1_000_000:06d}@marketplace.amazon.com",
            phone=f"+1 555-01{h % 100:02d}-{(h // 100) % 10000:04d}",
            line1=f"{number} {street}",
            line2=f"Apt {1 + (h // 29) % 40}" if h % 3 == 0 else "",
            city=city,
            state=state,
            postal=postal_code,
            country=market.country,
        )

    def visible(self, now: float) -> list[Order]:
        """Orders created up to ``now``."""
        return self.orders[: bisect.bisect_right(self._created, now)]
