"""The retry policy of every SP-API operation, declared once, and its name in words.

Reads are retried on 429, 5xx, timeouts, dropped connections and damaged bodies: sending a
read twice costs a token, nothing more.

Writes that are not idempotent are different. After a timeout, a dropped connection, a 5xx or
an answer that cannot be read, Amazon may have acted on the request (bought the label,
confirmed the shipment, queued the feed or report, changed the listing) or not; sending it
again could do it twice. Such a write is never re-sent by the gateway: it raises
``OutcomeUnknown`` and the caller reconciles with Amazon's state before anything is sent again.

A 429 on a write *is* retried: Amazon throttles before it processes anything (the request
never reached the operation), so the write was not done and sending it again is safe. The
same holds for failures before the request left Kinxpro (the token exchange with Login with
Amazon, an egress refusal) and for 401/403 (refused, not processed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    words: str  # "the orders search": what a seller reads in a message
    write: bool = False  # a non-idempotent write: never re-sent once its outcome is unknown
    reconcile: str = ""  # for writes: what to do after OutcomeUnknown


def _read(words: str) -> Policy:
    return Policy(words)


def _write(words: str, reconcile: str) -> Policy:
    return Policy(words, write=True, reconcile=reconcile)


POLICIES: dict[str, Policy] = {
    # Sellers
    "getMarketplaceParticipations": _read("the account check (marketplace participations)"),
    # Orders 2026-01-01 and v0
    "searchOrders": _read("the orders search"),
    "getOrder": _read("the order lookup"),
    "confirmShipment": _write(
        "the shipment confirmation",
        "Open the order again (Kinxpro reads its shipments from Amazon) or check it in Seller "
        "Central before confirming again, so the package is not confirmed twice.",
    ),
    # Tokens
    "createRestrictedDataToken": _read("the request for a restricted-data token"),
    # Reports
    "createReport": _write(
        "the report request",
        "Kinxpro did not ask again; the next sync or a new request asks for a fresh report "
        "(a duplicate request costs nothing but time).",
    ),
    "getReport": _read("the report status check"),
    "getReports": _read("the list of reports"),
    "cancelReport": _read("the report cancellation"),
    "getReportDocument": _read("the report download"),
    # Listings 2021-08-01
    "searchListingsItems": _read("the listings search"),
    "getListingsItem": _read("the listing lookup"),
    "patchListingsItem": _write(
        "the listing change",
        "Reload the listing (Kinxpro reads it from Amazon) and check its price and quantity "
        "before changing it again.",
    ),
    "patchListingsItemPreview": _read("the listing check (validation preview)"),
    # Feeds 2021-06-30
    "createFeedDocument": _read("the feed upload slot"),
    "createFeed": _write(
        "the feed submission",
        "Check Amazon's recent feeds (Kinxpro lists them) before submitting it again, so the "
        "changes are not applied twice.",
    ),
    "getFeed": _read("the feed status check"),
    "getFeeds": _read("the list of feeds"),
    "getFeedDocument": _read("the feed result download"),
    # Merchant Fulfillment v0
    "getEligibleShipmentServices": _read("the shipping-service quote"),
    "createShipment": _write(
        "the label purchase",
        "Do not buy the label again yet: open the order (Kinxpro looks up its shipments on "
        "Amazon) or check Seller Central ▸ Manage Orders first, so you are not charged twice.",
    ),
    "getShipment": _read("the shipment lookup"),
    # cancelling twice cancels once (the second answer says it is already RefundPending),
    # so a lost answer is safe to retry like a read
    "cancelShipment": _read("the label cancellation"),
    # FBA inventory
    "getInventorySummaries": _read("the FBA inventory check"),
}

#: the operations that are non-idempotent writes (tests and docs read this)
WRITES = frozenset(op for op, policy in POLICIES.items() if policy.write)


def policy_of(operation: str) -> Policy:
    """The declared policy; an operation missing from the table is treated as a read
    (every write Kinxpro sends is in the table; a unit test checks it)."""
    return POLICIES.get(operation) or Policy(f"the {operation} request")
