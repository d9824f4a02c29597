"""JSON_LISTINGS_FEED (v2) document schema, used to validate uploaded feed documents.

Generated from ``schemas/feeds/listings-feed-schema-v2.json`` of amzn/selling-partner-api-models
(commit 34dc93fe45f37c9a0b2e56823c808f68b4f81754, Apache License 2.0; see
tests/contracts/sp-api-models/LICENSE and NOTICE) with titles, descriptions and comments removed.
"""

from typing import Any

LISTINGS_FEED_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "properties": {
        "header": {
            "properties": {
                "sellerId": {"type": "string"},
                "version": {"const": "2.0", "type": "string"},
                "issueLocale": {"type": "string"},
                "report": {
                    "properties": {
                        "includedData": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "string",
                                "enum": [
                                    "summaries",
                                    "attributes",
                                    "issues",
                                    "offers",
                                    "fulfillmentAvailability",
                                    "procurement",
                                    "relationships",
                                    "productTypes",
                                ],
                            },
                        },
                        "apiVersion": {"type": "string", "enum": ["2021-08-01"]},
                    },
                    "required": ["includedData", "apiVersion"],
                    "type": "object",
                },
            },
            "required": ["sellerId", "version"],
            "type": "object",
        },
        "messages": {
            "minItems": 1,
            "maxItems": 25000,
            "items": {
                "properties": {
                    "messageId": {"minimum": 1, "type": "integer", "maximum": 2147483647},
                    "sku": {"minLength": 1, "type": "string"},
                    "operationType": {
                        "enum": ["UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"],
                        "type": "string",
                    },
                    "productType": {"minLength": 1, "type": "string"},
                    "requirements": {
                        "default": "LISTING",
                        "enum": ["LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"],
                        "type": "string",
                    },
                    "attributes": {
                        "additionalProperties": True,
                        "minProperties": 1,
                        "type": "object",
                    },
                    "patches": {
                        "minItems": 1,
                        "items": {
                            "properties": {
                                "op": {
                                    "enum": ["add", "replace", "merge", "delete"],
                                    "type": "string",
                                },
                                "path": {"type": "string"},
                                "value": {
                                    "type": "array",
                                    "items": {"type": "object", "additionalProperties": True},
                                },
                            },
                            "required": ["op", "path"],
                            "type": "object",
                        },
                        "type": "array",
                    },
                },
                "required": ["messageId", "sku", "operationType"],
                "oneOf": [
                    {
                        "properties": {
                            "operationType": {"const": "UPDATE", "type": "string"},
                            "patches": False,
                        },
                        "required": ["productType", "attributes"],
                    },
                    {
                        "properties": {
                            "operationType": {"const": "DELETE", "type": "string"},
                            "requirements": False,
                            "attributes": False,
                            "productType": False,
                            "patches": False,
                        }
                    },
                    {
                        "properties": {
                            "operationType": {"const": "PARTIAL_UPDATE", "type": "string"},
                            "requirements": False,
                            "patches": False,
                        },
                        "required": ["productType", "attributes"],
                    },
                    {
                        "properties": {
                            "operationType": {"const": "PATCH", "type": "string"},
                            "requirements": False,
                            "attributes": False,
                        },
                        "required": ["productType", "patches"],
                    },
                ],
                "type": "object",
            },
            "type": "array",
        },
    },
    "required": ["header", "messages"],
    "type": "object",
}
