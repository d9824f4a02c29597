"""Test and demo controls under ``/_sandbox/`` (no auth; not part of SP-API).

- ``GET /_sandbox/stats``: calls, 429s, errors and PII-bearing responses per operation
- ``GET /_sandbox/pii-log``: every response that carried buyer or recipient data
- ``GET|POST /_sandbox/faults``: body ``{"spec": "...", "mode": "replace"|"add"|"clear"}``
- ``GET /_sandbox/clock``, ``POST /_sandbox/clock/advance``: body ``{"seconds": 3600}``
- ``POST /_sandbox/pii-roles``: body ``{"granted": false}``
- ``POST /_sandbox/rate-limits``: body ``{"enabled": false}``
- ``GET /_sandbox/credentials``: the demo LWA credentials and seller id
"""

from __future__ import annotations

from .clock import iso
from .faults import FaultSpecError
from .state import SimState
from .wire import ApiError, Request, Response, error_response, invalid_input, json_response


def _clock(state: SimState) -> dict[str, object]:
    return {"now": iso(state.now()), "timeScale": state.clock.time_scale}


def handle(state: SimState, req: Request) -> Response:
    name = req.path[len("/_sandbox/") :].strip("/")
    try:
        return _handle(state, req, name)
    except ApiError as err:
        return error_response(err)


def _handle(state: SimState, req: Request, name: str) -> Response:
    key = (req.method, name)
    if key == ("GET", "stats"):
        snapshot = state.stats.snapshot()
        snapshot["faults"] = {
            "pending": state.faults.pending(),
            "injected": dict(state.faults.injected),
        }
        snapshot["clock"] = _clock(state)
        return json_response(200, snapshot)
    if key == ("GET", "pii-log"):
        return json_response(200, {"entries": state.stats.pii_log()})
    if key == ("GET", "faults"):
        return json_response(200, {"pending": state.faults.pending()})
    if key == ("POST", "faults"):
        body = req.json()
        mode = body.get("mode", "replace")
        spec = body.get("spec", "")
        if not isinstance(spec, str):
            raise invalid_input("spec must be a string.")
        try:
            if mode == "clear":
                state.faults.clear()
            elif mode == "add":
                state.faults.add(spec)
            elif mode == "replace":
                state.faults.set(spec)
            else:
                raise invalid_input("mode must be replace, add or clear.")
        except FaultSpecError as exc:
            raise invalid_input(str(exc)) from None
        return json_response(200, {"pending": state.faults.pending()})
    if key == ("GET", "clock"):
        return json_response(200, _clock(state))
    if key == ("POST", "clock/advance"):
        seconds = req.json().get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise invalid_input("seconds must be a non-negative number.")
        state.clock.advance(float(seconds))
        return json_response(200, _clock(state))
    if key == ("POST", "pii-roles"):
        granted = req.json().get("granted")
        if not isinstance(granted, bool):
            raise invalid_input("granted must be true or false.")
        state.pii_roles = granted
        return json_response(200, {"granted": granted})
    if key == ("POST", "rate-limits"):
        enabled = req.json().get("enabled")
        if not isinstance(enabled, bool):
            raise invalid_input("enabled must be true or false.")
        state.limiter.enabled = enabled
        state.limiter.reset()
        return json_response(200, {"enabled": enabled})
    if key == ("GET", "credentials"):
        c = state.credentials
        return json_response(
            200,
            {
                "baseUrl": state.base_url,
                "clientId": c.client_id,
                "clientSecret": c.client_secret,
                "refreshToken": c.refresh_token,
                "sellerId": c.seller_id,
                "marketplaceIds": list(c.marketplace_ids),
            },
        )
    raise ApiError(404, "NotFound", f"No simulator control {req.method} /_sandbox/{name}.")
