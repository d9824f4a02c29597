"""The seller's SP-API credentials as a value (kept by the vault, used by the gateway)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kinxpro_desktop.core.errors import UserError

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
