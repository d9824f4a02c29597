"""SP-API errors a seller can act on: every message says what happened and what to do.

Messages carry operation names, HTTP statuses, Amazon's error codes and order ids only:
never a token, a secret or buyer data.
"""

from __future__ import annotations

from kinxpro_desktop.core.errors import UserError


def cap(text: str) -> str:
    """First letter upper case, the rest untouched ("the FBA check" -> "The FBA check")."""
    return text[:1].upper() + text[1:]


class SpApiError(UserError):
    """A call to Amazon failed. `retryable` errors may succeed on a later attempt."""

    title = "Amazon SP-API"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        status: int | None = None,
        code: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.status = status
        self.code = code
        #: what the server said, with its HTTP status and code: for the log, not for the seller
        self.detail = detail


class EgressRefused(SpApiError):
    """A request to a host outside the allow-list (or plain http:// off loopback)."""

    title = "Connection refused by Kinxpro"

    def __init__(self, url_host: str, reason: str) -> None:
        super().__init__(
            f"Kinxpro refused to connect to {url_host}: {reason}. Kinxpro talks only to "
            "Amazon's SP-API and Login with Amazon hosts (and a loopback simulator in demo "
            "mode). Check the endpoint setting; if this keeps happening, report it."
        )
        self.host = url_host
        self.reason = reason


class AuthRejected(SpApiError):
    """Login with Amazon refused the credentials; retrying cannot help."""

    title = "Amazon account not authorised"


class AccessDenied(SpApiError):
    """403 on an SP-API operation after a fresh access token: a missing role."""

    title = "Amazon refused access"


class Throttled(SpApiError):
    retryable = True


class TransientError(SpApiError):
    """5xx, timeouts, dropped connections, damaged bodies: worth another attempt."""

    retryable = True


class BadResponse(SpApiError):
    """Amazon answered, but not with what its API promises (wrong types, missing fields)."""

    retryable = True


class RequestRejected(SpApiError):
    """400/404/409 and friends: Amazon refused the request as made."""

    #: Amazon's own error message (English, no buyer data), shown in parentheses
    said: str = ""


class OutcomeUnknown(SpApiError):
    """A write that is not idempotent (createShipment, confirmShipment, createFeed,
    patchListingsItem, createReport) was sent, but its answer was lost: a timeout, a dropped
    connection, a 5xx or an unreadable body. Amazon may or may not have acted on it. It is
    never sent again by the gateway; the caller reconciles with Amazon's state first."""

    title = "Amazon's answer was lost"


class ReportFailed(SpApiError):
    """A report ended FATAL (or never finished)."""

    retryable = True


INVALID_GRANT = (
    "Amazon no longer accepts this refresh token: reconnect the account in Account ▸ Connect "
    "(self-authorise your app again in Seller Central ▸ Develop Apps to get a new refresh token)."
)
INVALID_CLIENT = (
    "Login with Amazon rejected the LWA client id or client secret: copy them again from "
    "Seller Central ▸ Develop Apps ▸ your app ▸ LWA credentials into Account ▸ Connect "
    "(if you rotated the secret, use the new one)."
)
