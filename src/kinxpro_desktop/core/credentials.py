"""The seller's SP-API credentials as a value (kept by the vault, used by the gateway)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kinxpro_desktop.core.errors import UserError

REGIONS = ("NA", "EU", "FE")
CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
_CLIENT_ID = re.compile(re.escape(CLIENT_ID_PREFIX) + r"[0-9a-f]{8,64}")


def client_id_problem(client_id: str) -> str | None:
    """Why this does not look like an LWA client id, or None when it does."""
    value = client_id.strip()
    if not value:
        return "Fill in the LWA client id."
    if _CLIENT_ID.fullmatch(value):
        return None
    if value.startswith("amzn1.oa2-cs.") or value.startswith("Atz"):
        return (
            "That is a client secret or a token, not the LWA client id. The client id starts "
            f"with {CLIENT_ID_PREFIX} (Seller Central ▸ Develop Apps ▸ View LWA credentials)."
        )
    return (
        f"The LWA client id must look like {CLIENT_ID_PREFIX} followed by hexadecimal digits "
        "(copy it from Seller Central ▸ Develop Apps ▸ View LWA credentials)."
    )


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
