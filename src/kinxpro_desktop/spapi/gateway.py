"""SpApiGateway: one account's connection to Amazon, the only object in Kinxpro that talks to it.

It is a facade over the call core (:mod:`.call`: guarded transport, buckets, retries per the
operation's policy, token refresh) and one module per Amazon API, as the simulator is split:

=================  ===========================================================================
``gateway.sellers``   getMarketplaceParticipations            (:mod:`.sellers`)
``gateway.orders``    searchOrders, getOrder, confirmShipment (:mod:`.orders`)
``gateway.reports``   createReport, getReport(s), documents   (:mod:`.reports`)
``gateway.listings``  search/get/patchListingsItem            (:mod:`.listings`)
``gateway.feeds``     feed documents, createFeed, getFeed(s)  (:mod:`.feeds`)
``gateway.mfn``       eligible services, create/get/cancelShipment with an RDT (:mod:`.mfn`)
``gateway.tokens``    createRestrictedDataToken               (:mod:`.tokens`)
``gateway.inventory`` getInventorySummaries                   (:mod:`.inventory`)
=================  ===========================================================================

The methods on the facade itself are the ones sync has always called; they delegate.
Build gateways through ``services.connection`` (the Connection service), not directly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.core.sync import AccountInfo, BucketState
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.egress import REGION_ENDPOINTS, check_endpoint
from kinxpro_desktop.spapi.errors import EgressRefused
from kinxpro_desktop.spapi.feeds import FeedsApi
from kinxpro_desktop.spapi.inventory import InventoryApi
from kinxpro_desktop.spapi.listings import ListingsApi
from kinxpro_desktop.spapi.mfn import MfnApi
from kinxpro_desktop.spapi.orders import OrdersApi, amazon_time
from kinxpro_desktop.spapi.reports import ReportsApi
from kinxpro_desktop.spapi.sellers import SellersApi
from kinxpro_desktop.spapi.tokens import TokensApi
from kinxpro_desktop.spapi.transport import RefusalHook

__all__ = ["SpApiGateway", "amazon_time"]

log = logging.getLogger(__name__)

Json = dict[str, Any]


class SpApiGateway:
    """One account's connection to Amazon (or to a loopback simulator)."""

    def __init__(
        self,
        creds: SpApiCredentials,
        *,
        endpoint: str,
        simulator: bool,
        timeout: float = 30.0,
        on_refused: RefusalHook | None = None,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        self.core = CallCore(
            creds,
            endpoint=endpoint,
            simulator=simulator,
            timeout=timeout,
            on_refused=on_refused,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
        )
        self.sellers = SellersApi(self.core)
        self.orders = OrdersApi(self.core)
        self.reports = ReportsApi(self.core)
        self.listings = ListingsApi(self.core)
        self.feeds = FeedsApi(self.core)
        self.tokens = TokensApi(self.core)
        self.mfn = MfnApi(self.core, self.tokens)
        self.inventory = InventoryApi(self.core)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_credentials(
        cls,
        creds: SpApiCredentials,
        *,
        endpoint: str | None = None,
        timeout: float = 30.0,
        on_refused: RefusalHook | None = None,
    ) -> SpApiGateway:
        """Amazon's production host for `creds.region`, or a loopback simulator `endpoint`
        (used for SP-API and LWA alike). A non-loopback endpoint raises EgressRefused.
        Refusals go to `on_refused` when given, otherwise to `take_refusals()`."""
        if endpoint is None:
            return cls(
                creds,
                endpoint=REGION_ENDPOINTS[creds.region],
                simulator=False,
                timeout=timeout,
                on_refused=on_refused,
            )
        try:
            url = check_endpoint(endpoint)
        except EgressRefused as refused:
            log.warning("egress refused: endpoint host %s (%s)", refused.host, refused.reason)
            if on_refused is not None:
                on_refused(refused)
            raise
        return cls(creds, endpoint=url, simulator=True, timeout=timeout, on_refused=on_refused)

    # ------------------------------------------------------------------ core state
    @property
    def creds(self) -> SpApiCredentials:
        return self.core.creds

    @property
    def endpoint(self) -> str:
        return self.core.endpoint

    @property
    def simulator(self) -> bool:
        return self.core.simulator

    @property
    def _http(self) -> httpx.Client:
        """The guarded client (tests shorten its timeout)."""
        return self.core.http

    @property
    def max_attempts(self) -> int:
        return self.core.max_attempts

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self.core.max_attempts = value

    @property
    def backoff_base(self) -> float:
        return self.core.backoff_base

    @backoff_base.setter
    def backoff_base(self, value: float) -> None:
        self.core.backoff_base = value

    def take_refusals(self) -> list[EgressRefused]:
        """Refusals since the last call, when no `on_refused` hook took them."""
        return self.core.take_refusals()

    def rate_limits(self) -> list[BucketState]:
        return self.core.rate_limits()

    def call_totals(self) -> tuple[int, int]:
        """(API calls made, 429s received) since the gateway was built."""
        return self.core.call_totals()

    def close(self) -> None:
        self.core.close()

    def __enter__(self) -> SpApiGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ what sync calls
    def discover_account(self, cancel: CancelToken | None = None) -> AccountInfo:
        return self.sellers.discover_account(cancel)

    def search_orders(self, params: Mapping[str, Any], cancel: CancelToken | None = None) -> Json:
        return self.orders.search_orders(params, cancel)

    def get_order(
        self, order_id: str, included: Sequence[str], cancel: CancelToken | None = None
    ) -> Json:
        return self.orders.get_order(order_id, included, cancel)

    def create_report(
        self,
        report_type: str,
        marketplaces: Sequence[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        options: dict[str, str] | None = None,
        cancel: CancelToken | None = None,
    ) -> str:
        return self.reports.create(
            report_type, marketplaces, start=start, end=end, options=options, cancel=cancel
        )

    def get_report(self, report_id: str, cancel: CancelToken | None = None) -> Json:
        return self.reports.get(report_id, cancel)

    def download_report(self, document_id: str, cancel: CancelToken | None = None) -> str:
        return self.reports.download(document_id, cancel)

    def search_listings(
        self,
        marketplace_id: str,
        page_token: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        return self.listings.search(marketplace_id, page_token, cancel)

    def inventory_summaries(
        self,
        marketplace_id: str,
        next_token: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        return self.inventory.summaries(marketplace_id, next_token, cancel)
