"""Listings Items 2021-08-01: searchListingsItems, getListingsItem, patchListingsItem."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sp_api.api import ListingsItemsV20210801

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse, SpApiError
from kinxpro_desktop.spapi.paging import paginate, token_at

Json = dict[str, Any]
next_token = token_at("pagination", "nextToken")
NO_SELLER_ID = (
    "Listings need your seller id (merchant token): find it in Seller Central ▸ Settings ▸ "
    "Account Info ▸ Merchant Token and enter it in Account ▸ Connect."
)


class ListingsApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def _seller(self) -> str:
        if not self.core.creds.seller_id:
            raise SpApiError(NO_SELLER_ID)
        return self.core.creds.seller_id

    def search(
        self,
        marketplace_id: str,
        page_token: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        seller = self._seller()
        kwargs: Json = {
            "marketplaceIds": [marketplace_id],
            "includedData": ["summaries", "issues"],
            "pageSize": 20,
        }
        if page_token:
            kwargs["pageToken"] = page_token
        body = self.core.call(
            "searchListingsItems",
            ListingsItemsV20210801,
            lambda c: c.search_listings_items(seller, **kwargs),
            cancel,
        )
        if not isinstance(body.get("items"), list):
            raise BadResponse("searchListingsItems: the answer has no items list.")
        return body

    def search_all(self, marketplace_id: str, cancel: CancelToken | None = None) -> Iterator[Json]:
        """Every listing item of `marketplace_id`, page after page."""
        for page in paginate(lambda t: self.search(marketplace_id, t, cancel), next_token, cancel):
            yield from page["items"]

    def get_item(
        self,
        sku: str,
        marketplace_id: str,
        included: Sequence[str] = (
            "summaries",
            "attributes",
            "offers",
            "fulfillmentAvailability",
            "issues",
        ),
        cancel: CancelToken | None = None,
    ) -> Json:
        seller = self._seller()
        body = self.core.call(
            "getListingsItem",
            ListingsItemsV20210801,
            lambda c: c.get_listings_item(
                seller, sku, marketplaceIds=[marketplace_id], includedData=list(included)
            ),
            cancel,
        )
        if not isinstance(body.get("sku"), str):
            raise BadResponse(f"getListingsItem {sku}: the answer has no sku.")
        return body

    def patch_item(
        self,
        sku: str,
        marketplace_id: str,
        product_type: str,
        patches: Sequence[Json],
        *,
        preview: bool = False,
        cancel: CancelToken | None = None,
    ) -> Json:
        """patchListingsItem; ``preview=True`` sends ``mode=VALIDATION_PREVIEW`` (Amazon
        checks the change and answers with its issues, changing nothing). The answer has
        ``status`` (ACCEPTED | INVALID | VALID), ``submissionId`` and ``issues``. A real patch
        is a write: after a lost answer it raises OutcomeUnknown and is not sent again (a
        preview changes nothing, so it is retried like a read)."""
        seller = self._seller()
        kwargs: Json = {
            "marketplaceIds": [marketplace_id],
            "body": {"productType": product_type, "patches": list(patches)},
        }
        if preview:
            kwargs["mode"] = "VALIDATION_PREVIEW"
        body = self.core.call(
            "patchListingsItemPreview" if preview else "patchListingsItem",
            ListingsItemsV20210801,
            lambda c: c.patch_listings_item(seller, sku, **kwargs),
            cancel,
        )
        if not isinstance(body.get("status"), str):
            raise BadResponse(f"patchListingsItem {sku}: the answer has no status.")
        return body
