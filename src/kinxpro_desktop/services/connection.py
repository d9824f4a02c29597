"""The Connection service: the connected account's one SP-API gateway.

Only this module builds gateways (:func:`build_gateway`). A :class:`Connection` owns the
gateway of whichever account is connected right now (the vault's credentials, or the demo
simulator's), rebuilds it when the credentials change, and audits every endpoint refusal
through the callable it is given. Sync receives it now (:class:`AccountSync`, the
``SyncRunner`` of ``tasks/sync.py``); labels, reports and listing edits receive the same
Connection and call ``connection.gateway()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken, ProgressFn
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import AccountInfo, BucketState, SyncReport
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import SpApiCredentials, load_credentials
from kinxpro_desktop.vault.secret_store import SecretStore

if TYPE_CHECKING:
    from kinxpro_desktop.services.sync import SyncService
    from kinxpro_desktop.spapi.errors import EgressRefused
    from kinxpro_desktop.spapi.gateway import SpApiGateway

log = logging.getLogger(__name__)

NOT_CONNECTED = (
    "No Amazon account is connected. Choose Account ▸ Connect and enter your private "
    "SP-API app's credentials, or start demo mode (kinxpro-desktop --demo)."
)

#: (event, detail) -> None: appends one audit entry (ids and hosts only, never a secret)
AuditFn = Callable[[str, dict[str, object]], None]


def build_gateway(
    creds: SpApiCredentials,
    *,
    endpoint: str | None = None,
    timeout: float = 30.0,
    on_refused: Callable[[EgressRefused], None] | None = None,
) -> SpApiGateway:
    """A gateway for `creds`: Amazon's host for their region, or the loopback simulator at
    `endpoint`. The only place that builds one (a throwaway for Account ▸ Connect's test
    included); the caller closes it."""
    from kinxpro_desktop.spapi.gateway import SpApiGateway

    return SpApiGateway.from_credentials(
        creds, endpoint=endpoint, timeout=timeout, on_refused=on_refused
    )


def audit_into(db: Database, actor: str = Actor.SYSTEM) -> AuditFn:
    """An AuditFn that appends to `db`'s audit log."""

    def append(event: str, detail: dict[str, object]) -> None:
        db.audit.append(event, actor, (), detail)

    return append


class Connection:
    """Owns the gateway of the connected account; thread-safe."""

    def __init__(
        self,
        secrets: SecretStore | None,
        *,
        endpoint: str | None = None,
        fixed_credentials: SpApiCredentials | None = None,
        audit: AuditFn | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._secrets = secrets
        self.endpoint = endpoint
        self._fixed = fixed_credentials
        self._audit = audit
        self.timeout = timeout
        self._lock = threading.Lock()
        self._gateway: SpApiGateway | None = None
        self._for: SpApiCredentials | None = None
        self._retired: list[SpApiGateway] = []
        #: bumped each time a new gateway is built (users of the old one rebuild their state)
        self.generation = 0

    def credentials(self) -> SpApiCredentials | None:
        if self._fixed is not None:
            return self._fixed
        return load_credentials(self._secrets) if self._secrets is not None else None

    def gateway(self) -> SpApiGateway:
        """The current account's gateway, built on first use and rebuilt when the
        credentials changed. Raises UserError when no account is connected."""
        creds = self.credentials()
        if creds is None:
            raise UserError(NOT_CONNECTED)
        with self._lock:
            if self._gateway is None or creds != self._for:
                if self._gateway is not None:
                    # a sync may still be using it: closed with the connection, not now
                    self._retired.append(self._gateway)
                self._gateway = build_gateway(
                    creds, endpoint=self.endpoint, timeout=self.timeout, on_refused=self._refused
                )
                self._for = creds
                self.generation += 1
            return self._gateway

    def current(self) -> SpApiGateway | None:
        """The gateway built so far, without reading the vault (safe on the GUI thread)."""
        with self._lock:
            return self._gateway

    def rate_limits(self) -> list[BucketState]:
        gateway = self.current()
        return gateway.rate_limits() if gateway is not None else []

    def test(self, creds: SpApiCredentials) -> AccountInfo:
        """Account ▸ Connect's test: a throwaway gateway for `creds` (not kept)."""
        with build_gateway(
            creds, endpoint=self.endpoint, timeout=self.timeout, on_refused=self._refused
        ) as gateway:
            return gateway.discover_account()

    def _refused(self, refused: EgressRefused) -> None:
        """Every refusal is audited here (and logged by the transport), exactly once."""
        if self._audit is None:
            return
        try:
            self._audit(AuditEvent.EGRESS_REFUSED, {"host": refused.host, "reason": refused.reason})
        except Exception:  # the refusal itself must still reach the caller
            log.exception("could not audit an egress refusal")

    def close(self) -> None:
        with self._lock:
            gateways = [*self._retired, *([self._gateway] if self._gateway else [])]
            self._retired, self._gateway, self._for = [], None, None
        for gateway in gateways:
            gateway.close()


class PublishedCredentials(Protocol):
    """The demo credentials a simulator publishes (``sandbox.DemoCredentials``, duck-typed:
    services never import the simulator)."""

    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    @property
    def seller_id(self) -> str: ...
    @property
    def marketplace_ids(self) -> Sequence[str]: ...


def simulator_credentials(published: PublishedCredentials) -> SpApiCredentials:
    """SP-API credentials from the simulator's published demo credentials (region NA)."""
    return SpApiCredentials(
        lwa_client_id=str(published.client_id),
        lwa_client_secret=str(published.client_secret),
        refresh_token=str(published.refresh_token),
        region="NA",
        marketplaces=tuple(str(m) for m in published.marketplace_ids),
        seller_id=str(published.seller_id),
    )


def credentials_from_fields(fields: Mapping[str, object], seller_id: str = "") -> SpApiCredentials:
    markets = fields.get("marketplaces") or ()
    return SpApiCredentials(
        lwa_client_id=str(fields.get("lwa_client_id", "")),
        lwa_client_secret=str(fields.get("lwa_client_secret", "")),
        refresh_token=str(fields.get("refresh_token", "")),
        region=str(fields.get("region", "NA")),
        marketplaces=tuple(str(m) for m in markets),  # type: ignore[attr-defined]
        seller_id=seller_id or str(fields.get("seller_id", "")),
    )


class AccountSync:
    """The SyncRunner of tasks/sync.py: sync over the Connection's gateway, rebuilt with it."""

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        *,
        endpoint: str | None = None,
        fixed_credentials: SpApiCredentials | None = None,
        clock: Callable[[], datetime] = utcnow,
        connection: Connection | None = None,
    ) -> None:
        self._db = db
        self._secrets = secrets
        self.connection = connection or Connection(
            secrets,
            endpoint=endpoint,
            fixed_credentials=fixed_credentials,
            audit=audit_into(db, Actor.SYNC),
        )
        self.endpoint = self.connection.endpoint
        self._clock = clock
        self._lock = threading.Lock()
        self._service: SyncService | None = None
        self._generation = -1

    def credentials(self) -> SpApiCredentials | None:
        return self.connection.credentials()

    def _current(self) -> SyncService:
        gateway = self.connection.gateway()
        with self._lock:
            if self._service is None or self._generation != self.connection.generation:
                from kinxpro_desktop.services.sync import SyncService

                self._service = SyncService(self._db, gateway, clock=self._clock)
                self._generation = self.connection.generation
            return self._service

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        return self._current().run(cancel, progress)

    def rate_limits(self) -> list[BucketState]:
        return self.connection.rate_limits()

    def close(self) -> None:
        self.connection.close()

    # -- Account ▸ Connect ----------------------------------------------------------------
    def test(self, fields: Mapping[str, object]) -> AccountInfo:
        from kinxpro_desktop.services.account import test_connection

        return test_connection(credentials_from_fields(fields), endpoint=self.endpoint)

    def save(self, fields: Mapping[str, object], info: AccountInfo, actor: str) -> None:
        from kinxpro_desktop.services.account import save_account

        save_account(
            self._secrets, self._db, credentials_from_fields(fields, info.seller_id), actor
        )
