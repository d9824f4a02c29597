"""The simulator's shared state: configuration, clock, world, tokens, reports, feeds, labels."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .catalog import MARKETS
from .clock import SimClock, iso
from .data import World
from .faults import FaultInjector
from .paging import Pager
from .ratelimit import RateLimiter
from .stats import Stats

if TYPE_CHECKING:
    from .wire import Request, Response

TOKEN_LIFETIME = 3600.0  # real seconds, for LWA access tokens and RDTs alike


@dataclass(frozen=True)
class DemoCredentials:
    """The only credentials the simulator accepts (LWA client, refresh token, seller)."""

    client_id: str = "amzn1.application-oa2-client.5a4db0c5000000000000000000000000"
    # Public demo values, accepted only by this simulator.
    client_secret: str = "amzn1.oa2-cs.v1.kinxpro-sandbox-client-secret-00000"  # noqa: S105
    refresh_token: str = "Atzr|IwEBIKinxproSandboxRefreshToken-00000000000000"  # noqa: S105
    seller_id: str = "A1KINXPROSIM01"
    store_name: str = "Kinxpro Demo Store"
    marketplace_ids: tuple[str, ...] = tuple(MARKETS)


@dataclass(frozen=True)
class SimConfig:
    seed: int = 42
    orders: int = 2000
    days: int = 60
    listings: int = 300
    time_scale: float = 1.0
    faults: str = ""
    pii_roles: bool = True
    rate_limits: bool = True
    start: datetime | None = None  # the world's origin (default: now)
    resume_at: datetime | None = None  # restarted demo: the simulated time reached before


@dataclass
class TokenRecord:
    token: str
    kind: str  # "lwa" or "rdt"
    expires: float  # time.monotonic()
    resources: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    data_elements: frozenset[str] = frozenset()


@dataclass
class Document:
    document_id: str
    content: bytes  # what a GET of the URL returns (gzip bytes when compressed)
    content_type: str
    compressed: bool
    fault_operation: str  # the operation whose gzip-* faults apply to downloads


@dataclass
class Report:
    report_id: str
    report_type: str
    marketplace_ids: list[str]
    created: float
    data_start: float
    data_end: float
    options: dict[str, str]
    fatal: bool = False
    cancelled_at: float | None = None
    document_id: str | None = None
    outcome: str | None = None  # DONE, CANCELLED or FATAL once decided


@dataclass
class Feed:
    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    created: float
    input_document_id: str
    fatal: bool = False
    cancelled_at: float | None = None
    result_document_id: str | None = None
    outcome: str | None = None


@dataclass
class Shipment:
    shipment_id: str
    order_id: str
    payload: dict[str, object]
    status: str = "Purchased"


QUEUE_SECONDS = 5.0  # simulated seconds a report or feed waits IN_QUEUE
PROCESS_SECONDS = 15.0  # simulated seconds it then spends IN_PROGRESS


class SimState:
    """Everything the request handlers share. Handlers run on server threads.

    Lock order: ``lock`` (reports, feeds, documents, tokens) before ``world.lock``; never take
    ``lock`` while holding ``world.lock``.
    """

    def __init__(self, config: SimConfig, credentials: DemoCredentials | None = None) -> None:
        self.config = config
        self.credentials = credentials or DemoCredentials()
        origin = config.start or datetime.now().astimezone().replace(microsecond=0)
        #: the world's origin: with the seed it fixes every order, id and timestamp
        self.origin = origin
        # A restarted demo resumes where its clock had got to (never earlier: the store it
        # synced holds watermarks up to there); the world is the same one, grown to then.
        clock_start = origin if config.resume_at is None else max(origin, config.resume_at)
        self.clock = SimClock(clock_start, config.time_scale)
        self.world = World(
            config.seed, config.orders, config.days, config.listings, origin.timestamp()
        )
        self.limiter = RateLimiter(config.time_scale, enabled=config.rate_limits)
        self.faults = FaultInjector(config.faults)
        self.stats = Stats()
        self.pii_roles = config.pii_roles
        #: roles for role-gated reports (sales and traffic, FBA ledger); tests take them away
        self.report_roles: set[str] = {"Brand Analytics", "Amazon Fulfillment"}
        self.base_url = ""
        self.stopping = threading.Event()
        self.lock = threading.RLock()
        self.tokens: dict[str, TokenRecord] = {}
        self.documents: dict[str, Document] = {}
        self.reports: dict[str, Report] = {}
        self.feeds: dict[str, Feed] = {}
        self.shipments: dict[str, Shipment] = {}
        self.submissions: dict[str, dict[str, object]] = {}
        self.pager = Pager()
        #: called with (operation, request, response) after every SP-API call (tests use it)
        self.recorder: Callable[[str, Request, Response], None] | None = None
        self._counter = 0

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        now = self.clock.now()
        self.world.ensure(now)
        return now

    def now_iso(self) -> str:
        return iso(self.clock.now())

    # ---------------------------------------------------------------- ids
    def next_number(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    # ---------------------------------------------------------------- tokens
    def issue_access_token(self) -> str:
        token = "Atza|IwEBI" + secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[token] = TokenRecord(token, "lwa", time.monotonic() + TOKEN_LIFETIME)
        return token

    def issue_rdt(
        self, resources: list[tuple[str, str]], data_elements: frozenset[str]
    ) -> TokenRecord:
        compiled = [(method.upper(), _path_pattern(path)) for method, path in resources]
        token = "Atz.sprdt|IwEBI" + secrets.token_urlsafe(48)
        record = TokenRecord(
            token, "rdt", time.monotonic() + TOKEN_LIFETIME, compiled, data_elements
        )
        with self.lock:
            self.tokens[token] = record
        return record

    def lookup_token(self, token: str) -> TokenRecord | None:
        with self.lock:
            return self.tokens.get(token)

    def document_url(self, kind: str, document_id: str) -> str:
        return f"{self.base_url}/_docs/{kind}/{document_id}"


def _path_pattern(path: str) -> re.Pattern[str]:
    """``/orders/v0/orders/{orderId}/address`` -> a regex matching any id in the braces."""
    parts = re.split(r"(\{[^}/]*\})", path.rstrip("/") or "/")
    body = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{body}$")
