"""Tokens API 2021-03-01: ``createRestrictedDataToken``."""

from __future__ import annotations

from .state import SimState
from .wire import ApiError, Request, Response, Route, invalid_input, json_response, require_list

METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})
DATA_ELEMENTS = frozenset({"buyerInfo", "shippingAddress", "buyerTaxInformation"})
#: restricted operations an RDT can cover (generic {id} paths allowed)
RESTRICTED_PREFIXES = ("/orders/v0/orders", "/mfn/v0/shipments", "/reports/2021-06-30/documents/")


def create_rdt(state: SimState, req: Request) -> Response:
    body = req.json()
    raw = require_list(body, "restrictedResources")
    if len(raw) > 50:
        raise invalid_input("At most 50 restrictedResources are allowed.")
    resources: list[tuple[str, str]] = []
    elements: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_input("Each restricted resource must be an object.")
        method, path = item.get("method"), item.get("path")
        if method not in METHODS:
            raise invalid_input(f"Invalid method {method!r} in restrictedResources.")
        if not isinstance(path, str) or not path.startswith(RESTRICTED_PREFIXES):
            raise invalid_input(f"Invalid path {path!r}: not a restricted operation.")
        wanted = item.get("dataElements") or []
        if not isinstance(wanted, list) or not set(wanted) <= DATA_ELEMENTS:
            raise invalid_input(f"Invalid dataElements {wanted!r}.")
        elements.update(wanted)
        resources.append((method, path))
    if not state.pii_roles:
        names = ", ".join(sorted(elements)) or "restricted operations"
        raise ApiError(
            403,
            "Unauthorized",
            f"Application does not have access to one or more requested data elements: [{names}]",
        )
    record = state.issue_rdt(resources, frozenset(elements))
    return json_response(200, {"restrictedDataToken": record.token, "expiresIn": 3600})


ROUTES = [
    Route("POST", "/tokens/2021-03-01/restrictedDataToken", "createRestrictedDataToken", create_rdt)
]
