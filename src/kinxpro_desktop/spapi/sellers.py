"""Sellers v1: getMarketplaceParticipations (the account check)."""

from __future__ import annotations

from sp_api.api import Sellers

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse, SpApiError


class SellersApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def discover_account(self, cancel: CancelToken | None = None) -> AccountInfo:
        """Marketplaces the seller participates in. Amazon's getMarketplaceParticipations
        does not return the seller id (merchant token), so it comes from the credentials."""
        body = self.core.call(
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
        return AccountInfo(seller_id=self.core.creds.seller_id, marketplaces=tuple(markets))
