"""SpApiGateway: the only object in Kinxpro that talks to Amazon.

It builds python-amazon-sp-api clients for the account's region (or a loopback simulator),
sends every request through one guarded ``httpx.Client`` (allow-list, TLS >= 1.2, timeouts;
see :mod:`.transport`), paces each operation with a client-side token bucket (see
:mod:`.buckets`), retries 429, 5xx, timeouts, dropped connections and damaged bodies with
jittered backoff, and refreshes the access token once on 401/403.

Methods return Amazon's JSON body as a dict (validated to be a JSON object); mapping to core
dataclasses lives in :mod:`.mapping` and :mod:`.flatfile`.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace, TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
from sp_api.api import (
    Inventories,
    ListingsItemsV20210801,
    OrdersV20260101,
    Reports,
    Sellers,
)
from sp_api.auth import AccessTokenClient, access_token_client
from sp_api.base import Client

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.progress import Cancelled, CancelToken
from kinxpro_desktop.core.sync import AccountInfo, BucketState
from kinxpro_desktop.spapi.buckets import RateLimiter
from kinxpro_desktop.spapi.egress import (
    LWA_HOST,
    REGION_ENDPOINTS,
    check_endpoint,
    tls_context,
)
from kinxpro_desktop.spapi.errors import (
    AccessDenied,
    BadResponse,
    EgressRefused,
    RequestRejected,
    SpApiError,
    Throttled,
)
from kinxpro_desktop.spapi.transport import GuardedTransport, RefusalHook, make_http_client

log = logging.getLogger(__name__)

Json = dict[str, Any]
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


def amazon_time(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, whole seconds (what Amazon's date-time parameters take)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        self.creds = creds
        self.endpoint = endpoint
        self.simulator = simulator
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.limiter = RateLimiter(learn_scale=simulator)
        self._refused: list[EgressRefused] = []
        self._on_refused = on_refused
        self._lock = threading.RLock()
        self._http = make_http_client(timeout, tls_context())
        self._api = GuardedTransport(self._http, allow_loopback=simulator, on_refused=self._refusal)
        self._lwa = GuardedTransport(
            self._http, allow_loopback=simulator, kind="lwa", on_refused=self._refusal
        )
        if simulator:
            parts = urlsplit(endpoint)
            lwa_class: type[AccessTokenClient] = type(
                "SimulatorLwa",
                (AccessTokenClient,),
                {"scheme": f"{parts.scheme}://", "host": parts.netloc},
            )
        else:
            lwa_class = type("AmazonLwa", (AccessTokenClient,), {"host": LWA_HOST})
        self._lwa_class = lwa_class
        self._marketplace = SimpleNamespace(
            name="US",
            endpoint=endpoint,
            marketplace_id=creds.marketplaces[0] if creds.marketplaces else "ATVPDKIKX0DER",
            region={"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}[creds.region],
        )
        self._clients: dict[type[Client], Client] = {}

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
        (used for SP-API and LWA alike). A non-loopback endpoint raises EgressRefused."""
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

    def _refusal(self, refused: EgressRefused) -> None:
        with self._lock:
            self._refused.append(refused)
        if self._on_refused is not None:
            self._on_refused(refused)

    def take_refusals(self) -> list[EgressRefused]:
        """Refusals since the last call (so a service can audit them)."""
        with self._lock:
            out, self._refused = self._refused, []
        return out

    def _client(self, kind: type[Client]) -> Any:
        with self._lock:
            client = self._clients.get(kind)
            if client is None:
                client = kind(
                    marketplace=self._marketplace,
                    credentials={
                        "refresh_token": self.creds.refresh_token,
                        "lwa_app_id": self.creds.lwa_client_id,
                        "lwa_client_secret": self.creds.lwa_client_secret,
                    },
                    refresh_token=self.creds.refresh_token,
                    timeout=self.timeout,
                    verify=tls_context(),
                    auth_token_client_class=self._lwa_class,
                )
                # Replace the library's own httpx clients with the guarded one.
                client._transport.close()
                client._auth._transport.close()
                client._transport = self._api
                client._auth._transport = self._lwa
                client.endpoint = self.endpoint
                self._clients[kind] = client
            return client

    def close(self) -> None:
        with self._lock:
            self._clients.clear()
            self._http.close()

    def __enter__(self) -> SpApiGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ state
    def rate_limits(self) -> list[BucketState]:
        return self.limiter.snapshot()

    def call_totals(self) -> tuple[int, int]:
        """(API calls made, 429s received) since the gateway was built."""
        return self.limiter.totals()

    @staticmethod
    def _forget_access_token(client: Any) -> None:
        access_token_client.cache.pop(client._auth._get_cache_key(), None)

    # ------------------------------------------------------------------ the call loop
    def call(
        self,
        operation: str,
        kind: type[Client],
        fn: Callable[[Any], Any],
        cancel: CancelToken | None = None,
        *,
        allow_empty: bool = False,
    ) -> Json:
        """Run `fn(client)` under `operation`'s bucket with retries; returns the JSON body."""
        client = self._client(kind)
        attempt = 0
        refreshed = False
        while True:
            if cancel is not None:
                cancel.check()
            self.limiter.acquire(operation, cancel)
            try:
                with self._lock:
                    fn(client)
                    res = self._api.last_response
                if res is None:  # pragma: no cover - the transport always records one
                    raise BadResponse(f"{operation}: no response was recorded.")
                self.limiter.observe_limit(operation, res.headers.get("x-amzn-RateLimit-Limit"))
                return self._body(operation, res, allow_empty)
            except Throttled as exc:
                self.limiter.throttled(operation)
                error: SpApiError = exc
            except RequestRejected as exc:
                res = self._api.last_response
                if res is not None:
                    self.limiter.observe_limit(operation, res.headers.get("x-amzn-RateLimit-Limit"))
                if exc.status in (401, 403) and not refreshed:
                    # The library caches access tokens by refresh token only, for 3200 s,
                    # whatever expires_in said: drop ours and get a fresh one, once.
                    refreshed = True
                    self._forget_access_token(client)
                    log.info("%s: HTTP %s, refreshing the access token", operation, exc.status)
                    continue
                if exc.status in (401, 403):
                    raise AccessDenied(
                        f"Amazon refused {operation} even with a fresh access token "
                        f"({exc.message.removeprefix('Amazon refused the request ')}). Check that "
                        "your app has the roles this needs (Seller Central ▸ Develop Apps ▸ Edit "
                        "App), then authorise it again and reconnect in Account ▸ Connect.",
                        operation=operation,
                        status=exc.status,
                        code=exc.code,
                    ) from exc
                raise RequestRejected(
                    f"{operation}: {exc.message}",
                    operation=operation,
                    status=exc.status,
                    code=exc.code,
                ) from exc
            except SpApiError as exc:
                if not exc.retryable:
                    raise
                error = exc
            except ValueError as exc:  # the library choking on a body we let through
                error = BadResponse(f"{operation}: Amazon's answer could not be read ({exc}).")
            attempt += 1
            if attempt >= self.max_attempts:
                error.operation = operation
                log.warning("%s failed after %d attempts: %s", operation, attempt, error.message)
                raise type(error)(
                    f"{operation} failed after {attempt} attempts: {error.message} "
                    "Kinxpro will try again at the next sync.",
                    operation=operation,
                    status=error.status,
                    code=error.code,
                ) from error
            delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
            delay *= random.uniform(0.5, 1.5)
            log.info("%s: %s; retry %d in %.2fs", operation, error.message, attempt, delay)
            if cancel is not None:
                if cancel.wait(delay):
                    raise Cancelled()
            else:
                threading.Event().wait(delay)

    @staticmethod
    def _body(operation: str, res: httpx.Response, allow_empty: bool) -> Json:
        if not res.content.strip():
            if allow_empty:
                return {}
            raise BadResponse(
                f"{operation}: Amazon answered HTTP {res.status_code} with an empty body; "
                "Kinxpro will retry.",
                operation=operation,
                status=res.status_code,
            )
        body = json.loads(res.content)  # validated by the transport
        if not isinstance(body, dict):
            raise BadResponse(
                f"{operation}: expected a JSON object, got {type(body).__name__}.",
                operation=operation,
            )
        return body

    # ------------------------------------------------------------------ operations
    def discover_account(self, cancel: CancelToken | None = None) -> AccountInfo:
        """Marketplaces the seller participates in. Amazon's getMarketplaceParticipations does
        not return the seller id (merchant token), so it comes from the credentials."""
        body = self.call(
            "getMarketplaceParticipations",
            Sellers,
            lambda c: c.get_marketplace_participation(),
            cancel,
        )
        rows = body.get("payload")
        if not isinstance(rows, list):
            raise BadResponse("getMarketplaceParticipations: the payload is not a list.")
        markets: list[tuple[str, str, str, str]] = []
        for row in rows:
            try:
                mp = row["marketplace"]
                participating = bool(row.get("participation", {}).get("isParticipating", True))
                entry = (
                    str(mp["id"]),
                    str(mp.get("countryCode", "")),
                    str(mp.get("name", "")),
                    str(mp.get("defaultCurrencyCode", "")),
                )
            except (KeyError, TypeError, AttributeError) as exc:
                raise BadResponse(
                    "getMarketplaceParticipations: a marketplace entry is malformed."
                ) from exc
            if participating:
                markets.append(entry)
        if not markets:
            raise SpApiError(
                "Amazon says this account participates in no marketplace; check that the "
                "refresh token belongs to your selling account."
            )
        return AccountInfo(seller_id=self.creds.seller_id, marketplaces=tuple(markets))

    def search_orders(self, params: Json, cancel: CancelToken | None = None) -> Json:
        body = self.call(
            "searchOrders", OrdersV20260101, lambda c: c.search_orders(**dict(params)), cancel
        )
        if not isinstance(body.get("orders"), list):
            raise BadResponse("searchOrders: the answer has no orders list; Kinxpro will retry.")
        return body

    def get_order(
        self, order_id: str, included: Sequence[str], cancel: CancelToken | None = None
    ) -> Json:
        body = self.call(
            "getOrder",
            OrdersV20260101,
            lambda c: c.get_order(order_id, includedData=list(included)),
            cancel,
        )
        order = body.get("order")
        if not isinstance(order, dict):
            raise BadResponse(f"getOrder {order_id}: the answer has no order object.")
        return order

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
        body: Json = {"reportType": report_type, "marketplaceIds": list(marketplaces)}
        if start is not None:
            body["dataStartTime"] = amazon_time(start)
        if end is not None:
            body["dataEndTime"] = amazon_time(end)
        if options:
            body["reportOptions"] = options
        answer = self.call("createReport", Reports, lambda c: c.create_report(**body), cancel)
        report_id = answer.get("reportId")
        if not isinstance(report_id, str) or not report_id:
            raise BadResponse("createReport: the answer has no reportId.")
        return report_id

    def get_report(self, report_id: str, cancel: CancelToken | None = None) -> Json:
        body = self.call("getReport", Reports, lambda c: c.get_report(report_id), cancel)
        if not isinstance(body.get("processingStatus"), str):
            raise BadResponse(f"getReport {report_id}: no processingStatus in the answer.")
        return body

    def download_report(self, document_id: str, cancel: CancelToken | None = None) -> str:
        """getReportDocument, then the document itself, inflated and decoded. A damaged
        download (truncated or corrupt gzip) is fetched again with a fresh URL."""
        attempt = 0
        while True:
            meta = self.call(
                "getReportDocument",
                Reports,
                lambda c: c.get_report_document(document_id),
                cancel,
            )
            try:
                return self._fetch_document(meta)
            except BadResponse as exc:
                attempt += 1
                if attempt >= 3:
                    raise BadResponse(
                        f"The report document {document_id} could not be downloaded intact "
                        f"after {attempt} attempts ({exc.message}). Kinxpro will try again at "
                        "the next sync."
                    ) from exc
                log.info("report document %s damaged (%s); fetching again", document_id, exc)

    def _fetch_document(self, meta: Json) -> str:
        url = meta.get("url")
        if not isinstance(url, str) or not url:
            raise BadResponse("getReportDocument: the answer has no document url.")
        self._api.check(url)
        try:
            with self._http.stream("GET", url) as res:
                if res.status_code != 200:
                    raise BadResponse(f"the document download answered HTTP {res.status_code}")
                chunks: list[bytes] = []
                size = 0
                for chunk in res.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOCUMENT_BYTES:
                        raise SpApiError("The report document is larger than 512 MB.")
                    chunks.append(chunk)
                charset = res.charset_encoding
        except httpx.HTTPError as exc:
            raise BadResponse(f"the document download failed ({type(exc).__name__})") from exc
        data = b"".join(chunks)
        algorithm = meta.get("compressionAlgorithm")
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise BadResponse(f"the gzip document is damaged ({type(exc).__name__})") from exc
        elif algorithm == "GZIP" and data:
            log.info("document said GZIP but is not gzip; reading it as is")
        try:
            return data.decode(charset or "utf-8")
        except (UnicodeDecodeError, LookupError):
            return data.decode("cp1252", errors="replace")

    def search_listings(
        self,
        marketplace_id: str,
        page_token: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        if not self.creds.seller_id:
            raise SpApiError(
                "Listing issues need your seller id (merchant token): find it in Seller "
                "Central ▸ Settings ▸ Account Info ▸ Merchant Token and enter it in "
                "Account ▸ Connect."
            )
        kwargs: Json = {
            "marketplaceIds": [marketplace_id],
            "includedData": ["summaries", "issues"],
            "pageSize": 20,
        }
        if page_token:
            kwargs["pageToken"] = page_token
        body = self.call(
            "searchListingsItems",
            ListingsItemsV20210801,
            lambda c: c.search_listings_items(self.creds.seller_id, **kwargs),
            cancel,
        )
        if not isinstance(body.get("items"), list):
            raise BadResponse("searchListingsItems: the answer has no items list.")
        return body

    def inventory_summaries(
        self,
        marketplace_id: str,
        next_token: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        kwargs: Json = {
            "granularityType": "Marketplace",
            "granularityId": marketplace_id,
            "marketplaceIds": [marketplace_id],
            "details": "true",
        }
        if next_token:
            kwargs["nextToken"] = next_token
        body = self.call(
            "getInventorySummaries",
            Inventories,
            lambda c: c.get_inventory_summary_marketplace(**kwargs),
            cancel,
        )
        payload = body.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("inventorySummaries"), list):
            raise BadResponse("getInventorySummaries: the answer has no inventorySummaries.")
        return body
