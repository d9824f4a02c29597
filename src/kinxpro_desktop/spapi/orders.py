"""Orders: 2026-01-01 searchOrders and getOrder (reads), v0 confirmShipment (a write)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sp_api.api import OrdersV0, OrdersV20260101

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.paging import paginate, token_at

Json = dict[str, Any]
next_token = token_at("pagination", "nextToken")


def amazon_time(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, whole seconds (what Amazon's date-time parameters take)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrdersApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def search_orders(self, params: Mapping[str, Any], cancel: CancelToken | None = None) -> Json:
        """One page of searchOrders (pass ``paginationToken`` with the same filters for the
        next one)."""
        body = self.core.call(
            "searchOrders", OrdersV20260101, lambda c: c.search_orders(**dict(params)), cancel
        )
        if not isinstance(body.get("orders"), list):
            raise BadResponse("searchOrders: the answer has no orders list; Kinxpro will retry.")
        return body

    def search_all(
        self, params: Mapping[str, Any], cancel: CancelToken | None = None
    ) -> Iterator[Json]:
        """Every page of one search (Amazon wants the same filters with each token)."""

        def fetch(token: str | None) -> Json:
            return self.search_orders(
                {**params, "paginationToken": token} if token else params, cancel
            )

        return paginate(fetch, next_token, cancel)

    def get_order(
        self, order_id: str, included: Sequence[str], cancel: CancelToken | None = None
    ) -> Json:
        body = self.core.call(
            "getOrder",
            OrdersV20260101,
            lambda c: c.get_order(order_id, includedData=list(included)),
            cancel,
        )
        order = body.get("order")
        if not isinstance(order, dict):
            raise BadResponse(f"getOrder {order_id}: the answer has no order object.")
        return order

    def confirm_shipment(
        self,
        order_id: str,
        marketplace_id: str,
        package: Mapping[str, Any],
        cancel: CancelToken | None = None,
    ) -> None:
        """Orders v0 confirmShipment (still the current operation). `package` is Amazon's
        packageDetail: packageReferenceId, carrierCode, trackingNumber, shipDate,
        orderItems [{orderItemId, quantity}], optionally carrierName and shippingMethod.
        A write: after a lost answer it raises OutcomeUnknown and is not sent again."""
        self.core.call(
            "confirmShipment",
            OrdersV0,
            lambda c: c.confirm_shipment(
                order_id, marketplaceId=marketplace_id, packageDetail=dict(package)
            ),
            cancel,
            allow_empty=True,
        )
