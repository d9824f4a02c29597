"""Sellers API v1: ``getMarketplaceParticipations``."""

from __future__ import annotations

from .catalog import MARKETS
from .state import SimState
from .tokens import ROUTES as TOKEN_ROUTES
from .wire import Request, Response, Route, json_response

_LANGUAGES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX"}


def participations(state: SimState, req: Request) -> Response:
    payload = [
        {
            "marketplace": {
                "id": m.marketplace_id,
                "name": m.name,
                "countryCode": m.country,
                "defaultCurrencyCode": m.currency,
                "defaultLanguageCode": _LANGUAGES[m.country],
                "domainName": m.domain,
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": state.credentials.store_name,
        }
        for m in MARKETS.values()
    ]
    return json_response(200, {"payload": payload})


ROUTES = [
    *TOKEN_ROUTES,
    Route(
        "GET",
        "/sellers/v1/marketplaceParticipations",
        "getMarketplaceParticipations",
        participations,
    ),
]
