"""The connected account as sync sees it: credentials from the vault (or the demo
simulator), one gateway per credential set, and the sync service over it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken, ProgressFn
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import AccountInfo, BucketState, SyncReport
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import SpApiCredentials, load_credentials
from kinxpro_desktop.vault.secret_store import SecretStore

NOT_CONNECTED = (
    "No Amazon account is connected. Choose Account ▸ Connect and enter your private "
    "SP-API app's credentials, or start demo mode (kinxpro-desktop --demo)."
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
    """Implements the SyncRunner protocol for whichever account is connected right now."""

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        *,
        endpoint: str | None = None,
        fixed_credentials: SpApiCredentials | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._secrets = secrets
        self.endpoint = endpoint
        self._fixed = fixed_credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._gateway: object | None = None
        self._service: object | None = None
        self._for: SpApiCredentials | None = None

    def credentials(self) -> SpApiCredentials | None:
        return self._fixed if self._fixed is not None else load_credentials(self._secrets)

    def _current(self) -> object:
        creds = self.credentials()
        if creds is None:
            raise UserError(NOT_CONNECTED)
        with self._lock:
            if self._service is None or creds != self._for:
                from kinxpro_desktop.services.sync import SyncService
                from kinxpro_desktop.spapi.gateway import SpApiGateway

                gateway = SpApiGateway.from_credentials(creds, endpoint=self.endpoint)
                self._gateway = gateway
                self._service = SyncService(self._db, gateway, clock=self._clock)
                self._for = creds
            return self._service

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        report: SyncReport = self._current().run(cancel, progress)  # type: ignore[attr-defined]
        return report

    def rate_limits(self) -> list[BucketState]:
        with self._lock:
            gateway = self._gateway
        if gateway is None:
            return []
        states: list[BucketState] = gateway.rate_limits()  # type: ignore[attr-defined]
        return states

    # -- Account ▸ Connect ----------------------------------------------------------------
    def test(self, fields: Mapping[str, object]) -> AccountInfo:
        from kinxpro_desktop.services.account import test_connection

        return test_connection(credentials_from_fields(fields), endpoint=self.endpoint)

    def save(self, fields: Mapping[str, object], info: AccountInfo, actor: str) -> None:
        from kinxpro_desktop.services.account import save_account

        save_account(
            self._secrets, self._db, credentials_from_fields(fields, info.seller_id), actor
        )
