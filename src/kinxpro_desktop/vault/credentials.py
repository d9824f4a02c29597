"""SP-API account credentials in the secret store, as one JSON entry."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.vault.secret_store import SecretStore

CREDENTIALS_NAME = "spapi-credentials"
REGIONS = ("NA", "EU", "FE")


@dataclass(frozen=True)
class SpApiCredentials:
    lwa_client_id: str
    lwa_client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    region: str = "NA"
    marketplaces: tuple[str, ...] = ("ATVPDKIKX0DER",)
    seller_id: str = ""

    def __post_init__(self) -> None:
        missing = [
            label
            for label, value in (
                ("LWA client id", self.lwa_client_id),
                ("LWA client secret", self.lwa_client_secret),
                ("refresh token", self.refresh_token),
            )
            if not value.strip()
        ]
        if missing:
            raise UserError(f"Fill in the {', '.join(missing)} to connect your Amazon account.")
        if self.region not in REGIONS:
            raise UserError(f"Region must be one of {', '.join(REGIONS)}; got {self.region!r}.")

    def masked(self, secret: str) -> str:
        return secret[:4] + "…" + secret[-2:] if len(secret) > 8 else "…"


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
    except (ValueError, TypeError) as exc:
        raise UserError(
            "The saved Amazon credentials in the keyring are unreadable. "
            "Reconnect the account in Account ▸ Connect."
        ) from exc


def forget_credentials(store: SecretStore) -> None:
    store.delete(CREDENTIALS_NAME)
