"""Validation of simulator responses against Amazon's official models (Swagger 2.0).

Response schemas are checked with jsonschema's Draft 4 validator (Swagger 2.0 schemas are a
Draft 4 dialect): ``#/definitions/...`` refs resolve inside the model, ``x-`` keys are
ignored, and the ``date-time`` / ``date`` formats are checked strictly (RFC 3339).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2] / "contracts" / "sp-api-models"

#: simulator operation name -> (model file under models/, operationId)
OPERATIONS: dict[str, tuple[str, str]] = {
    "getOrders": ("orders-api-model/ordersV0.json", "getOrders"),
    "getOrderItems": ("orders-api-model/ordersV0.json", "getOrderItems"),
    "confirmShipment": ("orders-api-model/ordersV0.json", "confirmShipment"),
    "searchOrders": ("orders-api-model/orders_2026-01-01.json", "searchOrders"),
    "getOrder2026": ("orders-api-model/orders_2026-01-01.json", "getOrder"),
    "createRestrictedDataToken": (
        "tokens-api-model/tokens_2021-03-01.json",
        "createRestrictedDataToken",
    ),
    "getMarketplaceParticipations": (
        "sellers-api-model/sellers.json",
        "getMarketplaceParticipations",
    ),
    "getListingsItem": (
        "listings-items-api-model/listingsItems_2021-08-01.json",
        "getListingsItem",
    ),
    "searchListingsItems": (
        "listings-items-api-model/listingsItems_2021-08-01.json",
        "searchListingsItems",
    ),
    "patchListingsItem": (
        "listings-items-api-model/listingsItems_2021-08-01.json",
        "patchListingsItem",
    ),
    "putListingsItem": (
        "listings-items-api-model/listingsItems_2021-08-01.json",
        "putListingsItem",
    ),
    "deleteListingsItem": (
        "listings-items-api-model/listingsItems_2021-08-01.json",
        "deleteListingsItem",
    ),
    "createFeedDocument": ("feeds-api-model/feeds_2021-06-30.json", "createFeedDocument"),
    "createFeed": ("feeds-api-model/feeds_2021-06-30.json", "createFeed"),
    "getFeed": ("feeds-api-model/feeds_2021-06-30.json", "getFeed"),
    "getFeeds": ("feeds-api-model/feeds_2021-06-30.json", "getFeeds"),
    "cancelFeed": ("feeds-api-model/feeds_2021-06-30.json", "cancelFeed"),
    "getFeedDocument": ("feeds-api-model/feeds_2021-06-30.json", "getFeedDocument"),
    "createReport": ("reports-api-model/reports_2021-06-30.json", "createReport"),
    "getReport": ("reports-api-model/reports_2021-06-30.json", "getReport"),
    "getReports": ("reports-api-model/reports_2021-06-30.json", "getReports"),
    "cancelReport": ("reports-api-model/reports_2021-06-30.json", "cancelReport"),
    "getReportDocument": ("reports-api-model/reports_2021-06-30.json", "getReportDocument"),
    "getEligibleShipmentServices": (
        "merchant-fulfillment-api-model/merchantFulfillmentV0.json",
        "getEligibleShipmentServices",
    ),
    "createShipment": (
        "merchant-fulfillment-api-model/merchantFulfillmentV0.json",
        "createShipment",
    ),
    "getShipment": ("merchant-fulfillment-api-model/merchantFulfillmentV0.json", "getShipment"),
    "cancelShipment": (
        "merchant-fulfillment-api-model/merchantFulfillmentV0.json",
        "cancelShipment",
    ),
    "getInventorySummaries": ("fba-inventory-api-model/fbaInventory.json", "getInventorySummaries"),
}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


@cache
def load_model(relative: str) -> dict[str, Any]:
    with (ROOT / "models" / relative).open(encoding="utf-8") as fh:
        model: dict[str, Any] = json.load(fh)
    return model


@cache
def load_schema(relative: str) -> dict[str, Any]:
    with (ROOT / relative).open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def operation(sim_operation: str) -> tuple[dict[str, Any], str, str, dict[str, Any]]:
    """(model, path, method, operation object) for a simulator operation name."""
    relative, operation_id = OPERATIONS[sim_operation]
    model = load_model(relative)
    for path, item in model["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return model, path, method.upper(), op
    raise KeyError(sim_operation)


def response_errors(sim_operation: str, status: int, body: bytes) -> list[str]:
    """Why ``body`` is not a valid ``status`` response of the operation (empty: valid)."""
    model, _, _, op = operation(sim_operation)
    declared = op["responses"].get(str(status))
    if declared is None:
        return [f"{sim_operation}: status {status} is not declared by the model"]
    schema = declared.get("schema")
    if schema is None:
        return (
            [] if not body.strip() else [f"{sim_operation} {status}: body where none is declared"]
        )
    try:
        document = json.loads(body)
    except ValueError as exc:
        return [f"{sim_operation} {status}: not JSON ({exc})"]
    root = {"definitions": model["definitions"], **schema}
    validator = jsonschema.Draft4Validator(root, format_checker=FORMATS)
    return [
        f"{sim_operation} {status}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def schema_errors(schema_file: str, document: object) -> list[str]:
    """Validate a document against one of the JSON schemas under ``schemas/`` (Draft 7)."""
    validator = jsonschema.Draft7Validator(load_schema(schema_file), format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]
