"""Login with Amazon token endpoint: ``POST /auth/o2/token`` with the refresh_token grant."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from .state import SimState
from .wire import Request, Response, json_response

GRANT_MESSAGE = "The request has an invalid grant parameter : refresh_token"
CLIENT_MESSAGE = "Client authentication failed"


def _error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error_description": description, "error": error})


def token(state: SimState, req: Request, fault: str | None) -> Response:
    """Exchange the demo refresh token for a one-hour access token (always JSON)."""
    if fault == "invalid-grant":
        return _error(400, "invalid_grant", GRANT_MESSAGE)
    if fault == "invalid-client":
        return _error(401, "invalid_client", CLIENT_MESSAGE)
    if fault in ("429", "500", "503"):
        status = int(fault)
        names = {429: "too_many_requests", 500: "server_error", 503: "temporarily_unavailable"}
        return _error(status, names[status], "The service is temporarily unavailable.")
    try:
        form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        form = {}
    field = {key: values[0] for key, values in form.items() if values}
    grant = field.get("grant_type")
    if not grant:
        return _error(
            400, "invalid_request", "The request is missing a required parameter : grant_type"
        )
    if grant != "refresh_token":
        return _error(
            400, "unsupported_grant_type", "The authorization grant type is not supported"
        )
    for name in ("refresh_token", "client_id", "client_secret"):
        if not field.get(name):
            return _error(
                400, "invalid_request", f"The request is missing a required parameter : {name}"
            )
    creds = state.credentials
    if not (
        hmac.compare_digest(field["client_id"], creds.client_id)
        and hmac.compare_digest(field["client_secret"], creds.client_secret)
    ):
        return _error(401, "invalid_client", CLIENT_MESSAGE)
    if not hmac.compare_digest(field["refresh_token"], creds.refresh_token):
        return _error(400, "invalid_grant", GRANT_MESSAGE)
    return json_response(
        200,
        {
            "access_token": state.issue_access_token(),
            "refresh_token": creds.refresh_token,
            "token_type": "bearer",
            "expires_in": 3600,
        },
    )
