"""SP-API account credentials in the secret store, as one JSON entry."""

from __future__ import annotations

import json
from dataclasses import asdict

from kinxpro_desktop.core.credentials import REGIONS, SpApiCredentials
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.vault.secret_store import SecretStore

CREDENTIALS_NAME = "spapi-credentials"


def save_credentials(store: SecretStore, creds: SpApiCredentials) -> None:
    payload = asdict(creds)
    payload["marketplaces"] = list(creds.marketplaces)
    store.set(CREDENTIALS_NAME, json.dumps(payload))


def load_credentials(store: SecretStore) -> SpApiCredentials | None:
    raw = store.get(CREDENTIALS_NAME)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        data["marketplaces"] = tuple(data.get("marketplaces", ()))
        return SpApiCredentials(**data)
    except (ValueError, TypeError, AttributeError, UserError):
        raise UserError(
            f"The saved Amazon credentials ({store.backend_name}) are unreadable. Reconnect "
            "the account in Account ▸ Connect, or with `kinxpro-desktop account connect`."
        ) from None


def forget_credentials(store: SecretStore) -> None:
    store.delete(CREDENTIALS_NAME)


__all__ = [
    "CREDENTIALS_NAME",
    "REGIONS",
    "SpApiCredentials",
    "forget_credentials",
    "load_credentials",
    "save_credentials",
]
