"""Account ▸ Connect: test credentials against Amazon, save them (audited, no secret)."""

from __future__ import annotations

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import save_credentials
from kinxpro_desktop.vault.secret_store import SecretStore


def test_connection(
    creds: SpApiCredentials, endpoint: str | None = None, *, timeout: float = 30.0
) -> AccountInfo:
    """Exchange the refresh token and list the marketplaces; raises a UserError that says
    what to fix (invalid_grant, invalid_client, missing roles, network)."""
    with SpApiGateway.from_credentials(creds, endpoint=endpoint, timeout=timeout) as gateway:
        return gateway.discover_account()


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def save_account(
    secret_store: SecretStore, db: Database, creds: SpApiCredentials, actor: str
) -> None:
    """Keep the credentials in the keyring and audit the change (ids only, no secret)."""
    save_credentials(secret_store, creds)
    db.audit.append(
        "credentials_changed",
        actor,
        (creds.seller_id,) if creds.seller_id else (),
        {
            "region": creds.region,
            "marketplaces": list(creds.marketplaces),
            "lwa_client_id": creds.masked(creds.lwa_client_id),
        },
    )
