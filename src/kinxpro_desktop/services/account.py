"""The connected Amazon account: test credentials, save them, show them masked, remove them.

Used by Account ▸ Connect and by `kinxpro-desktop account connect|show|disconnect`. Every
change and every look is audited with ids only: never a secret, never a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kinxpro_desktop.core import marketplaces
from kinxpro_desktop.core.credentials import REGIONS, SpApiCredentials, client_id_problem
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import (
    forget_credentials,
    load_credentials,
    save_credentials,
)
from kinxpro_desktop.vault.secret_store import SecretStore

FIELDS = (
    "lwa_client_id",
    "lwa_client_secret",
    "refresh_token",
    "seller_id",
    "region",
    "marketplaces",
)


def test_connection(
    creds: SpApiCredentials, endpoint: str | None = None, *, timeout: float = 30.0
) -> AccountInfo:
    """Exchange the refresh token and list the marketplaces; raises a UserError that says
    what to fix (invalid_grant, invalid_client, missing roles, network)."""
    from kinxpro_desktop.services.connection import build_gateway

    with build_gateway(creds, endpoint=endpoint, timeout=timeout) as gateway:
        return gateway.discover_account()


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def marketplace_ids(values: Sequence[str], region: str) -> tuple[str, ...]:
    """Marketplace ids from ids or country codes ("US", "DE"), checked against the region."""
    ids: list[str] = []
    in_region = marketplaces.in_region(region)
    for value in values:
        text = value.strip()
        market = marketplaces.by_id(text) or next(
            (m for m in marketplaces.MARKETPLACES if m.country_code == text.upper()), None
        )
        if text.upper() == "UK":
            market = marketplaces.by_id("A1F83G8C2ARO7P")
        if market is None:
            raise UserError(
                f"Unknown marketplace {text[:20]!r}. Give a marketplace id (e.g. ATVPDKIKX0DER) "
                "or a country code (US, CA, DE, JP, …)."
            )
        if market not in in_region:
            raise UserError(
                f"Marketplace {market.country_code} belongs to the {market.region} region, not "
                f"{region}. Pass --region {market.region}, or leave that marketplace out."
            )
        if market.marketplace_id not in ids:
            ids.append(market.marketplace_id)
    return tuple(ids)


def credentials_from(fields: Mapping[str, object]) -> SpApiCredentials:
    """Validated credentials from form or JSON fields (the client id's shape is checked)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise UserError(f"Unknown field {unknown[0][:30]!r}. The fields are: {', '.join(FIELDS)}.")
    client_id = str(fields.get("lwa_client_id") or "").strip()
    problem = client_id_problem(client_id)
    if problem:
        raise UserError(problem)
    region = str(fields.get("region") or "NA").strip().upper()
    if region not in REGIONS:
        raise UserError(f"Region must be one of {', '.join(REGIONS)}; got {region[:10]!r}.")
    raw_markets = fields.get("marketplaces") or ()
    if isinstance(raw_markets, str):
        raw_markets = [raw_markets]
    if not isinstance(raw_markets, list | tuple):
        raise UserError("marketplaces must be a list of marketplace ids or country codes.")
    markets = marketplace_ids([str(m) for m in raw_markets], region)
    if not markets:
        markets = (marketplaces.in_region(region)[0].marketplace_id,)
    return SpApiCredentials(
        lwa_client_id=client_id,
        lwa_client_secret=str(fields.get("lwa_client_secret") or "").strip(),
        refresh_token=str(fields.get("refresh_token") or "").strip(),
        region=region,
        marketplaces=markets,
        seller_id=str(fields.get("seller_id") or "").strip(),
    )


def save_account(
    secret_store: SecretStore, db: Database, creds: SpApiCredentials, actor: str
) -> None:
    """Keep the credentials in the secret store and audit the change (ids only, no secret)."""
    db.access.require(Permission.CHANGE_CREDENTIALS)  # owner only
    save_credentials(secret_store, creds)
    db.audit.append(
        AuditEvent.CREDENTIALS_CHANGED,
        actor,
        (creds.seller_id,) if creds.seller_id else (),
        {
            "region": creds.region,
            "marketplaces": list(creds.marketplaces),
            "lwa_client_id": creds.masked(creds.lwa_client_id),
            "kept_in": secret_store.backend_name,
        },
    )


def connect_account(
    secret_store: SecretStore,
    db: Database,
    fields: Mapping[str, object],
    actor: str,
    *,
    endpoint: str | None = None,
) -> tuple[SpApiCredentials, AccountInfo]:
    """Test first; save only credentials Amazon accepted, for marketplaces the seller has."""
    db.access.require(Permission.CHANGE_CREDENTIALS)  # before anything is sent
    creds = credentials_from(fields)
    if not creds.seller_id:
        raise UserError(
            "Give the seller id (merchant token, Seller Central ▸ Settings ▸ Account Info): "
            "--seller-id, or seller_id in the JSON. Nothing was saved."
        )
    info = test_connection(creds, endpoint)
    have = {m[0] for m in info.marketplaces}
    missing = [marketplaces.label(m) for m in creds.marketplaces if m not in have]
    if missing:
        raise UserError(
            f"This seller does not sell in {', '.join(missing)}; it sells in "
            f"{', '.join(marketplaces.label(m) for m in sorted(have))}. Pick those with "
            "--marketplace. Nothing was saved."
        )
    save_account(secret_store, db, creds, actor)
    return creds, info


@dataclass(frozen=True)
class AccountView:
    """What `account show` prints: ids and masked secrets only."""

    connected: bool
    kept_in: str
    seller_id: str = ""
    region: str = ""
    marketplaces: tuple[str, ...] = ()
    lwa_client_id: str = ""
    lwa_client_secret: str = ""
    refresh_token: str = ""

    def lines(self) -> list[str]:
        if not self.connected:
            return [f"No Amazon account is connected (looked in: {self.kept_in})."]
        return [
            f"Seller id:      {self.seller_id or '(not set)'}",
            f"Region:         {self.region}",
            "Marketplaces:   " + ", ".join(marketplaces.label(m) for m in self.marketplaces),
            f"LWA client id:  {self.lwa_client_id}",
            f"Client secret:  {self.lwa_client_secret}",
            f"Refresh token:  {self.refresh_token}",
            f"Kept in:        {self.kept_in}",
        ]


def show_account(secret_store: SecretStore, db: Database, actor: str) -> AccountView:
    db.access.require(Permission.CHANGE_CREDENTIALS)  # masked, but the owner's business
    creds = load_credentials(secret_store)
    db.audit.append(AuditEvent.CREDENTIALS_SHOWN, actor, (), {"connected": creds is not None})
    if creds is None:
        return AccountView(False, secret_store.backend_name)
    return AccountView(
        True,
        secret_store.backend_name,
        creds.seller_id,
        creds.region,
        creds.marketplaces,
        creds.masked(creds.lwa_client_id),
        creds.masked(creds.lwa_client_secret),
        creds.masked(creds.refresh_token),
    )


def disconnect_account(secret_store: SecretStore, db: Database, actor: str) -> bool:
    """Remove the saved credentials (audited). False when none were saved."""
    db.access.require(Permission.CHANGE_CREDENTIALS)
    try:
        creds = load_credentials(secret_store)
    except UserError:
        creds = None  # unreadable: remove them all the same
    had = secret_store.get("spapi-credentials") is not None
    forget_credentials(secret_store)
    db.audit.append(
        AuditEvent.CREDENTIALS_REMOVED,
        actor,
        (creds.seller_id,) if creds is not None and creds.seller_id else (),
        {"kept_in": secret_store.backend_name, "had_credentials": had},
    )
    return had
