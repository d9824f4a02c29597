"""Merchant Fulfillment v0: getEligibleShipmentServices, createShipment (a write: buys a
label), getShipment, cancelShipment. createShipment, getShipment and cancelShipment are
restricted operations: they carry a restricted-data token (:mod:`.tokens`), one per hour for
all shipments (generic ``{shipmentId}`` path)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sp_api.api import MerchantFulfillment

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.tokens import RdtCache, TokensApi

Json = dict[str, Any]
RESTRICTED_RESOURCES = (
    {"method": "POST", "path": "/mfn/v0/shipments"},
    {"method": "GET", "path": "/mfn/v0/shipments/{shipmentId}"},
    {"method": "DELETE", "path": "/mfn/v0/shipments/{shipmentId}"},
)


def _payload(body: Json, operation: str) -> Json:
    payload = body.get("payload")
    if not isinstance(payload, dict):
        raise BadResponse(f"{operation}: the answer has no payload object.")
    return payload


class MfnApi:
    def __init__(self, core: CallCore, tokens: TokensApi) -> None:
        self.core = core
        self.rdt = RdtCache(tokens, RESTRICTED_RESOURCES)

    def eligible_services(
        self, details: Mapping[str, Any], cancel: CancelToken | None = None
    ) -> Json:
        """getEligibleShipmentServices for ShipmentRequestDetails `details`: the payload
        (ShippingServiceList, TemporarilyUnavailableCarrierList, ...)."""
        body = self.core.call(
            "getEligibleShipmentServices",
            MerchantFulfillment,
            lambda c: c.get_eligible_shipment_services(dict(details)),
            cancel,
        )
        payload = _payload(body, "getEligibleShipmentServices")
        if not isinstance(payload.get("ShippingServiceList"), list):
            raise BadResponse("getEligibleShipmentServices: the answer has no service list.")
        return payload

    def create_shipment(
        self,
        details: Mapping[str, Any],
        service_id: str,
        *,
        offer_id: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Json:
        """Buy a label: the shipment payload (ShipmentId, TrackingId, Label...). A write:
        after a lost answer it raises OutcomeUnknown and is never sent again by Kinxpro;
        look the order's shipments up before buying again."""
        kwargs: Json = {}
        if offer_id:
            kwargs["ShippingServiceOfferId"] = offer_id
        body = self.core.call(
            "createShipment",
            MerchantFulfillment,
            lambda c: c.create_shipment(dict(details), service_id, **kwargs),
            cancel,
            restricted=self.rdt,
        )
        payload = _payload(body, "createShipment")
        if not isinstance(payload.get("ShipmentId"), str):
            raise BadResponse("createShipment: the answer has no ShipmentId.")
        return payload

    def get_shipment(self, shipment_id: str, cancel: CancelToken | None = None) -> Json:
        body = self.core.call(
            "getShipment",
            MerchantFulfillment,
            lambda c: c.get_shipment(shipment_id),
            cancel,
            restricted=self.rdt,
        )
        return _payload(body, "getShipment")

    def cancel_shipment(self, shipment_id: str, cancel: CancelToken | None = None) -> Json:
        body = self.core.call(
            "cancelShipment",
            MerchantFulfillment,
            lambda c: c.cancel_shipment(shipment_id),
            cancel,
            restricted=self.rdt,
        )
        return _payload(body, "cancelShipment")
