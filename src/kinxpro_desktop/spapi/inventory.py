"""FBA Inventory v1: getInventorySummaries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sp_api.api import Inventories

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.paging import paginate, token_at

Json = dict[str, Any]
next_token = token_at("pagination", "nextToken")


class InventoryApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def summaries(
        self, marketplace_id: str, next_token: str | None = None, cancel: CancelToken | None = None
    ) -> Json:
        kwargs: Json = {
            "granularityType": "Marketplace",
            "granularityId": marketplace_id,
            "marketplaceIds": [marketplace_id],
            "details": "true",
        }
        if next_token:
            kwargs["nextToken"] = next_token
        body = self.core.call(
            "getInventorySummaries",
            Inventories,
            lambda c: c.get_inventory_summary_marketplace(**kwargs),
            cancel,
        )
        payload = body.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("inventorySummaries"), list):
            raise BadResponse("getInventorySummaries: the answer has no inventorySummaries.")
        return body

    def all_summaries(
        self, marketplace_id: str, cancel: CancelToken | None = None
    ) -> Iterator[Json]:
        """Every summary of `marketplace_id`, page after page."""
        for page in paginate(
            lambda token: self.summaries(marketplace_id, token, cancel), next_token, cancel
        ):
            yield from page["payload"]["inventorySummaries"]
