"""Request and response values, Amazon's error bodies, and query/body helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import SimState, TokenRecord

JsonObj = dict[str, Any]

QUOTA_MESSAGE = "You exceeded your quota for the requested resource."
DENIED_MESSAGE = "Access to requested resource is denied."


class ApiError(Exception):
    """An SP-API error answered as ``{"errors":[{"code","message","details"}]}``."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def invalid_input(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NotFound", message)


def error_body(code: str, message: str, details: str = "") -> JsonObj:
    return {"errors": [{"code": code, "message": message, "details": details}]}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    #: order ids whose PII (buyer or recipient data) this response carries
    pii_orders: list[str] = field(default_factory=list)
    #: close the connection without answering (the ``drop`` fault)
    drop: bool = False
    #: the body was deliberately damaged by a fault (``malformed``)
    damaged: bool = False


def json_response(status: int, obj: object, pii_orders: list[str] | None = None) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(status, body, pii_orders=list(pii_orders or []))


def error_response(err: ApiError) -> Response:
    return json_response(err.status, error_body(err.code, err.message, err.details))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    operation: str = ""
    token: TokenRecord | None = None
    _json: JsonObj | None = None

    def first(self, *names: str) -> str | None:
        """The first value of the first query parameter present among ``names``."""
        for name in names:
            values = self.query.get(name)
            if values:
                return values[0]
        return None

    def values(self, *names: str) -> list[str]:
        """All values of a list parameter, accepting repeated keys and comma-joined values."""
        out: list[str] = []
        for name in names:
            for value in self.query.get(name, []):
                out.extend(part.strip() for part in value.split(",") if part.strip())
            if out:
                break
        return out

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.first(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid_input(f"Invalid {name}: {raw!r} is not an integer.") from None
        if not low <= value <= high:
            raise invalid_input(f"Invalid {name}: must be between {low} and {high}.")
        return value

    def json(self) -> JsonObj:
        if self._json is None:
            if not self.body:
                raise invalid_input("The request body is missing.")
            try:
                value = json.loads(self.body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise invalid_input("The request body is not valid JSON.") from None
            if not isinstance(value, dict):
                raise invalid_input("The request body must be a JSON object.")
            self._json = value
        return self._json


Handler = Callable[["SimState", Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # e.g. "/orders/2026-01-01/orders/{orderId}"
    operation: str
    handler: Handler
    #: "none": LWA token only; "optional": LWA or a matching RDT; "required": matching RDT only
    rdt: str = "none"


def require_str(obj: JsonObj, key: str, where: str = "body") -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise invalid_input(f"Missing or invalid {key} in the {where}.")
    return value


def require_list(obj: JsonObj, key: str, where: str = "body") -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list) or not value:
        raise invalid_input(f"Missing or invalid {key} in the {where}.")
    return value
