"""The call core: one account's library clients, the retry loop, buckets, token refresh.

Every SP-API request of every API module goes through :meth:`CallCore.call`:

* it waits for the operation's client-side token bucket (:mod:`.buckets`);
* python-amazon-sp-api builds the request; it leaves through the one guarded ``httpx.Client``
  (allow-list, TLS >= 1.2, timeouts, no proxy from the environment; :mod:`.transport`), which
  parses the body once;
* failures are retried or not according to the operation's declared policy (:mod:`.policy`):
  reads retry 429, 5xx, timeouts, dropped connections and damaged bodies with jittered backoff;
  non-idempotent writes retry only what Amazon cannot have processed, and otherwise raise
  ``OutcomeUnknown``;
* 401/403 refreshes the access token (and the restricted-data token) once.

Messages name the operation in words; HTTP statuses and Amazon's codes go to the log.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient, access_token_client
from sp_api.base import Client

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.marketplaces import DEFAULT_MARKETPLACE_ID
from kinxpro_desktop.core.progress import Cancelled, CancelToken
from kinxpro_desktop.core.sync import BucketState
from kinxpro_desktop.spapi.buckets import RateLimiter
from kinxpro_desktop.spapi.egress import LWA_HOST, tls_context
from kinxpro_desktop.spapi.errors import (
    AccessDenied,
    BadResponse,
    EgressRefused,
    OutcomeUnknown,
    RequestRejected,
    SpApiError,
    Throttled,
    cap,
)
from kinxpro_desktop.spapi.policy import Policy, policy_of
from kinxpro_desktop.spapi.transport import GuardedTransport, RefusalHook, make_http_client

log = logging.getLogger(__name__)

Json = dict[str, Any]
AWS_REGIONS = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}
#: given to the library as its proxy so that it never reads HTTP(S)_PROXY / ALL_PROXY from the
#: environment (a socks5:// value crashes httpx without socksio); nothing listens there, and
#: the library's own clients are closed unused (see _library_client)
_NO_ROUTE_PROXY = "http://127.0.0.1:9"


class Restricted(Protocol):
    """A source of restricted-data tokens (RDTs) for one set of resources."""

    def token(self, cancel: CancelToken | None) -> str: ...

    def forget(self) -> None: ...


def _library_client(
    kind: type[Client], core: CallCore, *, restricted: bool
) -> Any:  # the library's clients are untyped
    """A python-amazon-sp-api client whose every request goes through the guarded transport.

    python-amazon-sp-api 2.1.35 offers no supported way to hand a client its httpx client or
    transport: ``Client.__init__`` and ``AccessTokenClient.__init__`` always build their own
    ``HttpxTransport`` (``HttpxTransport(client=...)`` exists, but nothing passes it). So this
    function, and only this one, swaps the private ``_transport`` attributes. Before that, the
    library's own clients must be built without reading proxies from the environment: an
    explicit (unreachable, loopback) proxy makes httpx skip ``trust_env`` proxies. Re-check
    ``sp_api/base/client.py`` when the pinned version changes.
    """
    client = kind(
        marketplace=core.marketplace,
        credentials={
            "refresh_token": core.creds.refresh_token,
            "lwa_app_id": core.creds.lwa_client_id,
            "lwa_client_secret": core.creds.lwa_client_secret,
        },
        refresh_token=core.creds.refresh_token,
        timeout=core.timeout,
        verify=tls_context(),
        proxies=_NO_ROUTE_PROXY,
        auth_token_client_class=core.lwa_class,
    )
    client._transport.close()
    client._auth._transport.close()
    client._transport = core.api
    client._auth._transport = core.lwa
    client.endpoint = core.endpoint
    return client


class CallCore:
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
        self.who = "the simulated Amazon" if simulator else "Amazon"
        self.limiter = RateLimiter(learn_scale=simulator)
        self._refused: list[EgressRefused] = []
        self._on_refused = on_refused
        self._lock = threading.RLock()
        self.http = make_http_client(timeout, tls_context())
        self.api = GuardedTransport(
            self.http,
            allow_loopback=simulator,
            on_refused=self._refusal,
            who=self.who,
        )
        self.lwa = GuardedTransport(
            self.http, allow_loopback=simulator, kind="lwa", on_refused=self._refusal
        )
        if simulator:
            parts = urlsplit(endpoint)
            self.lwa_class: type[AccessTokenClient] = type(
                "SimulatorLwa",
                (AccessTokenClient,),
                {"scheme": f"{parts.scheme}://", "host": parts.netloc},
            )
        else:
            self.lwa_class = type("AmazonLwa", (AccessTokenClient,), {"host": LWA_HOST})
        self.marketplace = SimpleNamespace(
            name="US",
            endpoint=endpoint,
            marketplace_id=creds.marketplaces[0] if creds.marketplaces else DEFAULT_MARKETPLACE_ID,
            region=AWS_REGIONS[creds.region],
        )
        self._clients: dict[tuple[type[Client], bool], Any] = {}

    # ------------------------------------------------------------------ refusals
    def _refusal(self, refused: EgressRefused) -> None:
        """Refusals go to the `on_refused` hook when there is one (its owner audits them);
        otherwise they wait for `take_refusals()`. Never both, so nothing is audited twice."""
        if self._on_refused is not None:
            self._on_refused(refused)
            return
        with self._lock:
            self._refused.append(refused)

    def take_refusals(self) -> list[EgressRefused]:
        with self._lock:
            out, self._refused = self._refused, []
        return out

    # ------------------------------------------------------------------ state
    def client(self, kind: type[Client], *, restricted: bool = False) -> Any:
        with self._lock:
            key = (kind, restricted)
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = _library_client(kind, self, restricted=restricted)
            return client

    def rate_limits(self) -> list[BucketState]:
        return self.limiter.snapshot()

    def call_totals(self) -> tuple[int, int]:
        return self.limiter.totals()

    def close(self) -> None:
        with self._lock:
            self._clients.clear()
            self.http.close()

    @staticmethod
    def _forget_access_token(client: Any) -> None:
        access_token_client.cache.pop(client._auth._get_cache_key(), None)

    def words(self, operation: str) -> str:
        return policy_of(operation).words

    # ------------------------------------------------------------------ the call loop
    def call(
        self,
        operation: str,
        kind: type[Client],
        fn: Callable[[Any], Any],
        cancel: CancelToken | None = None,
        *,
        allow_empty: bool = False,
        restricted: Restricted | None = None,
    ) -> Json:
        """Run `fn(client)` under `operation`'s bucket and policy; returns the JSON body."""
        policy = policy_of(operation)
        client = self.client(kind, restricted=restricted is not None)
        attempt = 0
        refreshed = False
        while True:
            if cancel is not None:
                cancel.check()
            rdt = restricted.token(cancel) if restricted is not None else None
            self.limiter.acquire(operation, cancel)
            sent = False
            try:
                with self._lock:
                    if rdt is not None:
                        client.restricted_data_token = rdt
                    self.api.begin()
                    try:
                        fn(client)
                    finally:
                        sent = self.api.sent
                        reply = self.api.last_reply
                if reply is None:  # pragma: no cover - the transport always records one
                    raise BadResponse(f"{operation}: no response was recorded.")
                self.limiter.observe_limit(operation, reply.headers.get("x-amzn-RateLimit-Limit"))
                return self._body(operation, reply.body, reply.status_code, allow_empty)
            except Throttled as exc:
                # Amazon throttles before the operation runs: nothing was done, so a write is
                # as safe to send again as a read.
                self.limiter.throttled(operation)
                error: SpApiError = exc
            except RequestRejected as exc:
                reply = self.api.last_reply
                if reply is not None:
                    self.limiter.observe_limit(
                        operation, reply.headers.get("x-amzn-RateLimit-Limit")
                    )
                if exc.status in (401, 403) and not refreshed:
                    # The library caches access tokens by refresh token only, for 3200 s,
                    # whatever expires_in said: drop ours (and the RDT) and try once more.
                    refreshed = True
                    self._forget_access_token(client)
                    if restricted is not None:
                        restricted.forget()
                    log.info("%s: %s, refreshing the access token", operation, exc.detail)
                    continue
                raise self._rejected(operation, policy, exc) from exc
            except SpApiError as exc:
                if not exc.retryable:
                    raise
                if policy.write and sent:
                    raise self._unknown(operation, policy, exc) from exc
                error = exc
            except ValueError as exc:  # the library choking on a body we let through
                if policy.write and sent:
                    raise self._unknown(operation, policy, BadResponse(str(exc))) from exc
                error = BadResponse(f"{cap(self.who)}'s answer could not be read.")
            attempt += 1
            if attempt >= self.max_attempts:
                raise self._gave_up(operation, policy, error, attempt) from error
            delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
            delay *= random.uniform(0.5, 1.5)  # jitter, not security
            log.info(
                "%s: %s (%s); retry %d in %.2fs",
                operation,
                error.message,
                error.detail,
                attempt,
                delay,
            )
            if cancel is not None:
                if cancel.wait(delay):
                    raise Cancelled()
            else:
                threading.Event().wait(delay)

    def _body(self, operation: str, body: object, status: int, allow_empty: bool) -> Json:
        if body is None:
            if allow_empty:
                return {}
            raise BadResponse(
                f"{cap(self.who)} answered {self.words(operation)} with an empty "
                "body; Kinxpro will retry.",
                operation=operation,
                status=status,
                detail=f"HTTP {status}, empty body",
            )
        if not isinstance(body, dict):  # pragma: no cover - the transport refuses these
            raise BadResponse(f"{operation}: expected a JSON object.", operation=operation)
        return body

    # ------------------------------------------------------------------ messages
    def _rejected(self, operation: str, policy: Policy, exc: RequestRejected) -> SpApiError:
        log.warning("%s refused: %s", operation, exc.detail)
        said = f" ({exc.said.rstrip('. ')})" if exc.said else ""
        who = cap(self.who)
        fields: dict[str, Any] = {
            "operation": operation,
            "status": exc.status,
            "code": exc.code,
            "detail": exc.detail,
        }
        if exc.status in (401, 403):
            return AccessDenied(
                f"{who} refused {policy.words} even with a fresh access token{said}. Check that "
                "your app has the roles this needs (Seller Central ▸ Develop Apps ▸ Edit App), "
                "then authorise it again and reconnect in Account ▸ Connect.",
                **fields,
            )
        rejected = RequestRejected(
            f"{who} did not accept {policy.words}{said}. Kinxpro will try again at the next "
            "sync; if this keeps happening, the log file has the details.",
            **fields,
        )
        rejected.said = exc.said
        return rejected

    def _unknown(self, operation: str, policy: Policy, exc: SpApiError) -> OutcomeUnknown:
        log.warning("%s: outcome unknown after %s (%s)", operation, exc.message, exc.detail)
        reason = exc.message.removesuffix(" Kinxpro will retry.").rstrip(";. ")
        return OutcomeUnknown(
            f"{cap(policy.words)} was sent, but the answer was lost ({reason}). "
            f"{cap(self.who)} may or may not have done it, and Kinxpro did not send "
            f"it again. {policy.reconcile}",
            operation=operation,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
        )

    def _gave_up(
        self, operation: str, policy: Policy, error: SpApiError, attempt: int
    ) -> SpApiError:
        log.warning(
            "%s failed after %d attempts: %s (%s)", operation, attempt, error.message, error.detail
        )
        reason = error.message.removesuffix(" Kinxpro will retry.").rstrip(";. ")
        return type(error)(
            f"{cap(policy.words)} failed after {attempt} attempts: {reason}. "
            "Kinxpro will try again at the next sync.",
            operation=operation,
            status=error.status,
            code=error.code,
            detail=error.detail,
        )
